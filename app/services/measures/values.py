"""Values of a measure, period by period: entered in a form by its owners and the plan's lead, or imported.

A value is never changed: a correction is a new row for the same period and category, the latest row wins and
every earlier one stays in the history with who entered it and when. Each entry is audited
(`measure.values`), with the figures before and after.
"""

from dataclasses import dataclass
from datetime import date

from app.extensions import db
from app.models import TOTAL, Measure, MeasureValue, User
from app.services import clock
from app.services.access import can_enter_measure_values
from app.services.audit import trail as audit
from app.services.errors import NotAllowed
from app.services.measures import periods
from app.services.measures.editing import MeasureError, read_number
from app.services.measures.thresholds import number
from app.services.plain_text import has_control_characters

TOTAL_FIELD = "total"


def category_field(index: int) -> str:
    """The form field of the measure's index-th category."""
    return f"category_{index}"


def latest(measure: Measure, keep=None) -> dict[tuple[date, str], MeasureValue]:
    """The figure that stands for each (period, category): the latest row entered for it (of those `keep` keeps)."""
    found: dict[tuple[date, str], MeasureValue] = {}
    for value in sorted(measure.values, key=lambda v: v.id or 0):
        if keep is not None and not keep(value):
            continue
        found[(value.period_start, value.category)] = value
    return found


def history(measure: Measure) -> list[MeasureValue]:
    """Every value ever entered, newest first: corrections and what they corrected."""
    return sorted(measure.values, key=lambda v: v.id or 0, reverse=True)


@dataclass(frozen=True)
class Figure:
    """A period's figure: the total entered for it, or (when none was) the sum of its categories, said so."""

    value: float
    summed: bool


def figure(measure: Measure, held: dict[tuple[date, str], MeasureValue], start: date) -> Figure | None:
    total = held.get((start, TOTAL))
    if total is not None:
        return Figure(total.value, False)
    parts = [held[(start, c)].value for c in measure.categories or [] if (start, c) in held]
    return Figure(sum(parts), True) if parts else None


def periods_held(measure: Measure, held: dict[tuple[date, str], MeasureValue] | None = None) -> list[date]:
    held = latest(measure) if held is None else held
    return sorted({start for start, _ in held})


def record_values(
    measure: Measure,
    user: User | None,
    *,
    period: str | date,
    figures: dict[str, str],
    note: str = "",
    source: str = "form",
    today: date | None = None,
    commit: bool = True,
) -> list[MeasureValue]:
    """Record the figures typed for one period: `figures` maps TOTAL_FIELD and each category's field
    (category_field(i)) to the text typed; empty text records nothing. A figure that differs from the one
    held is a correction and is added; one equal to it is left alone. Returns the rows added."""
    if user is not None and not can_enter_measure_values(user, measure):
        raise NotAllowed("Only the owners of the measure's actions and the plan's lead can enter its values")
    text = period if isinstance(period, date) else (period or "").strip()
    if not text:
        raise MeasureError(f"Enter the period, like {periods.example(measure.frequency)}", "period")
    start = periods.parse(measure.frequency, text)
    if start is None:
        raise MeasureError(
            f"Enter the period as a {measure.frequency.value} period, like {periods.example(measure.frequency)}",
            "period",
        )
    if start > (today or clock.today()):
        raise MeasureError("The period has not started yet: enter figures for a period that has", "period")
    note = (note or "").strip()
    if len(note) > 2_000:
        raise MeasureError("The note must be 2,000 characters or fewer", "note")
    if has_control_characters(note):
        raise MeasureError("The note contains characters that cannot be saved: retype it", "note")
    wanted: list[tuple[str, float]] = []
    fields = [(TOTAL_FIELD, TOTAL, "total")] + [
        (category_field(i), c, f"figure for {c}") for i, c in enumerate(measure.categories or [])
    ]
    for field_name, category, label in fields:
        value = read_number(figures.get(field_name), field_name, label)
        if value is not None:
            wanted.append((category, value))
    if not wanted:
        raise MeasureError("Enter at least one figure", TOTAL_FIELD)
    held = latest(measure)
    added, old, new = [], {}, {}
    for category, value in wanted:
        before = held.get((start, category))
        if before is not None and before.value == value:
            continue
        row = MeasureValue(
            measure=measure,
            period_start=start,
            category=category,
            value=value,
            note=note,
            source=source,
            entered_by_id=user.id if user else None,
            entered_by_name=user.name if user else "",
        )
        db.session.add(row)
        added.append(row)
        name = category or "Total"
        old[name] = before.value if before is not None else None
        new[name] = value
    if not added:
        raise MeasureError("These are the figures already recorded for that period: nothing to change", TOTAL_FIELD)
    db.session.flush()
    label = periods.label(measure.frequency, start)
    audit.record(
        "measure.values",
        user=user,
        record_type="measure",
        record_id=measure.id,
        old={"period": label, **{k: v for k, v in old.items() if v is not None}}
        if any(v is not None for v in old.values())
        else None,
        new={"period": label, **new},
        detail=f"{measure.name}, {label}: " + ", ".join(f"{k} {number(v)}" for k, v in new.items()),
    )
    if commit:
        db.session.commit()
    return added
