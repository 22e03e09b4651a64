"""A file's RAG is a proposal in the review queue, never a decision by whoever imported it; no import
suppresses a rule's suggestion (the overdue actions stay in the queue)."""

from datetime import date

import pytest

from app.extensions import db
from app.models import Plan, Rag, RagChange, Role
from app.services.importing.choices import ImportChoices
from app.services.importing.saving import import_workbook
from app.services.reviewing import queue as reviewing
from app.services.reviewing.decisions import decide_rag
from tests.factories import make_user
from tests.reimporting import TITLE, action, plan_file, row

TODAY = date(2021, 5, 1)  # both actions are due 31/03/2021: overdue


def overdue_plan(rag: str) -> bytes:
    return plan_file(
        [
            row("Pursue", 1, "Target organised crime groups exploiting car washes", rag=rag),
            row("Pursue", 2, "Apply for Slavery and Trafficking Risk Orders", rag=rag),
        ]
    )


@pytest.fixture
def people(app_context, app):
    lead = make_user(Role.LEAD, name="DSupt Walton", two_factor=False)
    admin = make_user(Role.ADMIN, name="Alex Admin", two_factor=False)
    return lead, admin


def the_plan() -> Plan:
    db.session.expire_all()
    return db.session.scalars(db.select(Plan).filter_by(title=TITLE)).one()


def queued() -> dict[str, reviewing.QueueItem]:
    return {item.action.display_ref: item for item in reviewing.review_queue(the_plan(), TODAY).items}


def imported_and_led(lead, rag="Amber"):
    import_workbook(overdue_plan(rag), "plan.xlsx")
    plan = the_plan()
    plan.lead_user_id = lead.id
    db.session.commit()


def test_the_rag_an_import_starts_with_does_not_hold_back_the_overdue_rule(people):
    lead, _ = people
    imported_and_led(lead, "Green")
    items = queued()
    assert set(items) == {"Pursue 1", "Pursue 2"}
    assert {item.suggestion.rag for item in items.values()} == {Rag.RED}


def test_a_leads_confirmed_red_is_not_undone_by_the_files_amber_and_both_overdue_actions_stay_queued(people):
    lead, admin = people
    imported_and_led(lead, "Amber")
    for ref in ("Pursue 1", "Pursue 2"):
        stored = action(ref)
        decide_rag(stored, lead, rag=Rag.RED, reason="", seen_version=stored.version, today=TODAY)
    decisions = db.session.scalar(db.select(db.func.count(RagChange.id)))

    report = import_workbook(overdue_plan("Green"), "plan.xlsx", user=admin)

    assert [action(ref).rag for ref in ("Pursue 1", "Pursue 2")] == [Rag.RED, Rag.RED]
    assert db.session.scalar(db.select(db.func.count(RagChange.id))) == decisions  # no decision by the admin
    items = queued()
    assert set(items) == {"Pursue 1", "Pursue 2"}  # both still in the queue, with the file's proposal
    for item in items.values():
        assert item.proposal.rag is Rag.GREEN
        assert (item.proposal.author_id, item.proposal.author_name) == (admin.id, "plan.xlsx (imported by Alex Admin)")
        assert item.proposal.text == "The file plan.xlsx gives Green (the tracker has Red)."
    assert [str(rag) for rag in report.plans[0].rags] == [
        "Pursue 1: RAG Red → Green, proposed for the lead's review",
        "Pursue 2: RAG Red → Green, proposed for the lead's review",
    ]


def test_a_proposal_from_the_file_is_decided_like_an_owners(people, app):
    lead, admin = people
    imported_and_led(lead, "Amber")
    import_workbook(overdue_plan("Green"), "plan.xlsx", user=admin)
    stored = action("Pursue 1")
    decide_rag(stored, lead, rag=Rag.AMBER, reason="Still Amber: no orders yet", seen_version=stored.version)
    assert action("Pursue 1").rag is Rag.AMBER
    assert "Pursue 1" not in queued() or queued()["Pursue 1"].proposal is None
    import_workbook(overdue_plan("Green"), "plan.xlsx", user=admin)  # the same file again proposes nothing new
    assert queued().get("Pursue 1") is None or queued()["Pursue 1"].proposal is None


def test_the_plans_lead_importing_and_saying_so_decides(people):
    lead, admin = people
    imported_and_led(lead, "Amber")
    report = import_workbook(overdue_plan("Red"), "plan.xlsx", user=lead, choices=ImportChoices(rag_decisions=True))
    assert action("Pursue 1").rag is Rag.RED
    change = db.session.scalars(db.select(RagChange).order_by(RagChange.id.desc())).first()
    assert (change.user_id, change.from_rag, change.to_rag) == (lead.id, Rag.AMBER, Rag.RED)
    assert change.reason == "Decided by the plan's lead when importing plan.xlsx"
    assert str(report.plans[0].rags[0]) == "Pursue 1: RAG Amber → Red, decided by the plan's lead"


def test_an_administrator_saying_so_still_only_proposes(people):
    lead, admin = people
    imported_and_led(lead, "Amber")
    import_workbook(overdue_plan("Red"), "plan.xlsx", user=admin, choices=ImportChoices(rag_decisions=True))
    assert action("Pursue 1").rag is Rag.AMBER
    assert queued()["Pursue 1"].proposal.rag is Rag.RED


def test_a_proposal_from_the_file_does_not_make_an_action_look_updated(people):
    lead, admin = people
    due_soon = date(2021, 3, 15)  # both due 31/03/2021, nobody has written an update
    imported_and_led(lead, "Green")
    import_workbook(overdue_plan("Blue"), "plan.xlsx", user=admin)
    items = {item.action.display_ref: item for item in reviewing.review_queue(the_plan(), due_soon).items}
    assert set(items) == {"Pursue 1", "Pursue 2"}
    for item in items.values():
        assert item.proposal.rag is Rag.BLUE
        assert item.suggestion.rag is Rag.AMBER  # "due soon without an update" still stands
        assert item.last_update is None
