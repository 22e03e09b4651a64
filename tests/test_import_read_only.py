"""The importer reads each sheet in openpyxl's read-only mode and one pass (app/services/importing/sheet_cells.py);
it gives, cell for cell, what openpyxl's normal mode gave (tests/normal_mode.py, the reader it replaced): the
same values and types, rich runs and their fonts, fonts and fills, merged ranges, hidden rows and columns, rows
hidden by a filter and conditional formats. Checked on every corpus file (LibreOffice copies too), on the bench's
workbook as openpyxl and XlsxWriter write it, and on a sheet holding the odd things a file can hold."""

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Color, Font, PatternFill

from app.services.importing.sheet_cells import open_workbook, read_sheet
from bench import workbook as bench_workbook
from tests.normal_mode import differences, normal_mode_sheets
from tests.workbooks import bold, red, replace_part, rich

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.xlsx"))


def assert_read_as_normal_mode(data: bytes) -> int:
    """Every sheet of the workbook read both ways; the cells compared (and counted, so a test can say it read)."""
    expected = normal_mode_sheets(data)
    workbook = open_workbook(data)
    try:
        found = {worksheet.title: read_sheet(workbook, worksheet) for worksheet in workbook.worksheets}
    finally:
        workbook.close()
    assert found.keys() == expected.keys()
    for title, sheet in found.items():
        assert differences(expected[title], sheet) == [], title
    return sum(len(sheet.cells) for sheet in found.values())


def test_the_corpus_holds_libreoffice_copies():
    assert len(CORPUS_FILES) >= 20 and sum(".libreoffice." in path.name for path in CORPUS_FILES) >= 5


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[path.name for path in CORPUS_FILES])
def test_each_corpus_file_reads_as_normal_mode_read_it(path):
    assert assert_read_as_normal_mode(path.read_bytes()) > 20


def test_the_bench_workbook_reads_as_normal_mode_read_it_as_openpyxl_and_xlsxwriter_write_it():
    assert assert_read_as_normal_mode(bench_workbook.build(200)) > 1000  # inline strings, rich ones too
    assert assert_read_as_normal_mode(bench_workbook.build(200, writer="xlsxwriter")) > 1000  # shared strings


def _odd_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(["Strand", "No", "What", "Lead", "RAG", "Commentary", "Target"])
    rows = [
        ["Prepare", 1, "Train staff", "DI Shah", "G", rich("Started. ", red("Done 12/01/16")), datetime(2016, 3, 31)],
        ["Prepare", 2, "Line one_x000D_\nline two", "DS Cole", None, rich(bold("Update 04/01/16"), " plain"), 42],
        ["Prevent", 3, "=not a formula", True, "#N/A", "plain", 3.5],
        ["Protect", 4, "Hidden by hand", "PC Ray", "A", None, None],
        ["Pursue", 5, "Filtered out", "PC Ray", "R", None, None],
    ]
    for row in rows:
        sheet.append(row)
    sheet["C4"].value = "=not a formula"
    sheet["C4"].data_type = "s"
    sheet["E3"].fill = PatternFill(fill_type="solid", fgColor="FF00B050")
    sheet["E8"].fill = PatternFill(fill_type="solid", fgColor=Color(theme=5, tint=0.4))  # an empty coloured cell
    sheet["E9"].fill = PatternFill(fill_type="gray125")  # an empty cell with a fill that is not solid
    sheet["E2"].font = Font(color="FF00B050", bold=True)
    sheet["F9"].font = Font(italic=True)  # an empty, styled, uncoloured cell
    sheet["G10"].hyperlink = "https://example.org/emptied"  # its value is taken out below: an empty linked cell
    sheet["G11"] = "Guidance"
    sheet["G11"].hyperlink = "https://example.org/guidance"
    sheet.merge_cells("A12:C13")
    sheet["A12"] = "Key: merged over text written in the covered cells"
    sheet.column_dimensions.group("H", "I", hidden=True)
    sheet["H2"] = "in a hidden column"
    sheet.row_dimensions[5].hidden = True
    sheet.row_dimensions[6].hidden = True
    sheet.auto_filter.ref = "A1:G6"
    sheet.auto_filter.add_filter_column(0, ["Prepare", "Prevent", "Protect"])
    sheet.conditional_formatting.add("E2:E6", CellIsRule(operator="equal", formula=['"R"'], fill=PatternFill()))
    hidden = workbook.create_sheet("Lists")
    hidden.sheet_state = "hidden"
    hidden.append(["Prepare", "Prevent"])
    stream = io.BytesIO()
    workbook.save(stream)
    data = stream.getvalue()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    xml = re.sub(rb'<c r="G10"[^>]*>.*?</c>', b"", xml, count=1)  # the linked cell emptied
    covered = b'<c r="B12" t="inlineStr"><is><t>covered</t></is></c>'
    xml = re.sub(rb'(<c r="A12".*?</c>)', rb"\1" + covered, xml, count=1)  # text under a merge
    xml = re.sub(rb'(<row r="5"[^>]*?)hidden="1"', rb'\1hidden="true"', xml, count=1)
    xml = xml.replace(
        b"</hyperlinks>",
        b'<hyperlink ref="D15" location="Lists!A1"/><hyperlink ref="B13" location="Lists!B1"/>'
        b'<hyperlink ref="F20:G21" location="Lists!A1"/></hyperlinks>',
    )
    empty_format = b'<conditionalFormatting sqref="A1"></conditionalFormatting>'  # no rules: not there
    xml = xml.replace(b"<conditionalFormatting", empty_format + b"<conditionalFormatting", 1)
    return replace_part(data, "xl/worksheets/sheet1.xml", xml)


def test_a_sheet_of_odd_cells_reads_as_normal_mode_read_it():
    data = _odd_workbook()
    assert assert_read_as_normal_mode(data) > 30
    workbook = open_workbook(data)
    sheet = read_sheet(workbook, workbook["Plan"])
    workbook.close()
    # what the comparison above covers, so that it cannot pass for want of anything to compare
    assert sheet.cells[(10, 7)].value == "https://example.org/emptied"
    assert sheet.cells[(15, 4)].value == "Lists!A1" and (12, 2) not in sheet.cells and b'"B12"' in _sheet_xml(data)
    assert sheet.hidden_columns == {8, 9} and sheet.hidden_rows == {5} and sheet.filtered_rows == {6}
    assert [str(sqref) for sqref in sheet.conditional] == ["E2:E6"]
    assert sheet.cells[(8, 5)].fill.fill_type == "solid" and sheet.cells[(8, 5)].value is None
    assert str(sheet.cells[(2, 6)].value) == "Started. Done 12/01/16"


def _sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
