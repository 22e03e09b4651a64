"""Filtering and searching a plan's actions, for the plan page and the links the dashboard makes to it.

The filter lives in the query string (`?strand=Prepare&rag=red&only=overdue&q=NRM`) so a filtered list
can be bookmarked and shared. One query finds the actions (with each one's latest update date), whatever
the plan's size; overdue and stale use the SQL forms of the rules in rag_rules. Search uses LIKE, which
both SQLite and PostgreSQL run, and never looks inside text the reader may not see.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import selectinload, subqueryload

from app.extensions import db
from app.models import Action, Framework, Plan, Rag, Strand, StrategicLink, Update, User, action_owner
from app.services import clock, rag_rules
from app.services.plan_reading import latest_update_subquery

ONLY = {"overdue": "Overdue", "stale": "Not updated within the interval", "unresolved": "Links to no PCC deliverable"}
MAX_SEARCH_LENGTH = 200


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
    actions: list[Action]
    last_updates: dict[int, date] = field(default_factory=dict)
    total: int = 0  # actions in the plan, filtered or not


def filter_actions(plan: Plan, criteria: PlanFilter, *, include_restricted: bool, today: date | None = None) -> Found:
    """The plan's actions that match, in plan order, with their latest update dates (five queries)."""
    today = today or clock.today()
    latest = latest_update_subquery(plan)
    query = (
        db.select(Action, latest.c.as_at)
        .outerjoin(latest, latest.c.action_id == Action.id)
        .where(Action.plan_id == plan.id, *_conditions(plan, criteria, latest.c.as_at, include_restricted, today))
        # subqueryload, not selectinload: one query per relationship however many actions (selectinload
        # batches its ids 500 at a time).
        .options(subqueryload(Action.owners), subqueryload(Action.links), selectinload(Action.objective))
        .order_by(Action.position, Action.id)
    )
    rows = db.session.execute(query).all()
    total = db.session.scalar(db.select(func.count(Action.id)).where(Action.plan_id == plan.id))
    return Found([a for a, _ in rows], {a.id: last for a, last in rows if last is not None}, total)


def _conditions(plan: Plan, criteria: PlanFilter, last_update, include_restricted: bool, today: date) -> list:
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
    if "overdue" in criteria.only:
        conditions.append(rag_rules.overdue_clause(today))
    if "stale" in criteria.only:
        conditions.append(rag_rules.stale_clause(today, plan, last_update))
    if "unresolved" in criteria.only:
        conditions.append(
            exists().where(
                StrategicLink.action_id == Action.id,
                StrategicLink.framework == Framework.PCC,
                StrategicLink.target_action_id.is_(None),
            )
        )
    if criteria.q:
        conditions.append(_search(criteria.q, include_restricted))
    return conditions


def _search(q: str, include_restricted: bool):
    pattern = "%" + q.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    in_action = or_(Action.what.ilike(pattern, escape="/"), Action.how.ilike(pattern, escape="/"))
    in_updates = exists().where(Update.action_id == Action.id, Update.text.ilike(pattern, escape="/"))
    if not include_restricted:
        # A reader who sees [REDACTED] must not learn what it hides by searching for it.
        in_action = and_(Action.restricted.is_(False), in_action)
        in_updates = exists().where(
            Update.action_id == Action.id, Update.restricted.is_(False), Update.text.ilike(pattern, escape="/")
        )
    return or_(Action.ref == q, in_action, in_updates)


def plan_owners(plan: Plan) -> list[User]:
    """The people who own at least one action of the plan, for the owner filter."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.id.in_(
                    db.select(action_owner.c.user_id)
                    .join(Action, Action.id == action_owner.c.action_id)
                    .where(Action.plan_id == plan.id)
                )
            )
            .order_by(User.name, User.id)
        )
    )
