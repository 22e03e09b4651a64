"""Signing in and out: sessions that really end, one message for every failure, CSRF, safe redirects, logging."""

import json
import logging

import pytest

from app.extensions import db
from app.models import AuditEvent, User
from app.services.accounts import passwords, users
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.pages import check_page

WRONG = "Enter a correct email address and password"
NEW = "a brand new passphrase"


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "the client has no session cookie"
    return cookie.value


def _replay(app, cookie: str):
    """A second browser that only has a copy of the first one's session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/plans")


def _signed_in(response) -> bool:
    return response.status_code == 200 and "/sign-in" not in response.request.path


def test_sign_in_and_out(app_context, client, auth):
    user = make_user("viewer", name="Pat Viewer")
    response = auth.login(user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = check_page(client.get("/plans"))
    assert "Signed in as Pat Viewer" in page
    signed_out = auth.logout()
    assert signed_out.headers["Location"] == "/sign-in"
    assert "You have signed out" in check_page(client.get("/sign-in"))
    assert client.get("/plans").headers["Location"].startswith("/sign-in")


def test_sign_in_page_is_well_formed(client):
    page = check_page(client.get("/sign-in"))
    assert 'autocomplete="current-password"' in page


@pytest.mark.parametrize("email", ["user@example.police.uk", "nobody@example.police.uk"])
def test_wrong_password_and_unknown_email_give_the_same_message(app_context, client, auth, email):
    make_user("owner", email="user@example.police.uk")
    token = csrf_token(client)
    response = client.post("/sign-in", data={"email": email, "password": "not the password!", "csrf_token": token})
    page = check_page(response)
    assert WRONG in page
    assert "nobody" not in page.replace('value="nobody@example.police.uk"', "")  # no "no such user" hint
    assert client.get("/plans").status_code == 302


def test_failed_sign_in_is_audited_and_logged(app_context, client, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    token = csrf_token(client)
    client.post("/sign-in", data={"email": "Mallory@Example.com", "password": "guess-guess-guess", "csrf_token": token})
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="sign_in.failure")).one()
    assert event.detail.startswith("unknown address ") and event.user_id is None  # nobody's: not kept as typed
    assert any('"event": "sign_in.failure"' in r.getMessage() for r in caplog.records)


def test_inactive_user_cannot_sign_in(app_context, client, auth):
    user = make_user("owner")
    users.deactivate(user, by=None)
    db.session.commit()
    assert WRONG in check_page(auth.login(user))


def test_sign_in_without_csrf_token_is_refused_and_signs_nobody_in(app_context, client):
    user = make_user("owner")
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    page = check_page(response, 400)
    assert "Your form has expired" in page
    assert client.get("/plans").status_code == 302
    assert db.session.scalar(db.select(AuditEvent.id).filter_by(verb="sign_in")) is None


def test_change_password_without_csrf_token_saves_nothing(app_context, client, auth, app):
    user = make_user("owner")
    auth.login(user)
    old_hash = user.password_hash
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
    )
    check_page(response, 400)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash
    assert client.get("/plans").status_code == 200  # still signed in: a refused form is not a sign-out


def test_csrf_token_from_another_session_is_refused(app_context, app, client, auth):
    user = make_user("owner")
    auth.login(user)
    stranger = app.test_client()
    stranger_token = csrf_token(stranger)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": stranger_token,
        },
    )
    check_page(response, 400)
    assert passwords.authenticate(user.email, PASSWORD) is not None


def test_csrf_failure_is_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    client.post("/sign-in", data={"email": "a@b.c", "password": "x"})
    assert any('"event": "csrf.refused"' in r.getMessage() for r in caplog.records)


def test_session_is_renewed_at_sign_in(app_context, client, auth):
    user = make_user("owner")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = csrf_token(client)
    auth.login(user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before or "csrf_token" not in session
    assert client.get("/plans").status_code == 200


def test_cookie_replayed_after_sign_out_is_refused(app_context, app, client, auth):
    user = make_user("owner")
    auth.login(user)
    cookie = _session_cookie(client)
    assert _replay(app, cookie).status_code == 200  # the copy works while the session lives
    auth.logout()
    replay = _replay(app, cookie)
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/sign-in")


def test_cookie_replayed_after_password_change_is_refused(app_context, app, client, auth):
    user = make_user("owner")
    auth.login(user)
    cookie = _session_cookie(client)
    response = auth.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase", "confirm": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert _replay(app, cookie).status_code == 302
    assert client.get("/plans").status_code == 200  # the browser that changed it carries on
    assert passwords.authenticate(user.email, "a brand new passphrase") is not None


def test_cookie_replayed_after_deactivation_is_refused(app_context, app, client, auth):
    user = make_user("owner")
    auth.login(user)
    cookie = _session_cookie(client)
    users.deactivate(db.session.get(User, user.id), by=None)
    db.session.commit()
    assert _replay(app, cookie).status_code == 302
    assert client.get("/plans").status_code == 302


def test_sign_out_needs_a_post(app_context, client, auth):
    auth.login(make_user("owner"))
    assert client.get("/sign-out").status_code == 405
    assert client.get("/plans").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(app_context, client, target):
    user = make_user("owner")
    token = csrf_token(client)
    response = client.post(
        "/sign-in", query_string={"next": target}, data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(app_context, client):
    user = make_user("owner")
    assert client.get("/plans").headers["Location"] == "/sign-in?next=%2Fplans"
    token = csrf_token(client)
    response = client.post(
        "/sign-in?next=%2Fplans", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/plans"


def test_username_with_line_breaks_is_logged_on_one_line(client, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    forged = "bob\r\nINFO admin@example.police.uk signed in"
    token = csrf_token(client)
    client.post("/sign-in", data={"email": forged, "password": "guess-guess-guess", "csrf_token": token})
    lines = [r.getMessage() for r in caplog.records if "sign_in.failure" in r.getMessage()]
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\r" not in lines[0]
    logged = json.loads(lines[0].removeprefix("security "))
    assert logged["email"].startswith("unknown address ") and "admin@" not in lines[0]  # nobody's: not kept
    assert "password" not in lines[0] and "guess-guess-guess" not in lines[0]


def test_signed_out_visitor_sees_no_success_banner(client):
    page = check_page(client.get("/", follow_redirects=True))
    assert "Sign in" in page
    assert "govuk-notification-banner--success" not in page and "Sign in to continue" not in page


def test_being_asked_to_sign_in_again_is_told_in_the_standard_banner(client, login_as):
    login_as("owner")
    with client.session_transaction() as session:
        session["signed_in_at"] = 0  # far more than 12 hours ago
    page = check_page(client.get("/plans", follow_redirects=True))
    assert "more than 12 hours old" in page
    banner = page[page.index('class="govuk-notification-banner') :][:200]
    assert "govuk-notification-banner--success" not in banner and 'role="region"' in banner
