"""The plan lead's dashboard: where the plan stands, what is late, what nobody has touched, what moved.

Built from a fixed number of queries whatever the plan's size: counts in SQL, and each list loads only
the rows it shows (with a window count of the rest). Overdue and stale are the SQL forms of the rules in
rag_rules, which a test checks against the Python forms.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, case, func, nulls_first
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Action, Plan, Rag, Review, ReviewSnapshot, Strand, Update
from app.services import clock, data_version, statements
from app.services.plans.reading import latest_update_date
from app.services.redaction import WITHHOLDING
from app.services.reporting import charts, landing
from app.services.reviewing import changes, rag_rules

RECENT_UPDATES = 10
LIST_LIMIT = 20  # rows shown in each list, most urgent first; the count and a link to the plan page give the rest
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
    last_update: date | None = None


@dataclass
class Listing:
    """The first LIST_LIMIT rows of a list on the dashboard, and how many there are in all."""

    rows: list = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class Dashboard:
    plan: Plan
    today: date
    by_strand: list[RagCounts]
    totals: RagCounts
    attention: Listing
    overdue: Listing
    stale: Listing
    last_review: Review | None
    changed: changes.Changes
    recent_updates: list[Update]
    review_mix: list[RagCounts]
    counts: landing.Landing  # the counts at the top, as the plans page gives them

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
    """Everything the dashboard shows, computed against `today` (the clock's date unless given).

    Counts are made in SQL and each list loads only the rows it shows, so the page costs the same
    whether the plan has forty actions or five thousand.
    """
    today = today or clock.today()
    by_strand, totals = _matrix(plan)
    reviews = _latest_reviews(plan)
    last_review = reviews[0] if reviews else None
    attention, overdue, stale = _listings(plan, today)
    return Dashboard(
        plan=plan,
        today=today,
        by_strand=by_strand,
        totals=totals,
        attention=attention,
        overdue=overdue,
        stale=stale,
        last_review=last_review,
        changed=_changed_since(plan, last_review, include_restricted),
        recent_updates=_recent_updates(plan, include_restricted),
        review_mix=_review_mix(reviews) + [RagCounts("Today", Counter(totals.counts))],
        # Red, overdue and stale are the same rules as the matrix's and the lists' counts: not counted again.
        counts=landing.landing_with(
            plan,
            red=totals.counts[Rag.RED.value],
            overdue=overdue.total,
            stale=stale.total,
            last_review=last_review.held_on if last_review else None,
            include_restricted=include_restricted,
        ),
    )


def _matrix(plan: Plan) -> tuple[list[RagCounts], RagCounts]:
    rows = {strand: RagCounts(strand.value, strand=strand.value) for strand in Strand}
    no_strand = RagCounts("No strand", strand="none")
    totals = RagCounts("All strands")
    key = ("strands by RAG", plan.id)

    def statement() -> Select:
        return (
            db.select(Action.strand, Action.rag, func.count())
            .where(Action.plan_id == plan.id)
            .group_by(Action.strand, Action.rag)
        )

    counts = data_version.cached(
        key, lambda: tuple(tuple(row) for row in db.session.execute(statements.kept(key, statement)))
    )
    for strand, rag, n in counts:
        (rows[strand] if strand else no_strand).counts[rag_key(rag)] += n
        totals.counts[rag_key(rag)] += n
    result = list(rows.values()) if any(row.total for row in rows.values()) else []
    return (result + [no_strand] if no_strand.total else result), totals


def _list_statements(plan: Plan, today: date) -> tuple[Select, ...]:
    """The dashboard's three lists (Red and Amber, overdue, stale) as statements: for each, the first LIST_LIMIT
    actions meeting its condition, with their latest update dates, and the total. Built once an app for each plan,
    interval and day (app/services/statements.py): they read nothing else."""
    last_update = latest_update_date().label("last_update")
    lists = [
        (Action.rag.in_([Rag.RED, Rag.AMBER]), (case((Action.rag == Rag.RED, 0), else_=1), Action.position, Action.id)),
        (rag_rules.overdue_clause(today), (Action.target_date, Action.position, Action.id)),
        (
            rag_rules.stale_clause(today, plan),
            # By the selected column's label: the latest update date is worked out once per action, not again.
            (nulls_first(last_update), Action.position, Action.id),
        ),
    ]
    return tuple(
        db.select(Action.id, last_update, func.count().over().label("total"))
        .where(Action.plan_id == plan.id, condition)
        .order_by(*order)
        .limit(LIST_LIMIT)
        for condition, order in lists
    )


def _listings(plan: Plan, today: date) -> list[Listing]:
    """The Red and Amber, overdue and stale lists: each list's ids, dates and total, kept while the data version
    is unchanged; the actions of all the lists (and their owners) are then loaded together, once each, rather
    than as full rows in every list that has them."""
    key = (plan.id, plan.update_interval_days, today, LIST_LIMIT)

    def choose() -> tuple[tuple[tuple[int, date | None, int], ...], ...]:
        return tuple(
            tuple((row.id, row.last_update, row.total) for row in db.session.execute(statement))
            for statement in statements.kept(("dashboard lists", *key), lambda: _list_statements(plan, today))
        )

    # Kept while the data version is unchanged: the conditions are the plan's, by its interval and today's date.
    chosen = data_version.cached(("dashboard lists", *key), choose)
    ids = list({action_id for rows in chosen for action_id, _, _ in rows})
    # The owners joined on (a few each): one statement for the actions of all the lists and their owners.
    loaded = db.session.scalars(db.select(Action).where(Action.id.in_(ids)).options(joinedload(Action.owners))).unique()
    by_id = {action.id: action for action in loaded}
    return [
        Listing([ActionLine(by_id[action_id], last) for action_id, last, _ in rows], rows[0][2] if rows else 0)
        for rows in chosen
    ]


def _latest_reviews(plan: Plan) -> list[Review]:
    """The plan's latest REVIEWS_CHARTED review meetings, the most recent first (by the date each was held, then
    when it was recorded): the first is the last review, and all of them are charted."""
    latest = statements.kept(
        ("latest reviews", plan.id),
        lambda: (
            db.select(Review)
            .where(Review.plan_id == plan.id)
            .order_by(Review.held_on.desc(), Review.id.desc())
            .limit(REVIEWS_CHARTED)
        ),
    )
    return list(db.session.scalars(latest))


def _changed_since(plan: Plan, review: Review | None, include_restricted: bool) -> changes.Changes:
    """New updates, new and closed actions, changed status, target dates and RAG since the review."""
    return changes.changed_since(plan.id, review, include_restricted=include_restricted, limit=LIST_LIMIT)


def _recent_updates(plan: Plan, include_restricted: bool) -> list[Update]:
    """The latest updates written, newest first. The ids are found first and only those rows loaded, read
    backwards off the (plan_id, created_at, id) index: the plan's own updates alone, however many the other
    plans hold (joined to the actions, a small plan's list read every update of a large one)."""

    def newest() -> Select:
        ids = (
            db.select(Update.id)
            .where(Update.plan_id == plan.id)
            .order_by(Update.created_at.desc(), Update.id.desc())
            .limit(RECENT_UPDATES)
        )
        if not include_restricted:  # nothing withheld from the reader, flagged, on a restricted action or marked
            ids = ids.join(Action, Action.id == Update.action_id).where(WITHHOLDING.visible_update())
        return ids

    # Kept while the data version is unchanged (every new update moves it on), by what the reader may see; the
    # statement is built once an app (app/services/statements.py).
    key = ("recent updates", plan.id, include_restricted, RECENT_UPDATES)
    ids = list(data_version.cached(key, lambda: tuple(db.session.scalars(statements.kept(key, newest)))))
    return list(
        db.session.scalars(
            db.select(Update)
            .where(Update.id.in_(ids))
            .options(joinedload(Update.action))
            .order_by(Update.created_at.desc(), Update.id.desc())
        )
    )


def _review_mix(reviews: list[Review]) -> list[RagCounts]:
    """The RAG counts each of the latest reviews recorded, oldest first."""
    rows = {review.id: RagCounts(f"{review.held_on.day} {review.held_on:%b %Y}") for review in reversed(reviews)}
    key = ("review mix", tuple(rows))

    def statement() -> Select:
        return (
            db.select(ReviewSnapshot.review_id, ReviewSnapshot.rag, func.count())
            .where(ReviewSnapshot.review_id.in_(list(rows)))
            .group_by(ReviewSnapshot.review_id, ReviewSnapshot.rag)
        )

    counts = data_version.cached(
        key, lambda: tuple(tuple(row) for row in db.session.execute(statements.kept(key, statement)))
    )
    for review_id, rag, n in counts:
        rows[review_id].counts[rag_key(rag)] += n
    return list(rows.values())
