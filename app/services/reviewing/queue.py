"""The plan lead's review queue: which actions' RAG needs a decision, worst first.

An action is in the queue when
- its owner's latest proposal differs from the confirmed RAG and nobody has decided since it was written, or
- a rule in rag_rules suggests a worse RAG than the confirmed one, and the lead has not decided on the
  action within the plan's update interval (a decision against a rule stands for one interval).

A file's RAG comes in as a proposal (an update carrying a RAG, attributed to the file and its importer), and
the RAG an import gives a new action is not a decision, so no import holds back a rule's suggestion.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, case, exists, func, or_

from app.extensions import db
from app.models import Action, Plan, Rag, RagChange, Update
from app.services import clock, data_version, statements
from app.services.importing.stored import IMPORTED
from app.services.plans.reading import last_update_dates, latest_update_date
from app.services.reviewing import rag_rules

QUEUE_PAGE = 50  # the queue page shows the worst this many; deciding them brings up the next


@dataclass
class QueueItem:
    action: Action
    proposal: Update | None  # the owner's latest proposal, when it is still to be decided
    suggestion: rag_rules.Suggestion | None  # when the rule disagrees with the confirmed RAG
    last_update: date | None

    @property
    def proposed(self) -> Rag | None:
        """What the lead is asked to confirm: the owner's proposal, or failing that the rule's suggestion."""
        if self.proposal:
            return self.proposal.rag
        return self.suggestion.rag if self.suggestion else None


@dataclass
class ReviewQueue:
    """The most urgent items of a plan's queue, as the page shows them, and how many there are in all."""

    items: list[QueueItem]
    total: int


@dataclass(frozen=True)
class _Pending:
    """An action in the queue, before anything but its facts is loaded."""

    action_id: int
    proposal_id: int | None
    suggestion: rag_rules.Suggestion | None
    last_update: date | None


def review_queue(plan: Plan, today: date | None = None, *, limit: int | None = None) -> ReviewQueue:
    """The plan's actions whose RAG needs the lead's decision, worst proposal first; the first `limit` in full.

    The queue is chosen, counted and sorted in SQL (the rules' SQL forms from rag_rules), so only the actions
    shown are read into Python: a fixed number of queries and a page's worth of work whatever the plan's size.
    """
    today = today or clock.today()
    limit = limit or QUEUE_PAGE
    interval = plan.update_interval_days
    # The facts of the queue's first rows and its total, kept while the data version is unchanged (the rows are
    # plain values: the actions and proposals shown are loaded afresh).
    rows = data_version.cached(
        ("review queue", plan.id, interval, today, limit),
        lambda: tuple(_queue_rows(PLAN, plan.id, interval, today, limit)),
    )
    pending = [_pending(row, plan.update_interval_days, today) for row in rows]
    return ReviewQueue(_items([p for p in pending if p]), rows[0].total if rows else 0)


def queue_item(action: Action, today: date | None = None) -> QueueItem:
    """The action's proposal and rule suggestion as the queue sees them (both None when nothing is pending)."""
    interval_days, today = action.plan.update_interval_days, today or clock.today()
    rows = _queue_rows(ACTION, action.id, interval_days, today, 1)
    pending = _pending(rows[0], interval_days, today) if rows else None
    if pending:
        return _items([pending])[0]
    return QueueItem(action, None, None, last_update_dates([action.id]).get(action.id))


def latest_proposal(*columns):
    """SQL, correlated to Action: these columns of the action's latest update that proposes a RAG (newest first,
    then the highest id), read in one probe of the (action_id, created_at, id) index."""
    return (
        db.select(*columns)
        .where(Update.action_id == Action.id, Update.rag.is_not(None))
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(1)
        .correlate(Action)
    )


def latest_proposal_id():
    """SQL, correlated to Action: the id of the action's latest update that proposes a RAG."""
    return latest_proposal(Update.id).scalar_subquery()


def last_decision_at():
    """SQL, correlated to Action: when the lead last decided its RAG.

    The RAG an import gives a new action is where it starts, not a decision: it never holds a rule back.
    """
    return (
        db.select(func.max(RagChange.changed_at))
        .where(RagChange.action_id == Action.id, RagChange.reason.not_like(f"{IMPORTED}%"))
        .correlate(Action)
    ).scalar_subquery()


def decided_since(moment) -> ColumnElement[bool]:
    """SQL, correlated to Action: the lead has decided its RAG at or after `moment`.

    `NOT decided_since(t)` is `last_decision_at() IS NULL OR last_decision_at() < t` as one probe of the
    (action_id, changed_at) index instead of two correlated max() evaluations.
    """
    return (
        exists()
        .where(
            RagChange.action_id == Action.id, RagChange.reason.not_like(f"{IMPORTED}%"), RagChange.changed_at >= moment
        )
        .correlate_except(RagChange)
    )


PLAN, ACTION = "plan", "action"  # what _queue_rows looks through: a plan's actions, or one action


def _queue_rows(which: str, which_id: int, interval_days: int, today: date, limit: int) -> Sequence[Row]:
    """The facts of the actions in the queue (of the plan or the action `which_id`), most urgent first, each row
    with the queue's total. The statement is built once an app for each interval, day and limit, the id a
    parameter (app/services/statements.py)."""
    key = ("review queue rows", which, interval_days, today, limit)
    statement = statements.kept(key, lambda: _queue_statement(which, interval_days, today, limit))
    return db.session.execute(statement, {"which_id": which_id}).all()


def _queue_statement(which: str, interval_days: int, today: date, limit: int) -> Select:
    chosen = Action.plan_id if which == PLAN else Action.id
    # Materialised, so that each correlated subquery runs once per action however often the conditions use it.
    # The latest proposal's id, RAG and time are read off the index of proposals (action_id, created_at, id,
    # with the RAG included): joining its row by id afterwards made PostgreSQL read and hash every update.
    facts = (
        db.select(
            Action.id.label("action_id"),
            latest_update_date().label("last_update"),
            last_decision_at().label("decided_at"),
            latest_proposal_id().label("proposal_id"),
            latest_proposal(Update.rag).scalar_subquery().label("proposal_rag"),
            latest_proposal(Update.created_at).scalar_subquery().label("proposed_at"),
        )
        .where(chosen == bindparam("which_id"))
        .cte("facts")
        .prefix_with("MATERIALIZED")
    )
    proposal_rag, proposed_at = facts.c.proposal_rag, facts.c.proposed_at
    proposal_stands = and_(
        facts.c.proposal_id.is_not(None),
        or_(Action.rag.is_(None), proposal_rag != Action.rag),
        or_(facts.c.decided_at.is_(None), facts.c.decided_at < proposed_at),
    )
    suggested = rag_rules.suggestion_clause(today, interval_days, facts.c.last_update)
    decision_cutoff = datetime.combine(today - timedelta(days=interval_days), time.min, tzinfo=UTC)
    suggestion_stands = and_(
        suggested.is_not(None),
        or_(Action.rag.is_(None), suggested < rag_rules.severity_clause(Action.rag)),  # worse than confirmed
        or_(facts.c.decided_at.is_(None), facts.c.decided_at < decision_cutoff),  # a decision stands an interval
    )
    urgency = case((proposal_stands, rag_rules.severity_clause(proposal_rag)), (suggestion_stands, suggested), else_=9)
    return (
        db.select(
            Action.id,
            Action.rag,
            Action.status,
            Action.target_date,
            facts.c.last_update,
            facts.c.decided_at,
            facts.c.proposal_id,
            proposal_rag.label("proposal_rag"),
            proposed_at.label("proposed_at"),
            func.count().over().label("total"),
        )
        .join(facts, facts.c.action_id == Action.id)
        .where(or_(proposal_stands, suggestion_stands))
        .order_by(urgency, Action.position, Action.id)
        .limit(limit)
    )


def _pending(row, interval_days: int, today: date) -> _Pending | None:
    """What the queue shows of one row: the proposal that stands and the rule's suggestion that stands."""
    proposal_id, decided_at = row.proposal_id, row.decided_at
    if proposal_id and (row.proposal_rag == row.rag or (decided_at and decided_at >= row.proposed_at)):
        proposal_id = None
    facts = rag_rules.ActionFacts(row.rag, row.status, row.target_date, row.last_update, interval_days)
    suggestion = rag_rules.suggest(facts, today)
    recently_decided = decided_at is not None and (today - decided_at.date()).days <= interval_days
    if not rag_rules.disagrees(suggestion, row.rag) or recently_decided:
        suggestion = None
    if proposal_id or suggestion:
        return _Pending(row.id, proposal_id, suggestion, row.last_update)
    return None


def _items(pending: list[_Pending]) -> list[QueueItem]:
    """The queue items in full: their actions and proposals loaded in two queries."""
    actions = db.session.scalars(db.select(Action).where(Action.id.in_([p.action_id for p in pending])))
    by_id = {action.id: action for action in actions}
    proposal_ids = [p.proposal_id for p in pending if p.proposal_id]
    proposals = {u.id: u for u in db.session.scalars(db.select(Update).where(Update.id.in_(proposal_ids)))}
    return [QueueItem(by_id[p.action_id], proposals.get(p.proposal_id), p.suggestion, p.last_update) for p in pending]
