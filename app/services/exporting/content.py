"""A plan read once for exporting, and what each audience may see of it.

Both exports (Excel and JSON) read the plan here, in a fixed number of queries however big it is, and pass
every string through `Redactor`, which applies the one redaction rule of app.services.redaction (the same rule
the pages, search and traceability use) to the export's audience.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Action, Objective, Plan, Rag, Review, ReviewSnapshot, Update, User
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


@dataclass(frozen=True, slots=True)
class UpdateRow:
    """One dated update as an export shows it (plain values, not ORM objects: 50,000 of them load fast)."""

    id: int
    action_id: int
    as_at: date | None
    author: str
    rag: Rag | None
    restricted: bool
    text: str


@dataclass
class PlanContent:
    plan: Plan
    objectives: list[Objective]
    actions: list[Action]
    updates: dict[int, list[UpdateRow]] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)
    snapshots: dict[int, list[ReviewSnapshot]] = field(default_factory=dict)  # by review id

    # The Excel export streams the updates (`streamed`): it reads them a few hundred actions at a time as each
    # sheet goes down the plan, and keeps only their dates and RAGs (`facts`) for the sheets that count them, so
    # a force's 50,000 updates are never all in memory at once.
    streamed: bool = False
    facts: dict[int, list["UpdateFact"]] = field(default_factory=dict)  # by action id, once streamed

    def updates_of(self, action: Action) -> list[UpdateRow]:
        if self.streamed:
            raise RuntimeError("This plan's updates are streamed: read them with stream_updates")
        return self.updates.get(action.id, [])

    def facts_of(self, action: Action) -> Sequence["UpdateRow | UpdateFact"]:
        """The action's updates' ids, dates and RAGs, oldest first (all an update count needs)."""
        if not self.streamed:
            return self.updates.get(action.id, [])
        if action.id not in self.facts:
            raise RuntimeError(f"The updates of action {action.id} have not been streamed yet")
        return self.facts[action.id]

    def stream_updates(self, actions: list[Action]) -> Iterator[list[UpdateRow]]:
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


def load_plan_content(plan: Plan, *, with_reviews: bool = False, streamed: bool = False) -> PlanContent:
    """Everything an export shows, in a fixed number of queries whatever the plan's size (`streamed`: the updates
    are read as they are written, see PlanContent.stream_updates)."""
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
        content.reviews = list(
            db.session.scalars(db.select(Review).where(Review.plan_id == plan.id).order_by(Review.held_on, Review.id))
        )
        for snapshot in db.session.scalars(db.select(ReviewSnapshot).join(Review).where(Review.plan_id == plan.id)):
            content.snapshots.setdefault(snapshot.review_id, []).append(snapshot)
    return content


def _read_updates(condition) -> dict[int, list[UpdateRow]]:
    """The updates meeting `condition` (on Update or its Action) by action, oldest first."""
    rows = db.session.execute(
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
    by_action: dict[int, list[UpdateRow]] = {}
    for id_, action_id, as_at, author_name, user_name, rag, restricted, text in rows:
        row = UpdateRow(id_, action_id, as_at, author_name or user_name or "", rag, bool(restricted), text or "")
        by_action.setdefault(action_id, []).append(row)
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

    def withheld(self, action: Action) -> bool:
        """A restricted action keeps its strand, ref, RAG and date for the PCC office, but none of its text."""
        return self.reader.withheld(action)

    def action_text(self, action: Action, text: str | None) -> str:
        return self.reader.field(action, text)

    def kept_text(self, text: str | None) -> str:
        return self.reader.kept(text)

    def update(self, action: Action, update: UpdateRow) -> UpdateRow:
        """The update as this audience sees it: a withheld one keeps its date and says [REDACTED]."""
        if self.reader.update_withheld(action, restricted=update.restricted, text=update.text, author=update.author):
            return replace(update, author="", rag=None, restricted=True, text=REDACTED)
        return update

    def text(self, value: str | None) -> str:
        """Plan-level text (title, lead, aims): only the sensitive marking itself is taken out for the PCC office."""
        return self.reader.text(value)
