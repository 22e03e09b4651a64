"""Next year's plan: "Start the 2016-17 plan from this one".

Every open action (not complete, withdrawn, superseded or already carried forward) is copied into a new plan for
the next period, with its objective, owners, contacts, partners, links, target date, status and RAG. The old
action becomes Carried forward, its `successor` the copy, so the copy's page links back to the earlier history.
The old plan is then Closed: readable and exportable, out of the active lists, with a closing summary of what
was completed and what was left behind. One transaction; audited as `plan.carry_forward` and, on each old action,
`action.carry_forward` (with the status before, so a past review still rebuilds it).
"""

from dataclasses import dataclass, field

from app.extensions import db
from app.models import Action, ActionStatus, Objective, Plan, RagChange, StrategicLink, User
from app.models.plan import CLOSED
from app.services.access import can_edit_plan
from app.services.actions.conflicts import record_change
from app.services.audit import trail as audit
from app.services.plans.authoring import AuthoringError, NotAllowed, next_period, period_dates
from app.services.reporting import traceability


@dataclass
class ClosingSummary:
    """What became of a plan's actions."""

    plan: Plan
    completed: list[Action] = field(default_factory=list)
    carried_forward: list[Action] = field(default_factory=list)
    withdrawn: list[Action] = field(default_factory=list)  # withdrawn or merged into another action
    still_open: list[Action] = field(default_factory=list)
    next_plan: Plan | None = None


def next_title(plan: Plan, period_label: str) -> str:
    """The plan's title with this year's period replaced by next year's, where the title names it."""
    if plan.period_label and plan.period_label in plan.title:
        return plan.title.replace(plan.period_label, period_label)
    return plan.title


def open_actions(plan: Plan) -> list[Action]:
    actions = db.session.scalars(
        db.select(Action).where(Action.plan_id == plan.id).order_by(Action.position, Action.id)
    )
    return [action for action in actions if action.is_open]


def successor_plan(plan: Plan) -> Plan | None:
    return db.session.scalar(db.select(Plan).where(Plan.previous_plan_id == plan.id).order_by(Plan.id).limit(1))


def start_next_plan(plan: Plan, user: User, *, period_label: str | None = None) -> Plan:
    """Create next year's plan from this one and commit (see the module's docstring)."""
    if not can_edit_plan(user, plan):
        raise NotAllowed(f"{user.email} does not lead plan {plan.id}")
    if not plan.is_active:
        raise AuthoringError(f"This plan is {plan.status.lower()}: only an active plan is carried forward", "period")
    label = (period_label or next_period(plan.period_label)).strip()
    start, end = period_dates(label)
    title = next_title(plan, label)
    if db.session.scalar(db.select(Plan.id).filter_by(title=title, period_label=label)):
        raise AuthoringError(f"There is already a plan called {title} for {label}", "period")
    new = Plan(
        title=title,
        kind=plan.kind,
        priority=plan.priority,
        lead=plan.lead,
        lead_user_id=plan.lead_user_id,
        period_label=label,
        period_start=start,
        period_end=end,
        update_interval_days=plan.update_interval_days,
        previous_plan_id=plan.id,
    )
    db.session.add(new)
    objectives = {}
    for old in plan.objectives:
        objectives[old.id] = Objective(
            plan=new,
            strand=old.strand,
            ref=old.ref,
            title=old.title,
            description=old.description,
            outcomes=list(old.outcomes or []),
            position=old.position,
        )
    db.session.flush()
    carried = open_actions(plan)
    copies = [_copy(action, new, objectives, user) for action in carried]
    db.session.flush()
    for action, copy in zip(carried, copies, strict=True):
        old_status = action.status.value if action.status else None
        action.status, action.successor = ActionStatus.CARRIED_FORWARD, copy
        db.session.flush()
        record_change(
            "action.carry_forward",
            action,
            user,
            old={"status": old_status},
            new={"status": ActionStatus.CARRIED_FORWARD.value, "successor_id": copy.id, "plan_id": new.id},
        )
    plan.status = CLOSED
    audit.record(
        "plan.carry_forward",
        user=user,
        record_type="plan",
        record_id=plan.id,
        old={"status": "Active"},
        new={"status": CLOSED, "next_plan_id": new.id, "actions_carried": len(copies)},
    )
    audit.record(
        "plan.create",
        user=user,
        record_type="plan",
        record_id=new.id,
        new={"title": title, "period": label, "from_plan_id": plan.id, "actions": len(copies)},
    )
    db.session.commit()
    return new


def _copy(action: Action, plan: Plan, objectives: dict, user: User) -> Action:
    copy = Action(
        plan_id=plan.id,
        strand=action.strand,
        ref=action.ref,
        position=action.position,
        what=action.what,
        how=action.how,
        responsibility=action.responsibility,
        objective=objectives.get(action.objective_id),
        target_date=action.target_date,
        target_date_text=action.target_date_text,
        status=action.status,
        rag=action.rag,
        restricted=action.restricted,
    )
    db.session.add(copy)
    copy.owners = list(action.owners)
    copy.contacts = list(action.contacts)
    copy.partners = list(action.partners)
    for link in action.links:
        target = traceability.resolve_pcc_code(link.code, plan) if link.framework.value == "PCC" else None
        copy.links.append(
            StrategicLink(
                framework=link.framework, code=link.code, text=link.text, position=link.position, target=target
            )
        )
    if action.rag is not None:
        reason = f"Carried forward from {action.plan.full_title}, where it was {action.rag.label}"[:1000]
        copy.rag_changes.append(RagChange(from_rag=None, to_rag=action.rag, user=user, reason=reason))
    return copy


def closing_summary(plan: Plan) -> ClosingSummary:
    summary = ClosingSummary(plan, next_plan=successor_plan(plan))
    actions = db.session.scalars(
        db.select(Action).where(Action.plan_id == plan.id).order_by(Action.position, Action.id)
    )
    for action in actions:
        if action.status is ActionStatus.COMPLETE:
            summary.completed.append(action)
        elif action.status is ActionStatus.CARRIED_FORWARD:
            summary.carried_forward.append(action)
        elif action.status in (ActionStatus.WITHDRAWN, ActionStatus.SUPERSEDED):
            summary.withdrawn.append(action)
        else:
            summary.still_open.append(action)
    return summary


def carried_from(action: Action) -> list[Action]:
    """The earlier actions this one continues (their `successor` is this action)."""
    return list(db.session.scalars(db.select(Action).where(Action.successor_id == action.id).order_by(Action.id)))
