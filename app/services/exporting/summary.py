"""The Summary sheet: RAG counts by strand with a stacked bar chart, overdue and stale actions, and the same
figures for each recorded review side by side (quarter on quarter), as a panel or board pack needs them."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from app.models import Action, PlanKind, Rag, Strand
from app.services.exporting.content import PlanContent, Redactor, UpdateRow
from app.services.exporting.sheets import SheetFrame, groups_of, title_rows
from app.services.exporting.styles import RAG_COLOURS, RAG_WORDS, CellMaker

RAG_COLUMNS = [*Rag, None]  # None: no RAG set yet
NOT_SET = "Not set"
NOT_SET_COLOUR = "BFBFBF"


@dataclass
class Figures:
    """The numbers of one moment: now, or a past review."""

    rag: Counter
    overdue: int
    stale: int


def is_overdue(action: Action, rag: Rag | None, on: date) -> bool:
    """Past its target date and not Blue (complete)."""
    return action.target_date is not None and action.target_date < on and rag is not Rag.BLUE


def is_stale(rag: Rag | None, updates: list[UpdateRow], on: date, interval_days: int) -> bool:
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
        stale=sum(is_stale(action.rag, content.updates_of(action), on, interval) for action in actions),
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
                    stale=sum(is_stale(s.rag, content.updates_of(by_id[s.action_id]), on, interval) for s in snapshots),
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
    counts = {strand: Counter() for strand in Strand}
    loose = Counter()
    for action in content.actions:
        (counts[action.strand] if action.strand else loose)[action.rag] += 1
    rows = [(strand.value, counter) for strand, counter in counts.items()]
    return rows + [("No strand", loose)] if loose else rows


def write_summary_sheet(
    ws: Worksheet,
    maker: CellMaker,
    content: PlanContent,
    redactor: Redactor,
    titles: list[tuple[str, str]],
    on: date,
) -> SheetFrame:
    header = title_rows(ws, maker, titles)
    group_heading = "Aim" if content.plan.kind is PlanKind.PCC else "Strand"
    rag_headings = [RAG_WORDS[rag] if rag else NOT_SET for rag in RAG_COLUMNS]
    ws.append([maker.text(ws, h, "Plan header") for h in [group_heading, *rag_headings, "Total"]])
    groups = rag_by_group(content, redactor)
    for label, counter in groups:
        ws.append([maker.text(ws, label, "Plan group")] + _count_cells(ws, maker, counter))
    total = Counter()
    for _, counter in groups:
        total.update(counter)
    ws.append([maker.text(ws, "Total", "Plan group")] + _count_cells(ws, maker, total))
    table_last = header + len(groups) + 1
    if groups:  # a PCC plan with no deliverables yet has nothing to chart
        _add_chart(ws, header, table_last - 1, group_heading, max(sum(c.values()) for _, c in groups))

    now = figures_now(content, on)
    interval = content.plan.update_interval_days
    ws.append([])
    ws.append([maker.text(ws, f"Overdue and stale actions as at {on:%d/%m/%Y}", "Plan subtitle")])
    ws.append([maker.text(ws, "Overdue: target date passed, not Blue"), maker.number(ws, now.overdue)])
    ws.append([maker.text(ws, f"Stale: no update in {interval} days, not Blue"), maker.number(ws, now.stale)])
    last = table_last + 4
    reviews = figures_at_reviews(content)
    if reviews:
        last = _write_reviews(ws, maker, reviews, now, on, last)
    ws.column_dimensions["A"].width = 40
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 11
    return SheetFrame(header_row=header, last_row=last, columns=len(RAG_COLUMNS) + 2)


def _count_cells(ws: Worksheet, maker: CellMaker, counter: Counter) -> list:
    counts = [counter.get(rag, 0) for rag in RAG_COLUMNS]
    return [maker.number(ws, n) for n in counts] + [maker.number(ws, sum(counts))]


def _write_reviews(ws, maker: CellMaker, reviews, now: Figures, on: date, last: int) -> int:
    """Quarter on quarter: one column per review, oldest first, then today."""
    ws.append([])
    ws.append([maker.text(ws, "At each review", "Plan subtitle")])
    moments = [*reviews, (on, now)]
    headings = [f"Review {held:%d/%m/%Y}" for held, _ in reviews] + [f"As at {on:%d/%m/%Y}"]
    ws.append([maker.text(ws, "Actions", "Plan header")] + [maker.text(ws, h, "Plan header") for h in headings])
    rows = [(RAG_WORDS[rag] if rag else NOT_SET, lambda f, rag=rag: f.rag.get(rag, 0)) for rag in RAG_COLUMNS]
    rows += [("Overdue", lambda f: f.overdue), ("Stale", lambda f: f.stale)]
    for label, value in rows:
        ws.append([maker.text(ws, label, "Plan group")] + [maker.number(ws, value(f)) for _, f in moments])
    return last + 3 + len(rows)


def _add_chart(ws: Worksheet, header: int, last_group_row: int, group_heading: str, tallest: int) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = f"RAG by {group_heading.lower()}"
    chart.y_axis.title = "Actions"
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = False  # openpyxl leaves this unset, and recent Excel then hides the axes
    chart.y_axis.delete = False
    chart.height, chart.width = 9, 16
    if tallest <= 10:
        chart.y_axis.majorUnit = 1  # whole actions, not 0.5 steps
    data = Reference(ws, min_col=2, max_col=1 + len(RAG_COLUMNS), min_row=header, max_row=last_group_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last_group_row))
    for series, rag in zip(chart.series, RAG_COLUMNS, strict=True):
        colour = RAG_COLOURS[rag][2:] if rag else NOT_SET_COLOUR
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    ws.add_chart(chart, f"I{header}")
