"""Leads and administrators add actions, put a strand's actions in order, and close or withdraw an action.

Nothing with updates is ever deleted: an action that is no longer wanted is withdrawn with a reason and stays,
with its history, on the plan. Every change is audited (`action.add`, `action.move`, `action.close`) and a
close is version-checked like every other change to an action, so a stale page is refused.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func

from app.extensions import db
from app.models import Action, ActionStatus, Contact, Plan, Rag, RagChange, Strand, StrategicLink, User
from app.services import clock
from app.services.access import can_edit_plan
from app.services.actions.conflicts import check_version, flush_action, record_change
from app.services.actions.editing import active_owners, objective_of
from app.services.importing.wording import parse_links
from app.services.people import partners
from app.services.plans.authoring import AuthoringError, NotAllowed, _text
from app.services.reporting import traceability

CLOSINGS = (ActionStatus.COMPLETE, ActionStatus.WITHDRAWN)
MAX_REASON_LENGTH = 2_000


@dataclass(frozen=True)
class NewAction:
    strand: Strand | None
    ref: str
    what: str
    how: str = ""
    responsibility: str = ""
    objective_id: int | None = None
    owner_ids: tuple[int, ...] = ()
    contact_ids: tuple[int, ...] = ()
    target_date: date | None = None
    links: str = ""
    partners: tuple[str, ...] = field(default_factory=tuple)


def suggested_ref(plan: Plan, strand: Strand | None) -> str:
    """The next free number in the strand: one more than the highest whole number used, "1" when none is."""
    refs = db.session.scalars(
        db.select(Action.ref).where(
            Action.plan_id == plan.id, Action.strand.is_(None) if strand is None else Action.strand == strand
        )
    )
    numbers = [int(ref) for ref in refs if re.fullmatch(r"\d{1,6}", ref or "")]
    return str(max(numbers, default=0) + 1)


def add_action(plan: Plan, user: User, new: NewAction) -> Action:
    """Add the action at the end of its strand and commit; audited as `action.add`."""
    if not can_edit_plan(user, plan):
        raise NotAllowed(f"{user.email} does not lead plan {plan.id}")
    ref = _text(new.ref, "ref", "action's number", 40)
    where = f"{new.strand.value} " if new.strand else ""
    taken = db.select(Action.id).where(Action.plan_id == plan.id, Action.ref == ref)
    taken = taken.where(Action.strand.is_(None) if new.strand is None else Action.strand == new.strand)
    if db.session.scalar(taken):
        raise AuthoringError(
            f"{where}{ref} is already an action of this plan: the next free number is "
            f"{where}{suggested_ref(plan, new.strand)}",
            "ref",
        )
    action = Action(
        plan_id=plan.id,
        strand=new.strand,
        ref=ref,
        what=_text(new.what, "what", "what the action will do", 10_000),
        how=_text(new.how, "how", "how it will be done", 10_000, required=False),
        responsibility=_text(new.responsibility, "responsibility", "responsibility", 1_000, required=False),
        objective=objective_of(plan.id, new.objective_id, AuthoringError),
        target_date=new.target_date,
        status=ActionStatus.NOT_STARTED,
        position=_end_of_strand(plan, new.strand),
    )
    action.owners = active_owners(new.owner_ids, AuthoringError)
    action.contacts = _contacts(new.contact_ids)
    action.partners = partners.named(new.partners)
    db.session.add(action)
    db.session.flush()
    for i, link in enumerate(parse_links(new.links or "")):
        target = traceability.resolve_pcc_code(link.code, plan) if link.code and link.framework.value == "PCC" else None
        action.links.append(
            StrategicLink(
                framework=link.framework, code=link.code, text=link.text[:500], position=i, target=target or None
            )
        )
    db.session.flush()
    record_change(
        "action.add",
        action,
        user,
        new={
            "plan_id": plan.id,
            "ref": action.display_ref,
            "what": action.what[:500],
            "owners": action.owner_names,
            "partners": [p.name for p in action.partners],
            "target_date": action.target_date.isoformat() if action.target_date else None,
        },
    )
    db.session.commit()
    return action


def _end_of_strand(plan: Plan, strand: Strand | None) -> int:
    """After every action of the plan: the pages and exports group by strand, so it comes last in its strand, and
    no other action's position (and so its version, which open forms carry) has to move to make room."""
    return (db.session.scalar(db.select(func.max(Action.position)).where(Action.plan_id == plan.id)) or 0) + 1


def _contacts(ids: tuple[int, ...]) -> list[Contact]:
    contacts = list(db.session.scalars(db.select(Contact).where(Contact.id.in_(ids)))) if ids else []
    if len(contacts) != len(set(ids)):
        raise AuthoringError("Select contacts from the list", "contacts")
    return contacts


def strand_order(plan: Plan, strand: Strand | None) -> list[Action]:
    """The strand's actions in plan order."""
    query = db.select(Action).where(Action.plan_id == plan.id)
    query = query.where(Action.strand.is_(None) if strand is None else Action.strand == strand)
    return list(db.session.scalars(query.order_by(Action.position, Action.id)))


def order_token(actions: list[Action]) -> str:
    """What the page saw: the order of the strand's actions. A move made on a page that saw another is refused."""
    return ",".join(str(action.id) for action in actions)


def move_action(action: Action, user: User, *, up: bool, seen_order: str) -> bool:
    """Swap the action with the one before (up) or after it in its strand; commit. False at either end.

    Raises NotAllowed, or AuthoringError on the field "order" when the strand's order changed since the page.
    """
    plan = action.plan
    if not can_edit_plan(user, plan):
        raise NotAllowed(f"{user.email} does not lead plan {plan.id}")
    actions = strand_order(plan, action.strand)
    if order_token(actions) != seen_order:
        raise AuthoringError(
            "Someone changed the order while you had the page open: this is the order now, move the action again",
            "order",
        )
    i = actions.index(action)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(actions):
        return False
    other = actions[j]
    if action.position == other.position:  # equal positions: spread the strand out first
        base = min(a.position for a in actions)
        for k, each in enumerate(actions):
            if each.position != base + k:
                each.position = base + k
    action.position, other.position = other.position, action.position
    db.session.flush()
    record_change("action.move", action, user, new={"direction": "up" if up else "down", "past": other.display_ref})
    db.session.commit()
    return True


def close_action(action: Action, user: User, *, as_status: ActionStatus, reason: str, seen_version: int | None) -> None:
    """Close the action as Complete (its RAG goes Blue) or withdraw it, with a reason; commit. Nothing is deleted."""
    if not can_edit_plan(user, action.plan):
        raise NotAllowed(f"{user.email} does not lead plan {action.plan_id}")
    check_version(action, seen_version)
    if as_status not in CLOSINGS:
        raise AuthoringError("Select whether the action is complete or withdrawn", "as_status")
    if not action.is_open:
        raise AuthoringError(
            f"This action is already closed ({action.status.value if action.status else 'closed'})", "as_status"
        )
    reason = _text(reason, "reason", "reason", MAX_REASON_LENGTH)
    old = {"status": action.status.value if action.status else None, "rag": action.rag.value if action.rag else None}
    if as_status is ActionStatus.COMPLETE and action.rag is not Rag.BLUE:
        db.session.add(RagChange(action=action, from_rag=action.rag, to_rag=Rag.BLUE, user=user, reason=reason))
        action.rag = Rag.BLUE
    action.status, action.closed_reason, action.closed_on = as_status, reason, clock.today()
    flush_action(action, seen_version)
    new = {"status": as_status.value, "rag": action.rag.value if action.rag else None, "reason": reason}
    record_change("action.close", action, user, old=old, new=new)
    db.session.commit()
