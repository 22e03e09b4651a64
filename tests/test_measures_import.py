"""An administrator imports figures from a sheet, periods as columns or as rows: a check page first, what is unsure
said with its sheet, row and column, corrections shown against the figure held, saved whole or not at all."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from app.extensions import db
from app.models import AuditEvent, MeasureValue, PendingImport
from app.services.errors import NotAllowed
from app.services.importing.guard import WorkbookRejected
from app.services.measures import importing, values
from tests.factories import make_measure, make_plan, make_user
from tests.pages import check_page, text_of

TODAY = date(2026, 5, 20)


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def plan(app_context, app):
    plan = make_plan(actions=1)
    make_measure(plan)  # monthly "Concerns raised", by town: Smethwick, West Bromwich
    make_measure(plan, name="Staff trained", unit="people", frequency="yearly", dimension="", categories=())
    return plan


def test_periods_as_columns_with_categories_and_what_is_unsure(plan):
    data = workbook(
        (
            "SHOP figures",
            [
                ["Concerns raised, 2025-26"],
                ["Measure", "Category", "April 2025", "May 2025", datetime(2025, 6, 1), "Q3", "July 2026"],
                ["Concerns raised", "Total", 14, "15", 12, 9, 3],
                ["Concerns raised", "Smethwick", 5, None, "five", None, None],
                ["Concerns raised", "Tipton", 2, None, None, None, None],
                ["Concerns raisd", "", 1, None, None, None, None],
                [],
                ["Staff trained", "", None, None, None, None, None],
            ],
        )
    )
    found = importing.read_sheets(plan, data, "shop.xlsx", TODAY)
    assert [(f.measure.name, f.category, f.period_label, f.value) for f in found.figures] == [
        ("Concerns raised", "", "April 2025", 14),
        ("Concerns raised", "", "May 2025", 15),
        ("Concerns raised", "", "June 2025", 12),
        ("Concerns raised", "Smethwick", "April 2025", 5),
    ]
    assert found.unsure == [
        "Sheet 'SHOP figures', row 3, column F: 'Q3' is not a monthly period of Concerns raised (like April 2025): "
        "left out",
        "Sheet 'SHOP figures', row 3, column G: July 2026 has not started: left out",
        "Sheet 'SHOP figures', row 4, column E: 'five' is not a number: left out",
        "Sheet 'SHOP figures', row 5: 'Tipton' is not a category of Concerns raised (its categories: Smethwick, "
        "West Bromwich): left out",
        "Sheet 'SHOP figures', row 6: 'Concerns raisd' is not a measure of the plan: row left out",
    ]
    assert found.layouts == ["Sheet 'SHOP figures': periods as columns"]


def test_periods_as_rows_and_a_correction_against_the_figure_held(plan):
    concerns, staff = sorted(plan_measures(plan), key=lambda m: m.position)
    values.record_values(staff, None, period="2024-25", figures={"total": "900"}, today=TODAY)
    values.record_values(concerns, None, period="April 2025", figures={"total": "14"}, today=TODAY)
    data = workbook(
        ("Monthly", [["Month", "Concerns raised", "Concerns raised: West Bromwich", "Arrests"],
                     ["April 2025", 14, 6, 2], ["May 2025", "16", None, None], [None, 3, None, None]]),
        ("Yearly", [["Year", "Staff trained"], ["2024-25", "1,050"], ["2025-26", 1012]]),
        ("Notes", [["These figures come from SHOP"]]),
    )  # fmt: skip
    found = importing.read_sheets(plan, data, "shop.xlsx", TODAY)
    assert [(f.measure.name, f.category, f.period_label, f.value, f.was) for f in found.figures] == [
        ("Concerns raised", "West Bromwich", "April 2025", 6, None),
        ("Concerns raised", "", "May 2025", 16, None),
        ("Staff trained", "", "2024-25", 1050, 900),
        ("Staff trained", "", "2025-26", 1012, None),
    ]
    assert found.unchanged == 1  # April's 14 is already held
    assert found.unsure == [
        "Sheet 'Monthly', row 1, column D: 'Arrests' is not a measure of the plan: column left out",
        "Sheet 'Monthly', row 4: figures without a period: row left out",
        "Sheet 'Notes': no header row starting 'Measure' or 'Period', so it was not read",
    ]


def plan_measures(plan):
    from app.models import Measure

    return db.session.scalars(db.select(Measure).where(Measure.plan_id == plan.id)).all()


def test_a_file_that_is_not_a_workbook_or_holds_no_figures_is_refused(plan):
    with pytest.raises(WorkbookRejected):
        importing.read_sheets(plan, b"Measure,April 2025\n", "figures.csv", TODAY)
    with pytest.raises(importing.MeasureImportError, match="Head a column 'Measure'"):
        importing.read_sheets(plan, workbook(("Sheet", [["Nothing", "here"]])), "x.xlsx", TODAY)


def test_the_admin_checks_then_saves_every_figure_or_none(client, auth, login_as, app, plan):
    app.config["TODAY"] = TODAY
    admin = login_as("admin")
    data = workbook(("Figures", [["Measure", "April 2025", "May 2025", "Q9"], ["Concerns raised", 14, 15, 1]]))
    response = auth.post(
        f"/plans/{plan.id}/measures/import",
        {"workbook": (io.BytesIO(data), "shop.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    check = response.headers["Location"]
    page = check_page(client.get(check))
    assert "2 figures to save, 0 of them corrections" in text_of(page)
    assert "Sheet 'Figures', row 2, column D: 'Q9' is not a monthly period" in text_of(page)
    assert db.session.scalar(db.select(db.func.count(MeasureValue.id))) == 0  # nothing saved yet
    stale = auth.post(check + "/confirm", {"digest": "not what the page showed"}, form_url=check)
    assert stale.status_code == 302 and db.session.scalar(db.select(db.func.count(MeasureValue.id))) == 0
    digest = page.split('name="digest" type="hidden" value="')[1].split('"')[0]
    saved = auth.post(check + "/confirm", {"digest": digest}, form_url=check)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/plans/{plan.id}/measures")
    rows = db.session.scalars(db.select(MeasureValue).order_by(MeasureValue.id)).all()
    assert [(r.period_start, r.value, r.source, r.entered_by_id) for r in rows] == [
        (date(2025, 4, 1), 14, "import", admin.id),
        (date(2025, 5, 1), 15, "import", admin.id),
    ]
    assert db.session.scalar(db.select(AuditEvent).filter_by(verb="measure.import")).new["figures"] == 2
    assert db.session.scalar(db.select(db.func.count(PendingImport.id))) == 0


def test_an_upload_that_does_not_read_is_said_on_the_upload_page(client, auth, login_as, plan):
    login_as("admin")
    page = check_page(
        auth.post(
            f"/plans/{plan.id}/measures/import",
            {"workbook": (io.BytesIO(b"not a workbook"), "figures.xlsx")},
            content_type="multipart/form-data",
        )
    )
    assert "govuk-error-summary" in page and "not an Excel workbook" in page


def test_only_an_administrator_imports_figures(plan):
    data = workbook(("Figures", [["Measure", "April 2025"], ["Concerns raised", 14]]))
    for role in ("lead", "owner", "viewer"):
        with pytest.raises(NotAllowed):
            importing.store_upload(make_user(role), plan, "x.xlsx", data, TODAY)
