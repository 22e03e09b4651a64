"""The look of an exported workbook, and the one way its cells are written.

XlsxWriter formats are made once per workbook and every cell is written by `CellWriter`, so a plan of 5,000
actions and 50,000 updates costs little more than writing the bare values. Text cells always go through
safe_text and `write_string`: never a formula, never an error cell. Every format names one font (Arial, as the
plans are written), so no spreadsheet program falls back to its own default.
"""

import datetime as dt
from datetime import date, datetime
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.models import Rag
from app.services.exporting import rows
from app.services.exporting.safe_text import EXCEL_CELL_LIMIT, FORMULA_TRIGGERS, clean, starts_like_formula

FONT = {"font_name": "Arial", "font_size": 10, "font_scheme": "none"}  # "none": not the theme's font
RAG_COLOURS = {Rag.RED: "FFFF0000", Rag.AMBER: "FFFFC000", Rag.GREEN: "FF00B050", Rag.BLUE: "FF0070C0"}
RAG_WORDS = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green", Rag.BLUE: "Blue"}
NOT_SET = "Not set"
NOT_SET_COLOUR = "FFBFBFBF"
LATEST_UPDATE_COLOUR = "FFFF0000"  # plans have always marked the newest commentary in red
DATE_FORMAT = "DD/MM/YYYY"
_BOX = {"border": 1, "border_color": "#808080"}
_TOP_WRAPPED = {"text_wrap": True, "valign": "top"}
_SHORT_ENOUGH = EXCEL_CELL_LIMIT // 2  # text this long is never cut (safe_text.fit)


def _hex(argb: str) -> str:
    return "#" + argb[2:]


def _styles() -> dict[str, dict[str, Any]]:
    styles: dict[str, dict[str, Any]] = {
        "Plan title": {"bold": True, "font_size": 14},
        "Plan subtitle": {"bold": True},
        "Plan marking": {"bold": True, "font_color": "#000000"},
        "Plan header": {"bold": True, "bg_color": "#D9D9D9", **_BOX, "text_wrap": True, "valign": "vcenter"},
        # Short headings over figures: centred on one line, never wrapped over the numbers below.
        "Figure header": {"bold": True, "bg_color": "#D9D9D9", **_BOX, "align": "center", "valign": "vcenter"},
        "Plan text": {**_BOX, **_TOP_WRAPPED},
        "Plan group": {"bold": True, **_BOX, **_TOP_WRAPPED},
        # The strand repeated on the rows after its first: the same words in grey with no rule between rows,
        # so a strand reads as one block and still survives sorting and filtering.
        "Plan group more": {
            "bold": True,
            "font_color": "#7F7F7F",
            "left": 1,
            "right": 1,
            "left_color": "#808080",
            "right_color": "#808080",
            **_TOP_WRAPPED,
        },
        "Plan date": {**_BOX, **_TOP_WRAPPED, "num_format": DATE_FORMAT},
        "Plan number": {**_BOX, "valign": "top"},
        "Figure": {**_BOX, "align": "center", "valign": "top"},
        "Figure zero": {**_BOX, "align": "center", "valign": "top", "font_color": "#7F7F7F"},
    }
    for rag, colour in RAG_COLOURS.items():
        styles[f"RAG {RAG_WORDS[rag]}"] = {
            "bold": True,
            "font_color": "#000000" if rag is Rag.AMBER else "#FFFFFF",
            "bg_color": _hex(colour),
            **_BOX,
            "align": "center",
            "valign": "top",
        }
    styles[f"RAG {NOT_SET}"] = {"bg_color": _hex(NOT_SET_COLOUR), **_BOX, "align": "center", "valign": "top"}
    return styles


def rag_style(rag: Rag | None) -> str:
    return f"RAG {RAG_WORDS[rag] if rag else NOT_SET}"


def rag_word(rag: Rag | None) -> str:
    """The RAG as a word; "Not set" when nobody has set one, so an empty cell never stands for a value."""
    return RAG_WORDS[rag] if rag else NOT_SET


class CellWriter:
    """Writes the cells of one workbook with its shared formats (row and column are 0-based, as XlsxWriter's)."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self._styles = _styles()
        self._formats: dict[tuple[str, bool], Any] = {}
        self._indices: dict[tuple[str, bool], int] = {}  # each format's xf index, once it has been asked for
        self.plain_run = self.run_format()
        self.later_run = self.run_format(italic=True)
        self.latest_run = self.run_format(font_color=_hex(LATEST_UPDATE_COLOUR))

    def format(self, style: str, *, quoted: bool = False):
        """The format of a style; `quoted` adds Excel's quote prefix, so text like "=1" stays text when edited."""
        key = (style, quoted)
        if key not in self._formats:
            properties = {**FONT, **self._styles[style]}
            if quoted:
                properties["quote_prefix"] = True
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def run_format(self, **properties):
        """A rich-text run's font; it names Arial too, or the run would fall back to the program's default."""
        return self.workbook.add_format({**FONT, **properties})

    def text(self, ws: Worksheet, row: int, col: int, value, style: str = "Plan text") -> None:
        """User text, written as a literal string: never a formula, never an error cell, never a corrupt file."""
        text = clean(value)
        if not text:
            ws.write_blank(row, col, None, self.format(style))  # an empty cell that keeps its border
            return
        ws.write_string(row, col, text, self.format(style, quoted=starts_like_formula(text)))

    def rich(self, ws: Worksheet, row: int, col: int, runs: list, style: str = "Plan text") -> None:
        """Rich text from (format, text) runs whose text was already cleaned."""
        tokens = []
        for run_format, text in runs:
            if text:
                tokens += [run_format, text]
        first_text = next((t for t in tokens if isinstance(t, str)), "")
        cell_format = self.format(style, quoted=starts_like_formula(first_text))
        if len(tokens) <= 2:  # XlsxWriter wants two runs at least; one run is written as it would be shown
            self.text(ws, row, col, first_text, style)
            return
        ws.write_rich_string(row, col, *tokens, cell_format)

    def date(self, ws: Worksheet, row: int, col: int, value: date | None, *, text: str | None = None) -> None:
        """A real date (Excel sorts and filters it); text as written when the plan gave no date."""
        if value is None:
            self.text(ws, row, col, text or "", "Plan date")
            return
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        ws.write_datetime(row, col, value, self.format("Plan date"))

    def number(self, ws: Worksheet, row: int, col: int, value: int, style: str = "Plan number") -> None:
        ws.write_number(row, col, value, self.format(style))

    def rag(self, ws: Worksheet, row: int, col: int, rag: Rag | None) -> None:
        """The RAG cell: filled in its colour and carrying the word, so it reads in black and white too."""
        ws.write_string(row, col, rag_word(rag), self.format(rag_style(rag)))

    # The same cells as tails for rows.RowWriter, which writes a long sheet's rows whole. Each asks for its
    # format's index as it is made, cell by cell along the row, the order XlsxWriter would ask in.

    def _index(self, style: str, quoted: bool = False) -> int:
        key = (style, quoted)
        index = self._indices.get(key)
        if index is None:  # XlsxWriter gives a format its index the first time it is asked, and keeps it
            index = self._indices[key] = self.format(style, quoted=quoted)._get_xf_index()
        return index

    def text_tail(self, value, style: str = "Plan text") -> str:
        """`text` as a tail: an empty cell that keeps its border, or the literal string, quoted when it starts
        like a formula."""
        if value.__class__ is str and value and len(value) <= _SHORT_ENOUGH and "_x" not in value:
            if value.isprintable():  # most text: nothing to remove, cut or escape as a control character
                return rows.printable_tail(self._index(style, value.startswith(FORMULA_TRIGGERS)), value)
        text = clean(value)
        if not text:
            return rows.blank_tail(self._index(style))
        return rows.string_tail(self._index(style, starts_like_formula(text)), text)

    def rich_tail(self, fonts: "rows.RunFonts", runs: list, style: str = "Plan text") -> str:
        """`rich` as a tail: rich text from (format, text) runs whose text was already cleaned."""
        kept = [(run_format, text) for run_format, text in runs if text]
        first_text = kept[0][1] if kept else ""
        if len(kept) < 2:  # XlsxWriter wants two runs at least; one run is written as it would be shown
            return self.text_tail(first_text, style)
        return rows.rich_tail(self._index(style, starts_like_formula(first_text)), fonts, kept)

    def date_tail(self, dates: "rows.DateNumbers", value: dt.date | None, *, text: str | None = None) -> str:
        if value is None:
            return self.text_tail(text or "", "Plan date")
        return rows.number_tail(self._index("Plan date"), dates.number(value))

    def number_tail(self, value: int, style: str = "Plan number") -> str:
        return rows.number_tail(self._index(style), value)

    def rag_tail(self, rag: Rag | None) -> str:
        return rows.string_tail(self._index(rag_style(rag)), rag_word(rag))
