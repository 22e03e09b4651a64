"""Keeping what each import read of each action (the base of the next import's three-way merge), in bulk."""

from sqlalchemy import Table, bindparam, insert, update

from app.extensions import db
from app.models import ActionBaseline, Plan
from app.models.base import utcnow


def save(plan: Plan, written: list, filename: str) -> None:
    """Insert the baselines of actions that had none, rewrite those that changed; one statement each."""
    now, name = utcnow(), filename[:255]
    fresh = [w for w in written if w.baseline_was is None and w.baseline is not None]
    changed = [w for w in written if w.baseline_was is not None and w.baseline != w.baseline_was]
    table = ActionBaseline.__table__
    assert isinstance(table, Table)  # a declarative model's own Table (typed as a FromClause)
    if fresh:
        rows = [{"action_id": w.id, "values": w.baseline, "filename": name, "imported_at": now} for w in fresh]
        db.session.execute(insert(table), rows)
    if changed:
        statement = (
            update(table)
            .where(table.c.action_id == bindparam("b_action_id"))
            .values(values=bindparam("b_values"), filename=bindparam("b_filename"), imported_at=bindparam("b_at"))
        )
        rows = [{"b_action_id": w.id, "b_values": w.baseline, "b_filename": name, "b_at": now} for w in changed]
        db.session.execute(statement, rows)
