"""A form sent after the session ended elsewhere: the browser signs in again and finds the form filled in.

The owner types an update; meanwhile they are signed out everywhere (from another device). Sending the form
leads to the sign-in page, which says why; after signing in, the browser is back on the action page (not on
the form's POST-only address) with the text, the date, the RAG and the restricted box as typed, and sending it
then saves the update.
"""

from datetime import date

import pytest

from app.extensions import db
from app.models import Rag, Update, User
from app.services.accounts import sessions
from tests.e2e.browsing import open_browser
from tests.factories import PASSWORD, make_plan, make_user

pytestmark = pytest.mark.e2e

TEXT = "Met the Salvation Army on 3 March; referral pathway agreed.\nMOU to follow in April."


def test_an_update_typed_before_being_signed_out_elsewhere_is_back_in_the_form(app_context, live_server, new_context):
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    plan = make_plan(title="Local Delivery Plan", actions=1, owner=owner, rag=Rag.GREEN)
    action = plan.actions[0]
    browser = open_browser(new_context, live_server, "owner-signed-out-while-typing")
    page = browser.page
    browser.sign_in("owner@example.police.uk")
    browser.go(f"/actions/{action.id}")
    browser.check("the action")

    page.locator("#as_at-day").fill("3")
    page.locator("#as_at-month").fill("3")
    page.locator("#as_at-year").fill("2026")
    page.get_by_label("Update", exact=True).fill(TEXT)
    page.get_by_role("group", name="Proposed RAG").get_by_label("Amber").check()
    page.get_by_label("Restricted").check()
    sessions.sign_out(db.session.get(User, owner.id))  # "sign out everywhere", from another device
    db.session.commit()
    browser.follow(page.get_by_role("button", name="Add update"))

    assert browser.heading() == "Sign in"
    assert "You were signed out before your form was sent" in browser.banner()
    browser.check("signed out: sign in again")
    page.get_by_label("Email address").fill("owner@example.police.uk")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    browser.follow(page.get_by_role("button", name="Sign in"))

    assert page.url == f"{live_server.url}/actions/{action.id}", "back on the form's page"
    assert page.get_by_label("Update", exact=True).input_value() == TEXT
    assert page.get_by_role("group", name="Proposed RAG").get_by_label("Amber").is_checked()
    assert page.get_by_label("Restricted").is_checked()
    assert [page.locator(f"#as_at-{part}").input_value() for part in ("day", "month", "year")] == ["3", "3", "2026"]
    assert "It is back in the form below" in page.locator(".govuk-inset-text").inner_text()
    browser.check("the form filled in again")
    assert db.session.scalar(db.select(db.func.count(Update.id)).filter_by(action_id=action.id, source="app")) == 0

    browser.follow(page.get_by_role("button", name="Add update"))
    assert "Your update has been added" in browser.banner()
    browser.check("the update saved")
    db.session.expire_all()
    update = db.session.scalars(db.select(Update).filter_by(action_id=action.id, source="app")).one()
    text = update.text.replace("\r\n", "\n")  # a browser sends a textarea's lines with CR LF
    assert (text, update.rag, update.restricted, update.as_at) == (TEXT, Rag.AMBER, True, date(2026, 3, 3))
