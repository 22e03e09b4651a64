"""The Measures sheet: each measure's figures by period (the total, each category and the target), with a native
Excel chart beside its block, so the PCC office can re-use the chart or the figures as they are.

The sheet is written top to bottom once (the workbook is in constant-memory mode); a measure the audience may not
read (one of a restricted action) is left out and counted in a line under the titles.
"""

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.services.exporting.content import Redactor
from app.services.exporting.sheets import SheetFrame, title_rows
from app.services.exporting.styles import CellWriter
from app.services.measures.reading import MeasureView, PlanMeasures

SHEET_TITLE = "Measures"
CHART_ROWS = 18  # a chart is this many rows tall: a short block is padded so the next chart does not overlap


def write_measures_sheet(
    workbook: Workbook,
    ws: Worksheet,
    writer: CellWriter,
    measures: PlanMeasures,
    redactor: Redactor,
    titles: list[tuple[str, str]],
) -> SheetFrame:
    row = title_rows(ws, writer, titles)
    if measures.withheld:
        n = measures.withheld
        said = f"{n} restricted measure is" if n == 1 else f"{n} restricted measures are"
        writer.text(ws, row, 0, f"{said} withheld from this copy", "Plan subtitle")
        row += 2
    first_row, widest = row, 3
    for view in measures.shown:
        row, columns = _write_block(workbook, ws, writer, view, row)
        widest = max(widest, columns)
    ws.set_column(0, 0, 28)
    ws.set_column(1, widest, 14)
    return SheetFrame(header_row=first_row, last_row=max(row - 1, first_row), columns=widest)


def _write_block(workbook: Workbook, ws: Worksheet, writer: CellWriter, view: MeasureView, row: int) -> tuple[int, int]:
    measure = view.measure
    start = row
    writer.text(ws, row, 0, measure.name, "Plan subtitle")
    about = f"{measure.frequency.label}, in {measure.unit}. Target: {view.target_wording}."
    if view.suggestion:
        about += f" Suggested by the latest figure: {view.suggestion.rag.label} ({view.suggestion.reason})."
    writer.text(ws, row + 1, 0, about, "Plan text")
    row += 2
    categories = list(measure.categories or [])
    single_target = measure.target if measure.has_target else None
    headings = ["Period", "Total", *categories] + (["Target"] if single_target is not None else [])
    for col, heading in enumerate(headings):
        writer.text(ws, row, col, heading, "Plan header" if col == 0 else "Figure header")
    header = row
    for period in view.rows:
        row += 1
        writer.text(ws, row, 0, period.label, "Plan group")
        _figure(ws, writer, row, 1, period.figure.value if period.figure else None)
        for col, category in enumerate(categories, start=2):
            held = view.held.get((period.start, category))
            _figure(ws, writer, row, col, held.value if held else None)
        if single_target is not None:
            _figure(ws, writer, row, len(headings) - 1, single_target)
    if view.rows and any(r.figure for r in view.rows):
        _add_chart(workbook, ws, view, header, row, len(headings), single_target is not None)
    if not view.rows:
        writer.text(ws, row + 1, 0, "No figures yet")
        row += 1
    if any(period.figure and period.figure.summed for period in view.rows):
        writer.text(ws, row + 1, 0, "A total left empty was reported only by category: the sum is shown")
        row += 1
    if measure.notes:
        writer.text(ws, row + 1, 0, measure.notes)
        row += 1
    end = max(row + 2, start + CHART_ROWS + 1)
    return end, len(headings)


def _figure(ws: Worksheet, writer: CellWriter, row: int, col: int, value: float | None) -> None:
    if value is None:
        writer.text(ws, row, col, "", "Figure")
    else:
        ws.write_number(row, col, value, writer.format("Figure"))


def _add_chart(workbook, ws: Worksheet, view: MeasureView, header: int, last: int, columns: int, target: bool) -> None:
    name = ws.get_name()
    chart = workbook.add_chart({"type": "line" if view.as_line else "column"})
    series = {
        "name": [name, header, 1],
        "categories": [name, header + 1, 0, last, 0],
        "values": [name, header + 1, 1, last, 1],
        "data_labels": {"value": True},
    }
    if view.as_line:
        series["marker"] = {"type": "circle"}
    else:
        series["fill"] = {"color": "#1D70B8"}
    chart.add_series(series)
    if target:
        target_chart = workbook.add_chart({"type": "line"})
        target_chart.add_series(
            {
                "name": [name, header, columns - 1],
                "categories": [name, header + 1, 0, last, 0],
                "values": [name, header + 1, columns - 1, last, columns - 1],
                "line": {"color": "#0B0C0C", "dash_type": "dash"},
                "marker": {"type": "none"},
            }
        )
        chart.combine(target_chart)
    axis_font = {"name": "Arial", "size": 9}
    chart.set_title({"name": view.measure.name, "name_font": {"name": "Arial", "size": 12}})
    chart.set_y_axis({"name": view.measure.unit, "num_font": axis_font, "name_font": axis_font, "min": 0})
    chart.set_x_axis({"num_font": axis_font})
    chart.set_legend({"font": axis_font, "position": "bottom"})
    chart.set_size({"width": 520, "height": 300})
    ws.insert_chart(header - 2, columns + 1, chart)
