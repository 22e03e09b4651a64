"""Leads and administrators define a plan's measures: name, unit, frequency, links, target and breakdown.

Every change is audited (`measure.add`, `measure.edit`) with the values before and after; the service commits.
"""

from dataclasses import dataclass, field

from app.extensions import db
from app.models import Action, Direction, Frequency, Measure, Objective, Plan, Strand, User
from app.services.access import can_edit_plan
from app.services.audit import trail as audit
from app.services.errors import NotAllowed, ServiceError
from app.services.plain_text import checked_text, has_control_characters

MAX_CATEGORIES = 50


class MeasureError(ServiceError):
    """A measure that cannot be saved, worded for the person; `field` names the form field at fault."""


@dataclass(frozen=True)
class MeasureText:
    """What the form sent, as typed: numbers are still text, so a refusal names the field and keeps the text."""

    name: str
    unit: str
    frequency: str
    strand: str = ""
    objective_id: int | None = None
    action_ids: tuple[int, ...] = ()
    direction: str = ""
    target: str = ""
    target_low: str = ""
    target_high: str = ""
    amber_margin_percent: str = "10"
    dimension: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)
    notes: str = ""


def read_number(text: str | float | int | None, field_name: str, label: str) -> float | None:
    """A figure as people type it ("1,000", "35%", " 12.5 "), or None when empty; anything else is refused."""
    if text is None or isinstance(text, int | float):
        return None if text is None else float(text)
    cleaned = text.strip().replace(",", "").removesuffix("%").strip()
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise MeasureError(f"Enter the {label} as a number, like 1,000 or 35", field_name) from None
    if value != value or value in (float("inf"), float("-inf")) or abs(value) >= 1e12:
        raise MeasureError(f"Enter the {label} as a number, like 1,000 or 35", field_name)
    return value


def _text(value: str, field_name: str, label: str, limit: int, *, required: bool = False) -> str:
    return checked_text(value, field_name, label, limit, required=required, error=MeasureError)


def _checked(plan: Plan, wanted: MeasureText) -> dict:
    name = _text(wanted.name, "name", "measure's name", 200, required=True)
    unit = _text(wanted.unit, "unit", "unit", 60, required=True)
    try:
        frequency = Frequency(wanted.frequency)
    except ValueError:
        raise MeasureError("Select how often the measure is recorded", "frequency") from None
    strand = None
    if wanted.strand:
        try:
            strand = Strand(wanted.strand)
        except ValueError:
            raise MeasureError("Select a strand from the list", "strand") from None
    objective = None
    if wanted.objective_id:
        objective = db.session.get(Objective, wanted.objective_id)
        if objective is None or objective.plan_id != plan.id:
            raise MeasureError("Select an objective of this plan", "objective_id")
    actions = []
    for action_id in dict.fromkeys(wanted.action_ids):
        action = db.session.get(Action, action_id)
        if action is None or action.plan_id != plan.id:
            raise MeasureError("Select actions of this plan", "action_ids")
        actions.append(action)
    direction = None
    if wanted.direction:
        try:
            direction = Direction(wanted.direction)
        except ValueError:
            raise MeasureError("Select what good looks like from the list", "direction") from None
    target = read_number(wanted.target, "target", "target")
    low = read_number(wanted.target_low, "target_low", "lowest value of the range")
    high = read_number(wanted.target_high, "target_high", "highest value of the range")
    if direction in (Direction.MORE, Direction.LESS):
        if target is None:
            raise MeasureError("Enter the target, or choose no target", "target")
        low = high = None
    elif direction is Direction.RANGE:
        if low is None:
            raise MeasureError("Enter the lowest value of the range", "target_low")
        if high is None:
            raise MeasureError("Enter the highest value of the range", "target_high")
        if low > high:
            raise MeasureError("The lowest value must not be more than the highest", "target_low")
        target = None
    else:
        if target is not None or low is not None or high is not None:
            raise MeasureError("Select what good looks like for this target", "direction")
    margin = read_number(wanted.amber_margin_percent, "amber_margin_percent", "Amber margin")
    if margin is None:
        margin = 10.0
    if not margin.is_integer() or not 0 <= margin <= 100:
        raise MeasureError("Enter the Amber margin as a whole number of per cent from 0 to 100", "amber_margin_percent")
    dimension = _text(wanted.dimension, "dimension", "breakdown's name", 100)
    categories = [_text(c, "categories", "category", 200) for c in wanted.categories]
    categories = list(dict.fromkeys(c for c in categories if c))
    if categories and not dimension:
        raise MeasureError("Enter what the categories break the measure down by, like Location type", "dimension")
    if dimension and not categories:
        raise MeasureError("Enter the categories, one a line", "categories")
    if len(categories) > MAX_CATEGORIES:
        raise MeasureError(f"A measure can have {MAX_CATEGORIES} categories or fewer", "categories")
    notes = (wanted.notes or "").strip()
    if len(notes) > 2_000:
        raise MeasureError("The notes must be 2,000 characters or fewer", "notes")
    if has_control_characters(notes):
        raise MeasureError("The notes contain characters that cannot be saved: retype them", "notes")
    return {
        "name": name,
        "unit": unit,
        "frequency": frequency,
        "strand": strand,
        "objective": objective,
        "actions": actions,
        "direction": direction,
        "target": target,
        "target_low": low,
        "target_high": high,
        "amber_margin_percent": int(margin),
        "dimension": dimension or None,
        "categories": categories,
        "notes": notes,
    }


def snapshot(measure: Measure) -> dict:
    """The measure as the audit log records it."""
    return {
        "name": measure.name,
        "unit": measure.unit,
        "frequency": measure.frequency.value if measure.frequency else None,
        "strand": measure.strand.value if measure.strand else None,
        "objective_id": measure.objective_id,
        "action_ids": [a.id for a in measure.actions],
        "direction": measure.direction.value if measure.direction else None,
        "target": measure.target,
        "target_low": measure.target_low,
        "target_high": measure.target_high,
        "amber_margin_percent": measure.amber_margin_percent,
        "dimension": measure.dimension,
        "categories": list(measure.categories or []),
        "notes": measure.notes,
    }


def save_measure(plan: Plan, user: User | None, wanted: MeasureText, measure: Measure | None = None) -> Measure:
    """Add a measure to the plan, or change one of its measures. `user` None is the command line (the demo)."""
    if user is not None and not can_edit_plan(user, plan):
        raise NotAllowed("Only the plan's lead or an administrator can define its measures")
    if measure is not None and measure.plan_id != plan.id:
        raise NotAllowed("That measure belongs to another plan")
    values = _checked(plan, wanted)
    old = snapshot(measure) if measure is not None else None
    if measure is None:
        position = db.session.scalar(db.select(db.func.count(Measure.id)).where(Measure.plan_id == plan.id)) or 0
        measure = Measure(plan=plan, position=position)
        db.session.add(measure)
    elif values["categories"] != list(measure.categories or []):
        held = {c for c in measure.categories or []} - set(values["categories"])
        recorded = {v.category for v in measure.values}
        if held & recorded:
            kept = ", ".join(sorted(held & recorded))
            raise MeasureError(f"Values are recorded for {kept}: keep those categories", "categories")
    for name, value in values.items():
        setattr(measure, name, value)
    db.session.flush()
    audit.record(
        "measure.edit" if old else "measure.add",
        user=user,
        record_type="measure",
        record_id=measure.id,
        old=old,
        new=snapshot(measure),
        detail=f"{plan.full_title}: {measure.name}",
    )
    db.session.commit()
    return measure
