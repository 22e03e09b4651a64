"""Workbooks built in memory for the import tests, in every shape real plans take: no binary fixtures.

    make_workbook(header=["No", "What are we going to do?"], rows=[[1, "Engage"]])
    make_workbook(Sheet("Prepare", ...), Sheet("Prevent", ...))

Cell values may be plain values, `rich(...)` text with `red()`, `bold()` and `italic()` runs, `Fill(...)` for a
coloured cell, or a formula string (written with no cached value, as openpyxl writes them).
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Color, PatternFill
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from app.services.importing.workbook import read_workbook

LOCAL_HEADER = [
    "Strand",
    "No",
    "What are we going to do?",
    "How are we going to do it?",
    "Responsibility",
    "Commentary",
    "Strategic Link",
]
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def red(text: str) -> TextBlock:
    return TextBlock(InlineFont(color="FFFF0000"), text)


def bold(text: str) -> TextBlock:
    return TextBlock(InlineFont(b=True), text)


def italic(text: str) -> TextBlock:
    return TextBlock(InlineFont(i=True), text)


def rich(*parts) -> CellRichText:
    return CellRichText(*parts)


@dataclass
class Fill:
    """A cell with a solid fill: rgb='FF0000', theme=9 with a tint, or indexed=17."""

    value: object = None
    rgb: str | None = None
    theme: int | None = None
    tint: float = 0.0
    indexed: int | None = None

    def colour(self) -> Color:
        if self.rgb:
            return Color(rgb="FF" + self.rgb)
        if self.theme is not None:
            return Color(theme=self.theme, tint=self.tint)
        return Color(indexed=self.indexed)


@dataclass
class Sheet:
    """One sheet: title rows, a header (optionally two rows), data rows, merges, hidden rows, its state."""

    name: str = "Plan"
    title_rows: list = field(default_factory=list)
    header: list | None = None
    header_below: list | None = None
    rows: list = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    state: str = "visible"
    hidden_rows: list[int] = field(default_factory=list)  # sheet row numbers
    first_column: int = 1
    conditional_rag_range: str | None = None

    @property
    def first_data_row(self) -> int:
        return len(self.title_rows) + (1 if self.header else 0) + (1 if self.header_below else 0) + 1

    def row_of(self, index: int) -> int:
        """The sheet row number of rows[index]."""
        return self.first_data_row + index


def make_workbook(*sheets: Sheet, epoch_1904: bool = False, **one_sheet) -> bytes:
    """The bytes of an .xlsx holding the sheets (or one sheet made from the keyword arguments)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    if epoch_1904:
        workbook.epoch = CALENDAR_MAC_1904
    for sheet in sheets or (Sheet(**one_sheet),):
        _write_sheet(workbook.create_sheet(sheet.name), sheet)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _write_sheet(worksheet, sheet: Sheet) -> None:
    worksheet.sheet_state = sheet.state
    lines = [row if isinstance(row, list) else [row] for row in sheet.title_rows]
    lines += [row for row in (sheet.header, sheet.header_below) if row is not None]
    lines += sheet.rows
    for row_number, values in enumerate(lines, start=1):
        for offset, value in enumerate(values):
            if value is None:
                continue
            cell = worksheet.cell(row=row_number, column=sheet.first_column + offset)
            if isinstance(value, Fill):
                cell.fill = PatternFill(fill_type="solid", fgColor=value.colour())
                value = value.value
            if value is not None:
                cell.value = value
    for merged in sheet.merges:
        worksheet.merge_cells(merged)
    for row_number in sheet.hidden_rows:
        worksheet.row_dimensions[row_number].hidden = True
    if sheet.conditional_rag_range:
        from openpyxl.formatting.rule import CellIsRule

        red_fill = PatternFill(fill_type="solid", fgColor="FFFF0000")
        worksheet.conditional_formatting.add(
            sheet.conditional_rag_range, CellIsRule(operator="equal", formula=['"x"'], fill=red_fill)
        )


def local_plan(rows: list, *, title: str = "Modern Slavery Delivery Plan 2020-21", **kwargs) -> bytes:
    """A one-sheet local plan with the seed's headings, title rows above them."""
    title_rows = kwargs.pop("title_rows", [title, "Priority: Modern Day Slavery", "Lead: DSupt Walton"])
    return make_workbook(Sheet(title_rows=title_rows, header=kwargs.pop("header", LOCAL_HEADER), rows=rows, **kwargs))


# Raw zip surgery, for the files openpyxl would never write.


def replace_part(data: bytes, name: str, content: bytes | None) -> bytes:
    """The workbook with one part replaced (or removed when content is None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == name:
                continue
            target.writestr(info.filename, source.read(info.filename))
        if content is not None:
            target.writestr(name, content)
    return stream.getvalue()


def add_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    for name, content in parts.items():
        data = replace_part(data, name, content)
    return data


def sheet_xml(data: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def with_cached_value(data: bytes, coordinate: str, value: str, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Give a formula cell the value Excel would have saved with it (openpyxl saves formulas without one)."""
    xml = sheet_xml(data, name)
    pattern = re.compile(rb'(<c r="' + coordinate.encode() + rb'"[^>]*?)(?: t="\w+")?>(<f>.*?</f>)<v\s*/?>(?:</v>)?')
    xml, count = pattern.subn(lambda m: m.group(1) + b' t="str">' + m.group(2) + b"<v>" + value.encode() + b"</v>", xml)
    assert count == 1, "formula cell not found"
    return replace_part(data, name, xml)


# Reading a built workbook in the import tests -------------------------------------------------------------


def read(data: bytes):
    return read_workbook(data, "plan.xlsx")


def only_plan(data: bytes):
    reading = read(data)
    assert len(reading.plans) == 1, [plan.title for plan in reading.plans]
    return reading.plans[0]


def refs(plan) -> list[str]:
    return [action.display_ref for action in plan.actions]


def messages(plan) -> str:
    return "\n".join(str(warning) for warning in plan.warnings)
