""" "Forgotten your password?" answers in the same time whether or not the address has an account.

Asks for a link alternately for an address with an account and one without, through the app's own test client
(no network in between, so differences are the app's own), with a real SMTP server on 127.0.0.1 taking the
e-mails, and reports the median and spread of each:

    python bench/forgotten_password.py [--asks 200] [--port 8331]
"""

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import users  # noqa: E402
from config import Config  # noqa: E402
from tests.mail_server import Controller, Mailbox  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asks", type=int, default=200)
    parser.add_argument("--port", type=int, default=8331)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:

        class BenchConfig(Config):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(folder) / 'bench.db'}"
            SECRET_KEY = secrets.token_hex(32)
            PASSWORD_HASH_FAST = True
            PASSWORD_RESET_LIMIT_PER_ADDRESS = PASSWORD_RESET_LIMIT_PER_ACCOUNT = "100000 per hour"
            MAIL_SERVER, MAIL_PORT, MAIL_FROM = "127.0.0.1", args.port, "tracker@bench.police.uk"
            BASE_URL = "https://tracker.bench.police.uk"

        mailbox = Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=args.port)
        controller.start()
        app = create_app(BenchConfig)
        try:
            with app.app_context():
                db.create_all()
                users.create_user(
                    "owner@bench.police.uk", "Bench Owner", "owner", "correct horse battery staple", by=None
                )
            client = app.test_client()
            token = CSRF.search(client.get("/sign-in/forgotten-password").get_data(as_text=True)).group(1)
            times: dict[str, list[float]] = {"with an account": [], "without one": []}
            for n in range(args.asks * 2):
                kind = "with an account" if n % 2 == 0 else "without one"
                email = "owner@bench.police.uk" if n % 2 == 0 else f"nobody{n}@bench.police.uk"
                started = time.perf_counter()
                response = client.post("/sign-in/forgotten-password", data={"email": email, "csrf_token": token})
                times[kind].append(time.perf_counter() - started)
                response.close()  # as a WSGI server does once the answer is sent: the e-mail goes then
                if n % 2 == 0:  # let it arrive before the next ask, so no ask is timed while another is sent
                    mailbox.wait_for(n // 2 + 1, timeout=10)
                assert response.status_code == 200
            for kind, values in times.items():
                q = statistics.quantiles(values, n=10)
                print(
                    f"address {kind}: median {statistics.median(values) * 1000:.2f} ms, "
                    f"p10 {q[0] * 1000:.2f} ms, p90 {q[-1] * 1000:.2f} ms ({len(values)} asks)"
                )
            print(f"e-mails received by the SMTP server: {len(mailbox.messages)}")
        finally:
            controller.stop()


if __name__ == "__main__":
    main()
