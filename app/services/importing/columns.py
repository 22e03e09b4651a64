"""Finding a plan's header row and what each column means, by the words of its heading, not its position.

Plans put title rows above the header, merge a heading over two rows ("Activity" over "What" and "How"), or write
the strand name in the header's first cell. Whatever the layout, a column is known by its heading's words.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

from openpyxl.utils import get_column_letter

from app.models.enums import Strand
from app.services.importing.cells import SheetGrid
from app.services.importing.wording import strand_heading

HEADER_SEARCH_ROWS = 40

STRAND, REF, WHAT, HOW, RESPONSIBILITY, COMMENTARY = "strand", "ref", "what", "how", "responsibility", "commentary"
LINKS, RAG, TARGET_DATE, OBJECTIVE, OUTCOME = "links", "rag", "target_date", "objective", "outcome"
REPEATABLE = {COMMENTARY, RESPONSIBILITY}  # "Q1 update", "Q2 update"; "Lead", "Partner lead"
LABELS = {
    STRAND: "Strand",
    REF: "No",
    WHAT: "What",
    HOW: "How",
    RESPONSIBILITY: "Responsibility",
    COMMENTARY: "Commentary",
    LINKS: "Strategic link",
    RAG: "RAG",
    TARGET_DATE: "Target date",
    OBJECTIVE: "Objective",
    OUTCOME: "Outcome",
}


@dataclass
class Header:
    """Where the header is, what each column means and where the data starts."""

    row: int
    first_data_row: int
    columns: dict[str, list[int]] = field(default_factory=dict)  # meaning -> columns, left to right
    labels: dict[int, str] = field(default_factory=dict)  # column -> heading as written
    strand: Strand | None = None  # the strand named in the header's first cell
    not_understood: list[str] = field(default_factory=list)

    def column(self, meaning: str) -> int | None:
        columns = self.columns.get(meaning)
        return columns[0] if columns else None

    def has(self, meaning: str) -> bool:
        return meaning in self.columns

    @cached_property
    def lowered_labels(self) -> dict[int, str]:
        """The headings in lower case, to spot the header written again further down."""
        return {column: label.lower() for column, label in self.labels.items()}


def meaning_of(label: str) -> str | None:
    """The field a column heading names, or None. The order settles headings with several words in them."""
    words = re.findall(r"[a-z0-9#]+", label.lower())
    if not words:
        return None

    def has(*prefixes: str) -> bool:
        return any(word.startswith(prefix) for word in words for prefix in prefixes)

    if has("comment", "update", "progress", "evidence", "narrative"):
        return COMMENTARY
    if has("aim", "objective"):
        return OBJECTIVE
    if has("outcome") or "success measure" in " ".join(words):
        return OUTCOME
    if len(words) <= 3 and any(word in {"no", "ref", "reference", "number", "num", "#", "id"} for word in words):
        return REF
    if has("strand", "pillar") or words in (["4p"], ["4", "p"], ["4ps"]):
        return STRAND
    if has("responsib", "owner", "lead", "who", "officer"):
        return RESPONSIBILITY
    if has("link", "strateg", "align"):
        return LINKS
    if has("rag", "brag", "status"):
        return RAG
    if has("date", "deadline", "due", "timescale", "timeline", "when"):
        return TARGET_DATE
    if "how" in words or has("method"):
        return HOW
    if has("what", "action", "activit", "task", "deliverable", "description"):
        return WHAT
    return None


def find_header(grid: SheetGrid) -> Header | None:
    """The first row whose headings name at least two fields, one of them what is to be done."""
    for row in range(1, min(grid.max_row, HEADER_SEARCH_ROWS) + 1):
        texts = grid.row_texts(row)
        if len(texts) < 2:
            continue
        strand = strand_heading(texts[0][1])
        meanings = {meaning_of(text) for column, text in texts[1 if strand else 0 :]} - {None}
        if strand and not meanings & {WHAT, HOW}:
            meanings.add(WHAT)
        if len(meanings) >= 2 and meanings & {WHAT, HOW, OBJECTIVE}:
            return _build_header(grid, row, strand)
    return None


def _build_header(grid: SheetGrid, row: int, strand: Strand | None) -> Header:
    two_rows = _is_two_row_header(grid, row)
    header = Header(row=row, first_data_row=row + (2 if two_rows else 1), strand=strand)
    first_column = None
    for column in range(1, grid.max_column + 1):
        top = grid.text(row, column, merged=True)
        below = grid.text(row + 1, column) if two_rows and not grid.is_continuation(row + 1, column) else ""
        label = below or top
        if not label:
            continue
        header.labels[column] = label
        if first_column is None:
            first_column = column
            if strand:
                continue
        meaning = (meaning_of(below) or meaning_of(top)) if below else meaning_of(top)
        if meaning and (meaning in REPEATABLE or meaning not in header.columns):
            header.columns.setdefault(meaning, []).append(column)
        elif grid_has_data(grid, header.first_data_row, column):
            why = "" if meaning is None else f" (a second {LABELS[meaning]} column)"
            header.not_understood.append(f"'{label}' (column {get_column_letter(column)}){why}")
    if strand and first_column is not None:
        # "PREPARE" heads the column that lists the strand's actions
        for meaning in (WHAT, REF):
            if meaning not in header.columns:
                header.columns[meaning] = [first_column]
                break
    return header


def _is_two_row_header(grid: SheetGrid, row: int) -> bool:
    """A heading merged across columns ("Activity") with the real headings ("What", "How") in the row below.

    Every text in the row below must sit under such a heading, or the row below is data, not headings.
    """
    below = [(column, text) for column, text in grid.row_texts(row + 1) if not grid.is_continuation(row + 1, column)]
    if not below:
        return False
    for column, _ in below:
        origin_row, _ = grid.origin(row, column)
        if origin_row != row or grid.merge_width(row, column) < 2:
            return False
    return any(meaning_of(text) for _, text in below)


def grid_has_data(grid: SheetGrid, first_row: int, column: int) -> bool:
    return any(grid.value(row, column) is not None for row in range(first_row, grid.max_row + 1))


def is_repeated_header(grid: SheetGrid, row: int, header: Header) -> bool:
    """A header row written again further down (often once per strand)."""
    first = min(header.labels)
    same = sum(
        1
        for column, label in header.lowered_labels.items()
        if column != first and grid.text(row, column).lower() == label
    )
    return same >= 2
