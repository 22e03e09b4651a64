"""The measures in a real browser: the demo's partnership plan, an owner entering figures (a mistake kept and
corrected), the lead's measure and annual report pages, the admin's import page; every page axe-clean and
readable at 390 px."""

import pyotp
import pytest
from playwright.sync_api import expect

from app.cli import DEMO_PASSWORD
from app.extensions import db
from app.models import Measure, Plan, User
from app.services.accounts import second_factor
from app.services.demo_partnership import TITLE
from tests.conftest import SEED_WORKBOOK
from tests.e2e.browsing import Person, open_browser
from tests.e2e.test_journeys import totp_secret
from tests.e2e.test_print_and_narrow import PHONE, narrow_check

pytestmark = pytest.mark.e2e


@pytest.fixture
def partnership(app_context, app, runner):
    app.config["PLANS_DIR"] = SEED_WORKBOOK.rsplit("/", 1)[0]
    assert runner.invoke(args=["demo"]).exit_code == 0
    for email in ("lead@example.police.uk", "admin@example.police.uk"):  # enrolled in an authenticator app
        user = db.session.scalar(db.select(User).filter_by(email=email))
        secret = pyotp.random_base32()
        second_factor.enable(user, secret, pyotp.TOTP(secret).now())
        user.totp_last_step = None
    db.session.commit()
    plan = db.session.scalar(db.select(Plan).filter_by(title=TITLE))
    return plan, {m.name: m for m in db.session.scalars(db.select(Measure).filter_by(plan_id=plan.id))}


def test_an_owner_enters_figures_and_a_mistake_keeps_what_was_typed(live_server, new_context, partnership):
    plan, measures = partnership
    screened = measures["Potential victims screened"]
    owner = open_browser(new_context, live_server, "owner-enters-figures")
    page = owner.page
    owner.sign_in("owner@example.police.uk", password=DEMO_PASSWORD)
    owner.go(f"/plans/{plan.id}/measures")
    assert owner.heading() == "Measures"
    expect(page.locator(f"#measure-{screened.id}-categories-table")).to_contain_text("261 (64%)")
    owner.check("the measures page")
    owner.follow(page.get_by_role("link", name="Enter figures for Potential victims screened"))
    owner.check("the figures form")
    label = plan.period_label
    page.get_by_label("Period", exact=True).fill(label)
    page.get_by_label("Total", exact=True).fill("four hundred and six")
    page.get_by_label("Male", exact=True).fill("262")
    owner.follow(page.get_by_role("button", name="Save figures"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the total as a number")
    expect(page.get_by_label("Total", exact=True)).to_have_value("four hundred and six")
    expect(page.get_by_label("Male", exact=True)).to_have_value("262")
    owner.check("the figures form with its error")
    page.get_by_label("Total", exact=True).fill("")
    page.get_by_label("Note").fill("One more screening found in the March return")
    owner.follow(page.get_by_role("button", name="Save figures"))
    assert "Figures for Potential victims screened saved" in owner.banner()
    history = page.locator("#history-table")
    expect(history.locator("tbody tr").first).to_contain_text("262")
    expect(history).to_contain_text("261")  # the figure it corrected stays in the history
    owner.check("the measure and its history")


def test_the_leads_and_admins_measure_pages_are_accessible(live_server, new_context, partnership):
    plan, measures = partnership
    lead_user = db.session.scalar(db.select(User).filter_by(email="lead@example.police.uk"))
    admin_user = db.session.scalar(db.select(User).filter_by(email="admin@example.police.uk"))
    lead = open_browser(new_context, live_server, "lead-measures")
    lead.sign_in("lead@example.police.uk", totp_secret=totp_secret(lead_user), password=DEMO_PASSWORD)
    for step, path in (
        ("dashboard with measures", f"/plans/{plan.id}/dashboard"),
        ("add a measure", f"/plans/{plan.id}/measures/new"),
        ("change a measure", f"/measures/{measures['Concerns raised'].id}/edit"),
        ("annual report", f"/plans/{plan.id}/annual-report"),
        ("edit the annual report", f"/plans/{plan.id}/annual-report/{plan.period_start.year}/edit"),
    ):
        lead.go(path)
        lead.check(step)
    lead.go(f"/plans/{plan.id}/measures/new")
    lead.page.get_by_label("Name", exact=True).fill("Referrals to NRM")
    lead.follow(lead.page.get_by_role("button", name="Save measure"))
    expect(lead.page.locator(".govuk-error-summary")).to_contain_text("Enter the unit")
    expect(lead.page.get_by_label("Name", exact=True)).to_have_value("Referrals to NRM")
    lead.check("a measure with an error")
    admin = open_browser(new_context, live_server, "admin-imports-figures")
    admin.sign_in("admin@example.police.uk", totp_secret=totp_secret(admin_user), password=DEMO_PASSWORD)
    admin.go(f"/plans/{plan.id}/measures/import")
    admin.check("import figures")


def test_the_measures_read_at_390_px(live_server, new_context, partnership):
    plan, measures = partnership
    viewer = Person(new_context().new_page(), live_server.url, "viewer-measures-on-a-phone")
    viewer.page.set_viewport_size(PHONE)
    viewer.sign_in("viewer@example.police.uk", password=DEMO_PASSWORD)
    for step, path in (
        ("measures", f"/plans/{plan.id}/measures"),
        ("a measure", f"/measures/{measures['Concerns raised'].id}"),
    ):
        viewer.go(path)
        narrow_check(viewer, step)
