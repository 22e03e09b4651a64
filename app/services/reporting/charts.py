"""Charts drawn on the server as accessible SVG: no JavaScript, no inline styles, figures a table repeats.

Each chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`; every bar carries a
`<title>` naming its group, series and count, and its count is written beside it. Colours come from
classes in app.css (the Content-Security-Policy forbids style attributes). Callers show the same
figures in an HTML table, which is what screen-reader users read.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

from app.models import Rag

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 78  # room for the axis labels and the legend


@dataclass(frozen=True)
class Series:
    key: str
    label: str


RAG_SERIES = tuple(Series(rag.value, rag.label) for rag in Rag) + (Series("none", "Not set"),)


@dataclass(frozen=True)
class Group:
    """One cluster (grouped chart) or column (stacked chart): a label and a count per series key."""

    label: str
    counts: dict[str, int]


def grouped_bar_chart(chart_id: str, title: str, description: str, groups: list[Group], series=RAG_SERIES) -> Markup:
    """Side-by-side bars: one cluster per group, one bar per series."""
    top = _nice_max(max((g.counts.get(s.key, 0) for g in groups for s in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(groups), 1)
    bar_w = band * 0.8 / len(series)
    parts = _frame(chart_id, title, description, top)
    for gi, group in enumerate(groups):
        x0 = LEFT + gi * band + band * 0.1
        for si, s in enumerate(series):
            count = group.counts.get(s.key, 0)
            h = plot_h * count / top
            x, y = x0 + si * bar_w, TOP + plot_h - h
            parts.append(_bar(x, y, bar_w - 1, h, s, f"{group.label}, {s.label}: {count}"))
            if count:
                parts.append(_text(x + bar_w / 2, y - 3, count, "app-chart__value"))
        parts.append(_text(LEFT + gi * band + band / 2, TOP + plot_h + 16, group.label, "app-chart__label"))
    parts += _legend(series)
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar_chart(chart_id: str, title: str, description: str, groups: list[Group], series=RAG_SERIES) -> Markup:
    """One column per group, its series stacked from the bottom, the total on top.

    Every segment with a count is numbered: inside it when it is tall enough to hold the number, otherwise
    beside the column, the side labels spread apart so that no two overlap.
    """
    top = _nice_max(max((sum(g.counts.values()) for g in groups), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(groups), 1)
    bar_w = min(band * 0.6, 80)
    parts = _frame(chart_id, title, description, top)
    for gi, group in enumerate(groups):
        x = LEFT + gi * band + (band - bar_w) / 2
        base: float = TOP + plot_h
        beside: list[tuple[float, int]] = []  # (middle of the segment, count) of segments too small to hold it
        for s in series:
            count = group.counts.get(s.key, 0)
            h = plot_h * count / top
            base -= h
            parts.append(_bar(x, base, bar_w, h, s, f"{group.label}, {s.label}: {count}"))
            if count and h >= INSIDE_LABEL_HEIGHT:
                parts.append(_text(x + bar_w / 2, base + h / 2 + 4, count, "app-chart__value app-chart__value--inside"))
            elif count:
                beside.append((base + h / 2, count))
        for y, count in _spread(beside, TOP + plot_h):
            parts.append(_text(x + bar_w + 3, y + 4, count, "app-chart__value", anchor="start"))
        parts.append(_text(x + bar_w / 2, base - 3, sum(group.counts.values()), "app-chart__value"))
        parts.append(_text(x + bar_w / 2, TOP + plot_h + 16, group.label, "app-chart__label"))
    parts += _legend(series)
    parts.append("</svg>")
    return Markup("".join(parts))


INSIDE_LABEL_HEIGHT = 14  # a segment this tall holds its number; a smaller one is numbered beside the column
LABEL_SPACING = 12


def _spread(labels: list[tuple[float, int]], bottom: float) -> list[tuple[float, int]]:
    """Side labels moved apart (upwards from the lowest) so each sits at least LABEL_SPACING from the next."""
    placed: list[tuple[float, int]] = []
    for y, count in sorted(labels, reverse=True):  # lowest segment first (largest y)
        y = min(y, bottom - 2, placed[-1][0] - LABEL_SPACING) if placed else min(y, bottom - 2)
        placed.append((y, count))
    return placed


def _nice_max(value: int) -> int:
    """The axis top: the smallest of 1, 2, 5, 10, 20, 50, 100… that is not below the value."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if multiple * magnitude >= value:
                return multiple * magnitude
        magnitude *= 10


def _frame(chart_id: str, title: str, description: str, top: int) -> list[str]:
    cid = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]
    plot_h = HEIGHT - TOP - BOTTOM
    ticks = top if top < 5 else 5  # the tops _nice_max gives divide into whole steps
    for i in range(ticks + 1):
        value = top * i // ticks
        y = TOP + plot_h - plot_h * value / top
        parts.append(f'<line class="app-chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(_text(LEFT - 6, y + 4, value, "app-chart__axis", anchor="end"))
    return parts


def _bar(x: float, y: float, w: float, h: float, series: Series, label: str) -> str:
    return (
        f'<rect class="app-chart__bar app-chart__bar--{escape(series.key)}" x="{x:.1f}" y="{y:.1f}" '
        f'width="{max(w, 0):.1f}" height="{h:.1f}"><title>{escape(label)}</title></rect>'
    )


def _text(x: float, y: float, content, css_class: str, anchor: str = "middle") -> str:
    return f'<text class="{css_class}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(content)}</text>'


def _legend(series) -> list[str]:
    parts, x, y = [], LEFT, HEIGHT - 22
    for s in series:
        key_class = f"app-chart__key app-chart__bar--{escape(s.key)}"
        parts.append(f'<rect class="{key_class}" x="{x}" y="{y}" width="12" height="12"/>')
        parts.append(_text(x + 16, y + 10, s.label, "app-chart__legend", anchor="start"))
        x += 24 + 8 * len(s.label)
    return parts
