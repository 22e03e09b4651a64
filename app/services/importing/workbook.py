"""Reading a plan workbook into plain data (`WorkbookReading`), with no database.

The bytes pass the guard first; only then does openpyxl open them (sheet_cells: read-only mode, formulas' saved
values, rich text, no external links and no macros), and each plan sheet is read in one pass.
Every exception a hostile or odd file can raise ends here as one `WorkbookRejected` line.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from app.models.enums import Framework, PlanKind, Strand
from app.services.importing.columns import ColumnReading, Header, find_header
from app.services.importing.findings import ActionRead, ObjectiveRead, PlanRead, ReadWarning, WorkbookReading
from app.services.importing.guard import (
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    MAX_ROWS,
    WorkbookFacts,
    WorkbookRejected,
    check_workbook,
)
from app.services.importing.local_sheets import SheetContext, StrandSheetReader
from app.services.importing.pcc_sheets import PccSheetReader, is_pcc_layout
from app.services.importing.sheet_cells import open_workbook, read_sheet, streamed
from app.services.importing.sheet_grid import SheetGrid, theme_palette
from app.services.importing.updates_sheet import take_updates_from_sheet, updates_by_action
from app.services.importing.wording import key_value, parse_date_text, period_of, strand_heading

log = logging.getLogger(__name__)

UNREADABLE = "The workbook could not be read: open it in Excel, save it as an Excel Workbook (.xlsx) and try again"
CSV = (
    "This is a CSV file, which cannot be imported: a CSV keeps no merged cells, colours or red updates. "
    "Open it in Excel, save it as an Excel Workbook (.xlsx) and upload that"
)
NO_PLAN = (
    "No plan was found in the workbook: a plan sheet needs a header row with headings such as "
    "'What are we going to do?' and 'Responsibility'"
)
GENERIC_SHEET_RE = re.compile(r"^(sheet\s*\d*|plan|data)$", re.IGNORECASE)
LEAD_KEYS = {
    "lead",
    "plan lead",
    "lead officer",
    "senior responsible officer",
    "sro",
    "plan owner",
    "owner",
    "responsible officer",
    "strategic lead",
}
PERIOD_KEYS = {"period", "year", "financial year", "plan period", "dates", "covering"}
MARKING_RE = re.compile(
    r"^\s*(?:OFFICIAL|OFFICIAL[-\s]SENSITIVE|SECRET|TOP SECRET|RESTRICTED|NOT PROTECTIVELY MARKED)\s*$"
)
DATE_IN_TEXT_RE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4}")


Progress = Callable[[int, int], None]


class _RowCounter:
    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def advance(self, rows: int) -> None:
        self.done = min(self.done + rows, self.total)
        if self.progress:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        if self.progress:
            self.progress(self.total, self.total)


@dataclass
class _SheetPart:
    sheet: str
    kind: PlanKind
    strand: Strand | None  # the strand the sheet is named after, when there is a sheet per strand
    title_lines: list[str]
    objectives: list[ObjectiveRead]
    actions: list[ActionRead]
    warnings: list[ReadWarning]
    not_understood: list[str]
    columns: list[ColumnReading]


def read_workbook(
    data: bytes, filename: str, *, progress: Progress | None = None, mapping: dict[str, str] | None = None
) -> WorkbookReading:
    """Read every plan in the workbook. Raises WorkbookRejected, with one line to show, for unreadable files.

    `progress(rows_read, rows_in_all)` is called now and then while the sheets are read (for a progress bar).
    `mapping` says what columns mean where a person has said so (see columns.find_header).
    """
    if PurePath(filename).suffix.lower() in (".csv", ".tsv", ".txt"):
        raise WorkbookRejected(CSV)
    try:
        return _read(data, filename, check_workbook(data), progress, mapping or {})
    except WorkbookRejected:
        raise
    except Exception as error:  # the boundary: no parser error reaches the person as a traceback
        # One line in the log, no traceback: a hostile file is not a fault of the tracker.
        log.info("Could not read workbook %r: %s: %s", filename, type(error).__name__, str(error)[:200])
        raise WorkbookRejected(UNREADABLE) from error


def _read(
    data: bytes, filename: str, facts: WorkbookFacts, progress: Progress | None, mapping: dict[str, str]
) -> WorkbookReading:
    workbook = open_workbook(data)
    try:
        reading = WorkbookReading(filename)
        if facts.has_macros:
            reading.warnings.append(ReadWarning("The file's macros were ignored"))
        if facts.external_links:
            reading.warnings.append(
                ReadWarning("Links to other workbooks were ignored: cells show the values Excel last saved")
            )
        palette = theme_palette(workbook.loaded_theme)
        counter = _RowCounter(progress, sum(_rows_of(sheet, facts) for sheet in workbook.worksheets))
        found: list[tuple[SheetGrid, Header]] = []
        cover: list[str] = []
        for worksheet in workbook.worksheets:
            grid_header = _find_sheet(workbook, worksheet, palette, facts, reading, counter, mapping)
            if grid_header is None:
                continue
            grid, header = grid_header
            if header is None:
                reading.sheets_not_read.append(f"{grid.title} (no header row such as 'No | What are we going to do?')")
                cover = cover or _cover_lines(grid)
            else:
                found.append((grid, header))
        parts = []
        for grid, header in found:
            part = _read_sheet(grid, header, cover, filename, workbook.epoch, reading)
            if part is not None:
                parts.append(part)
        _take_updates_from_the_updates_sheet(data, facts, workbook, parts)
    finally:
        workbook.close()
    counter.finish()
    reading.plans = _assemble(parts, filename, cover)
    if not reading.plans:
        raise WorkbookRejected(NO_PLAN)
    return reading


def _take_updates_from_the_updates_sheet(data: bytes, facts: WorkbookFacts, workbook, parts: list[_SheetPart]) -> None:
    """Actions whose cell points to the export's Updates sheet take their whole history from it, and every
    update the sheet marks as restricted is imported restricted.

    The sheet holds a row per update (see the guard) and is never read whole; it is streamed here in read-only
    mode, within the caps the guard checked for it."""
    name = facts.record_sheets[facts.updates_sheet] if facts.updates_sheet else None
    visible = any(ws.title == name and ws.sheet_state == "visible" for ws in workbook.worksheets)
    pointed = any(action.updates_elsewhere for part in parts for action in part.actions)
    if not pointed and not (name is not None and visible):
        return
    found = None
    if name is not None and visible:
        with streamed(data) as streaming:
            found = updates_by_action(streaming[name], workbook.epoch)
    for part in parts:
        group_of = _aim_of if part.kind is PlanKind.PCC else _strand_of
        part.warnings.extend(take_updates_from_sheet(part.actions, found, group_of))


def _aim_of(action: ActionRead) -> str:
    return action.objective_ref or ""  # the Updates sheet of a PCC plan names the aim


def _strand_of(action: ActionRead) -> str:
    return action.strand.value if action.strand else ""


def _rows_of(worksheet, facts: WorkbookFacts) -> int:
    """The rows a sheet's dimension gives, for the progress bar; the record sheets are never read."""
    if worksheet.title in facts.record_sheets.values():
        return 1
    return min(worksheet.max_row or 0, MAX_ROWS)


def _find_sheet(workbook, worksheet, palette, facts: WorkbookFacts, reading: WorkbookReading, counter, mapping):
    """The sheet's cells and its header row (None when it has none); None for a sheet that is not read at all."""
    name = worksheet.title
    if worksheet.sheet_state != "visible":
        reading.warnings.append(ReadWarning("is hidden and was not read: unhide it if it is part of the plan", name))
        reading.sheets_not_read.append(f"{name} (hidden)")
        return None
    if name in facts.record_sheets.values():
        reading.sheets_not_read.append(f"{name} (written by the tracker's export)")
        return None
    cells = read_sheet(workbook, worksheet)  # the export's record sheets never get here: never parsed whole
    if cells.max_row > MAX_ROWS or cells.max_column > MAX_COLUMNS:
        limits = f"{MAX_DATA_ROWS:,} rows and {MAX_COLUMNS} columns"
        raise WorkbookRejected(f"Sheet '{name}' is too large: a plan can use {limits}; delete unused rows and columns")
    grid = SheetGrid(cells, palette, facts.formulas_without_value.get(name))
    grid.on_rows = counter.advance
    return grid, find_header(grid, mapping)


def _cover_lines(grid: SheetGrid) -> list[str]:
    """A cover sheet's lines ('Plan lead' | 'DSupt McLeod' read as 'Plan lead: DSupt McLeod'), if it names a plan."""
    lines = []
    for row in range(1, min(grid.max_row, 60) + 1):
        texts = [text for _, text in grid.row_texts(row)]
        if len(texts) == 2 and len(texts[0]) <= 40 and ":" not in texts[0]:
            lines.append(f"{texts[0]}: {texts[1]}")
        else:
            lines.extend(texts)
    named = any(re.search(r"\bplan\b", line, re.IGNORECASE) for line in lines)
    keys = {pair[0] for line in lines if (pair := key_value(line))}
    return lines if named and keys & (LEAD_KEYS | PERIOD_KEYS | {"priority"}) else []


def _read_sheet(
    grid: SheetGrid, header, cover: list[str], filename: str, epoch, reading: WorkbookReading
) -> _SheetPart | None:
    name = grid.title
    title_lines = [text for row in range(1, header.row) for _, text in grid.row_texts(row)]
    context = SheetContext(epoch, _first_year([*title_lines, *cover, name, PurePath(filename).stem]))
    if is_pcc_layout(grid, header, title_lines):
        kind, (objectives, actions) = PlanKind.PCC, PccSheetReader(grid, header, context).read()
    else:
        kind, (objectives, actions) = (
            PlanKind.LOCAL,
            StrandSheetReader(grid, header, strand_heading(name), context).read(),
        )
    if not actions:
        reading.warnings.extend(grid.warnings)
        reading.sheets_not_read.append(f"{name} (no actions under the header row)")
        return None
    return _SheetPart(
        name,
        kind,
        strand_heading(name),
        title_lines,
        objectives,
        actions,
        grid.warnings,
        header.not_understood,
        header.readings,
    )


def _first_year(texts: list[str]) -> int | None:
    """The year in which the plan's financial year starts (April), from the first text that names one."""
    for text in texts:
        if found := period_of(text):
            return found[1].year
        dates = [parse_date_text(part) for part in DATE_IN_TEXT_RE.findall(text)]
        start = dates[0] if len(dates) == 2 and all(dates) else None
        if start is not None:
            return start.year if start.month >= 4 else start.year - 1
    return None


def _assemble(parts: list[_SheetPart], filename: str, cover: list[str]) -> list[PlanRead]:
    """One plan per sheet, except that sheets named after strands make one plan together."""
    groups: list[list[_SheetPart]] = []
    strand_group: list[_SheetPart] | None = None
    for part in parts:
        if part.strand and part.kind is PlanKind.LOCAL:
            if strand_group is None:
                strand_group = []
                groups.append(strand_group)
            strand_group.append(part)
        else:
            groups.append([part])
    plans: list[PlanRead] = []
    for group in groups:
        plan = _plan_of(group, filename, cover)
        if any((known.title, known.period_label) == (plan.title, plan.period_label) for known in plans):
            plan.title = f"{plan.title} – {group[0].sheet}"[:300]
        plans.append(plan)
    _flag_links_not_in_workbook(plans)
    return plans


def _flag_links_not_in_workbook(plans: list[PlanRead]) -> None:
    """Where the workbook holds the PCC deliverables, a local link to a number it lacks is named, with its row."""
    deliverables = {action.ref for plan in plans if plan.kind is PlanKind.PCC for action in plan.actions}
    if not deliverables:
        return
    for plan in plans:
        if plan.kind is PlanKind.PCC:
            continue
        for action in plan.actions:
            for link in action.links:
                if link.framework is Framework.PCC and link.code and link.code not in deliverables:
                    why = "is not among the PCC deliverables in this workbook: it was kept as an unresolved link"
                    plan.warnings.append(
                        ReadWarning(f"PCC {link.code} of {action.display_ref} {why}", action.sheet, action.row)
                    )


def _plan_of(group: list[_SheetPart], filename: str, cover: list[str]) -> PlanRead:
    """The plan's details from the rows above its header; a cover sheet's details come first when there is one."""
    first = group[0]
    lines = [*cover, *next((part.title_lines for part in group if part.title_lines), [])]
    lines = [line for line in lines if not MARKING_RE.match(line)]
    plan = PlanRead(title="", kind=first.kind, sheets=[part.sheet for part in group])
    titles, period_text = [], None
    for line in lines:
        pair = key_value(line)
        key, value = pair if pair else ("", "")
        if key == "priority":
            plan.priority = plan.priority or value[:200]
        elif key in LEAD_KEYS:
            plan.lead = plan.lead or value[:200]
        elif key in PERIOD_KEYS:
            period_text = period_text or value
        else:
            titles.append(line)
    plan.title = _title(titles, first, filename)[:300]
    _set_period(plan, period_text, [*titles, first.sheet, PurePath(filename).stem.replace("_", " ")])
    for part in group:
        plan.objectives.extend(part.objectives)
        plan.actions.extend(part.actions)
        plan.warnings.extend(part.warnings)
        plan.columns_not_understood.extend(f"{text} on sheet '{part.sheet}'" for text in part.not_understood)
        plan.column_readings.append((part.sheet, part.columns))
    return plan


def _title(lines: list[str], part: _SheetPart, filename: str) -> str:
    """The title row that names the plan; a PCC sheet's is its deliverables line with the plan's name."""
    plan_lines = [line for line in lines if re.search(r"\bplan\b", line, re.IGNORECASE)]
    if part.kind is PlanKind.PCC:
        pcc_lines = [line for line in lines if re.search(r"\b(PCC|deliverables?)\b", line, re.IGNORECASE)]
        if pcc_lines and plan_lines and pcc_lines[0] != plan_lines[0]:
            return f"{pcc_lines[0]}: {plan_lines[0]}"
        if pcc_lines:
            return pcc_lines[0]
    if plan_lines or lines:
        return (plan_lines or lines)[0]
    if part.strand is None and not GENERIC_SHEET_RE.match(part.sheet):
        return part.sheet
    return PurePath(filename).stem.replace("_", " ")


def _set_period(plan: PlanRead, written: str | None, elsewhere: list[str]) -> None:
    """The financial year ('2015-16') from a Period row, else from the title, sheet name or file name.

    A Period row of two dates ('1 April 2015 to 31 March 2016') gives the dates; the label then still comes
    from the title when it names the year, so that the plan matches on re-import.
    """
    written = written or ""
    for text in [written, *elsewhere]:
        if found := period_of(text):
            plan.period_label, plan.period_start, plan.period_end = found
            break
    dates = [parse_date_text(text) for text in DATE_IN_TEXT_RE.findall(written)]
    if len(dates) == 2 and all(dates):
        plan.period_start, plan.period_end = dates
        plan.period_label = plan.period_label or written[:40]
    elif written and not plan.period_label:
        plan.period_label = written[:40]
