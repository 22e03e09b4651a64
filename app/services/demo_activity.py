"""Example activity for the demo, on top of the seed plans: so a newcomer's dashboard, review queue and "changed
since the last review" show what the tracker is for, rather than grey bars and empty lists.

The seed's own text is left exactly as it is. Everything added here says it is example data: each update and
each decision's reason begins "Example:", the review's notes say so, and every audit event it writes has
the detail "example data". The example story runs over the last ten weeks, so the demo pretends the seed plan
came in 70 days ago (its plan, actions and import RAG history are dated then; the import's own audit event keeps
its true time). Then, in order: owners' updates proposing RAGs, the lead's decisions with reasons, a review
meeting six weeks ago (its snapshot rebuilt from that history by the review service), and since then more updates
and decisions, two proposals still waiting for the lead.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.extensions import db
from app.models import Action, AuditEvent, Plan, Rag, RagChange, Update, User
from app.services import clock
from app.services.reviewing import meetings

EXAMPLE = "example data"
LOCAL_PLAN = "Public Protection Delivery Plan 2015-16"
CAME_IN = 70  # days ago


@dataclass(frozen=True)
class Step:
    days_ago: int
    ref: str  # the action, e.g. "Protect 3"
    update: str | None = None
    proposed: Rag | None = None
    decided: Rag | None = None
    reason: str = ""


STORY = [
    Step(60, "Prepare 1", "Example: awareness sessions booked for all four LPUs", Rag.GREEN),
    Step(58, "Prevent 2", "Example: the comms campaign is late: the design agency needs a new brief", Rag.AMBER),
    Step(57, "Protect 3", "Example: no tracker of NRM referrals yet; Intel cannot report numbers", Rag.RED),
    Step(56, "Prepare 1", decided=Rag.GREEN, reason="Example: agreed at the MDS pre-meeting"),
    Step(56, "Prevent 2", decided=Rag.AMBER, reason="Example: agreed; the new brief is due next month"),
    Step(56, "Protect 3", decided=Rag.RED, reason="Example: escalated to the MDS board"),
    # The review meeting is held 42 days ago (see REVIEW_DAYS_AGO).
    Step(20, "Protect 3", "Example: referrals tracker built with Intel; first 6 referrals logged", Rag.AMBER),
    Step(18, "Protect 3", decided=Rag.AMBER, reason="Example: progress confirmed with Intel Esther Martin"),
    Step(10, "Prevent 2", "Example: campaign launched in Sandwell and Walsall", Rag.GREEN),
    Step(7, "Prepare 1", "Example: three of the four LPUs trained; the last session is booked"),
    Step(5, "Prepare 9", "Example: two partnership officers off sick; the workshops may slip", Rag.AMBER),
]
REVIEW_DAYS_AGO = 42
REVIEW = {
    "attendees": "DSupt Walton, DCI Chisholm, Intel (Esther Martin), Corporate Comms, PCC office",
    "notes": "Example data: a review meeting made up for the demo. Protect 3 has no referrals tracker; "
    "the Prevent 2 campaign is late.",
    "decisions": "Example: Protect 3 escalated to the MDS board, DCI Chisholm to report back in four weeks. "
    "Example: Corporate Comms to send the new brief for Prevent 2. Owners told by email.",
}


def _at(days_ago: int, today: date, hour: int = 10) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=UTC)


def add_example_activity(lead: User, owner: User, today: date | None = None) -> int:
    """Add the example story to the seed's local plan and commit; the number of entries added (0 if absent)."""
    today = today or clock.today()
    plan = db.session.scalar(db.select(Plan).filter_by(title=LOCAL_PLAN))
    if plan is None or db.session.scalar(db.select(AuditEvent.id).filter_by(detail=EXAMPLE).limit(1)):
        return 0
    actions = {action.display_ref: action for action in plan.actions}
    _backdate_arrival(plan, _at(CAME_IN, today, 9))
    before = [step for step in STORY if step.days_ago > REVIEW_DAYS_AGO]
    after = [step for step in STORY if step.days_ago <= REVIEW_DAYS_AGO]
    for step in before:
        _write(step, actions[step.ref], lead, owner, today)
    db.session.commit()
    review = meetings.record_review(plan, lead, held_on=today - timedelta(days=REVIEW_DAYS_AGO), today=today, **REVIEW)
    db.session.add(
        AuditEvent(
            verb="demo.example",
            user_id=lead.id,
            actor=lead.email,
            record_type="review",
            record_id=review.id,
            detail=EXAMPLE,
        )
    )
    for step in after:
        _write(step, actions[step.ref], lead, owner, today)
    db.session.commit()
    return len(STORY) + 1


def _backdate_arrival(plan: Plan, moment: datetime) -> None:
    plan.created_at = moment
    for action in plan.actions:
        action.created_at = moment
        for change in action.rag_changes:
            change.changed_at = moment


def _write(step: Step, action: Action, lead: User, owner: User, today: date) -> None:
    moment = _at(step.days_ago, today)
    if step.update:
        action.updates.append(
            Update(
                as_at=moment.date(),
                author=owner,
                author_name=owner.name,
                text=step.update,
                rag=step.proposed,
                source="app",
                created_at=moment,
            )
        )
        db.session.flush()
        _audit("update.add", owner, action, moment, {"as_at": moment.date().isoformat(), "rag": _value(step.proposed)})
    if step.decided:
        old = action.rag
        db.session.add(
            RagChange(
                action=action, from_rag=old, to_rag=step.decided, user=lead, changed_at=moment, reason=step.reason
            )
        )
        action.rag = step.decided
        db.session.flush()
        new = {"rag": step.decided.value, "reason": step.reason}
        _audit("rag.decide", lead, action, moment, new, old={"rag": _value(old)})


def _value(rag: Rag | None) -> str | None:
    return rag.value if rag else None


def _audit(verb: str, user: User, action: Action, moment: datetime, new: dict, old: dict | None = None) -> None:
    db.session.add(
        AuditEvent(
            verb=verb,
            at=moment,
            user_id=user.id,
            actor=user.email,
            record_type="action",
            record_id=action.id,
            old=old,
            new={**new, "version": action.version},
            detail=EXAMPLE,
        )
    )
