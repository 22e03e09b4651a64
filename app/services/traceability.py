"""Which local actions deliver which strategy: the traceability pages and the PCC cross-checks.

A local action (an action of a local delivery plan) links to a framework (NS, Sentinel, PCC, HMIC),
sometimes with a code. A PCC code resolves to the PCC deliverable (an action of a PCC plan) with that
number. Each code's RAG rolls up from the local actions delivering it: the worst of them, Blue only
when every one is Blue.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import Action, Framework, Plan, PlanKind, Rag, StrategicLink

FRAMEWORKS = (Framework.NS, Framework.SENTINEL, Framework.PCC, Framework.HMIC)


def rollup(rags: list[Rag | None]) -> Rag | None:
    """The worst RAG of the actions; Blue only when all are Blue. An action with no RAG cannot make the
    roll-up look better: [Green, none] rolls up to Green, [Blue, none] to none."""
    known = [rag for rag in rags if rag is not None]
    if not known:
        return None
    worst = min(known, key=lambda rag: rag.severity)
    if worst is Rag.BLUE and len(known) < len(rags):
        return None
    return worst


@dataclass
class CodeRow:
    """One code of a framework (or the framework itself, for links without a code) and who delivers it."""

    framework: Framework
    code: str | None
    deliverable: Action | None = None  # for a PCC code: the deliverable it resolves to
    actions: list[Action] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.framework.value} {self.code}" if self.code else self.framework.value

    @property
    def rag(self) -> Rag | None:
        return rollup([action.rag for action in self.actions])


def framework_for(name: str) -> Framework | None:
    """The framework a URL names (NS, Sentinel, PCC, HMIC, in any case), or None."""
    return next((f for f in FRAMEWORKS if f.value.lower() == name.lower()), None)


def code_rows(framework: Framework) -> list[CodeRow]:
    """Every code local actions link to under the framework, in code order, with those actions (one query)."""
    links = db.session.scalars(
        db.select(StrategicLink)
        .join(Action, Action.id == StrategicLink.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(StrategicLink.framework == framework, Plan.kind == PlanKind.LOCAL)
        .options(
            joinedload(StrategicLink.action).joinedload(Action.plan),
            joinedload(StrategicLink.target).joinedload(Action.plan),
        )
        .order_by(Plan.title, Action.position, Action.id)
    )
    rows: dict[tuple, CodeRow] = {}
    for link in links:
        key = (link.target_action_id or 0, link.code or "")
        row = rows.setdefault(key, CodeRow(framework, link.code, link.target))
        if link.action not in row.actions:
            row.actions.append(link.action)
    return sorted(rows.values(), key=lambda row: (code_order(row.code), row.deliverable is None))


def code_order(code: str | None) -> tuple:
    """1.2.3 before 1.10.1 before 3.3c.1: numbers compared as numbers, letters as text."""
    if not code:
        return ()
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|[^\d.]+", code))


def unlinked_deliverables() -> list[Action]:
    """PCC deliverables that no local action links to."""
    source, source_plan, pcc_plan = aliased(Action), aliased(Plan), aliased(Plan)
    local_link = (
        db.select(StrategicLink.id)
        .join(source, source.id == StrategicLink.action_id)
        .join(source_plan, source_plan.id == source.plan_id)
        .where(StrategicLink.target_action_id == Action.id, source_plan.kind == PlanKind.LOCAL)
        .exists()
    )
    return list(
        db.session.scalars(
            db.select(Action)
            .join(pcc_plan, pcc_plan.id == Action.plan_id)
            .where(pcc_plan.kind == PlanKind.PCC, ~local_link)
            .options(joinedload(Action.plan))
            .order_by(pcc_plan.title, pcc_plan.id, Action.position, Action.id)
        )
    )


def unresolved_links() -> list[StrategicLink]:
    """Local actions' PCC links whose number matches no PCC deliverable: kept as written, and flagged."""
    return list(
        db.session.scalars(
            db.select(StrategicLink)
            .join(Action, Action.id == StrategicLink.action_id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(
                StrategicLink.framework == Framework.PCC,
                StrategicLink.target_action_id.is_(None),
                Plan.kind == PlanKind.LOCAL,
            )
            .options(joinedload(StrategicLink.action).joinedload(Action.plan))
            .order_by(Plan.title, Action.position, Action.id)
        )
    )


def delivering_actions(deliverable: Action) -> list[Action]:
    """The local actions whose links resolve to this PCC deliverable."""
    return list(
        db.session.scalars(
            db.select(Action)
            .join(StrategicLink, StrategicLink.action_id == Action.id)
            .where(StrategicLink.target_action_id == deliverable.id)
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
