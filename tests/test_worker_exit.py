"""gunicorn.conf.py's worker_exit: a worker that ends leaves with os._exit and its own exit code, after its threads
and database connections are done with, and never runs the interpreter's finalisation (docs/operations.md).

Whether finalisation ran is seen by an atexit function the worker registers when it boots: Python runs atexit
functions at the start of finalisation, os._exit never does."""

import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "gunicorn.conf.py"
EXIT_RE = re.compile(r"Worker leaving without interpreter finalisation \(pid: (\d+), code: (\d+)\)")
BOOTED_RE = re.compile(r"Booting worker with pid: (\d+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _probe_config(folder: Path, with_hook: bool) -> Path:
    """The shipped settings (or none), plus a post_worker_init that marks finalisation in the worker."""
    shipped = f"globals().update(runpy.run_path({str(CONFIG)!r}))" if with_hook else ""
    probe = folder / "probe.conf.py"
    probe.write_text(
        textwrap.dedent(
            f"""
            import atexit, os, runpy
            {shipped}

            def post_worker_init(worker):
                path = os.environ["FINALISED_FILE"]
                atexit.register(lambda: open(path, "a").write(f"{{os.getpid()}}\\n"))
            """
        )
    )
    return probe


def _serve_and_recycle(tmp_path: Path, worker_class: str, with_hook: bool) -> tuple[str, list[int], set[int]]:
    """gunicorn with one worker that is recycled after 2 requests; returns its log, the workers booted and the
    workers that ran finalisation."""
    port, finalised = _free_port(), tmp_path / "finalised"
    env = {**os.environ, "SECRET_KEY": "s" * 40, "FINALISED_FILE": str(finalised)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'g.db'}"
    command = [sys.executable, "-m", "gunicorn", "-c", str(_probe_config(tmp_path, with_hook)), "-w", "1"]
    command += ["-b", f"127.0.0.1:{port}", "--worker-class", worker_class, "--max-requests", "2"]
    if worker_class == "gthread":
        command += ["--threads", "2"]  # with sync, more than one thread would make it gthread
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([*command, "--log-level", "info", "wsgi:app"], cwd=ROOT, env=env, stderr=log)
        try:
            answered, deadline = 0, time.monotonic() + 120
            # Exactly two requests to the first worker, which then recycles. No request is sent while its
            # replacement boots: on a loaded machine one sent then would wait in the listen queue and reach the
            # replacement, and the final request would be its second, recycling it too. A request that fails
            # before it is sent (the server not yet listening) is tried again; the wait for an answer is long.
            while time.monotonic() < deadline and answered < 2:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=60) as answer:
                        answered += answer.status == 200
                except urllib.error.URLError as refused:
                    if not isinstance(refused.reason, ConnectionRefusedError):
                        raise
                    time.sleep(0.1)
            while time.monotonic() < deadline and len(BOOTED_RE.findall(log_path.read_text())) < 2:
                time.sleep(0.1)
            # Then one request, which the replacement must answer.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=60) as answer:
                assert answer.status == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log_path.read_text()
    marks = {int(line) for line in finalised.read_text().split()} if finalised.exists() else set()
    return text, [int(pid) for pid in BOOTED_RE.findall(text)], marks


@pytest.mark.parametrize("worker_class", ["gthread", "sync"])
def test_a_recycled_worker_and_a_stopped_one_leave_without_finalisation(tmp_path, worker_class):
    log, booted, finalised = _serve_and_recycle(tmp_path, worker_class, with_hook=True)
    assert len(booted) == 2, log  # the first worker, recycled after 2 requests, and its replacement
    assert "Autorestarting worker after current request" in log
    # Both left through the hook with code 0: the recycled one and the one the master stopped at the end.
    assert sorted((int(pid), int(code)) for pid, code in EXIT_RE.findall(log)) == [(pid, 0) for pid in sorted(booted)]
    assert finalised == set(), "a worker ran the interpreter's finalisation"
    assert "exited with code" not in log and "was sent SIGSEGV" not in log and "Traceback" not in log


def test_without_the_hook_the_probe_sees_finalisation(tmp_path):
    """The check above can fail: a worker that ends the ordinary way runs its atexit functions."""
    log, booted, finalised = _serve_and_recycle(tmp_path, "gthread", with_hook=False)
    assert len(booted) == 2, log
    assert not EXIT_RE.search(log)
    assert finalised == set(booted)


def _run_hook(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    """The hook in a process of its own, called as gunicorn calls it: in a `finally` while the worker's
    SystemExit is raised. An atexit function prints "finalised" if the interpreter is finalised."""
    script = tmp_path / "hook.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import atexit, logging, os, runpy, sys
            hooks = runpy.run_path({str(CONFIG)!r})
            atexit.register(lambda: print("finalised", flush=True))
            logging.basicConfig(level=logging.INFO, stream=sys.stderr)

            class Worker:
                pid = os.getpid()
                log = logging.getLogger("worker")

            worker = Worker()
            """
        )
        + textwrap.dedent(body)
    )
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("exit_with, code", [("sys.exit(0)", 0), ("sys.exit()", 0), ("sys.exit(3)", 3)])
def test_the_hook_leaves_with_the_workers_own_exit_code(tmp_path, exit_with, code):
    """3 and 4 are how a worker tells the master it could not boot: the master stops instead of starting another."""
    done = _run_hook(tmp_path, f"try:\n    {exit_with}\nfinally:\n    hooks['worker_exit'](None, worker)\n")
    assert done.returncode == code
    assert "finalised" not in done.stdout
    assert f"code: {code})" in done.stderr


def test_the_hook_waits_for_the_workers_threads(tmp_path):
    """A request still being answered on another thread is finished before the worker leaves."""
    done = _run_hook(
        tmp_path,
        """
        import threading, time
        threading.Thread(target=lambda: (time.sleep(0.5), print("request answered", flush=True))).start()
        try:
            sys.exit(0)
        finally:
            hooks['worker_exit'](None, worker)
        """,
    )
    assert done.returncode == 0
    assert done.stdout == "request answered\n"


def test_the_hook_leaves_other_exits_and_the_master_alone(tmp_path):
    """No SystemExit being raised (a later gunicorn calling the hook another way), or the master calling it for a
    worker that was already gone: the hook does nothing and Python ends the usual way."""
    done = _run_hook(
        tmp_path,
        """
        hooks['worker_exit'](None, worker)
        worker.pid = os.getpid() + 1
        try:
            sys.exit(0)
        finally:
            hooks['worker_exit'](None, worker)
        """,
    )
    assert done.returncode == 0
    assert done.stdout == "finalised\n"
    assert "without interpreter finalisation" not in done.stderr
