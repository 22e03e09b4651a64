"""The Summary sheet: RAG counts by strand with a stacked bar chart, overdue and stale actions, and the same
figures for each recorded review side by side (quarter on quarter), as a panel or board pack needs them.

Headings over figures are short, centred and never wrapped, and each count is coloured by its RAG, so the
sheet reads the same printed in black and white or on screen."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.models import PlanKind, Rag, Strand
from app.services.exporting.content import ExportAction, PlanContent, Redactor, UpdateFact, UpdateRow
from app.services.exporting.sheets import SheetFrame, groups_of, title_rows
from app.services.exporting.styles import NOT_SET_COLOUR, RAG_COLOURS, CellWriter, rag_style, rag_word

RAG_COLUMNS = [*Rag, None]  # None: no RAG set yet


@dataclass
class Figures:
    """The numbers of one moment: now, or a past review."""

    rag: Counter
    overdue: int
    stale: int


def is_overdue(action: ExportAction, rag: Rag | None, on: date) -> bool:
    """Past its target date and not Blue (complete)."""
    return action.target_date is not None and action.target_date < on and rag is not Rag.BLUE


def is_stale(rag: Rag | None, updates: Sequence[UpdateRow | UpdateFact], on: date, interval_days: int) -> bool:
    """Not complete, and no dated update in the plan's update interval up to `on`."""
    if rag is Rag.BLUE:
        return False
    since = on - timedelta(days=interval_days)
    return not any(u.as_at is not None and since <= u.as_at <= on for u in updates)


def figures_now(content: PlanContent, on: date) -> Figures:
    """Today's figures, from each action's current RAG."""
    interval = content.plan.update_interval_days
    actions = content.actions
    return Figures(
        rag=Counter(action.rag for action in actions),
        overdue=sum(is_overdue(action, action.rag, on) for action in actions),
        stale=sum(is_stale(action.rag, content.facts_of(action), on, interval) for action in actions),
    )


def figures_at_reviews(content: PlanContent) -> list[tuple[date, Figures]]:
    """Each review's snapshot: the RAG recorded then, judged against that day."""
    by_id = {action.id: action for action in content.actions}
    interval = content.plan.update_interval_days
    result = []
    for review in content.reviews:
        snapshots = [s for s in content.snapshots.get(review.id, []) if s.action_id in by_id]
        on = review.held_on
        result.append(
            (
                on,
                Figures(
                    rag=Counter(s.rag for s in snapshots),
                    overdue=sum(is_overdue(by_id[s.action_id], s.rag, on) for s in snapshots),
                    stale=sum(is_stale(s.rag, content.facts_of(by_id[s.action_id]), on, interval) for s in snapshots),
                ),
            )
        )
    return result


def rag_by_group(content: PlanContent, redactor: Redactor) -> list[tuple[str, Counter]]:
    """RAG counts per strand (all four, always) or, for a PCC plan, per aim."""
    if content.plan.kind is PlanKind.PCC:
        return [
            (redactor.text(g.objective.ref if g.objective else "Other"), Counter(a.rag for a in g.actions))
            for g in groups_of(content)
        ]
    counts: dict[Strand, Counter[Rag | None]] = {strand: Counter() for strand in Strand}
    loose: Counter[Rag | None] = Counter()
    for action in content.actions:
        (counts[action.strand] if action.strand else loose)[action.rag] += 1
    rows = [(strand.value, counter) for strand, counter in counts.items()]
    return rows + [("No strand", loose)] if loose else rows


def write_summary_sheet(
    workbook: Workbook,
    ws: Worksheet,
    writer: CellWriter,
    content: PlanContent,
    redactor: Redactor,
    titles: list[tuple[str, str]],
    on: date,
) -> SheetFrame:
    header = title_rows(ws, writer, titles)
    group_heading = "Aim" if content.plan.kind is PlanKind.PCC else "Strand"
    headings = [group_heading, *[rag_word(rag) for rag in RAG_COLUMNS], "Total"]
    for col, heading in enumerate(headings):
        writer.text(ws, header, col, heading, "Plan header" if col == 0 else "Figure header")
    groups = rag_by_group(content, redactor)
    row = header
    total: Counter[Rag | None] = Counter()
    for label, counter in groups:
        row += 1
        writer.text(ws, row, 0, label, "Plan group")
        _count_cells(ws, writer, row, counter)
        total.update(counter)
    row += 1
    writer.text(ws, row, 0, "Total", "Plan group")
    _count_cells(ws, writer, row, total)
    if groups:  # a PCC plan with no deliverables yet has nothing to chart
        _add_chart(workbook, ws, header, row - 1, group_heading, max(sum(c.values()) for _, c in groups))

    now = figures_now(content, on)
    interval = content.plan.update_interval_days
    writer.text(ws, row + 2, 0, f"Overdue and stale actions as at {on:%d/%m/%Y}", "Plan subtitle")
    writer.text(ws, row + 3, 0, "Overdue: target date passed, not Blue")
    writer.number(ws, row + 3, 1, now.overdue, "Figure")
    writer.text(ws, row + 4, 0, f"Stale: no update in {interval} days, not Blue")
    writer.number(ws, row + 4, 1, now.stale, "Figure")
    last = row + 4
    reviews = figures_at_reviews(content)
    if reviews:
        last = _write_reviews(ws, writer, reviews, now, on, last)
    ws.set_column(0, 0, 40)
    ws.set_column(1, max(len(headings), len(reviews) + 2), 17)  # "Review 30/06/2025" on one line
    return SheetFrame(header_row=header, last_row=last, columns=len(RAG_COLUMNS) + 2)


def _count(ws: Worksheet, writer: CellWriter, row: int, col: int, rag: Rag | None, value: int) -> None:
    """A count in its RAG's colour; a zero plain, so the eye goes to what is there."""
    writer.number(ws, row, col, value, rag_style(rag) if value else "Figure zero")


def _count_cells(ws: Worksheet, writer: CellWriter, row: int, counter: Counter) -> None:
    for col, rag in enumerate(RAG_COLUMNS, start=1):
        _count(ws, writer, row, col, rag, counter.get(rag, 0))
    writer.number(ws, row, len(RAG_COLUMNS) + 1, sum(counter.get(rag, 0) for rag in RAG_COLUMNS), "Figure")


def _write_reviews(ws, writer: CellWriter, reviews, now: Figures, on: date, last: int) -> int:
    """Quarter on quarter: one column per review, oldest first, then today."""
    row = last + 2
    writer.text(ws, row, 0, "At each review", "Plan subtitle")
    moments = [*reviews, (on, now)]
    headings = [f"Review {held:%d/%m/%Y}" for held, _ in reviews] + [f"As at {on:%d/%m/%Y}"]
    row += 1
    writer.text(ws, row, 0, "Actions", "Plan header")
    for col, heading in enumerate(headings, start=1):
        writer.text(ws, row, col, heading, "Figure header")
    for rag in RAG_COLUMNS:
        row += 1
        writer.text(ws, row, 0, rag_word(rag), "Plan group")
        for col, (_, figures) in enumerate(moments, start=1):
            _count(ws, writer, row, col, rag, figures.rag.get(rag, 0))
    for label, value in (("Overdue", lambda f: f.overdue), ("Stale", lambda f: f.stale)):
        row += 1
        writer.text(ws, row, 0, label, "Plan group")
        for col, (_, figures) in enumerate(moments, start=1):
            writer.number(ws, row, col, value(figures), "Figure" if value(figures) else "Figure zero")
    return row


def _add_chart(workbook: Workbook, ws: Worksheet, header: int, last_group_row: int, heading: str, tallest: int):
    chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
    name = ws.get_name()
    for col, rag in enumerate(RAG_COLUMNS, start=1):
        colour = "#" + (RAG_COLOURS[rag] if rag else NOT_SET_COLOUR)[2:]
        chart.add_series(
            {
                "name": [name, header, col],
                "categories": [name, header + 1, 0, last_group_row, 0],
                "values": [name, header + 1, col, last_group_row, col],
                "fill": {"color": colour},
                "border": {"color": colour},
                "overlap": 100,
                "gap": 60,
            }
        )
    chart.set_title({"name": f"RAG by {heading.lower()}", "name_font": {"name": "Arial", "size": 12}})
    axis_font = {"name": "Arial", "size": 9}
    y_axis: dict[str, object] = {"name": "Actions", "major_gridlines": {"visible": False}, "num_font": axis_font}
    y_axis["name_font"] = axis_font
    if tallest <= 10:
        y_axis["major_unit"] = 1  # whole actions, not 0.5 steps
    chart.set_y_axis(y_axis)
    chart.set_x_axis({"num_font": axis_font})
    chart.set_legend({"font": axis_font, "position": "bottom"})
    chart.set_size({"width": 600, "height": 340})
    ws.insert_chart(header, len(RAG_COLUMNS) + 3, chart)
