"""Reading plans for the pages: a fixed number of queries whatever the plan's size."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, bindparam, func
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Action, Objective, Plan, Strand, Update
from app.models.plan import ACTIVE
from app.services import statements


@dataclass
class StrandGroup:
    """The actions of one strand (or of one PCC aim, when `strand` is None), in plan order."""

    title: str
    strand: Strand | None
    actions: list[Action] = field(default_factory=list)
    objective: Objective | None = None


def all_plans(*, include_archived: bool = False) -> list[Plan]:
    """The active plans (and, when asked, the archived and closed ones too), by title."""
    query = db.select(Plan).order_by(Plan.title, Plan.id)
    if not include_archived:
        query = query.where(Plan.status == ACTIVE)
    return list(db.session.scalars(query))


def inactive_plans() -> list[Plan]:
    """Archived and closed plans: readable and exportable, listed apart from the active ones."""
    return list(db.session.scalars(db.select(Plan).where(Plan.status != ACTIVE).order_by(Plan.title, Plan.id)))


def get_plan(plan_id: int) -> Plan | None:
    return db.session.get(Plan, plan_id)


def last_update_dates(action_ids: list[int]) -> dict[int, date]:
    """The latest as-at date of each action's updates, in one query."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        db.select(Update.action_id, func.max(Update.as_at))
        .where(Update.action_id.in_(action_ids))
        .group_by(Update.action_id)
    )
    return {action_id: last for action_id, last in rows if last is not None}


def group_actions(plan: Plan, actions: list[Action]) -> list[StrandGroup]:
    """Local plans group under Prepare / Prevent / Protect / Pursue; PCC plans under their aims."""
    if any(action.strand for action in actions):
        groups = {strand: StrandGroup(strand.value, strand) for strand in Strand}
        unassigned = StrandGroup("No strand", None)
        for action in actions:
            (groups[action.strand] if action.strand else unassigned).actions.append(action)
        result = list(groups.values())
        return result + [unassigned] if unassigned.actions else result
    by_objective: dict[int | None, StrandGroup] = {}
    for action in actions:
        key = action.objective_id
        if key not in by_objective:
            title = action.objective.title if action.objective else "Other deliverables"
            by_objective[key] = StrandGroup(title, None, objective=action.objective)
        by_objective[key].actions.append(action)
    return list(by_objective.values())


def get_action(action_id: int) -> Action | None:
    """The action with its owners, links, updates and decisions (one statement each, built once an app)."""
    return db.session.scalar(statements.kept(("action page action",), _action_statement), {"action_id": action_id})


def _action_statement() -> Select:
    return (
        db.select(Action)
        .where(Action.id == bindparam("action_id"))
        .options(
            selectinload(Action.owners),
            selectinload(Action.links),
            selectinload(Action.updates),
            selectinload(Action.rag_changes),
        )
    )


def latest_update_date():
    """Each action's latest update date, as a column to select, filter and sort by (NULL when it has none).

    A correlated subquery rather than a GROUP BY over the plan's updates: both SQLite and PostgreSQL answer
    it from the (action_id, as_at) index for the actions a page actually reads, so a page of 100 actions
    costs the same whether the plan holds 500 updates or 50,000.
    """
    return db.select(func.max(Update.as_at)).where(Update.action_id == Action.id).correlate(Action).scalar_subquery()


def latest_updates(action_ids: list[int]) -> dict[int, Update]:
    """Each action's most recently written update, in one query (the review queue shows it beside Confirm)."""
    if not action_ids:
        return {}
    order = func.row_number().over(partition_by=Update.action_id, order_by=(Update.created_at.desc(), Update.id.desc()))
    ranked = db.select(Update.id, order.label("n")).where(Update.action_id.in_(action_ids)).subquery()
    newest = db.select(ranked.c.id).where(ranked.c.n == 1)
    return {update.action_id: update for update in db.session.scalars(db.select(Update).where(Update.id.in_(newest)))}
