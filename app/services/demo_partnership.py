"""A partnership plan for the demo, shaped like a local anti-slavery partnership's annual report (Sandwell's): four
objectives with their actions and outcomes, and the year's figures from its operational partnership as measures.

It is example data, and says so: the plan's title and priority, every action's "how", and every measure's notes.
Only what the source quotes is recorded, as yearly totals: no monthly figure is invented, and a category the source
names without a figure (car wash, takeaway, restaurant and other locations; domestic servitude; nationality; agency)
is not recorded as a figure; the measure's notes say it is not in the source. No target is set: the source gives
none. The year is the last whole financial year before today.
"""

from dataclasses import dataclass
from datetime import date

from app.extensions import db
from app.models import Action, ActionStatus, Objective, Plan, Rag, Strand, User
from app.services import clock
from app.services.audit import trail as audit
from app.services.measures import editing, periods, values

TITLE = "Anti-Slavery Partnership Plan (example, shaped like Sandwell's)"
PRIORITY = "Modern Slavery (example data)"
EXAMPLE = "example data"
SOURCE = "Example data: the yearly figure the partnership's annual report quotes (SHOP, over twelve months)."
NO_MONTHS = " The report gives no monthly figures, so none are recorded."


@dataclass(frozen=True)
class ActionText:
    ref: str
    what: str
    rag: Rag
    status: ActionStatus = ActionStatus.IN_PROGRESS


@dataclass(frozen=True)
class ObjectiveText:
    strand: Strand
    ref: str
    title: str
    outcomes: tuple[str, ...]
    actions: tuple[ActionText, ...]


OBJECTIVES = (
    ObjectiveText(
        Strand.PREVENT,
        "1",
        "Raise awareness of modern slavery among partners' staff and the public",
        ("Frontline staff across the partnership trained to spot and report the signs",
         "More concerns raised by partners and the public"),
        (ActionText("1", "Deliver modern slavery awareness training to partners' frontline staff", Rag.BLUE,
                    ActionStatus.COMPLETE),
         ActionText("2", "Run a public awareness campaign in Smethwick and West Bromwich", Rag.GREEN)),
    ),
    ObjectiveText(
        Strand.PROTECT,
        "2",
        "Identify and support victims of modern slavery",
        ("Increased referrals to NRM", "Potential victims screened and offered support"),
        (ActionText("1", "Screen potential victims through the operational partnership (SHOP)", Rag.GREEN),
         ActionText("2", "Refer potential victims to the National Referral Mechanism (NRM)", Rag.AMBER)),
    ),
    ObjectiveText(
        Strand.PREPARE,
        "3",
        "Understand the scale and nature of modern slavery locally",
        ("The production of a Sandwell intelligence profile",),
        (ActionText("1", "Produce a Sandwell modern slavery intelligence profile", Rag.BLUE, ActionStatus.COMPLETE),
         ActionText("2", "Share intelligence between partners at SHOP's monthly meeting", Rag.GREEN)),
    ),
    ObjectiveText(
        Strand.PURSUE,
        "4",
        "Disrupt exploitation and bring offenders to justice",
        ("Places of concern visited and disrupted by partners together",
         "Multi-agency interventions with potential victims and offenders"),
        (ActionText("1", "Carry out multi-agency disruption visits to places of concern", Rag.GREEN),
         ActionText("2", "Coordinate multi-agency interventions through SHOP", Rag.AMBER)),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class MeasureFigures:
    name: str
    unit: str
    objective: str  # the ref of the objective it measures
    action: tuple[Strand, str]  # the action whose owners enter its figures
    total: str | None
    dimension: str = ""
    figures: tuple[tuple[str, str], ...] = ()  # only the categories the source gives a figure for
    notes: str = ""


MEASURES = (
    MeasureFigures("Concerns raised", "concerns", "2", (Strand.PROTECT, "1"), "171", "Location type",
                   (("Private dwelling", "101"), ("Factory", "13")),
                   "Car wash, takeaway, restaurant and other locations are named in the source without figures, so "
                   "they are not recorded."),
    MeasureFigures("Concerns by type of exploitation", "concerns", "2", (Strand.PROTECT, "1"), "171",
                   "Exploitation type", (("Labour", "129"), ("Sexual", "45"), ("Criminal", "14")),
                   "Domestic servitude is named in the source without a figure, so it is not recorded. A concern can "
                   "involve more than one type, so the types add up to more than the concerns."),
    MeasureFigures("Share of concerns by town", "%", "2", (Strand.PROTECT, "1"), None, "Town",
                   (("Smethwick", "35"), ("West Bromwich", "38")),
                   "Per cent of the concerns raised. The source does not break down the other 27%."),
    MeasureFigures("Potential victims screened", "people", "2", (Strand.PROTECT, "1"), "406", "Sex",
                   (("Male", "261"), ("Female", "145")),
                   "The source breaks the screenings down by nationality too, without figures: not recorded."),
    MeasureFigures("Multi-agency interventions", "interventions", "4", (Strand.PURSUE, "2"), "468",
                   notes="The source breaks them down by agency without figures: not recorded."),
    MeasureFigures("Multi-agency disruption visits", "visits", "4", (Strand.PURSUE, "1"), "66"),
    MeasureFigures("Staff trained", "staff", "1", (Strand.PREVENT, "1"), "1000",
                   notes="The source says over 1,000: 1,000 is recorded, the least it can be."),
)  # fmt: skip


def add_partnership_plan(lead: User | None, owner: User | None) -> Plan | None:
    """Create the example partnership plan with its measures and figures; None when it is already there. Commits."""
    year = periods.year_of(clock.today()) - 1
    label = periods.year_label(year)
    if db.session.scalar(db.select(Plan.id).filter_by(title=TITLE, period_label=label)) is not None:
        return None
    plan = Plan(
        title=TITLE,
        priority=PRIORITY,
        lead="Chair of the Anti-Slavery Partnership (example)",
        lead_user=lead,
        period_label=label,
        period_start=date(year, 4, 1),
        period_end=date(year + 1, 3, 31),
    )
    owner_name = owner.name if owner is not None else ""  # read before the plan's objects are built (no autoflush)
    db.session.add(plan)
    actions: dict[tuple[Strand, str], Action] = {}
    objectives: dict[str, Objective] = {}
    position = 0
    for index, text in enumerate(OBJECTIVES):
        objective = Objective(
            plan=plan, strand=text.strand, ref=text.ref, title=text.title, outcomes=list(text.outcomes), position=index
        )
        objectives[text.ref] = objective
        for action_text in text.actions:
            action = Action(
                plan=plan,
                strand=text.strand,
                objective=objective,
                ref=action_text.ref,
                position=position,
                what=action_text.what,
                how="Example data, shaped like a partnership's annual report",
                responsibility="Anti-Slavery Partnership (example)",
                rag=action_text.rag,
                status=action_text.status,
            )
            if owner is not None and (text.strand, action_text.ref) == (Strand.PROTECT, "1"):
                action.owners.append(owner)  # the demo owner enters the screening figures
                action.responsibility = f"{owner_name}, SHOP (example)"
            actions[(text.strand, action_text.ref)] = action
            position += 1
    db.session.add_all([*objectives.values(), *actions.values()])
    db.session.flush()
    audit.record("plan.create", user=None, record_type="plan", record_id=plan.id, detail=EXAMPLE)
    db.session.commit()
    for item in MEASURES:
        wanted = editing.MeasureText(
            name=item.name,
            unit=item.unit,
            frequency="yearly",
            objective_id=objectives[item.objective].id,
            action_ids=(actions[item.action].id,),
            dimension=item.dimension,
            categories=tuple(category for category, _ in item.figures),
            notes=" ".join(filter(None, [SOURCE + NO_MONTHS, item.notes])),
        )
        measure = editing.save_measure(plan, None, wanted)
        typed = {values.category_field(i): figure for i, (_, figure) in enumerate(item.figures)}
        if item.total is not None:
            typed[values.TOTAL_FIELD] = item.total
        values.record_values(measure, None, period=label, figures=typed, note=EXAMPLE, source="demo")
    return plan
