"""Reading cells the way a person sees them: merged ranges, rich-text runs, fill colours and error values.

`SheetGrid` wraps one worksheet's cells (read by sheet_cells), capped at the guard's row and column limits,
and records a warning (with the row) the first time a cell that cannot be read is touched.
"""

import colorsys
from collections.abc import Callable, Iterator
from datetime import date, datetime

from defusedxml import ElementTree as SafeTree
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils import get_column_letter

from app.models.enums import Rag
from app.services.importing.commentary import Segment
from app.services.importing.findings import ReadWarning
from app.services.importing.guard import MAX_COLUMNS, MAX_ROWS
from app.services.importing.sheet_cells import Cell, RichText, SheetCells
from app.services.importing.wording import clean_ref

DRAWING_NS = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
THEME_ORDER = ["lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6"]


class SheetGrid:
    """One worksheet as rows and columns (1-based, like Excel), with merged cells resolved on request."""

    def __init__(
        self,
        sheet: SheetCells,
        palette: list[str],
        formulas_without_value: set[str] | None = None,
    ):
        self.title = sheet.title
        self.max_row = min(sheet.max_row, MAX_ROWS)
        self.max_column = min(sheet.max_column, MAX_COLUMNS)
        self.palette = palette
        self.warnings: list[ReadWarning] = []
        self._cells = sheet.cells
        self._origin: dict[tuple[int, int], tuple[int, int]] = {}
        self._width: dict[tuple[int, int], int] = {}
        for merged in sheet.merged:
            self._width[(merged.min_row, merged.min_col)] = merged.max_col - merged.min_col + 1
            for row in range(merged.min_row, min(merged.max_row, self.max_row) + 1):
                for column in range(merged.min_col, min(merged.max_col, self.max_column) + 1):
                    if (row, column) != (merged.min_row, merged.min_col):
                        self._origin[(row, column)] = (merged.min_row, merged.min_col)
        self.hidden_rows = sheet.hidden_rows
        self.hidden_columns = sheet.hidden_columns
        self.filtered_rows = sheet.filtered_rows
        self._formulas = formulas_without_value or set()
        self._conditional = sheet.conditional
        self._warned: set[tuple[int, int]] = set()
        self._texts: dict[tuple[int, int], str] = {}  # a cell's text is asked for several times per row
        self._marks: dict[int, tuple[object, str]] = {}  # id(font) -> (font, its mark): runs share their fonts
        self.on_rows: Callable[[int], None] | None = None  # told how many rows were read, now and then

    def data_rows(self, first: int) -> Iterator[int]:
        """Row numbers from `first` to the last row, reporting progress every hundred rows."""
        for row in range(first, self.max_row + 1):
            if self.on_rows and row % 100 == 0:
                self.on_rows(100)
            yield row

    def cell(self, row: int, column: int) -> Cell | None:
        if 1 <= row <= self.max_row and 1 <= column <= self.max_column:
            return self._cells.get((row, column))
        return None

    def origin(self, row: int, column: int) -> tuple[int, int]:
        return self._origin.get((row, column), (row, column))

    def is_continuation(self, row: int, column: int) -> bool:
        """True for the covered cells of a merged range (not its top-left cell)."""
        return (row, column) in self._origin

    def merge_width(self, row: int, column: int) -> int:
        return self._width.get(self.origin(row, column), 1)

    def value(self, row: int, column: int, *, merged: bool = False):
        if merged:
            row, column = self.origin(row, column)
        cell = self.cell(row, column)
        if cell is None or cell.value is None:
            if self._formulas and 1 <= row <= self.max_row and 1 <= column <= self.max_column:
                if f"{get_column_letter(column)}{row}" in self._formulas:
                    self._warn_once(row, column, "holds a formula with no saved value, so it was read as empty")
            return None
        if cell.data_type == "e":
            self._warn_once(row, column, f"shows the error {cell.value}, so it was read as empty")
            return None
        return cell.value

    def text(self, row: int, column: int, *, merged: bool = False) -> str:
        if merged:
            row, column = self.origin(row, column)
        key = (row, column)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = text_of(self.value(row, column)).strip()
        return text

    def segments(self, row: int, column: int) -> list[Segment]:
        value = self.value(row, column)
        if isinstance(value, RichText):
            return [(text, self._is_marked(font)) for text, font in value]
        text = text_of(value)
        return [(text, "")] if text else []

    def row_texts(self, row: int) -> list[tuple[int, str]]:
        """(column, text) of every cell of the row that holds something, merged cells counted once."""
        result = []
        covered, text_of_cell = self._origin, self.text
        for column in range(1, self.max_column + 1):
            if (row, column) not in covered and (text := text_of_cell(row, column)):  # not a continuation
                result.append((column, text))
        return result

    def fill_rag(self, row: int, column: int) -> tuple[Rag | None, bool]:
        """The RAG a solid fill colour shows, and whether the cell is coloured at all."""
        cell = self.cell(*self.origin(row, column))
        fill = cell.fill if cell is not None else None
        if fill is None or getattr(fill, "fill_type", None) != "solid":
            return None, False
        return rag_of_colour(rgb_of(fill.fgColor, self.palette))

    def has_conditional_format(self, row: int, column: int) -> bool:
        coordinate = f"{get_column_letter(column)}{row}"
        return any(coordinate in sqref for sqref in self._conditional)

    def warn(self, row: int | None, message: str) -> None:
        self.warnings.append(ReadWarning(message, self.title, row))

    def _warn_once(self, row: int, column: int, problem: str) -> None:
        if (row, column) not in self._warned:
            self._warned.add((row, column))
            self.warn(row, f"cell {get_column_letter(column)}{row} {problem}")

    def _is_marked(self, font) -> str:
        """How a run is marked as a later update ('red', 'bold italic'…), or '' for plain text."""
        if font is None:
            return ""
        known = self._marks.get(id(font))
        if known is None or known[0] is not font:
            known = self._marks[id(font)] = (font, self._mark_of(font))
        return known[1]

    def _mark_of(self, font) -> str:
        rag, _ = rag_of_colour(rgb_of(font.color, self.palette), max_lightness=0.8)
        marks = [name for name, on in (("red", rag is Rag.RED), ("bold", font.b), ("italic", font.i)) if on]
        return " ".join(marks)

    def font_rag(self, row: int, column: int) -> Rag | None:
        """The RAG a cell's font colour shows (a '●' written in green)."""
        cell = self.cell(*self.origin(row, column))
        font = cell.font if cell is not None else None
        if font is None:
            return None
        rag, _ = rag_of_colour(rgb_of(font.color, self.palette))
        return rag


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return clean_ref(value)
    return str(value)


def theme_palette(theme_xml: bytes | None) -> list[str]:
    """The workbook theme's colours in Excel's index order (lt1, dk1, lt2, dk2 are swapped from the XML)."""
    if not theme_xml:
        return []
    try:
        root = SafeTree.fromstring(theme_xml)
    except Exception:  # a theme we cannot read only costs us theme-coloured RAG fills  # noqa: BLE001
        return []
    scheme = root.find(f".//{DRAWING_NS}clrScheme")
    if scheme is None:
        return []
    colours = {}
    for entry in scheme:
        name = entry.tag.removeprefix(DRAWING_NS)
        for child in entry:
            colours[name] = child.get("val") if child.tag.endswith("srgbClr") else child.get("lastClr")
    return [colours.get(name) or "000000" for name in THEME_ORDER]


def rgb_of(color, palette: list[str]) -> str | None:
    """A colour as RRGGBB whether it is stored as rgb, theme + tint or an indexed (legacy palette) colour."""
    if color is None:
        return None
    kind = getattr(color, "type", None)
    if kind == "rgb" and isinstance(color.rgb, str):
        return color.rgb[-6:]
    if kind == "indexed" and isinstance(color.indexed, int) and color.indexed < len(COLOR_INDEX):
        return COLOR_INDEX[color.indexed][-6:]
    if kind == "theme" and isinstance(color.theme, int) and color.theme < len(palette):
        return _tinted(palette[color.theme], color.tint or 0.0)
    return None


def _tinted(hex6: str, tint: float) -> str:
    red, green, blue = (int(hex6[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    lightness = lightness * (1 + tint) if tint < 0 else lightness * (1 - tint) + tint
    return "".join(f"{round(part * 255):02X}" for part in colorsys.hls_to_rgb(hue, lightness, saturation))


def rag_of_colour(hex6: str | None, max_lightness: float = 0.95) -> tuple[Rag | None, bool]:
    """Nearest RAG by hue. (None, False) for no colour, white, black or grey; (None, True) for, say, purple."""
    if not hex6 or len(hex6) != 6:
        return None, False
    try:
        red, green, blue = (int(hex6[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return None, False
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < 0.25 or lightness > max_lightness or lightness < 0.12:
        return None, False
    degrees = hue * 360
    if degrees < 15 or degrees >= 340:
        return Rag.RED, True
    if degrees < 65:
        return Rag.AMBER, True
    if 75 <= degrees < 170:
        return Rag.GREEN, True
    if 185 <= degrees < 250:
        return Rag.BLUE, True
    return None, True
