"""gunicorn's settings for the tracker. gunicorn reads ./gunicorn.conf.py when started in this folder without
`-c`; the README's deployment names it (`-c gunicorn.conf.py`) so that it is read from anywhere.

Two settings: when the cyclic garbage collector runs in a worker, and how a worker ends (docs/operations.md,
"The reported SIGSEGVs").

**The collector runs between requests only.** On CPython 3.11 the collector starts inside whatever allocation
tips its count over the threshold, and runs weakref callbacks and finalizers there. One such allocation is the
dict that CPython makes when an object's attributes, held in a values array beside the object, first need a
dict of their own (a new attribute name the class's shared keys have no room for, or `__dict__`); if the
collection's callbacks store on the same object, a second dict is made over the same values array, one of them
frees it, and the other goes on using it. Closing a SQLAlchemy session can do exactly that: `_detach_states` stores
`InstanceState._strong_obj`, and the state's weakref callback `_cleanup`, run by a collection that frees the
object, stores it too; that reproduces the worker crashes of issue #18 (docs/operations.md, "The fourth hunt").
So a worker turns the automatic collector off once the app is loaded (`post_worker_init`) and runs the collection
the interpreter would have run after each request instead (`post_request`): a collection then starts only there,
in Python code, never inside CPython's own. CPython 3.12 starts the collector only between bytecodes anyway.

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

import gc
import logging
import os
import sys
import threading

# The line `make soak` (bench/soak.py) counts: every worker that ends this way says so once.
EXIT_LINE = "Worker leaving without interpreter finalisation (pid: %s, code: %s)"
# And every worker, once booted, that its collector runs between requests only.
COLLECTOR_LINE = "Worker collecting garbage between requests only (pid: %s)"


def post_worker_init(worker):
    """Called by gunicorn in the worker once the app is loaded, before the first request: the automatic
    collector off (see the module's docstring). The app's own pauses (app/services/gc_pause.py) leave it off."""
    gc.disable()
    worker.log.info(COLLECTOR_LINE, worker.pid)


def post_request(worker, req, environ, resp):
    """Called by gunicorn in the thread that answered a request, after the answer is sent."""
    collect_if_due()


def collect_if_due() -> int | None:
    """The collection the interpreter would have started by itself by now: of the oldest generation whose count
    is past its threshold (the counts go on while the collector is off; a full collection does not also wait for a
    quarter more long-lived objects, as the interpreter's does). Returns that generation, or None."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return generation
    return None


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
