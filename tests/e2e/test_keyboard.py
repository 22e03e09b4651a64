"""Keyboard only: an owner fills in and sends the update form with Tab, arrows, Space and Enter, no mouse."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import Rag, Update
from tests.e2e.browsing import open_browser
from tests.factories import make_plan, make_user

pytestmark = pytest.mark.e2e

FORM_ORDER = ["as_at-day", "as_at-month", "as_at-year", "text", "rag-3", "restricted", "submit"]


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab from wherever the focus is until it reaches the element, as a keyboard user would."""
    for _ in range(limit):
        if focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def send_with_enter(page) -> None:
    """Enter on the focused submit button, then wait for the page the form leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def retype(page, text: str) -> None:
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


def test_an_owner_adds_an_update_with_the_keyboard_alone(app_context, live_server, new_context):
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    plan = make_plan(title="Local Delivery Plan", actions=1, owner=owner, rag=Rag.GREEN)
    action = plan.actions[0]
    browser = open_browser(new_context, live_server, "owner-keyboard-only")
    page = browser.page
    browser.sign_in("owner@example.police.uk")
    browser.go(f"/actions/{action.id}")
    browser.check("the action")

    # Sending the form empty: the error summary takes the focus, and its link takes the focus to the field.
    tab_to(page, "text")
    tab_to(page, "submit")
    send_with_enter(page)
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    browser.check("the update form with an error")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Enter the update"
    page.keyboard.press("Enter")
    assert focused(page) == "text"

    # Filling it in, in the order the fields are read.
    yesterday = date.today() - timedelta(days=1)
    tab_to(page, "as_at-day")
    order = []
    retype(page, str(yesterday.day))
    order.append(focused(page))
    page.keyboard.press("Tab")
    retype(page, str(yesterday.month))
    order.append(focused(page))
    page.keyboard.press("Tab")
    retype(page, str(yesterday.year))
    order.append(focused(page))
    page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse: training dates agreed with L&D.")
    order.append(focused(page))
    page.keyboard.press("Tab")  # into the RAG radios, on the one checked (Green)
    order.append(focused(page))
    page.keyboard.press("ArrowLeft")  # Green to Amber
    page.keyboard.press("Tab")
    order.append(focused(page))
    page.keyboard.press("Space")  # tick Restricted
    page.keyboard.press("Tab")
    order.append(focused(page))
    assert order == FORM_ORDER
    assert page.get_by_label("Amber").is_checked() and page.get_by_label("Restricted").is_checked()
    browser.check("the update form filled in")
    send_with_enter(page)

    assert "Your update has been added" in browser.banner()
    browser.check("the update added")
    db.session.expire_all()
    update = db.session.scalars(db.select(Update).filter_by(action_id=action.id)).one()
    assert (update.text, update.as_at, update.rag, update.restricted) == (
        "Typed without a mouse: training dates agreed with L&D.",
        yesterday,
        Rag.AMBER,
        True,
    )
