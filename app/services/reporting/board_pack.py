"""The board pack: a plan as it stood on a date, for the delivery board, in one audience's marking.

The pack reads the plan the way the exports do (exporting.content) and passes every string through the same
`Redactor`, so the PCC office's copy withholds exactly what its Excel copy withholds. "As at" a date means:
RAGs unwound through the decisions made after that date (each decision keeps the RAG it replaced), updates
written as at that date or before, reviews held by then; status and target dates are as they are now.

The pack is a list of sections, each drawn by its own template partial (templates/board_pack/_NAME.html), so a
new section is a name added to SECTIONS and a partial beside the others.

The pack is a summary for a board, not the plan: each list of actions (Red and Amber, overdue, not updated,
changes, decisions) shows its first LIST_LIMIT lines, worst first, under the count of them all, as the dashboard
does. A force's plan of 5,000 actions had 4,800 lines across those lists, hundreds of pages nobody reads, and
laying them out was most of the pack's time.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import Action, Plan, PlanKind, Rag, RagChange, Review, Strand, StrategicLink
from app.services import clock
from app.services.exporting.content import AUDIENCE_NAMES, PlanContent, Redactor, UpdateRow, load_plan_content
from app.services.measures.reading import PlanMeasures, measures_of
from app.services.reporting.dashboard import LIST_LIMIT, RagCounts, rag_key
from app.services.reviewing import rag_rules

SECTIONS = [
    "cover",
    "rag_by_strand",
    "red_amber",
    "overdue_stale",
    "measures",
    "changes",
    "decisions",
    "pcc_uncovered",
]
REVIEWS_SHOWN = 6  # earlier reviews whose RAG by strand the pack shows, latest first


@dataclass
class Decision:
    """A lead's decision on an action's RAG, as the audience may read it."""

    action: Action
    from_rag: Rag | None
    to_rag: Rag | None
    by: str
    reason: str
    on: date


@dataclass
class PackLine:
    """An action as the pack shows it: its RAG as at the date and the text this audience may read."""

    action: Action
    rag: Rag | None
    what: str
    last_update: date | None = None
    latest: UpdateRow | None = None  # the latest commentary
    proposed: Rag | None = None  # the owner's latest proposal
    decision: Decision | None = None  # the latest decision on or before the date


@dataclass
class Move:
    line: PackLine
    before: Rag | None
    reviewed: bool  # False: the action was added since the review


@dataclass
class BoardPack:
    plan: Plan
    title: str
    as_at: date
    audience: str
    marking: str
    audience_name: str
    now: list[RagCounts]
    at_reviews: list[tuple[Review, list[RagCounts]]]  # earlier reviews, latest first
    attention: list[PackLine]
    overdue: list[PackLine]
    stale: list[PackLine]
    last_review: Review | None
    changes: list[Move]
    decisions: list[Decision]
    uncovered: list[PackLine]  # PCC commitments no live action delivers
    measures: PlanMeasures | None = None  # the plan's figures entered by the date, as the audience may read them
    sections: list[str] = field(default_factory=lambda: list(SECTIONS))
    listed: int = LIST_LIMIT  # lines each list shows; its count is of them all


def build(plan: Plan, *, audience: str, as_at: date) -> BoardPack:
    """Everything the pack shows, in a fixed number of queries whatever the plan's size."""
    redactor = Redactor(audience)
    content = load_plan_content(plan, with_reviews=True)
    # The whole of the as-at day; a pack as at today takes every decision made so far.
    end = datetime.max.replace(tzinfo=UTC) if as_at >= clock.today() else _day_after(as_at)
    changes = _rag_changes(plan)
    rags = _rags_as_at(content.actions, changes, end)
    decisions = {a.id: _latest_decision(redactor, a, changes.get(a.id, []), end) for a in content.actions}
    lines = [
        _line(redactor, content, action, rags[action.id], decisions[action.id], as_at) for action in content.actions
    ]
    reviews = [review for review in content.reviews if review.held_on <= as_at]
    last_review = reviews[-1] if reviews else None
    facts = {line.action.id: _facts(line, plan) for line in lines}
    return BoardPack(
        plan=plan,
        title=redactor.text(plan.full_title),
        as_at=as_at,
        audience=redactor.audience,
        marking=redactor.marking,
        audience_name=AUDIENCE_NAMES[redactor.audience],
        now=_by_strand((line.action.strand, line.rag) for line in lines),
        at_reviews=[(review, _at_review(content, review)) for review in reversed(reviews[-REVIEWS_SHOWN:])],
        attention=[line for _, line in sorted(_needing_attention(lines), key=lambda pair: pair[0])],
        overdue=sorted(
            (line for line in lines if rag_rules.is_overdue(facts[line.action.id], as_at)), key=_longest_overdue
        ),
        stale=sorted((line for line in lines if rag_rules.is_stale(facts[line.action.id], as_at)), key=_longest_stale),
        last_review=last_review,
        changes=_moves(content, lines, last_review),
        decisions=_decisions_since(redactor, content.actions, changes, last_review, end),
        uncovered=_uncovered(redactor),
        measures=measures_of(plan, redactor.reader, as_at, None if end.year == datetime.max.year else end),
    )


def _longest_overdue(line: PackLine) -> date:
    return line.action.target_date or date.max  # overdue lines have a target date


def _longest_stale(line: PackLine) -> date:
    return line.last_update or date.min  # never updated first


def _needing_attention(lines: list[PackLine]) -> list[tuple[int, PackLine]]:
    """The Red and Amber lines, each with its RAG's severity (to sort by)."""
    return [(line.rag.severity, line) for line in lines if line.rag is not None and line.rag in (Rag.RED, Rag.AMBER)]


def _day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _rag_changes(plan: Plan) -> dict[int, list[RagChange]]:
    """Every decision on the plan's actions, oldest first, with who made it (one query)."""
    rows = db.session.scalars(
        db.select(RagChange)
        .join(Action, Action.id == RagChange.action_id)
        .where(Action.plan_id == plan.id)
        .options(joinedload(RagChange.user))
        .order_by(RagChange.changed_at, RagChange.id)
    )
    by_action: dict[int, list[RagChange]] = {}
    for change in rows:
        by_action.setdefault(change.action_id, []).append(change)
    return by_action


def _rags_as_at(actions: list[Action], changes: dict[int, list[RagChange]], end: datetime) -> dict[int, Rag | None]:
    """Each action's RAG at `end`: today's, or what the first decision after `end` replaced."""
    rags = {}
    for action in actions:
        later = [change for change in changes.get(action.id, []) if change.changed_at >= end]
        rags[action.id] = later[0].from_rag if later else action.rag
    return rags


def _decision(redactor: Redactor, action: Action, change: RagChange) -> Decision:
    by = change.user.name if change.user else ""
    reason = redactor.action_text(action, change.reason) if change.reason else ""
    return Decision(action, change.from_rag, change.to_rag, by, reason, change.changed_at.date())


def _latest_decision(redactor, action: Action, changes: list[RagChange], end: datetime) -> Decision | None:
    made = [change for change in changes if change.changed_at < end]
    return _decision(redactor, action, made[-1]) if made else None


def _line(redactor, content: PlanContent, action: Action, rag, decision, as_at: date) -> PackLine:
    updates = [redactor.update(action, u) for u in content.updates_of(action) if u.as_at is None or u.as_at <= as_at]
    dated = [u.as_at for u in updates if u.as_at]
    proposals = [u.rag for u in updates if u.rag]
    return PackLine(
        action=action,
        rag=rag,
        what=redactor.action_text(action, action.what),
        last_update=max(dated) if dated else None,
        latest=updates[-1] if updates else None,
        proposed=proposals[-1] if proposals else None,
        decision=decision,
    )


def _facts(line: PackLine, plan: Plan) -> rag_rules.ActionFacts:
    action = line.action
    return rag_rules.ActionFacts(
        line.rag, action.status, action.target_date, line.last_update, plan.update_interval_days
    )


def _by_strand(pairs) -> list[RagCounts]:
    """Strand × RAG counts, the four strands first (those with actions), then "No strand", then all strands."""
    rows = {strand: RagCounts(strand.value, strand=strand.value) for strand in Strand}
    no_strand, totals = RagCounts("No strand", strand="none"), RagCounts("All strands", Counter())
    for strand, rag in pairs:
        (rows[strand] if strand else no_strand).counts[rag_key(rag)] += 1
        totals.counts[rag_key(rag)] += 1
    shown = [row for row in rows.values() if row.total]
    return shown + ([no_strand] if no_strand.total else []) + [totals]


def _at_review(content: PlanContent, review: Review) -> list[RagCounts]:
    strands = {action.id: action.strand for action in content.actions}
    return _by_strand((strands.get(s.action_id), s.rag) for s in content.snapshots.get(review.id, []))


def _moves(content: PlanContent, lines: list[PackLine], review: Review | None) -> list[Move]:
    """Actions whose RAG as at the date differs from what the last review recorded, or added since it."""
    if review is None:
        return []
    recorded = {s.action_id: s.rag for s in content.snapshots.get(review.id, [])}
    moves = []
    for line in lines:
        if line.action.id not in recorded:
            moves.append(Move(line, None, reviewed=False))
        elif recorded[line.action.id] != line.rag:
            moves.append(Move(line, recorded[line.action.id], reviewed=True))
    return moves


def _decisions_since(redactor, actions, changes, review: Review | None, end: datetime) -> list[Decision]:
    """The decisions made after the last review's day (all of them when none was held), up to the date."""
    start = _day_after(review.held_on) if review else None
    by_id = {action.id: action for action in actions}
    made = [
        change
        for action_changes in changes.values()
        for change in action_changes
        if change.changed_at < end and (start is None or change.changed_at >= start)
    ]
    made.sort(key=lambda change: (change.changed_at, change.id))
    return [_decision(redactor, by_id[change.action_id], change) for change in made]


def _uncovered(redactor: Redactor) -> list[PackLine]:
    """PCC deliverables that no live local action delivers (none links to it, or every one that does is closed)."""
    pcc_plan = aliased(Plan)
    deliverables = list(
        db.session.scalars(
            db.select(Action)
            .join(pcc_plan, pcc_plan.id == Action.plan_id)
            .where(pcc_plan.kind == PlanKind.PCC)
            .order_by(pcc_plan.title, pcc_plan.id, Action.position, Action.id)
        )
    )
    source, source_plan = aliased(Action), aliased(Plan)
    live = set(
        db.session.scalars(
            db.select(StrategicLink.target_action_id)
            .join(source, source.id == StrategicLink.action_id)
            .join(source_plan, source_plan.id == source.plan_id)
            .where(
                StrategicLink.target_action_id.is_not(None),
                source_plan.kind == PlanKind.LOCAL,
                source.status.is_(None) | source.status.not_in(list(rag_rules.CLOSED_STATUSES)),
                source.rag.is_(None) | (source.rag != Rag.BLUE),
            )
        )
    )
    return [PackLine(d, d.rag, redactor.action_text(d, d.what)) for d in deliverables if d.id not in live]
