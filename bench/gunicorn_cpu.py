"""gunicorn settings for bench/page_cpu.py: each worker writes the CPU it spent on each request to a file.

`pre_request` and `post_request` run in the worker around the whole request (the view, the template, writing
the response), so the difference in time.process_time() is the worker's CPU for that page: steadier than wall
time on a shared machine, and it leaves out the database server's own work and any time spent waiting.

With PAGE_PROFILE_DIR set (bench/page_cpu.py --profile DIR), each request is also run under cProfile and its
statistics are written to that folder, one file a request (`<pid>-<n>.prof`, with the path in `index.tsv`).
cProfile slows every Python call, so the CPU figures of a profiled run are not the page's: read its files for
where the time goes, and take the figures from a run without it.

With PAGE_CPU_AFRESH set (bench/page_cpu.py --afresh), the worker keeps nothing between requests (PAGE_CACHE
off): every page is drawn as it is on the first request after somebody writes.
"""

import os
import time

_log = None
_profiled = 0


def post_worker_init(worker):
    if os.environ.get("PAGE_CPU_AFRESH"):
        worker.wsgi.config["PAGE_CACHE"] = False


def pre_request(worker, req):
    if os.environ.get("PAGE_PROFILE_DIR"):
        import cProfile

        worker.bench_profile = cProfile.Profile(time.process_time)  # CPU, as the figures: not waits
        worker.bench_profile.enable()
    worker.bench_cpu, worker.bench_wall = time.process_time(), time.perf_counter()


def post_request(worker, req, environ, resp):
    global _log, _profiled
    cpu_ms = (time.process_time() - worker.bench_cpu) * 1000
    wall_ms = (time.perf_counter() - worker.bench_wall) * 1000
    path = req.path + (f"?{req.query}" if req.query else "")
    profile = getattr(worker, "bench_profile", None)
    if profile is not None:
        profile.disable()
        worker.bench_profile = None
        folder = os.environ["PAGE_PROFILE_DIR"]
        _profiled += 1
        name = f"{os.getpid()}-{_profiled}.prof"
        profile.dump_stats(os.path.join(folder, name))
        with open(os.path.join(folder, "index.tsv"), "a") as index:
            index.write(f"{name}\t{req.method}\t{path}\t{resp.status_code}\n")
    if _log is None:
        _log = open(os.environ["PAGE_CPU_LOG"], "a", buffering=1)  # noqa: SIM115 (one line a request, kept open)
    _log.write(f"{os.getpid()}\t{req.method}\t{path}\t{resp.status_code}\t{cpu_ms:.3f}\t{wall_ms:.3f}\n")
