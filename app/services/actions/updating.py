"""Owners write dated progress on their actions: adding updates, and the list of what each owner owns.

Updates are append-only (the model refuses edits and deletes); a correction is a new update. Adding one
touches the action so its version moves on: a lead deciding the RAG on a page opened before the update
is told about it rather than deciding blind.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Action, Plan, Rag, Update, User, action_owner
from app.models.base import utcnow
from app.models.plan import ACTIVE
from app.services import clock
from app.services.access import can_update_action
from app.services.actions.conflicts import check_version, flush_action, record_change
from app.services.errors import NotAllowed, ServiceError
from app.services.plain_text import form_text, has_control_characters
from app.services.plans.reading import last_update_dates
from app.services.reviewing import rag_rules
from app.services.reviewing.standing import Standing, standings

MAX_UPDATE_LENGTH = 10_000


class UpdateError(ServiceError):
    """An update that cannot be saved, worded for the person who wrote it."""


def add_update(
    action: Action,
    author: User,
    *,
    text: str,
    as_at: date,
    rag: Rag | None,
    restricted: bool = False,
    seen_version: int | None,
    today: date | None = None,
) -> Update:
    """Append a dated update to the action and commit.

    Raises NotAllowed for someone who neither owns the action nor leads its plan, UpdateError for bad
    input, and ConflictError when the action changed after the form was opened (nothing is written).
    """
    if not can_update_action(author, action):
        raise NotAllowed(f"{author.email} may not update action {action.id}")
    text = form_text(text)
    _check(text, as_at, today or clock.today())
    check_version(action, seen_version)
    update = Update(
        action=action,
        as_at=as_at,
        author=author,
        author_name=author.name,
        text=text,
        rag=rag,
        restricted=restricted,
        source="app",
    )
    db.session.add(update)
    action.updated_at = utcnow()  # moves the version on, so concurrent writers conflict
    flush_action(action, seen_version)
    record_change(
        "update.add",
        action,
        author,
        new={"update_id": update.id, "as_at": as_at.isoformat(), "rag": rag.value if rag else None},
    )
    db.session.commit()
    return update


def _check(text: str, as_at: date | None, today: date) -> None:
    if not text:
        raise UpdateError("Enter the update")
    if len(text) > MAX_UPDATE_LENGTH:
        raise UpdateError(f"The update must be {MAX_UPDATE_LENGTH:,} characters or fewer")
    if has_control_characters(text):
        raise UpdateError("The update contains characters that cannot be saved: retype it or paste it as plain text")
    if as_at is None:
        raise UpdateError("Enter the date the update is as at")
    if as_at > today:
        raise UpdateError("The as-at date must be today or in the past")


@dataclass
class OwnedAction:
    action: Action
    last_update: date | None
    update_due: bool
    standing: Standing | None = None  # proposed and awaiting review, confirmed, or set by the lead


@dataclass
class OwnedPlan:
    plan: Plan
    actions: list[OwnedAction] = field(default_factory=list)


def my_actions(user: User, today: date | None = None) -> list[OwnedPlan]:
    """The actions the user owns, grouped by plan, each flagged when an update is due and with where its RAG
    stands (four queries)."""
    today = today or clock.today()
    actions = list(
        db.session.scalars(
            db.select(Action)
            .join(action_owner, action_owner.c.action_id == Action.id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(action_owner.c.user_id == user.id, Plan.status == ACTIVE)  # archived and closed plans: not due
            .options(joinedload(Action.plan))
            .order_by(Plan.title, Plan.id, Action.position, Action.id)
        )
    )
    last = last_update_dates([a.id for a in actions])
    standing = standings(actions)
    groups: dict[int, OwnedPlan] = {}
    for action in actions:
        facts = rag_rules.ActionFacts.of(action, last.get(action.id))
        group = groups.setdefault(action.plan_id, OwnedPlan(action.plan))
        due = rag_rules.is_stale(facts, today)
        group.actions.append(OwnedAction(action, last.get(action.id), due, standing.get(action.id)))
    return list(groups.values())
