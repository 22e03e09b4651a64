"""Each request a test makes starts as a request in production does: with an app context, a `g` and a
database session of its own, whatever the test has pushed (tests/conftest.py: `app`, `app_context`,
RequestsApart)."""

from flask import g, has_app_context

from app.extensions import db
from app.models import User
from tests.factories import make_user


def probe_g(app) -> list:
    """Each request records what `g` held when it began, then leaves something in it."""
    seen: list = []

    @app.before_request
    def look_then_leave_something() -> None:
        seen.append({name: getattr(g, name) for name in ("probe", "test_own") if name in g})
        g.probe = f"left by request {len(seen)}"

    return seen


def test_the_app_fixture_leaves_no_app_context_pushed(app):
    assert not has_app_context()


def test_state_in_g_does_not_leak_between_two_requests_of_one_client(app, client):
    seen = probe_g(app)
    client.get("/sign-in")
    client.get("/sign-in")
    assert seen == [{}, {}]
    assert not has_app_context()


def test_a_request_sees_neither_the_tests_g_nor_its_session_and_leaves_both_alone(app, app_context, client):
    seen = probe_g(app)
    g.test_own = "the test's"
    user = make_user("owner")
    test_session = db.session()
    sessions = []

    @app.before_request
    def note_the_session() -> None:
        sessions.append(db.session())

    client.get("/sign-in")
    client.get("/sign-in")
    assert seen == [{}, {}]
    assert g.test_own == "the test's" and "probe" not in g
    assert len(sessions) == 2 and test_session not in sessions and sessions[0] is not sessions[1]
    assert db.session() is test_session and db.session.get(User, user.id) is user


def test_a_signed_in_user_is_not_carried_to_another_client(app, app_context, client, login_as):
    login_as("admin")
    assert client.get("/admin/users").status_code == 200
    other = app.test_client()
    assert other.get("/admin/users").status_code == 302  # the other client is signed out
    assert client.get("/admin/users").status_code == 200


def test_after_a_request_the_test_reads_what_the_request_wrote(app, app_context, auth, login_as):
    lead = make_user("lead")
    assert lead.totp_secret is not None  # loaded in the test's session
    login_as("admin")
    assert auth.post(f"/admin/users/{lead.id}/reset-two-factor", form_url="/admin/users").status_code == 302
    assert lead.totp_secret is None  # read again from the database, not the copy loaded before the request
