import os
import secrets
import subprocess
import sys

import pytest
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from app.models import Action, AppendOnlyError, AuditEvent, Rag, Strand, Update, User
from config import ProductionConfig
from tests.conftest import drop_suite_schema
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page


def test_factory_uses_the_given_config(app):
    assert app.config["TESTING"] is True
    assert app.static_url_path == "/assets"


def test_production_config_refuses_to_start_without_secret_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY and DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_config_refuses_without_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_config_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    monkeypatch.setenv("DATABASE_URL", os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SECRET_KEY"] == "x" * 40


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    from config import TestConfig

    class SQLiteConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'wal.db'}"

    sqlite_app = create_app(SQLiteConfig)
    with sqlite_app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_database_refuses_an_unknown_rag(app_context, app):
    plan = make_plan(actions=1)
    with pytest.raises(IntegrityError):
        db.session.execute(db.text("UPDATE action SET rag = 'pink' WHERE plan_id = :p"), {"p": plan.id})
        db.session.flush()
    db.session.rollback()


def test_ref_is_unique_within_plan_and_strand(app_context, app):
    plan = make_plan(actions=0)
    make_action(plan, strand=Strand.PREPARE, ref="1")
    make_action(plan, strand=Strand.PREVENT, ref="1")  # numbering restarts per strand
    db.session.commit()
    with pytest.raises(IntegrityError):
        make_action(plan, strand=Strand.PREPARE, ref="1")
    db.session.rollback()


def test_pcc_refs_without_strand_are_unique_within_the_plan(app_context, app):
    plan = make_plan(actions=0)
    make_action(plan, strand=None, ref="1.2.1")
    db.session.commit()
    with pytest.raises(IntegrityError):
        make_action(plan, strand=None, ref="1.2.1")
    db.session.rollback()


def test_foreign_keys_are_enforced(app_context, app):
    with pytest.raises(IntegrityError):
        db.session.add(Update(action_id=999_999, text="orphan"))
        db.session.flush()
    db.session.rollback()


def test_updates_are_append_only(app_context, app):
    plan = make_plan(actions=1, updates_per_action=1)
    update = plan.actions[0].updates[0]
    update.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.delete(db.session.get(Update, update.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Update, update.id).text == "Progress 1"


def test_audit_events_cannot_be_changed(app_context, app):
    make_user("admin")
    event = db.session.scalars(db.select(AuditEvent)).first()
    event.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_strands_are_the_four_ps_with_meanings():
    assert [s.value for s in Strand] == ["Prepare", "Prevent", "Protect", "Pursue"]
    assert "victim care" in Strand.PROTECT.meaning
    assert Rag.BLUE.label == "Blue (complete)"


def test_action_version_increments_on_change(app_context, app):
    plan = make_plan(actions=1)
    action = plan.actions[0]
    assert action.version == 1
    action.rag = Rag.RED
    db.session.commit()
    assert db.session.get(Action, action.id).version == 2


def test_migrations_match_the_models(tmp_path):
    """`flask db upgrade` on an empty database, then `flask db check`: models and migrations agree."""
    env = {**os.environ, "FLASK_APP": "wsgi", "SECRET_KEY": secrets.token_hex(32)}
    if not os.environ.get("TEST_DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'migrated.db'}"
    else:  # the suite's own database (its name ends in _test, which conftest.py insists on)
        env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
        drop_suite_schema(env["DATABASE_URL"])
    # The three commands as `flask` runs them, each on an app of its own, in one fresh process (three processes
    # took two more interpreter and app start-ups, about 3 s of CPU on 2 slow cores, for nothing more).
    run = subprocess.run([sys.executable, "-c", FLASK_COMMANDS_IN_TURN], env=env, capture_output=True, text=True)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert output.count("$ flask db") == 3 and output.count("done: flask db") == 3, output
    check = output.split("$ flask db check")[1].split("done: flask db check")[0]
    assert "No new upgrade operations detected" in check, output


FLASK_COMMANDS_IN_TURN = """
import sys
from flask.cli import FlaskGroup
for args in (["db", "upgrade"], ["db", "check"], ["db", "downgrade", "base"]):
    print("$ flask", *args, flush=True)
    FlaskGroup().main(args, prog_name="flask", standalone_mode=False)  # raises, so exits non-zero, on a failure
    print("done: flask", *args, flush=True)
"""


def test_plan_page_groups_actions_under_the_four_strands(client, login_as):
    login_as("viewer")
    plan = make_plan(title="Modern Day Slavery Local Delivery Plan", actions=8, updates_per_action=2)
    page = check_page(client.get(f"/plans/{plan.id}"))
    positions = [page.index(f">{s.value}</h2>") for s in Strand]
    assert positions == sorted(positions)
    assert "govuk-tag--green" in page and ">Green<" in page  # colour with the word
    assert "7 June 2025" not in page and "2 June 2025" in page  # last update date


def test_action_page_shows_details_links_and_dated_history(client, login_as):
    from app.models.enums import Framework

    login_as("owner")
    plan = make_plan(actions=0)
    action = make_action(plan, updates=3, links=[(Framework.NS, None), (Framework.PCC, "1.2.2")])
    db.session.commit()
    page = check_page(client.get(f"/actions/{action.id}"))
    assert "Progress 1" in page and "Progress 3" in page
    history = page[page.index('id="updates"') :]
    assert history.index("3 June 2025") < history.index("2 June 2025") < history.index("1 June 2025")  # latest first
    assert "PCC 1.2.2" in page and "No such PCC deliverable" in page


def test_restricted_updates_are_hidden_from_viewers(client, login_as):
    plan = make_plan(actions=1)
    action = plan.actions[0]
    action.updates.append(Update(text="Covert operation named Bluebird", restricted=True))
    db.session.commit()
    login_as("viewer")
    page = check_page(client.get(f"/actions/{action.id}"))
    assert "Bluebird" not in page
    assert "1 restricted update is withheld" in page


def test_user_text_is_escaped(client, login_as):
    login_as("viewer")
    plan = make_plan(title="<script>alert(1)</script>", actions=1)
    page = check_page(client.get(f"/plans/{plan.id}"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_plans_list_and_cli_list(client, login_as, runner):
    plan = make_plan(title="Local Delivery Plan")
    login_as("viewer")
    assert "Local Delivery Plan" in check_page(client.get("/plans"))
    result = runner.invoke(args=["plans", "list"])
    assert result.exit_code == 0
    assert result.output.startswith(f"{plan.id}\tLocal Delivery Plan")


def test_cli_creates_user_from_stdin(app_context, runner, app):
    result = runner.invoke(
        args=["users", "create", "Ann@Example.police.uk", "--name", "Ann", "--role", "lead", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(email="ann@example.police.uk"))
    assert user.role.value == "lead" and user.password_hash.startswith("$argon2id$")


def test_cli_refuses_short_password_and_duplicate(app_context, runner, app):
    args = ["users", "create", "bob@example.police.uk", "--name", "Bob", "--role", "owner", "--password-stdin"]
    short = runner.invoke(args=args, input="short\n")
    assert short.exit_code != 0 and "12 characters" in short.output
    assert runner.invoke(args=args, input="a long enough password\n").exit_code == 0
    again = runner.invoke(args=args, input="a long enough password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_demo_creates_one_user_per_role(app_context, runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    roles = sorted(u.role.value for u in db.session.scalars(db.select(User)))
    assert roles == ["admin", "lead", "owner", "viewer"]
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and db.session.scalar(db.select(db.func.count(User.id))) == 4


def test_a_nul_character_is_refused_with_a_clear_page(client, login_as):
    login_as("viewer")
    response = client.get("/plans", query_string={"q": "a\x00b"})
    assert response.status_code == 400
    assert "there is a problem with the request" in response.get_data(as_text=True)


@pytest.mark.parametrize("statement", ["UPDATE {table} SET {column} = 'x'", "DELETE FROM {table}"])
@pytest.mark.parametrize(("table", "column"), [('"update"', "text"), ("audit_event", "detail")])
def test_history_tables_refuse_changes_in_the_database_itself(app_context, app, statement, table, column):
    make_plan(actions=1, updates_per_action=1)
    make_user("admin")  # writes an audit event
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(db.text(statement.format(table=table, column=column)))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 1


def test_full_title_says_the_period_once():
    from app.models import Plan

    assert Plan(title="Delivery Plan 2015-16", period_label="2015-16").full_title == "Delivery Plan 2015-16"
    assert Plan(title="Local Delivery Plan", period_label="2015-16").full_title == "Local Delivery Plan (2015-16)"
    assert Plan(title="Local Delivery Plan", period_label="").full_title == "Local Delivery Plan"


def test_demo_is_refused_under_production_config(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty-production.db'}")
    production = create_app(ProductionConfig)
    with production.app_context():
        db.create_all()
        result = production.test_cli_runner().invoke(args=["demo", "--if-empty"])
        assert result.exit_code == 1 and "refused under ProductionConfig" in result.output
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0  # no account with the published password
        db.drop_all()
        db.engine.dispose()
