"""A worksheet's cells read straight from its XML: values, types, styles, rich-text runs, merges, hidden rows.

openpyxl's normal mode (the only one that shows rich text, merged cells and hidden rows) builds a Cell object
for every cell and a descriptor-checked Font and Color for every rich-text run: at the size of a force's plan
that was most of an import's time. The importer needs far less, so openpyxl reads only what surrounds the
sheets (read-only mode: sheet names and states, the date system, styles, shared strings, the theme) and this
module parses each sheet part with the standard library's C XML parser, keeping what openpyxl's normal mode
would give the reader: the same values and data types (numbers, dates by number format, booleans, errors,
saved formula results, shared and inline strings), with covered cells of merged ranges empty.

The C parser is not defusedxml's, so a sheet that declares a DTD is refused before any of it is parsed:
without a DTD there are no entities to expand or fetch. (The guard has already bounded the sizes.)
"""

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from functools import cache

from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, CELL, VALUE, INLINE = f"{MAIN}row", f"{MAIN}c", f"{MAIN}v", f"{MAIN}is"
TEXT, RUN, RUN_PROPERTIES = f"{MAIN}t", f"{MAIN}r", f"{MAIN}rPr"
BOLD, ITALIC, COLOUR = f"{MAIN}b", f"{MAIN}i", f"{MAIN}color"
MERGE, CONDITIONAL = f"{MAIN}mergeCell", f"{MAIN}conditionalFormatting"
CHUNK = 1 << 16  # fed to the parser a piece at a time; bigger pieces measured slower
FIRST_CHUNK = 1 << 20  # where the root element must start: a DTD could only come before it
COORDINATE_RE = re.compile(r"([A-Z]{1,3})([0-9]+)$")
ROOT_RE = re.compile(rb"<[A-Za-z_]")
DTD_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
FALSE = {"0", "false"}


class SheetXmlRefused(ValueError):
    """A sheet part that declares a DTD, or has no root element where one must be."""


@dataclass(frozen=True, slots=True)
class RunColor:
    """A rich-text run's colour, with the attributes `cells.rgb_of` reads (as openpyxl's Color has)."""

    type: str  # rgb, indexed, theme or auto
    rgb: str | None = None
    indexed: int | None = None
    theme: int | None = None
    tint: float = 0.0


@dataclass(frozen=True, slots=True)
class RunFont:
    b: bool = False
    i: bool = False
    color: RunColor | None = None


class RichText(tuple):
    """A cell's text as (text, font or None) runs; its str() is the text a person reads."""

    def __str__(self) -> str:
        return "".join(text for text, _ in self)


@dataclass(slots=True)
class Cell:
    value: object
    data_type: str  # n, s, b, d or e, as openpyxl's cell.data_type
    style_id: int


@dataclass
class SheetCells:
    """What the importer reads of one worksheet."""

    title: str
    state: str  # visible, hidden or veryHidden
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[CellRange] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    conditional: list[MultiCellRange] = field(default_factory=list)
    max_row: int = 1
    max_column: int = 1


class SheetParser:
    """Parses one sheet part the way openpyxl's WorkSheetParser does with data_only and rich_text on."""

    def __init__(self, shared_strings: list, date_styles: set[int], timedelta_styles: set[int], epoch):
        self.shared_strings = [_rich(text) for text in shared_strings]
        self.date_styles, self.timedelta_styles, self.epoch = date_styles, timedelta_styles, epoch

    def parse(self, stream, sheet: SheetCells) -> SheetCells:
        parser = ElementTree.XMLPullParser(events=("end",))
        row_number, pending = 0, []
        chunk = stream.read(FIRST_CHUNK)
        _refuse_dtd(chunk)
        while chunk:
            parser.feed(chunk)
            for _, element in parser.read_events():
                tag = element.tag
                if tag == CELL:
                    pending.append(element)
                elif tag == ROW:
                    row_number = _row_number(element, row_number)
                    if element.get("hidden", "0").lower() not in FALSE:
                        sheet.hidden_rows.add(row_number)
                    self._add_cells(sheet, row_number, pending)
                    pending = []
                    element.clear()
                elif tag == MERGE and element.get("ref"):
                    sheet.merged.append(CellRange(element.get("ref")))
                elif tag == CONDITIONAL and element.get("sqref"):
                    sheet.conditional.append(MultiCellRange(element.get("sqref")))
            chunk = stream.read(CHUNK)
        parser.close()
        _clear_covered_cells(sheet)
        return sheet

    def _add_cells(self, sheet: SheetCells, row_number: int, elements: list) -> None:
        column = 0
        for element in elements:
            coordinate = element.get("r")
            if coordinate and (match := COORDINATE_RE.match(coordinate)):
                row, column = int(match[2]), _column_index(match[1])
            elif coordinate:
                row, column = coordinate_to_tuple(coordinate)
            else:
                row, column = row_number, column + 1
            value, data_type = self._value(element, coordinate)
            style = element.get("s")
            sheet.cells[(row, column)] = Cell(value, data_type, int(style) if style else 0)
            sheet.max_row, sheet.max_column = max(sheet.max_row, row), max(sheet.max_column, column)

    def _value(self, element, coordinate: str | None) -> tuple[object, str]:
        data_type = element.get("t", "n")
        if data_type == "inlineStr":
            inline = element.find(INLINE)
            return (_inline_text(inline), "s") if inline is not None else (None, "inlineStr")
        value = element.findtext(VALUE) or None
        if value is None:
            return None, data_type
        if data_type == "n":
            number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
            style = int(element.get("s") or 0)
            if style in self.date_styles:
                try:
                    return from_excel(number, self.epoch, timedelta=style in self.timedelta_styles), "d"
                except (OverflowError, ValueError):
                    return "#VALUE!", "e"  # as openpyxl: a date serial out of range reads as an error
            return number, "n"
        if data_type == "s":
            return self.shared_strings[int(value)], "s"
        if data_type == "b":
            return bool(int(value)), "b"
        if data_type == "str":
            return value, "s"
        if data_type == "d":
            return from_ISO8601(value), "d"
        return value, data_type


_column_index = cache(column_index_from_string)  # "AB" -> 28, worked out once per column letter


def _refuse_dtd(chunk: bytes) -> None:
    root = ROOT_RE.search(chunk)
    if root is None or DTD_RE.search(chunk, 0, root.start()):
        raise SheetXmlRefused("a sheet part declares a DTD or has no root element in its first megabyte")


def _row_number(element, previous: int) -> int:
    number = element.get("r")
    if number is None:
        return previous + 1
    try:
        return int(number)
    except ValueError:
        value = float(number)
        if not value.is_integer():
            raise
        return int(value)


def _clear_covered_cells(sheet: SheetCells) -> None:
    """As in openpyxl's normal mode, the cells a merged range covers hold nothing; its range counts in the size."""
    for merged in sheet.merged:
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                if (row, column) != (merged.min_row, merged.min_col):
                    sheet.cells.pop((row, column), None)
        sheet.max_row = max(sheet.max_row, merged.max_row)
        sheet.max_column = max(sheet.max_column, merged.max_col)


def _inline_text(inline) -> str | RichText:
    """openpyxl's CellRichText.from_tree: the plain <t> if there is one, else the runs (a lone plain run is text)."""
    plain = inline.find(TEXT)
    if plain is not None and plain.text:
        return plain.text.replace("x005F_", "")
    runs = []
    for run in inline.iterfind(RUN):
        text = (run.findtext(TEXT) or "").replace("x005F_", "")
        properties = run.find(RUN_PROPERTIES)
        runs.append((text, _font(properties) if properties is not None else None))
    if not runs:
        return ""
    if len(runs) == 1 and runs[0][1] is None:
        return runs[0][0]
    return RichText(runs)


def _font(properties) -> RunFont:
    colour = properties.find(COLOUR)
    return RunFont(b=_flag(properties.find(BOLD)), i=_flag(properties.find(ITALIC)), color=_colour(colour))


def _flag(element) -> bool:
    return element is not None and element.get("val", "1").lower() not in FALSE


def _colour(element) -> RunColor | None:
    if element is None:
        return None
    tint = float(element.get("tint") or 0.0)
    if element.get("indexed") is not None:
        return RunColor("indexed", indexed=int(element.get("indexed")), tint=tint)
    if element.get("theme") is not None:
        return RunColor("theme", theme=int(element.get("theme")), tint=tint)
    if element.get("auto") is not None:
        return RunColor("auto", tint=tint)
    return RunColor("rgb", rgb=element.get("rgb") or "00000000", tint=tint)


def _rich(text) -> object:
    """A shared string as the sheet parser gives inline ones: openpyxl's rich text becomes RichText runs."""
    if isinstance(text, str) or text is None:
        return text
    runs = []
    for part in text:
        font = getattr(part, "font", None)
        runs.append((part.text, _run_font(font)) if font is not None else (str(part), None))
    return RichText(runs)


def _run_font(font) -> RunFont:
    colour = font.color
    if colour is not None:
        colour = RunColor(
            colour.type,
            getattr(colour, "rgb", None) if colour.type == "rgb" else None,
            colour.indexed if colour.type == "indexed" else None,
            colour.theme if colour.type == "theme" else None,
            colour.tint or 0.0,
        )
    return RunFont(b=bool(font.b), i=bool(font.i), color=colour)


class WorkbookSheets:
    """The sheets of a workbook openpyxl opened in read-only mode, read on request, and its cell fills.

    Uses openpyxl's read-only internals (the archive, each sheet's part and shared strings, the style
    tables), pinned with openpyxl in requirements.txt.
    """

    def __init__(self, workbook):
        self.workbook = workbook
        self.fills = [
            workbook._fills[style.fillId] if style.fillId < len(workbook._fills) else None
            for style in workbook._cell_styles
        ]
        self._parser: SheetParser | None = None

    def read(self, worksheet) -> SheetCells:
        if self._parser is None:
            self._parser = SheetParser(
                worksheet._shared_strings,
                set(self.workbook._date_formats),
                set(self.workbook._timedelta_formats),
                self.workbook.epoch,
            )
        with self.workbook._archive.open(worksheet._worksheet_path) as stream:
            return self._parser.parse(stream, SheetCells(worksheet.title, worksheet.sheet_state))

    def fill(self, style_id: int):
        return self.fills[style_id] if 0 <= style_id < len(self.fills) else None
