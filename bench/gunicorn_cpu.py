"""gunicorn settings for bench/page_cpu.py: each worker writes the CPU it spent on each request to a file.

`pre_request` and `post_request` run in the worker around the whole request (the view, the template, writing
the response), so the difference in time.process_time() is the worker's CPU for that page: steadier than wall
time on a shared machine, and it leaves out the database server's own work and any time spent waiting.
"""

import os
import time

_log = None


def pre_request(worker, req):
    worker.bench_cpu, worker.bench_wall = time.process_time(), time.perf_counter()


def post_request(worker, req, environ, resp):
    global _log
    cpu_ms = (time.process_time() - worker.bench_cpu) * 1000
    wall_ms = (time.perf_counter() - worker.bench_wall) * 1000
    if _log is None:
        _log = open(os.environ["PAGE_CPU_LOG"], "a", buffering=1)  # noqa: SIM115 (one line a request, kept open)
    path = req.path + (f"?{req.query}" if req.query else "")
    _log.write(f"{os.getpid()}\t{req.method}\t{path}\t{resp.status_code}\t{cpu_ms:.3f}\t{wall_ms:.3f}\n")
