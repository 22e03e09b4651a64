"""Printing and phones, in a real browser on the seed plan: the browser's own print of the dashboard is clean, every
table reads at 390 px, and after an update the success banner is in view."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Rag, Strand
from app.services.actions import updating
from tests.e2e.browsing import Person, open_browser
from tests.e2e.test_journeys import action_of, import_seed, totp_secret
from tests.factories import make_review, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
A4_WIDTH = 794  # CSS pixels of an A4 page at 96 dpi

OVERFLOW = """() => ({page: document.documentElement.scrollWidth, viewport: window.innerWidth,
  wide: [...document.querySelectorAll("table")].filter(t => t.getBoundingClientRect().right > window.innerWidth + 1)
    .map(t => t.id || t.className)})"""
# What is written after each link. An empty string is no text: GOV.UK's back link widens its touch area with it.
LINK_AFTER = """() => [...document.querySelectorAll("main a[href]")].map(a => getComputedStyle(a, "::after").content)
  .filter(c => c && c !== "none" && c !== "normal" && c !== '""')"""
# The viewport box of each RAG tag in a table, as Playwright's bounding_box() gives it for the main frame.
TAG_BOXES = """() => [...document.querySelectorAll("main td .app-rag, main th .app-rag")].map(e => {
  const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height};
})"""
HIDDEN = """(selector) => [...document.querySelectorAll(selector)].every(e => getComputedStyle(e).display === "none")"""


@pytest.fixture
def seeded(app_context, app):
    """The seed plan with a lead, an owner of every Prepare action, and proposals waiting in the queue."""
    plan = import_seed()
    lead = make_user("lead", email="lead@example.police.uk", name="DSupt Walton")
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    plan.lead_user = lead
    for action in plan.actions:
        if action.strand is Strand.PREPARE:
            action.owners.append(owner)
    db.session.commit()
    make_review(plan, held_on=date.today() - timedelta(days=14))  # the dashboard's "changed since" table too
    for ref, rag in (("1", Rag.RED), ("2", Rag.AMBER)):
        action = action_of(plan, Strand.PREPARE, ref)
        text = "Reception centre partner withdrew; a second venue is being sought with the council. " * 3
        updating.add_update(action, owner, text=text, as_at=date.today(), rag=rag, seen_version=action.version)
    return plan, lead, owner


def test_printing_the_dashboard_shows_no_navigation_no_urls_and_tables_that_fit_the_page(
    live_server, new_context, seeded
):
    plan, lead, _ = seeded
    browser = open_browser(new_context, live_server, "lead-prints-the-dashboard")
    page = browser.page
    browser.sign_in("lead@example.police.uk", totp_secret=totp_secret(lead))
    browser.go(f"/plans/{plan.id}/dashboard")
    browser.check("the dashboard on screen")
    assert page.evaluate(LINK_AFTER) == []  # on screen there is nothing after links either

    page.set_viewport_size({"width": A4_WIDTH, "height": 1123})
    page.emulate_media(media="print")
    assert page.evaluate(HIDDEN, ".govuk-header, .govuk-service-navigation, .govuk-footer, .govuk-back-link")
    assert page.evaluate(LINK_AFTER) == [], "no URL is printed after a link"
    found = page.evaluate(OVERFLOW)
    # 1 px of slack: the 1 px screen-reader-only spans in the last column's cells sit on the table's right edge.
    assert found["wide"] == [] and found["page"] <= found["viewport"] + 1, found
    total = page.locator("#rag-by-strand-table thead th").last
    expect(total).to_have_text("Total")
    assert total.bounding_box()["x"] + total.bounding_box()["width"] <= A4_WIDTH
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")


def narrow_check(browser, step: str) -> None:
    """At 390 px: the page does not scroll sideways, and every table and RAG tag sits inside the viewport."""
    page = browser.page
    found = page.evaluate(OVERFLOW)
    assert found["page"] <= PHONE["width"] and found["wide"] == [], f"{step}: {found}"
    # Every tag's box in one call (a round trip to the browser per tag cost about a second a page).
    boxes = page.evaluate(TAG_BOXES)
    for i, box in enumerate(boxes):
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{step}: RAG {i} at {box}"
    browser.check(step)


def test_every_table_reads_at_390_px_and_confirm_is_on_screen(live_server, new_context, seeded):
    plan, lead, owner = seeded
    lead_phone = Person(new_context().new_page(), live_server.url, "lead-on-a-phone")
    lead_phone.page.set_viewport_size(PHONE)
    lead_phone.sign_in("lead@example.police.uk", totp_secret=totp_secret(lead))
    page = lead_phone.page
    for step, path in (
        ("plans", "/plans"),
        ("plan", f"/plans/{plan.id}"),
        ("dashboard", f"/plans/{plan.id}/dashboard"),
        ("action", f"/actions/{action_of(plan, Strand.PREPARE, '1').id}"),
        ("strategic links", "/links/PCC"),
        ("record a review", f"/plans/{plan.id}/reviews/new"),
        ("plan settings", f"/plans/{plan.id}/settings"),
        ("e-mail notifications", "/account/notifications"),
        ("return sheet", "/returns"),
        ("review queue", f"/plans/{plan.id}/review"),
    ):
        lead_phone.go(path)
        narrow_check(lead_phone, step)

    confirms = page.get_by_role("button", name="Confirm")
    assert confirms.count() == 2
    for i in range(confirms.count()):
        box = confirms.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    first = page.locator("#review-queue tbody tr").first
    expect(first.locator("td").first).to_have_attribute("data-label", "Action")
    expect(first).to_contain_text("Reception centre partner withdrew")  # the owner's words beside Confirm

    owner_phone = Person(new_context().new_page(), live_server.url, "owner-on-a-phone")
    owner_phone.page.set_viewport_size(PHONE)
    owner_phone.sign_in("owner@example.police.uk")
    narrow_check(owner_phone, "my actions")
    expect(owner_phone.page.locator("main")).to_contain_text("Proposed Red, awaiting review")


def test_after_an_update_the_success_banner_is_in_view(live_server, new_context, seeded):
    plan, _, owner = seeded
    browser = open_browser(new_context, live_server, "owner-sees-the-banner")
    page = browser.page
    browser.sign_in("owner@example.police.uk")
    browser.go(f"/actions/{action_of(plan, Strand.PREPARE, '9').id}")
    page.get_by_label("Update", exact=True).fill("Victim care leaflets printed and handed to neighbourhood teams.")
    page.get_by_role("group", name="Proposed RAG").get_by_label("Green").check()
    browser.follow(page.get_by_role("button", name="Add update"))
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_be_in_viewport()
    expect(banner).to_be_focused()
    expect(page.locator("#rag-standing")).to_contain_text("Proposed Green, awaiting review")
    browser.check("the banner after the update")
