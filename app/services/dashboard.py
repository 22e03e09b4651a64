"""The plan lead's dashboard: where the plan stands, what is late, what nobody has touched, what moved.

Built from a fixed number of queries (actions, owners, latest update dates, reviews and their snapshot
counts, the latest review's snapshots, recent updates) whatever the plan's size.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import joinedload, subqueryload

from app.extensions import db
from app.models import Action, Plan, Rag, Review, ReviewSnapshot, Strand, Update
from app.services import charts, clock, rag_rules
from app.services.plan_reading import last_update_dates

RECENT_UPDATES = 10
REVIEWS_CHARTED = 8


def rag_key(rag: Rag | None) -> str:
    """The key a RAG has in counts, charts and filter URLs: its value, or "none" when it has none."""
    return rag.value if rag else "none"


@dataclass
class RagCounts:
    """One row of the strand × RAG matrix (or one review's mix): a count per RAG key."""

    label: str
    counts: Counter = field(default_factory=Counter)
    strand: str | None = None  # the strand filter value, for the links to the filtered plan page

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_group(self) -> charts.Group:
        return charts.Group(self.label, {key: self.counts[key] for key in (s.key for s in charts.RAG_SERIES)})


@dataclass
class ActionLine:
    action: Action
    last_update: date | None


@dataclass
class RagMove:
    """An action whose RAG is not what the last review recorded (`reviewed` False: added since)."""

    action: Action
    before: Rag | None
    after: Rag | None
    reviewed: bool = True


@dataclass
class Dashboard:
    plan: Plan
    today: date
    by_strand: list[RagCounts]
    totals: RagCounts
    attention: list[Action]
    overdue: list[ActionLine]
    stale: list[ActionLine]
    last_review: Review | None
    changed: list[RagMove]
    recent_updates: list[Update]
    review_mix: list[RagCounts]

    def strand_chart(self):
        return charts.grouped_bar_chart(
            "rag-by-strand",
            f"RAG by strand: {self.plan.title}",
            "Number of actions of each RAG status in each strand; the table below gives the same figures.",
            [row.as_group() for row in self.by_strand],
        )

    def review_chart(self):
        return charts.stacked_bar_chart(
            "rag-over-reviews",
            f"RAG mix at each review: {self.plan.title}",
            "Number of actions of each RAG status recorded at each review, and today; "
            "the table below gives the same figures.",
            [row.as_group() for row in self.review_mix],
        )


def build(plan: Plan, *, include_restricted: bool, today: date | None = None) -> Dashboard:
    """Everything the dashboard shows, computed against `today` (the clock's date unless given)."""
    today = today or clock.today()
    actions = list(
        db.session.scalars(
            db.select(Action)
            .where(Action.plan_id == plan.id)
            .options(subqueryload(Action.owners))  # one query however many actions
            .order_by(Action.position, Action.id)
        )
    )
    last = last_update_dates([a.id for a in actions])
    facts = {a.id: rag_rules.ActionFacts.of(a, last.get(a.id), plan.update_interval_days) for a in actions}
    by_strand = _by_strand(actions)
    totals = RagCounts("All strands", Counter(rag_key(a.rag) for a in actions))
    last_review = latest_review(plan)
    return Dashboard(
        plan=plan,
        today=today,
        by_strand=by_strand,
        totals=totals,
        attention=sorted(
            (a for a in actions if a.rag in (Rag.RED, Rag.AMBER)), key=lambda a: (a.rag.severity, a.position, a.id)
        ),
        overdue=sorted(
            (ActionLine(a, last.get(a.id)) for a in actions if rag_rules.is_overdue(facts[a.id], today)),
            key=lambda line: (line.action.target_date, line.action.position),
        ),
        stale=sorted(
            (ActionLine(a, last.get(a.id)) for a in actions if rag_rules.is_stale(facts[a.id], today)),
            key=lambda line: (line.last_update or date.min, line.action.position),
        ),
        last_review=last_review,
        changed=_changed_since(last_review, actions),
        recent_updates=_recent_updates(plan, include_restricted),
        review_mix=_review_mix(plan) + [RagCounts("Today", Counter(totals.counts))],
    )


def _by_strand(actions: list[Action]) -> list[RagCounts]:
    rows = {strand: RagCounts(strand.value, strand=strand.value) for strand in Strand}
    no_strand = RagCounts("No strand", strand="none")
    for action in actions:
        (rows[action.strand] if action.strand else no_strand).counts[rag_key(action.rag)] += 1
    result = list(rows.values()) if any(a.strand for a in actions) else []
    return result + [no_strand] if no_strand.total else result


def latest_review(plan: Plan) -> Review | None:
    """The most recent review meeting of the plan (by the date it was held, then when it was recorded)."""
    return db.session.scalar(
        db.select(Review).where(Review.plan_id == plan.id).order_by(Review.held_on.desc(), Review.id.desc()).limit(1)
    )


def _changed_since(review: Review | None, actions: list[Action]) -> list[RagMove]:
    if review is None:
        return []
    recorded = dict(
        db.session.execute(
            db.select(ReviewSnapshot.action_id, ReviewSnapshot.rag).where(ReviewSnapshot.review_id == review.id)
        ).all()
    )
    moves = []
    for action in actions:
        if action.id not in recorded:
            moves.append(RagMove(action, None, action.rag, reviewed=False))
        elif recorded[action.id] != action.rag:
            moves.append(RagMove(action, recorded[action.id], action.rag))
    return moves


def _recent_updates(plan: Plan, include_restricted: bool) -> list[Update]:
    query = (
        db.select(Update)
        .join(Action, Action.id == Update.action_id)
        .where(Action.plan_id == plan.id)
        .options(joinedload(Update.action))
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(RECENT_UPDATES)
    )
    if not include_restricted:
        query = query.where(Update.restricted.is_(False))
    return list(db.session.scalars(query))


def _review_mix(plan: Plan) -> list[RagCounts]:
    """The RAG counts each of the latest reviews recorded, oldest first."""
    reviews = list(
        db.session.execute(
            db.select(Review.id, Review.held_on)
            .where(Review.plan_id == plan.id)
            .order_by(Review.held_on.desc(), Review.id.desc())
            .limit(REVIEWS_CHARTED)
        )
    )
    rows = {review_id: RagCounts(f"{held_on.day} {held_on:%b %Y}") for review_id, held_on in reversed(reviews)}
    counts = db.session.execute(
        db.select(ReviewSnapshot.review_id, ReviewSnapshot.rag, func.count())
        .where(ReviewSnapshot.review_id.in_(list(rows)))
        .group_by(ReviewSnapshot.review_id, ReviewSnapshot.rag)
    )
    for review_id, rag, n in counts:
        rows[review_id].counts[rag_key(rag)] += n
    return list(rows.values())
