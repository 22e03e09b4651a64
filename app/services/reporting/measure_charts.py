"""Charts of a measure, in the dashboard's accessible SVG (app.services.reporting.charts): a line or columns over
the periods with the target, bars by category, and this year against last year.

Every point and bar carries a `<title>` naming its period or category and figure, the figure is written beside
it, and the target is drawn as a dashed line (a shaded band for a range) named in the chart's description.
The pages show the same figures in a table beside each chart.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

from app.services.measures.thresholds import number
from app.services.reporting.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Series, _bar, _frame, _text

FIGURE = Series("figure", "Figure")


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: no figure for the period


@dataclass(frozen=True)
class Bars:
    """One cluster of bars: its label and a figure per series key (a series it has no figure for is left out)."""

    label: str
    figures: dict[str, float]


@dataclass(frozen=True)
class Target:
    value: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def top(self) -> float:
        return max(v for v in (self.value, self.low, self.high, 0) if v is not None)

    def wording(self, unit: str) -> str:
        if self.value is not None:
            return f"target {number(self.value)} {unit}"
        return f"target range {number(self.low)} to {number(self.high)} {unit}"


def _axis_top(values: list[float]) -> int:
    """The axis top: 1, 2, 5, 10, 20, 50… at or above the largest figure."""
    largest = max([v for v in values if v is not None] + [0])
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if multiple * magnitude >= largest:
                return multiple * magnitude
        magnitude *= 10


def _y(value: float, top: int) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * value / top


def _target_marks(target: Target | None, top: int, unit: str) -> list[str]:
    if target is None:
        return []
    if target.value is not None:
        y = _y(target.value, top)
        return [
            f'<line class="app-chart__target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}">'
            f"<title>{escape(target.wording(unit).capitalize())}</title></line>"
        ]
    y_high, y_low = _y(target.high or 0, top), _y(target.low or 0, top)
    return [
        f'<rect class="app-chart__band" x="{LEFT}" y="{y_high:.1f}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{max(y_low - y_high, 1):.1f}"><title>{escape(target.wording(unit).capitalize())}</title></rect>'
    ]


def _legend(items: list[tuple[str, str]]) -> list[str]:
    parts, x, y = [], LEFT, HEIGHT - 22
    for css_class, text in items:
        parts.append(f'<rect class="app-chart__key {css_class}" x="{x}" y="{y}" width="12" height="12"/>')
        parts.append(_text(x + 16, y + 10, text, "app-chart__legend", anchor="start"))
        x += 24 + 8 * len(text)
    return parts


def over_periods(
    chart_id: str, title: str, unit: str, points: list[Point], target: Target | None, *, line: bool
) -> Markup:
    """The figure of each period, as a line (monthly and quarterly measures with three periods or more) or as
    columns, with the target drawn across. A period without a figure is a gap, never a zero."""
    shown = [p for p in points if p.value is not None]
    top = _axis_top([p.value for p in shown if p.value is not None] + ([target.top] if target else []))
    described = ", ".join(f"{p.label}: {number(p.value) if p.value is not None else 'no figure'}" for p in points)
    if target:
        described += f"; {target.wording(unit)}"
    parts = _frame(chart_id, title, f"{unit} by period. {described}", top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(points), 1)
    parts += _target_marks(target, top, unit)
    label_every = max(1, round(len(points) / 12))
    segment: list[str] = []
    for i, point in enumerate(points):
        middle = LEFT + i * band + band / 2
        if i % label_every == 0:
            parts.append(_text(middle, TOP + plot_h + 16, point.label, "app-chart__label"))
        if point.value is None:
            if len(segment) > 1:
                parts.append(f'<polyline class="app-chart__line" points="{" ".join(segment)}"/>')
            segment = []
            continue
        y = _y(point.value, top)
        wording = f"{point.label}: {number(point.value)} {unit}"
        if line:
            segment.append(f"{middle:.1f},{y:.1f}")
            parts.append(
                f'<circle class="app-chart__point" cx="{middle:.1f}" cy="{y:.1f}" r="4">'
                f"<title>{escape(wording)}</title></circle>"
            )
        else:
            bar_w = min(band * 0.6, 80)
            parts.append(_bar(middle - bar_w / 2, y, bar_w, TOP + plot_h - y, FIGURE, wording))
        parts.append(_text(middle, y - 7, number(point.value), "app-chart__value"))
    if line and len(segment) > 1:
        parts.append(f'<polyline class="app-chart__line" points="{" ".join(segment)}"/>')
    legend = [("app-chart__bar--figure", unit.capitalize() if unit else "Figure")]
    if target:
        legend.append(("app-chart__key--target", "Target (dashed)" if target.value is not None else "Target range"))
    parts += _legend(legend)
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_bars(chart_id: str, title: str, description: str, groups: list[Bars], series: list[Series]) -> Markup:
    """Side-by-side bars of figures that may have decimals (percentages): a cluster per group, a bar per series."""
    values = [float(g.figures.get(s.key, 0)) for g in groups for s in series]
    top = _axis_top(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(groups), 1)
    bar_w = band * 0.8 / max(len(series), 1)
    parts = _frame(chart_id, title, description, top)
    for gi, group in enumerate(groups):
        x0 = LEFT + gi * band + band * 0.1
        for si, s in enumerate(series):
            if s.key not in group.figures:
                continue
            value = float(group.figures[s.key])
            y = _y(value, top)
            x = x0 + si * bar_w
            parts.append(_bar(x, y, bar_w - 1, TOP + plot_h - y, s, f"{group.label}, {s.label}: {number(value)}"))
            parts.append(_text(x + bar_w / 2, y - 3, number(value), "app-chart__value"))
        parts.append(_text(LEFT + gi * band + band / 2, TOP + plot_h + 16, group.label, "app-chart__label"))
    parts += _legend([(f"app-chart__bar--{escape(s.key)}", s.label) for s in series])
    parts.append("</svg>")
    return Markup("".join(parts))
