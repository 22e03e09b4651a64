"""The worker crashes of issue #18 without gunicorn: the app served in-process from several threads (as a gthread
worker serves it), over the soak's pages of its 5,000-action plan, in one fresh interpreter after another, with
the collector run far more often than usual, Python's debug allocator (freed memory filled, so that a use of it
crashes rather than reads stale data) and faulthandler. Each process loads wsgi.py, signs its people in, serves
--requests pages from --threads threads and leaves with os._exit; a process that dies of a signal is a crash.

  python bench/gc_threads.py --database crash_soak --processes 20 --mode automatic
  python bench/gc_threads.py --database crash_soak --processes 20 --mode between-requests

--mode automatic is the collector as Python runs it (started inside whichever allocation tips its count over
the threshold); between-requests is gunicorn.conf.py's setting (the automatic collector off, the collection that
is due run after each request, in the thread that answered it). The database is one `make soak` filled
(SOAK_DATABASE=NAME make soak, or bench/soak.py --seconds 1): PostgreSQL on 127.0.0.1. Not part of `make test`.
Results are in docs/operations.md, "The fourth hunt"."""

import argparse
import collections
import os
import random
import runpy
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(args) -> None:
    os.environ["DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("SECRET_KEY", "gc-threads-" + "s" * 40)
    os.environ["RATELIMIT_STORAGE_URI"] = "memory://"
    os.environ.pop("FLASK_CONFIG", None)
    sys.path.insert(0, str(ROOT))
    import gc

    import flask
    from sqlalchemy import select

    import wsgi  # as a gunicorn worker loads it: the app, then gc.freeze()
    from app.auth.signing_in import start_session
    from app.extensions import db
    from app.models import Action, Plan, User, action_owner

    app = wsgi.app
    app.config["WTF_CSRF_ENABLED"] = False
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    with app.app_context():
        plan_id = db.session.scalar(select(Plan.id).join(Action).group_by(Plan.id).order_by(db.func.count().desc()))
        action_ids = list(db.session.scalars(select(Action.id).where(Action.plan_id == plan_id)))
        owners = list(db.session.scalars(select(User).join(action_owner).distinct().order_by(User.id)))
        lead = db.session.scalar(select(User).where(User.role == "lead").order_by(User.id))
        viewer = db.session.scalar(select(User).where(User.role == "viewer").order_by(User.id))
        people = [lead, viewer, *owners][: args.threads]
        owned = {
            user.id: list(db.session.scalars(select(action_owner.c.action_id).where(action_owner.c.user_id == user.id)))
            for user in people
        }
        db.session.remove()
    clients = []
    for user in people:
        client = app.test_client()
        with app.test_request_context(environ_base=client.environ_base):
            start_session(db.session.merge(user))
            signed_in = dict(flask.session)
            db.session.remove()
        with client.session_transaction() as session:
            session.update(signed_in)
            session.permanent = True
        clients.append((client, user.role, owned[user.id]))
    gc.set_threshold(args.threshold, 2, 2)
    if args.mode == "between-requests":
        hooks["post_worker_init"](type("Worker", (), {"pid": os.getpid(), "log": _Log()})())
    statuses: collections.Counter = collections.Counter()
    left = [args.requests]
    lock = threading.Lock()

    def serve(client, role: str, mine: list[int], rng: random.Random) -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            action_id = rng.choice(mine or action_ids)
            pages = [
                "/plans",
                f"/plans/{plan_id}",
                f"/plans/{plan_id}?rag=red&only=stale",
                f"/plans/{plan_id}?q=Sentinel",
                f"/actions/{action_id}",
                f"/plans/{plan_id}/dashboard",
                "/links/PCC",
                "/links/NS",
            ]
            if role == "owner":
                pages.append("/my-actions")
            if role == "lead":
                pages += [f"/plans/{plan_id}/review", f"/actions/{action_id}/decide"]
            answer = client.get(rng.choice(pages))
            answer.close()
            with lock:
                statuses[answer.status_code] += 1
            if args.mode == "between-requests":
                hooks["post_request"](None, None, {}, answer)

    import resource

    cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    threads = [
        threading.Thread(target=serve, args=(client, role, mine, random.Random(n)))
        for n, (client, role, mine) in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ms = int((usage.ru_utime + usage.ru_stime - cpu_before) * 1000)
    answers = " ".join(f"{status}:{n}" for status, n in sorted(statuses.items()))
    print(answers, f"peak_kb:{usage.ru_maxrss}", f"cpu_ms:{cpu_ms}", flush=True)
    sys.stdout.flush()
    os._exit(0)


class _Log:
    def info(self, *args) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL database that make soak filled")
    parser.add_argument("--mode", choices=["automatic", "between-requests"], required=True)
    parser.add_argument("--processes", type=int, default=10)
    parser.add_argument("--requests", type=int, default=60, help="pages each process serves")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--threshold", type=int, default=100, help="the youngest generation's threshold")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    env = {**os.environ, "PYTHONMALLOC": "debug", "PYTHONFAULTHANDLER": "1"}
    command = [sys.executable, __file__, "--child", "--database", args.database, "--mode", args.mode]
    command += ["--requests", str(args.requests), "--threads", str(args.threads), "--threshold", str(args.threshold)]
    crashes, answered, peaks, cpu, began = [], collections.Counter(), [], [], time.monotonic()
    for number in range(1, args.processes + 1):
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
        last = done.stdout.strip().splitlines()[-1:] or [""]
        if done.returncode != 0:
            fault = [line for line in done.stderr.splitlines() if line.startswith(("Fatal Python error", "  File"))]
            crashes.append((number, done.returncode, fault[:12]))
        else:
            for part in last[0].split():
                status, n = part.split(":")
                if status == "peak_kb":
                    peaks.append(int(n))
                elif status == "cpu_ms":
                    cpu.append(int(n) / args.requests)
                else:
                    answered[int(status)] += int(n)
        print(f"process {number}: exit {done.returncode} {last[0]}", flush=True)
    print(
        f"{args.processes} processes x {args.requests} pages, {args.threads} threads, mode {args.mode}, "
        f"threshold {args.threshold}: {len(crashes)} crashed; answered {dict(sorted(answered.items()))}; "
        f"{time.monotonic() - began:.0f} s; peak memory of a process: median "
        f"{sorted(peaks)[len(peaks) // 2] // 1024 if peaks else 0} MB, largest {max(peaks, default=0) // 1024} MB; "
        "CPU a page "
        f"(the process's CPU while serving, over its pages) median {sorted(cpu)[len(cpu) // 2] if cpu else 0:.0f} ms"
    )
    for number, code, fault in crashes:
        print(f"  process {number} exit {code}")
        for line in fault:
            print(f"    {line}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
