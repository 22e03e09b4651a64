"""`flask demo` loads a partnership plan shaped like Sandwell's: four objectives with actions and outcomes, and the
year's quoted figures as yearly measures: totals only, no invented months, no figure the source does not give."""

import io
from datetime import date

import pytest
from docx import Document

from app.extensions import db
from app.models import Measure, MeasureValue, Plan
from app.services import clock
from app.services.demo_partnership import TITLE
from app.services.measures import values
from app.services.reporting import annual_report
from tests.conftest import SEED_WORKBOOK
from tests.pages import check_page, text_of

QUOTED = {
    "Concerns raised": {"": 171, "Private dwelling": 101, "Factory": 13},
    "Concerns by type of exploitation": {"": 171, "Labour": 129, "Sexual": 45, "Criminal": 14},
    "Share of concerns by town": {"Smethwick": 35, "West Bromwich": 38},
    "Potential victims screened": {"": 406, "Male": 261, "Female": 145},
    "Multi-agency interventions": {"": 468},
    "Multi-agency disruption visits": {"": 66},
    "Staff trained": {"": 1000},
}


@pytest.fixture
def partnership(app_context, app, runner):
    app.config["PLANS_DIR"] = SEED_WORKBOOK.rsplit("/", 1)[0]
    app.config["TODAY"] = date(2026, 5, 20)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"{TITLE} 2025-26: example data" in result.output
    return db.session.scalar(db.select(Plan).filter_by(title=TITLE))


def test_the_plan_has_four_objectives_with_their_actions_and_outcomes(partnership):
    assert [o.ref for o in partnership.objectives] == ["1", "2", "3", "4"]
    outcomes = [outcome for o in partnership.objectives for outcome in o.outcomes]
    assert "Increased referrals to NRM" in outcomes and "The production of a Sandwell intelligence profile" in outcomes
    assert all(len([a for a in partnership.actions if a.objective_id == o.id]) == 2 for o in partnership.objectives)
    assert "example" in partnership.title and "example data" in partnership.priority
    assert all("Example data" in action.how for action in partnership.actions)
    assert (partnership.period_start, partnership.period_end) == (date(2025, 4, 1), date(2026, 3, 31))


def test_the_figures_are_the_quoted_yearly_totals_and_nothing_else(partnership):
    measures = db.session.scalars(db.select(Measure).filter_by(plan_id=partnership.id).order_by(Measure.position)).all()
    recorded = {m.name: {category: value.value for (_, category), value in values.latest(m).items()} for m in measures}
    assert recorded == QUOTED
    rows = db.session.scalars(db.select(MeasureValue)).all()
    assert {(r.period_start, r.source) for r in rows} == {(date(2025, 4, 1), "demo")}  # one year, no months
    assert all(m.frequency.value == "yearly" and m.target is None and m.direction is None for m in measures)
    by_name = {m.name: m for m in measures}
    assert by_name["Concerns raised"].categories == ["Private dwelling", "Factory"]  # no invented car-wash figure
    assert "Car wash, takeaway, restaurant and other locations are named in the source without figures" in (
        by_name["Concerns raised"].notes
    )
    assert (
        "Domestic servitude is named in the source without a figure"
        in by_name["Concerns by type of exploitation"].notes
    )
    assert all(m.notes.startswith("Example data") and "no monthly figures" in m.notes for m in measures)


def test_loading_the_demo_again_adds_nothing(partnership, runner):
    before = db.session.scalar(db.select(db.func.count(MeasureValue.id)))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Plan.id)).filter_by(title=TITLE)) == 1
    assert db.session.scalar(db.select(db.func.count(MeasureValue.id))) == before


def test_the_measures_page_and_the_annual_report_show_the_figures(partnership, client, auth, login_as):
    login_as("viewer")
    page = text_of(check_page(client.get(f"/plans/{partnership.id}/measures")))
    assert "Potential victims screened" in page and "261 (64%)" in page and "No target, so no suggestion" in page
    report = annual_report.export_docx(partnership, 2025, "public", None, clock.today())
    doc = Document(io.BytesIO(report))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert "171" in cells and "1,000" in cells and "66" in cells and "Private dwelling" in cells
    assert len(doc.inline_shapes) == 7 + 4  # each measure by period, and the four breakdowns
