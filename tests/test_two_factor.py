"""Two-factor sign-in with an authenticator app (TOTP), exercised through the real pages with pyotp's codes."""

import re
import time

import pyotp

from app.extensions import db
from app.models import AuditEvent, User
from app.services.accounts import second_factor, users
from tests.conftest import SECRET_RE, csrf_token
from tests.factories import PASSWORD, make_user
from tests.pages import check_page

CODE_PAGE = "/sign-in/code"
SET_UP_AT_SIGN_IN = "/sign-in/set-up-two-factor"


def password_step(client, user, next_url: str | None = None):
    token = csrf_token(client)
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": user.email, "password": PASSWORD, "csrf_token": token})


def signed_in(client) -> bool:
    return client.get("/plans").status_code == 200


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def enrol(user: User) -> tuple[str, list[str]]:
    secret = pyotp.random_base32()
    codes = second_factor.enable(user, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    return secret, codes


# Setting up at sign-in (required for admins and leads) -------------------------------------------------


def test_admin_without_an_app_must_set_one_up_before_anything_else(app_context, client, auth):
    admin = make_user("admin", two_factor=False)
    response = password_step(client, admin)
    assert response.headers["Location"] == SET_UP_AT_SIGN_IN
    assert not signed_in(client)
    assert client.get("/account").headers["Location"].startswith("/sign-in")
    page = check_page(client.get(SET_UP_AT_SIGN_IN))
    assert "Administrators and plan leads must set up two-factor sign-in" in page
    assert re.search(r"<svg[^>]*class=\"app-qr\"", page) and "<title>QR code for your authenticator app" in page
    assert not re.search(r"<img[^>]+src=\"https?:", page)  # drawn here, not fetched from a QR service
    assert SECRET_RE.search(page)


def test_wrong_code_at_set_up_stores_nothing_and_signs_nobody_in(app_context, client, auth):
    lead = make_user("lead", two_factor=False)
    password_step(client, lead)
    response = auth.post(SET_UP_AT_SIGN_IN, {"code": "000000"})
    assert "The code is not right" in check_page(response)
    assert fresh(lead).totp_secret is None
    assert not signed_in(client)


def test_set_up_at_sign_in_shows_ten_recovery_codes_once_and_signs_in(app_context, client, auth):
    lead = make_user("lead", two_factor=False)
    password_step(client, lead, next_url="/plans")
    grouped = SECRET_RE.search(client.get(SET_UP_AT_SIGN_IN).get_data(as_text=True)).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", grouped)  # 32 characters in groups of four
    shown = grouped.replace(" ", "")
    page = check_page(auth.post(SET_UP_AT_SIGN_IN, {"code": pyotp.TOTP(shown).now()}))
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/plans"' in page  # carries on where they were going
    assert signed_in(client)
    stored = fresh(lead)
    assert stored.totp_secret == shown  # the secret shown is the one kept
    hashes = stored.recovery_codes.splitlines()
    assert len(hashes) == 10 and all(h.startswith("hmac-sha256$") for h in hashes)
    assert not any(code.replace("-", "") in stored.recovery_codes for code in codes)
    assert db.session.scalar(db.select(AuditEvent.id).filter_by(verb="user.two_factor_enable", record_id=lead.id))


def test_the_secret_survives_a_reload_of_the_set_up_page(app_context, client):
    admin = make_user("admin", two_factor=False)
    password_step(client, admin)
    first = SECRET_RE.search(client.get(SET_UP_AT_SIGN_IN).get_data(as_text=True)).group(1)
    second = SECRET_RE.search(client.get(SET_UP_AT_SIGN_IN).get_data(as_text=True)).group(1)
    assert first == second


# The code after the password -------------------------------------------------------------------------


def test_enrolled_user_is_not_signed_in_until_the_code_is_right(app_context, client, auth):
    lead = make_user("lead")
    assert password_step(client, lead).headers["Location"] == CODE_PAGE
    assert not signed_in(client)
    wrong = auth.post(CODE_PAGE, {"code": "123456"})
    assert "The code is not right" in check_page(wrong)
    assert not signed_in(client)
    failure = db.session.scalars(db.select(AuditEvent).filter_by(verb="sign_in.failure", record_id=lead.id)).one()
    assert failure.detail == "wrong code"
    right = auth.enter_code(lead)
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert signed_in(client)


def test_next_is_kept_through_the_code_step(app_context, client, auth):
    lead = make_user("lead")
    password_step(client, lead, next_url="/account")
    assert auth.enter_code(lead).headers["Location"] == "/account"


def test_session_is_renewed_after_the_second_factor(app_context, app, client, auth):
    lead = make_user("lead")
    password_step(client, lead)
    half_way = client.get_cookie("session").value
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.enter_code(lead)
    with client.session_transaction() as session:
        assert "planted" not in session and "pending_sign_in" not in session
    other = app.test_client()
    other.set_cookie("session", half_way)
    assert other.get("/plans").status_code == 302  # the half-way cookie never becomes a signed-in one


def test_codes_from_the_last_half_minute_work_and_older_ones_do_not(app_context, client, auth):
    lead = make_user("lead")
    secret = fresh(lead).totp_secret
    password_step(client, lead)
    stale = pyotp.TOTP(secret).at(time.time() - 120)
    assert "The code is not right" in check_page(auth.post(CODE_PAGE, {"code": stale}))
    previous = pyotp.TOTP(secret).at(time.time() - 30)
    assert auth.post(CODE_PAGE, {"code": previous}).status_code == 302


def test_code_page_without_a_password_first_goes_back_to_sign_in(client):
    assert client.get(CODE_PAGE).headers["Location"] == "/sign-in"
    assert client.get(SET_UP_AT_SIGN_IN).headers["Location"] == "/sign-in"


def test_half_way_sign_in_expires_after_five_minutes(app_context, client, auth):
    lead = make_user("lead")
    password_step(client, lead)
    with client.session_transaction() as session:
        session["pending_sign_in"] = {**session["pending_sign_in"], "at": time.time() - 6 * 60}
    response = client.get(CODE_PAGE)
    assert response.headers["Location"] == "/sign-in"
    assert "within 5 minutes" in check_page(client.get("/sign-in"))


def test_deactivation_half_way_ends_the_sign_in(app_context, client, auth):

    lead = make_user("lead")
    password_step(client, lead)
    users.deactivate(fresh(lead), by=None)
    db.session.commit()
    assert client.get(CODE_PAGE).headers["Location"] == "/sign-in"


def test_wrong_codes_are_throttled(app_context, client, auth):
    lead = make_user("lead")
    password_step(client, lead)
    statuses = [auth.post(CODE_PAGE, {"code": f"{n:06d}"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert not signed_in(client)


# Recovery codes ----------------------------------------------------------------------------------------


def test_a_recovery_code_works_once(app_context, client, auth):
    lead = make_user("lead", two_factor=False)
    _, codes = enrol(lead)
    password_step(client, lead)
    typed = codes[3].upper().replace("-", " ")  # as read off paper
    assert auth.post(CODE_PAGE, {"code": typed}).status_code == 302
    assert "9 recovery codes left" in check_page(client.get("/account"))
    auth.logout()
    password_step(client, lead)
    assert "The code is not right" in check_page(auth.post(CODE_PAGE, {"code": codes[3]}))
    used = db.session.scalar(db.select(AuditEvent).filter_by(verb="user.recovery_code_used", record_id=lead.id))
    assert used.detail == "9 recovery codes left"


# Optional for owners and viewers --------------------------------------------------------------------------


def test_owner_signs_in_with_a_password_and_may_turn_two_factor_on(app_context, app, client, auth):
    owner = make_user("owner")
    assert password_step(client, owner).headers["Location"] == "/"
    account = check_page(client.get("/account"))
    assert "Off (optional for your role)" in account and 'href="/account/two-factor"' in account
    old_cookie = client.get_cookie("session").value
    assert "Save your recovery codes" in check_page(auth.set_up_two_factor())
    assert signed_in(client)  # this browser carries on
    other = app.test_client()
    other.set_cookie("session", old_cookie)
    assert other.get("/plans").status_code == 302  # turning it on signed other browsers out
    auth.logout()
    assert password_step(client, owner).headers["Location"] == CODE_PAGE


def test_set_up_page_for_someone_already_enrolled_goes_to_the_account_page(client, login_as):
    login_as("lead")
    response = client.get("/account/two-factor")
    assert response.headers["Location"] == "/account"


def test_a_lead_whose_app_is_removed_is_signed_out(client, login_as):
    lead = login_as("lead")
    assert signed_in(client)
    stored = fresh(lead)
    stored.totp_secret = None  # without rotating the token: the loader still refuses the session
    db.session.commit()
    assert not signed_in(client)


def test_reset_ends_sessions_and_asks_for_a_new_app_at_next_sign_in(client, auth, login_as):
    lead = login_as("lead")
    second_factor.reset(fresh(lead), by=None)
    db.session.commit()
    assert not signed_in(client)
    assert password_step(client, lead).headers["Location"] == SET_UP_AT_SIGN_IN


def test_a_code_that_was_used_once_cannot_be_used_again(app_context, client, auth):
    lead = make_user("lead")
    secret = fresh(lead).totp_secret
    code = pyotp.TOTP(secret).now()
    password_step(client, lead)
    assert auth.post(CODE_PAGE, {"code": code}).status_code == 302
    auth.logout()
    password_step(client, lead)  # someone who watched the code being typed tries it straight away
    assert "The code is not right" in check_page(auth.post(CODE_PAGE, {"code": code}))
    assert not signed_in(client)
