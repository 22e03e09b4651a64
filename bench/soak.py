"""`make soak`: a whole force's plan under mixed load on gunicorn and PostgreSQL, watching for workers that die.

1. (Re)creates the PostgreSQL database `soak` (SOAK_DATABASE to use another), migrates it with `flask db upgrade`
   and fills it with bench/database.py's force-sized data: a plan of 5,000 actions and 50,000 updates, the PCC
   deliverables it links to, the seed plan, a lead (with an authenticator app), 20 owners and a viewer.
2. Starts gunicorn on 127.0.0.1 with the settings the tracker ships (gunicorn.conf.py) and 2 workers
   (`--worker-class gthread --threads N` to try threads), with PYTHONFAULTHANDLER=1, so a worker that crashes
   writes its Python stack to gunicorn's log first.
3. For SOAK_SECONDS (default 600) the clients, with no pause between requests, open every main page of the big
   plan (plans, plan page filtered and searched, action page, dashboard, review queue, traceability, my actions),
   owners write updates, the lead confirms or sets RAGs, and now and then somebody downloads the Excel export
   (PCC or internal copy) or the board pack PDF.
4. Reads gunicorn's own log of its workers: every worker boot, every worker that was sent a signal, exited
   with a code or timed out. Only the workers' stop at the end (SIGTERM from the master, asked for by this
   script) is an exit by request; anything else fails the soak, as does a 5xx, any other unexpected answer, or
   an update or decision the server said it saved that is not in the database. Every worker that ends must also
   say it left without the interpreter's finalisation (gunicorn.conf.py's worker_exit): one that went through
   finalisation means the shipped settings were not in effect, and that is where a worker once crashed. And every
   worker must say that its automatic garbage collector is off (gunicorn.conf.py's post_worker_init: it collects
   between requests only), the setting that keeps the collector from starting inside CPython's own code.

Loopback only; the database server is PostgreSQL on 127.0.0.1:5432 unless SOAK_ADMIN_URL says otherwise.
"""

import argparse
import os
import platform
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_client import Client, Person, Unexpected  # noqa: E402  (bench/ is the script's own folder)

ADMIN_URL = os.environ.get("SOAK_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("SOAK_DATABASE", "soak")
DECISION_REASON = "Soak: decided at the delivery board"

BOOTED_RE = re.compile(r"Booting worker with pid: (\d+)")
SIGNALLED_RE = re.compile(r"Worker \(pid:(\d+)\) was sent (\w+)")
EXITED_RE = re.compile(r"Worker \(pid:(\d+)\) exited with code (\d+)")
RECYCLED_RE = re.compile(r"\[(\d+)\] \[INFO\] Autorestarting worker after current request")
TIMEOUT_RE = re.compile(r"WORKER TIMEOUT \(pid:(\d+)\)")
FAULT_RE = re.compile(r"Fatal Python error: (.+)")
EXITING_RE = re.compile(r"\[INFO\] Worker exiting \(pid: (\d+)\)")  # gunicorn's, in every worker that ends
LEFT_RE = re.compile(r"Worker leaving without interpreter finalisation \(pid: (\d+), code: (\d+)\)")  # the hook's
COLLECTOR_RE = re.compile(r"Worker collecting garbage between requests only \(pid: (\d+)\)")  # post_worker_init's


def database_url() -> str:
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{DATABASE}"


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


@dataclass
class SoakData:
    """Who the clients are and what they open."""

    plan_id: int
    people: list[Person]  # the lead first, then the owners, then the viewer
    admin: Person  # who downloads exports and board packs


def prepare(env: dict, actions: int) -> SoakData:
    """The force-sized database on PostgreSQL, migrated as a deployment is, with its people."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    from sqlalchemy import select, update

    from app import create_app
    from app.extensions import db
    from app.models import Action, Role, User, action_owner
    from bench import database, workbook
    from config import Config

    class SoakConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url()
        SECRET_KEY = env["SECRET_KEY"]
        PASSWORD_HASH_FAST = True  # the people are made here; the server hashes and checks with real costs

    app = create_app(SoakConfig)
    with app.app_context():
        data = database.build(workbook.build(actions))
        viewer = database.make_user("viewer@bench.police.uk", "Bench Viewer", "viewer")
        db.session.commit()
        action_ids = list(db.session.scalars(select(Action.id).where(Action.plan_id == data.plan_id)))
        # Enrolling used up the current authenticator code; the clients sign in with it once more.
        db.session.execute(update(User).values(totp_last_step=None))
        db.session.commit()
        people = []
        lead = db.session.scalar(select(User).where(User.email == data.lead_email))
        people.append(Person("lead", lead.email, database.PASSWORD, [data.plan_id], action_ids, lead.totp_secret))
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        owned = db.session.execute(select(User.email, action_owner.c.action_id).join(action_owner)).all()
        by_owner: dict[str, list[int]] = {}
        for email, action_id in owned:
            by_owner.setdefault(email, []).append(action_id)
        for email in sorted(by_owner):
            people.append(Person("owner", email, database.PASSWORD, [data.plan_id], by_owner[email]))
        people.append(Person("viewer", viewer.email, database.PASSWORD, [data.plan_id], action_ids))
        admin_person = Person("admin", admin.email, database.PASSWORD, [data.plan_id], [], admin.totp_secret)
        db.engine.dispose()
    return SoakData(data.plan_id, people, admin_person)


class SoakClient(Client):
    """One person: the pages of their role, owners' updates and the lead's decisions."""

    decided: list[int]

    def __post_init__(self):
        super().__post_init__()
        self.decided = []  # actions on which the server said the lead's decision was saved

    def one_step(self, number: int) -> None:
        person, rng = self.person, self.rng
        plan_id, action_id = person.plan_ids[0], rng.choice(person.action_ids)
        views = {
            "plans": "/plans",
            "plan page": f"/plans/{plan_id}",
            "plan page, filtered": f"/plans/{plan_id}?rag=red&only=stale",
            "plan page, searched": f"/plans/{plan_id}?q=Sentinel",
            "action page": f"/actions/{action_id}",
            "dashboard": f"/plans/{plan_id}/dashboard",
            "traceability PCC": "/links/PCC",
            "traceability NS": "/links/NS",
        }
        if person.role == "owner":
            views["my actions"] = "/my-actions"
            if rng.random() < 0.3:
                self.add_update(action_id, number)
                return
        if person.role == "lead":
            views["review queue"] = f"/plans/{plan_id}/review"
            if rng.random() < 0.3:
                self.decide(action_id)
                return
        page = rng.choice(list(views))
        self.get(page, views[page])

    def decide(self, action_id: int) -> None:
        form_page = self.get("decide page", f"/actions/{action_id}/decide")
        version = re.search(r'name="version"[^>]*value="(\d+)"', form_page)
        if version is None:
            raise Unexpected(f"no decision form on action {action_id}")
        form = {"rag": self.rng.choice(["red", "amber", "green"]), "reason": DECISION_REASON}
        status, _, where = self.post(
            "decide", f"/actions/{action_id}/decide", {**form, "version": version.group(1)}, form_page
        )
        if status == 302 and where.endswith("/review"):
            self.decided.append(action_id)
        elif status != 409:  # an owner's update moved the action on since the page was read: the lead is told
            raise Unexpected(f"decision on action {action_id}: {status} to {where}")


@dataclass
class Downloads:
    """Exports and board packs, one at a time, every `every` seconds: the way the PCC office and the lead use them."""

    client: Client
    plan_id: int
    every: float
    board_pack: bool = False
    done: Counter = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def run_until(self, deadline: float) -> None:
        kinds = [
            ("export, PCC copy", f"/plans/{self.plan_id}/export.xlsx?audience=pcc"),
            ("export, internal copy", f"/plans/{self.plan_id}/export.xlsx?audience=internal"),
        ]
        if self.board_pack:
            kinds.append(("board pack PDF", f"/plans/{self.plan_id}/board-pack.pdf?audience=internal"))
        turn = 0
        next_at = time.monotonic() + self.every / 2
        while True:
            now = time.monotonic()
            if next_at >= deadline:
                return
            if now < next_at:
                time.sleep(min(next_at - now, 1.0))
                continue
            name, path = kinds[turn % len(kinds)]
            turn += 1
            started = time.perf_counter()
            try:
                self.download(name, path)
                self.done[name] += 1
                self.seconds.setdefault(name, []).append(time.perf_counter() - started)
            except Unexpected as error:
                self.client.errors.append(str(error))
            next_at = max(time.monotonic(), next_at + self.every)

    def download(self, name: str, path: str) -> None:
        """The file, at once for a small plan; for a large one, the job's page until it is ready, then the file."""
        status, _, where = self.client.request(name, "GET", path)
        if status == 200:
            return
        if status != 302 or not where.startswith("/exports/"):
            raise Unexpected(f"GET {path}: {status} to {where}")
        given_up = time.monotonic() + 600
        while True:
            page = self.client.get("export progress page", where)
            if "Your export is ready" in page:
                break
            if "The export failed" in page or time.monotonic() > given_up:
                raise Unexpected(f"export job {where}: failed or not done in 600 s")
            time.sleep(3)  # as the page checks every 3 s
        self.client.get(f"{name}, file", f"{where}/file")


@dataclass
class WorkerLog:
    """What gunicorn's log says about its workers."""

    booted: list[int]
    recycled: list[int]  # workers that reached --max-requests and stopped themselves: asked for
    signalled: list[tuple[int, str]]
    exited: list[tuple[int, int]]
    timed_out: list[int]
    faults: list[str]
    exiting: list[int]  # workers that reached the end of their run (gunicorn logs it before worker_exit)
    left: list[tuple[int, int]]  # workers that then left with os._exit (gunicorn.conf.py), with their exit code
    collecting: list[int] = field(default_factory=list)  # workers whose collector runs between requests only

    @classmethod
    def read(cls, text: str) -> "WorkerLog":
        return cls(
            booted=[int(pid) for pid in BOOTED_RE.findall(text)],
            recycled=[int(pid) for pid in RECYCLED_RE.findall(text)],
            signalled=[(int(pid), name) for pid, name in SIGNALLED_RE.findall(text)],
            exited=[(int(pid), int(code)) for pid, code in EXITED_RE.findall(text)],
            timed_out=[int(pid) for pid in TIMEOUT_RE.findall(text)],
            faults=FAULT_RE.findall(text),
            exiting=[int(pid) for pid in EXITING_RE.findall(text)],
            left=[(int(pid), int(code)) for pid, code in LEFT_RE.findall(text)],
            collecting=[int(pid) for pid in COLLECTOR_RE.findall(text)],
        )

    def unrequested_exits(self, workers: int) -> list[str]:
        """Every worker that ended other than by the stop at the end, as one line each."""
        why: dict[int, list[str]] = {}
        for pid in self.timed_out:
            why.setdefault(pid, []).append("timed out")
        for pid, name in self.signalled:
            if name != "SIGTERM":
                why.setdefault(pid, []).append(f"was sent {name}")
        for pid, code in self.exited:
            why.setdefault(pid, []).append(f"exited with code {code}")
        problems = [f"worker {pid} {' and '.join(reasons)}" for pid, reasons in why.items()]
        if len(self.booted) - workers > len(problems) + len(self.recycled):
            problems.append(f"{len(self.booted)} workers booted for {workers}: replaced workers not accounted for")
        return problems

    def through_finalisation(self) -> list[str]:
        """Every worker that ended without gunicorn.conf.py's worker_exit taking it out with os._exit."""
        left = {pid for pid, _ in self.left}
        return [
            f"worker {pid} ended through the interpreter's finalisation (gunicorn.conf.py's worker_exit not in effect)"
            for pid in self.exiting
            if pid not in left
        ]

    def without_the_collector_setting(self) -> list[str]:
        """Every worker that served (it came to its end) without saying that its automatic collector was off
        (gunicorn.conf.py's post_worker_init): the setting that keeps the collector out of CPython's own code."""
        collecting = set(self.collecting)
        return [
            f"worker {pid} ran with the automatic garbage collector (gunicorn.conf.py's post_worker_init not in effect)"
            for pid in self.exiting
            if pid not in collecting
        ]

    def exits_by_kind(self) -> str:
        """How the workers that ended did so, for the soak's figures."""
        recycled = [pid for pid in self.exiting if pid in set(self.recycled)]  # one may crash in its last requests
        stopped = [pid for pid in self.exiting if pid not in set(self.recycled)]
        finalised = len(self.through_finalisation())
        return (
            f"{len(self.exiting)} came to their end ({len(recycled)} recycled after --max-requests, {len(stopped)} "
            f"stopped at the end): {len(self.left)} left without finalisation (os._exit), {finalised} through it"
        )


def start_gunicorn(port: int, args, env: dict, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--worker-class", args.worker_class, "--timeout", str(args.timeout), "--log-level", "info"]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    if args.max_requests:
        command += ["--max-requests", str(args.max_requests), "--max-requests-jitter", str(args.max_requests // 4)]
    if args.preload:
        command.append("--preload")
    server = subprocess.Popen(
        [*command, "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 30 seconds")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def saved_in_database(env: dict) -> tuple[list[str], Counter]:
    """The soak's updates (texts) and the lead's decisions (how many per action) that the database holds."""
    from sqlalchemy import create_engine, select

    from app.models import RagChange, Update

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        texts = list(connection.scalars(select(Update.text).where(Update.text.like("Load test: %"))))
        decisions = Counter(connection.scalars(select(RagChange.action_id).where(RagChange.reason == DECISION_REASON)))
    engine.dispose()
    return texts, decisions


def answers_by_status(samples: list) -> str:
    """How many answers of each status, and for any but 200 what was asked. A 302 is how the tracker answers a
    saved update or decision and the start of an export job (the soak does not follow the redirect), so the 302s
    are the writes and the exports, not pages sent elsewhere: a GET answered other than 200 is an error."""
    statuses = Counter(s.status for s in samples)
    parts = []
    for status in sorted(statuses):
        pages = Counter(s.page for s in samples if s.status == status)
        detail = "" if status == 200 else " (" + ", ".join(f"{page} {n}" for page, n in sorted(pages.items())) + ")"
        parts.append(f"{status or 'no answer'} {statuses[status]}{detail}")
    return "; ".join(parts)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--preload", action="store_true", help="load the app in the master before forking")
    parser.add_argument("--max-requests", type=int, default=0, help="recycle workers after about this many requests")
    parser.add_argument("--timeout", type=int, default=30, help="gunicorn's worker timeout (its default)")
    parser.add_argument("--clients", type=int, default=8, help="signed-in people at once (1 lead, 1 viewer, owners)")
    parser.add_argument("--downloads-every", type=float, default=60, help="seconds between exports or board packs")
    parser.add_argument("--board-pack", action="store_true", help="download the board pack PDF in turn with exports")
    parser.add_argument("--log", type=Path, help="where gunicorn's log goes (default: a temporary file)")
    args = parser.parse_args()

    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "FLASK_APP": "wsgi",
            "PYTHONFAULTHANDLER": "1",  # a worker that crashes prints its Python stack to gunicorn's log
            "RATELIMIT_STORAGE_URI": os.environ.get("SOAK_RATELIMIT_STORAGE_URI", "memory://"),
        }
    )
    env.pop("FLASK_CONFIG", None)  # production cookies are Secure: they would not come back over http
    started_at = datetime.now(UTC)
    print(f"Preparing the database {DATABASE}: {args.actions:,} actions, 50,000 updates", flush=True)
    recreate_database()
    data = prepare(env, args.actions)
    lead, *owners_and_viewer = data.people
    owners = [p for p in owners_and_viewer if p.role == "owner"]
    viewer = next(p for p in owners_and_viewer if p.role == "viewer")
    people = [lead, viewer, *owners[: max(0, args.clients - 2)]]

    port = free_port()
    log_path = args.log or Path(tempfile.mkstemp(prefix="soak-gunicorn-", suffix=".log")[1])
    with open(log_path, "w") as log:
        server = start_gunicorn(port, args, env, log)
        try:
            rng = random.Random(18)
            clients = [SoakClient(person, port, random.Random(rng.random())) for person in people]
            exporter = Client(data.admin, port, random.Random(1))
            exporter.connection.timeout = 10 * args.timeout
            for client in [*clients, exporter]:
                client.sign_in()
            downloads = Downloads(exporter, data.plan_id, args.downloads_every, args.board_pack)
            print(
                f"{len(clients)} clients signed in ({', '.join(sorted({c.person.role for c in clients}))}) and one "
                f"downloading every {args.downloads_every:.0f} s; running for {args.seconds:.0f} s",
                flush=True,
            )
            began = time.monotonic()
            deadline = began + args.seconds
            runners = [*clients, downloads]
            threads = [threading.Thread(target=r.run_until, args=(deadline,), daemon=True) for r in runners]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=args.seconds + 20 * args.timeout)
            elapsed = time.monotonic() - began
        finally:
            os.kill(server.pid, signal.SIGTERM)  # the one stop by request: workers get SIGTERM from the master
            server.wait(timeout=120)
    workers = WorkerLog.read(log_path.read_text(errors="replace"))
    problems = workers.unrequested_exits(args.workers) + workers.through_finalisation()
    problems += workers.without_the_collector_setting()
    everyone = [*clients, exporter]
    samples = [s for c in everyone for s in c.samples if s.page != "sign in"]
    errors = [error for c in everyone for error in c.errors]
    texts, decisions = saved_in_database(env)
    saved = [text for c in clients for text in c.saved]
    decided = Counter(a for c in clients for a in c.decided)
    lost_updates = sorted(set(saved) - set(texts))
    lost_decisions = sorted(a for a in decided if decisions[a] < decided[a])
    pages = Counter(s.page for s in samples)
    lines = [
        f"Soak {started_at:%-d %B %Y %H:%M} UTC on {cpu()} (CPython {platform.python_version()}): "
        f"{elapsed:.0f} s, {len(clients)} clients and a downloader, gunicorn {args.workers} {args.worker_class} "
        f"workers{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}"
        f"{' (preloaded)' if args.preload else ''}, PostgreSQL, {args.actions:,} actions",
        "",
        "| what | requests | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
    ]
    for page in sorted(pages):
        times = [s.seconds * 1000 for s in samples if s.page == page]
        lines.append(f"| {page} | {len(times)} | {percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} |")
    lines += [
        f"| **all** | {len(samples)} | {percentile([s.seconds * 1000 for s in samples], 0.5):.0f} "
        f"| {percentile([s.seconds * 1000 for s in samples], 0.95):.0f} |",
        "",
        f"Requests: {len(samples)} ({len(samples) / elapsed:.1f} a second); errors: {len(errors)}",
        f"Answers: {answers_by_status(samples)}",
        f"Updates: {len(saved)} saved, {len(lost_updates)} lost; decisions: {sum(decided.values())} saved, "
        f"{len(lost_decisions)} lost",
        "Downloads (asked for to file in hand): "
        + (
            "; ".join(
                f"{name} {len(times)}, median {sorted(times)[len(times) // 2]:.0f} s, longest {max(times):.0f} s"
                for name, times in sorted(downloads.seconds.items())
            )
            or "none"
        ),
        f"Workers: {len(workers.booted)} booted for {args.workers}; {workers.exits_by_kind()}; "
        f"ended other than by request or through finalisation: {len(problems)}",
        f"gunicorn's log: {log_path}",
    ]
    print("\n".join(lines), flush=True)
    for line in [*problems, *workers.faults, *errors[:20]]:
        print(f"  {line}", file=sys.stderr)
    failed = problems or errors or lost_updates or lost_decisions
    print("FAILED" if failed else "PASSED", flush=True)
    return 1 if failed else 0


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()} x {os.cpu_count()}"
    return platform.machine()


if __name__ == "__main__":
    sys.exit(main())
