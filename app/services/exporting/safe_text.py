"""Text that is safe to put in a spreadsheet cell, whoever typed it.

openpyxl turns a string that starts with "=" into a live formula and "#N/A" into an error cell, refuses the
control characters Word pastes in, and silently cuts text at Excel's cell limit. Every user string an export
writes goes through `put_text` (or `clean` for rich-text runs and page headers) so none of that can happen.
The measurements are in docs/spreadsheet-safety.md.
"""

from openpyxl.cell.cell import Cell

from app.services.plain_text import without_control_characters

EXCEL_CELL_LIMIT = 32_767
CONTINUED = "… (continued in the tracker)"
# Characters that make a spreadsheet (or a CSV saved from it) treat the cell as a formula when edited.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def excel_length(text: str) -> int:
    """Excel counts UTF-16 code units, so a character outside the Basic Multilingual Plane counts twice."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def fit(text: str, limit: int) -> str:
    """`text` cut so that it and the visible continuation note fit within `limit` (Excel's units)."""
    if len(text) <= limit // 2 or excel_length(text) <= limit:  # the first test is cheap and almost always true
        return text
    budget = limit - excel_length(CONTINUED)
    kept = []
    for ch in text:
        budget -= 2 if ord(ch) > 0xFFFF else 1
        if budget < 0:
            break
        kept.append(ch)
    return "".join(kept) + CONTINUED


def clean(value: object, limit: int = EXCEL_CELL_LIMIT) -> str:
    """The value as text Excel accepts: unwritable characters removed, cut with a visible note when too long."""
    text = "" if value is None else str(value)
    if not text.isprintable():  # printable text holds none of the characters removed: one quick pass tells
        text = without_control_characters(text)
    return fit(text, limit)


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def put_text(cell: Cell, value: object) -> Cell:
    """Write user text as a literal string: never a formula, never an error cell, never a corrupt file.

    The data type is forced after assignment (openpyxl guesses "f" for "=…" and "e" for "#N/A"), and text that
    looks like a formula also gets Excel's quote-prefix, so editing the cell later does not bring it to life.
    """
    text = clean(value)
    if not text:
        cell.value = None  # an empty cell, not an empty string Excel would have to read
        return cell
    cell.value = text
    cell.data_type = "s"
    if starts_like_formula(text):
        cell.quotePrefix = True
    return cell


def short_text(value: object, limit: int) -> str:
    """One line of at most `limit` characters, for page headers and document properties."""
    text = " ".join(clean(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def header_text(value: object, limit: int = 120) -> str:
    """Text for a page header or footer: cleaned, short (Excel allows 255 characters in all) and with "&" escaped,
    since "&" starts Excel's header codes ("&P" is the page number)."""
    return short_text(value, limit).replace("&", "&&")
