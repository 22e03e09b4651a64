"""`flask backup PATH` and `flask restore PATH [--force]` on SQLite; PostgreSQL is pointed at pg_dump.

These tests make their own SQLite files, so they mean the same when the suite runs on PostgreSQL.
"""

import sqlite3
from contextlib import closing
from datetime import date
from types import SimpleNamespace

import pytest

from app import create_app
from app.extensions import db
from app.models import Update
from app.services import backup as backup_service
from config import TestConfig
from tests.factories import make_plan, make_user


def sqlite_app(path):
    class SQLiteConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    app = create_app(SQLiteConfig)
    with app.app_context():
        db.create_all()
    return app


def rows(path, *, without_restore_events: bool = False) -> dict[str, list[tuple]]:
    """Every row of every tracker table in the SQLite file at `path` but the data version, which every commit
    moves on (app/services/data_version.py; the restore's own audit event too: see `version`)."""
    tables = {}
    with closing(sqlite3.connect(path)) as connection:
        for table in db.metadata.sorted_tables:
            found = connection.execute(f'SELECT * FROM "{table.name}" ORDER BY 1').fetchall()  # noqa: S608
            if table.name == "audit_event" and without_restore_events:
                found = [row for row in found if "database.restore" not in row]
            if table.name == "data_version":
                continue
            tables[table.name] = found
    return tables


def version(path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT version FROM data_version").fetchone()[0]


@pytest.fixture
def source(tmp_path):
    """A tracker database with people, a plan, its actions, updates and audit events."""
    path = tmp_path / "live.db"
    app = sqlite_app(path)
    with app.app_context():
        owner = make_user("owner", name="Owen Owner")
        make_user("lead")
        plan = make_plan(title="Modern Day Slavery 2025-26", actions=8, owner=owner, updates_per_action=2)
        plan.actions[0].updates.append(Update(as_at=date(2025, 7, 1), text="Zażółć <b>bold</b> 🚓", restricted=True))
        db.session.commit()
        db.engine.dispose()
    return SimpleNamespace(app=app, path=path)


def test_backup_writes_a_consistent_copy(source, tmp_path):
    target = tmp_path / "backup.db"
    result = source.app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backed up the database to {target}" in result.output
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert rows(target) == rows(source.path)
    assert len(rows(target)["update"]) == 17
    assert not (tmp_path / "backup.db.partial").exists()


def test_backup_leaves_out_a_write_still_in_progress(source, tmp_path):
    with closing(sqlite3.connect(source.path, timeout=5)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE plan SET title = 'half-written'")
        result = source.app.test_cli_runner().invoke(args=["backup", str(tmp_path / "during.db")])
        writer.commit()
    assert result.exit_code == 0, result.output
    titles = [row[0] for row in sqlite3.connect(tmp_path / "during.db").execute("SELECT title FROM plan")]
    assert titles == ["Modern Day Slavery 2025-26"]


def test_backup_never_overwrites_a_file(source, tmp_path):
    target = tmp_path / "earlier.db"
    target.write_bytes(b"an earlier backup")
    result = source.app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert target.read_bytes() == b"an earlier backup"


def test_restore_into_an_empty_database_gives_back_the_same_data(source, tmp_path):
    saved = tmp_path / "saved.db"
    assert source.app.test_cli_runner().invoke(args=["backup", str(saved)]).exit_code == 0
    fresh_path = tmp_path / "fresh.db"
    fresh = sqlite_app(fresh_path)
    result = fresh.test_cli_runner().invoke(args=["restore", str(saved)])
    assert result.exit_code == 0, result.output
    assert "Restored the database" in result.output
    assert rows(fresh_path, without_restore_events=True) == rows(source.path)
    restored = [r for r in rows(fresh_path)["audit_event"] if "database.restore" in r]
    assert len(restored) == 1  # the restore itself is on the record
    with fresh.app_context():  # and the app reads the restored data straight away
        client = fresh.test_client()
        assert client.get("/sign-in").status_code == 200
        from app.models import Plan

        assert db.session.scalar(db.select(Plan.title)) == "Modern Day Slavery 2025-26"


def test_restore_refuses_a_database_that_holds_data(source, tmp_path):
    saved = tmp_path / "saved.db"
    source.app.test_cli_runner().invoke(args=["backup", str(saved)])
    other_path = tmp_path / "other.db"
    other = sqlite_app(other_path)
    with other.app_context():
        make_user("admin", name="Somebody Else")
        db.engine.dispose()
    before = rows(other_path)
    result = other.test_cli_runner().invoke(args=["restore", str(saved)])
    assert result.exit_code != 0
    assert "already holds data. Add --force" in result.output
    assert rows(other_path) == before


def test_restore_with_force_keeps_a_copy_of_what_was_there(source, tmp_path):
    saved = tmp_path / "saved.db"
    source.app.test_cli_runner().invoke(args=["backup", str(saved)])
    other_path = tmp_path / "other.db"
    other = sqlite_app(other_path)
    with other.app_context():
        make_user("admin", name="Somebody Else")
        db.engine.dispose()
    before = rows(other_path)
    result = other.test_cli_runner().invoke(args=["restore", str(saved), "--force"])
    assert result.exit_code == 0, result.output
    assert rows(other_path, without_restore_events=True) == rows(source.path)
    assert version(other_path) > version(source.path)  # the restore is a change every worker must see
    kept = list(tmp_path.glob("other.db.before-restore-*"))
    assert len(kept) == 1 and str(kept[0]) in result.output
    assert rows(kept[0]) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"name,email\nx,y\n", "is not an SQLite database backup"), (None, "is not a backup of this tracker")],
)
def test_restore_refuses_a_file_that_is_not_a_tracker_backup(tmp_path, content, message):
    bad = tmp_path / "bad.db"
    if content is None:
        with closing(sqlite3.connect(bad)) as other:
            other.execute("CREATE TABLE recipes (name TEXT)")
    else:
        bad.write_bytes(content)
    target = sqlite_app(tmp_path / "target.db")
    result = target.test_cli_runner().invoke(args=["restore", str(bad), "--force"])
    assert result.exit_code != 0 and message in result.output


def test_postgresql_is_pointed_at_pg_dump(tmp_path):
    postgres = SimpleNamespace(dialect=SimpleNamespace(name="postgresql"))
    with pytest.raises(backup_service.BackupError, match="pg_dump"):
        backup_service.backup(postgres, tmp_path / "x.db")
    with pytest.raises(backup_service.BackupError, match="pg_restore"):
        backup_service.restore(postgres, tmp_path / "x.db")


def test_cli_on_the_suites_own_database_either_backs_up_or_points_at_pg_dump(app_context, app, runner, tmp_path):
    make_user("owner")
    result = runner.invoke(args=["backup", str(tmp_path / "suite.db")])
    if db.engine.dialect.name == "postgresql":
        assert result.exit_code != 0 and "pg_dump" in result.output
    else:
        assert result.exit_code == 0 and (tmp_path / "suite.db").exists()
