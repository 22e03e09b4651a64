"""The tracker's rules about time, written down in one place.

Which action is *closed*, *overdue* or *stale*, and which RAG the rules *suggest*, are decided here and
nowhere else: the dashboard, the review queue, "My actions" and the plan filters all ask this module,
in Python for a list already loaded and in SQL (the `*_clause` functions) for a filter, and a test
checks that both answers agree.

The suggestion rules are ordered worst first; the first that applies is the suggestion. A rule sets a
floor: it disagrees with the confirmed RAG only when the confirmed RAG is better than it suggests
(a Red action that is also "due soon" is not sent back for review as Amber).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, null, or_
from sqlalchemy.orm import QueryableAttribute

from app.models import Action, ActionStatus, Plan, Rag, Update

DUE_SOON_DAYS = 30

# An action in one of these states needs no more updates and cannot be late.
CLOSED_STATUSES = frozenset({ActionStatus.COMPLETE, ActionStatus.SUPERSEDED, ActionStatus.CARRIED_FORWARD})


@dataclass(frozen=True)
class ActionFacts:
    """What the rules look at: one action's RAG, status, target date and latest update, and its plan's interval."""

    rag: Rag | None
    status: ActionStatus | None
    target_date: date | None
    last_update: date | None
    interval_days: int

    @classmethod
    def of(cls, action: Action, last_update: date | None, interval_days: int | None = None) -> "ActionFacts":
        if interval_days is None:
            interval_days = action.plan.update_interval_days
        return cls(action.rag, action.status, action.target_date, last_update, interval_days)


def is_closed(facts: ActionFacts) -> bool:
    """Blue (complete), or marked Complete, Superseded or Carried forward."""
    return facts.rag is Rag.BLUE or facts.status in CLOSED_STATUSES


def is_overdue(facts: ActionFacts, today: date) -> bool:
    """The target date has passed and the action is not closed."""
    return facts.target_date is not None and facts.target_date < today and not is_closed(facts)


def is_stale(facts: ActionFacts, today: date) -> bool:
    """No update for longer than the plan's update interval (or never), and the action is not closed."""
    if is_closed(facts):
        return False
    return facts.last_update is None or (today - facts.last_update).days > facts.interval_days


def update_due_on(facts: ActionFacts) -> date | None:
    """The last day on which the action is not yet stale: its latest update plus the plan's interval (`is_stale`
    is "today is after this day"). None when it has no dated update (it is stale already) or is closed."""
    if is_closed(facts) or facts.last_update is None:
        return None
    return facts.last_update + timedelta(days=facts.interval_days)


def _due_soon_without_update(facts: ActionFacts, today: date) -> bool:
    if facts.target_date is None or is_closed(facts):
        return False
    due_soon = today <= facts.target_date <= today + timedelta(days=DUE_SOON_DAYS)
    updated_recently = facts.last_update is not None and (today - facts.last_update).days <= facts.interval_days
    return due_soon and not updated_recently


@dataclass(frozen=True)
class Rule:
    name: str
    explanation: str
    suggests: Rag
    applies: Callable[[ActionFacts, date], bool]
    # The same test in SQL: (today, the plan's update interval, the latest-update column) -> condition.
    applies_in_sql: Callable[[date, int, ColumnElement], ColumnElement[bool]]


RULES: tuple[Rule, ...] = (
    Rule(
        "Past target date",
        "The target date has passed and the action is not complete.",
        Rag.RED,
        is_overdue,
        lambda today, interval_days, last_update: overdue_clause(today),
    ),
    Rule(
        "Due soon without an update",
        f"The target date is within {DUE_SOON_DAYS} days and nobody has written an update within the plan's "
        "update interval.",
        Rag.AMBER,
        _due_soon_without_update,
        lambda today, interval_days, last_update: due_soon_without_update_clause(today, interval_days, last_update),
    ),
)


@dataclass(frozen=True)
class Suggestion:
    rag: Rag
    rule: Rule


def suggest(facts: ActionFacts, today: date) -> Suggestion | None:
    """The RAG the first applicable rule suggests, with the rule, or None when no rule applies."""
    for rule in RULES:
        if rule.applies(facts, today):
            return Suggestion(rule.suggests, rule)
    return None


def disagrees(suggestion: Suggestion | None, current: Rag | None) -> bool:
    """True when the rule's suggestion is worse than the confirmed RAG (or there is no confirmed RAG)."""
    if suggestion is None:
        return False
    return current is None or suggestion.rag.severity < current.severity


# The same rules in SQL, for filters that must run in one query whatever the plan's size.


def _open_clause() -> ColumnElement[bool]:
    # Spelled out with IS NULL because NOT (NULL = 'blue') is NULL in SQL, not true.
    return and_(
        or_(Action.rag.is_(None), Action.rag != Rag.BLUE),
        or_(Action.status.is_(None), Action.status.not_in(list(CLOSED_STATUSES))),
    )


def overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(Action.target_date.is_not(None), Action.target_date < today, _open_clause())


def not_updated_since(cutoff, last_update: ColumnElement | None = None) -> ColumnElement[bool]:
    """The action's latest update is dated before `cutoff`, or it has none.

    With `last_update` (a column already holding each action's latest update date) it is read from there.
    Without, it is `NOT EXISTS (an update dated on or after cutoff)`: the same answer (an undated update counts
    for neither), found by one probe of the (action_id, as_at) index, where `max(as_at) IS NULL OR max(as_at) <
    cutoff` would run the correlated max() twice for every action.
    """
    if last_update is not None:
        return or_(last_update.is_(None), last_update < cutoff)
    return ~exists().where(Update.action_id == Action.id, Update.as_at >= cutoff).correlate_except(Update)


def stale_clause(today: date, plan: Plan, last_update: ColumnElement | None = None) -> ColumnElement[bool]:
    """Open and not updated within the plan's interval (`last_update`: see not_updated_since)."""
    return stale_before_clause(today - timedelta(days=plan.update_interval_days), last_update)


def stale_before_clause(cutoff, last_update: ColumnElement | None = None) -> ColumnElement[bool]:
    """Open and not updated since `cutoff` (a date, or a date column when each plan has its own interval)."""
    return and_(_open_clause(), not_updated_since(cutoff, last_update))


def due_soon_without_update_clause(
    today: date, interval_days: int, last_update: ColumnElement | None = None
) -> ColumnElement[bool]:
    return and_(
        Action.target_date.is_not(None),
        Action.target_date >= today,
        Action.target_date <= today + timedelta(days=DUE_SOON_DAYS),
        _open_clause(),
        not_updated_since(today - timedelta(days=interval_days), last_update),
    )


def severity_clause(rag: ColumnElement | QueryableAttribute) -> ColumnElement[int]:
    """A RAG column as its severity (Red 0 … Blue 3; no RAG 4), to compare and sort by in SQL."""
    return case(*((rag == member, member.severity) for member in Rag), else_=len(Rag))


def suggestion_clause(today: date, interval_days: int, last_update: ColumnElement) -> ColumnElement[int]:
    """The severity of the RAG the first applicable rule suggests (`suggest` in SQL), NULL when none applies."""
    return case(
        *((rule.applies_in_sql(today, interval_days, last_update), rule.suggests.severity) for rule in RULES),
        else_=null(),
    )
