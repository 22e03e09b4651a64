"""A worksheet's cells as openpyxl reads them: values, rich-text runs, fills, merges, hidden rows and columns.

openpyxl opens the workbook in read-only mode (the styles, theme and date system are read; no sheet is held
whole). Each plan sheet is then read in one pass by openpyxl's own sheet parser, the one its normal mode uses:
the same values, fonts and fills normal mode gives with `rich_text=True`, and in the same pass what read-only
mode does not give (merged ranges, hidden rows and columns, the autofilter, conditional formats, hyperlinks),
without building a cell object for every position of the sheet. docs/importing.md has the measurements.

Strings keep their rich runs (Excel and LibreOffice store every red or bold update as runs of a shared string;
openpyxl writes them inline). openpyxl would build a `Text`, a `RichText` and a font object through its
checking descriptors for every run of every string; here the shared strings and inline strings are read
from the same XML elements, with the same defused parser, straight into the tracker's values: a plain string,
or `RichText` runs of (text, font). A run's font is openpyxl's own `InlineFont`, made by openpyxl once for each
distinct `<rPr>` of the workbook. A string of any shape this reading does not know (attributes, phonetic runs,
other elements) is read by openpyxl's own code, so the value is the same either way
(tests/test_import_read_only.py compares both with normal mode on every corpus file).
The guard has bounded every size before this runs, and openpyxl parses with defusedxml (the app refuses to
start without it), so no DTD or entity reaches a parser.

Excel escapes characters XML cannot hold as `_xHHHH_` (a CR LF line break is stored as `_x000D_` + LF);
openpyxl leaves them as written, so every string is unescaped here, runs included.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText
from openpyxl.cell.text import InlineFont
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string, coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    DATA_TAG,
    DIMENSION_TAG,
    FORMULA_TAG,
    INLINE_STRING,
    VALUE_TAG,
    WorkSheetParser,
    parse_richtext_string,
)
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from app.services.importing.guard import MAX_COLUMNS, MAX_ROWS

ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
FALSE_WORDS = ("false", "f", "0")  # openpyxl's Bool: any other text is true
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"  # a shared string, as openpyxl's read_rich_text finds it
TEXT_TAG, RUN_TAG, RUN_FONT_TAG = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("t", "r", "rPr"))


def unescape(text: str) -> str:
    """Excel's `_xHHHH_` escapes as the characters they stand for; CR LF and a lone CR as LF."""
    if "_x" in text:
        text = ESCAPE_RE.sub(lambda match: chr(int(match.group(1), 16)), text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def size_from_the_dimension_alone(worksheet: ReadOnlyWorksheet) -> None:
    """openpyxl's `ReadOnlyWorksheet._get_size`, which stops where the sheet's data starts.

    Opening a workbook in read-only mode gives each sheet its size from the sheet's `<dimension>` element,
    which Excel, LibreOffice and the tracker's export all write before the data. openpyxl looks for it among
    the parser's "end" events, and the end of `<sheetData>` comes after its last row: a sheet without the
    element (any program may leave it out) was parsed whole, every row, each time the workbook was opened, to
    learn nothing. A sheet of 300,000 rows took 12 s of CPU a time here, twice for every check and import.
    This reads the same element from the "start" events and stops at the start of `<sheetData>`; the size
    is the same (tests/test_import_read_only.py), and a sheet without the element has none, as before."""
    source = worksheet._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                bounds = SheetDimension.from_tree(element).boundaries
                worksheet._min_column, worksheet._min_row, worksheet._max_column, worksheet._max_row = bounds
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


OPENPYXLS_GET_SIZE = ReadOnlyWorksheet._get_size
ReadOnlyWorksheet._get_size = size_from_the_dimension_alone


class RichText(tuple):
    """A cell's text as (text, font or None) runs; its str() is the text a person reads."""

    def __str__(self) -> str:
        return "".join(text for text, _ in self)


@dataclass(slots=True)
class Cell:
    value: object
    data_type: str  # n, s, b, d or e, as openpyxl's cell.data_type
    font: Any = None  # the cell's font (openpyxl Font), for a RAG shown by a coloured symbol
    fill: Any = None  # the cell's fill (openpyxl PatternFill or GradientFill), for a RAG shown by its colour


@dataclass
class SheetCells:
    """What the importer reads of one worksheet."""

    title: str
    state: str  # visible, hidden or veryHidden
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[CellRange] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    filtered_rows: set[int] = field(default_factory=set)  # hidden by an autofilter: still part of the plan
    conditional: list[MultiCellRange] = field(default_factory=list)
    max_row: int = 1
    max_column: int = 1


def open_workbook(data: bytes) -> Any:
    """The workbook in read-only mode: rich shared strings, styles and theme; saved values of formulas; no
    external links, no macros. Its sheets are read one at a time by read_sheet, and only those asked for: the
    export's record sheets (a row per update or decision) are never parsed whole. What load_workbook does,
    but for the shared strings, read as the tracker's values (`shared_strings`)."""
    reader = _Reader(BytesIO(data), read_only=True, data_only=True, keep_links=False, rich_text=True)
    reader.read()
    return reader.wb


class _Reader(ExcelReader):
    """openpyxl's workbook reader, with the shared strings read by `shared_strings` (openpyxl's read_rich_text
    gives the same strings as its own objects)."""

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = shared_strings(source)


def shared_strings(source) -> list:
    """Every shared string as the tracker keeps a cell's text (`_cells`): what openpyxl's read_rich_text gives,
    unescaped, a rich one as `RichText` runs."""
    strings: list = []
    fonts: dict[tuple, InlineFont] = {}
    for _, node in iterparse(source):
        if node.tag == STRING_TAG:
            strings.append(_string(node, fonts))
            node.clear()
    return strings


def _string(node, fonts: dict[tuple, InlineFont]) -> object:
    """One `<si>` or `<is>`: openpyxl's CellRichText.from_tree, then `_runs`, without openpyxl's objects.

    The shapes Excel, LibreOffice, XlsxWriter and openpyxl write: `<t>`, or `<r>` runs of `<rPr>` and `<t>`, no
    attributes but on `<t>` (xml:space, which openpyxl ignores too). Anything else goes through openpyxl."""
    if node.attrib:
        return _openpyxl_string(node)
    text, runs = None, []
    for child in node:
        tag = child.tag
        if tag == TEXT_TAG:
            text = child.text  # the last <t> wins, as in openpyxl
        elif tag == RUN_TAG and not child.attrib:
            runs.append(child)
        else:
            return _openpyxl_string(node)
    if text and runs:  # openpyxl reads the runs too, then keeps the text
        return _openpyxl_string(node)
    if text:
        return unescape(text.replace("x005F_", ""))
    parts: list[tuple[str, Any]] = []
    for run in runs:
        words, font = None, None
        for part in run:
            tag = part.tag
            if tag == TEXT_TAG:
                words = part.text
            elif tag == RUN_FONT_TAG:
                font = _font(part, fonts)
            else:
                return _openpyxl_string(node)
        parts.append((unescape(words.replace("x005F_", "")) if words else "", font))
    if not parts:
        return ""
    if all(font is None for _, font in parts):
        return "".join(words for words, _ in parts)
    return RichText(parts)


def _font(node, fonts: dict[tuple, InlineFont]) -> InlineFont:
    """openpyxl's InlineFont for a run's `<rPr>`, made once for each distinct one (fonts is the cache)."""
    key = (tuple(node.attrib.items()), *((child.tag, tuple(child.attrib.items()), child.text) for child in node))
    font = fonts.get(key)
    if font is None:
        if any(len(child) for child in node):  # nested deeper than a font's own elements: not cached
            return InlineFont.from_tree(node)
        font = fonts[key] = InlineFont.from_tree(node)
    return font


def _openpyxl_string(node) -> object:
    """A string read by openpyxl's own code (its shared strings and inline strings alike), then as `_cells` keeps
    a cell's text."""
    value = parse_richtext_string(node)
    if isinstance(value, CellRichText):
        return _runs(value)
    return unescape(value)


@contextmanager
def streamed(data: bytes) -> Iterator:
    """The workbook in openpyxl's read-only mode: each sheet streamed row by row, never held whole."""
    workbook = load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        yield workbook
    finally:
        workbook.close()


class _SheetParser(WorkSheetParser):
    """openpyxl's sheet parser (normal mode's), giving each cell's value as the tracker keeps it: text unescaped,
    rich text as `RichText` runs (`_cells` takes the values as they are).

    A shared string is looked up in the strings `shared_strings` read (already the tracker's values); an inline
    string is read by `_string`, as a shared one is. Every other cell is openpyxl's own parse_cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fonts: dict[tuple, InlineFont] = {}

    def parse_cell(self, element):
        data_type = element.get("t", "n")
        if (data_type != "s" and data_type != "inlineStr") or (
            not self.data_only and element.find(FORMULA_TAG) is not None
        ):
            found = super().parse_cell(element)
            if isinstance(found["value"], str):  # a formula's saved text ("str"), an error ("#N/A")
                found["value"] = unescape(found["value"])
            return found
        coordinate = element.get("r")
        style_id = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        value: object = None
        if data_type == "s":
            index = element.findtext(VALUE_TAG, None) or None
            if index is not None:
                value = self.shared_strings[int(index)]
        else:
            child = element.find(INLINE_STRING)
            if child is not None:
                data_type, value = "s", _string(child, self._fonts)
        return {"row": row, "column": column, "value": value, "data_type": data_type, "style_id": style_id}


def read_sheet(workbook, worksheet) -> SheetCells:
    """One sheet of a workbook opened by open_workbook, read in one pass as openpyxl's normal mode reads it."""
    sheet = SheetCells(worksheet.title, worksheet.sheet_state)
    with workbook._archive.open(worksheet._worksheet_path) as source:
        parser = _SheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
            rich_text=True,
        )
        looks = _Looks(workbook)
        sheet.cells, empty = _cells(parser, looks)
    _merge(sheet, parser)
    _link_empty_cells(sheet, parser, workbook, worksheet, empty, looks)
    for position in sheet.cells:
        sheet.max_row, sheet.max_column = max(sheet.max_row, position[0]), max(sheet.max_column, position[1])
    for merged in sheet.merged:
        sheet.max_row, sheet.max_column = max(sheet.max_row, merged.max_row), max(sheet.max_column, merged.max_col)
    hidden = {int(number) for number, row in parser.row_dimensions.items() if _true(row.get("hidden"))}
    auto_filter = getattr(parser, "auto_filter", None)  # set only when the sheet has one
    if auto_filter is not None and auto_filter.ref and hidden:
        sheet.filtered_rows = _hidden_by_filter(sheet, auto_filter, hidden)
    sheet.hidden_rows = hidden - sheet.filtered_rows
    for letter, column in parser.column_dimensions.items():
        if _true(column.get("hidden")):
            first = column_index_from_string(letter)
            low, high = int(column.get("min") or first), int(column.get("max") or first)
            sheet.hidden_columns.update(range(low, min(high, 16384) + 1))
    # normal mode keeps a conditional format by its rules: one with none is not there
    sheet.conditional = [formatting.sqref for formatting in parser.formatting if formatting.rules]
    return sheet


class _Looks:
    """A cell's font and fill by its style number, as normal mode's cell.font and cell.fill give them."""

    def __init__(self, workbook):
        self.styles, self.fonts, self.fills = workbook._cell_styles, workbook._fonts, workbook._fills
        self._found: dict[int, tuple[Any, Any, bool]] = {}

    def of(self, style_id: int) -> tuple[Any, Any, bool]:
        """(font, fill, whether an empty cell of this style says something: a styled, solid fill)."""
        found = self._found.get(style_id)
        if found is None:
            found = self._found[style_id] = self.of_style(self.styles[style_id])
        return found

    def of_style(self, style: StyleArray) -> tuple[Any, Any, bool]:
        fill = self.fills[style.fillId]
        return self.fonts[style.fontId], fill, any(style) and fill.fill_type == "solid"


def _cells(parser: WorkSheetParser, looks: _Looks) -> tuple[dict[tuple[int, int], Cell], dict[tuple[int, int], int]]:
    """The cells that say something, and the style of each empty cell left out (for a hyperlink put on it).
    The parser (`_SheetParser`) gives the values as they are kept."""
    cells: dict[tuple[int, int], Cell] = {}
    empty: dict[tuple[int, int], int] = {}
    look = looks.of
    for _, row in parser.parse():
        for found in row:
            value, position = found["value"], (found["row"], found["column"])
            font, fill, coloured = look(found["style_id"])
            if value is None:
                if not coloured:  # only a coloured empty cell says something (a RAG shown by its fill)
                    cells.pop(position, None)  # a cell written twice is the last one written, as in openpyxl
                    empty[position] = found["style_id"]
                    continue
            cells[position] = Cell(value, found["data_type"], font, fill)
    return cells, empty


def _merge(sheet: SheetCells, parser: WorkSheetParser) -> None:
    """The merged ranges, in the order openpyxl's normal mode gives them, and their covered cells emptied as
    it empties them (only the top-left cell of a merged range keeps its value)."""
    if not parser.merged_cells:
        return
    ranges = MultiCellRange([CellRange(merge.ref) for merge in parser.merged_cells.mergeCell])
    sheet.merged = list(ranges.ranges)
    cells = sheet.cells
    for merged in sheet.merged:
        top_left = (merged.min_row, merged.min_col)
        rows, columns = range(merged.min_row, merged.max_row + 1), range(merged.min_col, merged.max_col + 1)
        if len(rows) * len(columns) <= len(cells):
            covered = [(row, column) for row in rows for column in columns]
        else:  # a range larger than the cells written: only the cells in it are looked at, never its area
            covered = [(row, column) for row, column in cells if row in rows and column in columns]
        for position in covered:
            if position != top_left:
                cells.pop(position, None)


def _link_empty_cells(
    sheet: SheetCells, parser: WorkSheetParser, workbook, worksheet, empty: dict[tuple[int, int], int], looks: _Looks
) -> None:
    """openpyxl gives an empty cell with a hyperlink the link's address as its value (Cell.hyperlink)."""
    links = parser.hyperlinks.hyperlink
    if not links:
        return
    relations = None
    for link in links:
        target = link.target
        if link.id:
            if relations is None:
                relations = get_dependents(workbook._archive, get_rels_path(worksheet._worksheet_path))
            target = relations.get(link.id).Target
        text = target or link.location
        if not text or not link.ref:
            continue
        bounds = CellRange(link.ref)
        if ":" not in link.ref:
            row, column = sheet_origin(sheet, bounds.min_row, bounds.min_col)  # a covered cell: its range's
            positions = [(row, column)]
        else:  # every cell of the range but the covered cells of a merge, within the sheet's limits
            positions = [
                (row, column)
                for row in range(bounds.min_row, min(bounds.max_row, MAX_ROWS) + 1)
                for column in range(bounds.min_col, min(bounds.max_col, MAX_COLUMNS) + 1)
                if sheet_origin(sheet, row, column) == (row, column)
            ]
        for position in positions:
            cell = sheet.cells.get(position)
            if cell is None:  # a cell the file wrote empty keeps its style; one it never wrote has none
                style = empty.get(position)
                font, fill, _ = looks.of_style(StyleArray()) if style is None else looks.of(style)
                sheet.cells[position] = Cell(unescape(text), "s", font, fill)
            elif cell.value is None:
                cell.value, cell.data_type = unescape(text), "s"


def sheet_origin(sheet: SheetCells, row: int, column: int) -> tuple[int, int]:
    """The top-left cell of the merged range that covers a cell, or the cell itself."""
    for merged in sheet.merged:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, column


def _true(value: object) -> bool:
    """An XML boolean attribute as openpyxl's Bool descriptor reads it."""
    if value is None:
        return False
    if isinstance(value, str):
        return value not in FALSE_WORDS and bool(value)
    return bool(value)


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
