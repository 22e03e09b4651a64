"""The thresholds RAG: what a measure's latest figure suggests against its target.

It is a suggestion shown beside the RAG the owners propose and the lead confirms, never written into an action.
With more is better, the target met is Green, within the measure's margin below it Amber (10% unless the measure
says otherwise), further below Red; less is better mirrors it; a range is Green inside it and Amber within the
margin of either end (a per cent of that end).
"""

from dataclasses import dataclass

from app.models import Direction, Measure, Rag


@dataclass(frozen=True)
class Suggestion:
    rag: Rag
    reason: str  # e.g. "129 against a target of 150 (at least): within 20%"


def suggest(measure: Measure, value: float | None) -> Suggestion | None:
    """The RAG the figure suggests, or None when the measure has no target or there is no figure."""
    if value is None or not measure.has_target or measure.direction is None:
        return None
    margin = max(measure.amber_margin_percent, 0) / 100
    shown = number(value)
    if measure.direction is Direction.RANGE:
        low, high = float(measure.target_low or 0), float(measure.target_high or 0)
        target = f"a range of {number(low)} to {number(high)}"
        if low <= value <= high:
            return Suggestion(Rag.GREEN, f"{shown} is within {target}")
        near = low - abs(low) * margin <= value <= high + abs(high) * margin
        return _outside(near, f"{shown} is outside {target}", measure)
    target_value = float(measure.target or 0)
    if measure.direction is Direction.MORE:
        met = value >= target_value
        near = value >= target_value - abs(target_value) * margin
        wording = f"{shown} against a target of at least {number(target_value)}"
    else:
        met = value <= target_value
        near = value <= target_value + abs(target_value) * margin
        wording = f"{shown} against a target of at most {number(target_value)}"
    if met:
        return Suggestion(Rag.GREEN, f"{wording}: met")
    return _outside(near, f"{wording}: not met", measure)


def _outside(near: bool, wording: str, measure: Measure) -> Suggestion:
    margin = f"{measure.amber_margin_percent}%"
    if near:
        return Suggestion(Rag.AMBER, f"{wording}, within {margin}")
    return Suggestion(Rag.RED, f"{wording}, by more than {margin}")


def number(value: float | None) -> str:
    """A figure as people write it: 1,000 and 35, not 1000.0; up to two decimals when it has them."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
