"""gunicorn.conf.py's collector settings: in a worker the cyclic garbage collector runs between requests only
(docs/operations.md, "The fourth hunt").

The reproduction is the worker crashes of issue #18 as the second hunt's core showed one (the same frames), made
to happen every time: SQLAlchemy closing a session stores `InstanceState._strong_obj` on a state whose attributes
are still in the values array beside the object and whose class's shared keys have no room for that name, so
CPython 3.11 makes the state a dict of its own; a collection that starts in that allocation frees the state's
object (garbage in a cycle) and runs the state's weakref callback `_cleanup`, which stores the same attribute, so
that a second dict is made over the same values array and frees it. The script below only decides when a
collection falls due (in that store) and what is garbage by then (the cycle); the rest is SQLAlchemy's own code.
Each run is a fresh interpreter with Python's debug allocator, which fills freed memory so that a use of it crashes."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "gunicorn.conf.py"

SCRIPT = textwrap.dedent(
    """
    import gc, logging, os, runpy, sys
    from sqlalchemy import create_engine, inspect, insert, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
    from sqlalchemy.orm import state as statelib

    hooks = runpy.run_path(sys.argv[1])
    with_settings = sys.argv[2] == "shipped"

    class Worker:
        pid = os.getpid()
        log = logging.getLogger("worker")

    class Base(DeclarativeBase):
        pass

    class Node(Base):
        __tablename__ = "node"
        id: Mapped[int] = mapped_column(primary_key=True)

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(Node), [{"id": i} for i in range(1, 60)])
    gc.collect()
    gc.set_threshold(10**9)  # no collection falls due until the store below
    if with_settings:
        hooks["post_worker_init"](Worker())

    # A worker's first requests make dozens of states; the class's shared attribute keys are settled after some
    # 30 (each new object takes one slot of room), and a name first stored later no longer fits.
    earlier = list(Session(engine).scalars(select(Node).where(Node.id > 2)))
    for number, node in enumerate(earlier[:5]):
        setattr(inspect(node), f"earlier{number}", 1)

    session = Session(engine)
    a, b = session.get(Node, 1), session.get(Node, 2)
    a.other, b.other = b, a  # a cycle: garbage once dropped, freed only by the collector
    state = inspect(a)
    held = [a]
    del a, b
    STORE = next(n for n, line in enumerate(open(statelib.__file__), 1) if line.strip() == "state._strong_obj = None")
    reached, hoard = [], []

    def tracer(frame, event, arg):
        if frame.f_code is not statelib.InstanceState._detach_states.__func__.__code__:
            return None
        if event == "line" and frame.f_lineno == STORE and frame.f_locals["state"] is state and held:
            reached.append(True)
            hoard.extend({} for _ in range(100))  # no dict left on the free list: the next comes from the allocator
            held.clear()  # the cycle is garbage now
            gc.set_threshold(1)  # and the next allocation would start a collection
        return tracer

    sys.settrace(tracer)
    session.close()
    sys.settrace(None)
    assert reached, "the store in _detach_states was not reached"
    print("collected in the store:", state.obj() is None, flush=True)
    hooks["post_request"](Worker(), None, {}, None)  # the end of the request
    assert state.obj() is None, "the collection after the request did not free the cycle"
    attributes = state.__dict__
    names = list(attributes)
    assert len(names) == len(set(names)) == len(attributes), names
    attributes.update({f"more{n}": n for n in range(10)})  # a resize reads every value
    assert attributes["_strong_obj"] is None and attributes["more9"] == 9
    print("state consistent", flush=True)
    """
)


def _run(tmp_path: Path, settings: str) -> subprocess.CompletedProcess:
    script = tmp_path / "close.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONMALLOC": "debug", "PYTHONFAULTHANDLER": "1"}
    return subprocess.run(
        [sys.executable, str(script), str(CONFIG), settings], capture_output=True, text=True, timeout=120, env=env
    )


def test_with_the_shipped_settings_the_collection_waits_for_the_end_of_the_request(tmp_path):
    done = _run(tmp_path, "shipped")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["collected in the store: False", "state consistent"]


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="CPython 3.12 starts the collector only between bytecodes")
def test_without_them_the_collection_in_the_store_breaks_the_state(tmp_path):
    """The test above can fail: with the automatic collector on, as Python leaves it, the same script crashes
    (or, if the freed memory is not yet reused, finds the state's attributes broken)."""
    done = _run(tmp_path, "none")
    assert done.returncode != 0
    assert "state consistent" not in done.stdout


def _hooks() -> dict:
    import runpy

    return runpy.run_path(str(CONFIG))


def test_a_worker_turns_the_automatic_collector_off_once_loaded():
    import gc
    import logging

    class Worker:
        pid = os.getpid()
        log = logging.getLogger("worker")

    was_enabled = gc.isenabled()
    try:
        gc.enable()
        _hooks()["post_worker_init"](Worker())
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()


def test_after_a_request_the_collection_due_is_run():
    import gc

    collect_if_due = _hooks()["collect_if_due"]
    thresholds, was_enabled = gc.get_threshold(), gc.isenabled()
    ran: list[int] = []

    def seen(phase, info):
        if phase == "start":
            ran.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        gc.disable()
        gc.collect()
        gc.set_threshold(50, 2, 2)
        assert collect_if_due() is None  # nothing allocated since: nothing due
        ran.clear()
        returned, kept = [], []
        for _ in range(13):
            kept.append(
                [[] for _ in range(60)]
            )  # past the youngest generation's threshold (kept: a freed one counts back)
            returned.append(collect_if_due())
        # As the interpreter would: a younger collection counts one for the next generation, which is collected
        # once its count is past its threshold (here every 4th time).
        assert returned == ran == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2]
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*thresholds)
        if was_enabled:
            gc.enable()
