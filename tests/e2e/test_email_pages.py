"""The pages of the e-mail work in a real browser: a forgotten password set again through the e-mailed link
(a real SMTP server on 127.0.0.1), and the choice of e-mails under the account. Every page is checked by axe."""

import re

import pytest

from app.extensions import db
from app.services.notifications import preferences
from tests.e2e.browsing import open_browser
from tests.factories import make_user

pytestmark = pytest.mark.e2e

NEW = "a brand new passphrase for spring"


def test_an_owner_who_forgot_the_password_sets_a_new_one_and_chooses_their_emails(
    app_context, live_server, new_context, smtp
):
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    browser = open_browser(new_context, live_server, "forgotten-password")
    page = browser.page
    browser.go("/sign-in")
    browser.follow(page.get_by_role("link", name="Forgotten your password?"))
    browser.check("forgotten your password")
    page.get_by_label("Email address").fill("owner@example.police.uk")
    browser.follow(page.get_by_role("button", name="Send the link"))
    assert browser.heading() == "Check your e-mail"
    browser.check("check your e-mail")

    body = smtp.wait_for(1)[0].body
    link = re.search(r"https://tracker\.example\.police\.uk(/reset-password/\S+)", body).group(1)
    browser.go(link)
    assert page.url.endswith("/reset-password"), "the token leaves the address bar"
    browser.check("set a new password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    browser.follow(page.get_by_role("button", name="Set the new password"))
    browser.check("a password too short")
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Confirm new password").fill(NEW)
    browser.follow(page.get_by_role("button", name="Set the new password"))
    assert "Your new password is set" in browser.banner()

    browser.sign_in(owner.email, password=NEW)
    assert browser.heading() == "My actions"
    browser.go("/account")
    browser.follow(page.get_by_role("link", name="Change your e-mail notifications"))
    browser.check("e-mail notifications")
    page.get_by_label("RAG decisions").uncheck()
    browser.follow(page.get_by_role("button", name="Save"))
    assert "Your e-mail choices have been saved" in browser.banner()
    db.session.expire_all()
    assert preferences.turned_off(owner) == {"decision"}
    browser.go(link)
    browser.check("a used link")


def test_an_admin_issues_a_reset_link_the_owner_then_uses(app_context, live_server, new_context):
    from tests.e2e.test_journeys import totp_secret

    admin = make_user("admin", email="admin@example.police.uk", name="Alex Admin")
    make_user("owner", email="spoc@partner.example.org", name="Hope SPOC")
    browser = open_browser(new_context, live_server, "admin-issues-a-reset-link")
    page = browser.page
    browser.sign_in(admin.email, totp_secret=totp_secret(admin))
    browser.go("/admin/users")
    browser.check("users")
    browser.follow(page.get_by_role("button", name="Password reset link for Hope SPOC"))
    assert browser.heading() == "Password reset link for Hope SPOC"
    browser.check("the link, shown once")
    link = page.locator("#reset-link").inner_text()
    partner = open_browser(new_context, live_server, "partner-uses-the-admin-link")
    partner.page.goto(link)
    assert partner.heading() == "Set a new password"
    partner.check("set a new password")
