"""A plan read once for exporting, and what each audience may see of it.

Both exports (Excel and JSON) and the board pack read the plan here, in a fixed number of queries however big
it is, and pass every string through `Redactor`, which applies the one redaction rule of app.services.redaction
(the same rule the pages, search and traceability use) to the export's audience.

The Excel export reads the plan as plain rows (`load_export_content`), never as ORM objects: the columns every
sheet needs by a select fetched in batches, and the actions' words, links and updates a few hundred actions at a
time as each sheet goes down the plan. The JSON export and the board pack read the actions as ORM objects
(`load_plan_content`).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, NamedTuple, Protocol, TypeVar, cast

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    Framework,
    Objective,
    Plan,
    Rag,
    Review,
    ReviewSnapshot,
    Strand,
    StrategicLink,
    Update,
    User,
)
from app.services.audit import trail as audit
from app.services.redaction import EVERYONE, REDACTED, WITHHOLDING, is_marked
from app.services.transactions import holds_changes

INTERNAL = "internal"
PCC = "pcc"
AUDIENCES = (INTERNAL, PCC)
MARKINGS = {INTERNAL: "OFFICIAL-SENSITIVE", PCC: "OFFICIAL"}
AUDIENCE_NAMES = {INTERNAL: "force and its partners", PCC: "PCC office"}


class UnknownAudience(ValueError):
    """Raised for an audience other than "internal" or "pcc"."""


STREAM_ACTIONS = 500  # actions whose updates a streaming export reads at once
FETCH_ROWS = 2_000  # rows of actions fetched from the database at once


class ExportLink(Protocol):
    """What an export reads of a strategic link: a StrategicLink, or a LinkRow."""

    @property
    def framework(self) -> Framework: ...
    @property
    def code(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def resolved(self) -> bool: ...


class ExportAction(Protocol):
    """What every sheet reads of an action: an Action (the JSON export, the board pack), or an ActionRow (Excel)."""

    @property
    def id(self) -> int: ...
    @property
    def objective_id(self) -> int | None: ...
    @property
    def objective(self) -> Objective | None: ...
    @property
    def strand(self) -> Strand | None: ...
    @property
    def ref(self) -> str: ...
    @property
    def target_date(self) -> date | None: ...
    @property
    def status(self) -> ActionStatus | None: ...
    @property
    def rag(self) -> Rag | None: ...
    @property
    def restricted(self) -> bool: ...


class ExportWords(Protocol):
    """What the Plan sheet reads besides: an action's words and links (an Action, or the ActionWords read with
    its updates)."""

    @property
    def what(self) -> str: ...
    @property
    def how(self) -> str: ...
    @property
    def responsibility(self) -> str: ...
    @property
    def target_date_text(self) -> str | None: ...
    @property
    def links(self) -> Sequence[ExportLink]: ...


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A strategic link as the Excel export reads it (a row, not an ORM object)."""

    framework: Framework
    code: str | None
    text: str
    target_action_id: int | None

    @property
    def resolved(self) -> bool:
        return self.target_action_id is not None

    @property
    def label(self) -> str:
        return self.framework.label(self.code)


@dataclass(frozen=True, slots=True)
class ActionRow:
    """An action as every sheet of the Excel export reads it: its columns and its objective (one of the plan's
    few, shared), without the ORM's per-object state and without its words (20,000 actions as ORM objects held
    most of an export's memory, and their words most of the rest)."""

    id: int
    objective_id: int | None
    strand: Strand | None
    ref: str
    target_date: date | None
    status: ActionStatus | None
    rag: Rag | None
    restricted: bool
    objective: Objective | None = None


@dataclass(frozen=True, slots=True)
class ActionWords:
    """An action's words and links, read with its updates for the Plan sheet, a few hundred actions at a time."""

    what: str
    how: str
    responsibility: str
    target_date_text: str | None
    links: tuple[LinkRow, ...] = ()


# The columns of ActionRow and of ActionWords, in their order.
_ACTION_COLUMNS = (
    Action.id,
    Action.objective_id,
    Action.strand,
    Action.ref,
    Action.target_date,
    Action.status,
    Action.rag,
    Action.restricted,
)
_WORD_COLUMNS = (Action.id, Action.what, Action.how, Action.responsibility, Action.target_date_text)
A = TypeVar("A", Action, ActionRow)


class UpdateRow(NamedTuple):
    """One dated update as an export shows it (plain values, not ORM objects: 50,000 of them load fast, and an
    export reads them twice)."""

    id: int
    action_id: int
    as_at: date | None
    author: str
    rag: Rag | None
    restricted: bool
    text: str


@dataclass
class PlanContent(Generic[A]):
    plan: Plan
    objectives: list[Objective]
    actions: list[A]
    updates: dict[int, list[UpdateRow]] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)
    snapshots: dict[int, list[ReviewSnapshot]] = field(default_factory=dict)  # by review id

    # The Excel export streams the updates (`streamed`): it reads them a few hundred actions at a time as each
    # sheet goes down the plan, and keeps only their dates and RAGs (`facts`) for the sheets that count them, so
    # a force's 50,000 updates are never all in memory at once.
    streamed: bool = False
    facts: dict[int, list["UpdateFact"]] = field(default_factory=dict)  # by action id, once streamed

    def updates_of(self, action: ExportAction) -> list[UpdateRow]:
        if self.streamed:
            raise RuntimeError("This plan's updates are streamed: read them with stream_updates")
        return self.updates.get(action.id, [])

    def facts_of(self, action: ExportAction) -> Sequence["UpdateRow | UpdateFact"]:
        """The action's updates' ids, dates and RAGs, oldest first (all an update count needs)."""
        if not self.streamed:
            return self.updates.get(action.id, [])
        if action.id not in self.facts:
            raise RuntimeError(f"The updates of action {action.id} have not been streamed yet")
        return self.facts[action.id]

    def stream_words(self, actions: Sequence[ExportAction]) -> Iterator[tuple[ExportWords, list[UpdateRow]]]:
        """Each action's words and links, and its updates, in turn, for the actions in the order given (the Plan
        sheet): an Action has its words; an ActionRow's are read STREAM_ACTIONS at a time, with the updates."""
        updates = self.stream_updates(actions)
        if not actions or not isinstance(actions[0], ActionRow):
            for action, its_updates in zip(actions, updates, strict=True):
                yield cast(Action, action), its_updates
            return
        for start in range(0, len(actions), STREAM_ACTIONS):
            chunk = actions[start : start + STREAM_ACTIONS]
            words = _read_words([action.id for action in chunk])
            for action in chunk:
                yield words.pop(action.id), next(updates)

    def stream_updates(self, actions: Sequence[ExportAction]) -> Iterator[list[UpdateRow]]:
        """Each action's updates in turn (oldest first), for the actions in the order given."""
        if not self.streamed:
            for action in actions:
                yield self.updates_of(action)
            return
        for start in range(0, len(actions), STREAM_ACTIONS):
            chunk = actions[start : start + STREAM_ACTIONS]
            by_action = _read_updates(Update.action_id.in_([action.id for action in chunk]))
            for action in chunk:
                updates = by_action.pop(action.id, [])
                if action.id not in self.facts:
                    self.facts[action.id] = [UpdateFact(u.id, u.as_at, u.rag) for u in updates]
                yield updates


@dataclass(frozen=True, slots=True)
class UpdateFact:
    """What counting an update needs (is the action stale, what did its owner last propose), without its words."""

    id: int
    as_at: date | None
    rag: Rag | None


def check_audience(audience: str) -> str:
    """The audience, or UnknownAudience: an unknown one must never fall back to showing everything."""
    if audience not in AUDIENCES:
        raise UnknownAudience(f"Choose an audience: {' or '.join(AUDIENCES)}")
    return audience


def update_order(update: "UpdateRow | UpdateFact") -> tuple:
    """Oldest first; undated (imported base text) before dated. The same on SQLite and PostgreSQL."""
    return (update.as_at is not None, update.as_at or date.min, update.id)


def load_plan_content(plan: Plan, *, with_reviews: bool = False, streamed: bool = False) -> PlanContent[Action]:
    """Everything an export shows, the actions as ORM objects (with their owners), in a fixed number of queries
    whatever the plan's size (`streamed`: the updates are read as they are written, see
    PlanContent.stream_updates)."""
    objectives = list(
        db.session.scalars(db.select(Objective).where(Objective.plan_id == plan.id).order_by(Objective.position))
    )
    actions = list(
        db.session.scalars(
            db.select(Action)
            .where(Action.plan_id == plan.id)
            .options(selectinload(Action.owners), selectinload(Action.links), selectinload(Action.objective))
            .order_by(Action.position, Action.id)
        )
    )
    updates = {} if streamed else _read_updates(Action.plan_id == plan.id)
    content = PlanContent(plan=plan, objectives=objectives, actions=actions, updates=updates, streamed=streamed)
    if with_reviews:
        _read_reviews(content)
    return content


def load_export_content(plan: Plan, *, with_reviews: bool = True) -> PlanContent[ActionRow]:
    """What the Excel export shows, read as plain rows: the actions' columns by a select fetched FETCH_ROWS at a
    time, in plan order; their words and links (PlanContent.stream_words) and their updates
    (PlanContent.stream_updates) a few hundred actions at a time as each sheet goes down the plan. The workbook is
    the one `load_plan_content` gives, byte for byte (tests/test_export_reading.py)."""
    objectives = list(
        db.session.scalars(db.select(Objective).where(Objective.plan_id == plan.id).order_by(Objective.position))
    )
    by_id: dict[int | None, Objective | None] = {objective.id: objective for objective in objectives}
    by_id[None] = None
    rows = db.session.execute(
        db.select(*_ACTION_COLUMNS)
        .where(Action.plan_id == plan.id)
        .order_by(Action.position, Action.id)
        .execution_options(yield_per=FETCH_ROWS)
    )
    actions: list[ActionRow] = []
    for id_, objective_id, strand, ref, target, status, rag, restricted in rows:
        if objective_id not in by_id:  # an objective of another plan: never made by the app, read as the ORM would
            by_id[objective_id] = db.session.get(Objective, objective_id)
        actions.append(ActionRow(id_, objective_id, strand, ref, target, status, rag, restricted, by_id[objective_id]))
    content = PlanContent(plan=plan, objectives=objectives, actions=actions, streamed=True)
    if with_reviews:
        _read_reviews(content)
    return content


def _read_words(action_ids: list[int]) -> dict[int, ActionWords]:
    """These actions' words and strategic links, each action's links in their order (Action.links orders by
    position), in two Core queries on the session's connection."""
    connection = db.session.connection()
    links: dict[int, list[LinkRow]] = {}
    for action_id, framework, code, text, target in connection.execute(
        db.select(
            StrategicLink.action_id,
            StrategicLink.framework,
            StrategicLink.code,
            StrategicLink.text,
            StrategicLink.target_action_id,
        )
        .where(StrategicLink.action_id.in_(action_ids))
        .order_by(StrategicLink.action_id, StrategicLink.position, StrategicLink.id)
    ).all():
        links.setdefault(action_id, []).append(LinkRow(framework, code, text or "", target))
    words = {}
    for id_, what, how, responsibility, target_text in connection.execute(
        db.select(*_WORD_COLUMNS).where(Action.id.in_(action_ids))
    ).all():
        words[id_] = ActionWords(what, how, responsibility, target_text, tuple(links.pop(id_, ())))
    return words


def _read_reviews(content: PlanContent) -> None:
    plan = content.plan
    content.reviews = list(
        db.session.scalars(db.select(Review).where(Review.plan_id == plan.id).order_by(Review.held_on, Review.id))
    )
    for snapshot in db.session.scalars(db.select(ReviewSnapshot).join(Review).where(Review.plan_id == plan.id)):
        content.snapshots.setdefault(snapshot.review_id, []).append(snapshot)


def _read_updates(condition) -> dict[int, list[UpdateRow]]:
    """The updates meeting `condition` (on Update or its Action) by action, oldest first (update_order), in one
    Core query on the session's connection (the ORM's handling of a statement is no help for plain columns)."""
    rows = (
        db.session.connection()
        .execute(
            db.select(
                Update.id,
                Update.action_id,
                Update.as_at,
                Update.author_name,
                User.name,
                Update.rag,
                Update.restricted,
                Update.text,
            )
            .join(Action, Action.id == Update.action_id)
            .outerjoin(User, User.id == Update.author_id)
            .where(condition)
        )
        .all()
    )
    by_action: dict[int, list[UpdateRow]] = {}
    for id_, action_id, as_at, author_name, user_name, rag, restricted, text in rows:
        row = UpdateRow(id_, action_id, as_at, author_name or user_name or "", rag, bool(restricted), text or "")
        updates = by_action.get(action_id)
        if updates is None:
            by_action[action_id] = [row]
        else:
            updates.append(row)
    for updates in by_action.values():
        updates.sort(key=update_order)
    return by_action


def record_export(
    plan: Plan,
    *,
    audience: str,
    file_format: str,
    user: User | None,
    extra: dict | None = None,
    detail: str | None = None,
) -> None:
    """Every export is audited (who, which plan, which audience, which format), whatever asked for it.

    An export only reads, so its audit event is all it commits: when the session holds anything else not yet
    committed, the export is refused rather than commit that work along with it (the caller commits or rolls
    back first)."""
    if holds_changes(db.session):
        raise RuntimeError("An export commits only its own audit event: commit or roll back the session first")
    audit.record(
        "plan.export",
        user=user,
        record_type="plan",
        record_id=plan.id,
        new={"audience": audience, "format": file_format, "marking": MARKINGS.get(audience), **(extra or {})},
        detail=detail or f"Exported plan {plan.id} as {file_format} for the {audience} audience",
    )
    db.session.commit()


def mentions_sensitive_marking(text: str | None) -> bool:
    """Text that carries the OFFICIAL-SENSITIVE marking is treated as restricted, whether flagged or not."""
    return is_marked(text)


class Redactor:
    """What one audience may read: `internal` sees everything; `pcc` reads as a viewer does (see redaction).

    The interface the writers use: `withheld(action)`, `action_text(action, text)` (a withheld text says
    [REDACTED], an empty one stays empty), `kept_text(text)` (the target date as written: kept unless
    marked), `update(action, row)`, `text(value)` (plan-level text), and `audience`, `withholds`, `marking`.
    """

    def __init__(self, audience: str):
        self.audience = check_audience(audience)
        self.withholds = audience == PCC
        self.marking = MARKINGS[audience]
        self.reader = WITHHOLDING if self.withholds else EVERYONE

    # The rule (app.services.redaction.Reader) reads nothing of an action but `restricted`, which an ActionRow has
    # as an Action does: it is handed either.

    def withheld(self, action: ExportAction) -> bool:
        """A restricted action keeps its strand, ref, RAG and date for the PCC office, but none of its text."""
        return self.reader.withheld(cast(Action, action))

    def action_text(self, action: ExportAction, text: str | None) -> str:
        return self.reader.field(cast(Action, action), text)

    def kept_text(self, text: str | None) -> str:
        return self.reader.kept(text)

    def update(self, action: ExportAction, update: UpdateRow) -> UpdateRow:
        """The update as this audience sees it: a withheld one keeps its date and says [REDACTED]."""
        withheld = self.reader.update_withheld(
            cast(Action, action), restricted=update.restricted, text=update.text, author=update.author
        )
        if withheld:
            return update._replace(author="", rag=None, restricted=True, text=REDACTED)
        return update

    def text(self, value: str | None) -> str:
        """Plan-level text (title, lead, aims): only the sensitive marking itself is taken out for the PCC office."""
        return self.reader.text(value)
