"""Strategic links to the PCC plan: "PCC 3.3.7" on a local action points at PCC deliverable 3.3.7.

Links are resolved across every plan in the database, whenever a plan is imported, so a local plan imported
before its PCC plan gets its links resolved when the PCC plan arrives. A code with no deliverable stays
unresolved and is shown as such.
"""

from sqlalchemy import select, update

from app.extensions import db
from app.models import Action, Plan, PlanKind, StrategicLink
from app.models.enums import Framework


def resolve_pcc_links(imported_plan_ids: set[int]) -> list[str]:
    """Point every unresolved PCC link in the database at the PCC deliverable with its number, if one exists.

    Where several PCC plans have the deliverable, one from this import wins, then one of the link's own period.
    Returns the links of other (earlier) plans that resolved now.
    """
    deliverables: dict[str, list[tuple[bool, int, int, str]]] = {}  # ref -> (in this import, plan, action, period)
    rows = db.session.execute(
        select(Action.id, Action.ref, Plan.id, Plan.period_label).join(Plan).where(Plan.kind == PlanKind.PCC)
    )
    for action_id, ref, plan_id, period_label in rows:
        deliverables.setdefault(ref, []).append((plan_id in imported_plan_ids, plan_id, action_id, period_label))
    if not deliverables:
        return []
    links = db.session.execute(
        select(StrategicLink.id, StrategicLink.code, Action.strand, Action.ref, Plan.id, Plan.period_label, Plan.title)
        .join(Action, StrategicLink.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(
            StrategicLink.framework == Framework.PCC,
            StrategicLink.target_action_id.is_(None),
            StrategicLink.code.is_not(None),
        )
    )
    targets, earlier = [], []
    for link_id, code, strand, ref, plan_id, period, title in links:
        if code not in deliverables:
            continue
        best = max(deliverables[code], key=lambda found: (found[0], found[3] == period, found[1]))
        targets.append({"id": link_id, "target_action_id": best[2]})
        if plan_id not in imported_plan_ids:
            earlier.append(f"{f'{strand.value} {ref}' if strand else ref} of {title} → PCC {code}")
    if targets:
        db.session.execute(update(StrategicLink), targets)
    return earlier
