"""Hostile and wrong files end with one line saying what is wrong, and the database is left as it was.

Each file is built here (zip surgery on a workbook made in memory), one for each row of the table in
docs/spreadsheet-safety.md. Bombs are proven harmless by showing openpyxl never loads them.
"""

import io
import struct
import zipfile
from datetime import date

import pytest
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Action, AuditEvent, Objective, Plan, RagChange, StrategicLink, Update
from app.services.importing import saving as excel_import
from app.services.importing import sheet_cells
from app.services.importing import workbook as workbook_module
from app.services.importing.guard import (
    MAX_PART_BYTES,
    MAX_RECORD_ROWS,
    MAX_STREAMED_PART_BYTES,
    MAX_TOTAL_BYTES,
    WorkbookRejected,
    check_workbook,
)
from app.services.importing.saving import import_workbook
from app.services.importing.workbook import UNREADABLE as UNREADABLE_LINE
from tests.workbooks import (
    Fill,
    Sheet,
    add_parts,
    local_plan,
    make_workbook,
    replace_part,
    sheet_xml,
    with_cached_value,
)

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
OLD_OR_LOCKED = "This is an old .xls file or a password-protected workbook: save it as .xlsx without a password"
NOT_XLSX = "The file is not an Excel workbook (.xlsx)"
DAMAGED = "The file is damaged"
UNREADABLE = "The workbook could not be read"
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b"]>"
)


def a_plan(rows=None, **kwargs) -> bytes:
    return local_plan(rows or [["Prepare", 1, "Engage", "Partnerships", "DCI Chisholm", "Started"]], **kwargs)


@pytest.fixture
def existing(app, app_context):
    """A plan already in the tracker, so that 'unchanged' means something."""
    import_workbook(a_plan(title="Existing Delivery Plan 2019-20"), "existing.xlsx")
    return snapshot()


def snapshot() -> dict:
    models = (Plan, Objective, Action, Update, StrategicLink, RagChange, AuditEvent)
    counts = {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model)) for model in models}
    counts["versions"] = sorted(db.session.execute(db.select(Action.id, Action.version)).all())
    return counts


def assert_rejected(data: bytes, message: str, before: dict) -> str:
    with pytest.raises(WorkbookRejected) as raised:
        import_workbook(data, "plan.xlsx")
    text = raised.value.message
    assert message in text
    assert "\n" not in text
    db.session.rollback()
    assert snapshot() == before
    return text


@pytest.fixture
def openpyxl_must_not_load(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("load_workbook was called on a file the guard should have refused")

    monkeypatch.setattr(sheet_cells, "load_workbook", refuse)


def zip_of(parts: dict[str, bytes]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return stream.getvalue()


def huge_part(data: bytes, name: str, size: int) -> bytes:
    """Add a part of `size` bytes of one letter, written in chunks: tiny on disk, huge unpacked."""
    stream = io.BytesIO(data)
    with (
        zipfile.ZipFile(stream, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as out,
    ):
        chunk = b"A" * (1 << 20)
        for _ in range(size // len(chunk)):
            out.write(chunk)
    return stream.getvalue()


def sheet_with_cells(cells: bytes) -> bytes:
    return b"<worksheet " + MAIN_NS + b"><sheetData>" + cells + b"</sheetData></worksheet>"


# 1-5: not a workbook at all


def test_1_an_empty_file(existing):
    assert_rejected(b"", "The file is empty: choose the plan workbook (.xlsx) and try again", existing)


@pytest.mark.parametrize(
    "content", [b"Strand,No,What\nPrepare,1,Engage\n", b"<!doctype html><html><body><table></table></body></html>"]
)
def test_2_a_csv_or_html_file_renamed_xlsx(existing, content):
    assert_rejected(content, NOT_XLSX, existing)


def test_3_an_old_xls_file(existing):
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504 + b"Workbook"
    assert_rejected(ole, OLD_OR_LOCKED, existing)


def test_4_a_password_protected_workbook(existing):
    # Excel wraps an encrypted .xlsx in the same OLE container, with an EncryptedPackage stream inside
    encrypted = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 1000 + "EncryptedPackage".encode("utf-16-le")
    assert_rejected(encrypted, OLD_OR_LOCKED, existing)


def test_4b_a_zip_with_encrypted_parts(existing):
    data = bytearray(a_plan())
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01  # the "encrypted" general-purpose flag
    assert_rejected(bytes(data), OLD_OR_LOCKED, existing)


def test_5_a_truncated_workbook(existing):
    assert_rejected(a_plan()[:2048], DAMAGED, existing)


def test_5b_a_zip_that_is_not_a_workbook(existing):
    assert_rejected(zip_of({"readme.txt": b"hello"}), NOT_XLSX, existing)
    assert_rejected(replace_part(a_plan(), "[Content_Types].xml", None), NOT_XLSX, existing)


def test_5c_a_word_document_or_an_opendocument_spreadsheet(existing):
    word = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert_rejected(word, "This is a Word document, not an Excel workbook (.xlsx)", existing)
    ods = zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    assert_rejected(ods, "This is an OpenDocument spreadsheet (.ods)", existing)


# 6-8: XML attacks


def test_6_billion_laughs_in_the_shared_strings(existing):
    strings = LAUGHS + b"<sst " + MAIN_NS + b' count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    data = a_plan()
    types = (
        zipfile.ZipFile(io.BytesIO(data))
        .read("[Content_Types].xml")
        .replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    data = add_parts(data, {"[Content_Types].xml": types, "xl/sharedStrings.xml": strings})
    assert_rejected(data, UNREADABLE, existing)


def test_6b_billion_laughs_in_the_sheet(existing):
    data = a_plan()
    assert_rejected(replace_part(data, SHEET, LAUGHS + sheet_xml(data)), UNREADABLE, existing)


def test_7_an_external_entity_is_never_read(existing):
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    cells = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    message = assert_rejected(replace_part(a_plan(), SHEET, xxe + sheet_with_cells(cells)), UNREADABLE, existing)
    assert "root:" not in message
    assert not db.session.scalar(db.select(Update.id).where(Update.text.contains("root:")))


def test_8_the_app_refuses_to_start_without_defusedxml(monkeypatch):
    import openpyxl

    from app import create_app
    from config import TestConfig

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml is not installed"):
        create_app(TestConfig)


# 9-12: bombs


def test_9_one_huge_string_is_refused_before_openpyxl_loads_it(existing, openpyxl_must_not_load):
    data = huge_part(a_plan(), "xl/worksheets/sheet2.xml", MAX_PART_BYTES + (1 << 20))
    assert len(data) < 1024 * 1024
    assert_rejected(data, "Part of the workbook unpacks to more than 128 MB", existing)


def test_9b_parts_that_together_unpack_too_far(existing, openpyxl_must_not_load):
    data = a_plan()
    for number in range(3):
        data = huge_part(data, f"xl/media/image{number}.png", MAX_TOTAL_BYTES // 3 + (1 << 20))
    assert_rejected(data, "The workbook unpacks to more than 160 MB: split the plan and try again", existing)


def test_10_too_many_cells_are_counted_before_openpyxl_loads_them(existing, openpyxl_must_not_load):
    rows = b"".join(
        b'<row r="%d">' % row
        + b"".join(b'<c r="%s%d"><v>1</v></c>' % (bytes([64 + column]), row) for column in range(1, 14))
        + b"</row>"
        for row in range(1, 20_001)
    )
    data = replace_part(a_plan(), SHEET, sheet_with_cells(rows))
    assert_rejected(data, "The workbook has more than 250,000 cells", existing)


def test_10b_too_many_parts(existing, openpyxl_must_not_load):
    stream = io.BytesIO(a_plan())
    with zipfile.ZipFile(stream, "a") as archive:
        for number in range(600):
            archive.writestr(f"xl/customXml/item{number}.xml", b"<x/>")
    assert_rejected(stream.getvalue(), "The workbook has 6", existing)


def test_11_a_part_that_lies_about_its_size(existing):
    data = bytearray(a_plan())
    position = 0
    while (position := data.find(b"PK\x01\x02", position + 1)) != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == SHEET.encode():
            struct.pack_into("<I", data, position + 24, 40)  # claims 40 bytes unpacked
    assert_rejected(bytes(data), DAMAGED, existing)


def test_12_a_cell_at_the_far_corner_of_the_sheet(existing, openpyxl_must_not_load):
    cells = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    message = assert_rejected(replace_part(a_plan(), SHEET, sheet_with_cells(cells)), "XFD1048576", existing)
    assert message == (
        "Sheet 'Plan' has a cell at XFD1048576, beyond the 20,000 rows and 60 columns a plan can use: "
        "delete the stray cells and try again"
    )


def test_no_recognisable_plan(existing):
    data = make_workbook(title_rows=["Shopping list"], rows=[["milk"], ["eggs"]])
    assert_rejected(data, "No plan was found in the workbook", existing)


# 14-21: workbooks that import, with what was odd about them reported


def test_14_macros_and_external_links_are_ignored_with_a_warning(app_context, app):
    data = add_parts(
        a_plan(),
        {
            "xl/vbaProject.bin": b"\x00macro",
            "xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="x"/>',
            "xl/externalLinks/_rels/externalLink1.xml.rels": b'<Relationships><Relationship Target="file:///\\\\attacker\\share\\plan.xlsx"/></Relationships>',
        },
    )
    report = import_workbook(data, "plan.xlsm")
    assert [str(warning) for warning in report.warnings] == [
        "The file's macros were ignored",
        "Links to other workbooks were ignored: cells show the values Excel last saved",
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(Action)) == 1


def test_15_hidden_sheets_and_rows_are_listed_and_not_imported(app_context, app):
    header = ["Strand", "No", "What are we going to do?", "Commentary"]
    data = make_workbook(
        Sheet(
            "Plan", header=header, rows=[["Prepare", 1, "Engage", "x"], ["Prepare", 2, "Secret", "y"]], hidden_rows=[3]
        ),
        Sheet("Notes", header=header, rows=[["Prepare", 9, "Hidden", "z"]], state="hidden"),
        Sheet("Old", header=header, rows=[["Prepare", 8, "Very hidden", "z"]], state="veryHidden"),
    )
    report = import_workbook(data, "plan.xlsx")
    assert report.sheets_not_read == ["Notes (hidden)", "Old (hidden)"]
    assert "Sheet 'Plan' row 3: is hidden and was not imported" in "\n".join(report.summary_lines())
    assert [action.ref for action in db.session.scalars(db.select(Action))] == ["1"]


def test_16_formulas_import_their_saved_value_and_a_missing_value_is_flagged(app_context, app):
    data = make_workbook(
        header=["No", "Action", "Owner"], rows=[[1, "Engage", '="DCI "&"Chisholm"'], [2, "Plan", "=A1"]]
    )
    data = with_cached_value(data, "C2", "DCI Chisholm")
    report = import_workbook(data, "plan.xlsx")
    assert [action.responsibility for action in db.session.scalars(db.select(Action).order_by(Action.position))] == [
        "DCI Chisholm",
        "",
    ]
    assert "row 3: cell C3 holds a formula with no saved value, so it was read as empty" in "\n".join(
        str(w) for w in report.all_warnings
    )


def test_17_merged_cells_never_overwrite_commentary_and_the_header_is_not_an_action(app_context, app):
    import_workbook(a_plan(), "plan.xlsx")
    data = a_plan(
        [["Prepare", 1, "Engage", "Partnerships", "DCI Chisholm", "Started"], [None, None, None, None, None, None]],
        merges=["A4:B4", "F5:F6"],
    )
    report = import_workbook(data, "plan.xlsx")
    action = db.session.scalars(db.select(Action)).one()
    assert [update.text for update in action.updates] == ["Started"]
    assert report.plans[0].action_count == 1


def test_18_dates_are_read_day_first_and_free_text_is_kept(app_context, app):
    rows = [[1, "A", "03/04/2025"], [2, "B", 45747], [3, "C", "Q4 2024/25"]]
    import_workbook(make_workbook(header=["No", "Action", "Target date"], rows=rows), "plan.xlsx")
    stored = db.session.scalars(db.select(Action).order_by(Action.position)).all()
    assert [(action.target_date, action.target_date_text) for action in stored] == [
        (date(2025, 4, 3), None),
        (date(2025, 3, 31), None),
        (date(2025, 3, 31), None),  # the fourth quarter of 2024/25 ends on 31 March 2025
    ]


def test_19_rag_fill_colours_are_read_and_odd_ones_flagged(app_context, app):
    fills = [Fill(rgb="FF0000"), Fill(theme=9, tint=0.4), Fill(indexed=17), Fill(rgb="7030A0"), None]
    data = make_workbook(
        header=["No", "Action", "RAG"],
        rows=[[i + 1, "A", fill] for i, fill in enumerate(fills)],
        conditional_rag_range="C6",
    )
    report = import_workbook(data, "plan.xlsx")
    stored = db.session.scalars(db.select(Action).order_by(Action.position)).all()
    assert [action.rag for action in stored] == ["red", "amber", "green", None, None]
    warnings = "\n".join(str(w) for w in report.all_warnings)
    assert "row 5: the RAG cell's colour is not red, amber, green or blue" in warnings
    assert "row 6: the RAG colour comes from conditional formatting" in warnings


def test_20_a_database_error_part_way_rolls_back_the_whole_file(existing, monkeypatch):
    original = excel_import._PlanWriter.write_rows
    calls = []

    def fail_on_the_second_plan(writer):
        calls.append(writer)
        if len(calls) == 2:
            raise OperationalError("INSERT INTO update", {}, Exception("disk I/O error"))
        original(writer)

    monkeypatch.setattr(excel_import._PlanWriter, "write_rows", fail_on_the_second_plan)
    data = make_workbook(
        Sheet("Plan A", title_rows=["Plan A 2020-21"], header=["No", "Action", "Update"], rows=[[1, "A", "x"]]),
        Sheet("Plan B", title_rows=["Plan B 2020-21"], header=["No", "Action", "Update"], rows=[[1, "B", "y"]]),
    )
    assert_rejected(data, "The plan could not be saved, so nothing was imported", existing)


def test_21_importing_a_built_workbook_twice_creates_no_duplicates(existing):
    data = a_plan([["Prepare", 1, "Engage", "", "", "Started\n30/06/2020: Half done"], ["Prevent", 1, "Train"]])
    import_workbook(data, "plan.xlsx")
    once = snapshot()
    import_workbook(data, "plan.xlsx")
    assert snapshot() == once  # not even an audit event: the second import changed nothing


def test_10c_too_many_shared_strings(existing, openpyxl_must_not_load):
    strings = b"<sst " + MAIN_NS + b">" + b"<si><t>a</t></si>" * 250_001 + b"</sst>"
    data = add_parts(a_plan(), {"xl/sharedStrings.xml": strings})
    assert_rejected(data, "The workbook holds more than 250,000 pieces of text", existing)


# The guard finds sheets as openpyxl does, and bounds merges and dimensions before anything walks them


def test_22_a_merge_over_the_whole_sheet_is_refused_before_openpyxl_loads_it(existing, openpyxl_must_not_load):
    data = a_plan()
    xml = sheet_xml(data).replace(
        b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="H1:XFD1048576"/></mergeCells></worksheet>'
    )
    assert len(replace_part(data, SHEET, xml)) < 20_000
    message = assert_rejected(replace_part(data, SHEET, xml), "XFD1048576", existing)
    assert message.startswith("Sheet 'Plan' has a cell at XFD1048576, beyond the 20,000 rows")


def test_22b_many_merges_inside_the_sheet_are_refused(existing, openpyxl_must_not_load):
    merges = b"".join(b'<mergeCell ref="A%d:BH%d"/>' % (row, row + 99) for row in range(1, 20_000, 100))
    xml = sheet_xml(a_plan()).replace(b"</worksheet>", b"<mergeCells>" + merges + b"</mergeCells></worksheet>")
    assert_rejected(replace_part(a_plan(), SHEET, xml), "merges more than 250,000 cells", existing)


def test_22c_a_dimension_beyond_the_caps_is_refused(existing, openpyxl_must_not_load):
    xml = sheet_xml(a_plan()).replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)
    assert_rejected(replace_part(a_plan(), SHEET, xml), "XFD1048576", existing)


def test_23_a_sheet_kept_elsewhere_in_the_package_is_still_checked(existing, openpyxl_must_not_load):
    data = a_plan()
    archive = zipfile.ZipFile(io.BytesIO(data))
    rels = archive.read("xl/_rels/workbook.xml.rels").replace(b"worksheets/sheet1.xml", b"big/sheet1.xml")
    types = archive.read("[Content_Types].xml").replace(b"/xl/worksheets/sheet1.xml", b"/xl/big/sheet1.xml")
    cells = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (row, row) for row in range(1, 300_002))
    data = replace_part(data, SHEET, None)
    data = add_parts(data, {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})
    data = add_parts(data, {"xl/big/sheet1.xml": sheet_with_cells(cells)})
    assert_rejected(data, "beyond the 20,000 rows", existing)


def test_24_a_parser_failure_prints_one_line_and_no_traceback(app, runner, tmp_path):
    data = a_plan()
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(replace_part(data, SHEET, LAUGHS + sheet_xml(data)))
    result = runner.invoke(args=["plans", "import", str(path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [f"Error: {UNREADABLE_LINE}"]


def test_25_the_caps_count_data_rows_a_20000_action_sheet_passes_the_guard():
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (row, row, row)
        for row in range(1, 20_000 + 8)
    )
    data = replace_part(a_plan(), SHEET, sheet_with_cells(rows))
    check_workbook(data)  # title rows and the header above 20,000 actions are not counted against the plan


# 26-28: the export's record sheets (a row per update or decision) are never parsed whole, and still bounded


def exported_plan() -> tuple[bytes, str]:
    """The `existing` plan as the tracker exports it, and the part path of its Updates sheet."""
    from app.services.exporting.excel import export_workbook

    data = export_workbook(db.session.scalars(db.select(Plan)).one(), audience="internal", as_at=date(2025, 11, 25))
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.read("xl/workbook.xml").decode()
    assert names.index('name="Plan"') < names.index('name="Summary"') < names.index('name="Updates"')
    return data, "xl/worksheets/sheet3.xml"


def rows_of_ones(count: int) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (row, row) for row in range(1, count + 1))


def test_26_an_export_with_more_update_rows_than_a_plan_can_hold_is_read_without_parsing_them(existing, monkeypatch):
    data, updates_part = exported_plan()
    rows = 300_001  # beyond the plan's 20,000 rows and the workbook's 250,000 cells
    data = replace_part(data, updates_part, sheet_with_cells(rows_of_ones(rows)))
    loads, read = [], []
    real_load, real_read = sheet_cells.load_workbook, workbook_module.read_sheet

    def spy_load(*args, **kwargs):
        loads.append(kwargs.get("read_only"))
        return real_load(*args, **kwargs)

    def spy_read(workbook, worksheet):
        read.append(worksheet.title)
        return real_read(workbook, worksheet)

    monkeypatch.setattr(sheet_cells, "load_workbook", spy_load)
    monkeypatch.setattr(workbook_module, "read_sheet", spy_read)
    facts = check_workbook(data)
    assert sorted(facts.record_sheets.values()) == ["RAG decisions", "Reviews", "Summary", "Updates"]
    report = import_workbook(data, "export.xlsx")
    assert report.plans[0].action_count == 1
    # openpyxl only ever opens the file in read-only mode, which holds no sheet whole; only the plan sheet is
    # read cell by cell, and the Updates sheet is only streamed (for the restricted marks), within its own caps
    assert loads and all(loads)
    assert read == ["Plan"]


def test_26b_a_sheet_named_summary_in_another_workbook_is_skipped_unparsed_as_it_always_was(existing):
    bomb = Sheet(name="Summary", rows=[[n] for n in range(1, 30_001)])
    plan = Sheet(
        title_rows=["Modern Slavery Delivery Plan 2020-21"],
        header=["Strand", "No", "What are we going to do?", "Responsibility"],
        rows=[["Prepare", 1, "Engage", "DCI Chisholm"]],
    )
    data = make_workbook(plan, bomb)
    facts = check_workbook(data)
    assert list(facts.record_sheets.values()) == ["Summary"]
    assert import_workbook(data, "plan.xlsx").plans[0].action_count == 1


def test_27_an_updates_sheet_beyond_its_own_row_cap_is_refused(existing, openpyxl_must_not_load):
    data, updates_part = exported_plan()
    before = snapshot()
    far = MAX_RECORD_ROWS + 101
    cells = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="%d"><c r="A%d"><v>2</v></c></row>' % (far, far)
    message = assert_rejected(replace_part(data, updates_part, sheet_with_cells(cells)), f"A{far}", before)
    assert message == (
        f"Sheet 'Updates' has a cell at A{far}, beyond the 400,000 updates and 60 columns it can hold: "
        "delete the stray cells and try again"
    )


def test_27b_an_updates_sheet_that_unpacks_too_far_is_refused_unread(existing, openpyxl_must_not_load):
    data, updates_part = exported_plan()
    before = snapshot()
    data = huge_part(replace_part(data, updates_part, None), updates_part, MAX_STREAMED_PART_BYTES + (1 << 20))
    assert len(data) < 2 * 1024 * 1024
    assert_rejected(data, "The Updates sheet unpacks to more than 320 MB", before)


def test_28_a_workbook_part_the_guard_must_parse_cannot_be_a_bomb(existing, openpyxl_must_not_load):
    data = huge_part(replace_part(a_plan(), "xl/workbook.xml", None), "xl/workbook.xml", 9 * 1024 * 1024)
    assert_rejected(data, "Part of the workbook unpacks to more than 8 MB (xl/workbook.xml)", existing)
