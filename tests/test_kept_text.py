"""A form sent after the session ended elsewhere keeps its text, and sign-in returns to the form's page.

And the expired-form page shows back only the fields that the form declares.
"""

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.extensions import db
from app.models import Update, User
from app.services.accounts import passwords, second_factor, sessions
from tests.conftest import CSRF_RE, AuthActions
from tests.factories import PASSWORD, make_plan, make_user
from tests.pages import check_page

TEXT = "Met the Salvation Army on 3 March; referral pathway agreed, MOU to follow.\nSecond paragraph kept too."


def end_elsewhere(how: str, client, user: User) -> None:
    user = db.session.get(User, user.id)
    if how == "password changed":
        passwords.change_password(user, "a brand new passphrase")
    elif how == "signed out elsewhere":
        sessions.sign_out(user)
    elif how == "two-factor reset":
        second_factor.reset(user, by=make_user("admin"))
    elif how == "signed in elsewhere":
        AuthActions(client.application.test_client()).login(user)
    if how == "12 hours":
        with client.session_transaction() as session:
            session["signed_in_at"] = int(time.time()) - 12 * 3600 - 1
    elif how == "signed out in another tab":
        with client.session_transaction() as session:
            session.clear()
    db.session.commit()


def sign_in_as_a_browser_does(client, auth, user: User, sign_in_url: str, how: str):
    """The sign-in form posts to its own address, ?next= included; then the code or a new app."""
    page = client.get(sign_in_url).get_data(as_text=True)
    assert "signed out" in page  # told why, in the standard banner
    password = "a brand new passphrase" if how == "password changed" else PASSWORD
    data = {"email": user.email, "password": password, "csrf_token": CSRF_RE.search(page).group(1)}
    response = client.post(sign_in_url, data=data)
    if response.headers.get("Location", "").endswith("/sign-in/code"):
        return auth.enter_code(user)
    if response.headers.get("Location", "").endswith("/sign-in/set-up-two-factor"):
        return auth.set_up_two_factor("/sign-in/set-up-two-factor")
    return response


HOW = ["password changed", "signed out elsewhere", "two-factor reset", "12 hours", "signed out in another tab"]


@pytest.mark.parametrize("how", [*HOW, "signed in elsewhere"])
def test_an_update_sent_after_the_session_ended_keeps_its_text(client, auth, how):
    lead = make_user("lead")
    plan = make_plan(actions=1, lead_user=lead)
    action_page = f"/actions/{plan.actions[0].id}"
    assert auth.login(lead).status_code == 302
    token = CSRF_RE.search(client.get(action_page).get_data(as_text=True)).group(1)
    version = plan.actions[0].version
    end_elsewhere(how, client, lead)

    form = {"text": TEXT, "rag": "amber", "version": version, "csrf_token": token, "smuggled": "Call 0800 now"}
    form.update({"as_at-day": "3", "as_at-month": "3", "as_at-year": "2026"})
    sent = client.post(f"{action_page}/updates", data=form, headers={"Referer": f"http://localhost{action_page}"})
    assert sent.status_code == 302 and sent.headers["Location"] == f"/sign-in?next={action_page}"
    assert db.session.scalar(db.select(db.func.count(Update.id))) == 0  # nothing saved

    signed_in = sign_in_as_a_browser_does(client, auth, db.session.get(User, lead.id), sent.headers["Location"], how)
    if signed_in.status_code == 200:  # after a reset: a new app, then the recovery codes page
        assert f'href="{action_page}"' in signed_in.get_data(as_text=True)
    else:
        assert signed_in.headers["Location"] == action_page  # the form's page, not the POST-only address
    page = check_page(client.get(action_page))
    assert "What you typed before you were signed out" in page
    assert "Met the Salvation Army on 3 March; referral pathway agreed, MOU to follow." in page
    assert "Call 0800 now" not in page  # not a field of the form
    assert TEXT.splitlines()[0] not in check_page(client.get(action_page))  # shown once


def test_kept_text_is_never_a_password(client, login_as):
    user = login_as("owner")
    token = CSRF_RE.search(client.get("/account/password").get_data(as_text=True)).group(1)
    end_elsewhere("signed out elsewhere", client, user)
    form = {"current_password": "old secret words", "new_password": "new secret words", "confirm": "x"}
    sent = client.post("/account/password", data={**form, "csrf_token": token})
    assert sent.headers["Location"] == "/sign-in?next=/account/password"  # a page of its own: back to it
    with client.session_transaction() as session:
        assert "secret words" not in str(dict(session))


def test_the_expired_form_page_shows_only_the_fields_the_form_declares(app, client, login_as, monkeypatch):
    login_as("admin")
    client.get("/admin/users/new")
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    import itsdangerous.timed

    then = int(time.time()) - app.config["WTF_CSRF_TIME_LIMIT"] - 60
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: then)
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    monkeypatch.undo()
    form = {
        "name": "Dana Scully",
        "email": "dana@example.police.uk",
        "Your account is locked": "Call 0800 123 456 and give your password",
        "csrf_token": token,
    }
    page = check_page(client.post("/admin/users/new", data=form), 400)
    assert "Your form has expired" in page and "Dana Scully" in page and "dana@example.police.uk" in page
    assert "0800 123 456" not in page and "Your account is locked" not in page


def test_a_cross_site_post_shows_back_only_declared_fields(client):
    data = {"email": "someone@example.police.uk", "headline": "Your tracker has been hacked"}
    page = check_page(client.post("/sign-in", data=data), 400)  # no CSRF token: from another site
    assert "Your form has expired" in page and "someone@example.police.uk" in page and "hacked" not in page
