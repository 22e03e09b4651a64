"""The owner return sheet on the seed plan: a real workbook downloaded, filled in with openpyxl as an owner
would in Excel, uploaded, checked and confirmed."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditEvent, Plan, PlanKind, Rag, Strand, Update, User
from app.services.actions import updating
from app.services.importing.saving import import_workbook
from app.services.returns import HEADERS, reading, sheet
from tests.conftest import SEED_WORKBOOK, csrf_token
from tests.factories import make_user
from tests.pages import check_page

TODAY = date(2016, 3, 1)
SECRET = "Operation Nightjar: surveillance authorised"
COL = {name: i + 1 for i, name in enumerate(HEADERS)}


def action_of(plan, strand, ref):
    return next(a for a in plan.actions if a.strand is strand and a.ref == ref)


@pytest.fixture
def seed(app_context, app):
    """The seed plan: the owner owns Prepare 1, 2 and 8 and Protect 1 (with a restricted update); a partner owns
    Prevent 1; the lead leads the plan."""
    app.config["TODAY"] = TODAY
    import_workbook(Path(SEED_WORKBOOK).read_bytes(), Path(SEED_WORKBOOK).name)
    plan = db.session.scalars(db.select(Plan).filter_by(kind=PlanKind.LOCAL)).one()
    lead = make_user("lead", email="lead@example.police.uk", name="DSupt Walton")
    owner = make_user("owner", email="owner@example.police.uk", name="DCI Chisholm")
    partner = make_user("owner", email="spoc@partner.example.org", name="Hope SPOC")
    plan.lead_user = lead
    for strand, ref in ((Strand.PREPARE, "1"), (Strand.PREPARE, "2"), (Strand.PREPARE, "8"), (Strand.PROTECT, "1")):
        action_of(plan, strand, ref).owners.append(owner)
    action_of(plan, Strand.PREVENT, "1").owners.append(partner)
    db.session.commit()
    protect = action_of(plan, Strand.PROTECT, "1")
    updating.add_update(
        protect, owner, text=SECRET, as_at=TODAY, rag=None, restricted=True, seen_version=protect.version
    )
    return plan


def download(client, query: str = "") -> bytes:
    response = client.get("/returns/download" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.data


def rows_by_ref(book):
    sheet_ = book["Return"]
    return {sheet_.cell(r, COL["Ref"]).value: r for r in range(2, sheet_.max_row + 1)}


def fill(data: bytes, entries: dict[str, tuple[str | None, str | None]]) -> bytes:
    """Type into "This update" and "RAG" as a person would in Excel, and save."""
    book = load_workbook(io.BytesIO(data))
    rows = rows_by_ref(book)
    for ref, (text, rag) in entries.items():
        book["Return"].cell(rows[ref], COL["This update"]).value = text
        book["Return"].cell(rows[ref], COL["RAG"]).value = rag
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes):
    token = csrf_token(client, "/returns")
    return client.post(
        "/returns/upload",
        data={"workbook": (io.BytesIO(data), "return.xlsx"), "csrf_token": token},
        content_type="multipart/form-data",
    )


def confirm_from(client, page: str, extra: dict | None = None):
    """Post the check page's form back as the browser would: its hidden fields, textareas and ticked boxes."""

    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    fields.update(extra or {})
    fields["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post("/returns/confirm", data=fields)


def test_the_downloaded_sheet_has_a_row_an_action_a_rag_drop_down_and_hidden_locked_version(seed, client, auth):
    owner = db.session.scalar(db.select(User).filter_by(email="owner@example.police.uk"))
    assert auth.login(owner).status_code == 302
    book = load_workbook(io.BytesIO(download(client)))
    ws = book["Return"]
    assert [c.value for c in ws[1]] == HEADERS
    assert sorted(rows_by_ref(book)) == ["Prepare 1", "Prepare 2", "Prepare 8", "Protect 1"]
    row = rows_by_ref(book)["Protect 1"]
    assert ws.cell(row, COL["Latest update"]).value == f"01/03/2016: {SECRET}"  # the owner may read it
    assert ws.cell(row, COL["This update"]).value is None
    action = action_of(seed, Strand.PROTECT, "1")
    assert (ws.cell(row, COL["Version"]).value, ws.cell(row, COL["Id"]).value) == (action.version, action.id)
    hidden = ws.column_dimensions["H"]  # Version, Id and Owner id: one hidden range, H to J
    assert (hidden.hidden, hidden.min, hidden.max) == (True, 8, 10)
    assert ws.protection.sheet
    assert ws.cell(row, COL["Version"]).protection.locked and not ws.cell(row, COL["This update"]).protection.locked
    validation = ws.data_validations.dataValidation[0]
    assert validation.type == "list" and validation.formula1 == '"Red,Amber,Green,Blue"'
    assert str(validation.sqref) == "G2:G5"


def test_text_that_looks_like_a_formula_is_written_as_text(seed, client, auth):
    owner = db.session.scalar(db.select(User).filter_by(email="owner@example.police.uk"))
    action = action_of(seed, Strand.PREPARE, "8")
    updating.add_update(
        action, owner, text='=HYPERLINK("http://x","y")', as_at=TODAY, rag=None, seen_version=action.version
    )
    assert auth.login(owner).status_code == 302
    book = load_workbook(io.BytesIO(download(client)))
    cell = book["Return"].cell(rows_by_ref(book)["Prepare 8"], COL["Latest update"])
    assert cell.data_type == "s" and cell.value.startswith("01/03/2016: =HYPERLINK")


def test_viewers_get_no_return_sheet(seed, client, auth):
    viewer = make_user("viewer")
    assert auth.login(viewer).status_code == 302
    assert client.get("/returns/download").status_code == 403
    rows = sheet.rows_for(viewer, [db.session.scalar(db.select(User).filter_by(email="owner@example.police.uk"))])
    assert rows == []  # a viewer leads nothing and owns nothing


def test_the_lead_downloads_for_a_list_of_owners(seed, client, auth):
    lead = db.session.scalar(db.select(User).filter_by(email="lead@example.police.uk"))
    owner, partner = (
        db.session.scalar(db.select(User).filter_by(email=e))
        for e in ("owner@example.police.uk", "spoc@partner.example.org")
    )
    assert auth.login(lead).status_code == 302
    page = client.get("/returns").get_data(as_text=True)
    assert "Hope SPOC" in page and "DCI Chisholm" in page
    book = load_workbook(io.BytesIO(download(client, f"?owner={owner.id}&owner={partner.id}")))
    ws = book["Return"]
    owners = {ws.cell(r, COL["Ref"]).value: ws.cell(r, COL["Owner"]).value for r in range(2, ws.max_row + 1)}
    assert owners == {
        "Prepare 1": "DCI Chisholm",
        "Prepare 2": "DCI Chisholm",
        "Prepare 8": "DCI Chisholm",
        "Protect 1": "DCI Chisholm",
        "Prevent 1": "Hope SPOC",
    }
    stranger = make_user("owner")
    assert client.get(f"/returns/download?owner={stranger.id}").status_code == 400


def test_uploading_adds_updates_after_the_check_page_and_shows_conflicts_with_the_text_kept(seed, client, auth):
    owner = db.session.scalar(db.select(User).filter_by(email="owner@example.police.uk"))
    lead = db.session.scalar(db.select(User).filter_by(email="lead@example.police.uk"))
    assert auth.login(owner).status_code == 302
    data = download(client)
    # While the sheet was out, the lead changed Prepare 2 (a RAG decision moves the version on).
    from app.services.reviewing import decisions

    changed = action_of(seed, Strand.PREPARE, "2")
    decisions.decide_rag(changed, lead, rag=Rag.RED, reason="Venue lost", seen_version=changed.version)
    filled = fill(
        data,
        {
            "Prepare 1": ("Venue agreed with the council; opening in April", "Amber"),
            "Prepare 2": ("Training dates set for May", "Green"),  # conflict
            "Prepare 8": (None, None),  # empty: ignored
            "Protect 1": ("=1+1 is not a formula here", None),
        },
    )
    before = db.session.scalar(db.select(db.func.count()).select_from(Update))
    page = check_page(upload(client, filled))
    assert db.session.scalar(db.select(db.func.count()).select_from(Update)) == before  # nothing yet
    assert "1 update to add" in page
    # Text typed with a leading "=" becomes a formula in Excel (and in openpyxl): said, never read as empty.
    assert "Sheet Return, row 5: “This update” or “RAG” holds a formula (=1+1 is not a formula here)" in page
    assert "Sheet Return, row 3: Prepare 2 changed after you downloaded the sheet" in page
    assert "Training dates set for May</textarea>" in page
    assert "Prepare 8" not in page

    done = confirm_from(client, page)
    assert done.status_code == 302
    prepare1 = action_of(seed, Strand.PREPARE, "1")
    db.session.expire_all()
    latest = prepare1.updates[-1]
    assert (latest.text, latest.rag, latest.author_id, latest.as_at) == (
        "Venue agreed with the council; opening in April",
        Rag.AMBER,
        owner.id,
        TODAY,
    )
    assert action_of(seed, Strand.PROTECT, "1").updates[-1].text == SECRET
    assert not [u for u in changed.updates if u.text == "Training dates set for May"]  # never silently applied
    assert (
        db.session.scalars(db.select(AuditEvent).filter_by(verb="return.upload"))
        .one()
        .detail.startswith("1 updates added")
    )


def test_a_conflict_is_added_when_the_person_ticks_it_after_reading(seed, client, auth):
    owner = db.session.scalar(db.select(User).filter_by(email="owner@example.police.uk"))
    assert auth.login(owner).status_code == 302
    data = download(client)
    changed = action_of(seed, Strand.PREPARE, "2")
    updating.add_update(
        changed, owner, text="Written in the tracker meanwhile", as_at=TODAY, rag=None, seen_version=changed.version
    )
    page = check_page(upload(client, fill(data, {"Prepare 2": ("From the sheet", "Amber")})))
    assert "0 updates to add" in page
    assert (
        confirm_from(
            client, page, {"row-conflict-1-again": "yes", "row-conflict-1-text": "From the sheet, after reading"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert [u.text for u in changed.updates][-2:] == [
        "Written in the tracker meanwhile",
        "From the sheet, after reading",
    ]


def test_a_bad_rag_and_a_row_the_person_does_not_own_are_said_with_sheet_and_row(seed, client, auth, app):
    owner = db.session.scalar(db.select(User).filter_by(email="owner@example.police.uk"))
    partner = db.session.scalar(db.select(User).filter_by(email="spoc@partner.example.org"))
    assert auth.login(owner).status_code == 302
    data = fill(download(client), {"Prepare 1": ("Text", "Purple")})
    # Someone edits the hidden id of a row to the partner's action.
    book = load_workbook(io.BytesIO(data))
    ws = book["Return"]
    row = rows_by_ref(book)["Prepare 8"]
    prevent = action_of(seed, Strand.PREVENT, "1")
    ws.cell(row, COL["Id"]).value = prevent.id
    ws.cell(row, COL["Version"]).value = prevent.version
    ws.cell(row, COL["This update"]).value = "Not mine"
    out = io.BytesIO()
    book.save(out)
    page = check_page(upload(client, out.getvalue()))
    assert "Sheet Return, row 2: the RAG “Purple” is not Red, Amber, Green or Blue" in page
    assert f"Sheet Return, row {row}: you cannot add an update to Prevent 1" in page
    assert "0 updates to add" in page
    # Even posted straight to the confirm step, an action of somebody else is refused, with the text kept.
    token = csrf_token(client, "/returns")
    fields = {
        "row-1-action": prevent.id,
        "row-1-owner": partner.id,
        "row-1-version": prevent.version,
        "row-1-text": "Sneaky",
        "row-1-kind": "add",
        "csrf_token": token,
    }
    refused = client.post("/returns/confirm", data=fields)
    assert refused.status_code == 409 and "Sneaky" in refused.get_data(as_text=True)
    assert not [u for u in prevent.updates if u.text in ("Not mine", "Sneaky")]


def test_a_hostile_or_foreign_file_is_refused_before_it_is_read(seed, client, auth):
    owner = db.session.scalar(db.select(User).filter_by(email="owner@example.police.uk"))
    assert auth.login(owner).status_code == 302
    for data, expected in (
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password"),
        (b"not a workbook at all", "xlsx"),
        (Path(SEED_WORKBOOK).read_bytes(), "no sheet called Return"),
    ):
        page = check_page(upload(client, data))
        assert expected in page.lower() or expected in page, page[:2000]
    assert reading  # the reader module is the one the page used
