"""Where an action's RAG stands, as its owner needs to hear it: proposed and waiting, confirmed, or overridden.

An owner who proposes Amber must not be left reading "RAG: Not set"; a lead who overrides the proposal owes
the owner the reason, said where the owner looks (My actions and the action page), not only in the history.
The rule for "awaiting review" is the review queue's: the owner's latest proposal differs from the confirmed
RAG and nobody has decided since it was written.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, func
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Action, Rag, RagChange, Update, User
from app.services import statements

AWAITING = "awaiting"
CONFIRMED = "confirmed"
SET = "set"


@dataclass(frozen=True)
class Standing:
    """One sentence about the action's RAG: `kind` is awaiting, confirmed or set."""

    kind: str
    rag: Rag | None
    by: str = ""
    reason: str = ""
    when: datetime | None = None

    def withholding_reason(self) -> "Standing":
        """The same sentence without the lead's reason, for readers who may not see a restricted action's text."""
        return Standing(self.kind, self.rag, self.by, "", self.when)

    @property
    def sentence(self) -> str:
        label = self.rag.label if self.rag else "Not set"
        if self.kind == AWAITING:
            return f"Proposed {label}, awaiting review"
        by = f" by {self.by}" if self.by else ""
        if self.kind == CONFIRMED:
            return f"Confirmed {label}{by}"
        return f"Set to {label}{by}" + (f": {self.reason}" if self.reason else "")


@dataclass(frozen=True)
class _Proposal:
    rag: Rag
    created_at: datetime


@dataclass(frozen=True)
class _Decision:
    from_rag: Rag | None
    to_rag: Rag | None
    by: str
    reason: str
    changed_at: datetime


def standings(actions: list[Action]) -> dict[int, Standing]:
    """Each action's standing, by action id (absent when nothing was proposed or decided), in two queries."""
    ids = [action.id for action in actions]
    if not ids:
        return {}
    proposals, decisions = _latest_proposals(ids), _latest_decisions(ids)
    result = {}
    for action in actions:
        standing = judge(action.rag, proposals.get(action.id), decisions.get(action.id))
        if standing:
            result[action.id] = standing
    return result


def standing_of(action: Action) -> Standing | None:
    return standings([action]).get(action.id)


def judge(rag: Rag | None, proposal: _Proposal | None, decision: _Decision | None) -> Standing | None:
    """The sentence for a confirmed RAG given the owner's latest proposal and the lead's latest decision."""
    decided_since = decision is not None and proposal is not None and decision.changed_at >= proposal.created_at
    if proposal and proposal.rag != rag and not decided_since:
        return Standing(AWAITING, proposal.rag, when=proposal.created_at)
    if decision is None:
        return None
    # Confirmed: the lead agreed with what the owner proposed (or, unprompted, kept the RAG). An owner who later
    # proposes what the lead had set with a reason has not turned the lead's override into a confirmation.
    agreed = proposal.rag if proposal else decision.from_rag
    overrode = bool(decision.reason) and not decided_since
    kind = CONFIRMED if decision.to_rag == agreed and not overrode else SET
    return Standing(kind, decision.to_rag, by=decision.by, reason=decision.reason, when=decision.changed_at)


def _latest_proposals(ids: list[int]) -> dict[int, _Proposal]:
    rows = db.session.execute(statements.kept(("latest proposals",), _latest_proposals_statement), {"ids": ids})
    return {action_id: _Proposal(rag, created_at) for action_id, rag, created_at in rows}


def _latest_proposals_statement() -> Select:
    """Each action's latest update that proposes a RAG, for the actions `ids` (a parameter: built once an app)."""
    order = func.row_number().over(partition_by=Update.action_id, order_by=(Update.created_at.desc(), Update.id.desc()))
    ranked = (
        db.select(Update.action_id, Update.rag, Update.created_at, order.label("n"))
        .where(Update.action_id.in_(bindparam("ids", expanding=True)), Update.rag.is_not(None))
        .subquery()
    )
    return db.select(ranked.c.action_id, ranked.c.rag, ranked.c.created_at).where(ranked.c.n == 1)


def _latest_decisions_statement() -> Select:
    """Each action's latest RAG decision and who made it, for the actions `ids` (a parameter: built once an app)."""
    order = func.row_number().over(
        partition_by=RagChange.action_id, order_by=(RagChange.changed_at.desc(), RagChange.id.desc())
    )
    ranked = (
        db.select(RagChange, order.label("n"))
        .where(RagChange.action_id.in_(bindparam("ids", expanding=True)))
        .subquery()
    )
    change, user = aliased(RagChange, ranked), aliased(User)
    return (
        db.select(change.action_id, change.from_rag, change.to_rag, user.name, change.reason, change.changed_at)
        .outerjoin(user, user.id == change.user_id)
        .where(ranked.c.n == 1)
    )


def _latest_decisions(ids: list[int]) -> dict[int, _Decision]:
    rows = db.session.execute(statements.kept(("latest decisions",), _latest_decisions_statement), {"ids": ids})
    return {
        action_id: _Decision(from_rag, to_rag, name or "", reason or "", changed_at)
        for action_id, from_rag, to_rag, name, reason, changed_at in rows
    }
