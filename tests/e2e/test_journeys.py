"""Each person's journey through the tracker in a real browser, on the real seed plan.

Each journey starts from what the person before left behind (made through the services), so each can fail
on its own: the admin imports the seed workbook; the owner adds an update proposing a RAG; the lead confirms
that RAG and sees the dashboard change; the PCC office downloads the Excel export.
"""

import re
from datetime import date
from pathlib import Path

import pyotp
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from app.extensions import db
from app.models import Action, Plan, PlanKind, Rag, Strand, Update, User
from app.services.actions import updating
from app.services.importing.saving import import_workbook
from app.services.reviewing.decisions import decide_rag
from tests.conftest import SEED_WORKBOOK
from tests.e2e.browsing import open_browser
from tests.factories import make_user

pytestmark = pytest.mark.e2e

LOCAL_TITLE = "Public Protection Delivery Plan 2015-16"
PCC_TITLE = "PCC Deliverables: Modern Day Slavery Delivery Plan – 2015-16"


def import_seed() -> Plan:
    """The seed workbook as the admin's journey leaves it; returns the local delivery plan."""
    with open(SEED_WORKBOOK, "rb") as stream:
        import_workbook(stream.read(), Path(SEED_WORKBOOK).name)
    return db.session.scalars(db.select(Plan).filter_by(kind=PlanKind.LOCAL)).one()


def action_of(plan: Plan, strand: Strand, ref: str) -> Action:
    return db.session.scalars(db.select(Action).filter_by(plan_id=plan.id, strand=strand, ref=ref)).one()


def totp_secret(user: User) -> str:
    return db.session.scalar(db.select(User.totp_secret).filter_by(id=user.id))


def strand_count(person, strand: str, rag: str) -> int:
    """The number in the dashboard's RAG-by-strand table, as the lead reads it."""
    table = person.page.locator("#rag-by-strand-table")
    headings = [" ".join(text.split()) for text in table.locator("thead th").all_inner_texts()]
    row = table.locator("tbody tr").filter(has=person.page.locator("th", has_text=strand))
    cell = row.locator("td").nth(headings.index(rag) - 1)
    return int(re.match(r"\d+", cell.inner_text().strip()).group(0))


def test_admin_sets_up_two_factor_then_uploads_checks_and_imports_the_seed_workbook(
    app_context, live_server, new_context
):
    make_user("admin", email="admin@example.police.uk", name="Alex Admin", two_factor=False)
    admin = open_browser(new_context, live_server, "admin-imports-the-seed")
    page = admin.page

    admin.sign_in("admin@example.police.uk")
    assert page.url.endswith("/sign-in/set-up-two-factor"), "an admin sets up two-factor sign-in first"
    admin.check("set up two-factor sign-in")
    secret = "".join(page.locator("#totp-secret").inner_text().split())  # shown in groups of four
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    admin.follow(page.get_by_role("button", name="Turn on two-factor sign-in"))
    assert admin.heading() == "Save your recovery codes"
    admin.check("save your recovery codes")
    admin.follow(page.get_by_role("link", name="I have saved my codes, continue"))

    assert admin.heading() == "Plans"
    admin.check("plans, none yet")
    admin.follow(page.get_by_role("link", name="Import a plan"))
    admin.check("import a plan")
    page.get_by_label("Upload a plan workbook").set_input_files(SEED_WORKBOOK)
    admin.follow(page.get_by_role("button", name="Upload and check"))

    assert admin.heading() == "Check the plan before you import it"
    expect(page.get_by_role("heading", name=re.compile(re.escape(LOCAL_TITLE)))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("PCC Deliverables"))).to_be_visible()
    expect(page.get_by_text("13 new, 0 changed, 0 unchanged")).to_be_visible()
    admin.check("check the plan before you import it")
    assert db.session.scalar(db.select(db.func.count(Plan.id))) == 0, "nothing is saved before the admin confirms"
    admin.follow(page.get_by_role("button", name="Import", exact=True))

    assert admin.heading() == "Plans"
    assert f"Imported wmp-modern-slavery-delivery-plan-2015-16.xlsx: {LOCAL_TITLE}" in admin.banner()
    expect(page.get_by_role("link", name=LOCAL_TITLE)).to_be_visible()
    expect(page.get_by_role("link", name=PCC_TITLE)).to_be_visible()
    admin.check("plans, imported")
    db.session.expire_all()
    plans = {plan.title: len(plan.actions) for plan in db.session.scalars(db.select(Plan))}
    assert plans == {LOCAL_TITLE: 13, PCC_TITLE: 17}


def test_owner_opens_an_action_from_my_actions_and_adds_an_update_proposing_a_rag(
    app_context, live_server, new_context
):
    plan = import_seed()
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    action = action_of(plan, Strand.PREPARE, "9")
    action.owners.append(owner)
    db.session.commit()
    browser = open_browser(new_context, live_server, "owner-adds-an-update")
    page = browser.page

    browser.sign_in("owner@example.police.uk")
    assert browser.heading() == "My actions", "an owner lands on their own actions"
    browser.check("my actions")
    browser.follow(page.get_by_role("link", name="Prepare 9"))
    assert browser.heading() == "Prepare 9"  # the caption above it names the plan
    browser.check("the action")

    page.get_by_label("Update", exact=True).fill("Partnership referral pathway agreed with the Salvation Army.")
    page.get_by_role("group", name="Proposed RAG").get_by_label("Amber").check()
    browser.follow(page.get_by_role("button", name="Add update"))

    assert "Your update has been added" in browser.banner()
    history = page.locator("#updates ~ ol").first
    entry = history.locator("li").filter(has_text="Partnership referral pathway agreed")
    expect(entry).to_be_visible()
    expect(entry.locator(".govuk-tag")).to_have_text("Amber")
    expect(entry).to_contain_text("DCI Chisholm")
    browser.check("the update in the history")
    db.session.expire_all()
    update = db.session.scalars(db.select(Update).filter_by(action_id=action.id, source="app")).one()
    assert (update.rag, update.author_id, update.as_at) == (Rag.AMBER, owner.id, date.today())


def test_lead_confirms_the_proposed_rag_in_the_review_queue_and_sees_the_dashboard_change(
    app_context, live_server, new_context
):
    plan = import_seed()
    lead = make_user("lead", email="lead@example.police.uk", name="DSupt Walton")
    owner = make_user("owner", name="DCI Chisholm")
    plan.lead_user = lead
    action = action_of(plan, Strand.PREPARE, "9")
    action.owners.append(owner)
    db.session.commit()
    updating.add_update(
        action, owner, text="Referral pathway agreed", as_at=date.today(), rag=Rag.AMBER, seen_version=action.version
    )
    browser = open_browser(new_context, live_server, "lead-confirms-the-rag")
    page = browser.page

    browser.sign_in("lead@example.police.uk", totp_secret=totp_secret(lead))
    assert browser.heading() == "Plans"
    browser.check("plans")
    browser.follow(page.get_by_role("link", name=LOCAL_TITLE))
    browser.check("the plan")
    browser.follow(page.get_by_role("link", name="Dashboard", exact=True))
    assert browser.heading() == "Dashboard"
    before = strand_count(browser, "Prepare", "Amber")
    browser.check("the dashboard before")
    browser.follow(page.get_by_role("link", name="Review queue"))
    assert browser.heading() == "Review queue"
    browser.check("the review queue")

    browser.follow(page.get_by_role("button", name="Confirm Amber for Prepare 9"))
    assert "Prepare 9: RAG set to Amber" in browser.banner()
    expect(page.get_by_role("button", name="Confirm Amber for Prepare 9")).to_have_count(0)
    browser.check("the review queue after confirming")
    browser.follow(page.get_by_role("link", name="Back to the dashboard"))
    assert strand_count(browser, "Prepare", "Amber") == before + 1
    browser.check("the dashboard after")
    db.session.expire_all()
    assert db.session.get(Action, action.id).rag is Rag.AMBER


def test_pcc_office_downloads_the_excel_export_and_finds_the_plan_in_it(
    app_context, live_server, new_context, tmp_path
):
    import_seed()
    make_user("viewer", email="viewer@example.police.uk", name="PCC Office")
    browser = open_browser(new_context, live_server, "viewer-downloads-the-export")
    page = browser.page

    browser.sign_in("viewer@example.police.uk")
    assert browser.heading() == "Plans"
    browser.check("plans")
    browser.follow(page.get_by_role("link", name=LOCAL_TITLE))
    assert browser.heading() == LOCAL_TITLE
    browser.check("the plan")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export to Excel").click()  # a link drawn as a button
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    workbook = load_workbook(saved, read_only=True)
    cells = [str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row]
    workbook.close()
    assert any(LOCAL_TITLE in cell for cell in cells), "the plan's title is in the export"
    assert any("OFFICIAL" in cell for cell in cells), "the export carries its marking"


def test_owner_whose_action_changed_while_writing_is_told_first_and_keeps_the_text(
    app_context, live_server, new_context
):
    lead = make_user("lead", name="DSupt Walton")
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    plan = import_seed()
    plan.lead_user = lead
    action = action_of(plan, Strand.PREPARE, "9")
    action.owners.append(owner)
    db.session.commit()
    browser = open_browser(new_context, live_server, "owner-meets-a-conflict")
    page = browser.page
    browser.sign_in("owner@example.police.uk")
    browser.follow(page.get_by_role("link", name="Prepare 9"))
    page.get_by_label("Update", exact=True).fill("Written while the lead was deciding.")
    page.get_by_role("group", name="Proposed RAG").get_by_label("Amber").check()

    decide_rag(action, lead, rag=Rag.RED, reason="Escalated at the board", seen_version=action.version)
    browser.follow(page.get_by_role("button", name="Add update"))

    banner = page.get_by_role("alert").filter(has_text="Your update has not been saved")
    expect(banner).to_be_focused()
    expect(banner).to_contain_text("DSupt Walton set the RAG from Not set to Red (Escalated at the board)")
    expect(page.get_by_label("Update", exact=True)).to_have_value("Written while the lead was deciding.")
    browser.check("the conflict, text kept")
    browser.follow(page.get_by_role("button", name="Add update"))
    assert "Your update has been added" in browser.banner()
    db.session.expire_all()
    assert db.session.scalars(db.select(Update.text).filter_by(action_id=action.id, source="app")).all() == [
        "Written while the lead was deciding."
    ]


def test_lead_corrects_an_actions_words_on_its_edit_page(app_context, live_server, new_context):
    plan = import_seed()
    lead = make_user("lead", email="lead@example.police.uk", name="DSupt Walton")
    plan.lead_user = lead
    action = action_of(plan, Strand.PREPARE, "9")
    db.session.commit()
    browser = open_browser(new_context, live_server, "lead-edits-an-action")
    page = browser.page

    browser.sign_in("lead@example.police.uk", totp_secret=totp_secret(lead))
    browser.go(f"/actions/{action.id}/edit")
    browser.check("the edit page")
    page.get_by_label("What are we going to do?").fill("Agree a referral pathway with the council and the NHS")
    page.get_by_label("Responsibility").fill("DCI Chisholm / Safeguarding Lead")
    browser.follow(page.get_by_role("button", name="Save changes"))
    assert "Changed the what we are going to do, responsibility" in browser.banner()
    browser.check("the action after the edit")
    db.session.expire_all()
    assert db.session.get(Action, action.id).what == "Agree a referral pathway with the council and the NHS"


def test_pcc_office_exports_a_force_sized_plan_through_a_job_page_then_downloads_it(
    app_context, live_server, new_context, tmp_path
):
    from app.models import ExportJob
    from app.services.exporting import jobs
    from tests.factories import make_plan

    plan = make_plan(actions=jobs.LARGE_PLAN_ACTIONS + 1, title="Force Delivery Plan 2025-26")
    make_user("viewer", email="viewer@example.police.uk", name="PCC Office")
    browser = open_browser(new_context, live_server, "viewer-exports-a-large-plan")
    page = browser.page

    browser.sign_in("viewer@example.police.uk")
    browser.go(f"/plans/{plan.id}")
    browser.follow(page.get_by_role("button", name="Export to Excel"))
    assert browser.heading() == "Preparing the export"
    browser.check("the export is being prepared")

    job = db.session.scalars(db.select(ExportJob)).one()
    jobs.run(job.id)  # what `flask plans run-export` does in its own process
    page.wait_for_selector("text=Your export is ready", timeout=15_000)  # the page refreshes itself
    assert browser.heading() == "Your export is ready"
    browser.check("the export is ready")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the workbook").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name.endswith("-OFFICIAL.xlsx")
    workbook = load_workbook(saved, read_only=True)
    assert workbook["Plan"].max_row > jobs.LARGE_PLAN_ACTIONS
    workbook.close()


def test_pcc_office_prints_a_force_sized_plans_board_pack_through_a_job_page_then_downloads_it(
    app_context, live_server, new_context, tmp_path
):
    from app.models import ExportJob
    from app.services.exporting import jobs
    from tests.factories import make_plan

    plan = make_plan(actions=jobs.LARGE_PLAN_ACTIONS + 1, title="Force Delivery Plan 2025-26", rag=Rag.AMBER)
    make_user("viewer", email="viewer@example.police.uk", name="PCC Office")
    browser = open_browser(new_context, live_server, "viewer-prints-a-large-board-pack")
    page = browser.page

    browser.sign_in("viewer@example.police.uk")
    browser.go(f"/plans/{plan.id}/dashboard")
    browser.follow(page.get_by_role("link", name="Print the board pack (PDF)"))
    browser.check("the board pack form")
    browser.follow(page.get_by_role("button", name="Download the board pack (PDF)"))
    assert browser.heading() == "Preparing the export"
    expect(page.locator("#export-job")).to_contain_text("its board pack is written while you wait")
    browser.check("the board pack is being prepared")

    job = db.session.scalars(db.select(ExportJob)).one()
    assert (job.kind, job.audience) == ("pdf", "pcc")
    jobs.run(job.id)  # what `flask plans run-export` does in its own process
    page.wait_for_selector("text=Your export is ready", timeout=15_000)  # the page checks in place
    assert browser.heading() == "Your export is ready"
    browser.check("the board pack is ready")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the board pack").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == f"board-pack-force-delivery-plan-2025-26-{job.as_at.isoformat()}.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
