"""The return sheet in a real browser: an owner downloads it, fills it in, uploads it, checks and confirms."""

import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Strand
from app.services.actions import updating
from tests.e2e.browsing import open_browser
from tests.e2e.test_journeys import action_of, import_seed
from tests.factories import make_user
from tests.test_return_sheet import COL, rows_by_ref

pytestmark = pytest.mark.e2e


def test_an_owner_returns_the_sheet_and_keeps_the_text_of_a_conflict(app_context, live_server, new_context, tmp_path):
    plan = import_seed()
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    mine = [action_of(plan, Strand.PREPARE, ref) for ref in ("1", "2")]
    for action in mine:
        action.owners.append(owner)
    db.session.commit()
    browser = open_browser(new_context, live_server, "return-sheet")
    page = browser.page
    browser.sign_in(owner.email)
    browser.follow(page.get_by_role("link", name="Return sheet"))
    browser.check("return sheet")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download the return sheet").click()
    book = load_workbook(io.BytesIO(waiting.value.path().read_bytes()))
    rows = rows_by_ref(book)
    book["Return"].cell(rows["Prepare 1"], COL["This update"]).value = "Venue agreed with the council"
    book["Return"].cell(rows["Prepare 1"], COL["RAG"]).value = "Amber"
    book["Return"].cell(rows["Prepare 2"], COL["This update"]).value = "Training booked for May"
    filled = tmp_path / "return.xlsx"
    book.save(filled)
    changed = action_of(plan, Strand.PREPARE, "2")
    updating.add_update(
        changed,
        owner,
        text="Written meanwhile",
        as_at=changed.plan.period_start,
        rag=None,
        seen_version=changed.version,
    )

    page.get_by_label("Upload a filled-in return sheet").set_input_files(str(filled))
    browser.follow(page.get_by_role("button", name="Upload and check"))
    assert browser.heading() == "Check the return sheet"
    assert page.get_by_label("Your update on Prepare 2").input_value() == "Training booked for May"
    browser.check("check the return sheet")
    browser.follow(page.get_by_role("button", name="Add these updates"))
    assert "1 update added from the return sheet" in browser.banner()
    browser.check("after adding")
    db.session.expire_all()
    assert action_of(plan, Strand.PREPARE, "1").updates[-1].text == "Venue agreed with the council"
