"""What the plan lead needs to see first, for every plan at once: the plans page and the top of the dashboard.

Five counts a plan: owners' proposals awaiting a decision, Red, overdue, stale, and updates dated after the
last review. Each is the SQL form of a rule the rest of the app already uses (the review queue's "proposal
stands", rag_rules' overdue and stale), and each has a filter on the plan page that lists the same actions,
so a count and the list it links to never disagree. Four queries whatever the number of plans or actions.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Executable, Integer, Select, case, cast, exists, func, literal, or_, union_all

from app.extensions import db
from app.models import Action, Plan, Rag, Review, Update
from app.services import clock, data_version, statements
from app.services.reviewing import queue, rag_rules


@dataclass
class Landing:
    """One plan's counts. `updates` counts updates dated after the last review, `updated` the actions they are on."""

    plan_id: int
    awaiting: int = 0
    red: int = 0
    overdue: int = 0
    stale: int = 0
    updates: int = 0
    updated: int = 0
    last_review: date | None = None


def awaiting_clause() -> ColumnElement[bool]:
    """The action's owner proposed a RAG other than the confirmed one and nobody has decided since.

    The review queue's rule for a proposal that stands, as one condition on Action rows. The latest proposal
    (queue.latest_proposal) is read with its RAG and time in the same probe; matching the update table on its id
    afterwards made PostgreSQL hash every update of every plan, or look each proposal up twice.
    """
    latest = queue.latest_proposal(Update.rag, Update.created_at).subquery("latest_proposal")
    stands = (
        db.select(literal(1))
        .select_from(latest)
        .where(
            or_(Action.rag.is_(None), latest.c.rag != Action.rag),
            ~queue.decided_since(latest.c.created_at),
        )
    )
    return stands.correlate(Action).exists()


def updated_since_clause(held_on: date | None, *, include_restricted: bool) -> ColumnElement[bool]:
    """The action has an update dated after the review held on `held_on` (any dated update when none was held)."""
    after = Update.as_at > held_on if held_on else Update.as_at.is_not(None)
    if include_restricted:
        return exists().where(Update.action_id == Action.id, after)
    return exists().where(Update.action_id == Action.id, after, Update.restricted.is_(False))


def last_review_dates(plan_ids: list[int]) -> dict[int, date]:
    rows = db.session.execute(
        db.select(Review.plan_id, func.max(Review.held_on)).where(Review.plan_id.in_(plan_ids)).group_by(Review.plan_id)
    )
    return dict(rows.all())


def landings(plans: list[Plan], *, include_restricted: bool, today: date | None = None) -> dict[int, Landing]:
    """Each plan's counts, by plan id. Kept between requests while the data version is unchanged
    (app/services/data_version.py), by the plans, their intervals, today and what the reader may see."""
    today = today or clock.today()
    if not plans:
        return {}
    key = ("landings", tuple((plan.id, plan.update_interval_days) for plan in plans), include_restricted, today)
    kept = data_version.cached(key, lambda: _landings(plans, include_restricted, today))
    return {plan_id: replace(row) for plan_id, row in kept.items()}  # copies: the kept ones are shared


def _landings(plans: list[Plan], include_restricted: bool, today: date) -> dict[int, Landing]:
    ids = [plan.id for plan in plans]
    result = {plan_id: Landing(plan_id) for plan_id in ids}
    _count_actions(plans, result, today)
    reviews = last_review_dates(ids)
    for plan_id, held_on in reviews.items():
        result[plan_id].last_review = held_on
    _count_updates({plan_id: reviews.get(plan_id) for plan_id in ids}, result, include_restricted)
    return result


def landing(plan: Plan, *, include_restricted: bool, today: date | None = None) -> Landing:
    return landings([plan], include_restricted=include_restricted, today=today)[plan.id]


def landing_with(
    plan: Plan, *, red: int, overdue: int, stale: int, last_review: date | None, include_restricted: bool
) -> Landing:
    """The plan's counts when the Red, overdue and stale counts and the last review's date are known already
    (the dashboard counts the same rules for its lists): only the proposals awaiting a decision and the updates
    since the review are counted here, with the same SQL `landings` runs."""
    row = Landing(plan.id, red=red, overdue=overdue, stale=stale, last_review=last_review)
    key = ("landing_with", plan.id, last_review, include_restricted)
    row.awaiting, row.updates, row.updated = data_version.cached(
        key, lambda: _awaiting_and_updates(plan.id, last_review, include_restricted)
    )
    return row


def _awaiting_and_updates(plan_id: int, last_review: date | None, include_restricted: bool) -> tuple[int, int, int]:
    awaiting = db.session.scalar(
        statements.kept(
            ("awaiting", plan_id),
            lambda: db.select(func.count(Action.id)).where(Action.plan_id == plan_id, awaiting_clause()),
        )
    )
    result = {plan_id: Landing(plan_id)}
    _count_updates({plan_id: last_review}, result, include_restricted)
    return awaiting or 0, result[plan_id].updates, result[plan_id].updated


def _count_actions(plans: list[Plan], result: dict[int, Landing], today: date) -> None:
    """Awaiting, Red, overdue and stale, every plan in one grouped query (stale by each plan's own interval)."""
    key = ("landing counts", tuple(result), frozenset(plan.update_interval_days for plan in plans), today)
    rows = db.session.execute(statements.kept(key, lambda: _count_actions_statement(plans, list(result), today)))
    for plan_id, awaiting, red, overdue, stale_count in rows:
        row = result[plan_id]
        row.awaiting, row.red, row.overdue, row.stale = awaiting or 0, red or 0, overdue or 0, stale_count or 0


def _count_actions_statement(plans: list[Plan], plan_ids: list[int], today: date) -> Select:
    intervals = {plan.update_interval_days for plan in plans}
    cutoff = case({days: today - timedelta(days=days) for days in intervals}, value=Plan.update_interval_days)
    stale = rag_rules.stale_before_clause(cutoff)

    def tally(condition):
        return func.sum(case((condition, 1), else_=0))

    return (
        db.select(
            Action.plan_id,
            tally(awaiting_clause()),
            tally(Action.rag == Rag.RED),
            tally(rag_rules.overdue_clause(today)),
            tally(stale),
        )
        .join(Plan, Plan.id == Action.plan_id)
        .where(Action.plan_id.in_(plan_ids))
        .group_by(Action.plan_id)
    )


def _count_updates(held_on: dict[int, date | None], result: dict[int, Landing], include_restricted: bool) -> None:
    """Updates dated after each plan's last review (`held_on`, by plan id; every dated update of a plan never
    reviewed), and the actions they are on, in one statement whatever the number of plans.

    The plans reviewed on the same day share a branch of a UNION ALL whose date is a constant, so PostgreSQL
    reads only those plans' updates dated after it off the (plan_id, as_at) index, with the action and the
    restricted flag in it, rather than joining each plan's date to every update of every plan. The plans never
    reviewed count their dated updates action by action off the (action_id, as_at) index: as one join,
    PostgreSQL read every update of every plan to find a few plans' own.
    """
    key = ("updates since the reviews", tuple(held_on.items()), include_restricted)
    query = statements.kept(key, lambda: _count_updates_statement(held_on, include_restricted))
    for plan_id, updates, updated in db.session.execute(query):
        result[plan_id].updates, result[plan_id].updated = updates or 0, updated or 0


def _count_updates_statement(held_on: dict[int, date | None], include_restricted: bool) -> Executable:
    visible = [] if include_restricted else [Update.restricted.is_(False)]
    by_day: dict[date | None, list[int]] = {}
    for plan_id, day in held_on.items():
        by_day.setdefault(day, []).append(plan_id)
    branches: list[Select[Any]] = []
    for day, plan_ids in by_day.items():
        if day is None:
            dated = (
                db.select(func.count(Update.id))
                .where(Update.action_id == Action.id, Update.as_at.is_not(None), *visible)
                .correlate(Action)
                .scalar_subquery()
            )
            each = db.select(Action.plan_id, dated.label("n")).where(Action.plan_id.in_(plan_ids)).subquery()
            branches.append(
                db.select(
                    each.c.plan_id,
                    cast(func.sum(each.c.n), Integer),
                    cast(func.sum(case((each.c.n > 0, 1), else_=0)), Integer),
                ).group_by(each.c.plan_id)
            )
        else:  # the plans' own updates after the day, off the (plan_id, as_at) index alone: no join
            branches.append(
                db.select(Update.plan_id, func.count(), func.count(func.distinct(Update.action_id)))
                .where(Update.plan_id.in_(plan_ids), Update.as_at > day, *visible)
                .group_by(Update.plan_id)
            )
    return branches[0] if len(branches) == 1 else union_all(*branches)
