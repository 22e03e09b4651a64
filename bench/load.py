"""`make load`: the tracker under 20 people at once, on gunicorn (2 workers) and PostgreSQL, for 30 seconds.

`make load LOAD_SIZE=5000 LOAD_CLIENTS=50` (or --actions, --clients) runs it at a whole force's size instead:
bench/database.py's plan of 5,000 actions and 50,000 updates, and 50 people.

1. (Re)creates the PostgreSQL database `load` (LOAD_DATABASE to name another), migrates it with `flask db
   upgrade` and loads the demo plan and users with `flask demo`, or with --actions the force-sized data; adds
   load users: owners (no second factor: it is optional for them) who each own a few actions, leads who each
   lead one plan (an authenticator app enrolled with a known key, whose codes the clients type with pyotp),
   and viewers.
2. Starts gunicorn on 127.0.0.1 with 2 workers, which share their sign-in counts in Redis on 127.0.0.1:6379 (as
   production must; LOAD_RATELIMIT_STORAGE_URI to use another); each client signs in once (the throttle is
   never near).
3. Runs the clients for the given time with no pause between requests: page views (plans, plan page, action
   page, dashboard, my actions, review queue) and owners posting updates with the CSRF token and the action's
   version read from the form.
4. Reports requests per second, p50/p95 latency per page and errors; then counts the updates in the database.
   Exits non-zero on any 5xx, any other unexpected answer, or an update the server said it saved that is
   not in the database (or one in the database that nobody saved).

Loopback only; the database server is PostgreSQL on 127.0.0.1:5432 unless LOAD_ADMIN_URL says otherwise.
"""

import argparse
import os
import random
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from load_client import Client, Person, Unexpected  # noqa: E402  (bench/ is the script's own folder)

ADMIN_URL = os.environ.get("LOAD_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("LOAD_DATABASE", "load")
PASSWORD = "load-test-password-4P"
OWNED_EACH = 20  # at a force's size, the actions each load owner owns (each action has two of them)


def database_url() -> str:
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{DATABASE}"


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def flask(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)


def seed(args) -> list[Person]:
    """Load users on the demo plans; returns the people the clients play."""
    import pyotp

    from app import create_app
    from app.extensions import db
    from app.models import Action, Plan
    from app.services.accounts import second_factor, users

    people: list[Person] = []
    app = create_app()
    big = None
    with app.app_context():
        if args.actions:
            from bench import database, workbook

            print(f"Building the force-sized data: {args.actions:,} actions, 50,000 updates", flush=True)
            big = database.build(workbook.build(args.actions)).plan_id
        plans = list(db.session.scalars(db.select(Plan).order_by(Plan.id)))
        if args.actions:  # the big plan first: the first lead leads it, and the owners own its actions
            plans.sort(key=lambda plan: plan.id != big)
        actions = list(db.session.scalars(db.select(Action).order_by(Action.id)))
        plan_ids, action_ids = [p.id for p in plans], [a.id for a in actions]
        # At a force's size each owner has a few actions of the big plan, as on the demo each has a few of all.
        owned = [a for a in actions if a.plan_id == big][: args.owners * OWNED_EACH // 2] if args.actions else actions
        for i in range(args.owners):
            owner = users.create_user(
                f"load-owner-{i}@example.police.uk", f"Load Owner {i}", "owner", PASSWORD, by=None
            )
            # Each action has two owners, so some of them write on the same action at the same time.
            mine = [a for n, a in enumerate(owned) if n % args.owners in (i, (i + 1) % args.owners)]
            for action in mine:
                action.owners.append(owner)
            their_plans = sorted({a.plan_id for a in mine}) if args.actions else plan_ids
            people.append(Person("owner", owner.email, PASSWORD, their_plans, [a.id for a in mine]))
        for i in range(args.leads):
            lead = users.create_user(f"load-lead-{i}@example.police.uk", f"Load Lead {i}", "lead", PASSWORD, by=None)
            secret = pyotp.random_base32()
            second_factor.enable(lead, secret, pyotp.TOTP(secret).now())
            lead.totp_last_step = None  # the client signs in with a code of this same 30 s step: let it
            plan = plans[i % len(plans)]
            plan.lead_user = lead
            mine = [a.id for a in actions if a.plan_id == plan.id]
            people.append(Person("lead", lead.email, PASSWORD, [plan.id], mine, totp_secret=secret))
        for i in range(args.viewers):
            viewer = users.create_user(
                f"load-viewer-{i}@example.police.uk", f"Load Viewer {i}", "viewer", PASSWORD, by=None
            )
            people.append(Person("viewer", viewer.email, PASSWORD, plan_ids, action_ids))
        if args.actions:
            print(f"{len(actions):,} actions in {len(plans)} plans", flush=True)
        db.session.commit()
        db.engine.dispose()
    return people


def updates_in_database() -> list[str]:
    from app import create_app
    from app.extensions import db
    from app.models import Update

    app = create_app()
    with app.app_context():
        texts = list(db.session.scalars(db.select(Update.text).where(Update.text.like("Load test: %"))))
        db.engine.dispose()
    return texts


def start_gunicorn(
    port: int, workers: int, env: dict, log, checkout: Path = ROOT, settings: list[str] = ()
) -> subprocess.Popen:
    """gunicorn on loopback serving the tracker in `checkout`, with any further command-line `settings`
    (`--preload`, `--worker-class gthread --threads 4`, …); its output (the app's security log of every sign-in)
    goes to `log`."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, *settings, "--log-level", "warning", "wsgi:app"],
        cwd=checkout,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 20 seconds")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far; 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime and stime, the 14th and 15th fields


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def machine_busy() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since it started, every core summed (/proc/stat)."""
    values = [int(v) / TICKS for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


class CpuMeter:
    """Who spent the machine's CPU during the run: the gunicorn workers, the PostgreSQL sessions of the load
    database, this process (the clients), and everything else on the machine (other people's work included).

    Read from /proc before and after; a PostgreSQL session that ended during the run is missed (the pool keeps
    them open). Linux only: elsewhere every figure is 0.
    """

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def _database_pids(self) -> list[int]:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DATABASE]).fetchall()
        return [pid for (pid,) in rows]

    def _read(self) -> dict:
        workers = children(self.server_pid)
        database = self._database_pids()
        return {
            "workers": {pid: process_cpu(pid) for pid in workers},
            "database": {pid: process_cpu(pid) for pid in database},
            "clients": time.process_time(),
            "machine": machine_busy(),
        }

    def start(self) -> None:
        self.before = self._read()
        self.started = time.monotonic()

    def stop(self) -> None:
        self.after = self._read()
        self.seconds = time.monotonic() - self.started

    def spent(self) -> dict[str, float]:
        """CPU seconds of each part during the run."""
        before, after = self.before, self.after
        parts = {
            name: sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items())
            for name in ("workers", "database")
        }
        parts["clients"] = after["clients"] - before["clients"]
        busy = after["machine"][0] - before["machine"][0]
        parts["everything else"] = max(busy - sum(parts.values()), 0.0)
        parts["machine"] = busy
        return parts

    def lines(self, requests: int) -> list[str]:
        spent = self.spent()
        cores = os.cpu_count() or 1
        lines = [
            "",
            f"| CPU during the run | seconds | share of {cores} cores | ms a request |",
            "|---|---:|---:|---:|",
        ]
        for name, seconds in spent.items():
            share = seconds / (self.seconds * cores) * 100
            lines.append(f"| {name} | {seconds:.1f} | {share:.0f}% | {seconds * 1000 / max(requests, 1):.1f} |")
        served = spent["workers"] + spent["database"]
        if served > 0 and requests:
            lines.append(
                f"\nThe server's CPU a request (workers and PostgreSQL) is {served * 1000 / requests:.1f} ms: "
                f"{cores} cores doing nothing else would serve at most {cores * requests / served:.0f} requests a "
                "second of this mix."
            )
        return lines


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(clients: list[Client], seconds: float, args) -> list[str]:
    samples = [s for c in clients for s in c.samples if s.page != "sign in"]
    lines = [
        f"{len(clients)} clients ({args.owners} owners, {args.leads} leads, {args.viewers} viewers) for "
        f"{seconds:.0f} s on gunicorn ({args.workers} workers{', ' + args.gunicorn if args.gunicorn else ''}) and "
        "PostgreSQL"
        + ("" if args.checkout.resolve() == ROOT else f", serving {args.checkout}")
        + (f", a plan of {args.actions:,} actions" if args.actions else ", the demo plans"),
        "",
        f"| {'page':<13} | requests | p50 ms | p95 ms |",
        "|---------------|---------:|-------:|-------:|",
    ]
    for page in sorted({s.page for s in samples}) + ["all"]:
        times = [s.seconds * 1000 for s in samples if page in ("all", s.page)]
        name = f"**{page}**" if page == "all" else page
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        lines.append(f"| {name:<13} | {len(times):>8} | {p50:>6.0f} | {p95:>6.0f} |")
    mean = statistics.mean(s.seconds for s in samples) * 1000
    lines += ["", f"Requests per second: {len(samples) / seconds:.1f} (mean latency {mean:.0f} ms)"]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--actions",
        type=int,
        default=int(os.environ.get("LOAD_SIZE") or 0),
        help="a plan of this many actions and 50,000 updates (bench/database.py) instead of the demo plans",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=int(os.environ.get("LOAD_CLIENTS") or 20),
        help="people at once: two leads, three fifths of the rest owners, the others viewers (default 20)",
    )
    parser.add_argument("--owners", type=int, help="owners, instead of the share of --clients")
    parser.add_argument("--leads", type=int, default=2)
    parser.add_argument("--viewers", type=int, help="viewers, instead of the share of --clients")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--gunicorn",
        default=os.environ.get("LOAD_GUNICORN", ""),
        help='more gunicorn settings, as on its command line (e.g. "--preload", "--worker-class gthread --threads 4")',
    )
    parser.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="serve another checkout of the tracker (the code before a change) on the data this one prepares",
    )
    args = parser.parse_args()
    others = max(args.clients - args.leads, 0)
    if args.owners is None:
        args.owners = round(others * 0.6) if args.viewers is None else max(others - args.viewers, 0)
    if args.viewers is None:
        args.viewers = max(others - args.owners, 0)

    url = database_url()
    # The workers count sign-in failures in one shared Redis, as production must (a key prefix of the run's own).
    redis_url = os.environ.get("LOAD_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    os.environ.update(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "FLASK_APP": "wsgi",
            "RATELIMIT_STORAGE_URI": redis_url,
        }
    )
    os.environ.pop("FLASK_CONFIG", None)  # production cookies are Secure: they would not come back over http
    env = dict(os.environ)
    print(f"Preparing the database {DATABASE}: create, migrate, demo plans and users", flush=True)
    recreate_database()
    flask("db", "upgrade", env=env)
    if not args.actions:
        flask("demo", env=env)
    people = seed(args)
    if args.actions:  # a settled database, as autovacuum leaves one: statistics and the visibility map
        import psycopg

        with psycopg.connect(ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}", autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")

    port = int(os.environ.get("LOAD_PORT") or 0) or free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="load-gunicorn-", suffix=".log", delete=False)
    server = start_gunicorn(port, args.workers, env, log, args.checkout.resolve(), shlex.split(args.gunicorn))
    try:
        rng = random.Random(4)
        clients = [Client(person, port, random.Random(rng.random())) for person in people]
        for client in clients:
            client.sign_in()
        print(f"{len(clients)} clients signed in; running for {args.seconds:.0f} s", flush=True)
        meter = CpuMeter(server.pid)
        load_before = os.getloadavg()
        meter.start()
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=c.run_until, args=(deadline,), daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - started
        meter.stop()
    except Unexpected as error:
        print(f"FAILED before the run: {error}", file=sys.stderr)
        return 1
    finally:
        server.terminate()
        server.wait(timeout=30)

    lines = report(clients, elapsed, args)
    lines += meter.lines(sum(1 for c in clients for s in c.samples if s.page != "sign in"))
    load_after = os.getloadavg()
    lines.append(
        f"Load average: {load_before[0]:.1f} (1 min) / {load_before[1]:.1f} (5 min) as the run began, "
        f"{load_after[0]:.1f} / {load_after[1]:.1f} at its end, on {os.cpu_count()} CPUs"
    )
    saved = [text for c in clients for text in c.saved]
    stored = updates_in_database()
    errors = [error for c in clients for error in c.errors]
    server_errors = [s for c in clients for s in c.samples if s.status >= 500]
    lost, unexpected = sorted(set(saved) - set(stored)), sorted(set(stored) - set(saved))
    lines += [
        f"Updates: {len(saved)} saved, {sum(c.conflicts for c in clients)} refused as conflicts (the writer is "
        f"told and keeps the text); {len(stored)} in the database, {len(lost)} lost",
        f"Errors: {len(errors)} ({len(server_errors)} server errors)",
    ]
    print("\n".join(lines))
    print(f"gunicorn's output: {log.name}")
    for error in errors[:20]:
        print(f"  {error}", file=sys.stderr)
    if lost or unexpected or len(stored) != len(saved):
        print(f"FAILED: updates lost {lost[:5]} or not sent by anyone {unexpected[:5]}", file=sys.stderr)
    failed = bool(errors or server_errors or lost or unexpected or len(stored) != len(saved))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
