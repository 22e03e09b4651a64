"""A form sent after the session ended elsewhere keeps its text, and sign-in returns to the form's page.

And the expired-form page shows back only the fields that the form declares.
"""

import re
import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.extensions import db
from app.models import Update, User
from app.services.accounts import passwords, second_factor, sessions
from tests.conftest import CSRF_RE, AuthActions
from tests.factories import PASSWORD, make_plan, make_user
from tests.pages import check_page, field_value, textarea_value

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
def test_an_update_sent_after_the_session_ended_keeps_its_text(app_context, client, auth, how):
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


# Refilled into the form, and back on the form's page without a Referer ------------------------------------


def _checked_rag(page: str) -> str | None:
    match = re.search(r'<input[^>]*name="rag"[^>]*value="([a-z]+)"[^>]*checked', page)
    return match.group(1) if match else None


def _date_boxes(page: str) -> list[str]:
    return re.findall(r'<input[^>]*id="as_at-(?:day|month|year)"[^>]*value="([^"]*)"', page)


def _post_an_update_after_signing_out_elsewhere(client, auth, *, headers=None, extra=None):
    lead = make_user("lead")
    plan = make_plan(actions=1, lead_user=lead)
    action_page = f"/actions/{plan.actions[0].id}"
    assert auth.login(lead).status_code == 302
    page = client.get(action_page).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    version = plan.actions[0].version
    end_elsewhere("signed out elsewhere", client, lead)
    form = {"text": TEXT, "rag": "amber", "version": version, "csrf_token": token, "smuggled": "Call 0800 now"}
    form.update({"as_at": ["3", "3", "2026"], "restricted": "y", **(extra or {})})
    sent = client.post(f"{action_page}/updates", data=form, headers=headers or {})
    return lead, action_page, page, sent


@pytest.mark.parametrize("how", ["Referer", "return_to, no Referer"], ids=["with-referer", "return-to-without-referer"])
def test_after_sign_in_the_form_is_refilled_with_what_was_typed(app_context, client, auth, how):
    if how == "Referer":
        lead, action_page, _, sent = _post_an_update_after_signing_out_elsewhere(
            client, auth, headers={"Referer": "http://localhost/actions/1"}
        )
    else:
        lead, action_page, first, sent = _post_an_update_after_signing_out_elsewhere(
            client, auth, extra={"return_to": "/actions/1"}
        )
        assert 'name="return_to" value="/actions/1"' in first  # the form carries its page
    assert sent.headers["Location"] == f"/sign-in?next={action_page}"
    signed_in = sign_in_as_a_browser_does(client, auth, db.session.get(User, lead.id), sent.headers["Location"], "")
    assert signed_in.headers["Location"] == action_page

    page = check_page(client.get(action_page))
    assert textarea_value(page, "text") == TEXT  # in the field itself, both paragraphs
    assert _checked_rag(page) == "amber"
    assert _date_boxes(page) == ["3", "3", "2026"]
    assert re.search(r'<input[^>]*name="restricted"[^>]*checked', page)
    assert "It is back in the form below" in page
    assert "Call 0800 now" not in page  # not a field of the form: neither shown nor refilled
    again = check_page(client.get(action_page))
    assert textarea_value(again, "text") == "" and TEXT.splitlines()[0] not in again  # once only

    # Sent again as it now stands, it is saved.
    token = CSRF_RE.search(page).group(1)
    form = {"text": textarea_value(page, "text"), "rag": _checked_rag(page), "as_at": _date_boxes(page)}
    form.update({"version": field_value(page, "version"), "restricted": "y", "csrf_token": token})
    assert client.post(f"{action_page}/updates", data=form).status_code == 302
    update = db.session.scalars(db.select(Update)).one()
    assert (update.text, update.rag.value, update.restricted, str(update.as_at)) == (TEXT, "amber", True, "2026-03-03")


def test_without_referer_or_return_to_a_post_only_address_goes_home_never_to_a_405(app_context, client, auth):
    lead, action_page, _, sent = _post_an_update_after_signing_out_elsewhere(client, auth)
    assert sent.headers["Location"] == "/sign-in?next=/"  # the update address takes only POSTs


@pytest.mark.parametrize(
    "return_to",
    ["//evil.example/actions/1", "https://evil.example/actions/1", "/actions/1/updates", "/no-such-page", "\\\\evil"],
)
def test_a_return_to_that_is_not_a_local_page_is_ignored(app_context, client, auth, return_to):
    _, action_page, _, sent = _post_an_update_after_signing_out_elsewhere(
        client, auth, headers={"Referer": "http://localhost/actions/1"}, extra={"return_to": return_to}
    )
    assert sent.headers["Location"] == f"/sign-in?next={action_page}"  # the Referer instead


def test_a_form_whose_address_has_a_page_returns_there_refilled_without_referer(app_context, client, auth):
    admin = make_user("admin")
    assert auth.login(admin).status_code == 302
    token = CSRF_RE.search(client.get("/admin/users/new").get_data(as_text=True)).group(1)
    end_elsewhere("signed out elsewhere", client, admin)
    form = {"name": "Dana Scully", "email": "dana@example.police.uk", "role": "viewer", "password": "a long passphrase"}
    sent = client.post("/admin/users/new", data={**form, "confirm": "a long passphrase", "csrf_token": token})
    assert sent.headers["Location"] == "/sign-in?next=/admin/users/new"
    with client.session_transaction() as session:
        assert "passphrase" not in str(dict(session))  # a password is never kept
    sign_in_as_a_browser_does(client, auth, db.session.get(User, admin.id), sent.headers["Location"], "")
    page = check_page(client.get("/admin/users/new"))
    assert field_value(page, "name") == "Dana Scully" and field_value(page, "email") == "dana@example.police.uk"
    assert re.search(r'<input[^>]*name="role"[^>]*value="viewer"[^>]*checked', page)
    assert field_value(page, "password") == ""


def test_only_the_posted_forms_declared_fields_are_refilled(app_context, client, auth):
    """A field the posted form does not declare is never kept, even when the page's own form has one of that
    name: text posted to the password form does not turn up in the update form."""
    owner = make_user("owner")
    plan = make_plan(actions=1, owner=owner)
    action_page = f"/actions/{plan.actions[0].id}"
    assert auth.login(owner).status_code == 302
    token = CSRF_RE.search(client.get("/account/password").get_data(as_text=True)).group(1)
    end_elsewhere("signed out elsewhere", client, owner)
    form = {"current_password": "x", "text": "Your account is locked: call 0800", "return_to": action_page}
    sent = client.post("/account/password", data={**form, "csrf_token": token})
    assert sent.headers["Location"] == f"/sign-in?next={action_page}"  # a local page: back there
    sign_in_as_a_browser_does(client, auth, db.session.get(User, owner.id), sent.headers["Location"], "")
    page = check_page(client.get(action_page))
    assert textarea_value(page, "text") == "" and "call 0800" not in page


def test_kept_text_older_than_30_minutes_is_not_refilled(app_context, client, auth, monkeypatch):
    lead, action_page, _, sent = _post_an_update_after_signing_out_elsewhere(
        client, auth, headers={"Referer": "http://localhost/actions/1"}
    )
    sign_in_as_a_browser_does(client, auth, db.session.get(User, lead.id), sent.headers["Location"], "")
    later = time.time() + 31 * 60
    monkeypatch.setattr("app.kept_text.time.time", lambda: later)
    page = check_page(client.get(action_page))
    assert textarea_value(page, "text") == "" and TEXT.splitlines()[0] not in page


def test_every_form_of_the_app_is_a_base_form_so_it_can_be_refilled():
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import app as package
    from app.forms import BaseForm

    for module in pkgutil.walk_packages(package.__path__, "app."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    forms, stack = [], list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        forms.append(form)
        stack.extend(form.__subclasses__())
    ours = [form for form in forms if form.__module__.startswith("app.") and form is not BaseForm]
    assert len(ours) > 20
    assert [form.__qualname__ for form in ours if not issubclass(form, BaseForm)] == []
