"""Whole-plan counts kept between requests, for as long as nothing in the database has changed.

The plans page, the dashboard, the review queue and the traceability pages count over every action of a plan
(or of every plan) on each request. Those counts change only when data does, so each process keeps them, keyed
by what they were computed from and by the database's *data version*: one row (table data_version) whose number
changes in every transaction that writes anything.

The number is bumped on the database connection itself, whatever wrote (the ORM, Core statements, text SQL):
a listener notes that a transaction sent an INSERT, UPDATE, DELETE or the like, and as that transaction
commits, its last statement before COMMIT is the bump. So the number and the data it stands for become visible
to other sessions together, and a rollback leaves both as they were. Taking the row's lock last, just before
COMMIT, means no transaction waits for anything while it holds it (no deadlock; writers queue only for the
commit itself). Every worker process reads the number from the database, so a write in any process, by any
session, makes every process's kept counts stale at once.

Rules for what is kept (`cached`):
- the version is read before anything the value is computed from, so a kept value is never older than the
  version it is kept under; whatever the computation takes from outside the database reads made inside it
  (a plan's interval, today's date, who is reading) is part of the key;
- the key says what the reader may see (restricted updates in or out, withheld links in or out): one person's
  counts are never shown to someone who may see less;
- values are plain data (numbers, dates, ids, tuples), never ORM objects, and callers must not change them;
- nothing is kept from a session that has written and not committed (its own changes are not anyone else's).

Writes made outside the tracker's code (psql, another program) must bump the number too:
`UPDATE data_version SET version = version + 1` in the same transaction.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from app.extensions import db
from app.services.transactions import holds_changes

T = TypeVar("T")

WROTE = "data_version: this transaction wrote"  # in the DBAPI connection's info while a transaction has written
OFF = "data_version: not bumped"  # set by the migrations (before 0014 there is no table to bump)
SESSION_VERSION = "data_version: the version this transaction read"
MAX_ENTRIES = 512  # kept values per process; the least recently used goes first
_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY")


def bump_statement() -> str:
    """The upsert that moves the number on (and creates the row, at a random start, when it is missing: a row
    deleted and made again never comes back at a number a process has kept values under)."""
    start = secrets.randbits(62)
    return (
        f"INSERT INTO data_version (id, version) VALUES (1, {start}) "
        "ON CONFLICT (id) DO UPDATE SET version = data_version.version + 1"
    )


def _note_write(conn: Connection, cursor, statement: str, parameters, context, executemany: bool) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        conn.info[WROTE] = True
    elif statement.lstrip()[:8].upper().startswith(_WRITES):
        conn.info[WROTE] = True


def _bump_before_commit(conn: Connection) -> None:
    info = conn.info
    if info.pop(WROTE, False) and not info.get(OFF):
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(bump_statement())
        finally:
            cursor.close()


def _forget_write(conn: Connection) -> None:
    conn.info.pop(WROTE, None)


def _forget_on_reset(dbapi_connection, connection_record, reset_state=None) -> None:
    connection_record.info.pop(WROTE, None)


def watch(engine: Engine) -> None:
    """Bump the data version in every transaction on this engine that writes."""
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _bump_before_commit)
    event.listen(engine, "rollback", _forget_write)
    event.listen(engine, "reset", _forget_on_reset)


class VersionedCache:
    """Values by key, each with the data version it was computed at; one per app (per worker process)."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._newest = 0  # the newest version a value was kept at
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: int) -> tuple[bool, Any]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                self.misses += 1
                return False, None
            self._entries.move_to_end(key)
            self.hits += 1
            return True, entry[1]

    def put(self, key: Hashable, version: int, value: Any) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > version:
                return  # a newer value is kept already (versions only grow)
            if version > self._newest:
                # Values of an older version are never read again once a newer one has been seen (a request reads
                # the version first): let them go now, so that a worker does not hold up to MAX_ENTRIES dead pages.
                self._newest = version
                stale = [kept_key for kept_key, (kept_at, _) in self._entries.items() if kept_at < version]
                for kept_key in stale:
                    del self._entries[kept_key]
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def init_app(app: Flask) -> None:
    app.extensions["data_version_cache"] = VersionedCache()
    with app.app_context():
        watch(db.engine)


def _cache() -> VersionedCache | None:
    if not current_app.config.get("PAGE_CACHE", True):
        return None
    return current_app.extensions.get("data_version_cache")


def current() -> int | None:
    """The data version as this session's transaction sees it (read once a transaction), or None when there is
    no row yet (nothing has been written since the table was made) or the session has written and not committed:
    then nothing is kept."""
    session = db.session
    if holds_changes(session) or session.connection().info.get(WROTE):
        return None
    if SESSION_VERSION in session.info:
        return session.info[SESSION_VERSION]
    version = session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar()
    session.info[SESSION_VERSION] = version
    return version


def cached(key: tuple, compute: Callable[[], T]) -> T:
    """compute(), or the value it gave for the same key at the current data version in this process."""
    cache = _cache()
    version = current() if cache is not None else None
    if cache is None or version is None:
        return compute()
    found, value = cache.get(key, version)
    if found:
        return value
    value = compute()
    cache.put(key, version, value)
    return value


@event.listens_for(Session, "after_begin")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_version(session: Session, *args) -> None:
    """The next transaction reads the version again."""
    session.info.pop(SESSION_VERSION, None)


def bump_if_present(connection: Connection) -> None:
    """Bump the version on this connection when the table exists (the migrations' last step: data a migration
    changed is new to every process)."""
    from sqlalchemy import inspect

    if inspect(connection).has_table("data_version"):
        connection.exec_driver_sql(bump_statement())
