"""Owners write dated progress on their actions: adding updates, and the list of what each owner owns.

Updates are append-only (the model refuses edits and deletes); a correction is a new update. Adding one
touches the action so its version moves on: a lead deciding the RAG on a page opened before the update
is told about it rather than deciding blind.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
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


MY_ACTIONS_PAGE = 100  # actions a page, as the plan page reads them


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


@dataclass
class MyActions:
    """One page of the actions a person owns, grouped by plan, and where the page sits among them."""

    plans: list[OwnedPlan]
    total: int = 0  # actions the person owns in active plans, on every page
    page: int = 1
    pages: int = 1
    per_page: int = MY_ACTIONS_PAGE
    shown: int = 0  # actions on this page

    @property
    def first(self) -> int:
        """The position among them all of this page's first action (1-based), for "Showing 101 to 200"."""
        return (self.page - 1) * self.per_page + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.first + self.shown - 1 if self.shown else 0


def my_actions(user: User, today: date | None = None) -> list[OwnedPlan]:
    """The actions the user owns, grouped by plan, each flagged when an update is due and with where its RAG
    stands (four queries)."""
    return _owned(user, today, 1, None).plans


def my_actions_page(user: User, page: int = 1, today: date | None = None) -> MyActions:
    """The page'th MY_ACTIONS_PAGE of the actions the user owns, in plan order (a page past the last shows the
    last), grouped and flagged as `my_actions` does."""
    return _owned(user, today, page, MY_ACTIONS_PAGE)


def _owned(user: User, today: date | None, page: int, per_page: int | None) -> MyActions:
    """`per_page` None: every action on one page. Four queries whatever the number: the page of actions (with the
    number of them all), their latest update dates, and where their RAGs stand."""
    today = today or clock.today()

    def mine(query):  # archived and closed plans: not due
        query = query.join(action_owner, action_owner.c.action_id == Action.id).join(Plan, Plan.id == Action.plan_id)
        return query.where(action_owner.c.user_id == user.id, Plan.status == ACTIVE)

    owned = (
        mine(db.select(Action, func.count().over().label("total")))
        .options(joinedload(Action.plan))
        .order_by(Plan.title, Plan.id, Action.position, Action.id)
    )
    rows = db.session.execute(owned.limit(per_page).offset((page - 1) * per_page) if per_page else owned).all()
    total = rows[0].total if rows else 0
    if per_page and not rows and page > 1:  # past the last page: the last (or the first, when there are none)
        total = db.session.scalar(mine(db.select(func.count(Action.id)))) or 0
        return _owned(user, today, max(1, -(-total // per_page)), per_page)
    actions = [row[0] for row in rows]
    last = last_update_dates([a.id for a in actions])
    standing = standings(actions)
    groups: dict[int, OwnedPlan] = {}
    for action in actions:
        facts = rag_rules.ActionFacts.of(action, last.get(action.id))
        group = groups.setdefault(action.plan_id, OwnedPlan(action.plan))
        due = rag_rules.is_stale(facts, today)
        group.actions.append(OwnedAction(action, last.get(action.id), due, standing.get(action.id)))
    size = per_page or max(total, 1)
    return MyActions(list(groups.values()), total, page, max(1, -(-total // size)), size, len(actions))
