"""SQL statements built once a process, for the pages drawn afresh after every write.

A page drawn afresh builds each of its statements again: the expression objects, then the cache key by which
SQLAlchemy finds the statement's compiled form. For the dashboard's three lists that cost as much CPU as running
them (docs/performance.md, seventh round). A statement does not change once built, SQLAlchemy keeps the key it
worked out on the statement itself, and a statement may be run again in any session, so one built from the same
values can serve again. What it reads is always read afresh: only the statement is kept, never a result (that is
app/services/data_version.py's work).

`kept(key, build)` gives the statement `build()` made for the same key in this app (an app has one database, so
one dialect). As with data_version.cached, the key names the statement and holds every value `build()` reads from
outside: ids, dates, what the reader may see, the limits. Keep only statements built from a few such values (a
plan, a day, a flag), never one that embeds a list of ids an earlier statement found: those would fill the store
with statements used once.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app

T = TypeVar("T")

MAX_STATEMENTS = 256  # statements kept per app (per worker process); the least recently used goes first


class StatementStore:
    """Statements by key, for one app."""

    def __init__(self, max_entries: int = MAX_STATEMENTS):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        statement = build()  # outside the lock: two threads may build the same one, and either serves
        with self._lock:
            self._entries[key] = statement
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return statement

    def __len__(self) -> int:
        return len(self._entries)


def init_app(app: Flask) -> None:
    app.extensions["statements"] = StatementStore()


def kept(key: tuple, build: Callable[[], T]) -> T:
    """build(), or the statement it gave for the same key before in this app."""
    store = current_app.extensions.get("statements")
    if store is None:
        return build()
    return store.get(key, build)
