"""Database engine settings that the models cannot express."""

from flask import Flask
from sqlalchemy import event

from app.extensions import db


def init_app(app: Flask) -> None:
    from app.services import data_version, statements

    data_version.init_app(app)  # every transaction that writes bumps the data version (app/services/data_version.py)
    statements.init_app(app)  # statements built once an app (app/services/statements.py)
    busy_timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            in_memory = engine.url.database in (None, "", ":memory:")
            event.listen(engine, "connect", _sqlite_pragmas(busy_timeout, wal=not in_memory))


def _sqlite_pragmas(busy_timeout_ms: int, wal: bool):
    def on_connect(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers carry on while one writer writes; the busy timeout makes a second writer wait.
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys unless asked
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect
