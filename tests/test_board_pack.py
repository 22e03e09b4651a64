"""The board pack: a PDF of the seed plan as at a date, in the audience's marking, read back with pypdf."""

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.exports.packs import render_pack
from app.extensions import db
from app.models import Action, AuditEvent, Plan, PlanKind, Rag, RagChange, Strand
from app.services.actions import updating
from app.services.importing.saving import import_workbook
from app.services.reporting import board_pack
from app.services.reviewing import decisions
from tests.conftest import SEED_WORKBOOK
from tests.factories import make_review, make_user
from tests.pages import check_page

TODAY = date(2016, 3, 15)
REVIEW = date(2016, 2, 1)


def action_of(plan: Plan, strand: Strand, ref: str) -> Action:
    return db.session.scalars(db.select(Action).filter_by(plan_id=plan.id, strand=strand, ref=ref)).one()


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def seed(app_context, app):
    """The seed workbook's local plan a month before its year ends: a review in February, then an owner's Red
    proposal the lead confirmed, an Amber the lead overrode to Red with a reason, and a restricted update."""
    app.config["TODAY"] = TODAY
    with open(SEED_WORKBOOK, "rb") as stream:
        import_workbook(stream.read(), Path(SEED_WORKBOOK).name)
    plan = db.session.scalars(db.select(Plan).filter_by(kind=PlanKind.LOCAL)).one()
    lead = make_user("lead", name="DSupt Walton")
    owner = make_user("owner", name="DCI Chisholm")
    plan.lead_user = lead
    for action in plan.actions:
        action.owners.append(owner)
    db.session.commit()
    make_review(plan, held_on=REVIEW)
    confirmed, overridden, secret = (action_of(plan, s, "1") for s in (Strand.PREPARE, Strand.PREVENT, Strand.PURSUE))

    def write(action, text, rag=None, restricted=False):
        updating.add_update(
            action, owner, text=text, as_at=TODAY, rag=rag, restricted=restricted, seen_version=action.version
        )

    write(confirmed, "Reception centre partner withdrew; no alternative venue yet", Rag.RED)
    decisions.decide_rag(confirmed, lead, rag=Rag.RED, reason="", seen_version=confirmed.version)
    write(overridden, "Training slipped a month because of leave", Rag.AMBER)
    decisions.decide_rag(
        overridden, lead, rag=Rag.RED, reason="Second slip this year: escalate", seen_version=overridden.version
    )
    secret.rag = Rag.AMBER
    db.session.commit()
    write(secret, "Operation Nightjar: surveillance authorised", Rag.AMBER, restricted=True)
    # The decisions were made on the plan's "today" (the clock is frozen in 2016; the database's is not).
    for change in db.session.scalars(db.select(RagChange)):
        change.changed_at = datetime(2016, 3, 15, 10, 30, tzinfo=UTC)
    db.session.commit()
    return plan, lead, {"confirmed": confirmed, "overridden": overridden, "secret": secret}


def test_the_internal_pack_has_every_section_with_the_plans_own_words(seed):
    plan, lead, actions = seed
    data = render_pack(plan, audience="internal", as_at=TODAY, user=lead)
    assert data.startswith(b"%PDF")
    text, pages = pdf_text(data)
    words = flat(text)
    assert "OFFICIAL-SENSITIVE" in words and "Delivery board pack" in words
    assert "As at 15 March 2016" in words
    for heading in (
        "RAG by strand",
        "At the review on 1 February 2016",
        "Red and Amber actions",
        "Overdue and not updated",
        "Changes since the last review",
        "Decisions made",
        "PCC commitments with no live action",
    ):
        assert heading in words, heading
    assert "Reception centre partner withdrew; no alternative venue yet" in words
    assert "Second slip this year: escalate" in words and "DSupt Walton" in words
    assert "Operation Nightjar" in words  # the force's own copy carries restricted commentary
    assert f"Page 1 of {pages}" in words and f"Page {pages} of {pages}" in words
    reader = PdfReader(io.BytesIO(data))
    cover, second = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Contents" in cover and "Delivery board pack" not in second  # the cover is a page of its own
    assert flat(second).startswith("RAG by strand")
    assert 4 <= pages <= 25  # a cover, then the sections: a readable pack, not one page per action
    audit = db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.export")).all()[-1]
    assert audit.new["format"] == "pdf" and audit.new["audience"] == "internal"


def test_the_pcc_pack_is_official_and_redacted_as_the_export_is(seed):
    plan, _, actions = seed
    text, pages = pdf_text(render_pack(plan, audience="pcc", as_at=TODAY))
    words = flat(text)
    assert "OFFICIAL-SENSITIVE" not in words.upper().replace("OFFICIAL SENSITIVE", "OFFICIAL-SENSITIVE")
    assert words.count("OFFICIAL") >= pages  # the marking on every page
    assert "Nightjar" not in words and "[REDACTED]" in words
    assert "Reception centre partner withdrew" in words  # unrestricted commentary is kept


def test_every_page_carries_the_marking(seed):
    plan, *_ = seed
    reader = PdfReader(io.BytesIO(render_pack(plan, audience="internal", as_at=TODAY)))
    for number, page in enumerate(reader.pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page.extract_text(), f"page {number} has no marking"


def test_as_at_a_date_unwinds_later_decisions_and_leaves_out_later_updates(seed):
    plan, _, actions = seed
    overridden = actions["overridden"]
    before = board_pack.build(plan, audience="internal", as_at=date(2016, 3, 1))
    now = board_pack.build(plan, audience="internal", as_at=TODAY)
    line = {line.action.id: line for line in now.attention}[overridden.id]
    assert line.rag is Rag.RED and line.proposed is Rag.AMBER
    assert line.decision.reason == "Second slip this year: escalate" and line.decision.by == "DSupt Walton"
    earlier = [line for line in before.attention if line.action.id == overridden.id]
    assert not earlier or earlier[0].rag is not Rag.RED  # the override came after 1 March
    assert all(
        line.latest is None or line.latest.as_at is None or line.latest.as_at <= date(2016, 3, 1)
        for line in before.attention
    )
    assert before.decisions == [] and len(now.decisions) == 2


def test_changes_since_the_review_and_pcc_commitments_without_a_live_action(seed):
    plan, _, actions = seed
    pack = board_pack.build(plan, audience="internal", as_at=TODAY)
    moved = {move.line.action.id for move in pack.changes}
    assert {actions["confirmed"].id, actions["overridden"].id, actions["secret"].id} <= moved
    pcc = db.session.scalars(db.select(Plan).filter_by(kind=PlanKind.PCC)).one()
    assert pack.uncovered and all(line.action.plan_id == pcc.id for line in pack.uncovered)
    delivered = {link.target_action_id for a in plan.actions for link in a.links if link.target_action_id}
    open_delivered = {
        link.target_action_id
        for a in plan.actions
        for link in a.links
        if link.target_action_id
        and a.rag is not Rag.BLUE
        and (a.status is None or a.status.value not in ("Complete", "Superseded", "Carried forward"))
    }
    uncovered = {line.action.id for line in pack.uncovered}
    assert uncovered.isdisjoint(open_delivered)
    assert uncovered == {d.id for d in pcc.actions} - open_delivered
    assert delivered  # the seed plan's PCC links resolve, so the list is a real cross-check


def test_the_pack_is_downloaded_from_the_dashboard_and_the_pcc_office_gets_only_its_copy(client, auth, seed):
    plan, lead, _ = seed
    auth.login(lead)
    response = client.get(f"/plans/{plan.id}/board-pack.pdf?audience=internal&as_at=2016-03-15")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "OFFICIAL-SENSITIVE" in pdf_text(response.data)[0]
    assert client.get(f"/plans/{plan.id}/board-pack.pdf?as_at=2016-13-01").status_code == 400
    assert client.get(f"/plans/{plan.id}/board-pack.pdf?as_at=2016-03-16").status_code == 400  # the future
    assert client.get(f"/plans/{plan.id}/board-pack.pdf?audience=everyone").status_code == 400
    auth.logout()
    viewer = make_user("viewer")
    auth.login(viewer)
    assert client.get(f"/plans/{plan.id}/board-pack.pdf?audience=internal").status_code == 403
    choices = check_page(client.get(f"/plans/{plan.id}/board-pack"))
    assert 'value="pcc"' in choices and 'value="internal"' not in choices  # the PCC office is offered its copy only
    response = client.get(f"/plans/{plan.id}/board-pack.pdf?audience=pcc")
    assert response.status_code == 200 and "Nightjar" not in pdf_text(response.data)[0]


def test_the_board_pack_page_keeps_what_was_typed_when_the_date_is_wrong(client, auth, seed):
    plan, lead, _ = seed
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    assert f"/plans/{plan.id}/board-pack" in page
    page = check_page(client.get(f"/plans/{plan.id}/board-pack"))
    assert 'value="15"' in page and 'value="2016"' in page  # today, ready to print
    wrong = client.get(f"/plans/{plan.id}/board-pack?as_at=31&as_at=2&as_at=2016&audience=internal")
    page = check_page(wrong, 400)
    assert "Enter the date as a real date" in page
    assert 'value="31"' in page and 'value="2"' in page
    assert re.search(r'<input[^>]*value="internal"[^>]*checked', page)
    future = check_page(client.get(f"/plans/{plan.id}/board-pack?as_at=16&as_at=3&as_at=2016&audience=pcc"), 400)
    assert "The date must be today or in the past" in future
    response = client.get(f"/plans/{plan.id}/board-pack?as_at=1&as_at=3&as_at=2016&audience=internal")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "As at 1 March 2016" in flat(pdf_text(response.data)[0])
