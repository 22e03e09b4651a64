"""The review queue, RAG decisions with their reasons, and review meetings that snapshot the RAG."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Action, ActionStatus, AuditEvent, Rag, RagChange, Review, Strand, Update
from app.services.actions.conflicts import ConflictError
from app.services.errors import NotAllowed
from app.services.reporting import dashboard
from app.services.reviewing import rag_rules
from app.services.reviewing.decisions import ReviewError, decide_rag, reason_problem
from app.services.reviewing.meetings import record_review
from app.services.reviewing.queue import review_queue
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page, field_value, textarea_value

TODAY = date(2025, 9, 15)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def propose(action: Action, rag: Rag, *, as_at: date = TODAY, text: str = "Progress") -> Update:
    update = Update(action=action, as_at=as_at, text=text, rag=rag, author_name="DCI Chisholm")
    db.session.add(update)
    db.session.commit()
    return update


@pytest.fixture
def lead(app_context, app):
    return make_user("lead", name="DSupt Walton")


@pytest.fixture
def plan(lead):
    return make_plan(title="MDS Local Delivery Plan", actions=0, lead_user=lead)


def add(plan, ref: str, rag: Rag | None = Rag.GREEN, target: date | None = None, last: date | None = TODAY):
    action = make_action(plan, strand=Strand.PREPARE, ref=ref, position=int(ref), rag=rag, target_date=target)
    if last:
        written = datetime(last.year, last.month, last.day, 9, tzinfo=UTC)  # written on the day it is as at
        action.updates.append(Update(as_at=last, text="Earlier news", author_name="DCI Chisholm", created_at=written))
    db.session.commit()
    return action


def queue_refs(plan, today=TODAY) -> dict[str, tuple]:
    return {
        item.action.ref: (
            item.proposal.rag if item.proposal else None,
            item.suggestion.rule.name if item.suggestion else None,
        )
        for item in review_queue(plan, today=today).items
    }


# The queue


def test_queue_holds_undecided_proposals_and_rule_disagreements(plan, lead):
    proposed_amber = add(plan, "1")
    propose(proposed_amber, Rag.AMBER)
    agreed = add(plan, "2")
    propose(agreed, Rag.GREEN)
    add(plan, "3", target=days(-1))  # overdue and Green: the rule says Red
    add(plan, "4", rag=Rag.RED, target=days(-1))  # overdue and already Red: agrees
    add(plan, "5", target=days(10), last=days(-40))  # due soon, no update in 30 days: Amber
    add(plan, "6", rag=Rag.RED, target=days(10), last=None)  # due soon but already worse than Amber
    add(plan, "7", rag=Rag.BLUE, target=days(-30))  # complete
    superseded = add(plan, "8", target=days(-30))
    superseded.status = ActionStatus.SUPERSEDED
    decided = add(plan, "9")
    propose(decided, Rag.AMBER)
    decide_rag(decided, lead, rag=Rag.GREEN, reason="Partners confirmed funding", seen_version=1)
    add(plan, "10", target=days(40), last=None)  # due in 40 days: outside the rule's 30

    assert queue_refs(plan) == {
        "1": (Rag.AMBER, None),
        "3": (None, "Past target date"),
        "5": (None, "Due soon without an update"),
    }
    assert [item.action.ref for item in review_queue(plan, today=TODAY).items] == ["3", "1", "5"]  # Red first


def test_the_latest_proposal_counts(plan):
    action = add(plan, "1")
    propose(action, Rag.RED, as_at=days(-5))
    propose(action, Rag.AMBER, as_at=days(-10), text="Written later, about an earlier date")
    assert queue_refs(plan) == {"1": (Rag.AMBER, None)}
    propose(action, Rag.GREEN)
    assert queue_refs(plan) == {}


def test_a_decision_against_a_rule_stands_for_one_interval(plan, lead):
    action = add(plan, "1", target=days(-1))
    decide_rag(action, lead, rag=Rag.GREEN, reason="Deadline moved by the board", seen_version=1)
    decided_on = db.session.scalar(db.select(RagChange.changed_at)).date()
    assert queue_refs(plan, today=decided_on) == {}
    assert queue_refs(plan, today=decided_on + timedelta(days=31)) == {"1": (None, "Past target date")}


def test_rules_are_named_and_ordered_worst_first():
    assert [(r.name, r.suggests) for r in rag_rules.RULES] == [
        ("Past target date", Rag.RED),
        ("Due soon without an update", Rag.AMBER),
    ]


def test_queue_page_shows_proposal_rule_and_confirmed_side_by_side(client, auth, plan, lead, app):
    app.config["TODAY"] = TODAY
    action = add(plan, "1", target=days(-3))
    propose(action, Rag.AMBER)
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/review"))
    row = page[page.index('id="review-queue"') :]
    assert "Past target date" in row and ">Amber<" in row and ">Red<" in row and ">Green<" in row
    assert "Confirm Amber" in page
    # Each row's form, written out in the queue: where it posts, the session's token, this page to come back to
    form = row[row.index("<form") : row.index("</form>")]
    assert f'action="/actions/{action.id}/decide"' in form and f'href="/actions/{action.id}/decide"' in row
    assert f'name="return_to" value="/plans/{plan.id}/review"' in form and 'name="rag" value="amber"' in form
    assert f'name="csrf_token" value="{field_value(page, "csrf_token")}"' in form
    assert f'<a class="govuk-link" href="/actions/{action.id}">Prepare 1</a>' in row


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_only_leads_see_the_queue(client, login_as, plan, role):
    login_as(role)
    assert client.get(f"/plans/{plan.id}/review").status_code == 403


def test_a_lead_of_another_plan_cannot_decide(client, login_as, plan):
    action = add(plan, "1")
    other_lead = login_as("lead")
    assert client.get(f"/plans/{plan.id}/review").status_code == 403
    assert client.get(f"/actions/{action.id}/decide").status_code == 403
    with pytest.raises(NotAllowed):
        decide_rag(action, other_lead, rag=Rag.RED, reason="Mine now", seen_version=1)
    assert db.session.scalar(db.select(db.func.count(RagChange.id))) == 0


# Deciding


def test_confirming_the_proposal_keeps_history_and_clears_the_queue(client, auth, plan, lead, app):
    app.config["TODAY"] = TODAY
    action = add(plan, "1")
    propose(action, Rag.AMBER)
    auth.login(lead)
    queue = check_page(client.get(f"/plans/{plan.id}/review"))
    response = client.post(
        f"/actions/{action.id}/decide",
        data={"csrf_token": field_value(queue, "csrf_token"), "rag": "amber", "version": field_value(queue, "version")},
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{plan.id}/review"
    page = check_page(client.get(response.headers["Location"]))
    assert "Prepare 1: RAG set to Amber" in page and "Nothing to decide" in page
    change = db.session.scalar(db.select(RagChange))
    assert (change.from_rag, change.to_rag, change.user_id, change.reason) == (Rag.GREEN, Rag.AMBER, lead.id, "")
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "rag.decide"))
    assert event.old == {"rag": "green"} and event.new["rag"] == "amber" and event.record_id == action.id
    history = check_page(client.get(f"/actions/{action.id}"))
    assert "RAG history" in history and "DSupt Walton" in history


def test_overriding_the_proposal_needs_a_reason(client, auth, plan, lead, app):
    app.config["TODAY"] = TODAY
    action = add(plan, "1")
    propose(action, Rag.AMBER)
    auth.login(lead)
    opened = check_page(client.get(f"/actions/{action.id}/decide"))
    assert field_value(opened, "version") == "1"
    data = {"csrf_token": field_value(opened, "csrf_token"), "rag": "red", "version": "1", "reason": "  "}
    page = check_page(client.post(f"/actions/{action.id}/decide", data=data))
    assert page.count("Give a reason for setting Red when the owner proposed Amber") == 2
    assert db.session.get(Action, action.id).rag is Rag.GREEN
    assert db.session.scalar(db.select(db.func.count(RagChange.id))) == 0

    data["reason"] = "Victim care contract lapses in October"
    assert client.post(f"/actions/{action.id}/decide", data=data).status_code == 302
    change = db.session.scalar(db.select(RagChange))
    assert (change.to_rag, change.reason) == (Rag.RED, "Victim care contract lapses in October")
    assert "Victim care contract lapses in October" in check_page(client.get(f"/actions/{action.id}"))


def test_moving_to_blue_needs_a_reason_even_when_proposed(plan, lead):
    action = add(plan, "1")
    propose(action, Rag.BLUE)
    assert reason_problem(action, Rag.BLUE, "") == "Give a reason for marking the action Blue (complete)"
    with pytest.raises(ReviewError):
        decide_rag(action, lead, rag=Rag.BLUE, reason="", seen_version=1)
    change = decide_rag(action, lead, rag=Rag.BLUE, reason="Training delivered to all", seen_version=1)
    assert change.to_rag is Rag.BLUE and db.session.get(Action, action.id).rag is Rag.BLUE


def test_overriding_a_rule_or_changing_unprompted_needs_a_reason(plan):
    overdue = add(plan, "1", target=days(-1))
    quiet = add(plan, "2")
    assert reason_problem(overdue, Rag.RED, "", TODAY) is None
    assert "when the rule suggests Red" in reason_problem(overdue, Rag.AMBER, "", TODAY)
    assert "nobody has proposed it" in reason_problem(quiet, Rag.AMBER, "", TODAY)
    assert reason_problem(quiet, Rag.GREEN, "", TODAY) is None  # confirming as it stands


def test_two_leads_deciding_at_once_one_wins_the_other_is_told(client, auth, plan, lead, app):
    app.config["TODAY"] = TODAY
    action = add(plan, "1")
    propose(action, Rag.AMBER)
    auth.login(lead)
    opened = check_page(client.get(f"/actions/{action.id}/decide"))
    admin = make_user("admin", name="Alex Admin")
    decide_rag(action, admin, rag=Rag.AMBER, reason="", seen_version=1)  # the other lead is quicker

    data = {
        "csrf_token": field_value(opened, "csrf_token"),
        "rag": "red",
        "version": field_value(opened, "version"),
        "reason": "Worse than the owner says",
    }
    page = check_page(client.post(f"/actions/{action.id}/decide", data=data), 409)
    assert "Your decision has not been saved" in page
    assert "Alex Admin set the RAG from Green to Amber" in page
    assert textarea_value(page, "reason") == "Worse than the owner says"
    assert field_value(page, "version") == "2"
    assert [c.to_rag for c in db.session.scalars(db.select(RagChange))] == [Rag.AMBER]


def test_a_decision_racing_another_write_is_refused(plan, lead):
    action = add(plan, "1")
    with db.engine.begin() as other:
        other.execute(db.text("UPDATE action SET version = version + 1 WHERE id = :id"), {"id": action.id})
    with pytest.raises(ConflictError):
        decide_rag(action, lead, rag=Rag.GREEN, reason="", seen_version=1)
    assert db.session.scalar(db.select(db.func.count(RagChange.id))) == 0


# Review meetings


def test_recording_a_review_snapshots_every_action(plan, lead):
    red = add(plan, "1", rag=Rag.RED)
    done = add(plan, "2", rag=Rag.BLUE)
    done.status = ActionStatus.COMPLETE
    unset = add(plan, "3", rag=None)
    review = record_review(plan, lead, held_on=TODAY, attendees="DSupt Walton, PCC office", today=TODAY)
    snapshots = {s.action_id: (s.rag, s.status) for s in review.snapshots}
    assert snapshots == {red.id: (Rag.RED, None), done.id: (Rag.BLUE, "Complete"), unset.id: (None, None)}
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "review.record")).record_id == review.id

    decide_rag(red, lead, rag=Rag.AMBER, reason="Suspect charged", seen_version=red.version)
    board = dashboard.build(plan, include_restricted=True, today=TODAY)
    assert [(m.action.ref, m.before, m.after) for m in board.changed.rows] == [("1", Rag.RED, Rag.AMBER)]


def test_a_review_cannot_be_held_in_the_future(plan, lead):
    with pytest.raises(ReviewError, match="today or in the past"):
        record_review(plan, lead, held_on=days(1), attendees="", today=TODAY)
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


def test_lead_records_a_review_through_the_page(client, auth, plan, lead, app):
    app.config["TODAY"] = TODAY
    plan.created_at = datetime(2025, 4, 1, tzinfo=UTC)  # in the tracker since April, so 12 September is known
    add(plan, "1", rag=Rag.RED)
    auth.login(lead)
    form = check_page(client.get(f"/plans/{plan.id}/reviews/new"))
    assert field_value(form, "held_on") == "15"
    future = {"csrf_token": field_value(form, "csrf_token"), "held_on": ["16", "9", "2025"], "attendees": "Board"}
    page = check_page(client.post(f"/plans/{plan.id}/reviews/new", data=future))
    assert "The date of the review must be today or in the past" in page
    assert textarea_value(page, "attendees") == "Board"
    response = client.post(f"/plans/{plan.id}/reviews/new", data={**future, "held_on": ["12", "9", "2025"]})
    review = db.session.scalar(db.select(Review))
    assert response.headers["Location"] == f"/reviews/{review.id}"
    assert "Review of 12 September 2025 recorded" in check_page(client.get(response.headers["Location"]))
    assert "Last review held on 12 September 2025" in check_page(client.get(f"/plans/{plan.id}/dashboard"))
    assert "Board" in check_page(client.get(f"/plans/{plan.id}/reviews/new"))
    assert review.recorded_by_id == lead.id and review.created_at <= datetime.now(UTC)


def test_a_long_queue_shows_the_most_urgent_first(client, auth, plan, lead, app, monkeypatch):
    app.config["TODAY"] = TODAY
    monkeypatch.setattr("app.services.reviewing.queue.QUEUE_PAGE", 2)
    for ref in ("1", "2", "3"):
        propose(add(plan, ref), Rag.AMBER)
    add(plan, "4", target=days(-1))  # the rule says Red: most urgent
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/review"))
    assert "4 actions to decide: the 2 most urgent shown" in page
    queue = page[page.index('id="review-queue"') :]
    assert "Prepare 4" in queue and "Prepare 1" in queue and "Prepare 3" not in queue


def test_the_queue_chosen_in_sql_is_the_queue_the_rules_give(plan, lead):
    """The queue is chosen and sorted in SQL; an oracle written with the Python rules must agree on a plan of
    every mix of RAG, status, target date, latest update, proposal and decision."""
    rng = random.Random(7)
    moments = [datetime(2025, 9, day, hour, tzinfo=UTC) for day in (1, 10, 14, 15) for hour in (8, 16)]
    rags = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, None]
    for n in range(1, 121):
        target = rng.choice([None, days(-5), days(0), days(1), days(29), days(31), days(90)])
        action = make_action(plan, strand=Strand.PREPARE, ref=str(n), position=rng.randint(0, 50), rag=rng.choice(rags))
        action.target_date = target
        action.status = rng.choice([None, None, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE])
        for _ in range(rng.randint(0, 3)):
            action.updates.append(
                Update(
                    as_at=rng.choice([None, days(-60), days(-31), days(-30), days(-2)]),
                    text="News",
                    rag=rng.choice([None, *rags[:4]]),
                    created_at=rng.choice(moments),
                )
            )
        if rng.random() < 0.4:
            action.rag_changes.append(RagChange(to_rag=action.rag, reason="Decided", changed_at=rng.choice(moments)))
    db.session.commit()

    def expected(action) -> tuple | None:
        proposals = sorted((u for u in action.updates if u.rag), key=lambda u: (u.created_at, u.id))
        proposal = proposals[-1] if proposals else None
        decided = max((change.changed_at for change in action.rag_changes), default=None)
        if proposal and (proposal.rag == action.rag or (decided and decided >= proposal.created_at)):
            proposal = None
        last = max((u.as_at for u in action.updates if u.as_at), default=None)
        suggestion = rag_rules.suggest(rag_rules.ActionFacts.of(action, last), TODAY)
        if not rag_rules.disagrees(suggestion, action.rag) or (decided and (TODAY - decided.date()).days <= 30):
            suggestion = None
        if not (proposal or suggestion):
            return None
        proposed = proposal.rag if proposal else suggestion.rag
        return (proposed.severity, action.position, action.id)

    keys = sorted(key for action in plan.actions if (key := expected(action)))
    queue = review_queue(plan, today=TODAY, limit=1000)
    assert 20 < queue.total == len(keys) < 120
    assert [item.action.id for item in queue.items] == [key[2] for key in keys]
    assert all(item.proposal or item.suggestion for item in queue.items)
