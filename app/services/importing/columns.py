"""Finding a plan's header row and what each column means, by the words of its heading, not its position.

Plans put title rows above the header, merge a heading over two rows ("Activity" over "What" and "How"), or write
the strand name in the header's first cell. Whatever the layout, a column is known by its heading's words.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from app.models.enums import Strand
from app.services.importing.wording import strand_heading

if TYPE_CHECKING:  # the grid module loads openpyxl, which the web pages that list column meanings do not need
    from app.services.importing.sheet_grid import SheetGrid

HEADER_SEARCH_ROWS = 40


def column_letter(column: int) -> str:
    """A column's letters as Excel writes them (1 → A, 27 → AA), as openpyxl's get_column_letter gives them."""
    if column < 1:
        raise ValueError(f"Invalid column index {column}")
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


STRAND, REF, WHAT, HOW, RESPONSIBILITY, COMMENTARY = "strand", "ref", "what", "how", "responsibility", "commentary"
LINKS, RAG, TARGET_DATE, OBJECTIVE, OUTCOME = "links", "rag", "target_date", "objective", "outcome"
STATUS, LAST_UPDATED, IGNORE = "status", "last_updated", "ignore"
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
    STATUS: "Status",
    TARGET_DATE: "Target date",
    LAST_UPDATED: "Date of last update",
    OBJECTIVE: "Objective",
    OUTCOME: "Outcome",
}
SHOWN = {REF: "ref", LINKS: "strategic links", LAST_UPDATED: "date of last update"}
MEANINGS = {label.lower().replace(" ", "_"): meaning for meaning, label in LABELS.items()} | {
    meaning: meaning for meaning in LABELS
}
MEANINGS |= {"ignore": IGNORE, "not used": IGNORE, "not_used": IGNORE, "skip": IGNORE, "date": TARGET_DATE}
QUARTER_RE = re.compile(r"\bq(?:uarter)?\s*([1-4])\b", re.IGNORECASE)
EARLIER_WORDS = {"previous", "prior", "last", "old", "baseline", "original", "initial", "earlier"}
NOT_TARGET_WORDS = {"raised", "opened", "added", "logged", "created", "start", "started", "agreed", "entered"}
STRONG = {  # words that make a heading the better of two for the same field
    TARGET_DATE: ("target", "due", "deadline", "complet"),
    RAG: ("rag", "brag", "current", "progress"),
    WHAT: ("what", "action"),
    COMMENTARY: ("comment", "update", "progress"),
    LINKS: ("link", "strateg"),
    STRAND: ("strand",),
    REF: ("ref", "no"),
}


def normal_label(label: str) -> str:
    """A heading as compared with a column mapping: case, spaces and non-breaking spaces ignored."""
    return " ".join(label.replace("\u00a0", " ").split()).casefold()


def parse_mapping(entries: list[str]) -> dict[str, str]:
    """'Date raised=ignore', 'H=target date' -> {normalised heading or column letter: meaning}.

    Raises ValueError with a sentence saying what to write instead.
    """
    mapping = {}
    for entry in entries:
        heading, sep, meaning = entry.rpartition("=")
        key = normal_label(meaning).replace(" ", "_")
        if not sep or not heading.strip() or key not in MEANINGS:
            choices = ", ".join(sorted({label.lower() for label in LABELS.values()} | {"ignore"}))
            raise ValueError(f"Write each column as 'Heading=meaning', the meaning one of: {choices} (not {entry!r})")
        heading = heading.strip()
        mapping[heading if re.fullmatch(r"[A-Z]{1,3}", heading) else normal_label(heading)] = MEANINGS[key]
    return mapping


def meaning_choices() -> list[tuple[str, str]]:
    """(meaning, label) for a person choosing what a column means, 'not used' last."""
    return [(meaning, label) for meaning, label in LABELS.items()] + [(IGNORE, "Not used")]


@dataclass(frozen=True)
class ColumnReading:
    """How one column was read, to show the person: F "Status" -> status; H "Date raised" -> not used."""

    letter: str
    label: str
    meaning: str | None  # None: not used
    why: str = ""

    def __str__(self) -> str:
        read_as = "not used"
        if self.meaning is not None:
            read_as = SHOWN.get(self.meaning) or LABELS.get(self.meaning, "").lower() or read_as
        return f'{self.letter} "{self.label}" → {read_as}' + (f" ({self.why})" if self.why else "")


@dataclass
class Header:
    """Where the header is, what each column means and where the data starts."""

    row: int
    first_data_row: int
    columns: dict[str, list[int]] = field(default_factory=dict)  # meaning -> columns, left to right
    labels: dict[int, str] = field(default_factory=dict)  # column -> heading as written
    strand: Strand | None = None  # the strand named in the header's first cell
    not_understood: list[str] = field(default_factory=list)
    readings: list[ColumnReading] = field(default_factory=list)
    quarters: dict[int, int] = field(default_factory=dict)  # commentary column -> quarter of the year (Q1..Q4)
    pcc_links: bool = False  # the links column is headed for the Police and Crime Plan: bare numbers are its codes

    def column(self, meaning: str) -> int | None:
        columns = self.columns.get(meaning)
        return columns[0] if columns else None

    def at(self, meaning: str) -> int:
        """The (first) column of a meaning the header has (`has`); KeyError for one it has not."""
        return self.columns[meaning][0]

    def columns_of(self, *meanings: str) -> list[int]:
        """The first column of each of these meanings that the header has, in the order given."""
        return [self.columns[meaning][0] for meaning in meanings if meaning in self.columns]

    def has(self, meaning: str) -> bool:
        return meaning in self.columns

    @cached_property
    def lowered_labels(self) -> dict[int, str]:
        """The headings in lower case, to spot the header written again further down."""
        return {column: label.lower() for column, label in self.labels.items()}


def meaning_of(label: str) -> str | None:
    """The field a column heading names, IGNORE for a known field the tracker does not keep, or None.

    The order settles headings with several words in them: 'Progress RAG' is the RAG, 'Previous RAG (Dec)'
    last quarter's (not used), 'Date raised' not the target date, 'Date of last update' the date of the
    newest commentary, 'Latest update' the commentary.
    """
    words = re.findall(r"[a-z0-9#]+", label.lower())
    if not words:
        return None
    joined = " ".join(words)

    def has(*prefixes: str) -> bool:
        return any(word.startswith(prefix) for word in words for prefix in prefixes)

    if (has("date") and has("update")) or "last updated" in joined or "date updated" in joined:
        return LAST_UPDATED
    if has("rag", "brag"):
        return IGNORE if EARLIER_WORDS & set(words) else RAG
    if has("status"):
        return IGNORE if EARLIER_WORDS & set(words) else STATUS
    if has("date") and NOT_TARGET_WORDS & set(words):
        return IGNORE
    if has("comment", "update", "progress", "evidence", "narrative"):
        return COMMENTARY
    if has("aim", "objective"):
        return OBJECTIVE
    if has("outcome") or "success measure" in joined:
        return OUTCOME
    if "pcc" in words or "police and crime" in joined:
        return LINKS
    if len(words) <= 3 and any(word in {"no", "ref", "reference", "number", "num", "#", "id"} for word in words):
        return REF
    if has("strand", "pillar", "theme") or words in (["4p"], ["4", "p"], ["4ps"]):
        return STRAND
    if has("link", "strateg", "align") or "police and crime plan" in joined:
        return LINKS
    if has("responsib", "owner", "lead", "who", "officer", "agency"):
        return RESPONSIBILITY
    if has("date", "deadline", "due", "timescale", "timeline", "when", "target", "complet"):
        return TARGET_DATE
    if "how" in words or has("method"):
        return HOW
    if has("what", "action", "activit", "task", "deliverable", "description"):
        return WHAT
    return None


def _strength(meaning: str, label: str) -> int:
    lowered = label.lower()
    return sum(1 for word in STRONG.get(meaning, ()) if re.search(rf"\b{word}", lowered))


def find_header(grid: "SheetGrid", mapping: dict[str, str] | None = None) -> Header | None:
    """The first row whose headings name at least two fields, one of them what is to be done.

    `mapping` (normalised heading or column letter -> meaning or 'ignore') is what a person said a column
    means; it wins over the heading's words.
    """
    mapping = mapping or {}
    for row in range(1, min(grid.max_row, HEADER_SEARCH_ROWS) + 1):
        texts = [(column, text) for column, text in grid.row_texts(row) if column not in grid.hidden_columns]
        if len(texts) < 2:
            continue
        strand = strand_heading(texts[0][1])
        meanings = {_meaning(column, text, mapping) for column, text in texts[1 if strand else 0 :]} - {None, IGNORE}
        if strand and not meanings & {WHAT, HOW}:
            meanings.add(WHAT)
        if len(meanings) >= 2 and meanings & {WHAT, HOW, OBJECTIVE}:
            return _build_header(grid, row, strand, mapping)
    return None


def _meaning(column: int, label: str, mapping: dict[str, str]) -> str | None:
    chosen = mapping.get(column_letter(column)) or mapping.get(normal_label(label))
    return chosen if chosen is not None else meaning_of(label)


def _build_header(grid: "SheetGrid", row: int, strand: Strand | None, mapping: dict[str, str]) -> Header:
    two_rows = _is_two_row_header(grid, row)
    header = Header(row=row, first_data_row=row + (2 if two_rows else 1), strand=strand)
    first_column = None
    candidates: dict[str, list[tuple[int, int]]] = {}  # meaning -> (column, strength)
    why: dict[int, str] = {}
    for column in range(1, grid.max_column + 1):
        top = grid.text(row, column, merged=True)
        below = grid.text(row + 1, column) if two_rows and not grid.is_continuation(row + 1, column) else ""
        label = " ".join((below or top).split())
        if not label:
            continue
        header.labels[column] = label
        if first_column is None:
            first_column = column
            if strand:
                continue
        if column in grid.hidden_columns:
            why[column] = "hidden column: unhide it if it is part of the plan"
            if grid_has_data(grid, header.first_data_row, column):
                grid.warn(
                    row,
                    f"column {column_letter(column)} '{label}' is hidden and was not read: "
                    "unhide it if it is part of the plan",
                )
            continue
        chosen = mapping.get(column_letter(column)) or mapping.get(normal_label(label))
        meaning: str | None
        if chosen is not None:
            meaning = chosen
            why[column] = "as you said"
        elif below:
            meaning = meaning_of(below) or meaning_of(top)
        else:
            meaning = meaning_of(label)
        if meaning == IGNORE or meaning is None:
            why.setdefault(column, "" if meaning is None else _ignored_why(label))
            if meaning is None and grid_has_data(grid, header.first_data_row, column):
                header.not_understood.append(f"'{label}' (column {column_letter(column)})")
            continue
        strength = 100 if chosen is not None else _strength(meaning, label)  # what a person said wins
        candidates.setdefault(meaning, []).append((column, strength))
    if len(candidates.get(WHAT, [])) > 1 and HOW not in candidates:
        # "What we will do" beside "Deliverables": the weaker of two What columns says how
        found = sorted(candidates[WHAT], key=lambda item: (item[1], -item[0]), reverse=True)
        candidates[WHAT], candidates[HOW] = [found[0]], [found[1]]
        candidates[WHAT].extend(found[2:])
    for meaning, found in candidates.items():
        if meaning in REPEATABLE:
            header.columns[meaning] = [column for column, _ in found]
            continue
        best = max(found, key=lambda item: (item[1], -item[0]))[0]
        header.columns[meaning] = [best]
        for column, _ in found:
            if column != best:
                why[column] = f"a second {LABELS[meaning]} column: '{header.labels[best]}' was used"
                if grid_has_data(grid, header.first_data_row, column):
                    letter = column_letter(column)
                    header.not_understood.append(f"'{header.labels[column]}' (column {letter}) ({why[column]})")
    if strand and first_column is not None:
        # "PREPARE" heads the column that lists the strand's actions, or the strands below it
        for meaning in (WHAT, REF, STRAND):
            if meaning not in header.columns:
                header.columns[meaning] = [first_column]
                break
    for column in header.columns.get(COMMENTARY, []):
        if match := QUARTER_RE.search(header.labels[column]):
            header.quarters[column] = int(match.group(1))
    if links := header.column(LINKS):
        label = header.labels[links].lower()
        header.pcc_links = "police and crime" in label or bool(re.search(r"\bpcc\b", label))
    meaning_by_column = {column: meaning for meaning, columns in header.columns.items() for column in columns}
    for column, label in header.labels.items():
        header.readings.append(
            ColumnReading(column_letter(column), label, meaning_by_column.get(column), why.get(column, ""))
        )
    return header


def _ignored_why(label: str) -> str:
    lowered = label.lower()
    if "rag" in lowered or "status" in lowered:
        return "an earlier RAG, not the current one"
    if "date" in lowered:
        return "not the target date"
    return "not kept by the tracker"


def _is_two_row_header(grid: "SheetGrid", row: int) -> bool:
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


def grid_has_data(grid: "SheetGrid", first_row: int, column: int) -> bool:
    return any(grid.value(row, column) is not None for row in range(first_row, grid.max_row + 1))


def is_repeated_header(grid: "SheetGrid", row: int, header: Header) -> bool:
    """A header row written again further down (often once per strand)."""
    first = min(header.labels)
    same = sum(
        1
        for column, label in header.lowered_labels.items()
        if column != first and _lowers_to(grid.text(row, column), label)
    )
    return same >= 2


def _lowers_to(text: str, lowered: str) -> bool:
    """text.lower() == lowered, without lowering a long cell that cannot be a heading. text.lower() starts with
    its first character lowered (lowering looks at what is before a character, never after, and nothing is
    before the first), so a cell whose first character does not lower to the heading's start is not it."""
    return lowered.startswith(text[:1].lower()) and text.lower() == lowered
