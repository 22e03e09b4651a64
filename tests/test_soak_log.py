"""`make soak` fails on any worker that ends other than by request: its reading of gunicorn's log of its workers
(bench/soak.py WorkerLog), on lines as gunicorn 27 writes them."""

from bench.soak import WorkerLog

BOOT = "[2026-12-02 04:39:27 +0000] [{pid}] [INFO] Booting worker with pid: {pid}"
START = [BOOT.format(pid=101), BOOT.format(pid=102)]
STOP = [
    "[2026-12-02 04:44:00 +0000] [100] [INFO] Handling signal: term",
    "[2026-12-02 04:44:00 +0000] [101] [INFO] Worker exiting (pid: 101)",
    "[2026-12-02 04:44:00 +0000] [102] [INFO] Worker exiting (pid: 102)",
    "[2026-12-02 04:44:01 +0000] [100] [INFO] Worker (pid:101) was sent SIGTERM!",
    "[2026-12-02 04:44:01 +0000] [100] [INFO] Shutting down: Master",
]


def exits(lines: list[str], workers: int = 2) -> list[str]:
    return WorkerLog.read("\n".join(lines)).unrequested_exits(workers)


def test_a_run_whose_workers_only_stop_at_the_end_passes():
    assert exits([*START, *STOP]) == []


def test_a_worker_that_crashed_fails_the_soak_with_its_signal():
    crash = [
        "Fatal Python error: Segmentation fault",
        "[2026-12-02 04:39:52 +0000] [100] [WARNING] Worker (pid:101) was sent SIGSEGV!",
        BOOT.format(pid=103),
    ]
    log = WorkerLog.read("\n".join([*START, *crash, *STOP]))
    assert log.unrequested_exits(2) == ["worker 101 was sent SIGSEGV"]
    assert log.faults == ["Segmentation fault"]


def test_a_worker_killed_for_its_timeout_is_named_once():
    timeout = [
        "[2026-12-02 05:02:30 +0000] [100] [CRITICAL] WORKER TIMEOUT (pid:101)",
        "[2026-12-02 05:02:31 +0000] [100] [ERROR] Worker (pid:101) was sent SIGKILL! Perhaps out of memory?",
        BOOT.format(pid=103),
    ]
    assert exits([*START, *timeout, *STOP]) == ["worker 101 timed out and was sent SIGKILL"]


def test_a_worker_that_exited_with_an_error_code_fails_the_soak():
    failed = ["[2026-12-02 05:02:31 +0000] [100] [ERROR] Worker (pid:102) exited with code 1.", BOOT.format(pid=103)]
    assert exits([*START, *failed, *STOP]) == ["worker 102 exited with code 1"]


def test_workers_recycled_after_max_requests_are_asked_for_but_an_unexplained_replacement_is_not():
    recycled = [
        "[2026-12-02 04:39:48 +0000] [101] [INFO] Autorestarting worker after current request.",
        "[2026-12-02 04:39:51 +0000] [101] [INFO] Worker exiting (pid: 101)",
        BOOT.format(pid=103),
    ]
    assert exits([*START, *recycled, *STOP]) == []
    assert exits([*START, *recycled, BOOT.format(pid=104), *STOP]) == [
        "4 workers booted for 2: replaced workers not accounted for"
    ]


def left(pid: int, code: int = 0) -> str:
    """gunicorn.conf.py's worker_exit, as the worker leaves with os._exit."""
    line = f"Worker leaving without interpreter finalisation (pid: {pid}, code: {code})"
    return f"[2026-12-02 04:44:00 +0000] [{pid}] [INFO] {line}"


def test_workers_that_leave_through_the_shipped_worker_exit_are_counted_by_kind():
    recycled = [
        "[2026-12-02 04:39:48 +0000] [101] [INFO] Autorestarting worker after current request.",
        "[2026-12-02 04:39:51 +0000] [101] [INFO] Worker exiting (pid: 101)",
        left(101),
        BOOT.format(pid=103),
    ]
    stop = [STOP[0], STOP[2], left(102), "[2026-12-02 04:44:00 +0000] [103] [INFO] Worker exiting (pid: 103)"]
    log = WorkerLog.read("\n".join([*START, *recycled, *stop, left(103), *STOP[3:]]))
    assert log.unrequested_exits(2) == []
    assert log.through_finalisation() == []
    assert log.left == [(101, 0), (102, 0), (103, 0)]
    assert log.exits_by_kind() == (
        "3 came to their end (1 recycled after --max-requests, 2 stopped at the end): "
        "3 left without finalisation (os._exit), 0 through it"
    )


def test_a_worker_that_ended_through_finalisation_is_named():
    """gunicorn.conf.py not in effect: the soak would not be testing what the tracker ships."""
    log = WorkerLog.read("\n".join([*START, *STOP[:3], left(101), *STOP[3:]]))
    assert log.through_finalisation() == [
        "worker 102 ended through the interpreter's finalisation (gunicorn.conf.py's worker_exit not in effect)"
    ]
    assert log.exits_by_kind().endswith("1 left without finalisation (os._exit), 1 through it")


def test_the_crash_at_a_recycled_workers_exit_fails_the_soak_twice_over():
    """As it was seen once: a gthread worker recycled after --max-requests, crashing in the collector during the
    interpreter's finalisation, after its last request."""
    crash = [
        "[2026-12-02 04:39:48 +0000] [101] [INFO] Autorestarting worker after current request.",
        "[2026-12-02 04:39:51 +0000] [101] [INFO] Worker exiting (pid: 101)",
        "Fatal Python error: Segmentation fault",
        "",
        "Current thread 0x00007f5e2a3c1740 (most recent call first):",
        "  Garbage-collecting",
        "  <no Python frame>",
        "[2026-12-02 04:39:52 +0000] [100] [WARNING] Worker (pid:101) was sent SIGSEGV!",
        BOOT.format(pid=103),
    ]
    log = WorkerLog.read("\n".join([*START, *crash, *STOP]))
    assert log.unrequested_exits(2) == ["worker 101 was sent SIGSEGV"]
    assert log.faults == ["Segmentation fault"]
    assert "worker 101 ended through the interpreter's finalisation" in log.through_finalisation()[0]


def test_a_worker_that_crashes_in_its_last_requests_is_not_counted_as_recycled():
    """gthread: "Autorestarting" is logged at the last request's start, while other threads still serve."""
    crash = [
        "[2026-12-02 08:04:30 +0000] [101] [INFO] Autorestarting worker after current request.",
        "Fatal Python error: Segmentation fault",
        "[2026-12-02 08:04:31 +0000] [100] [WARNING] Worker (pid:101) was sent SIGSEGV!",
        BOOT.format(pid=103),
    ]
    exiting = "[2026-12-02 04:44:00 +0000] [103] [INFO] Worker exiting (pid: 103)"
    log = WorkerLog.read("\n".join([*START, *crash, STOP[0], STOP[2], left(102), exiting, left(103)]))
    assert log.unrequested_exits(2) == ["worker 101 was sent SIGSEGV"]
    assert log.exits_by_kind() == (
        "2 came to their end (0 recycled after --max-requests, 2 stopped at the end): "
        "2 left without finalisation (os._exit), 0 through it"
    )


def test_a_worker_that_served_without_the_collector_setting_is_named():
    """gunicorn.conf.py's post_worker_init says, in every worker, that the automatic collector is off."""
    collecting = "[2026-12-02 04:39:30 +0000] [101] [INFO] Worker collecting garbage between requests only (pid: 101)"
    log = WorkerLog.read("\n".join([*START, collecting, *STOP[:3], left(101), left(102), *STOP[3:]]))
    assert log.collecting == [101]
    assert log.without_the_collector_setting() == [
        "worker 102 ran with the automatic garbage collector (gunicorn.conf.py's post_worker_init not in effect)"
    ]
