"""The Plan and Updates sheets of an export, in the layout the plans have always had.

A local plan reads `Strand | No | What | How | Responsibility | Commentary | Strategic Link | RAG | Target date`
with the strand merged down the first column; a PCC deliverables plan reads `Aim | What | How | Evidence`
grouped by aim. The commentary is the dated update history, oldest first: the first update plain, later ones
in italic and the latest in red, as owners mark them in the Word and Excel plans (the importer reads it back).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles.colors import Color
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.models import Action, Framework, Objective, PlanKind, Strand
from app.services.exporting.content import REDACTED, PlanContent, Redactor, UpdateRow
from app.services.exporting.safe_text import CONTINUED, EXCEL_CELL_LIMIT, clean, excel_length, fit
from app.services.exporting.styles import LATEST_UPDATE_COLOUR, CellMaker

LOCAL_COLUMNS = [
    ("Strand", 12),
    ("No", 6),
    ("What are we going to do?", 40),
    ("How are we going to do it?", 40),
    ("Responsibility", 22),
    ("Commentary", 60),
    ("Strategic Link", 24),
    ("RAG", 9),
    ("Target date", 12),
]
PCC_COLUMNS = [
    ("Aim (what do you want to achieve)", 36),
    ("What are you going to do?", 36),
    ("How are you going to do it?", 48),
    ("Evidence of Activity", 60),
    ("RAG", 9),
    ("Target date", 12),
]
UPDATE_COLUMNS = [
    ("Strand", 10),
    ("Ref", 8),
    ("Action", 40),
    ("As at", 12),
    ("Author", 20),
    ("RAG", 9),
    ("Restricted", 11),
    ("Update", 80),
]
ACTION_WIDTH, UPDATE_WIDTH = UPDATE_COLUMNS[2][1], UPDATE_COLUMNS[7][1]
# Links as the plans write them, so that the importer reads them back to the same framework and code.
LINK_WORDING = {Framework.NS: "National Strategy (NS)", Framework.SENTINEL: "Sentinel (S)"}
LINE_HEIGHT = 15  # points: one line of 11-point text
MAX_ROW_HEIGHT = 409  # Excel's limit
_LATER = InlineFont(i=True)
_LATEST = InlineFont(color=Color(rgb=LATEST_UPDATE_COLOUR))


@dataclass
class Group:
    """Rows that share a merged first cell: a strand of a local plan, or an aim of a PCC plan."""

    label: str
    objective: Objective | None = None
    actions: list[Action] = field(default_factory=list)


@dataclass
class SheetFrame:
    """Where a sheet's table is, for freezing, filtering and printing."""

    header_row: int
    last_row: int
    columns: int


def groups_of(content: PlanContent) -> list[Group]:
    """Local plans in strand order (actions with no strand last); PCC plans by aim, in plan order."""
    if content.plan.kind is PlanKind.PCC:
        by_objective: dict[int | None, Group] = {}
        for action in content.actions:
            key = action.objective_id
            if key not in by_objective:
                by_objective[key] = Group(action.objective.title if action.objective else "", action.objective)
            by_objective[key].actions.append(action)
        return list(by_objective.values())
    groups = {strand: Group(strand.value.upper()) for strand in Strand}
    loose = Group("")
    for action in content.actions:
        (groups[action.strand] if action.strand else loose).actions.append(action)
    return [group for group in [*groups.values(), loose] if group.actions]


def ref_value(ref: str):
    """Whole-number refs as numbers, as the plans type them ("1"); anything else ("3.3c.1") as text."""
    return int(ref) if ref.isdigit() and not ref.startswith("0") and len(ref) < 10 else ref


def update_line(update: UpdateRow) -> str:
    """`31/12/2015: text`, the form the importer reads back as a dated update; undated text as it is."""
    return f"{update.as_at:%d/%m/%Y}: {update.text}" if update.as_at else update.text


def commentary(updates: list[UpdateRow]) -> CellRichText | str:
    """The updates one a line, oldest first: the first plain, later ones italic, the latest red.

    A lone undated update is the text the plan was imported with, not news, so it stays plain as it was.
    """
    lines = [clean(update_line(update)) for update in updates]
    if not lines:
        return ""
    if len(lines) == 1 and updates[0].as_at is None:
        return lines[0]
    if excel_length("\n".join(lines)) > EXCEL_CELL_LIMIT:
        lines = _shorten(lines)
    runs: list = []
    for index, line in enumerate(lines):
        if index:
            runs.append("\n")
        if index == len(lines) - 1:
            runs.append(TextBlock(_LATEST, line))
        elif index == 0:
            runs.append(line)
        else:
            runs.append(TextBlock(_LATER, line))
    return CellRichText(runs)


def _shorten(lines: list[str]) -> list[str]:
    """Keep the latest update whole if it fits; cut the history before it, saying where the rest is."""
    latest = fit(lines[-1], EXCEL_CELL_LIMIT)
    budget = EXCEL_CELL_LIMIT - excel_length(latest) - 1  # the line break before the latest
    if budget <= excel_length(CONTINUED):
        return [latest]
    return [fit("\n".join(lines[:-1]), budget), latest]


def link_lines(action: Action) -> str:
    """One link a line, as written on the plan, or in the plans' own wording when nothing was recorded."""
    return "\n".join(link.text.strip() or LINK_WORDING.get(link.framework) or link.label for link in action.links)


def line_count(text: str, width: int) -> int:
    """Roughly how many lines wrapped text takes in a column `width` characters wide."""
    per_line = max(1, int(width * 1.1))
    if "\n" not in text:
        return -(-len(text) // per_line) or 1
    return sum(-(-len(part) // per_line) or 1 for part in text.split("\n"))


def fitted_height(texts: list[tuple[object, int]]) -> float:
    """A row tall enough for its wrapped (text, column width) pairs. Neither Excel nor LibreOffice grows a row
    written by openpyxl to fit, so without this every multi-line cell would show one line."""
    lines = max((line_count(str(text), width) for text, width in texts if text), default=1)
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)


def title_rows(ws: Worksheet, maker: CellMaker, lines: list[tuple[str, str]]) -> int:
    """The plan's title rows, then a blank row; returns the row number of the header row that follows."""
    for text, style in lines:
        ws.append([maker.text(ws, text, style)])
    ws.append([])
    return len(lines) + 2


def header_row(ws: Worksheet, maker: CellMaker, columns: list[tuple[str, int]]) -> None:
    """The column headings, and the column widths that go with them."""
    ws.append([maker.text(ws, heading, "Plan header") for heading, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _no_tick() -> None:
    return None


def write_plan_sheet(
    ws: Worksheet,
    maker: CellMaker,
    content: PlanContent,
    redactor: Redactor,
    titles: list[tuple[str, str]],
    tick: Callable[[], None] = _no_tick,
) -> SheetFrame:
    """The plan in its own layout; returns where the table is. `tick` is called once an action is written."""
    pcc = content.plan.kind is PlanKind.PCC
    columns = PCC_COLUMNS if pcc else LOCAL_COLUMNS
    header = title_rows(ws, maker, titles)
    header_row(ws, maker, columns)
    row = header + 1
    for group in groups_of(content):
        first = row
        merged = (0, 1) if pcc else (0,)
        measured = [
            (index, width)
            for index, (_, width) in enumerate(columns)
            if index not in merged or len(group.actions) == 1  # merged text spreads over the group's rows
        ]
        for index, action in enumerate(group.actions):
            cells = (_pcc_row if pcc else _local_row)(ws, maker, content, redactor, group, action, index == 0)
            ws.append(cells)
            ws.row_dimensions[row].height = fitted_height([(cells[i].value, width) for i, width in measured])
            row += 1
            tick()
        if row - 1 > first:
            for column in merged:
                ws.merge_cells(start_row=first, start_column=column + 1, end_row=row - 1, end_column=column + 1)
    return SheetFrame(header_row=header, last_row=row - 1, columns=len(columns))


def _commentary_cell(ws, maker: CellMaker, content: PlanContent, redactor: Redactor, action: Action):
    if redactor.withheld(action):  # [REDACTED] where there are updates to withhold, empty where there are none
        return maker.text(ws, REDACTED if content.updates_of(action) else "")
    value = commentary([redactor.update(action, update) for update in content.updates_of(action)])
    return maker.rich(ws, value) if isinstance(value, CellRichText) else maker.text(ws, value)


def _local_row(ws, maker: CellMaker, content, redactor: Redactor, group: Group, action: Action, first: bool):
    ref = ref_value(action.ref)
    return [
        maker.text(ws, group.label if first else "", "Plan group"),
        maker.number(ws, ref) if isinstance(ref, int) else maker.text(ws, ref),
        maker.text(ws, redactor.action_text(action, action.what)),
        maker.text(ws, redactor.action_text(action, action.how)),
        maker.text(ws, redactor.action_text(action, action.responsibility)),
        _commentary_cell(ws, maker, content, redactor, action),
        maker.text(ws, redactor.action_text(action, link_lines(action))),
        maker.rag(ws, action.rag),
        maker.date(ws, action.target_date, text=redactor.kept_text(action.target_date_text)),
    ]


def _pcc_row(ws, maker: CellMaker, content, redactor: Redactor, group: Group, action: Action, first: bool):
    objective = group.objective
    # The plans number each deliverable inside the How cell ("1.2.1 We will …"); the number survives redaction.
    how = "\n".join(part for part in (action.what, action.how) if part)
    return [
        maker.text(ws, redactor.text(group.label) if first else "", "Plan group"),
        maker.text(ws, redactor.text(objective.description) if first and objective else ""),
        maker.text(ws, f"{action.ref} {redactor.action_text(action, how)}".strip()),
        _commentary_cell(ws, maker, content, redactor, action),
        maker.rag(ws, action.rag),
        maker.date(ws, action.target_date, text=redactor.kept_text(action.target_date_text)),
    ]


def write_updates_sheet(
    ws: Worksheet,
    maker: CellMaker,
    content: PlanContent,
    redactor: Redactor,
    titles: list[tuple[str, str]],
    tick: Callable[[], None] = _no_tick,
) -> SheetFrame:
    """Every update, one a row, oldest first within each action: filter it by strand, author or date.
    `tick` is called once an action's updates are written."""
    header = title_rows(ws, maker, titles)
    header_row(ws, maker, UPDATE_COLUMNS)
    row = header
    for action in (action for group in groups_of(content) for action in group.actions):
        strand = action.strand.value if action.strand else ""
        what = redactor.action_text(action, action.what)
        for update in content.updates_of(action):
            update = redactor.update(action, update)
            row += 1
            cells = [
                maker.text(ws, strand),
                maker.text(ws, action.ref),
                maker.text(ws, what),
                maker.date(ws, update.as_at),
                maker.text(ws, update.author),
                maker.rag(ws, update.rag),
                maker.text(ws, "Yes" if update.restricted else "No"),
                maker.text(ws, update.text),
            ]
            ws.append(cells)
            ws.row_dimensions[row].height = fitted_height([(what, ACTION_WIDTH), (update.text, UPDATE_WIDTH)])
        tick()
    return SheetFrame(header_row=header, last_row=row, columns=len(UPDATE_COLUMNS))
