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
import xlsxwriter
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Color, Font, PatternFill

from app.services.importing import sheet_cells
from app.services.importing.sheet_cells import RichText, open_workbook, read_sheet
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


# The shared strings (and inline strings) are read by the tracker's own reading of their XML (sheet_cells._string)
# for the shapes Excel, LibreOffice, XlsxWriter and openpyxl write, and by openpyxl's own code for anything else.
# Both give what normal mode gives; the corpus and the bench workbook must be read by the tracker's reading alone,
# or the comparisons above would not be testing it.


def _counting_openpyxl_strings(monkeypatch) -> list:
    calls: list = []
    original = sheet_cells._openpyxl_string

    def counted(node):
        calls.append(node.tag)
        return original(node)

    monkeypatch.setattr(sheet_cells, "_openpyxl_string", counted)
    return calls


def _shared_string_count(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "xl/sharedStrings.xml" not in archive.namelist():
            return 0
        return archive.read("xl/sharedStrings.xml").count(b"<si")


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[path.name for path in CORPUS_FILES])
def test_each_corpus_files_strings_are_read_by_the_trackers_own_reading(path, monkeypatch):
    calls = _counting_openpyxl_strings(monkeypatch)
    assert assert_read_as_normal_mode(path.read_bytes()) > 20
    assert calls == []


def test_the_corpus_holds_shared_strings_and_rich_runs_in_them():
    rich_runs = 0
    for path in CORPUS_FILES:
        with zipfile.ZipFile(path) as archive:
            if "xl/sharedStrings.xml" in archive.namelist():
                rich_runs += archive.read("xl/sharedStrings.xml").count(b"<rPr")
    assert sum(_shared_string_count(path.read_bytes()) > 0 for path in CORPUS_FILES) >= 5 and rich_runs >= 10


def test_the_bench_workbooks_strings_are_read_by_the_trackers_own_reading(monkeypatch):
    calls = _counting_openpyxl_strings(monkeypatch)
    data = bench_workbook.build(200, writer="xlsxwriter")
    assert _shared_string_count(data) > 500
    assert assert_read_as_normal_mode(data) > 1000
    assert calls == []


MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ODD_STRINGS = [
    b"<t>plain</t>",
    b'<t xml:space="preserve">  spaced  </t>',
    b"<t>Line one_x000D_\nline two _x0041__x005F_x0042_ x005F_kept _x005f_x0043_</t>",  # escapes, and their escape
    b"<t></t>",  # empty
    b"",  # no text at all
    b"<t>first</t><t>last</t>",  # the last <t> wins
    b"<r><t>no font </t></r><r><t>either</t></r>",  # runs without fonts: plain text
    b'<r><t>plain </t></r><r><rPr><b/><color rgb="FFFF0000"/><sz val="11"/><rFont val="Arial"/></rPr><t>red</t></r>',
    b'<r><rPr><b val="0"/><i/><u/><color theme="5" tint="-0.25"/></rPr><t>theme_x000D_\n</t></r>',
    b'<r><rPr><color indexed="10"/><strike val="false"/></rPr><t>indexed</t></r><r><rPr/><t></t></r>',
    b'<r><rPr><b/><color rgb="FFFF0000"/><sz val="11"/><rFont val="Arial"/></rPr><t>same font again</t></r>',
    b"<r><rPr><b/></rPr></r>",  # a run with a font and no text
    b'<t>both</t><r><rPr><color rgb="FF00FF00"/></rPr><t>run</t></r>',  # text and runs: openpyxl keeps the text
    b'<r><t>a</t><rPh sb="0" eb="1"><t>ey</t></rPh></r>',  # phonetic: openpyxl's own reading
    b'<t>kanji</t><rPh sb="0" eb="1"><t>kana</t></rPh><phoneticPr fontId="1"/>',
    b'<r><rPr><color rgb="FF0000FF"><extra/></color></rPr><t>nested font</t></r>',
    b"<r><rPr><b/></rPr><t>odd </t><other/></r><r><t>element in a run</t></r>",
    b"<unknown/><t>unknown element</t>",
]


def _odd_strings_workbook(shapes: list[bytes], inline: bool = False) -> bytes:
    """A sheet whose column A holds each shape as a shared string (or, inline, as the cell's own <is>)."""
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    sheet = workbook.add_worksheet("Plan")
    for number in range(len(shapes)):
        sheet.write_string(number, 0, f"placeholder {number}")
        sheet.write_number(number, 1, number)
    workbook.close()
    data = stream.getvalue()
    if inline:
        xml = _sheet_xml(data)
        for number, shape in enumerate(shapes):
            cell = b'<c r="A%d" t="s"><v>%d</v></c>' % (number + 1, number)
            assert cell in xml
            xml = xml.replace(cell, b'<c r="A%d" t="inlineStr"><is>%s</is></c>' % (number + 1, shape))
        return replace_part(data, "xl/worksheets/sheet1.xml", xml)
    strings = b"".join(b"<si>" + shape + b"</si>" for shape in shapes)
    table = b'<sst xmlns="%s" count="%d" uniqueCount="%d">' % (MAIN, len(shapes), len(shapes))
    return replace_part(data, "xl/sharedStrings.xml", table + strings + b"</sst>")


@pytest.mark.parametrize("inline", [False, True], ids=["shared", "inline"])
def test_strings_of_every_shape_read_as_normal_mode_read_them(inline, monkeypatch):
    calls = _counting_openpyxl_strings(monkeypatch)
    data = _odd_strings_workbook(ODD_STRINGS, inline=inline)
    assert assert_read_as_normal_mode(data) == 2 * len(ODD_STRINGS)  # an empty string is a cell, as in openpyxl
    assert len(calls) == 5  # text and runs, the two phonetic ones, the odd element in a run, the unknown one
    workbook = open_workbook(data)
    cells = read_sheet(workbook, workbook["Plan"]).cells
    workbook.close()
    # what the comparison covers, so that it cannot pass for want of anything to compare
    assert cells[(3, 1)].value == "Line one\nline two AB kept _x0043_"  # as openpyxl, then unescape, read it
    assert cells[(6, 1)].value == "last" and cells[(7, 1)].value == "no font either"
    runs = cells[(8, 1)].value
    assert isinstance(runs, RichText) and [text for text, _ in runs] == ["plain ", "red"] and runs[0][1] is None
    assert runs[1][1].b is True and runs[1][1].color.rgb == "FFFF0000"
    assert cells[(9, 1)].value[0][0] == "theme\n" and cells[(9, 1)].value[0][1].u == "single"
    assert cells[(11, 1)].value[0][1] == runs[1][1]
    assert cells[(13, 1)].value == "both" and cells[(15, 1)].value == "kanji"
    assert cells[(4, 1)].value == "" and cells[(5, 1)].value == ""


def test_a_run_font_openpyxl_refuses_is_refused_as_before():
    data = _odd_strings_workbook([b'<r><rPr><color rgb="not a colour"/></rPr><t>text</t></r>'])
    with pytest.raises(ValueError):
        normal_mode_sheets(data)
    with pytest.raises(ValueError):
        open_workbook(data)


def _sizes(data: bytes) -> dict[str, tuple]:
    """Each sheet's (min column, min row, max column, max row) as a read-only workbook opened from `data` holds
    them: 1, 1, None, None where the sheet says nothing of its size."""
    workbook = open_workbook(data)
    try:
        return {ws.title: (ws._min_column, ws._min_row, ws._max_column, ws._max_row) for ws in workbook.worksheets}
    finally:
        workbook.close()


def _sizes_as_openpyxl_gave_them(data: bytes, monkeypatch) -> dict[str, tuple]:
    with monkeypatch.context() as patch:
        patch.setattr(sheet_cells.ReadOnlyWorksheet, "_get_size", sheet_cells.OPENPYXLS_GET_SIZE)
        return _sizes(data)


def test_each_sheets_size_is_the_one_openpyxl_gives_on_every_corpus_file_and_the_export(app_context, monkeypatch):
    from app.services.exporting.excel import export_workbook
    from tests.factories import make_plan

    export = export_workbook(make_plan(actions=30, updates_per_action=2), audience="internal")
    workbooks = [path.read_bytes() for path in CORPUS_FILES] + [bench_workbook.build(50), export]
    known = 0
    for data in workbooks:
        sizes = _sizes(data)
        assert sizes == _sizes_as_openpyxl_gave_them(data, monkeypatch)
        known += sum(size[3] is not None for size in sizes.values())
    assert known >= len(workbooks)  # real sizes were compared, not only missing ones


def test_a_sheet_without_a_dimension_is_not_parsed_to_learn_its_size(monkeypatch):
    """No `<dimension>`: the size is unknown, as openpyxl had it, but the rows are not parsed to find that out.
    Here the rows are not even XML: openpyxl's own look parses them, and fails."""
    data = bench_workbook.build(5)
    part = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    assert re.search(r"<dimension [^>]*/>", xml)
    xml = re.sub(r"<dimension [^>]*/>", "", xml).replace("<sheetData>", "<sheetData><row r=1 <<< not XML", 1)
    data = replace_part(data, part, xml.encode())
    sizes = _sizes(data)
    assert next(iter(sizes.values())) == (1, 1, None, None)
    with pytest.raises(SyntaxError):  # ElementTree's ParseError
        _sizes_as_openpyxl_gave_them(data, monkeypatch)
