"""bench/database.py's force-sized data in a PostgreSQL database of its own, migrated as a deployment is.

`prepare(name, actions)` (re)creates the database `name` on the server PAGES_ADMIN_URL names (default
PostgreSQL on 127.0.0.1:5432), runs `flask db upgrade`, fills it with bench/database.py's plan of `actions`
actions and 50,000 updates (more for bigger plans: ten an action), and records what it built in a table of its
own, so that a later run with reuse=True finds the same data without building it again.
"""

import json
import os
import secrets
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("PAGES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MARKER = "bench_data"  # a table outside the tracker's models: what was built, as JSON


def url(name: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def built(name: str, actions: int):
    """The BenchData of a database built earlier at this size, or None."""
    import psycopg

    from bench.database import BenchData

    try:
        with psycopg.connect(ADMIN_URL.rsplit("/", 1)[0] + f"/{name}") as connection:
            row = connection.execute(f"SELECT data FROM {MARKER}").fetchone()
    except psycopg.Error:
        return None
    data = BenchData(**json.loads(row[0])) if row else None
    return data if data and data.actions == actions else None


def recreate(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(name: str, actions: int, reuse: bool = True, say=print):
    """The database `name` holding a plan of `actions` actions; its BenchData."""
    if reuse and (data := built(name, actions)):
        say(f"Reusing {name}: {data.actions:,} actions, {data.updates:,} updates")
        return data
    from bench import database, workbook

    say(f"Building {name}: a {actions:,}-action plan on PostgreSQL")
    recreate(name)
    env = {**os.environ, "DATABASE_URL": url(name), "SECRET_KEY": secrets.token_urlsafe(48), "FLASK_APP": "wsgi"}
    env.pop("FLASK_CONFIG", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    app = make_app(name)
    with app.app_context():
        from app.extensions import db

        updates = max(database.UPDATES, actions * 10)
        data = database.build(workbook.build(actions), updates=updates)
        db.session.execute(db.text(f"CREATE TABLE {MARKER} (data text)"))
        db.session.execute(db.text(f"INSERT INTO {MARKER} VALUES (:data)"), {"data": json.dumps(asdict(data))})
        db.session.commit()
        db.engine.dispose()
    import psycopg

    # As autovacuum would leave a settled database: statistics, and the visibility map for index-only scans.
    with psycopg.connect(ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return data


def make_app(name: str):
    from app import create_app
    from config import Config

    class PagesConfig(Config):
        SQLALCHEMY_DATABASE_URI = url(name)
        SECRET_KEY = secrets.token_hex(32)
        PASSWORD_HASH_FAST = True

    return create_app(PagesConfig)
