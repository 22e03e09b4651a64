"""Backing up and restoring the tracker's database from the command line.

SQLite (the laptop default) uses SQLite's online backup API, which copies a consistent snapshot even
while the app is serving people. PostgreSQL has its own tools, `pg_dump` and `pg_restore`, which do
this better than the app could; the commands say so rather than make a worse copy.
"""

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection

from app.extensions import db
from app.services.audit import trail as audit
from app.services.errors import ServiceError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_ADVICE = (
    "This database is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=tracker.dump "
    '"$DATABASE_URL", and restore with pg_restore --clean --if-exists --dbname="$DATABASE_URL" tracker.dump'
)


class BackupError(ServiceError):
    """A backup or restore that cannot be done, with what to do instead."""


def _require_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        raise BackupError(PG_DUMP_ADVICE if engine.dialect.name == "postgresql" else "Only SQLite can be copied here")
    if engine.url.database in (None, "", ":memory:"):
        raise BackupError("The database is in memory only: there is no file to back up or restore")


def _database_file(engine: Engine) -> str:
    """The SQLite file's name (`_require_sqlite` has refused an engine without one)."""
    assert engine.url.database, "checked by _require_sqlite"
    return engine.url.database


def _sqlite_connection(raw: PoolProxiedConnection) -> sqlite3.Connection:
    """The sqlite3 connection under SQLAlchemy's pooled one (the engine is SQLite: `_require_sqlite`)."""
    connection = raw.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def backup(engine: Engine, path: str | os.PathLike) -> int:
    """Write a consistent copy of the database to `path` (a new file); returns its size in bytes.

    The copy is written beside the target and renamed into place, so a half-written backup never
    carries the backup's name.
    """
    _require_sqlite(engine)
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} already exists. Choose a new file name so that no earlier backup is lost")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(partial) as copy:
            _sqlite_connection(raw).backup(copy)
        copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        raw.close()
    os.replace(partial, target)
    return target.stat().st_size


def is_empty(engine: Engine) -> bool:
    """True when no table of the tracker holds a row (a database just made by `flask db upgrade`)."""
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in existing and connection.execute(select(1).select_from(table).limit(1)).first():
                return False
    return True


def _check_backup_file(path: Path) -> None:
    with path.open("rb") as file:
        if file.read(16) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not an SQLite database backup")
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as source:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is damaged: SQLite's integrity check failed")
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    source.close()
    missing = {t.name for t in db.metadata.sorted_tables} - tables
    if missing:
        raise BackupError(f"{path} is not a backup of this tracker (no {', '.join(sorted(missing))} table)")


def restore(engine: Engine, path: str | os.PathLike, *, force: bool = False) -> Path | None:
    """Replace the database with the backup at `path`.

    Refuses to overwrite a database that holds data unless `force`; then a copy of what was there is
    kept first, beside the database, and its path returned. Stop the web app while restoring.
    """
    _require_sqlite(engine)
    source_path = Path(path)
    _check_backup_file(source_path)
    kept = None
    if not is_empty(engine):
        if not force:
            raise BackupError("The database already holds data. Add --force to replace it (a copy is kept first)")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        database = Path(_database_file(engine))
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        backup(engine, kept)
    engine.dispose()  # no pooled connection keeps reading the old pages
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(source_path) as source:
            source.backup(_sqlite_connection(raw))
        source.close()
    finally:
        raw.close()
    engine.dispose()
    audit.record("database.restore", user=None, detail=f"restored from {source_path.name}", actor="cli")
    db.session.commit()
    return kept
