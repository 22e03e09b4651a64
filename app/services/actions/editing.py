"""Leads and administrators change an action's number, words, links, owners, target date, status, objective and
restriction.

Every change is audited as `action.edit` with the old and new value of each field that changed, and is
version-checked like updates and RAG decisions, so an edit made on a stale page is refused.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case

from app.extensions import db
from app.models import Action, ActionStatus, Framework, Objective, Plan, Role, Strand, StrategicLink, User
from app.models.base import utcnow
from app.services.access import can_edit_plan
from app.services.actions.conflicts import check_version, flush_action, record_change
from app.services.errors import NotAllowed, ServiceError
from app.services.importing.wording import parse_links
from app.services.plain_text import form_text
from app.services.reporting import traceability

STATUSES_WITH_SUCCESSOR = frozenset({ActionStatus.SUPERSEDED, ActionStatus.CARRIED_FORWARD})
STRANDS = {strand.value.lower(): strand for strand in Strand}


class EditError(ServiceError):
    """An edit that cannot be saved; `field` names the form field at fault."""


@dataclass(frozen=True)
class ActionEdit:
    """What the lead wants the action to be; `links` is the text of the links, one a line.

    The successor (where a Superseded or Carried forward action went) is typed as its number, "Prevent 3"
    or "1.2.3", in `successor_plan_id` (the action's own plan when None): a force has thousands of actions,
    far too many for a drop-down.
    """

    links: str
    owner_ids: tuple[int, ...]
    target_date: date | None
    status: ActionStatus | None
    successor_ref: str | None
    objective_id: int | None
    restricted: bool
    successor_plan_id: int | None = None
    # The action's own words and number; None leaves them as they are.
    ref: str | None = None
    what: str | None = None
    how: str | None = None
    responsibility: str | None = None


def links_text(action: Action) -> str:
    """The action's links as the edit form shows them, one a line, as written where possible."""
    return "\n".join((link.text or "").strip() or link.label for link in action.links)


def possible_owners() -> list[User]:
    """Everyone who can write updates: active users other than viewers."""
    return list(
        db.session.scalars(
            db.select(User).where(User.active.is_(True), User.role != Role.VIEWER).order_by(User.name, User.id)
        )
    )


def successor_plans(action: Action) -> list[Plan]:
    """The plans an action may be merged into or carried forward to: its own first, then the rest by title."""
    return list(
        db.session.scalars(
            db.select(Plan).order_by(case((Plan.id == action.plan_id, 0), else_=1), Plan.title, Plan.period_label)
        )
    )


def find_action(plan_id: int, number: str) -> Action:
    """The plan's action numbered as a person types it: "Prevent 3", "prevent 3", "1.2.3", or "3" when only
    one strand has a 3. Raises EditError (on the successor field) saying how to type it when none matches."""
    words = " ".join(number.split())
    first, _, rest = words.partition(" ")
    strand = STRANDS.get(first.lower()) if rest else None
    ref = rest if strand else words
    query = db.select(Action).where(Action.plan_id == plan_id, Action.ref == ref)
    if strand:
        query = query.where(Action.strand == strand)
    found = list(db.session.scalars(query.limit(2)))
    if len(found) == 1:
        return found[0]
    if found:
        message = f"More than one action of that plan is numbered {ref}: add the strand, like Prevent {ref}"
        raise EditError(message, "successor")
    raise EditError(f"The plan has no action numbered {words[:60]}: enter its number, like Prevent 3", "successor")


def edit_action(action: Action, user: User, edit: ActionEdit, *, seen_version: int | None) -> dict[str, tuple]:
    """Apply the edit and commit. Returns {field: (old, new)} for what changed (empty: nothing did).

    Raises NotAllowed, EditError (nothing written) or ConflictError (the action changed meanwhile).
    """
    if not can_edit_plan(user, action.plan):
        raise NotAllowed(f"{user.email} does not lead plan {action.plan_id}")
    check_version(action, seen_version)
    words = _words(action, edit)
    links = parse_links(edit.links or "")
    owners = active_owners(edit.owner_ids)
    successor = _successor(action, edit)
    objective = objective_of(action.plan_id, edit.objective_id)

    before = _described(action)
    targets = [_target(link, action) for link in links]
    # One flush, by flush_action, with one version step: nothing read while the action changes may flush it early.
    with db.session.no_autoflush:
        if _link_keys(action.links) != [_key(link.framework, link.code, link.text) for link in links]:
            action.links = [
                StrategicLink(
                    framework=link.framework, code=link.code, text=link.text[:500], position=i, target_action_id=target
                )
                for i, (link, target) in enumerate(zip(links, targets, strict=True))
            ]
        if sorted(o.id for o in action.owners) != sorted(o.id for o in owners):
            action.owners = owners
        action.target_date = edit.target_date
        if edit.target_date is not None:
            action.target_date_text = None  # a real date replaces what the plan wrote instead of one
        action.status, action.successor, action.objective = edit.status, successor, objective
        action.restricted = edit.restricted
        for name, value in words.items():
            setattr(action, name, value)
        after = _described(action)
    changes = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    if not changes:
        db.session.rollback()
        return {}
    action.updated_at = utcnow()
    flush_action(action, seen_version)
    record_change(
        "action.edit",
        action,
        user,
        old={name: old for name, (old, _) in changes.items()},
        new={name: new for name, (_, new) in changes.items()},
    )
    db.session.commit()
    return changes


def _words(action: Action, edit: ActionEdit) -> dict[str, str | None]:
    """The number, what, how and responsibility to write, checked: {field: value} of those the edit gives."""
    words: dict[str, str | None] = {}
    if edit.ref is not None:
        ref = " ".join(edit.ref.split())
        if not ref:
            raise EditError("Enter the action's number, like 5", "ref")
        if ref != action.ref and _number_taken(action, ref):
            where = f"{action.strand.value} {ref}" if action.strand else ref
            raise EditError(f"{where} is already an action of this plan: enter another number", "ref")
        words["ref"] = ref
    if edit.what is not None:
        if not form_text(edit.what):
            raise EditError("Enter what the action will do", "what")
        words["what"] = form_text(edit.what)
    if edit.how is not None:
        words["how"] = form_text(edit.how)
    if edit.responsibility is not None:
        words["responsibility"] = " ".join(edit.responsibility.split())
    return words


def _number_taken(action: Action, ref: str) -> bool:
    query = db.select(Action.id).where(Action.plan_id == action.plan_id, Action.ref == ref, Action.id != action.id)
    query = query.where(Action.strand.is_(None) if action.strand is None else Action.strand == action.strand)
    return db.session.scalar(query.limit(1)) is not None


def _key(framework: Framework, code: str | None, text: str) -> tuple:
    # Links of the "Other" kind have no code: their words tell them apart.
    return (framework, code, text if framework is Framework.OTHER else None)


def _link_keys(links) -> list[tuple]:
    return [_key(link.framework, link.code, link.text) for link in links]


def _target(link, action: Action) -> int | None:
    if link.framework is not Framework.PCC:
        return None
    deliverable = traceability.resolve_pcc_code(link.code, action.plan)
    return deliverable.id if deliverable else None


def active_owners(owner_ids: tuple[int, ...], error: type[ServiceError] = EditError) -> list[User]:
    """The active users chosen as owners; `error` (the caller's own kind) when one is not in the list."""
    if not owner_ids:
        return []
    owners = list(db.session.scalars(db.select(User).where(User.id.in_(owner_ids), User.active.is_(True))))
    if len(owners) != len(set(owner_ids)):
        raise error("Select owners from the list", "owners")
    return owners


def _successor(action: Action, edit: ActionEdit) -> Action | None:
    typed = (edit.successor_ref or "").strip()
    if edit.status not in STATUSES_WITH_SUCCESSOR:
        if typed:
            raise EditError("Only a Superseded or Carried forward action goes to another action", "successor")
        return None
    if not typed:
        raise EditError(f"Enter the number of the action this was {_went(edit.status)}, like Prevent 3", "successor")
    plan_id = action.plan_id if edit.successor_plan_id is None else edit.successor_plan_id
    if db.session.get(Plan, plan_id) is None:
        raise EditError("Select the plan of the action from the list", "successor_plan")
    successor = find_action(plan_id, typed)
    if successor.id == action.id:
        raise EditError(f"Enter another action: this one cannot be {_went(edit.status)} itself", "successor")
    return successor


def _went(status: ActionStatus) -> str:
    return "merged into" if status is ActionStatus.SUPERSEDED else "carried forward to"


def objective_of(plan_id: int, objective_id: int | None, error: type[ServiceError] = EditError) -> Objective | None:
    """The chosen objective, which must belong to the plan; `error` (the caller's own kind) when it does not."""
    if not objective_id:
        return None
    objective = db.session.get(Objective, objective_id)
    if objective is None or objective.plan_id != plan_id:
        raise error("Select an objective of this plan", "objective")
    return objective


def _described(action: Action) -> dict:
    """The editable fields as plain values, for comparing and for the audit trail."""
    return {
        "ref": action.ref,
        "what": action.what,
        "how": action.how or "",
        "responsibility": action.responsibility or "",
        "links": [link.label if link.framework is not Framework.OTHER else link.text for link in action.links],
        "owners": sorted(owner.email for owner in action.owners),
        "target_date": action.target_date.isoformat() if action.target_date else None,
        "status": action.status.value if action.status else None,
        "successor": f"{action.successor.plan.title}: {action.successor.display_ref}" if action.successor else None,
        "objective": f"{action.objective.ref} {action.objective.title}"[:200] if action.objective else None,
        "restricted": action.restricted,
    }
