"""Review meetings: what the lead and partners saw on the day, rebuilt honestly from the history.

A review's snapshot is each action's RAG, status and target date as they stood at the end of the day it was
held. For a review held today that is how they stand now. For a past date they are rebuilt: the RAG from the
RAG history (every import and every decision is a RagChange, with the RAG before and after), the status and
target date from the audit trail (every edit in the app records the old and new value). Actions added after
the date are left out. Where the history cannot say how things stood, a past date is refused:
- before the plan came into the tracker (an imported plan's earlier RAGs were only in the spreadsheet);
- before a later import of the plan changed its actions, since an import records its RAGs but not each
  action's old status and target date (actions an import added are simply left out of earlier snapshots).
A plan has one review a day: a second would give the chart and the export's Summary two columns for one day.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Action, ActionStatus, AuditEvent, Plan, Rag, RagChange, Review, ReviewSnapshot, User
from app.models.base import utcnow
from app.services import clock
from app.services.access import can_edit_plan
from app.services.audit import trail as audit
from app.services.plain_text import has_control_characters
from app.services.reviewing import decisions

MAX_TEXT_LENGTH = 5_000
MAX_ATTENDEES_LENGTH = 2_000


class ReviewError(decisions.ReviewError):
    """A review that cannot be saved, worded for the lead; `field` names the form field at fault."""

    def __init__(self, message: str, field: str = "held_on"):
        super().__init__(message)
        self.field = field


NotAllowed = decisions.NotAllowed  # only the plan's lead (or an administrator) records its reviews


@dataclass(frozen=True)
class StoodAt:
    """An action as it stood at a moment."""

    rag: Rag | None
    status: ActionStatus | None
    target_date: date | None


def uk_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def end_of(day: date) -> datetime:
    """The first moment after the day (UTC): what stood then is what stood on the day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def cutoff(review: Review) -> datetime:
    """When the review's snapshot stands: the end of its day, or when it was recorded if that was sooner."""
    recorded = review.created_at or utcnow()
    return min(recorded, end_of(review.held_on))


def record_review(
    plan: Plan,
    lead: User,
    *,
    held_on: date,
    attendees: str,
    notes: str = "",
    decisions: str = "",
    today: date | None = None,
) -> Review:
    """Record a review meeting with the snapshot of its day, rebuilt from the history when it is past; commit.

    Raises NotAllowed, or ReviewError (nothing written) for a future date, a second review of the day, a past
    date the history cannot rebuild, or text that cannot be saved.
    """
    if not can_edit_plan(lead, plan):
        raise NotAllowed(f"{lead.email} does not lead plan {plan.id}")
    today = today or clock.today()
    attendees, notes, decisions = (attendees or "").strip(), (notes or "").strip(), (decisions or "").strip()
    _check_text(attendees, notes, decisions)
    if held_on > today:
        raise ReviewError("The date of the review must be today or in the past")
    if same_day := _review_on(plan, held_on):
        raise ReviewError(
            f"A review of this plan on {uk_date(held_on)} is already recorded: add to that review's notes, "
            f"or enter the date of another meeting (review {same_day.id})"
        )
    stood = how_actions_stood(plan, held_on, today=today)
    review = Review(
        plan_id=plan.id, held_on=held_on, attendees=attendees, notes=notes, decisions=decisions, recorded_by=lead
    )
    review.snapshots = [
        ReviewSnapshot(
            action_id=action_id, rag=s.rag, status=s.status.value if s.status else None, target_date=s.target_date
        )
        for action_id, s in stood.items()
    ]
    db.session.add(review)
    db.session.flush()
    audit.record(
        "review.record",
        user=lead,
        record_type="review",
        record_id=review.id,
        new={
            "plan_id": plan.id,
            "held_on": held_on.isoformat(),
            "actions": len(review.snapshots),
            "rebuilt_from_history": held_on < today,
        },
    )
    db.session.commit()
    return review


def _check_text(attendees: str, notes: str, decisions: str) -> None:
    if len(attendees) > MAX_ATTENDEES_LENGTH or has_control_characters(attendees):
        raise ReviewError(
            f"Enter the attendees as plain text, {MAX_ATTENDEES_LENGTH:,} characters or fewer", "attendees"
        )
    for field, text in (("notes", notes), ("decisions", decisions)):
        if len(text) > MAX_TEXT_LENGTH or has_control_characters(text):
            raise ReviewError(f"Enter the {field} as plain text, {MAX_TEXT_LENGTH:,} characters or fewer", field)


def _review_on(plan: Plan, held_on: date) -> Review | None:
    return db.session.scalar(db.select(Review).where(Review.plan_id == plan.id, Review.held_on == held_on))


def how_actions_stood(plan: Plan, day: date, *, today: date | None = None) -> dict[int, StoodAt]:
    """Each action's RAG, status and target date at the end of `day`, by action id (only actions that existed).

    Raises ReviewError when the history cannot tell (see the module's docstring).
    """
    today = today or clock.today()
    rows = db.session.execute(
        db.select(Action.id, Action.rag, Action.status, Action.target_date, Action.created_at)
        .where(Action.plan_id == plan.id)
        .order_by(Action.position, Action.id)
    ).all()
    if day >= today:
        return {row.id: StoodAt(row.rag, row.status, row.target_date) for row in rows}
    moment = end_of(day)
    _check_history_reaches(plan, day, moment)
    existing = [row for row in rows if row.created_at < moment]
    ids = [row.id for row in existing]
    rags = _rags_at(ids, moment)
    fields = _fields_at(ids, moment)
    result = {}
    for row in existing:
        status, target = fields.get(row.id, {}).get("status", row.status), row.target_date
        if "target_date" in fields.get(row.id, {}):
            target = fields[row.id]["target_date"]
        result[row.id] = StoodAt(rags.get(row.id, row.rag), status, target)
    return result


def _check_history_reaches(plan: Plan, day: date, moment: datetime) -> None:
    arrived = plan.created_at
    if arrived is not None and arrived >= moment:
        raise ReviewError(
            f"The plan came into the tracker on {uk_date(arrived.date())}, so the tracker cannot tell how its "
            f"actions stood on {uk_date(day)}: enter {uk_date(arrived.date())} or a later date"
        )
    imports = db.session.scalars(
        db.select(AuditEvent)
        .where(
            AuditEvent.verb == "plan.import",
            AuditEvent.record_type == "plan",
            AuditEvent.record_id == plan.id,
            AuditEvent.at >= moment,
        )
        .order_by(AuditEvent.at.desc())
    )
    for event in imports:
        # Actions an import created are left out of an earlier snapshot (they did not exist yet); an import that
        # changed actions may have changed their status and target dates without saying from what.
        if (event.new or {}).get("actions_changed"):
            raise ReviewError(
                f"The plan was imported again on {uk_date(event.at.date())} and the file changed its actions, "
                f"so the tracker cannot tell how they stood on {uk_date(day)}: enter "
                f"{uk_date(event.at.date())} or a later date"
            )


def _rags_at(ids: list[int], moment: datetime) -> dict[int, Rag | None]:
    """The RAG of each action at the moment: the last decision before it, else what the first one after changed."""
    result: dict[int, Rag | None] = {}
    decided: set[int] = set()
    changes = db.session.execute(
        db.select(RagChange.action_id, RagChange.from_rag, RagChange.to_rag, RagChange.changed_at)
        .where(RagChange.action_id.in_(ids))
        .order_by(RagChange.action_id, RagChange.changed_at, RagChange.id)
    )
    for action_id, from_rag, to_rag, changed_at in changes:
        if changed_at < moment:
            result[action_id] = to_rag
            decided.add(action_id)
        elif action_id not in decided:
            result[action_id] = from_rag
            decided.add(action_id)
    return result


def _fields_at(ids: list[int], moment: datetime) -> dict[int, dict]:
    """Each action's status and target date before the first change to each made after the moment."""
    result: dict[int, dict] = {}
    events = db.session.execute(
        db.select(AuditEvent.record_id, AuditEvent.old)
        .where(AuditEvent.record_type == "action", AuditEvent.record_id.in_(ids), AuditEvent.at >= moment)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    for action_id, old in events:
        before = result.setdefault(action_id, {})
        for name, value in (old or {}).items():
            if name == "status" and name not in before:
                before[name] = ActionStatus(value) if value else None
            elif name == "target_date" and name not in before:
                before[name] = date.fromisoformat(value) if value else None
    return result


def get_review(review_id: int) -> Review | None:
    return db.session.scalar(
        db.select(Review)
        .where(Review.id == review_id)
        .options(selectinload(Review.recorded_by), selectinload(Review.plan))
    )


def review_lines(review: Review) -> list[tuple[Action, ReviewSnapshot]]:
    """The review's snapshot with each action, in plan order."""
    rows = db.session.execute(
        db.select(Action, ReviewSnapshot)
        .join(ReviewSnapshot, ReviewSnapshot.action_id == Action.id)
        .where(ReviewSnapshot.review_id == review.id)
        .order_by(Action.position, Action.id)
    )
    return [(action, snapshot) for action, snapshot in rows]


def snapshot_counts(review: Review) -> dict[str, int]:
    """How many actions of each RAG the review recorded ("none" for not set)."""
    rows = db.session.execute(
        db.select(ReviewSnapshot.rag, func.count())
        .where(ReviewSnapshot.review_id == review.id)
        .group_by(ReviewSnapshot.rag)
    )
    return {(rag.value if rag else "none"): n for rag, n in rows}


def past_reviews(plan: Plan) -> list[Review]:
    """The plan's review meetings, latest first."""
    return list(
        db.session.scalars(
            db.select(Review)
            .where(Review.plan_id == plan.id)
            .options(selectinload(Review.recorded_by))
            .order_by(Review.held_on.desc(), Review.id.desc())
        )
    )
