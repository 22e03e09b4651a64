"""A worksheet's cells as openpyxl reads them: values, rich-text runs, fills, merges, hidden rows and columns.

openpyxl loads the workbook in normal mode with `rich_text=True`: it is the only mode that keeps the rich runs
of both kinds of string (shared strings, as Excel and LibreOffice write them, and inline strings, as openpyxl
writes them; read-only mode drops the runs of inline strings) and shows merges and hidden rows and columns.
The guard has bounded every size before this runs, and openpyxl parses with defusedxml (the app refuses to
start without it), so no DTD or entity reaches a parser.

Excel escapes characters XML cannot hold as `_xHHHH_` (a CR LF line break is stored as `_x000D_` + LF);
openpyxl leaves them as written, so every string is unescaped here, runs included.
"""

import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.cell_range import CellRange

ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """Excel's `_xHHHH_` escapes as the characters they stand for; CR LF and a lone CR as LF."""
    if "_x" in text:
        text = ESCAPE_RE.sub(lambda match: chr(int(match.group(1), 16)), text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class RichText(tuple):
    """A cell's text as (text, font or None) runs; its str() is the text a person reads."""

    def __str__(self) -> str:
        return "".join(text for text, _ in self)


@dataclass(slots=True)
class Cell:
    value: object
    data_type: str  # n, s, b, d or e, as openpyxl's cell.data_type
    source: object = None  # the openpyxl cell, for its fill

    @property
    def fill(self):
        return getattr(self.source, "fill", None)


@dataclass
class SheetCells:
    """What the importer reads of one worksheet."""

    title: str
    state: str  # visible, hidden or veryHidden
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list = field(default_factory=list)  # openpyxl CellRange objects
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    filtered_rows: set[int] = field(default_factory=set)  # hidden by an autofilter: still part of the plan
    conditional: list = field(default_factory=list)  # openpyxl MultiCellRange objects
    max_row: int = 1
    max_column: int = 1


EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


def open_workbook(data: bytes, blank: Iterable[str] = ()):
    """The workbook in normal mode: saved values of formulas, rich text, no external links, no macros.

    The parts named in `blank` (the export's record sheets, which are never read as plans) are given to openpyxl
    as empty sheets: normal mode parses every sheet whole, and those hold a row per update or decision.
    """
    blank = set(blank)
    source = BytesIO(without_sheets(data, blank) if blank else data)
    return load_workbook(source, rich_text=True, data_only=True, keep_links=False, keep_vba=False)


def without_sheets(data: bytes, parts: set[str]) -> bytes:
    """The package with those worksheet parts emptied (never unpacked), the rest copied as it is, streamed."""
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename in parts:
                target.writestr(info.filename, EMPTY_SHEET)
                continue
            with source.open(info) as reading, target.open(info.filename, "w", force_zip64=True) as writing:
                shutil.copyfileobj(reading, writing, 1 << 20)
    return out.getvalue()


@contextmanager
def streamed(data: bytes) -> Iterator:
    """The workbook in openpyxl's read-only mode: each sheet streamed row by row, never held whole."""
    workbook = load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        yield workbook
    finally:
        workbook.close()


def read_sheet(worksheet) -> SheetCells:
    sheet = SheetCells(worksheet.title, worksheet.sheet_state)
    for row in worksheet.iter_rows():
        for cell in row:
            value = cell.value
            if value is None:
                if not cell.has_style or cell.fill.fill_type != "solid":
                    continue  # only a coloured empty cell says something (a RAG shown by its fill)
            elif isinstance(value, str):
                value = unescape(value)
            elif isinstance(value, CellRichText):
                value = _runs(value)
            sheet.cells[(cell.row, cell.column)] = Cell(value, cell.data_type, cell)
    for position in sheet.cells:
        sheet.max_row, sheet.max_column = max(sheet.max_row, position[0]), max(sheet.max_column, position[1])
    sheet.merged = list(worksheet.merged_cells.ranges)
    for merged in sheet.merged:
        sheet.max_row, sheet.max_column = max(sheet.max_row, merged.max_row), max(sheet.max_column, merged.max_col)
    hidden = {number for number, dimension in worksheet.row_dimensions.items() if dimension.hidden}
    if worksheet.auto_filter.ref and hidden:
        sheet.filtered_rows = _hidden_by_filter(sheet, worksheet.auto_filter, hidden)
    sheet.hidden_rows = hidden - sheet.filtered_rows
    for letter, dimension in worksheet.column_dimensions.items():
        if dimension.hidden:
            first = column_index_from_string(letter)
            low, high = dimension.min or first, dimension.max or first
            sheet.hidden_columns.update(range(low, min(high, 16384) + 1))
    sheet.conditional = [formatting.sqref for formatting in worksheet.conditional_formatting]
    return sheet


def _hidden_by_filter(sheet: SheetCells, auto_filter, hidden: set[int]) -> set[int]:
    """The hidden rows of an autofilter's range that its filter hides: a row that passes the filter is hidden
    by hand. A filter the reader cannot evaluate (custom, top 10, colour) counts every hidden row as filtered."""
    try:
        bounds = CellRange(auto_filter.ref)
    except ValueError:
        return set()
    rows = {number for number in hidden if bounds.min_row < number <= bounds.max_row}
    tests = []
    for column in auto_filter.filterColumn:
        filters = column.filters
        if filters is None:
            return rows if column.customFilters or column.top10 or column.colorFilter or column.dynamicFilter else set()
        values = {" ".join(str(value).split()).casefold() for value in filters.filter}
        tests.append((bounds.min_col + column.colId, values, bool(filters.blank)))
    if not tests:
        return set()
    filtered = set()
    for number in rows:
        for column, values, blank in tests:
            cell = sheet.cells.get((number, column))
            text = " ".join(str(cell.value).split()).casefold() if cell is not None and cell.value is not None else ""
            if not (text in values or (blank and not text)):
                filtered.add(number)
                break
    return filtered


def _runs(value: CellRichText) -> RichText | str:
    runs = []
    for part in value:
        if isinstance(part, str):
            runs.append((unescape(part), None))
        else:
            runs.append((unescape(part.text or ""), part.font))
    if all(font is None for _, font in runs):
        return "".join(text for text, _ in runs)
    return RichText(runs)
