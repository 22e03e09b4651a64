"""Honest reviews: a past review's snapshot is rebuilt from the history, one review a day, notes and decisions kept
and shown, and "changed since the last review" covers updates, new and closed actions, status and target dates."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.extensions import db
from app.models import ActionStatus, AuditEvent, Rag, RagChange, Review, Strand, Update
from app.services.actions import editing as action_editing
from app.services.reporting import dashboard
from app.services.reviewing import decisions as reviewing
from app.services.reviewing import meetings as review_meetings
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page, field_value, textarea_value

TODAY = date.today()  # real days: the history's timestamps are real moments


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def lead(app_context, app):
    return make_user("lead", name="DSupt Walton")


@pytest.fixture
def plan(lead):
    """A plan imported 60 days ago: Prepare 1 came in Amber, Prepare 2 Green, Prepare 3 with no RAG."""
    plan = make_plan(title="MDS Local Delivery Plan", actions=0, lead_user=lead)
    plan.created_at = moment(days_ago(60))
    for ref, rag in (("1", Rag.AMBER), ("2", Rag.GREEN), ("3", None)):
        action = make_action(
            plan, strand=Strand.PREPARE, ref=ref, position=int(ref), rag=rag, target_date=days_ago(-90)
        )
        action.status = ActionStatus.IN_PROGRESS
        action.created_at = moment(days_ago(60))
        if rag:
            action.rag_changes.append(
                RagChange(to_rag=rag, reason="Imported from plan.xlsx", changed_at=moment(days_ago(60)))
            )
    db.session.commit()
    return plan


def by_ref(plan) -> dict:
    return {action.ref: action for action in plan.actions}


def decide_earlier(action, rag: Rag, day: date, lead) -> None:
    """A decision made on an earlier day (as decide_rag would have written it then)."""
    action.rag_changes.append(
        RagChange(from_rag=action.rag, to_rag=rag, user=lead, reason="Agreed", changed_at=moment(day))
    )
    action.rag = rag
    db.session.commit()


def test_a_review_dated_before_a_rag_change_keeps_the_rag_of_its_day(plan, lead):
    one = by_ref(plan)["1"]
    decide_earlier(one, Rag.RED, days_ago(20), lead)  # Amber -> Red twenty days ago
    reviewing.decide_rag(one, lead, rag=Rag.GREEN, reason="Suspect charged", seen_version=one.version)  # today
    assert one.rag is Rag.GREEN

    at_30 = review_meetings.record_review(plan, lead, held_on=days_ago(30), attendees="DSupt Walton")
    at_10 = review_meetings.record_review(plan, lead, held_on=days_ago(10), attendees="DSupt Walton")
    today = review_meetings.record_review(plan, lead, held_on=TODAY, attendees="DSupt Walton")
    rag_of_one = {r.held_on: {s.action_id: s.rag for s in r.snapshots}[one.id] for r in (at_30, at_10, today)}
    assert rag_of_one == {days_ago(30): Rag.AMBER, days_ago(10): Rag.RED, TODAY: Rag.GREEN}
    # The other actions stood as imported: Green, and no RAG.
    assert {s.action_id: s.rag for s in at_30.snapshots}[by_ref(plan)["2"].id] is Rag.GREEN
    assert {s.action_id: s.rag for s in at_30.snapshots}[by_ref(plan)["3"].id] is None
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.verb == "review.record", AuditEvent.record_id == at_30.id)
    )
    assert event.new["rebuilt_from_history"] is True


def test_the_rag_mix_at_each_review_shows_the_rag_of_its_day(plan, lead):
    one = by_ref(plan)["1"]
    review_meetings.record_review(plan, lead, held_on=days_ago(30), attendees="")
    reviewing.decide_rag(one, lead, rag=Rag.RED, reason="Slipped", seen_version=one.version)
    board = dashboard.build(plan, include_restricted=True)
    mix = {row.label: dict(row.counts) for row in board.review_mix}
    at_30 = f"{days_ago(30).day} {days_ago(30):%b %Y}"
    assert mix[at_30] == {"amber": 1, "green": 1, "none": 1}  # not today's Red
    assert mix["Today"] == {"red": 1, "green": 1, "none": 1}


def test_a_past_review_takes_status_and_target_date_from_the_audit_trail(plan, lead):
    two = by_ref(plan)["2"]
    edit = action_editing.ActionEdit(
        links="",
        owner_ids=(),
        target_date=days_ago(-200),
        status=ActionStatus.COMPLETE,
        successor_ref=None,
        objective_id=None,
        restricted=False,
    )
    action_editing.edit_action(two, lead, edit, seen_version=two.version)
    past = review_meetings.record_review(plan, lead, held_on=days_ago(5), attendees="")
    snap = {s.action_id: s for s in past.snapshots}[two.id]
    assert (snap.status, snap.target_date) == ("In progress", days_ago(-90))
    now = review_meetings.record_review(plan, lead, held_on=TODAY, attendees="")
    snap = {s.action_id: s for s in now.snapshots}[two.id]
    assert (snap.status, snap.target_date) == ("Complete", days_ago(-200))


def test_actions_added_after_the_day_are_not_in_its_snapshot(plan, lead):
    later = make_action(plan, strand=Strand.PREVENT, ref="1", position=9, rag=Rag.GREEN)
    later.created_at = moment(days_ago(3))
    db.session.commit()
    review = review_meetings.record_review(plan, lead, held_on=days_ago(10), attendees="")
    assert later.id not in {s.action_id for s in review.snapshots} and len(review.snapshots) == 3


def test_a_date_before_the_plan_came_in_is_refused(plan, lead):
    with pytest.raises(review_meetings.ReviewError, match="came into the tracker on .*: enter .* or a later date"):
        review_meetings.record_review(plan, lead, held_on=days_ago(61), attendees="")
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


def test_a_date_before_a_reimport_that_changed_actions_is_refused(plan, lead):
    db.session.add(
        AuditEvent(
            verb="plan.import",
            record_type="plan",
            record_id=plan.id,
            at=moment(days_ago(7)),
            new={"new_plan": False, "actions_created": 0, "actions_changed": 2},
        )
    )
    db.session.commit()
    with pytest.raises(review_meetings.ReviewError, match="imported again on .* enter .* or a later date"):
        review_meetings.record_review(plan, lead, held_on=days_ago(10), attendees="")
    assert review_meetings.record_review(plan, lead, held_on=days_ago(7), attendees="").held_on == days_ago(7)


def test_a_second_review_of_the_same_day_is_refused(plan, lead):
    review_meetings.record_review(plan, lead, held_on=days_ago(2), attendees="Board")
    with pytest.raises(review_meetings.ReviewError, match="already recorded"):
        review_meetings.record_review(plan, lead, held_on=days_ago(2), attendees="Board again")
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1
    other = make_plan(title="Another plan", actions=1, lead_user=lead)  # another plan's review that day is fine
    other.created_at = plan.created_at
    assert review_meetings.record_review(other, lead, held_on=days_ago(2), attendees="").plan_id == other.id


def test_the_database_refuses_two_reviews_of_a_plan_on_one_day(plan):
    from sqlalchemy.exc import IntegrityError

    db.session.add_all([Review(plan_id=plan.id, held_on=TODAY), Review(plan_id=plan.id, held_on=TODAY)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_review_page_records_attendees_notes_and_decisions(client, auth, plan, lead):
    auth.login(lead)
    form = check_page(client.get(f"/plans/{plan.id}/reviews/new"))
    data = {
        "csrf_token": field_value(form, "csrf_token"),
        "held_on": [str(days_ago(1).day), str(days_ago(1).month), str(days_ago(1).year)],
        "attendees": "DSupt Walton, DCI Chisholm, PCC office",
        "notes": "Prepare 1 slipped: the venue fell through.",
        "decisions": "Prepare 1 to be re-planned; DCI Chisholm told.",
    }
    response = client.post(f"/plans/{plan.id}/reviews/new", data=data)
    review = db.session.scalar(db.select(Review))
    assert response.headers["Location"] == f"/reviews/{review.id}"
    page = check_page(client.get(f"/reviews/{review.id}"))
    for text in (data["attendees"], data["notes"], data["decisions"], "Amber: 1"):
        assert text in page
    dashboard_page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    assert "DSupt Walton, DCI Chisholm, PCC office" in dashboard_page and "DCI Chisholm told" in dashboard_page
    assert f'href="/reviews/{review.id}"' in dashboard_page

    again = check_page(client.post(f"/plans/{plan.id}/reviews/new", data={**data, "notes": "Second go"}))
    assert "already recorded" in again and textarea_value(again, "notes") == "Second go"
    assert textarea_value(again, "decisions") == data["decisions"]
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1


def test_a_refused_past_date_keeps_what_was_typed(client, auth, plan, lead):
    auth.login(lead)
    form = check_page(client.get(f"/plans/{plan.id}/reviews/new"))
    early = days_ago(100)
    data = {
        "csrf_token": field_value(form, "csrf_token"),
        "held_on": [str(early.day), str(early.month), str(early.year)],
        "attendees": "Board",
        "notes": "Long notes",
        "decisions": "Agreed",
    }
    page = check_page(client.post(f"/plans/{plan.id}/reviews/new", data=data))
    assert "came into the tracker on" in page and textarea_value(page, "notes") == "Long notes"
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


# Changed since the last review


def test_changed_since_covers_updates_new_and_closed_actions_status_and_target_dates(plan, lead):
    one, two, three = (by_ref(plan)[ref] for ref in ("1", "2", "3"))
    review_meetings.record_review(plan, lead, held_on=days_ago(10), attendees="")
    one.updates.append(Update(as_at=days_ago(2), text="Venue booked", author_name="DCI Chisholm"))
    db.session.commit()

    def edit(action, **changes):
        values = dict(links="", owner_ids=(), target_date=action.target_date, status=action.status)
        values |= dict(successor_ref=None, objective_id=None, restricted=False) | changes
        action_editing.edit_action(action, lead, action_editing.ActionEdit(**values), seen_version=action.version)

    edit(two, status=ActionStatus.COMPLETE)
    edit(three, target_date=days_ago(-30), status=ActionStatus.ONGOING)
    added = make_action(plan, strand=Strand.PURSUE, ref="1", position=9, rag=None)
    db.session.commit()

    board = dashboard.build(plan, include_restricted=True)
    changed = {line.action.display_ref: line.what_changed for line in board.changed.rows}
    assert changed == {
        "Prepare 1": ["1 new update"],
        "Prepare 2": ["Closed: Complete"],
        "Prepare 3": [
            "Status In progress → Ongoing",
            f"Target date {review_meetings.uk_date(days_ago(-90))} → {review_meetings.uk_date(days_ago(-30))}",
        ],
        "Pursue 1": ["Added since the review"],
    }
    assert added.id in {line.action.id for line in board.changed.rows}


def test_restricted_updates_are_not_counted_for_viewers(plan, lead):
    one = by_ref(plan)["1"]
    review_meetings.record_review(plan, lead, held_on=days_ago(1), attendees="")
    one.updates.append(Update(as_at=TODAY, text="Covert work", author_name="DCI Chisholm", restricted=True))
    db.session.commit()
    assert [line.what_changed for line in dashboard.build(plan, include_restricted=True).changed.rows] == [
        ["1 new update"]
    ]
    assert not dashboard.build(plan, include_restricted=False).changed


def test_the_dashboard_lists_what_changed(client, login_as, plan, lead):
    review_meetings.record_review(plan, lead, held_on=days_ago(1), attendees="")
    by_ref(plan)["1"].updates.append(Update(as_at=TODAY, text="Venue booked", author_name="DCI Chisholm"))
    db.session.commit()
    login_as("viewer")
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    section = page[page.index('id="changed-since"') :]
    assert "1 new update" in section and "Prepare 1" in section
