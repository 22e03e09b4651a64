"""What changed since the last review: new updates, new and closed actions, changed status, target dates and RAG.

The review's snapshot says how each action stood on its day; an action is listed when it was added since, when
its RAG, status or target date is no longer what the snapshot says, or when updates were written after the
review (dated after its day). One query whatever the plan's size: the conditions are SQL, and only the rows
shown are read.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, func, or_
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Action, ActionStatus, Rag, Review, ReviewSnapshot, Update
from app.services import data_version, statements
from app.services.reviewing.meetings import cutoff, uk_date


@dataclass
class ChangeLine:
    """One action that moved since the review (`reviewed` False: added since it)."""

    action: Action
    before: Rag | None
    after: Rag | None
    reviewed: bool = True
    status_before: ActionStatus | None = None
    target_before: date | None = None
    new_updates: int = 0
    what_changed: list[str] = field(default_factory=list)

    @property
    def rag_changed(self) -> bool:
        return self.reviewed and self.before != self.after

    @property
    def closed(self) -> bool:
        return self.reviewed and not self.action.is_open and (self.status_before is None or self.status_before.is_open)


@dataclass
class Changes:
    rows: list[ChangeLine] = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0


def changed_since(plan_id: int, review: Review | None, *, include_restricted: bool, limit: int) -> Changes:
    """The first `limit` actions that changed since the review, in plan order, and how many there are in all."""
    if review is None:
        return Changes()
    since = cutoff(review)

    def statement() -> Select:
        snapshot = aliased(ReviewSnapshot)
        # Written after the review and dated after its day: history imported later, dated before or undated, is not
        # news.
        written = db.select(func.count(Update.id)).where(
            Update.action_id == Action.id, Update.created_at >= since, Update.as_at > review.held_on
        )
        if not include_restricted:
            written = written.where(Update.restricted.is_(False))
        new_updates = written.correlate(Action).scalar_subquery()
        differs = or_(
            snapshot.action_id.is_(None),
            Action.rag.is_distinct_from(snapshot.rag),
            Action.status.is_distinct_from(snapshot.status),
            Action.target_date.is_distinct_from(snapshot.target_date),
            new_updates > 0,
        )
        # Ids and the snapshot's columns only: counting every changed row with the whole action on it made
        # PostgreSQL's window spill the plan's rows to disk. The actions shown are loaded afterwards.
        return (
            db.select(
                Action.id,
                snapshot.action_id,
                snapshot.rag,
                snapshot.status,
                snapshot.target_date,
                new_updates.label("new_updates"),
                func.count().over().label("total"),
            )
            .outerjoin(snapshot, and_(snapshot.action_id == Action.id, snapshot.review_id == review.id))
            .where(Action.plan_id == plan_id, differs)
            .order_by(Action.position, Action.id)
            .limit(limit)
        )

    # The statement is built from the key's values alone, once an app (app/services/statements.py); its rows are
    # kept while the data version is unchanged (app/services/data_version.py), by what the reader may see.
    key = ("changed since", plan_id, review.id, review.held_on, since, include_restricted, limit)
    rows = data_version.cached(
        key, lambda: tuple(tuple(row) for row in db.session.execute(statements.kept(key, statement)))
    )
    actions = db.session.scalars(db.select(Action).where(Action.id.in_([row[0] for row in rows])))
    by_id = {action.id: action for action in actions}
    return Changes([_line(by_id[row[0]], *row[1:6]) for row in rows], rows[0][6] if rows else 0)


def _line(action: Action, snap_id, rag, status, target, new_updates: int) -> ChangeLine:
    line = ChangeLine(
        action,
        rag,
        action.rag,
        reviewed=snap_id is not None,
        status_before=ActionStatus(status) if status else None,
        target_before=target,
        new_updates=new_updates or 0,
    )
    line.what_changed = describe(line)
    return line


def _status(status: ActionStatus | None) -> str:
    return status.value if status else "not set"


def _day(day: date | None) -> str:
    return uk_date(day) if day else "none"


def describe(line: ChangeLine) -> list[str]:
    """What changed, in words, for the dashboard and the board pack."""
    action, said = line.action, []
    if not line.reviewed:
        said.append("Added since the review")
    else:
        if line.closed:
            said.append(f"Closed: {action.status.value if action.status else 'closed'}")
        elif line.status_before != action.status:
            said.append(f"Status {_status(line.status_before)} → {_status(action.status)}")
        if line.target_before != action.target_date:
            said.append(f"Target date {_day(line.target_before)} → {_day(action.target_date)}")
        if line.rag_changed:
            before = line.before.label if line.before else "Not set"
            said.append(f"RAG {before} → {action.rag.label if action.rag else 'Not set'}")
    if line.new_updates:
        said.append(f"{line.new_updates} new update{'s' if line.new_updates != 1 else ''}")
    return said
