"""Export to Excel from the plan page: every role may have the PCC copy; only non-viewers the internal one."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditEvent, Update
from app.services.exporting.excel import export_filename
from tests.factories import make_action, make_plan
from tests.pages import check_page

SECRET = "Source HOTEL-9 says"


@pytest.fixture
def plan(app_context, app):
    plan = make_plan(actions=3, title="Local Delivery Plan", updates_per_action=1)
    action = make_action(plan, ref="9", what="Open action", position=9)
    action.updates.append(Update(as_at=date(2025, 11, 1), text=SECRET, author_name="Intel", restricted=True))
    db.session.commit()
    return plan


def export_url(plan, audience=None):
    return f"/plans/{plan.id}/export.xlsx" + (f"?audience={audience}" if audience else "")


def cell_texts(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value)


def exports_recorded() -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.export")))


@pytest.mark.parametrize("role", ["admin", "lead", "owner", "viewer"])
def test_the_plan_page_offers_export_to_excel(client, login_as, plan, role):
    login_as(role)
    page = check_page(client.get(f"/plans/{plan.id}"))
    assert "Export to Excel" in page
    assert (
        f'href="/plans/{plan.id}/export.xlsx?audience=pcc"' in page or f'action="/plans/{plan.id}/export.xlsx"' in page
    )
    assert ('name="audience" type="radio" value="internal"' in page) is (role != "viewer")


def test_a_viewer_gets_the_pcc_copy_as_an_attachment(client, login_as, plan):
    viewer = login_as("viewer")
    response = client.get(export_url(plan, "pcc"))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = export_filename(plan, date.today(), "pcc")
    assert name.endswith("-OFFICIAL.xlsx")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.headers["Cache-Control"] == "no-store"
    text = cell_texts(response.data)
    assert "OFFICIAL: copy for the PCC office" in text and "[REDACTED]" in text and SECRET not in text
    (event,) = exports_recorded()
    assert (event.user_id, event.record_id, event.new["audience"], event.new["format"]) == (
        viewer.id,
        plan.id,
        "pcc",
        "xlsx",
    )


def test_without_a_choice_the_export_is_the_pcc_copy(client, login_as, plan):
    login_as("lead")
    response = client.get(export_url(plan))
    assert response.status_code == 200
    assert SECRET not in cell_texts(response.data)


def test_a_viewer_cannot_get_the_internal_copy(client, login_as, plan):
    login_as("viewer")
    response = client.get(export_url(plan, "internal"))
    check_page(response, 403)
    assert SECRET not in response.get_data(as_text=True)
    assert exports_recorded() == []


@pytest.mark.parametrize("role", ["admin", "lead", "owner"])
def test_the_force_can_choose_the_internal_copy(client, login_as, plan, role):
    login_as(role)
    response = client.get(export_url(plan, "internal"))
    assert response.status_code == 200
    text = cell_texts(response.data)
    assert SECRET in text and "OFFICIAL-SENSITIVE: internal copy" in text
    assert exports_recorded()[0].new["audience"] == "internal"


def test_an_unknown_audience_or_plan_is_refused(client, login_as, plan):
    login_as("admin")
    check_page(client.get(export_url(plan, "everyone")), 400)
    check_page(client.get(f"/plans/{plan.id + 10_000}/export.xlsx"), 404)
    assert exports_recorded() == []


def test_nobody_signed_out_gets_a_file(client, plan):
    response = client.get(export_url(plan, "pcc"))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert exports_recorded() == []


def test_the_file_name_carries_the_marking_of_each_copy(client, login_as, plan):
    """The sensitive copy cannot be mistaken for the PCC one in a mail or a folder: its name says so."""
    login_as("lead")
    names = {}
    for audience in ("pcc", "internal"):
        disposition = client.get(export_url(plan, audience)).headers["Content-Disposition"]
        names[audience] = disposition.removeprefix('attachment; filename="').removesuffix('"')
    assert names["pcc"].endswith(f"-{date.today().isoformat()}-OFFICIAL.xlsx")
    assert names["internal"].endswith(f"-{date.today().isoformat()}-OFFICIAL-SENSITIVE.xlsx")
    assert names["pcc"].removesuffix("-OFFICIAL.xlsx") == names["internal"].removesuffix("-OFFICIAL-SENSITIVE.xlsx")
