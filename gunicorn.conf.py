"""gunicorn's settings for the tracker. gunicorn reads ./gunicorn.conf.py when started in this folder without
`-c`; the README's deployment names it (`-c gunicorn.conf.py`) so that it is read from anywhere.

Only one setting: how a worker ends (docs/operations.md, "A worker's exit").

A worker ends when it has served `--max-requests`, when the master stops or replaces it, or when it cannot boot.
Python would then finalise the interpreter: join the threads, run the atexit functions, tear down every module
and run the cyclic garbage collector over what is left of the app and its C extensions (SQLAlchemy's Cython
modules, psycopg, MarkupSafe, lxml, numpy, PIL, cffi), objects half torn down by then. One worker recycled after
`--max-requests` died there with SIGSEGV, faulthandler showing the collector and no Python frame, after its last
request had been answered. Nothing of that teardown is needed by a process that is leaving: the kernel frees its
memory and closes its files. So the worker does what finalisation would have done that matters to anyone
else (its threads finish what they are doing, the database gets its connections closed properly, the logs are
written out) and then leaves with `os._exit` and the exit code it was leaving with, which the master reads as
before (3 and 4 still say a worker could not boot).
"""

import logging
import os
import sys
import threading

# The line `make soak` (bench/soak.py) counts: every worker that ends this way says so once.
EXIT_LINE = "Worker leaving without interpreter finalisation (pid: %s, code: %s)"


def worker_exit(server, worker):
    """Called by gunicorn in the worker as it ends, from the `finally` around the worker's run, while the
    SystemExit that ends it is being raised (and by the master for a worker it found already gone: nothing to do).
    Anything other than a SystemExit with a number (or none) is left to Python's own exit."""
    if worker.pid != os.getpid():
        return
    leaving = sys.exc_info()[1]
    if not isinstance(leaving, SystemExit) or not isinstance(leaving.code, int | None):
        return
    code = leaving.code or 0
    end_threads(worker)
    close_database(worker)
    worker.log.info(EXIT_LINE, worker.pid, code)
    logging.shutdown()  # flushes and closes every log handler, gunicorn's own included
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def end_threads(worker) -> None:
    """Let the request threads finish, as the interpreter would before finalising: gthread's pool (gunicorn has
    shut it down without waiting), and any other thread that is not a daemon."""
    pool = getattr(worker, "tpool", None)
    if pool is not None:
        pool.shutdown(wait=True)
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()


def close_database(worker) -> None:
    """Close the pooled database connections, so PostgreSQL sees each session end rather than a dropped socket.
    A worker that never loaded the app (it could not boot) has none."""
    app = getattr(worker, "wsgi", None)
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is None:
        return
    try:
        with app.app_context():
            for engine in extension.engines.values():
                engine.dispose()
    except Exception:  # leaving anyway: the kernel closes the sockets
        worker.log.warning("Worker %s: the database connections could not be closed", worker.pid, exc_info=True)
