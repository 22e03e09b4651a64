"""`flask reminders send` at the size of a whole force: the 5,000-action plan with 50,000 updates (bench/database.py),
owners on half of the actions, through a real SMTP server on 127.0.0.1 (aiosmtpd).

Measures the dry run (finding what is due), the first run (claiming, sending and marking every e-mail) and a second
run straight after (nothing left to send), each with its wall and CPU time and number of SQL statements:

    python bench/reminders.py [--updates 50000] [--port 8330]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.extensions import db  # noqa: E402
from app.mail_links import AppLinks  # noqa: E402
from app.services import mail  # noqa: E402
from app.services.notifications import outbox, reminders  # noqa: E402
from bench import database, workbook  # noqa: E402
from tests.mail_server import Controller, Mailbox  # noqa: E402


def timed(label: str, work):
    statements = 0

    def count(*args, **kwargs):
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(db.engine, "before_cursor_execute", count)
    # CPU of this process, which also runs the SMTP server's thread while e-mails are sent.
    print(f"{label}: {elapsed * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU, {statements} SQL statements")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=database.UPDATES)
    parser.add_argument("--port", type=int, default=8330)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = database.make_app(Path(folder) / "bench.db")
        mailbox = Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=args.port)
        controller.start()
        try:
            with app.app_context():
                db.create_all()
                data = database.build(workbook.build(), updates=args.updates)
                app.config.update(
                    MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=args.port,
                    MAIL_FROM="tracker@bench.police.uk",
                    BASE_URL="https://tracker.bench.police.uk",
                )
                print(f"{data.actions} actions, {data.updates} updates in the big plan, plus the seed plan")
                links = AppLinks(app)
                settings = mail.settings_from(app.config)
                assert settings is not None
                due = timed("dry run (what is due)", lambda: reminders.due(links=links))
                items = sum(len(p.items) for p in due)
                print(f"  {len(due)} e-mails due, about {items} items")

                def send():
                    with mail.Postbox(settings) as box:
                        return outbox.send(reminders.due(links=links), box, links)

                first = timed("first run (find, claim, send, mark)", send)
                print(f"  sent {len(first.sent)} e-mails; the server received {len(mailbox.messages)}")
                second = timed("second run (nothing left)", send)
                print(f"  sent {len(second.sent)} e-mails; the server received {len(mailbox.messages)} in all")
        finally:
            controller.stop()


if __name__ == "__main__":
    main()
