"""The importer reads sheet XML itself (workbook_sheet): it must see what openpyxl's normal mode sees."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock

from app.services.importing.sheet_xml import RichText, SheetCells, SheetParser, SheetXmlRefused, WorkbookSheets
from tests.conftest import SEED_WORKBOOK
from tests.workbooks import bold, italic, red, replace_part, rich, sheet_xml


def every_kind_of_cell() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(["Text", 7, 2.5, True, datetime(2016, 3, 31), "=1+1", None, "x005F_underscore"])
    sheet.append([rich("Base text\n", red("Later in red"), " and ", bold("bold"), italic(" italic")), "#N/A"])
    sheet["C2"].number_format = "0.00"
    sheet.merge_cells("A3:C4")
    sheet["A3"] = "Merged across"
    sheet.row_dimensions[5].hidden = True
    sheet["A5"] = "Hidden row"
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    # A cached formula result and an error, as Excel saves them (openpyxl writes neither).
    xml = sheet_xml(data)
    xml = xml.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    assert b"<v>2</v>" in xml and b'<c r="B2" t="e"><v>#N/A</v></c>' in xml
    return replace_part(data, "xl/worksheets/sheet1.xml", xml)


def ours(data: bytes) -> dict[str, SheetCells]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, rich_text=True, data_only=True, keep_links=False)
    try:
        sheets = WorkbookSheets(workbook)
        return {worksheet.title: sheets.read(worksheet) for worksheet in workbook.worksheets}
    finally:
        workbook.close()


def runs_of(value) -> object:
    """Rich text as comparable (text, bold, italic, colour) runs, from openpyxl's objects or ours."""
    if isinstance(value, CellRichText):
        return [
            (part.text, bool(part.font.b), bool(part.font.i), part.font.color.rgb if part.font.color else None)
            if isinstance(part, TextBlock)
            else (part, False, False, None)
            for part in value
        ]
    if isinstance(value, RichText):
        return [
            (text, font.b, font.i, font.color.rgb if font.color else None) if font else (text, False, False, None)
            for text, font in value
        ]
    return value


@pytest.mark.parametrize("source", ["built", "seed"])
def test_every_cell_reads_as_openpyxl_normal_mode_reads_it(source):
    data = every_kind_of_cell() if source == "built" else open(SEED_WORKBOOK, "rb").read()
    theirs = load_workbook(io.BytesIO(data), rich_text=True, data_only=True, keep_links=False)
    mine = ours(data)
    compared = 0
    for worksheet in theirs.worksheets:
        sheet = mine[worksheet.title]
        assert (sheet.max_row, sheet.max_column) == (worksheet.max_row, worksheet.max_column)
        assert sheet.hidden_rows == {n for n, dimension in worksheet.row_dimensions.items() if dimension.hidden}
        assert sorted(str(r) for r in sheet.merged) == sorted(str(r) for r in worksheet.merged_cells.ranges)
        for row in worksheet.iter_rows():
            for cell in row:
                found = sheet.cells.get((cell.row, cell.column))
                if isinstance(cell, MergedCell) or cell.value is None:
                    assert found is None or found.value is None, cell.coordinate
                    continue
                assert runs_of(found.value) == runs_of(cell.value), cell.coordinate
                assert found.data_type == cell.data_type, cell.coordinate
                compared += 1
    assert compared >= (10 if source == "built" else 100)


def test_the_built_workbook_holds_what_the_comparison_needs():
    sheet = ours(every_kind_of_cell())["Plan"]
    assert sheet.cells[(1, 6)].value == 2  # the cached result, not the formula
    assert sheet.cells[(2, 2)].data_type == "e" and sheet.cells[(1, 5)].data_type == "d"
    assert sheet.cells[(1, 8)].value == "underscore"  # Excel's escape for "_x" undone as openpyxl does
    assert [text for text, font in sheet.cells[(2, 1)].value if font] == ["Later in red", "bold", " italic"]
    assert sheet.hidden_rows == {5} and (3, 2) not in sheet.cells


@pytest.mark.parametrize(
    "prolog",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        b"<!-- a comment first --><!doctype worksheet>",
        b" " * (2 << 20),  # no root element within the first megabyte
    ],
)
def test_a_sheet_that_declares_a_dtd_is_refused_before_it_is_parsed(prolog):
    xml = (
        prolog
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    )
    with pytest.raises(SheetXmlRefused):
        SheetParser([], set(), set(), None).parse(io.BytesIO(xml), SheetCells("Plan", "visible"))
