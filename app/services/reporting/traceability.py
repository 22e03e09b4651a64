"""Which local actions deliver which strategy: the traceability pages and the PCC cross-checks.

A local action (an action of a local delivery plan) links to a framework (NS, Sentinel, PCC, HMIC),
sometimes with a code. A PCC code resolves to the PCC deliverable (an action of a PCC plan) with that
number. Each code's RAG rolls up from the local actions delivering it: the worst of them, Blue only
when every one is Blue, and never Green or Blue while any of them has no RAG ("incomplete": an action
nobody has rated may be the one that is failing). A restricted action's links are withheld from viewers
(app.services.redaction), so for them it neither delivers a code nor counts in its roll-up.
"""

import heapq
import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, true
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import Action, Framework, Plan, PlanKind, Rag, StrategicLink
from app.services.redaction import EVERYONE, Reader

FRAMEWORKS = (Framework.NS, Framework.SENTINEL, Framework.PCC, Framework.HMIC)
SHOWN_PER_CODE = 3  # local actions listed under each code, worst first; the counts cover the rest
LIST_LIMIT = 50  # rows of the PCC cross-check lists; a count gives the rest


def rollup(rags: list[Rag | None]) -> Rag | None:
    """The worst RAG of the actions; Blue only when all are Blue. An action with no RAG cannot make the
    roll-up look better: [Red, none] is Red and [Amber, none] Amber (the count of unknowns is shown beside
    them), but [Green, none] and [Blue, none] are None, which the page calls "Incomplete"."""
    return rollup_counts(Counter(rags))


def rollup_counts(counts: Counter) -> Rag | None:
    """`rollup` of actions given as a count of each RAG (None for no RAG), as SQL counts them."""
    known = [rag for rag, n in counts.items() if rag is not None and n]
    if not known:
        return None
    worst = min(known, key=lambda rag: rag.severity)
    if counts[None] and worst in (Rag.GREEN, Rag.BLUE):
        return None
    return worst


@dataclass
class CodeRow:
    """One code of a framework (or the framework itself, for links without a code) and who delivers it.

    `counts` covers every local action delivering the code; `actions` holds the first SHOWN_PER_CODE of
    them, worst RAG first, which is what a page can show when a force has thousands.
    """

    framework: Framework
    code: str | None
    deliverable: Action | None = None  # for a PCC code: the deliverable it resolves to
    actions: list[Action] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # RAG (None: not set) -> local actions

    @property
    def label(self) -> str:
        return f"{self.framework.value} {self.code}" if self.code else self.framework.value

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rag(self) -> Rag | None:
        return rollup_counts(self.counts)

    @property
    def unknown(self) -> int:
        """Local actions delivering the code whose RAG is not set."""
        return self.counts[None]

    @property
    def incomplete(self) -> bool:
        """Some actions are rated, none Red or Amber, and some are not rated: too soon to call it Green."""
        return self.rag is None and self.unknown < self.total

    def rag_counts(self) -> list[tuple[Rag | None, int]]:
        """(RAG, how many) worst first, Not set last, leaving out RAGs no action has."""
        order = sorted(Rag, key=lambda rag: rag.severity) + [None]
        return [(rag, self.counts[rag]) for rag in order if self.counts[rag]]


def framework_for(name: str) -> Framework | None:
    """The framework a URL names (NS, Sentinel, PCC, HMIC, in any case), or None."""
    return next((f for f in FRAMEWORKS if f.value.lower() == name.lower()), None)


def code_rows(framework: Framework, reader: Reader = EVERYONE) -> list[CodeRow]:
    """Every code local actions link to under the framework, in code order (three queries, whatever the size).

    One light query reads who delivers what (code, action, RAG and place in its plan); the counts and each
    code's most urgent actions are worked out from it, and then only the actions shown are loaded, with the
    PCC deliverables the codes resolve to.
    """
    delivering = db.session.execute(
        db.select(
            StrategicLink.target_action_id,
            StrategicLink.code,
            Action.id,
            Action.rag,
            Plan.title,
            Action.position,
        )
        .join(Action, Action.id == StrategicLink.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(StrategicLink.framework == framework, Plan.kind == PlanKind.LOCAL, reader.visible_links())
    )
    rows: dict[tuple, CodeRow] = {}
    candidates: dict[tuple, dict[int, tuple]] = {}  # code -> action -> how urgent (worst first)
    for target, code, action_id, rag, plan_title, position in delivering:
        key = (target or 0, code or "")
        row = rows.get(key) or rows.setdefault(key, CodeRow(framework, code))
        if action_id not in candidates.setdefault(key, {}):  # an action that links to a code twice delivers it once
            row.counts[rag] += 1
            candidates[key][action_id] = (rag.severity if rag else len(Rag), plan_title, position, action_id)
    shown = {key: [u[-1] for u in heapq.nsmallest(SHOWN_PER_CODE, found.values())] for key, found in candidates.items()}
    targets = [target for target, _ in rows if target]
    wanted = [action_id for ids in shown.values() for action_id in ids]
    loaded = db.session.scalars(
        db.select(Action).where(Action.id.in_(wanted + targets)).options(joinedload(Action.plan))
    )
    by_id = {action.id: action for action in loaded}
    for key, row in rows.items():
        row.actions = [by_id[action_id] for action_id in shown[key]]
        row.deliverable = by_id.get(key[0])
    return sorted(rows.values(), key=lambda row: (code_order(row.code), row.deliverable is None))


def code_order(code: str | None) -> tuple:
    """1.2.3 before 1.10.1 before 3.3c.1: numbers compared as numbers, letters as text."""
    if not code:
        return ()
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|[^\d.]+", code))


@dataclass
class Listed:
    """The first LIST_LIMIT rows of a list, and how many there are in all."""

    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return self.total > 0


def unlinked_deliverables(reader: Reader = EVERYONE) -> Listed:
    """PCC deliverables that no local action links to."""
    source, source_plan, pcc_plan = aliased(Action), aliased(Plan), aliased(Plan)
    local_link = (
        db.select(StrategicLink.id)
        .join(source, source.id == StrategicLink.action_id)
        .join(source_plan, source_plan.id == source.plan_id)
        .where(StrategicLink.target_action_id == Action.id, source_plan.kind == PlanKind.LOCAL)
        .where(source.restricted.is_(False) if reader.withholds else true())
        .exists()
    )
    return _listed(
        db.select(Action, func.count().over())
        .join(pcc_plan, pcc_plan.id == Action.plan_id)
        .where(pcc_plan.kind == PlanKind.PCC, ~local_link)
        .options(joinedload(Action.plan))
        .order_by(pcc_plan.title, pcc_plan.id, Action.position, Action.id)
    )


def unresolved_links(reader: Reader = EVERYONE) -> Listed:
    """Local actions' PCC links whose number matches no PCC deliverable: kept as written, and flagged."""
    return _listed(
        db.select(StrategicLink, func.count().over())
        .join(Action, Action.id == StrategicLink.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(
            StrategicLink.framework == Framework.PCC,
            StrategicLink.target_action_id.is_(None),
            Plan.kind == PlanKind.LOCAL,
            reader.visible_links(),
        )
        .options(joinedload(StrategicLink.action).joinedload(Action.plan))
        .order_by(Plan.title, Action.position, Action.id, StrategicLink.position)
    )


def _listed(query) -> Listed:
    rows = db.session.execute(query.limit(LIST_LIMIT)).all()
    return Listed([row[0] for row in rows], rows[0][1] if rows else 0)


def delivering_actions(deliverable: Action, reader: Reader = EVERYONE) -> list[Action]:
    """The local actions whose links resolve to this PCC deliverable (that the reader may see the links of)."""
    return list(
        db.session.scalars(
            db.select(Action)
            .join(StrategicLink, StrategicLink.action_id == Action.id)
            .where(StrategicLink.target_action_id == deliverable.id, reader.visible_links())
            .options(joinedload(Action.plan))
            .distinct()
            .order_by(Action.plan_id, Action.position, Action.id)
        )
    )


def resolve_pcc_code(code: str | None, plan: Plan) -> Action | None:
    """The PCC deliverable numbered `code`: preferably one of the linking plan's own period, else the latest."""
    if not code:
        return None
    candidates = db.session.execute(
        db.select(Action, Plan.period_label)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.kind == PlanKind.PCC, Action.ref == code)
        .order_by(Plan.id.desc())
    ).all()
    same_period = [action for action, period in candidates if period == plan.period_label]
    return (same_period or [action for action, _ in candidates] or [None])[0]
