"""Web import (admins): upload -> check page -> confirm, like GOV.UK Notify's spreadsheet upload."""

import io
import re

from app.extensions import db
from app.models import Action, PendingImport, Plan
from tests.conftest import SEED_WORKBOOK, csrf_token
from tests.factories import make_user
from tests.pages import check_page, text_of
from tests.workbooks import XLSX_MIME, local_plan


def seed_bytes() -> bytes:
    with open(SEED_WORKBOOK, "rb") as stream:
        return stream.read()


def upload(client, data: bytes, filename: str = "plan.xlsx"):
    token = csrf_token(client, "/imports/new")
    return client.post(
        "/imports/new",
        data={"csrf_token": token, "workbook": (io.BytesIO(data), filename, XLSX_MIME)},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_upload_check_and_confirm_the_seed(client, login_as):
    login_as("admin")
    form = check_page(client.get("/imports/new"))
    assert 'enctype="multipart/form-data"' in form

    response = upload(client, seed_bytes(), "wmp-modern-slavery-delivery-plan-2015-16.xlsx")
    assert response.status_code == 302
    check_url = response.headers["Location"]
    assert re.fullmatch(r"/imports/\d+", check_url)
    assert count(PendingImport) == 1 and count(Plan) == 0

    page = text_of(check_page(client.get(check_url)))
    assert "Check the plan before you import it" in page
    assert "Public Protection Delivery Plan 2015-16 Plan A new local" in page, "the title says the period once"
    assert "PCC Deliverables: Modern Day Slavery Delivery Plan – 2015-16 Plan A new PCC" in page
    assert "A new local delivery plan, from sheet Local Delivery Plan" in page
    assert "Prepare: 4 Prevent: 4 Protect: 3 Pursue: 2" in page
    assert "17 to add" in page
    assert "Protect 2 → PCC 1.2.2" in page
    assert "Sheet 'PCC Deliverables' row 9:" in page
    assert count(Plan) == 0  # the check page is a dry run

    response = client.post(f"{check_url}/confirm", data={"csrf_token": csrf_token(client, check_url)})
    assert response.status_code == 302 and response.headers["Location"] == "/plans"
    assert count(Plan) == 2 and count(Action) == 30 and count(PendingImport) == 0
    page = check_page(client.get("/plans"))
    assert "Imported wmp-modern-slavery-delivery-plan-2015-16.xlsx: Public Protection Delivery Plan 2015-16" in text_of(
        page
    )


def test_checking_the_same_file_again_says_it_changes_nothing(client, login_as):
    login_as("admin")
    data = local_plan([["Prepare", 1, "Engage", "", "", "Started"]])
    response = upload(client, data)
    client.post(f"{response.headers['Location']}/confirm", data={"csrf_token": csrf_token(client, "/imports/new")})
    response = upload(client, data)
    page = text_of(check_page(client.get(response.headers["Location"])))
    assert "Everything in this file is already in the tracker. Importing it again changes nothing." in page
    assert "0 to add, 1 already in the tracker" in page


def test_a_rejected_file_shows_the_form_again_with_an_error_summary(client, login_as):
    login_as("admin")
    page = check_page(upload(client, b"Strand,No,What\n"))
    assert "govuk-error-summary" in page
    assert "The file is not an Excel workbook (.xlsx)" in text_of(page)
    assert page.count("The file is not an Excel workbook") >= 2  # in the summary and beside the field
    assert count(PendingImport) == 0


def test_a_workbook_with_no_plan_is_refused(client, login_as):
    from tests.workbooks import make_workbook

    login_as("admin")
    page = check_page(upload(client, make_workbook(title_rows=["Shopping"], rows=[["milk"]])))
    assert "No plan was found in the workbook" in text_of(page)
    assert count(PendingImport) == 0


def test_no_file_chosen(client, login_as):
    login_as("admin")
    response = client.post("/imports/new", data={"csrf_token": csrf_token(client, "/imports/new")})
    assert "Select the plan workbook (.xlsx)" in text_of(check_page(response))


def test_an_upload_over_20_mb_is_refused(client, login_as):
    login_as("admin")
    response = upload(client, b"PK\x03\x04" + b"\x00" * (21 * 1024 * 1024))
    assert "The file is too big" in text_of(check_page(response, 413))
    assert count(PendingImport) == 0


def test_other_roles_cannot_import(client, login_as, auth, app):
    admin = make_user("admin")
    from app.services.importing import pending as pending_imports

    pending = pending_imports.store_upload(admin, "plan.xlsx", local_plan([["Prepare", 1, "Engage"]]))
    for role in ("lead", "owner", "viewer"):
        login_as(role)
        assert client.get("/imports/new").status_code == 403
        assert client.get(f"/imports/{pending.id}").status_code == 403
        token = csrf_token(client, "/plans")
        assert client.post(f"/imports/{pending.id}/confirm", data={"csrf_token": token}).status_code == 403
        assert "Import a plan" not in check_page(client.get("/plans"))
        auth.logout()
    assert count(Plan) == 0 and count(PendingImport) == 1


def test_only_the_uploader_sees_and_confirms_their_upload(client, login_as):
    from app.services.importing import pending as pending_imports

    other = make_user("admin")
    pending = pending_imports.store_upload(other, "plan.xlsx", local_plan([["Prepare", 1, "Engage"]]))
    login_as("admin")
    assert "Import a plan" in check_page(client.get("/plans"))
    assert client.get(f"/imports/{pending.id}").status_code == 404
    token = csrf_token(client, "/plans")
    assert client.post(f"/imports/{pending.id}/confirm", data={"csrf_token": token}).status_code == 404
    assert count(Plan) == 0


def test_a_new_upload_replaces_the_uploaders_earlier_one(client, login_as):
    login_as("admin")
    upload(client, local_plan([["Prepare", 1, "Engage"]]))
    upload(client, local_plan([["Prepare", 2, "Plan"]]))
    assert count(PendingImport) == 1


def test_an_upload_left_for_a_day_is_forgotten(client, login_as):
    from datetime import timedelta

    from app.models.base import utcnow
    from app.services.importing import pending as pending_imports

    old = pending_imports.store_upload(make_user("admin"), "old.xlsx", local_plan([["Prepare", 1, "Engage"]]))
    old.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    login_as("admin")
    upload(client, local_plan([["Prepare", 2, "Plan"]]))
    assert [pending.filename for pending in db.session.scalars(db.select(PendingImport))] == ["plan.xlsx"]
