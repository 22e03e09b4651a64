"""Filtering and searching a plan's actions, for the plan page and the links the dashboard makes to it.

The filter and the page number live in the query string (`?strand=Prepare&rag=red&only=overdue&q=NRM&page=2`)
so a filtered list can be bookmarked and shared. A page shows a hundred actions: one query counts the matches
and one reads the page (with each action's latest update date), whatever the plan's size. Overdue and stale
use the SQL forms of the rules in rag_rules. Search uses LIKE, which both SQLite and PostgreSQL run, and
never looks inside text the reader may not see.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, func, or_, true
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Action, Framework, Plan, Rag, Strand, StrategicLink, Update, User, action_owner
from app.services import clock
from app.services.plans.reading import latest_update_date
from app.services.redaction import EVERYONE, WITHHOLDING
from app.services.reporting import landing
from app.services.reviewing import rag_rules

ONLY = {
    "overdue": "Overdue",
    "stale": "Not updated within the interval",
    "unresolved": "Links to no PCC deliverable",
    "proposed": "RAG proposed, awaiting a decision",
    "updated": "Updated since the last review",
}
MAX_SEARCH_LENGTH = 200
PER_PAGE = 100  # actions a page: a plan of thousands is read a page at a time, as GOV.UK services list things


@dataclass(frozen=True)
class PlanFilter:
    strand: str | None = None  # a Strand value, or "none" for actions without a strand
    rag: str | None = None  # a Rag value, or "none" for actions without a RAG
    owner_id: int | None = None
    only: frozenset[str] = frozenset()  # any of ONLY
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping) -> "PlanFilter":
        """Read the filter from a query string, ignoring anything that is not a valid choice."""
        strand = args.get("strand") or None
        rag = args.get("rag") or None
        owner = args.get("owner") or ""
        only = args.getlist("only") if hasattr(args, "getlist") else args.get("only", [])
        return cls(
            strand=strand if strand in {s.value for s in Strand} | {"none"} else None,
            rag=rag if rag in {r.value for r in Rag} | {"none"} else None,
            owner_id=int(owner) if re.fullmatch(r"[0-9]{1,18}", owner) else None,  # an id the database can hold
            only=frozenset(o for o in only if o in ONLY),
            q=" ".join((args.get("q") or "").split())[:MAX_SEARCH_LENGTH],
        )

    @property
    def active(self) -> bool:
        return bool(self.strand or self.rag or self.owner_id or self.only or self.q)


@dataclass
class Found:
    """One page of the actions that match, in plan order, and where that page sits among them."""

    actions: list[Action]
    last_updates: dict[int, date] = field(default_factory=dict)
    total: int = 0  # actions in the plan, filtered or not
    matched: int = 0  # actions that match the filters, on every page
    page: int = 1
    pages: int = 1
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        """The position among the matches of this page's first action (1-based), for "Showing 101 to 200"."""
        return (self.page - 1) * self.per_page + 1 if self.actions else 0

    @property
    def last(self) -> int:
        return self.first + len(self.actions) - 1 if self.actions else 0


def filter_actions(
    plan: Plan,
    criteria: PlanFilter,
    *,
    include_restricted: bool,
    page: int = 1,
    per_page: int | None = None,
    today: date | None = None,
) -> Found:
    """One page of the plan's actions that match, in plan order, with their latest update dates.

    A page past the last shows the last. A fixed number of queries whatever the plan's size: the counts,
    the page of actions (its latest update dates in the same query), and their owners and objectives.
    """
    today = today or clock.today()
    per_page = per_page or PER_PAGE
    last_update = latest_update_date()
    conditions = _conditions(plan, criteria, include_restricted, today)
    total, matched = db.session.execute(
        db.select(func.count(Action.id), func.sum(case((and_(true(), *conditions), 1), else_=0))).where(
            Action.plan_id == plan.id
        )
    ).one()
    pages = max(1, -(-(matched or 0) // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        db.select(Action, last_update.label("last_update"))
        .where(Action.plan_id == plan.id, *conditions)
        .options(selectinload(Action.owners), selectinload(Action.objective))
        .order_by(Action.position, Action.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Found(
        actions=[action for action, _ in rows],
        last_updates={action.id: last for action, last in rows if last is not None},
        total=total,
        matched=matched or 0,
        page=page,
        pages=pages,
        per_page=per_page,
    )


def _conditions(plan: Plan, criteria: PlanFilter, include_restricted: bool, today: date) -> list:
    conditions = []
    if criteria.strand:
        conditions.append(
            Action.strand.is_(None) if criteria.strand == "none" else Action.strand == Strand(criteria.strand)
        )
    if criteria.rag:
        conditions.append(Action.rag.is_(None) if criteria.rag == "none" else Action.rag == Rag(criteria.rag))
    if criteria.owner_id:
        owned = db.select(action_owner.c.action_id).where(action_owner.c.user_id == criteria.owner_id)
        conditions.append(Action.id.in_(owned))
        if not include_restricted:  # a restricted action's owners are withheld: filtering by them must not tell
            conditions.append(Action.restricted.is_(False))
    if "overdue" in criteria.only:
        conditions.append(rag_rules.overdue_clause(today))
    if "stale" in criteria.only:
        conditions.append(rag_rules.stale_clause(today, plan))
    if "unresolved" in criteria.only:
        conditions.append(
            exists().where(
                StrategicLink.action_id == Action.id,
                StrategicLink.framework == Framework.PCC,
                StrategicLink.target_action_id.is_(None),
            )
        )
    if "proposed" in criteria.only:
        conditions.append(landing.awaiting_clause())
    if "updated" in criteria.only:
        held_on = landing.last_review_dates([plan.id]).get(plan.id)
        conditions.append(landing.updated_since_clause(held_on, include_restricted=include_restricted))
    if criteria.q:
        conditions.append(_search(criteria.q, include_restricted))
    return conditions


def _search(q: str, include_restricted: bool):
    """Actions whose ref is q, or whose text or updates contain it, looking only at what the reader may read:
    a reader who sees [REDACTED] must not learn what it hides by searching for it (app.services.redaction)."""
    reader = EVERYONE if include_restricted else WITHHOLDING
    pattern = "%" + q.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"

    def found_in(column):
        match = column.ilike(pattern, escape="/")
        searchable = reader.searchable(column)
        return match if searchable is None else and_(searchable, match)

    in_updates = exists().where(
        Update.action_id == Action.id, reader.visible_update(), Update.text.ilike(pattern, escape="/")
    )
    return or_(Action.ref == q, found_in(Action.what), found_in(Action.how), in_updates)


def plan_owners(plan: Plan, *, include_restricted: bool = True) -> list[User]:
    """The people who own at least one action of the plan (that the reader may see the owners of), for the
    owner filter."""
    visible = true() if include_restricted else Action.restricted.is_(False)
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.id.in_(
                    db.select(action_owner.c.user_id)
                    .join(Action, Action.id == action_owner.c.action_id)
                    .where(Action.plan_id == plan.id, visible)
                )
            )
            .order_by(User.name, User.id)
        )
    )
