"""What each layer may touch: services own the transaction and know nothing of the web; views never commit;
a service's refusal is one family of errors, NotAllowed answered with 403 and a conflict with 409."""

import ast
import inspect
from pathlib import Path

import pytest

from app.extensions import db
from app.models import AuditEvent, Plan, User
from app.permissions import public
from app.services import errors
from app.services.actions import conflicts, editing, updating
from app.services.exporting import json_plan
from app.services.reviewing import decisions
from tests.factories import make_plan, make_user
from tests.pages import check_page

APP = Path(__file__).resolve().parent.parent / "app"
BLUEPRINTS = [
    p for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name not in ("services", "models")
]
WEB_MODULES = ("flask_login", "flask_wtf", "wtforms", "app.permissions", "app.validators", "app.auth", "app.fields")
WEB_NAMES = {"request", "session", "g", "abort", "redirect", "url_for", "flash", "render_template"}


def _python_files(*roots: Path):
    for root in roots:
        yield from sorted(root.rglob("*.py"))


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name


def test_views_never_commit():
    commits = []
    for path in _python_files(*BLUEPRINTS):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback"):
                commits.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert len(BLUEPRINTS) >= 10
    assert commits == []


def test_services_know_nothing_of_the_web():
    web = []
    for path in _python_files(APP / "services"):
        for module, name in _imports(ast.parse(path.read_text())):
            if module.startswith(WEB_MODULES) or (module == "flask" and name in WEB_NAMES):
                web.append(f"{path.relative_to(APP)}: {module} {name or ''}")
    assert web == []


def test_every_service_error_is_a_service_error_with_message_and_field():
    found = {}
    for path in _python_files(APP / "services"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and (node.name.endswith("Error") or node.name == "NotAllowed"):
                found.setdefault(node.name, []).append(str(path.relative_to(APP)))
    assert found["NotAllowed"] == ["services/errors.py"], "one NotAllowed"
    assert updating.NotAllowed is editing.NotAllowed is decisions.NotAllowed is errors.NotAllowed
    assert issubclass(conflicts.ConflictError, errors.Conflict)
    error = editing.EditError("Enter a date", "target_date")
    assert (error.message, error.field, str(error)) == ("Enter a date", "target_date", "Enter a date")
    from app.services.plans.settings import SettingsError

    setting = SettingsError("Select a lead from the list", "lead_user_id")
    assert (setting.message, setting.field) == ("Select a lead from the list", "lead_user_id")


@pytest.fixture
def refusing_app(app):
    """The app with two pages whose service refuses, as a service does when a view forgot its own check."""

    @public
    def not_allowed():
        raise errors.NotAllowed("Only the plan's lead can do that")

    @public
    def changed():
        raise errors.Conflict("Someone else changed it first")

    app.add_url_rule("/test-only/not-allowed", view_func=not_allowed)
    app.add_url_rule("/test-only/changed", view_func=changed)
    return app


def test_a_refusal_nobody_catches_is_a_403_page_not_a_500(refusing_app, client, caplog):
    response = client.get("/test-only/not-allowed")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in check_page(response, status=403)
    assert "access.denied" in caplog.text


def test_a_conflict_nobody_catches_is_a_409_page(refusing_app, client):
    response = client.get("/test-only/changed")
    assert response.status_code == 409
    assert "Someone else changed this at the same time" in check_page(response, status=409)


def test_the_admin_is_the_actor_of_what_the_admin_pages_do(app, client, auth, login_as):
    admin = login_as("admin")
    password = "a long enough passphrase for Dana"
    form = {"name": "Dana Scully", "email": "dana@example.police.uk", "role": "owner", "password": password}
    assert auth.post("/admin/users/new", {**form, "confirm": password}).status_code == 302
    dana = db.session.scalar(db.select(User).filter_by(email="dana@example.police.uk"))
    assert auth.post(f"/admin/users/{dana.id}/deactivate", {}).status_code == 302
    events = db.session.scalars(db.select(AuditEvent).filter_by(record_type="user", record_id=dana.id))
    assert [(e.verb, e.actor, e.user_id) for e in events] == [
        ("user.create", admin.email, admin.id),
        ("user.deactivate", admin.email, admin.id),
    ]


def test_an_export_never_commits_work_the_session_holds(app_context, app):
    plan = make_plan(title="Modern slavery", actions=2)
    make_user(role="admin")
    plan.title = "Half-typed title"  # someone's change, not committed
    with pytest.raises(RuntimeError, match="commits only its own audit event"):
        json_plan.export_json(plan, audience="internal", user=None)
    db.session.rollback()
    assert db.session.get(Plan, plan.id).title == "Modern slavery"
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(verb="plan.export")) == 0
    db.session.get(Plan, plan.id).title = "Flushed, not committed"
    db.session.flush()
    with pytest.raises(RuntimeError):
        json_plan.export_json(plan, audience="internal", user=None)
    db.session.rollback()
    json_plan.export_json(db.session.get(Plan, plan.id), audience="internal", user=None)
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(verb="plan.export")) == 1


def test_audit_record_takes_the_actor_explicitly():
    from app.services.audit import trail

    user = inspect.signature(trail.record).parameters["user"]
    assert user.default is inspect.Parameter.empty and user.kind is inspect.Parameter.KEYWORD_ONLY


# Said once, found once


def _constants(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def test_one_definition_of_the_characters_text_cannot_hold():
    from app.services.exporting.safe_text import clean
    from app.services.plain_text import has_control_characters
    from app.validators import has_control_characters as form_check

    defining = [p.name for p in _python_files(APP) if any("\x00-\x08" in text for text in _constants(p))]
    assert defining == ["plain_text.py"]
    assert form_check is has_control_characters
    for pasted in ("a\x0bb", "a\x1fb", "a\x7fb", "a\ufffeb"):
        assert has_control_characters(pasted) and clean(pasted) == "ab"
    assert not has_control_characters("tab\tline\nreturn\r") and clean("tab\tline\n") == "tab\tline\n"


def test_the_password_rule_is_written_once():
    from app.admin.forms import NewUserForm
    from app.auth.forms import ChangePasswordForm
    from app.services.accounts import passwords

    for path in _python_files(*BLUEPRINTS):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Length":
                assert not any(k.arg == "min" for k in node.keywords), f"{path.name}:{node.lineno} repeats the rule"
    for form, field in ((NewUserForm, "password"), (ChangePasswordForm, "new_password")):
        (length,) = [v for v in getattr(form, field).kwargs["validators"] if type(v).__name__ == "Length"]
        assert (length.min, length.max) == (passwords.MIN_PASSWORD_LENGTH, passwords.MAX_PASSWORD_LENGTH)


def test_the_date_comes_from_the_clock_everywhere(client, login_as):
    calls = []
    for path in _python_files(APP):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "today" and getattr(node.value, "id", "") == "date":
                calls.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert calls == ["services/clock.py:16"]
    from datetime import date

    from app.services.exporting.excel import export_filename

    client.application.config["TODAY"] = date(2025, 9, 15)
    login_as("viewer")
    plan = make_plan(title="Modern slavery", actions=1)
    response = client.get(f"/plans/{plan.id}/export.xlsx?audience=pcc")
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="{export_filename(plan, date(2025, 9, 15), "pcc")}"'
    )


def test_the_dead_code_is_gone():
    import app.database
    import app.models.enums
    from app.services.importing.findings import WorkbookReading
    from app.services.importing.report import ImportReport
    from app.services.plans import reading

    assert not hasattr(app.database, "is_sqlite") and not hasattr(app.models.enums, "sql_in")
    assert not hasattr(reading, "plan_actions")
    assert not hasattr(WorkbookReading, "all_warnings") and hasattr(ImportReport, "all_warnings")


def test_migrations_hold_their_own_ddl():
    import importlib.util

    from app.models import guards

    versions = APP.parent / "migrations" / "versions"
    for path in sorted(versions.glob("*.py")):
        imported = [module for module, _ in _imports(ast.parse(path.read_text()))]
        assert not [m for m in imported if m == "app" or m.startswith("app.")], path.name
    spec = importlib.util.spec_from_file_location("m0002", next(versions.glob("0002_*.py")))
    m0002 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0002)
    # Copied, and today still the same as what the models create: a later change to the models stays theirs.
    assert m0002.APPEND_ONLY_TABLES == tuple(table.name for table in guards.APPEND_ONLY_TABLES)
    for dialect in ("sqlite", "postgresql"):
        for table in m0002.APPEND_ONLY_TABLES:
            assert m0002.statements(dialect, table) == guards.statements(dialect, table)
