"""The long sheets' rows are written whole (app/services/exporting/rows.py), in the XML XlsxWriter itself writes:
the same cells written both ways make the same worksheet and styles, byte for byte. This is what holds the row
writer to the pinned XlsxWriter if it is ever upgraded."""

import io
import zipfile
from datetime import date

import pytest
from xlsxwriter.workbook import Workbook

from app.services.exporting import rows as rows_module
from app.services.exporting.excel import WORKBOOK_OPTIONS
from app.services.exporting.rows import DateNumbers, RowWriter, RunFonts
from app.services.exporting.styles import CellWriter

AWKWARD = [
    "Plain words",
    " leading and trailing spaces ",
    "Ampersands & <angle brackets> and \"quotes\" and 'apostrophes'",
    "Lines\nof text\nand\ttabs",
    "Excel's own escapes: _x0041_ and _x005F_x0042_ stay as typed",
    "A non-character \ufffe and an emoji 🙂",
    "=1+1 starts like a formula",
    "-5 starts like a formula too",
    "Ends with a line feed\n",
    "\u00a0a non-breaking space first, an ideographic space last\u3000",
    "Next line \x85 inside",
    "",
]
HEIGHTS = [None, 15, 12.75, 27.5, 409]


def cells(writer: CellWriter) -> list[list[tuple]]:
    """Rows of (kind, value, style) covering every kind of cell the long sheets write."""
    rich = [
        (writer.plain_run, "01/10/2025: "),
        (writer.plain_run, " Started & <going> _x0041_ "),
        (writer.plain_run, "\n"),
        (writer.later_run, "02/10/2025: "),
        (writer.later_run, "Second\tline "),
        (writer.plain_run, "\n"),
        (writer.latest_run, "=03/10/2025: "),
        (writer.latest_run, "Newest \ufffe"),
    ]
    rows = []
    for n, text in enumerate(AWKWARD):
        rows.append(
            [
                ("text", text, "Plan group" if n % 2 else "Plan group more"),
                ("number", n + 1, "Plan number") if n % 3 else ("text", f"3.3c.{n}", "Plan text"),
                ("text", text, "Plan text"),
                ("rich", rich if n % 2 else [(writer.plain_run, text), (writer.later_run, "")], "Plan text"),
                ("rag", [None, "Red", "Amber", "Green", "Blue"][n % 5], None),
                ("date", date(2025, 1 + n, 28) if n % 4 else None, "kept text" if n % 8 else ""),
            ]
        )
    return rows


def _rag(value):
    from app.models import Rag

    return {"Red": Rag.RED, "Amber": Rag.AMBER, "Green": Rag.GREEN, "Blue": Rag.BLUE}.get(value)


def write(by_rows: bool) -> dict[str, bytes]:
    buffer = io.BytesIO()
    book = Workbook(buffer, WORKBOOK_OPTIONS)
    writer = CellWriter(book)
    ws = book.add_worksheet("Plan")
    writer.text(ws, 0, 0, "A title", "Plan title")
    for col in range(6):
        writer.text(ws, 2, col, f"Heading {col}", "Plan header")
    table = cells(writer)
    if by_rows:
        rows, fonts, dates = RowWriter(ws, 6), RunFonts(ws), DateNumbers(ws)
    for offset, row_cells in enumerate(table):
        row = 3 + offset
        height = HEIGHTS[offset % len(HEIGHTS)]
        if by_rows:
            tails = []
            for kind, value, style in row_cells:
                if kind == "text":
                    tails.append(writer.text_tail(value, style))
                elif kind == "number":
                    tails.append(writer.number_tail(value, style))
                elif kind == "rich":
                    tails.append(writer.rich_tail(fonts, value, style))
                elif kind == "rag":
                    tails.append(writer.rag_tail(_rag(value)))
                else:
                    tails.append(writer.date_tail(dates, value, text=style))
            rows.row(row, height, tails)
        else:
            if height is not None:
                ws.set_row(row, height)
            for col, (kind, value, style) in enumerate(row_cells):
                if kind == "text":
                    writer.text(ws, row, col, value, style)
                elif kind == "number":
                    writer.number(ws, row, col, value, style)
                elif kind == "rich":
                    writer.rich(ws, row, col, value, style)
                elif kind == "rag":
                    writer.rag(ws, row, col, _rag(value))
                else:
                    writer.date(ws, row, col, value, text=style)
    if by_rows:
        rows.close()
    last = 3 + len(table) + 1
    writer.text(ws, last, 0, "Written by XlsxWriter again, below the rows", "Plan subtitle")
    ws.autofilter(2, 0, last - 2, 5)
    book.close()
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_rows_written_whole_are_the_rows_xlsxwriter_writes_byte_for_byte():
    expected, written = write(by_rows=False), write(by_rows=True)
    assert written.keys() == expected.keys()
    sheet = "xl/worksheets/sheet1.xml"
    assert b"_x005F_x0041_" in expected[sheet] and b'xml:space="preserve"' in expected[sheet]  # the cases are met
    assert b'customHeight="1"' in expected[sheet] and b"<r><rPr>" in expected[sheet]
    assert written[sheet] == expected[sheet]
    assert written["xl/styles.xml"] == expected["xl/styles.xml"]
    assert all(written[name] == expected[name] for name in expected)


def test_whitespace_is_preserved_where_xlsxwriter_preserves_it():
    from xlsxwriter.utility import _preserve_whitespace

    for code in range(0x10000):
        char = chr(code)
        for text in (char + "x", "x" + char, "x" + char + "\n", char):
            assert bool(rows_module._preserve(text)) == bool(_preserve_whitespace(text)), hex(code)


def test_control_characters_are_escaped_where_xlsxwriter_escapes_them():
    from xlsxwriter.xmlwriter import XMLwriter

    for code in range(0x10000):
        char = chr(code)
        for text in (char, "a" + char + "b", "_x00" + char + "1_", "_x0041_" + char):
            assert rows_module._control(text) == XMLwriter._escape_control_characters(text), hex(code)


def test_the_quick_paths_write_what_the_general_ones_write_for_every_character():
    """`text_tail` passes printable text without "_x" straight to `printable_tail`, and `rich_tail` escapes the
    joined runs again only when they hold "_x" (and keeps short runs once made): for every character of the
    Basic Multilingual Plane, in every position, the same tail as cleaning, escaping and joining every time."""
    from app.services.exporting.safe_text import clean, starts_like_formula

    book = Workbook(io.BytesIO(), WORKBOOK_OPTIONS)
    writer = CellWriter(book)
    ws = book.add_worksheet("Plan")
    fonts = RunFonts(ws)

    def general_text(value: str) -> str:
        text = clean(value)
        if not text:
            return rows_module.blank_tail(writer._index("Plan text"))
        return rows_module.string_tail(writer._index("Plan text", starts_like_formula(text)), text)

    def general_rich(runs) -> str:
        parts = [
            f"{fonts.opening(run_format)}<t{rows_module._preserve(text)}>"
            f"{rows_module._control(rows_module._data(text))}</t></r>"
            for run_format, text in runs
        ]
        return f' s="{writer._index("Plan text")}" t="inlineStr"><is>{rows_module._control("".join(parts))}</is></c>'

    for code in [*range(0x10000), 0x1F642, 0x10FFFF]:
        char = chr(code)
        for text in (char, f" {char} ", f"a{char}b", f"={char}", f"_x00{char}1_"):
            assert writer.text_tail(text) == general_text(text), hex(code)
        runs = [(writer.plain_run, f"a{char}"), (writer.plain_run, "\n"), (writer.later_run, f"{char}b{char}")]
        short = [(writer.latest_run, char), (writer.plain_run, f"_x004{char}_")]
        for each in (runs, short):
            assert rows_module.rich_tail(writer._index("Plan text"), fonts, each) == general_rich(each), hex(code)
    book.close()


def test_rows_go_down_the_sheet_only():
    book = Workbook(io.BytesIO(), WORKBOOK_OPTIONS)
    writer = CellWriter(book)
    ws = book.add_worksheet("Plan")
    writer.text(ws, 4, 0, "Header", "Plan header")
    rows = RowWriter(ws, 1)
    with pytest.raises(ValueError, match="above rows already written"):
        rows.row(3, None, [writer.text_tail("x")])
    rows.row(6, None, [writer.text_tail("x")])
    with pytest.raises(ValueError, match="comes after row 6"):
        rows.row(6, None, [writer.text_tail("y")])
    book.close()


def test_only_constant_memory_worksheets_are_written_by_rows():
    book = Workbook(io.BytesIO(), {**WORKBOOK_OPTIONS, "constant_memory": False, "in_memory": True})
    with pytest.raises(ValueError, match="constant-memory"):
        RowWriter(book.add_worksheet("Plan"), 3)
    book.close()
