"""Whole rows written at once into a constant-memory worksheet: the XML XlsxWriter writes, without its per-cell work.

XlsxWriter's `write_string` and friends cost more per cell than everything else an export does (checks, a cell
tuple stored, then at the next row a dispatch on the cell's type, its reference and its escaping, one small write
at a time). The long sheets (Plan, Updates) have a few cells a row in a fixed order, so `RowWriter` writes each of
their rows as one string, in XlsxWriter's own XML: the same element and attribute order, the same escaping (its
own functions), the same `ht`, so the file is the one XlsxWriter would have written.
`tests/test_export_rows.py` writes the same cells both ways and compares the sheets' XML byte for byte, which is
what holds this to the pinned XlsxWriter (requirements.txt) if it is ever upgraded.

A cell is given as its "tail": everything of its `<c>` element after `r="A1"`, made by the `*_tail` functions
from a format's index and the value. Values must already be what the export writes (cleaned, within Excel's limits).
"""

import re
from datetime import date, datetime

from xlsxwriter.utility import _datetime_to_excel_datetime, xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

SHORT_RUN = 12  # "28/11/2026: " and "\n": the runs a commentary repeats, each made once per sheet
ROWS_PER_WRITE = 200  # rows joined into one write to the worksheet's file
_escape_control = XMLwriter._escape_control_characters
# What makes XlsxWriter's control-character escaping change a string: its _xHHHH_ sequences, its control
# characters, the two non-characters. Text without any of them is passed over with one search.
_NEEDS_CONTROL_ESCAPE = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _preserve(text: str) -> str:
    """XlsxWriter's `xml:space` test (`^\\s` or `\\s$`: re's \\s is str.isspace, and `$` before a final line feed
    still finds a space, the line feed itself) without its two regular expressions."""
    return ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""


def _control(text: str) -> str:
    if "_x" not in text and text.isprintable():  # no _xHHHH_, and printable text holds no control or non-character
        return text
    return _escape_control(text) if _NEEDS_CONTROL_ESCAPE.search(text) else text


def _data(text: str) -> str:
    """XML character data as XlsxWriter escapes it (quotes are left alone in data)."""
    if "&" not in text and "<" not in text and ">" not in text:  # three scans in C, quicker than one search
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _style(xf_index: int) -> str:
    return f' s="{xf_index}"'  # every cell the export writes has a format


def blank_tail(xf_index: int) -> str:
    return f"{_style(xf_index)}/>"


def string_tail(xf_index: int, text: str) -> str:
    """An inline string, as `write_string` then a constant-memory row flush write it."""
    text = _control(text)
    return f'{_style(xf_index)} t="inlineStr"><is><t{_preserve(text)}>{_data(text)}</t></is></c>'


def printable_tail(xf_index: int, text: str) -> str:
    """`string_tail` of printable text without "_x" (what `clean` and the control-character escape leave as it is):
    printable text's only white space is the ASCII space, so `xml:space` asks for one at either end."""
    preserve = ' xml:space="preserve"' if text[0] == " " or text[-1] == " " else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' s="{xf_index}" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def number_tail(xf_index: int, number: float) -> str:
    return f"{_style(xf_index)}><v>{number:.16G}</v></c>"


class RunFonts:
    """The `<r><rPr>…</rPr>` that opens a rich-text run in each run format, written once per format by
    XlsxWriter's own font writer."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self._opened: dict[int, str] = {}
        self.short: dict[tuple[int, str], str] = {}  # whole runs of short text (date labels, line feeds), made once

    def opening(self, run_format) -> str:
        key = id(run_format)
        if key not in self._opened:
            from io import StringIO

            writer = XMLwriter()
            writer._set_filehandle(StringIO())
            kept, self.ws.rstring = getattr(self.ws, "rstring", None), writer
            try:
                self.ws._write_font(run_format)
            finally:
                self.ws.rstring = kept
            self._opened[key] = "<r>" + writer.fh.getvalue()
        return self._opened[key]


def rich_tail(xf_index: int, fonts: RunFonts, runs: list[tuple[object, str]]) -> str:
    """A rich inline string of (format, text) runs, every text non-empty, as `write_rich_string` writes it."""
    parts = []
    short = fonts.short
    for run_format, text in runs:
        if len(text) <= SHORT_RUN:
            key = (id(run_format), text)
            part = short.get(key)
            if part is None:
                part = short[key] = f"{fonts.opening(run_format)}<t{_preserve(text)}>{_control(_data(text))}</t></r>"
            parts.append(part)
        else:
            parts.append(f"{fonts.opening(run_format)}<t{_preserve(text)}>{_control(_data(text))}</t></r>")
    joined = "".join(parts)
    # XlsxWriter escapes the joined runs again. Each run's text has been escaped already, so no control character
    # is left in them (nor in the font XML): the second escape can only change an _xHHHH_, and so none without "_x".
    if "_x" in joined:
        joined = _control(joined)
    return f'{_style(xf_index)} t="inlineStr"><is>{joined}</is></c>'


class DateNumbers:
    """Dates as Excel's serial numbers, worked out once per date (a plan's updates share few dates)."""

    def __init__(self, ws: Worksheet):
        self.date_1904, self.remove_timezone = ws.date_1904, ws.remove_timezone
        self._numbers: dict[date, float] = {}

    def number(self, value: date) -> float:
        number = self._numbers.get(value)
        if number is None:
            moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
            number = _datetime_to_excel_datetime(moment, self.date_1904, self.remove_timezone)
            self._numbers[value] = number
        return number


class RowWriter:
    """Rows of one constant-memory worksheet, each written whole, after whatever XlsxWriter has written above them.

    `row(index, height, tails)` writes cells 0…n-1 of a row (heights in points, as `set_row` takes them); rows
    must go down the sheet, and are written to the file ROWS_PER_WRITE at a time. `close()` writes the last of
    them and tells the worksheet where the rows ended, so that it goes on from there: nothing else may write to
    the worksheet between the first row and `close()`.
    """

    def __init__(self, ws: Worksheet, columns: int):
        if not ws.constant_memory or ws.excel_version != 2007:
            raise ValueError("RowWriter writes constant-memory worksheets of the default Excel version only")
        self.ws = ws
        self.columns = columns
        self.refs = [xl_col_to_name(col) for col in range(columns)]
        self.first: int | None = None
        self.last: int | None = None
        self._heights: dict[float | None, tuple[int, str, list]] = {}
        self._pending: list[str] = []  # rows made but not yet written to the file
        # The row XlsxWriter still holds (the header) goes out now, before any of these rows' cells ask their
        # formats for an index, as it would go out when the first of them was written.
        ws._write_single_row(ws.previous_row + 1)

    def _height(self, points: float | None) -> tuple[int, str, list]:
        """(pixels, the row's height attributes, the row's `row_sizes` entry) as `set_row` then `_write_row` make
        them. XlsxWriter only reads `row_sizes` (to place drawings), so rows of one height share their entry."""
        known = self._heights.get(points)
        if known is None:
            ws = self.ws
            pixels = ws.default_row_height if points is None else int(points * 4.0 / 3.0 + 0.5)
            if pixels == 0:  # XlsxWriter hides such a row; nothing here asks for one
                raise ValueError("A row height of 0 hides the row")
            plain = pixels == ws.original_row_height == ws.default_row_height
            attributes = "" if plain else f' ht="{pixels * 0.75:.16g}" customHeight="1"'
            known = self._heights[points] = (pixels, attributes, [pixels, False])
        return known

    def row(self, index: int, height: float | None, tails: list[str]) -> None:
        ws = self.ws
        if self.last is None:
            if index < ws.previous_row:
                raise ValueError(f"Row {index} is above rows already written")
            self.first = index
        elif index <= self.last:
            raise ValueError(f"Row {index} comes after row {self.last}")
        _, attributes, size = self._height(height)
        if height is not None:
            ws.row_sizes[index] = size
        if len(tails) > self.columns:
            raise ValueError(f"Row {index} has {len(tails)} cells, more than the sheet's {self.columns} columns")
        number = index + 1
        cells = "".join([f'<c r="{ref}{number}"{tail}' for ref, tail in zip(self.refs, tails, strict=False)])
        pending = self._pending
        pending.append(f'<row r="{number}"{attributes}>{cells}</row>')
        if len(pending) >= ROWS_PER_WRITE:
            self._write()
        self.last = index

    def _write(self) -> None:
        self.ws.fh.write("".join(self._pending))
        self._pending.clear()

    def close(self) -> None:
        """Write the rows still held, and hand the worksheet back to XlsxWriter below them."""
        if self.last is None:
            return
        self._write()
        ws = self.ws
        ws._check_dimensions(self.last, 0)
        ws._check_dimensions(self.last, self.columns - 1)
        ws.previous_row = self.last  # XlsxWriter holds nothing of these rows: the next row it writes goes below
