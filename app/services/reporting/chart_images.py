"""A measure's charts as PNG images, for documents that cannot hold the pages' SVG (the annual report in Word).

Drawn with matplotlib's Agg backend (no display needed), loaded only when an image is asked for. The same three
charts as the pages: the figure over the periods with its target, the latest breakdown, this year against last.
"""

import io

from app.services.measures.reading import MeasureView
from app.services.measures.thresholds import number

BLUE, GREY, BLACK, GREEN = "#1d70b8", "#b1b4b6", "#0b0c0c", "#00703c"
SIZE = (7.0, 3.2)  # inches: 15 cm wide in the document
DPI = 150


def _figure():
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=SIZE, dpi=DPI)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    return pyplot, figure, axes


def _png(pyplot, figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()


def period_chart(view: MeasureView) -> bytes:
    pyplot, figure, axes = _figure()
    labels = [row.short_label for row in view.rows]
    figures = [row.figure.value if row.figure else None for row in view.rows]
    positions = list(range(len(labels)))
    if view.as_line:
        axes.plot(
            positions, [v if v is not None else float("nan") for v in figures], color=BLUE, marker="o", linewidth=2
        )
    else:
        axes.bar(positions, [v or 0 for v in figures], color=BLUE, width=0.6)
    for x, value in zip(positions, figures, strict=True):
        if value is not None:
            axes.annotate(number(value), (x, value), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=8)
    target = view.target
    if target and target.value is not None:
        axes.axhline(target.value, color=BLACK, linestyle="--", linewidth=1.5, label=f"Target {number(target.value)}")
        axes.legend(fontsize=8, frameon=False)
    elif target:
        axes.axhspan(target.low or 0, target.high or 0, color=GREEN, alpha=0.15, label="Target range")
        axes.legend(fontsize=8, frameon=False)
    axes.set_xticks(positions, labels)
    axes.set_ylabel(view.unit, fontsize=8)
    axes.set_ylim(bottom=0)
    axes.set_title(f"{view.measure.name} by period", fontsize=10)
    return _png(pyplot, figure)


def category_chart(view: MeasureView) -> bytes:
    pyplot, figure, axes = _figure()
    shown = [row for row in view.categories if row.value is not None]
    positions = list(range(len(shown)))
    axes.barh(positions, [row.value or 0 for row in shown], color=BLUE, height=0.6)
    for y, row in zip(positions, shown, strict=True):
        axes.annotate(number(row.value), (row.value or 0, y), textcoords="offset points", xytext=(4, -3), fontsize=8)
    axes.set_yticks(positions, [row.category for row in shown])
    axes.invert_yaxis()
    axes.set_xlabel(view.unit, fontsize=8)
    dimension = (view.measure.dimension or "category").lower()
    axes.set_title(f"{view.measure.name} by {dimension}, {view.category_period_label}", fontsize=10)
    return _png(pyplot, figure)


def year_chart(view: MeasureView) -> bytes:
    pyplot, figure, axes = _figure()
    positions = list(range(len(view.years)))
    width = 0.38
    last = [row.last_year or 0 for row in view.years]
    this = [row.this_year or 0 for row in view.years]
    axes.bar([p - width / 2 for p in positions], last, width, color=GREY, label=view.last_year_label)
    axes.bar([p + width / 2 for p in positions], this, width, color=BLUE, label=view.this_year_label)
    axes.set_xticks(positions, [row.label[:3] if len(view.years) > 4 else row.label for row in view.years])
    axes.set_ylabel(view.unit, fontsize=8)
    axes.legend(fontsize=8, frameon=False)
    axes.set_title(f"{view.measure.name}: {view.this_year_label} against {view.last_year_label}", fontsize=10)
    return _png(pyplot, figure)
