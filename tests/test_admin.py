"""Admin pages: users (create, deactivate, reset two-factor) and the read-only audit log."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update

from app.extensions import db
from app.models import AppendOnlyError, AuditEvent, User
from app.services.audit import trail as audit
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.pages import check_page

NEW_PASSWORD = "an initial passphrase"


def new_user_form(**overrides) -> dict:
    form = {
        "name": "Dana Scully",
        "email": "Dana.Scully@example.police.uk",
        "role": "lead",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    return {**form, **overrides}


def user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).filter_by(email=email))


def rows(page: str, verb: str) -> int:
    """How many rows of the audit table show this verb (the filter's options name verbs too)."""
    return page.count(f'<td class="govuk-table__cell">{verb}</td>')


def audit_count() -> int:
    return db.session.scalar(db.select(db.func.count(AuditEvent.id)))


# Users ---------------------------------------------------------------------------------------------------


def test_users_page_lists_people_with_their_role_and_two_factor(client, login_as):
    make_user("owner", name="<b>Owen</b> Owner")
    make_user("lead", name="Lee Lead")
    login_as("admin")
    page = check_page(client.get("/admin/users"))
    assert "&lt;b&gt;Owen&lt;/b&gt; Owner" in page and "<b>Owen</b>" not in page
    assert "Lee Lead" in page and ">On<" in page
    assert 'href="/admin/users/new"' in page


def test_admin_creates_a_user_who_can_sign_in(app, client, auth, login_as):
    admin = login_as("admin")
    response = auth.post("/admin/users/new", new_user_form())
    assert response.headers["Location"] == "/admin/users"
    assert "Dana Scully can now sign in as dana.scully@example.police.uk" in check_page(client.get("/admin/users"))
    user = user_by_email("dana.scully@example.police.uk")
    assert user.role.value == "lead" and user.password_hash.startswith("$argon2id$")
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="user.create", record_id=user.id)).one()
    assert event.user_id == admin.id and event.new == {"email": user.email, "role": "lead"}
    newcomer = app.test_client()
    token = csrf_token(newcomer)
    first = newcomer.post("/sign-in", data={"email": user.email, "password": NEW_PASSWORD, "csrf_token": token})
    assert first.headers["Location"] == "/sign-in/set-up-two-factor"  # a lead sets up an app first


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "Password1234", "confirm": "Password1234"}, "too common"),
        ({"password": "short", "confirm": "short"}, "between 12 and 128 characters"),
        ({"confirm": "something else entirely"}, "Passwords must match"),
        ({"name": ""}, "Enter the person&#39;s name"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"role": "superuser"}, "Not a valid choice"),
        ({"name": "x" * 121}, "Name must be 120 characters or fewer"),
    ],
)
def test_bad_new_user_is_refused_with_a_message_and_nothing_saved(client, auth, login_as, overrides, message):
    login_as("admin")
    before = db.session.scalar(db.select(db.func.count(User.id)))
    page = check_page(auth.post("/admin/users/new", new_user_form(**overrides)))
    assert message in page and "govuk-error-summary" in page
    assert 'value="Dana.Scully@example.police.uk"' in page or "email" in overrides  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count(User.id))) == before


def test_duplicate_email_is_refused(client, auth, login_as):
    make_user("owner", email="dana.scully@example.police.uk")
    login_as("admin")
    page = check_page(auth.post("/admin/users/new", new_user_form()))
    assert "A user with the email dana.scully@example.police.uk already exists" in page


def test_deactivation_ends_sessions_and_sign_in(app, client, auth, login_as):
    victim = make_user("owner")
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(other).login(victim)
    assert other.get("/plans").status_code == 200
    login_as("admin")
    response = auth.post(f"/admin/users/{victim.id}/deactivate", form_url="/admin/users")
    assert response.headers["Location"] == "/admin/users"
    assert "has been deactivated and signed out everywhere" in check_page(client.get("/admin/users"))
    assert other.get("/plans").status_code == 302
    assert "Enter a correct email address and password" in AuthActions(app.test_client()).login(victim).text
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="user.deactivate", record_id=victim.id)).one()
    assert event.old == {"active": True} and event.new == {"active": False}


def test_admin_cannot_deactivate_themself(client, auth, login_as):
    admin = login_as("admin")
    auth.post(f"/admin/users/{admin.id}/deactivate", form_url="/admin/users")
    assert "You cannot deactivate your own account" in check_page(client.get("/admin/users"))
    assert db.session.get(User, admin.id).active


def test_deactivating_twice_says_so(client, auth, login_as):
    victim = make_user("owner", name="Vic Tim")
    login_as("admin")
    auth.post(f"/admin/users/{victim.id}/deactivate", form_url="/admin/users")
    client.get("/admin/users")
    auth.post(f"/admin/users/{victim.id}/deactivate", form_url="/admin/users")
    assert "Vic Tim is already deactivated" in check_page(client.get("/admin/users"))


def test_deactivate_without_csrf_token_changes_nothing(client, login_as):
    victim = make_user("owner")
    login_as("admin")
    check_page(client.post(f"/admin/users/{victim.id}/deactivate"), 400)
    assert db.session.get(User, victim.id).active


def test_unknown_user_is_404(client, auth, login_as):
    login_as("admin")
    assert auth.post("/admin/users/999999999/deactivate", form_url="/admin/users").status_code == 404


@pytest.mark.parametrize("role", ["lead", "owner", "viewer"])
def test_only_admins_change_users(client, auth, login_as, role):
    victim = make_user("owner")
    login_as(role)
    response = auth.post(f"/admin/users/{victim.id}/deactivate", form_url="/account")
    assert response.status_code == 403
    assert db.session.get(User, victim.id).active


def test_reset_two_factor(app_context, app, client, auth, login_as):
    lead = make_user("lead")
    from tests.conftest import AuthActions

    lead_browser = app.test_client()
    AuthActions(lead_browser).login(lead)
    admin = login_as("admin")
    auth.post(f"/admin/users/{lead.id}/reset-two-factor", form_url="/admin/users")
    assert "Two-factor sign-in has been reset" in check_page(client.get("/admin/users"))
    stored = db.session.get(User, lead.id)
    assert stored.totp_secret is None and stored.recovery_codes is None
    assert lead_browser.get("/plans").status_code == 302
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="user.two_factor_reset", record_id=lead.id)).one()
    assert event.user_id == admin.id


# Audit log ---------------------------------------------------------------------------------------------


def test_audit_log_shows_sign_ins_and_failures(client, login_as):
    make_user("owner", email="<i>someone</i>@x.uk")  # an address a user has is kept as typed, shown escaped
    for email in ("<i>someone</i>@x.uk", "<i>ghost</i>@x.uk"):
        token = csrf_token(client)
        client.post("/sign-in", data={"email": email, "password": "wrong wrong wrong", "csrf_token": token})
    admin = login_as("admin")
    page = check_page(client.get("/admin/audit"))
    assert "sign_in.failure" in page and "&lt;i&gt;someone&lt;/i&gt;@x.uk" in page and "<i>someone</i>" not in page
    assert "ghost" not in page and "unknown address " in page  # nobody's address: never stored as typed
    assert "sign_in" in page and admin.email in page


def _events(n: int, verb: str, user: User | None = None, at: datetime | None = None) -> None:
    for i in range(n):
        event = audit.record(verb, user=user, record_type="plan", record_id=i, detail=f"{verb} {i}", actor="cli")
        if at:
            event.at = at
    db.session.commit()


def test_audit_log_filters_by_verb_user_and_dates(client, login_as):
    owner = make_user("owner", name="Olive Owner")
    _events(3, "plan.import", at=datetime(2026, 1, 10, 9, tzinfo=UTC))
    _events(2, "plan.export", user=owner, at=datetime(2026, 2, 20, 23, 59, tzinfo=UTC))
    login_as("admin")
    by_verb = check_page(client.get("/admin/audit", query_string={"verb": "plan.import"}))
    assert rows(by_verb, "plan.import") == 3 and rows(by_verb, "plan.export") == 0
    by_user = check_page(client.get("/admin/audit", query_string={"user": owner.id}))
    assert rows(by_user, "plan.export") == 2 and rows(by_user, "plan.import") == 0
    in_february = check_page(
        client.get("/admin/audit?date_from=1&date_from=2&date_from=2026&date_to=20&date_to=2&date_to=2026")
    )
    assert rows(in_february, "plan.export") == 2 and rows(in_february, "plan.import") == 0
    assert "2 events" in in_february


def test_audit_log_bad_date_gets_a_message_not_a_500(client, login_as):
    login_as("admin")
    page = check_page(client.get("/admin/audit?date_from=31&date_from=2&date_from=2026"))
    assert "govuk-error-summary" in page
    assert check_page(client.get("/admin/audit?date_from=only-one-part"))


def test_audit_log_pages_keep_their_filters(client, login_as):
    _events(120, "plan.export")
    login_as("admin")
    first = check_page(client.get("/admin/audit", query_string={"verb": "plan.export"}))
    assert rows(first, "plan.export") == 50 and "page 1 of 3" in first
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "verb=plan.export" in older and "page=2" in older
    last = check_page(client.get("/admin/audit", query_string={"verb": "plan.export", "page": 3}))
    assert rows(last, "plan.export") == 20 and "plan.export 0<" in last  # oldest last
    assert check_page(client.get("/admin/audit", query_string={"page": 99})).count("<tbody") == 0


def test_audit_log_is_newest_first(client, login_as):
    _events(1, "plan.import", at=datetime.now(UTC) - timedelta(days=3))
    login_as("admin")
    page = check_page(client.get("/admin/audit"))
    cell = '<td class="govuk-table__cell">{}</td>'
    assert page.index(cell.format("sign_in")) < page.index(cell.format("plan.import"))


# Nothing can edit or delete an audit event -------------------------------------------------------------


def test_audit_log_answers_only_get(client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/users")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.open("/admin/audit", method=method, data={"csrf_token": token}).status_code == 405


def test_no_route_can_change_the_audit_log(app, client, login_as):
    """Every route, as an admin (the strongest role), with every method it takes: the log only grows."""
    login_as("admin")
    _events(5, "plan.import")
    existing = {e.id: (e.verb, e.detail, e.at) for e in db.session.scalars(db.select(AuditEvent))}
    app.config["WTF_CSRF_ENABLED"] = False
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.sign_out"):
            continue
        args = dict.fromkeys(rule.arguments, next(iter(existing)))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            client.open(rule.build(args)[1], method=method)
    db.session.expire_all()
    after = {e.id: (e.verb, e.detail, e.at) for e in db.session.scalars(db.select(AuditEvent))}
    assert all(after[i] == existing[i] for i in existing)


def test_orm_refuses_to_edit_or_delete_audit_events(app_context, app):
    _events(2, "plan.import")
    event = db.session.scalars(db.select(AuditEvent)).first()
    with pytest.raises(AppendOnlyError):
        db.session.delete(event)
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(update(AuditEvent).values(detail="tampered"))
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(delete(AuditEvent).where(AuditEvent.verb == "plan.import"))
    db.session.rollback()
    assert audit_count() == 2
    assert not db.session.scalar(db.select(AuditEvent.id).where(AuditEvent.detail.contains(PASSWORD)))
