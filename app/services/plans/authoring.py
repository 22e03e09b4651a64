"""Leads and administrators write plans in the tracker: a new plan, its objectives, archiving it.

A lead creates plans that they lead; an administrator names any lead. Every change is audited (`plan.create`,
`plan.archive`, `plan.restore`, `objective.add`, `objective.edit`) with the values before and after, and the
service commits: nothing is half written.
"""

import re
from dataclasses import dataclass
from datetime import date

from app.extensions import db
from app.models import Objective, Plan, Role, Strand, User
from app.models.plan import ACTIVE, ARCHIVED
from app.services.access import can_edit_plan
from app.services.audit import trail as audit
from app.services.errors import NotAllowed, ServiceError
from app.services.plain_text import checked_text

PERIOD_RE = re.compile(r"^(?P<start>(19|20)\d\d)-(?P<end>\d\d)$")


class AuthoringError(ServiceError):
    """A change that cannot be saved, worded for the person; `field` names the form field at fault."""


@dataclass(frozen=True)
class NewPlan:
    title: str
    priority: str
    lead_user_id: int | None
    period_label: str
    update_interval_days: int = 30


@dataclass(frozen=True)
class ObjectiveText:
    strand: Strand | None
    ref: str
    title: str
    outcomes: tuple[str, ...] = ()


def period_dates(label: str) -> tuple[date, date]:
    """A financial year as plans write it ("2016-17") and its first and last days (1 April to 31 March)."""
    match = PERIOD_RE.match(label.strip())
    if not match or (int(match["start"]) + 1) % 100 != int(match["end"]):
        raise AuthoringError("Enter the period as a financial year, like 2016-17", "period_label")
    start = int(match["start"])
    return date(start, 4, 1), date(start + 1, 3, 31)


def next_period(label: str) -> str:
    """The financial year after this one: "2015-16" gives "2016-17"."""
    start, _ = period_dates(label)
    return f"{start.year + 1}-{(start.year + 2) % 100:02d}"


def possible_leads() -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.active.is_(True), User.role.in_([Role.LEAD, Role.ADMIN]))
            .order_by(User.name, User.id)
        )
    )


def _text(value: str, field: str, label: str, limit: int, *, required: bool = True) -> str:
    return checked_text(value, field, label, limit, required=required, error=AuthoringError)


def create_plan(user: User, wanted: NewPlan) -> Plan:
    """Create the plan and commit. A lead leads the plans they create; an administrator names the lead."""
    if user.role not in (Role.ADMIN, Role.LEAD):
        raise NotAllowed(f"{user.email} cannot create plans")
    title = _text(wanted.title, "title", "plan's title", 300)
    priority = _text(wanted.priority, "priority", "priority", 200, required=False)
    period_label = (wanted.period_label or "").strip()
    start, end = period_dates(period_label)
    if not 1 <= (wanted.update_interval_days or 0) <= 366:
        raise AuthoringError("Enter an update interval between 1 and 366 days", "update_interval_days")
    lead = user if user.role is Role.LEAD else _lead(wanted.lead_user_id)
    if db.session.scalar(db.select(Plan.id).filter_by(title=title, period_label=period_label)):
        raise AuthoringError(
            f"There is already a plan called {title} for {period_label}: change the title or the period", "title"
        )
    plan = Plan(
        title=title,
        priority=priority or None,
        lead=lead.name if lead else None,
        lead_user=lead,
        period_label=period_label,
        period_start=start,
        period_end=end,
        update_interval_days=wanted.update_interval_days,
    )
    db.session.add(plan)
    db.session.flush()
    audit.record(
        "plan.create",
        user=user,
        record_type="plan",
        record_id=plan.id,
        new={"title": title, "period": period_label, "lead": lead.email if lead else None, "priority": priority},
    )
    db.session.commit()
    return plan


def _lead(lead_user_id: int | None) -> User | None:
    if lead_user_id is None:
        return None
    lead = db.session.get(User, lead_user_id)
    if lead is None or not lead.active or lead.role not in (Role.LEAD, Role.ADMIN):
        raise AuthoringError("Select the plan lead from the list", "lead_user_id")
    return lead


def set_archived(plan: Plan, user: User, archived: bool) -> None:
    """Archive the plan (readable and exportable, left out of the active lists) or bring it back; commit."""
    if not can_edit_plan(user, plan):
        raise NotAllowed(f"{user.email} does not lead plan {plan.id}")
    wanted = ARCHIVED if archived else ACTIVE
    if plan.status == wanted:
        return
    old = plan.status
    plan.status = wanted
    audit.record(
        "plan.archive" if archived else "plan.restore",
        user=user,
        record_type="plan",
        record_id=plan.id,
        old={"status": old},
        new={"status": wanted},
    )
    db.session.commit()


def save_objective(plan: Plan, user: User, text: ObjectiveText, objective: Objective | None = None) -> Objective:
    """Add an objective to the plan, or change one of its objectives; commit."""
    if not can_edit_plan(user, plan):
        raise NotAllowed(f"{user.email} does not lead plan {plan.id}")
    if objective is not None and objective.plan_id != plan.id:
        raise NotAllowed(f"Objective {objective.id} is not of plan {plan.id}")
    ref = _text(text.ref, "ref", "objective's number", 40)
    title = _text(text.title, "title", "objective", 2_000)
    outcomes = [_text(line, "outcomes", "outcomes", 1_000, required=False) for line in text.outcomes]
    outcomes = [line for line in outcomes if line]
    clash = db.session.scalar(
        db.select(Objective.id).where(
            Objective.plan_id == plan.id,
            Objective.strand.is_(None) if text.strand is None else Objective.strand == text.strand,
            Objective.ref == ref,
        )
    )
    if clash and (objective is None or clash != objective.id):
        where = f"{text.strand.value} " if text.strand else ""
        raise AuthoringError(f"The plan already has an objective {where}{ref}: enter another number", "ref")
    before = _objective_values(objective) if objective else None
    if objective is None:
        position = len(plan.objectives)
        objective = Objective(plan=plan, position=position)
        db.session.add(objective)
    objective.strand, objective.ref, objective.title, objective.outcomes = text.strand, ref, title, outcomes
    after = _objective_values(objective)
    if before == after:
        db.session.rollback()
        return objective
    db.session.flush()
    audit.record(
        "objective.edit" if before else "objective.add",
        user=user,
        record_type="objective",
        record_id=objective.id,
        old=before,
        new={**after, "plan_id": plan.id},
    )
    db.session.commit()
    return objective


def _objective_values(objective: Objective) -> dict:
    return {
        "strand": objective.strand.value if objective.strand else None,
        "ref": objective.ref,
        "title": objective.title[:500],
        "outcomes": list(objective.outcomes or []),
    }
