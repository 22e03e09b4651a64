"""The plan lead's decisions on an action's RAG.

Deciding keeps the RAG history (a RagChange: from, to, who, when, why) and an audit event `rag.decide`.
A reason is required when the lead moves an action to Blue, or sets anything other than what is
proposed (the owner's proposal, or failing that the rule's suggestion).
"""

from datetime import date

from app.extensions import db
from app.models import Action, Rag, RagChange, User
from app.models.base import utcnow
from app.services.access import can_edit_plan
from app.services.actions.conflicts import check_stored_version, check_version, flush_action, record_change
from app.services.errors import NotAllowed, ServiceError
from app.services.plain_text import has_control_characters
from app.services.reviewing.queue import queue_item

MAX_REASON_LENGTH = 2_000


class ReviewError(ServiceError):
    """A decision or review that cannot be saved, worded for the lead."""


def decide_rag(
    action: Action,
    lead: User,
    *,
    rag: Rag,
    reason: str,
    seen_version: int | None,
    today: date | None = None,
) -> RagChange:
    """Confirm or set the action's RAG and commit; kept as a RagChange and audited as `rag.decide`.

    Raises NotAllowed for anyone but the plan's lead or an administrator, ReviewError when a reason
    is missing or unusable, and ConflictError when the action changed after the page was opened.
    """
    if not can_edit_plan(lead, action.plan):
        raise NotAllowed(f"{lead.email} does not lead plan {action.plan_id}")
    # The version first: whether a reason is needed depends on what is proposed now, and a lead who lost a
    # race should hear that someone else decided, not that their (then right) decision needs a reason.
    check_version(action, seen_version)
    reason = (reason or "").strip()
    if problem := reason_problem(action, rag, reason, today):
        check_stored_version(action, seen_version)  # the rule may have read another lead's decision just made
        raise ReviewError(problem)
    change = RagChange(action=action, from_rag=action.rag, to_rag=rag, user=lead, reason=reason)
    db.session.add(change)
    action.rag = rag
    action.updated_at = utcnow()  # a confirmation leaves the RAG alone but still moves the version on
    flush_action(action, seen_version)
    record_change(
        "rag.decide",
        action,
        lead,
        old={"rag": change.from_rag.value if change.from_rag else None},
        new={"rag": rag.value, "reason": reason},
    )
    db.session.commit()
    return change


def reason_problem(action: Action, rag: Rag, reason: str, today: date | None = None) -> str | None:
    """Why the decision cannot be saved with this reason, or None."""
    if len(reason) > MAX_REASON_LENGTH:
        return f"The reason must be {MAX_REASON_LENGTH:,} characters or fewer"
    if has_control_characters(reason):
        return "The reason contains characters that cannot be saved: retype it or paste it as plain text"
    if reason:
        return None
    if rag is Rag.BLUE:
        return "Give a reason for marking the action Blue (complete)"
    item = queue_item(action, today)
    if item.proposal and item.proposal.rag and rag != item.proposal.rag:
        return f"Give a reason for setting {rag.label} when the owner proposed {item.proposal.rag.label}"
    if not item.proposal and item.suggestion and rag != item.suggestion.rag:
        return f"Give a reason for setting {rag.label} when the rule suggests {item.suggestion.rag.label}"
    if item.proposed is None and rag != action.rag:
        return "Give a reason for changing the RAG: nobody has proposed it"
    return None
