"""Changing an id in the URL never gives data or changes anything; restricted text never reaches viewers.

The tests walk the URL map, so routes added later are covered without editing this file: a route that
changes records must refuse a record that belongs to another plan or owner; a route that shows pages
must never show a viewer a restricted update or a restricted action's text.
"""

import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import Contact, ExportJob, Objective, Strand, Update
from tests.factories import make_action, make_measure, make_pending_import, make_plan, make_review, make_user

SECRETS = ("Operation Bluebird", "12 Acacia Avenue", "covert source ZX-81")
MISSING_ID = 2_000_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# POST routes with an id that any signed-in role may use on any record (e.g. a future "export this plan"
# button, which writes nothing). Everything else that takes an id and a POST must refuse others' records.
POST_OPEN_TO_ALL: set[str] = set()


@pytest.fixture
def world(app):
    """Two plans. Ours is led by `lead` with an action owned by `owner`; theirs belongs to other people and
    holds restricted material."""
    lead, owner = make_user("lead"), make_user("owner")
    other_lead, other_owner = make_user("lead"), make_user("owner")
    ours = make_plan(actions=2, lead_user=lead, owner=owner, updates_per_action=1)
    theirs = make_plan(actions=2, lead_user=other_lead, owner=other_owner, updates_per_action=1)
    secret_action = make_action(theirs, ref="9", what="Visit 12 Acacia Avenue", restricted=True, owner=other_owner)
    secret_action.how = "Meet covert source ZX-81"
    theirs.actions[0].updates.append(Update(text="Operation Bluebird starts Monday", restricted=True))
    db.session.commit()
    theirs_upload = make_pending_import()
    objective = Objective(plan=theirs, strand=Strand.PREPARE, ref="1", title="Their objective")
    contact = Contact(name="Esther Martin", role="Intel")
    db.session.add_all([objective, contact])
    db.session.commit()
    # A measure of restricted work: its name is withheld from viewers with the action it measures.
    secret_measure = make_measure(theirs, name="Meetings with covert source ZX-81", actions=[secret_action])
    # Their owner's export job (the PCC copy of their plan, done): its page and file are that owner's alone.
    their_job = ExportJob(plan_id=theirs.id, user_id=other_owner.id, audience="pcc", as_at=date(2025, 11, 25))
    their_job.status, their_job.content, their_job.filename = "done", b"PK", "export.xlsx"
    db.session.add(their_job)
    db.session.commit()
    their_records = {
        "measure_id": secret_measure.id,
        "year": 2025,
        "objective_id": objective.id,
        "review_id": make_review(theirs).id,
        "contact_id": contact.id,
        "strand": "Prepare",
    }
    return {
        "users": {"lead": lead, "owner": owner, "viewer": make_user("viewer")},
        "ours": {"plan_id": ours.id, "action_id": ours.actions[0].id, "user_id": owner.id, "framework": "PCC"},
        "theirs": {
            "plan_id": theirs.id,
            "action_id": theirs.actions[0].id,
            "user_id": other_owner.id,
            "pending_id": theirs_upload.id,
            "framework": "PCC",
            "token": "not-a-reset-token",
            "job_id": their_job.id,
            **their_records,
        },
        "secret_action_id": secret_action.id,
    }


def _routes(app, *, with_ids: bool):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint == "static" or (with_ids and not rule.arguments):
            continue
        yield rule


def _row_counts() -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name != "audit_event":  # a refusal may be recorded; nothing else may change
            counts[table.name] = db.session.scalar(db.select(db.func.count()).select_from(table))
    return counts


@pytest.mark.parametrize("role", ["lead", "owner", "viewer"])
def test_changes_to_other_peoples_records_are_refused(app, client, auth, world, role):
    assert auth.login(world["users"][role]).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = False  # the id, not the token, is under test
    before = _row_counts()
    failures = []
    for rule in _routes(app, with_ids=True):
        if "POST" not in rule.methods or rule.endpoint in POST_OPEN_TO_ALL:
            continue
        response = client.post(rule.build({k: world["theirs"][k] for k in rule.arguments})[1], data={"text": "x"})
        if response.status_code not in (403, 404):
            failures.append(f"POST {rule.endpoint}: {response.status_code}")
        db.session.rollback()
    assert not failures, failures
    assert _row_counts() == before


@pytest.mark.parametrize("role", ["admin", "lead", "owner", "viewer"])
def test_ids_that_do_not_exist_give_404_or_403_never_data(app, client, auth, world, role):
    user = world["users"].get(role) or make_user(role)
    assert auth.login(user).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = False
    failures = []
    for rule in _routes(app, with_ids=True):
        url = rule.build(dict.fromkeys(rule.arguments, MISSING_ID))[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method)
            if response.status_code not in (403, 404):
                failures.append(f"{method} {rule.endpoint}: {response.status_code}")
    assert not failures, failures


def _readable_text(response) -> str:
    """What a person could read in the response: the page, every part of a downloaded workbook, a PDF's text."""
    if response.mimetype in (XLSX, DOCX):
        with zipfile.ZipFile(io.BytesIO(response.data)) as workbook:
            return "".join(workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist())
    if response.mimetype == "application/pdf":
        return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def test_restricted_text_never_reaches_a_viewer_on_any_page(app, client, auth, world):
    assert auth.login(world["users"]["viewer"]).status_code == 302
    seen = 0
    for rule in _routes(app, with_ids=False):
        if "GET" not in rule.methods:
            continue
        for ids in (world["theirs"], {**world["theirs"], "action_id": world["secret_action_id"]}):
            response = client.get(rule.build({k: ids[k] for k in rule.arguments})[1], follow_redirects=True)
            page = _readable_text(response)
            leaked = [s for s in SECRETS if s in page]
            assert not leaked, f"{rule.endpoint} shows {leaked} to a viewer"
            seen += response.status_code == 200
    assert seen >= 4
    secret_page = client.get(f"/actions/{world['secret_action_id']}").get_data(as_text=True)
    assert "[REDACTED]" in secret_page
    assert "1 restricted update is withheld" in client.get(f"/actions/{world['theirs']['action_id']}").text


def test_restricted_text_is_there_for_the_people_who_need_it(client, auth, world):
    """The same pages do show it to staff: the viewer test above is not passing because nothing is shown."""
    auth.login(world["users"]["lead"])
    assert "Operation Bluebird" in client.get(f"/actions/{world['theirs']['action_id']}").text
    assert "12 Acacia Avenue" in client.get(f"/actions/{world['secret_action_id']}").text
