"""An import that dies half-way leaves the database exactly as it was: every row of every table, every plan.

The importer writes a whole workbook in one transaction. These tests stop it half-way through the rows it
writes (an exception, Ctrl-C, a lost database connection, or the process killed outright) after some of them
have already reached the database inside that transaction, and compare the database with what it held before.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Plan, User
from app.services.audit import trail as audit
from app.services.exporting.json_plan import plan_as_dict
from app.services.importing import pending as pending_imports
from app.services.importing import saving as excel_import
from app.services.importing.guard import WorkbookRejected
from app.services.importing.workbook import read_workbook
from tests.conftest import SEED_WORKBOOK
from tests.factories import make_plan, make_user
from tests.workbooks import local_plan

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(SEED_WORKBOOK).read_bytes()
SEED_NAME = Path(SEED_WORKBOOK).name


def database_state(app) -> dict:
    """Every table's rows in primary-key order, and every plan as its JSON export, read on a connection of
    its own: what another process (or the next request) sees, not this session's own uncommitted work."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            tables[table.name] = [tuple(row) for row in db.session.execute(db.select(table).order_by(*order))]
        plans = [
            json.dumps(plan_as_dict(plan, audience="internal"), sort_keys=True, default=str)
            for plan in db.session.scalars(db.select(Plan).order_by(Plan.id))
        ]
        db.session.remove()
    return {"counts": {name: len(rows) for name, rows in tables.items()}, "rows": tables, "plans": plans}


@pytest.fixture
def existing(app_context, app):
    """A tracker in use: people, a plan with updates, and the seed imported once already."""
    make_user("admin", email="admin@example.police.uk")
    make_plan(title="Serious Violence Delivery Plan", actions=6, updates_per_action=2)
    excel_import.import_workbook(local_plan(version_rows("As first written")), "earlier.xlsx")
    return app


def version_rows(words: str, links: tuple[str, str] = ("PCC 1.2.1\nNS", "Sentinel (S)")) -> list:
    """Eight actions whose text, links and commentary a second version of the file changes."""
    strands = ["Prepare", "Prevent", "Protect", "Pursue"]
    return [
        [strands[i % 4], i // 4 + 1, f"{words}: action {i}", "• How", "DCI Chisholm", f"{words}, progress {i}", link]
        for i, link in enumerate(links * 4)
    ]


class Killer:
    """Wraps a function the importer calls once a row, and raises on the call half-way through them all."""

    def __init__(self, target, name: str, error: BaseException):
        self.target, self.name, self.error = target, name, error
        self.original = getattr(target, name)
        self.calls, self.kill_at = 0, None

    def install(self, monkeypatch) -> "Killer":
        def counted(*args, **kwargs):  # a plain function, so that it binds as a method when it replaces one
            self.calls += 1
            if self.kill_at is not None and self.calls == self.kill_at:
                raise self.error
            return self.original(*args, **kwargs)

        monkeypatch.setattr(self.target, self.name, counted)
        return self

    def count_in_dry_run(self, data: bytes) -> int:
        """How many times the importer calls it for this file (a dry run writes the same rows, then rolls back)."""
        excel_import.import_workbook(data, "counting.xlsx", dry_run=True)
        total, self.calls = self.calls, 0
        return total


KILL_POINTS = {
    # half the actions of the file taken in: the plans and their objectives are already written
    "actions": lambda: (excel_import._PlanWriter, "_create_action"),
    # half the updates: new actions, links and RAG history are written, and the first plan's updates too
    "updates": lambda: (excel_import, "_update_row"),
    # the first plan's audit event written, the second's not: the last step before the commit
    "audit": lambda: (audit, "record"),
}


@pytest.mark.parametrize("where", KILL_POINTS)
def test_an_import_killed_half_way_leaves_the_database_as_it_was(existing, monkeypatch, where):
    before = database_state(existing)
    killer = Killer(*KILL_POINTS[where](), RuntimeError("killed half-way")).install(monkeypatch)
    total = killer.count_in_dry_run(SEED) if where != "audit" else 2  # one audit event per plan in the seed
    assert total >= 2
    killer.kill_at = total // 2 + 1

    with pytest.raises(RuntimeError, match="killed half-way"):
        excel_import.import_workbook(SEED, SEED_NAME)

    assert killer.calls == killer.kill_at, "the import got half-way"
    assert database_state(existing) == before
    assert db.session.scalar(db.select(db.func.count(Plan.id))) == len(before["plans"]), "this session too"


@pytest.mark.parametrize(
    "error",
    [
        KeyboardInterrupt(),
        OperationalError("INSERT INTO update", {}, ConnectionError("server closed the connection unexpectedly")),
    ],
    ids=["ctrl-c", "connection lost"],
)
def test_a_reimport_interrupted_after_changing_half_the_plan_changes_nothing(existing, monkeypatch, error):
    changed = local_plan(version_rows("As rewritten", ("PCC 1.4.3\nNS", "HMIC")))
    before = database_state(existing)
    # Links are rewritten after the old ones are deleted and the changed actions written: kill it in between.
    killer = Killer(excel_import, "_link_row", error).install(monkeypatch)
    killer.kill_at = killer.count_in_dry_run(changed) // 2 + 1

    with pytest.raises((KeyboardInterrupt, WorkbookRejected)):
        excel_import.import_workbook(changed, "rewritten.xlsx")

    assert killer.calls == killer.kill_at
    assert database_state(existing) == before  # as another process sees it
    db.session.remove()  # the request or the command ends
    assert database_state(existing) == before


def test_a_confirmed_upload_killed_half_way_keeps_the_upload_and_changes_nothing(existing, monkeypatch):
    admin = db.session.scalars(db.select(User).filter_by(email="admin@example.police.uk")).one()
    pending = pending_imports.store_upload(admin, SEED_NAME, SEED)
    before = database_state(existing)
    killer = Killer(excel_import, "_update_row", RuntimeError("killed half-way")).install(monkeypatch)
    killer.kill_at = killer.count_in_dry_run(SEED) // 2 + 1

    with pytest.raises(RuntimeError):
        pending_imports.confirm(pending, admin)

    assert database_state(existing) == before, "the upload is still there to confirm again"


CHILD = """
import os, signal, sys
from config import TestConfig
from app import create_app
from app.extensions import db
from app.models import Update
from app.services.importing import saving as excel_import

class Config(TestConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["CRASH_DATABASE_URI"]

original, calls = excel_import._update_row, []

def dying(*args):
    calls.append(1)
    if len(calls) == int(os.environ["CRASH_AT"]):
        print("updates in the transaction:", db.session.scalar(db.select(db.func.count(Update.id))), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args)

excel_import._update_row = dying
with create_app(Config).app_context():
    excel_import.import_workbook(open(sys.argv[1], "rb").read(), "seed.xlsx")
"""


def test_an_import_whose_process_is_killed_half_way_leaves_the_database_as_it_was(existing):
    before = database_state(existing)
    db.session.remove()  # nothing of this process's holds a lock while the other one writes
    updates_in_file = sum(
        len(action.updates) for plan in read_workbook(SEED, SEED_NAME).plans for action in plan.actions
    )
    environment = {
        **os.environ,
        "CRASH_DATABASE_URI": existing.config["SQLALCHEMY_DATABASE_URI"],
        "CRASH_AT": str(updates_in_file // 2 + 1),
        "PYTHONPATH": str(ROOT),
    }

    child = subprocess.run(
        [sys.executable, "-c", CHILD, SEED_WORKBOOK],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == -signal.SIGKILL, child.stderr
    written = int(child.stdout.rsplit(":", 1)[1])
    assert written > before["counts"]["update"], "the child had written updates when it died"
    assert database_state(existing) == before
