"""How long a signed-in session lasts, and what an expired form does with what was typed."""

import logging
import time
from contextlib import contextmanager

from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from app.extensions import db
from app.models import User
from tests.conftest import CSRF_RE
from tests.factories import make_user
from tests.pages import check_page


@contextmanager
def clock_back(monkeypatch, seconds: int):
    """Sign cookies and CSRF tokens as if it were `seconds` ago (both use itsdangerous timestamps)."""
    then = int(time.time()) - seconds
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: then)
    yield
    monkeypatch.undo()


def test_session_cookie_is_not_for_ever(client, login_as):
    login_as("owner")
    cookie = client.get("/plans").headers.get("Set-Cookie") or ""
    assert "Expires=" in cookie and "HttpOnly" in cookie  # permanent: ends after the idle timeout


def test_idle_session_ends(app_context, app, client, auth, monkeypatch):
    user = make_user("owner")
    idle = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
    with clock_back(monkeypatch, idle + 60):
        assert auth.login(user).status_code == 302  # the cookie is signed idle + 1 minute ago
    response = client.get("/plans")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_busy_session_still_ends_after_twelve_hours(client, login_as):
    login_as("owner")
    assert client.get("/plans").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] = int(time.time()) - 12 * 3600 - 1
    response = client.get("/plans")
    assert response.headers["Location"] == "/sign-in?next=/plans"
    assert "more than 12 hours old" in check_page(client.get("/sign-in"))
    assert client.get("/plans").status_code == 302  # signed out, not only redirected once


def test_a_session_without_a_start_time_is_refused(client, login_as):
    login_as("owner")
    with client.session_transaction() as session:
        del session["signed_in_at"]
    assert client.get("/plans").status_code == 302


def test_expired_form_shows_what_was_typed_and_saves_nothing(app, client, login_as, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    login_as("admin")
    assert CSRF_RE.search(client.get("/admin/users/new").get_data(as_text=True))
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    with clock_back(monkeypatch, app.config["WTF_CSRF_TIME_LIMIT"] + 60):  # the form was opened long ago
        token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    form = {
        "name": "Dana <b>Scully</b>\nSecond line",
        "email": "dana@example.police.uk",
        "role": "lead",
        "password": "a secret passphrase",
        "confirm": "a secret passphrase",
        "csrf_token": token,
    }
    page = check_page(client.post("/admin/users/new", data=form), 400)
    assert "Your form has expired" in page and "What you typed" in page
    assert "Dana &lt;b&gt;Scully&lt;/b&gt;\nSecond line" in page and "dana@example.police.uk" in page
    assert "a secret passphrase" not in page
    assert any("The CSRF token has expired" in r.getMessage() for r in caplog.records)
    assert db.session.scalar(db.select(User.id).filter_by(email="dana@example.police.uk")) is None
