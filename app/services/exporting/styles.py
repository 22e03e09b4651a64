"""The look of an exported workbook, and the one way its cells are made.

Styles are registered once per workbook as NamedStyles and every cell copies a prepared style array, so a
plan of 5,000 actions and 50,000 updates costs little more than writing the bare values (docs/design.md's budget).
Text cells are always made by `CellMaker.text`, which goes through safe_text: no formula, no error cell.
"""

from datetime import date, datetime

from openpyxl.cell.cell import Cell
from openpyxl.cell.rich_text import CellRichText
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.models import Rag
from app.services.exporting.safe_text import put_text, starts_like_formula

RAG_COLOURS = {Rag.RED: "FFFF0000", Rag.AMBER: "FFFFC000", Rag.GREEN: "FF00B050", Rag.BLUE: "FF0070C0"}
RAG_WORDS = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green", Rag.BLUE: "Blue"}
LATEST_UPDATE_COLOUR = "FFFF0000"  # plans have always marked the newest commentary in red
DATE_FORMAT = "DD/MM/YYYY"

_thin = Side(style="thin", color="FF808080")
_box = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_top_wrapped = Alignment(wrap_text=True, vertical="top")


def _named_styles() -> list[NamedStyle]:
    styles = [
        NamedStyle(name="Plan title", font=Font(bold=True, size=14)),
        NamedStyle(name="Plan subtitle", font=Font(bold=True, size=11)),
        NamedStyle(name="Plan marking", font=Font(bold=True, size=11, color="FF000000")),
        NamedStyle(
            name="Plan header",
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="FFD9D9D9"),
            border=_box,
            alignment=Alignment(wrap_text=True, vertical="center"),
        ),
        NamedStyle(name="Plan text", border=_box, alignment=_top_wrapped),
        NamedStyle(name="Plan group", font=Font(bold=True), border=_box, alignment=_top_wrapped),
        NamedStyle(name="Plan date", border=_box, alignment=_top_wrapped, number_format=DATE_FORMAT),
        NamedStyle(name="Plan number", border=_box, alignment=Alignment(vertical="top")),
    ]
    for rag, colour in RAG_COLOURS.items():
        styles.append(
            NamedStyle(
                name=f"RAG {RAG_WORDS[rag]}",
                font=Font(bold=True, color="FF000000" if rag is Rag.AMBER else "FFFFFFFF"),
                fill=PatternFill("solid", fgColor=colour),
                border=_box,
                alignment=Alignment(horizontal="center", vertical="top"),
            )
        )
    return styles


class CellMaker:
    """Makes the cells of one workbook with its shared styles; rows are appended with `ws.append(cells)`."""

    def __init__(self, workbook: Workbook):
        self._arrays = {}
        for style in _named_styles():
            workbook.add_named_style(style)
            self._arrays[style.name] = style.as_tuple()

    def _cell(self, ws: Worksheet, value, style: str) -> Cell:
        return Cell(ws, value=value, style_array=self._arrays[style])

    def text(self, ws: Worksheet, value, style: str = "Plan text") -> Cell:
        """User text, written safely (see safe_text.put_text)."""
        cell = self._cell(ws, None, style)
        return put_text(cell, value)

    def rich(self, ws: Worksheet, value: CellRichText, style: str = "Plan text") -> Cell:
        """Rich text whose runs were already cleaned; a plain string when it has a single unformatted run."""
        cell = self._cell(ws, value, style)
        cell.data_type = "s"
        if starts_like_formula(str(value)):
            cell.quotePrefix = True
        return cell

    def date(self, ws: Worksheet, value: date | None, *, text: str | None = None) -> Cell:
        """A real date (Excel sorts and filters it); text as written when the plan gave no date."""
        if value is None:
            return self.text(ws, text or "", "Plan date")
        if isinstance(value, datetime):
            value = value.date()
        return self._cell(ws, value, "Plan date")

    def number(self, ws: Worksheet, value: int, style: str = "Plan number") -> Cell:
        return self._cell(ws, value, style)

    def rag(self, ws: Worksheet, rag: Rag | None) -> Cell:
        """The RAG cell: filled in its colour and carrying the word, so it reads in black and white too."""
        if rag is None:
            return self._cell(ws, None, "Plan text")
        return self._cell(ws, RAG_WORDS[rag], f"RAG {RAG_WORDS[rag]}")
