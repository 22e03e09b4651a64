"""The suite never touches a database that is not its own: not DATABASE_URL's, not one without _test."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import suite_database_problem

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        "postgresql+psycopg://postgres@127.0.0.1:5432/tracker",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test_tracker",
        "sqlite:////var/lib/tracker/tracker.db",
    ],
)
def test_a_database_not_named_test_is_refused(url):
    assert "ends in _test" in suite_database_problem(url)


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://postgres@127.0.0.1:5432/tracker_test", "sqlite:////tmp/tracker_test.db"]
)
def test_a_database_named_test_is_the_suites_own(url):
    assert suite_database_problem(url) is None


def _pytest(*args, env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_the_suite_refuses_to_start_on_a_database_that_is_not_its_own():
    env = {**os.environ, "TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"}
    run = _pytest("--collect-only", "tests/test_passwords.py", env=env)
    assert run.returncode != 0
    assert "only runs on one whose name ends in _test" in run.stdout + run.stderr


def test_database_url_is_never_touched_by_the_suite(tmp_path):
    """A deployer's DATABASE_URL is set, as the README tells them: the suite runs and the data is still there."""
    deployment = tmp_path / "tracker.db"
    with sqlite3.connect(deployment) as connection:
        connection.execute("CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT)")
        connection.execute("INSERT INTO user (email) VALUES ('lead@example.police.uk')")
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{deployment}"
    run = _pytest("tests/test_foundation.py", "-k", "migrations_match or append_only", env=env)
    assert run.returncode == 0, run.stdout[-2000:]
    with sqlite3.connect(deployment) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        emails = [row[0] for row in connection.execute("SELECT email FROM user")]
    assert tables == ["user"] and emails == ["lead@example.police.uk"]
