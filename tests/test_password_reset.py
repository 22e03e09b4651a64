"""Forgotten password: a single-use link that expires, by e-mail (a real SMTP server on 127.0.0.1) or issued by an
admin; throttled, audited, saying nothing about which addresses have accounts, and never a way round two-factor."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEvent, PasswordReset, User
from app.models.base import utcnow
from app.services.accounts import password_reset
from tests.conftest import CSRF_RE, AuthActions, csrf_token
from tests.factories import make_user

NEW = "a brand new passphrase for spring"
NONCE_RE = re.compile(r'nonce="[^"]+"')
LINK_RE = re.compile(r"https://tracker\.example\.police\.uk/reset-password/([A-Za-z0-9_-]{40,})")


def ask(client, email: str):
    token = csrf_token(client, "/sign-in/forgotten-password")
    response = client.post("/sign-in/forgotten-password", data={"email": email, "csrf_token": token})
    response.close()  # as every WSGI server does once the answer is sent (PEP 3333): the e-mail goes then
    return response


def set_password(client, link_path: str, password: str = NEW, confirm: str | None = None):
    opened = client.get(link_path)
    if opened.status_code != 302:
        return opened
    token = csrf_token(client, "/reset-password")
    return client.post(
        "/reset-password", data={"new_password": password, "confirm": confirm or password, "csrf_token": token}
    )


def verbs(user=None) -> list[tuple[str, str]]:
    query = db.select(AuditEvent).where(AuditEvent.verb.like("password_reset.%")).order_by(AuditEvent.id)
    return [(e.verb, e.detail) for e in db.session.scalars(query)]


def emailed_link(smtp) -> str:
    message = smtp.wait_for(1)[-1]
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(0).removeprefix("https://tracker.example.police.uk")


def test_a_link_by_email_sets_a_new_password_once(app_context, client, smtp):
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-in/forgotten-password">Forgotten your password?' in page
    answer = ask(client, "Owner@Example.police.uk ")
    assert answer.status_code == 200
    assert "If that address has an account, we have sent a link" in answer.get_data(as_text=True)
    message = smtp.wait_for(1)[0]
    assert message.recipients == ["owner@example.police.uk"]
    assert "works once" in message.body and "within 1 hour" in message.body
    link = emailed_link(smtp)

    opened = client.get(link)
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/reset-password")
    token = csrf_token(client, "/reset-password")
    done = client.post("/reset-password", data={"new_password": NEW, "confirm": NEW, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/sign-in")
    assert AuthActions(client).login(owner, NEW).status_code == 302
    assert AuthActions(client).logout().status_code == 302

    again = client.get(link)
    assert again.status_code == 404 and "This link does not work" in again.get_data(as_text=True)
    assert verbs() == [
        ("password_reset.request", "owner@example.police.uk"),
        ("password_reset.use", "email"),
        ("password_reset.invalid", "used"),
    ]


def test_an_unknown_address_gets_the_same_answer_and_no_email(app_context, client, smtp):
    make_user("owner", email="owner@example.police.uk")
    known = ask(client, "owner@example.police.uk").get_data(as_text=True)
    unknown = ask(client, "nobody@example.police.uk").get_data(as_text=True)

    def same(page: str) -> str:
        return NONCE_RE.sub("", CSRF_RE.sub("", page))

    assert same(known) == same(unknown)
    smtp.wait_for(2, timeout=1)
    assert [m.recipients for m in smtp.messages] == [["owner@example.police.uk"]]
    assert db.session.scalar(db.select(db.func.count()).select_from(PasswordReset)) == 1
    unknown_event = verbs()[-1]
    assert unknown_event[0] == "password_reset.request"
    assert unknown_event[1].startswith("unknown address ") and "nobody" not in unknown_event[1]


def test_the_link_stops_working_after_an_hour(app_context, app, client, smtp):
    make_user("owner", email="owner@example.police.uk")
    ask(client, "owner@example.police.uk")
    link = emailed_link(smtp)
    app.config["NOW"] = utcnow() + timedelta(minutes=61)
    refused = set_password(client, link)
    assert "has expired or has already been used" in refused.get_data(as_text=True)
    assert verbs()[-1] == ("password_reset.invalid", "expired")
    app.config["NOW"] = None
    assert set_password(client, link).status_code == 302  # within the hour it works


def test_only_a_keyed_digest_of_the_token_is_stored(app_context, app, client, smtp):
    make_user("owner", email="owner@example.police.uk")
    ask(client, "owner@example.police.uk")
    token = emailed_link(smtp).rsplit("/", 1)[1]
    reset = db.session.scalars(db.select(PasswordReset)).one()
    assert reset.token_digest == password_reset.token_digest(token) != token
    assert len(reset.token_digest) == 64
    with db.engine.connect() as connection:
        for table in ("password_reset", "audit_event", "sent_email", "user"):
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"'):
                assert all(token not in str(value) for value in row), table
    app.secret_key = "another key entirely, as on another deployment"
    assert password_reset.token_digest(token) != reset.token_digest  # keyed: a copy of the table alone is no use


def test_a_reset_ends_other_sessions_and_two_factor_is_still_asked_for(app_context, app, client, smtp):
    lead = make_user("lead", email="lead@example.police.uk")  # enrolled in an authenticator app
    elsewhere = app.test_client()
    assert AuthActions(elsewhere).login(lead).status_code == 302
    assert elsewhere.get("/plans").status_code == 200

    ask(client, "lead@example.police.uk")
    assert set_password(client, emailed_link(smtp)).status_code == 302

    assert elsewhere.get("/plans").headers["Location"].startswith("/sign-in")  # that session has ended
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"email": lead.email, "password": NEW, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code")
    assert client.get("/plans").headers["Location"].startswith("/sign-in")  # not signed in without the code
    assert AuthActions(client).enter_code(lead).status_code == 302


def test_an_admin_issues_a_link_to_pass_on_without_smtp(app, client, auth, login_as):
    owner = make_user("owner", email="partner@example.org", name="Hope SPOC")
    admin = login_as("admin")
    users_page = client.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{owner.id}/reset-link"' in users_page
    shown = auth.post(f"/admin/users/{owner.id}/reset-link", {}, form_url="/admin/users")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    link = re.search(r'id="reset-link">http://localhost(/reset-password/[A-Za-z0-9_-]+)<', shown.get_data(as_text=True))
    assert link, shown.get_data(as_text=True)
    assert verbs() == [("password_reset.issue", "partner@example.org")]
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="password_reset.issue")).one()
    assert (event.actor, event.record_id) == (admin.email, owner.id)

    partner = app.test_client()
    assert set_password(partner, link.group(1)).status_code == 302
    assert AuthActions(partner).login(db.session.get(User, owner.id), NEW).status_code == 302
    assert verbs()[-1] == ("password_reset.use", "admin")


def test_a_weak_password_is_refused_and_the_link_still_works(app_context, client, smtp):
    make_user("owner", email="owner@example.police.uk")
    ask(client, "owner@example.police.uk")
    link = emailed_link(smtp)
    weak = set_password(client, link, "password123456")
    page = weak.get_data(as_text=True)
    assert weak.status_code == 200 and "govuk-error-summary" in page
    token = csrf_token(client, "/reset-password")
    done = client.post("/reset-password", data={"new_password": NEW, "confirm": NEW, "csrf_token": token})
    assert done.status_code == 302


def test_a_deactivated_account_cannot_use_its_link(app_context, client, smtp, auth):
    owner = make_user("owner", email="owner@example.police.uk")
    ask(client, "owner@example.police.uk")
    link = emailed_link(smtp)
    owner.active = False
    db.session.commit()
    assert "This link does not work" in set_password(client, link).get_data(as_text=True)
    assert verbs()[-1] == ("password_reset.invalid", "deactivated")


def test_asking_is_throttled_per_address_typed_and_per_computer(app_context, app, client, smtp):
    make_user("owner", email="owner@example.police.uk")
    answers = [ask(client, "owner@example.police.uk").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]  # 3 an hour for one address
    answers = [ask(client, f"someone{n}@example.police.uk").status_code for n in range(8)]
    assert answers == [200] * 7 + [429]  # 10 an hour from one computer (a refused ask is not kept)
    assert len(smtp.wait_for(3, timeout=5)) == 3


def test_links_that_do_not_work_are_throttled_per_computer(client):
    answers = [client.get(f"/reset-password/guess{n}").status_code for n in range(11)]
    assert answers == [404] * 10 + [429]


@pytest.mark.parametrize("typed", ["", "x" * 300])
def test_a_bad_address_is_refused_on_the_form(app_context, client, typed):
    page = ask(client, typed).get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert verbs() == []
