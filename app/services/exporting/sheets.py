"""The Plan and Updates sheets of an export, in the layout the plans have always had.

A local plan reads `Strand | No | What | How | Responsibility | Commentary | Strategic Link | RAG | Target date`;
a PCC deliverables plan reads `Aim | What | How | Evidence` grouped by aim. The strand (or aim) is written on
every row, never merged, so that the sheet can be filtered and sorted. The commentary is the update history,
oldest first, each update on its own line starting with its date label (`28/11/2026:` or `Undated:`): the
label, not the formatting, marks where an update begins, because spreadsheet programs join touching runs of
the same format when they save. The newest update is red, the ones between italic, as owners mark them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from xlsxwriter.worksheet import Worksheet

from app.models import Framework, Objective, PlanKind, Strand
from app.services.exporting.content import REDACTED, ExportAction, ExportWords, PlanContent, Redactor, UpdateRow
from app.services.exporting.rows import DateNumbers, RowWriter, RunFonts
from app.services.exporting.safe_text import EXCEL_CELL_LIMIT, clean, excel_length, fit
from app.services.exporting.styles import CellWriter

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
UPDATE_COLUMNS = [("Strand", 10), ("Ref", 8), ("As at", 12), ("Author", 20), ("RAG", 9), ("Restricted", 11)]
UPDATE_COLUMNS.append(("Update", 100))
UPDATE_WIDTH = UPDATE_COLUMNS[-1][1]
COMMENTARY_WIDTH = 60
# Links as the plans write them, so that the importer reads them back to the same framework and code.
LINK_WORDING = {Framework.NS: "National Strategy (NS)", Framework.SENTINEL: "Sentinel (S)"}
LINE_HEIGHT = 12.75  # points: one line of 10-point Arial
MAX_ROW_HEIGHT = 409  # Excel's limit: a row cannot be taller, so text beyond it is never seen or printed
MAX_LINES = int(MAX_ROW_HEIGHT // LINE_HEIGHT)
UNDATED = "Undated"
POINTER = "Earlier updates: see the Updates sheet"  # the importer knows this line (importing/commentary.py)


@dataclass
class Group:
    """Rows of one strand of a local plan, or one aim of a PCC plan."""

    label: str
    objective: Objective | None = None
    actions: list[ExportAction] = field(default_factory=list)


@dataclass
class SheetFrame:
    """Where a sheet's table is (0-based rows), for freezing, filtering and printing."""

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
    """`31/12/2015: text` or `Undated: text`: the label the importer splits the cell on."""
    label = date_label(update.as_at) if update.as_at else UNDATED
    return f"{label}: {update.text}"


@lru_cache(maxsize=8192)
def date_label(on: date) -> str:
    """`31/12/2015` (formatted once per date: a plan's updates share a few hundred dates)."""
    return f"{on:%d/%m/%Y}"


def commentary_lines(updates: list[UpdateRow], where: str) -> list[str]:
    """The updates one a line, oldest first; when they are more than a cell can show, the newest that fit
    after a first line that points to the Updates sheet, where every update is in full."""
    lines = [clean(update_line(update)) for update in updates]
    if fits(lines):
        return lines
    pointer = f"{POINTER} ({where}) for all {len(lines)} updates."
    kept = [fit(lines[-1], EXCEL_CELL_LIMIT - excel_length(pointer) - 1)]
    for line in reversed(lines[:-1]):
        if not fits([pointer, line, *kept]):
            break
        kept.insert(0, line)
    return [pointer, *kept]


def fits(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return excel_length(text) <= EXCEL_CELL_LIMIT and line_count(text, COMMENTARY_WIDTH) <= MAX_LINES


def commentary_runs(writer: CellWriter, lines: list[str]) -> list:
    """(format, text) runs: the oldest line plain, the ones after it italic, the newest red."""
    runs: list = []
    last = len(lines) - 1
    for index, line in enumerate(lines):
        if index:
            runs.append((writer.plain_run, "\n"))
        if index == last:
            run_format = writer.latest_run
        elif index == 0 or line.startswith(POINTER):
            run_format = writer.plain_run
        else:
            run_format = writer.later_run
        label, _, rest = line.partition(": ")
        runs += [(run_format, f"{label}: "), (run_format, rest)] if rest else [(run_format, line)]
    return runs


def link_lines(action: ExportWords) -> str:
    """One link a line, as written on the plan, or in the plans' own wording when nothing was recorded."""
    return "\n".join(link.text.strip() or LINK_WORDING.get(link.framework) or link.label for link in action.links)


def line_count(text: str, width: int) -> int:
    """Roughly how many lines wrapped text takes in a column `width` characters wide."""
    per_line = max(1, int(width * 1.1))
    if "\n" not in text:
        return -(-len(text) // per_line) or 1
    return sum(-(-len(part) // per_line) or 1 for part in text.split("\n"))


def fitted_height(texts: list[tuple[object, int]]) -> float:
    """A row tall enough for its wrapped (text, column width) pairs: no program grows a written row to fit."""
    lines = max((line_count(str(text), width) for text, width in texts if text), default=1)
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 2)


def text_height(text: str, width: int) -> float:
    """`fitted_height([(text, width)])` of one text."""
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * (line_count(text, width) if text else 1) + 2)


def title_rows(ws: Worksheet, writer: CellWriter, lines: list[tuple[str, str]]) -> int:
    """The plan's title rows, then a blank row; returns the (0-based) row of the header that follows."""
    for row, (text, style) in enumerate(lines):
        writer.text(ws, row, 0, text, style)
    return len(lines) + 1


def header_row(ws: Worksheet, writer: CellWriter, row: int, columns: list[tuple[str, int]]) -> None:
    """The column headings, and the column widths that go with them."""
    for col, (heading, width) in enumerate(columns):
        ws.set_column(col, col, width)
        writer.text(ws, row, col, heading, "Plan header")


def _no_tick() -> None:
    return None


def write_plan_sheet(
    ws: Worksheet,
    writer: CellWriter,
    content: PlanContent,
    redactor: Redactor,
    titles: list[tuple[str, str]],
    tick: Callable[[], None] = _no_tick,
) -> SheetFrame:
    """The plan in its own layout; returns where the table is. `tick` is called once an action is written.

    The title and header go through XlsxWriter; each action's row is written whole (rows.RowWriter)."""
    pcc = content.plan.kind is PlanKind.PCC
    columns = PCC_COLUMNS if pcc else LOCAL_COLUMNS
    header = title_rows(ws, writer, titles)
    header_row(ws, writer, header, columns)
    row = header
    cells = _pcc_row if pcc else _local_row
    rows = _Rows(ws, writer, len(columns))
    order = [(group, index == 0, action) for group in groups_of(content) for index, action in enumerate(group.actions)]
    streamed = content.stream_words([action for _, _, action in order])
    for (group, first, action), (words, updates) in zip(order, streamed, strict=True):
        row += 1
        height, tails = cells(rows, updates, redactor, group, action, words, first, columns)
        rows.writer.row(row, height, tails)
        tick()
    rows.writer.close()
    return SheetFrame(header_row=header, last_row=row, columns=len(columns))


class _Rows:
    """What the rows of one sheet are written with: its RowWriter, the rich-text fonts and the dates."""

    def __init__(self, ws: Worksheet, writer: CellWriter, columns: int):
        self.cells = writer
        self.writer = RowWriter(ws, columns)
        self.fonts = RunFonts(ws)
        self.dates = DateNumbers(ws)


def _commentary(writer: CellWriter, updates: list[UpdateRow], redactor: Redactor, action: ExportAction, where: str):
    """The commentary as rich-text runs, or plain text for a withheld action; and its text (the runs' joined)."""
    if redactor.withheld(action):  # [REDACTED] where there are updates to withhold, empty where there are none
        text = REDACTED if updates else ""
        return text, text
    updates = [redactor.update(action, update) for update in updates]
    if not updates:
        return "", ""
    lines = commentary_lines(updates, where)
    if len(updates) == 1 and updates[0].as_at is None:
        return lines[0], lines[0]  # the text the plan was imported with, not news: plain, as it was
    return commentary_runs(writer, lines), "\n".join(lines)


def _tail(rows: "_Rows", value) -> str:
    if isinstance(value, list):
        return rows.cells.rich_tail(rows.fonts, value)
    return rows.cells.text_tail(value)


def _height(values: list[str], columns) -> float:
    return fitted_height([(value, width) for value, (_, width) in zip(values, columns, strict=False)])


def _local_row(
    rows: "_Rows", updates, redactor: Redactor, group, action: ExportAction, words: ExportWords, first, columns
):
    """(height, cell tails) of a local plan's action (`words`: its words and links)."""
    writer = rows.cells
    ref = ref_value(action.ref)
    where = f"{action.strand.value if action.strand else 'no strand'} {action.ref}"
    commentary, commentary_text = _commentary(writer, updates, redactor, action, where)
    texts = [
        redactor.action_text(action, words.what),
        redactor.action_text(action, words.how),
        redactor.action_text(action, words.responsibility),
        commentary,
        redactor.action_text(action, link_lines(words)),
    ]
    height = _height(["", "", texts[0], texts[1], texts[2], commentary_text, texts[4]], columns)
    tails = [
        writer.text_tail(group.label, "Plan group" if first else "Plan group more"),
        writer.number_tail(ref) if isinstance(ref, int) else writer.text_tail(ref),
    ]
    tails += [_tail(rows, value) for value in texts]
    tails.append(writer.rag_tail(action.rag))
    tails.append(writer.date_tail(rows.dates, action.target_date, text=redactor.kept_text(words.target_date_text)))
    return height, tails


def _pcc_row(
    rows: "_Rows", updates, redactor: Redactor, group, action: ExportAction, words: ExportWords, first, columns
):
    """(height, cell tails) of a PCC plan's deliverable (`words`: its words)."""
    writer = rows.cells
    objective = group.objective
    # The plans number each deliverable inside the How cell ("1.2.1 We will …"); the number survives redaction.
    how = "\n".join(part for part in (words.what, words.how) if part)
    commentary, commentary_text = _commentary(writer, updates, redactor, action, action.ref)
    texts = [
        redactor.text(objective.description) if first and objective else "",
        f"{action.ref} {redactor.action_text(action, how)}".strip(),
        commentary,
    ]
    height = _height(["", texts[0], texts[1], commentary_text], columns)
    tails = [writer.text_tail(redactor.text(group.label), "Plan group" if first else "Plan group more")]
    tails += [_tail(rows, value) for value in texts]
    tails.append(writer.rag_tail(action.rag))
    tails.append(writer.date_tail(rows.dates, action.target_date, text=redactor.kept_text(words.target_date_text)))
    return height, tails


def write_updates_sheet(
    ws: Worksheet,
    writer: CellWriter,
    content: PlanContent,
    redactor: Redactor,
    titles: list[tuple[str, str]],
    tick: Callable[[], None] = _no_tick,
) -> SheetFrame:
    """Every update in full, one a row, oldest first within each action, named by strand (or aim) and ref:
    filter it by strand, author or date. `tick` is called once an action's updates are written."""
    pcc = content.plan.kind is PlanKind.PCC
    header = title_rows(ws, writer, titles)
    columns = [("Aim", 10), *UPDATE_COLUMNS[1:]] if pcc else UPDATE_COLUMNS
    header_row(ws, writer, header, columns)
    row = header
    rows = RowWriter(ws, len(columns))
    dates = DateNumbers(ws)
    # Tails that repeat (a date, an author, a RAG, Yes and No) are made once, the first time a row needs them,
    # so each format is still first asked for its index along the row, as XlsxWriter would ask.
    on_tails: dict = {}
    by_tails: dict[str, str] = {}
    rag_tails: dict = {}
    restricted_tails: dict[bool, str] = {}
    text_tail = writer.text_tail
    actions = [action for group in groups_of(content) for action in group.actions]
    for action, updates in zip(actions, content.stream_updates(actions), strict=True):
        if pcc:
            strand = action.objective.ref if action.objective else ""
        else:
            strand = action.strand.value if action.strand else ""
        named: list[str] = []  # the strand and ref tails, made at the action's first row
        for update in updates:
            update = redactor.update(action, update)
            row += 1
            if not named:
                named = [text_tail(strand), text_tail(action.ref)]
            on = on_tails.get(update.as_at)
            if on is None:
                on = on_tails[update.as_at] = writer.date_tail(dates, update.as_at)
            by = by_tails.get(update.author)
            if by is None:
                by = by_tails[update.author] = text_tail(update.author)
            rag = rag_tails.get(update.rag)
            if rag is None:
                rag = rag_tails[update.rag] = text_tail("") if update.rag is None else writer.rag_tail(update.rag)
            restricted = restricted_tails.get(update.restricted)
            if restricted is None:
                restricted = restricted_tails[update.restricted] = text_tail("Yes" if update.restricted else "No")
            text = update.text
            tails = [named[0], named[1], on, by, rag, restricted, text_tail(text)]
            rows.row(row, text_height(text, UPDATE_WIDTH), tails)
        tick()
    rows.close()
    return SheetFrame(header_row=header, last_row=row, columns=len(columns))
