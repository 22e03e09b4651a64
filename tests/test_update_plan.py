"""Each update names its action's plan (update.plan_id, migration 0016), and a plan's latest updates are read off
the (plan_id, created_at, id) index: whatever way an update is written, and in a database made by the
migrations from one that had updates before the column."""

import os
import secrets
import subprocess
import sys
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Action, Plan, Rag, Role, Update
from app.services.actions import updating
from app.services.importing.saving import import_workbook
from app.services.reporting import dashboard
from tests.conftest import drop_suite_schema
from tests.factories import make_action, make_plan, make_user
from tests.reimporting import TITLE, plan_file, row


def _mismatched() -> list[tuple[int, int, int]]:
    """(update id, its plan_id, its action's plan) wherever the two differ."""
    return list(
        db.session.execute(
            select(Update.id, Update.plan_id, Action.plan_id)
            .join(Action, Action.id == Update.action_id)
            .where(Update.plan_id != Action.plan_id)
        )
    )


def test_every_way_of_writing_an_update_names_its_actions_plan(app_context, app):
    first = make_plan(actions=2, updates_per_action=2, title="Force Delivery Plan 2025-26")  # the factories
    second = make_plan(actions=0, title="Modern Day Slavery Local Delivery Plan")
    owner = make_user(Role.OWNER)
    action = make_action(second, updates=1, owner=owner)
    action.updates.append(Update(text="Appended to the action's list", as_at=date(2025, 7, 1)))
    db.session.add(Update(action_id=first.actions[1].id, text="Given by action id alone", as_at=date(2025, 7, 2)))
    db.session.commit()
    updating.add_update(  # an owner's update, as the form saves it
        action,
        owner,
        text="Written through the service",
        as_at=date(2025, 7, 3),
        rag=Rag.AMBER,
        seen_version=action.version,
        today=date(2025, 7, 3),
    )
    admin = make_user(Role.ADMIN, two_factor=False)
    import_workbook(plan_file([row("Pursue", 1, "Car washes", "01/05/2021 Visited two sites", rag="Amber")]), "a.xlsx")
    import_workbook(  # again, with another RAG: the file's RAG is a proposal, an update row of its own
        plan_file([row("Pursue", 1, "Car washes", "01/05/2021 Visited two sites", rag="Green")]), "a.xlsx", user=admin
    )

    db.session.expire_all()
    imported = db.session.scalars(db.select(Plan).filter_by(title=TITLE)).one()
    by_plan = dict(db.session.execute(select(Update.plan_id, func.count(Update.id)).group_by(Update.plan_id)).all())
    assert by_plan == {first.id: 5, second.id: 3, imported.id: 2}, by_plan
    proposal = db.session.scalars(db.select(Update).where(Update.rag.is_not(None), Update.source == "import")).one()
    assert proposal.plan_id == imported.id
    assert _mismatched() == []


def test_a_small_plans_latest_updates_are_its_own_beside_a_large_plans(app_context, app):
    """The dashboard's list of a plan with few, old updates, beside a plan with many newer ones."""
    small = make_plan(actions=2, updates_per_action=1, title="Public Protection Delivery Plan 2015-16")
    large = make_plan(actions=30, updates_per_action=4, title="Force-wide Public Protection Delivery Plan")
    db.session.commit()
    for include_restricted in (True, False):
        shown = dashboard._recent_updates(small, include_restricted)
        assert {u.action.plan_id for u in shown} == {small.id}
        assert [u.id for u in shown] == sorted((u.id for u in shown), reverse=True)
        assert len(shown) == 2
        assert len(dashboard._recent_updates(large, include_restricted)) == dashboard.RECENT_UPDATES


MIGRATE_WITH_HISTORY = """
import sys
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from app import create_app
from app.extensions import db
from app.migrations import wire

def refused(statement):
    try:
        with db.engine.begin() as connection:
            connection.execute(text(statement))
    except Exception as error:
        return "append-only" in str(error)
    return False

app = create_app()
wire(app)
with app.app_context():
    upgrade(revision="0015")
    with db.engine.begin() as connection:
        for plan_id in (1, 2):
            connection.execute(text(
                "INSERT INTO plan (id, title, kind, period_label, status, update_interval_days, created_at) "
                f"VALUES ({plan_id}, 'Plan {plan_id}', 'pcc', '2015-16', 'Active', 30, CURRENT_TIMESTAMP)"))
        for action_id, plan_id in ((1, 1), (2, 2), (3, 2)):
            connection.execute(text(
                "INSERT INTO action (id, plan_id, ref, position, what, how, responsibility, restricted, version, "
                f"created_at, updated_at) VALUES ({action_id}, {plan_id}, '{action_id}', {action_id}, 'What', '', "
                "'', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        for update_id, action_id in ((1, 1), (2, 2), (3, 3), (4, 3)):
            connection.execute(text(
                'INSERT INTO "update" (id, action_id, author_name, text, restricted, source, created_at) '
                f"VALUES ({update_id}, {action_id}, 'DCI Chisholm', 'Progress', false, 'import', CURRENT_TIMESTAMP)"))
    upgrade()
    with db.engine.connect() as connection:
        print("plans:", connection.execute(text('SELECT id, plan_id FROM "update" ORDER BY id')).all())
        print("null allowed:", connection.execute(text(
            "SELECT COUNT(*) FROM \\"update\\" WHERE plan_id IS NULL")).scalar())
    print("update refused:", refused('UPDATE "update" SET text = \\'x\\''))
    print("delete refused:", refused('DELETE FROM "update"'))
    try:
        with db.engine.begin() as connection:
            connection.execute(text(
                'INSERT INTO "update" (action_id, author_name, text, restricted, source, created_at) '
                "VALUES (1, '', 'No plan named', false, 'app', CURRENT_TIMESTAMP)"))
        print("insert without a plan: taken")
    except Exception:
        print("insert without a plan: refused")
    downgrade(revision="0015")
    with db.engine.connect() as connection:
        print("after downgrade:", connection.execute(text('SELECT COUNT(*) FROM "update"')).scalar())
    print("update refused after downgrade:", refused('UPDATE "update" SET text = \\'x\\''))
    db.engine.dispose()
"""


def test_the_migration_gives_every_update_its_actions_plan_and_keeps_history_append_only(tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi", "SECRET_KEY": secrets.token_hex(32)}
    if not os.environ.get("TEST_DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'history.db'}"
    else:  # the suite's own database (conftest.py gives it the schema again for the next test)
        env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
        drop_suite_schema(env["DATABASE_URL"])
    try:
        run = subprocess.run([sys.executable, "-c", MIGRATE_WITH_HISTORY], env=env, capture_output=True, text=True)
    finally:  # on PostgreSQL, an empty schema, which the next test's fixture makes again
        if os.environ.get("TEST_DATABASE_URL"):
            drop_suite_schema(env["DATABASE_URL"])
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "plans: [(1, 1), (2, 2), (3, 2), (4, 2)]" in output, output
    assert "null allowed: 0" in output
    assert "update refused: True" in output and "delete refused: True" in output, output
    assert "insert without a plan: refused" in output, output
    assert "after downgrade: 4" in output and "update refused after downgrade: True" in output, output


def test_the_plan_of_an_update_is_the_plan_of_its_action_in_the_model():
    assert Update.__table__.c.plan_id.nullable is False
    (key,) = Update.__table__.c.plan_id.foreign_keys
    assert key.column.table is Plan.__table__ and key.ondelete == "CASCADE"
