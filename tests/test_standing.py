"""Owners see where their RAG stands: proposed and awaiting review, confirmed by the lead, or set with a reason."""

from datetime import date

import pytest

from app.extensions import db
from app.models import Action, Rag
from app.services.actions import updating
from app.services.reviewing import decisions, standing
from tests.factories import make_plan, make_user
from tests.pages import check_page, text_of
from tests.test_updates import post_update

TODAY = date(2025, 9, 15)


@pytest.fixture
def people(app_context, app):
    app.config["TODAY"] = TODAY
    lead = make_user("lead", name="DSupt Walton")
    owner = make_user("owner", name="DCI Chisholm")
    plan = make_plan(title="MDS Local Delivery Plan", actions=3, lead_user=lead, owner=owner, rag=None)
    return lead, owner, plan


def propose(action: Action, owner, rag: Rag, text: str = "Referral pathway agreed with partners"):
    updating.add_update(action, owner, text=text, as_at=TODAY, rag=rag, seen_version=action.version, today=TODAY)


def decide(action: Action, lead, rag: Rag, reason: str = ""):
    decisions.decide_rag(action, lead, rag=rag, reason=reason, seen_version=action.version, today=TODAY)


def sentences(plan) -> dict[str, str | None]:
    found = standing.standings(plan.actions)
    return {action.display_ref: found[action.id].sentence if action.id in found else None for action in plan.actions}


def rag_cell(page: str) -> str:
    """The text of the action page's RAG row, tag and standing."""
    start = page.index(">", page.index('id="rag-standing"')) + 1
    return text_of(page[start : page.index("</dd>", start)])


def test_proposed_confirmed_and_set_are_said_in_the_owners_words(people):
    lead, owner, plan = people
    waiting, confirmed, overridden = plan.actions
    propose(waiting, owner, Rag.AMBER)
    propose(confirmed, owner, Rag.AMBER)
    decide(confirmed, lead, Rag.AMBER)
    propose(overridden, owner, Rag.AMBER)
    decide(overridden, lead, Rag.RED, "Two partners withdrew funding")
    assert sentences(plan) == {
        "Prepare 1": "Proposed Amber, awaiting review",
        "Prevent 1": "Confirmed Amber by DSupt Walton",
        "Protect 1": "Set to Red by DSupt Walton: Two partners withdrew funding",
    }


def test_a_new_proposal_after_a_decision_is_awaiting_again_and_a_matching_one_is_not(people):
    lead, owner, plan = people
    action, other, _ = plan.actions
    propose(action, owner, Rag.AMBER)
    decide(action, lead, Rag.RED, "Funding withdrawn")
    propose(action, owner, Rag.GREEN)
    propose(other, owner, Rag.AMBER)
    decide(other, lead, Rag.AMBER)
    propose(other, owner, Rag.AMBER)  # agrees with the confirmed RAG: nothing to wait for
    found = sentences(plan)
    assert found["Prepare 1"] == "Proposed Green, awaiting review"
    assert found["Prevent 1"] == "Confirmed Amber by DSupt Walton"
    assert found["Protect 1"] is None  # nothing proposed, nothing decided


def test_a_lead_changing_the_rag_unprompted_is_set_not_confirmed(people):
    lead, _, plan = people
    decide(plan.actions[0], lead, Rag.AMBER, "Slipping behind the training timetable")
    assert sentences(plan)["Prepare 1"] == "Set to Amber by DSupt Walton: Slipping behind the training timetable"


def test_my_actions_and_the_action_page_say_where_the_owner_stands(client, auth, people):
    lead, owner, plan = people
    waiting, _, overridden = plan.actions
    propose(waiting, owner, Rag.AMBER)
    propose(overridden, owner, Rag.AMBER)
    decide(overridden, lead, Rag.RED, "Two partners withdrew funding")
    auth.login(owner)

    mine = text_of(check_page(client.get("/my-actions")))
    assert "Not set Proposed Amber, awaiting review" in mine
    assert "Red Set to Red by DSupt Walton: Two partners withdrew funding" in mine

    page = check_page(client.get(f"/actions/{waiting.id}"))
    rag_row = rag_cell(page)
    assert rag_row.endswith("Not set Proposed Amber, awaiting review")
    page = check_page(client.get(f"/actions/{overridden.id}"))
    rag_row = rag_cell(page)
    assert rag_row.endswith("Red Set to Red by DSupt Walton: Two partners withdrew funding")


def test_the_pcc_office_does_not_read_the_leads_reason_on_a_restricted_action(client, login_as, people):
    lead, owner, plan = people
    action = plan.actions[0]
    action.restricted = True
    db.session.commit()
    decide(action, lead, Rag.RED, "Operation Nightjar: covert phase")
    login_as("viewer")
    page = check_page(client.get(f"/actions/{action.id}"))
    rag_row = rag_cell(page)
    assert rag_row == "Red Set to Red by DSupt Walton"


def test_after_an_update_the_page_opens_at_its_success_banner(client, auth, people):
    _, owner, plan = people
    auth.login(owner)
    response = post_update(client, plan.actions[0].id, "Training delivered to 40 officers", rag="amber")
    assert response.status_code == 302
    assert "#" not in response.headers["Location"]  # no fragment scrolling past the banner to the history
    page = text_of(check_page(client.get(response.headers["Location"])))
    assert "Your update has been added" in page
    assert "Proposed Amber, awaiting review" in page
