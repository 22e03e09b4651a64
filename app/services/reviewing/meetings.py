"""Review meetings: recording one snapshots every action's RAG and status as the meeting saw them."""

from datetime import date

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Action, Plan, Review, ReviewSnapshot, User
from app.services import clock
from app.services.access import can_edit_plan
from app.services.audit import trail as audit
from app.services.errors import NotAllowed
from app.services.plain_text import has_control_characters
from app.services.reviewing.decisions import ReviewError

MAX_ATTENDEES_LENGTH = 2_000


def record_review(plan: Plan, lead: User, *, held_on: date, attendees: str, today: date | None = None) -> Review:
    """Record a review meeting and snapshot every action's RAG and status at this moment; commit."""
    if not can_edit_plan(lead, plan):
        raise NotAllowed(f"{lead.email} does not lead plan {plan.id}")
    attendees = (attendees or "").strip()
    if held_on > (today or clock.today()):
        raise ReviewError("The date of the review must be today or in the past")
    if len(attendees) > MAX_ATTENDEES_LENGTH or has_control_characters(attendees):
        raise ReviewError(f"Enter the attendees as plain text, {MAX_ATTENDEES_LENGTH:,} characters or fewer")
    review = Review(plan_id=plan.id, held_on=held_on, attendees=attendees, recorded_by=lead)
    rows = db.session.execute(db.select(Action.id, Action.rag, Action.status).where(Action.plan_id == plan.id))
    review.snapshots = [
        ReviewSnapshot(action_id=action_id, rag=rag, status=status.value if status else None)
        for action_id, rag, status in rows
    ]
    db.session.add(review)
    db.session.flush()
    audit.record(
        "review.record",
        user=lead,
        record_type="review",
        record_id=review.id,
        new={"plan_id": plan.id, "held_on": held_on.isoformat(), "actions": len(review.snapshots)},
    )
    db.session.commit()
    return review


def past_reviews(plan: Plan) -> list[Review]:
    """The plan's review meetings, latest first, for the page where the next one is recorded."""
    return list(
        db.session.scalars(
            db.select(Review)
            .where(Review.plan_id == plan.id)
            .options(selectinload(Review.recorded_by))
            .order_by(Review.held_on.desc(), Review.id.desc())
        )
    )
