"""Reading a local delivery plan sheet: actions under the four strands.

The strand comes from a strand column (merged down, or written once and left blank below), from the header's
first cell, from separator rows ("PREVENT" across the sheet) or from the sheet's own name.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from app.models.enums import ActionStatus, Rag, Strand
from app.services.importing.columns import (
    COMMENTARY,
    HOW,
    LAST_UPDATED,
    LINKS,
    OBJECTIVE,
    OUTCOME,
    RAG,
    REF,
    RESPONSIBILITY,
    STATUS,
    STRAND,
    TARGET_DATE,
    WHAT,
    Header,
    is_repeated_header,
)
from app.services.importing.commentary import BULLETS, points_to_updates_sheet, updates_from
from app.services.importing.findings import ActionRead, ObjectiveRead
from app.services.importing.sheet_grid import SheetGrid
from app.services.importing.wording import (
    AIM_NUMBER_RE,
    COLOURED_SYMBOLS,
    clean_ref,
    date_of,
    leading_number,
    parse_links,
    quarter_end,
    rag_and_status,
    strand_heading,
    strand_of,
    target_date_of,
)

MAX_REF = 40
NOT_ACTION_RE = re.compile(r"^\s*(?:grand\s+)?(?:totals?|key|notes?|count|summary)\b\s*[:\-–]?", re.IGNORECASE)
OBJECTIVE_ROW_RE = re.compile(
    r"^\s*(?:objective|aim|priority)\s+(?P<ref>\d+(?:\.\d+)*[a-z]?)\s*[:.\-–)]\s*(?P<title>.+)$", re.I | re.S
)
OUTCOMES_LABEL_RE = re.compile(r"^\s*(?:outcomes?|success\s+measures?)\s*:?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SheetContext:
    """What a sheet's cells need from the workbook: its date system and the plan's financial year."""

    epoch: datetime | None = None
    first_year: int | None = None  # the plan's year runs from April of this year


def objective_heading(text: str) -> tuple[str, Strand | None, str] | None:
    """'Objective 2: Protect – Victim pathways' -> ('2', Protect, 'Victim pathways'); 'Objective 1.1: …'."""
    match = OBJECTIVE_ROW_RE.match(text.strip())
    if not match:
        return None
    title = match.group("title").strip()
    strand = strand_heading(title)
    if strand is not None and (rest := re.match(r"^\s*\w+\s*[:–—\-|/]\s*(.+)$", title, re.S)):
        title = rest.group(1).strip()
    return match.group("ref"), strand, title


def bullet_items(text: str) -> list[str]:
    """A cell of bulleted lines ('• a', '- b', '▪ c') as its items; a line with no bullet carries on the one above.

    A cell with no bullets at all has one item a line.
    """
    marks = BULLETS.strip()
    lines = [line for line in text.split("\n") if line.strip()]
    bulleted = any(line.lstrip()[:1] in marks for line in lines)
    items: list[str] = []
    for line in lines:
        if bulleted and items and line.lstrip()[:1] not in marks:
            items[-1] += " " + line.strip()
        else:
            items.append(line.strip().lstrip(marks).strip())
    return [item for item in items if item]


class StrandSheetReader:
    """Walks the rows under the header, keeping the strand and objective that the rows above set."""

    def __init__(self, grid: SheetGrid, header: Header, sheet_strand: Strand | None, context: SheetContext):
        self.grid, self.header, self.context = grid, header, context
        self.strand = header.strand or sheet_strand
        self.objective: ObjectiveRead | None = None
        self.objectives: dict[tuple[Strand | None, str], ObjectiveRead] = {}
        self.actions: list[ActionRead] = []
        self.refs: set[tuple[Strand | None, str]] = set()
        if header.has(OUTCOME) and not header.has(OBJECTIVE):
            header.not_understood.append("'Outcome' (there is no Objective column to put the outcomes under)")

    def read(self) -> tuple[list[ObjectiveRead], list[ActionRead]]:
        for row in self.grid.data_rows(self.header.first_data_row):
            texts = [
                (column, text) for column, text in self.grid.row_texts(row) if column not in self.grid.hidden_columns
            ]
            if not texts:
                continue
            if row in self.grid.hidden_rows:
                if strand_column := self.header.column(STRAND):
                    self._read_strand_cell(row, strand_column)
                self.grid.warn(row, "is hidden and was not imported: unhide it if it belongs to the plan")
            elif is_repeated_header(self.grid, row, self.header):
                self.strand = strand_heading(texts[0][1]) or self.strand
            else:
                self._read_row(row, texts)
        return list(self.objectives.values()), self.actions

    def _read_row(self, row: int, texts: list[tuple[int, str]]) -> None:
        written_ref = clean_ref(self.grid.value(row, self.header.at(REF))) if self.header.has(REF) else ""
        if NOT_ACTION_RE.match(texts[0][1]) and (not written_ref or NOT_ACTION_RE.match(written_ref)):
            self.grid.warn(
                row, f"is not an action (a total, key or note), so it was not imported: '{texts[0][1][:60]}'"
            )
            return
        strand_column = self.header.column(STRAND)
        others = [(column, text) for column, text in texts if column != strand_column]
        if self._objective_row(row, texts, others):
            return
        if strand_column:
            self._read_strand_cell(row, strand_column)
        if self._is_separator(others):
            self.strand = strand_heading(others[0][1])
            self.objective = None
            return
        self._read_objective(row)
        if self.header.has(OBJECTIVE) and self.header.has(WHAT) and self._bulleted_actions(row):
            return
        ref_column = self.header.column(REF)
        if ref_column and self.grid.is_continuation(row, ref_column) and self.actions:
            read_row_fields(self.grid, self.header, row, self.actions[-1], self.context, continuation=True)
            return
        what = self.grid.text(row, self.header.at(WHAT)) if self.header.has(WHAT) else ""
        ref = self._ref(row, ref_column, what)
        content = {self.header.column(m) for m in (WHAT, HOW, COMMENTARY) if self.header.has(m)}
        has_content = any(column in content for column, _ in others)
        if not ref and not has_content:
            self._skip_notes(row, others)
            return
        if not ref and ref_column and self._continues_above(row):
            above = self.actions[-1]
            read_row_fields(self.grid, self.header, row, above, self.context, continuation=True)
            self.grid.warn(row, f"has no number, so it was read as part of {above.display_ref}, the action above")
            return
        if ref_column is None:
            number, rest = leading_number(what)
            if number:
                ref, what = number, rest
        ref = ref or self._next_ref(row, ref_column)
        action = ActionRead(ref=ref, strand=self.strand, sheet=self.grid.title, row=row)
        read_row_fields(self.grid, self.header, row, action, self.context)
        if ref_column is None and what:
            action.what = what.strip()
        action.objective_ref = self.objective.ref if self.objective else None
        self._add(action)

    def _continues_above(self, row: int) -> bool:
        """A row with no number carries on the action above when it is in the same strand (no new strand cell)."""
        if not self.actions or self.actions[-1].strand != self.strand or self.actions[-1].sheet != self.grid.title:
            return False
        column = self.header.column(STRAND)
        return not (column and not self.grid.is_continuation(row, column) and self.grid.text(row, column))

    def _objective_row(self, row: int, texts: list[tuple[int, str]], others: list[tuple[int, str]]) -> bool:
        """A separator row naming an objective ('Objective 1.1: …'), perhaps with an 'Outcomes:' cell."""
        if self.header.has(OBJECTIVE):
            return False
        found = objective_heading(texts[0][1])
        if found is None:
            return False
        ref, strand, title = found
        self.strand = strand or self.strand
        objective = self.objectives.get((self.strand, ref))
        if objective is None:
            objective = self.objectives[(self.strand, ref)] = ObjectiveRead(ref, title, self.strand)
        for _, text in texts[1:]:
            lines = text.split("\n")
            if OUTCOMES_LABEL_RE.match(lines[0]):
                lines = lines[1:]
            for item in bullet_items("\n".join(lines)):
                if item not in objective.outcomes:
                    objective.outcomes.append(item)
        self.objective = objective
        return True

    def _bulleted_actions(self, row: int) -> bool:
        """An objective row whose Actions cell lists its actions as bullets: one action a bullet."""
        text = self.grid.text(row, self.header.at(WHAT))
        numbered = self.header.has(REF) and clean_ref(self.grid.value(row, self.header.at(REF)))
        if numbered or text.lstrip()[:1] not in BULLETS.strip():
            return False  # a numbered action, or lines that are not bullets, stay one action
        items = bullet_items(text)
        for item in items:
            action = ActionRead(ref="", strand=self.strand, sheet=self.grid.title, row=row)
            read_row_fields(self.grid, _without_text(self.header), row, action, self.context)
            action.what = item
            action.ref = self._next_ref(row, None)
            action.objective_ref = self.objective.ref if self.objective else None
            self._add(action)
        return True

    def _read_strand_cell(self, row: int, column: int) -> None:
        text = self.grid.text(row, column, merged=True)
        if not text:
            return
        strand = strand_of(text)
        if strand is not None:
            if strand is not self.strand:
                self.objective = None
            self.strand = strand
        elif not self.grid.is_continuation(row, column):
            self.grid.warn(row, f"the strand '{text}' is not Prepare, Prevent, Protect or Pursue, so it was not used")

    @staticmethod
    def _is_separator(others: list[tuple[int, str]]) -> bool:
        """A row that holds nothing but a strand heading, perhaps merged across the sheet."""
        return len({text for _, text in others}) == 1 and strand_heading(others[0][1]) is not None

    def _read_objective(self, row: int) -> None:
        column = self.header.column(OBJECTIVE)
        if column is None:
            return
        title = self.grid.text(row, column, merged=True)
        if title:
            if found := objective_heading(title):
                ref, strand, title = found
                self.strand = strand or self.strand
            else:
                match = AIM_NUMBER_RE.match(title)
                number = sum(1 for strand, _ in self.objectives if strand == self.strand) + 1
                ref = match.group(1) if match else str(number)
            key = (self.strand, ref)
            if key not in self.objectives:
                self.objectives[key] = ObjectiveRead(ref, title, self.strand)
            self.objective = self.objectives[key]
        if self.objective is not None and (outcome_column := self.header.column(OUTCOME)):
            for outcome in bullet_items(self.grid.text(row, outcome_column)):
                if outcome not in self.objective.outcomes:
                    self.objective.outcomes.append(outcome)

    def _ref(self, row: int, column: int | None, what: str) -> str:
        if column is None:
            return ""
        ref = clean_ref(self.grid.value(row, column))
        if len(ref) > MAX_REF:
            number, _ = leading_number(ref)
            self.grid.warn(row, f"the number '{ref[:60]}…' is too long for a reference; it was shortened")
            ref = number or ref[:MAX_REF]
        return ref

    def _next_ref(self, row: int, ref_column: int | None) -> str:
        if ref_column is None:
            taken = {action.ref for action in self.actions if action.strand == self.strand}
            number = len(taken) + 1
            while str(number) in taken:
                number += 1
            return str(number)
        self.grid.warn(row, f"has no number, so it was imported as 'row {row}': add its number to the plan")
        return f"row {row}"

    def _skip_notes(self, row: int, others: list[tuple[int, str]]) -> None:
        objective_column = self.header.column(OBJECTIVE)
        outcome_column = self.header.column(OUTCOME)
        notes = [text for column, text in others if column not in (objective_column, outcome_column)]
        if notes:
            why = "is not an action (no number or 'What' text), so it was not imported"
            self.grid.warn(row, f"{why}: '{notes[0][:80]}'")

    def _add(self, action: ActionRead) -> None:
        key = (action.strand, action.ref)
        if key in self.refs:
            duplicate = action.display_ref
            action.ref = f"{action.ref} (row {action.row})"[:MAX_REF]
            self.grid.warn(action.row, f"repeats {duplicate}, so it was imported as {action.display_ref}")
        self.refs.add((action.strand, action.ref))
        self.actions.append(action)


def read_row_fields(
    grid: SheetGrid, header: Header, row: int, action: ActionRead, context: SheetContext, continuation=False
) -> None:
    """Fill an action from one row. A continuation row adds to the action above.

    A cell merged down over several actions gives its value to each of them (Responsibility, links, RAG, target
    date); the rows of one action whose number is merged down read each such cell once.
    """

    def add_text(current: str, column: int | None, shared: bool = False) -> str:
        if column is None or column in grid.hidden_columns:
            return current
        if grid.is_continuation(row, column) and (continuation or not shared):
            return current
        text = grid.text(row, column, merged=shared)
        if not text or (continuation and text in current):
            return current
        return f"{current}\n{text}".strip()

    column: int | None
    action.what = add_text(action.what, header.column(WHAT))
    action.how = add_text(action.how, header.column(HOW), shared=True)
    for column in header.columns.get(RESPONSIBILITY, []):
        action.responsibility = add_text(action.responsibility, column, shared=True)
    for column in header.columns.get(COMMENTARY, []):
        if column in grid.hidden_columns or grid.is_continuation(row, column):
            continue
        segments = grid.segments(row, column)
        updates = updates_from(segments)
        if points_to_updates_sheet(segments):
            action.updates_elsewhere = True
        if (quarter := header.quarters.get(column)) is not None:
            as_at = quarter_end(quarter, context.first_year) if context.first_year else None
            for update in updates:
                update.as_at = update.as_at or as_at
            if updates and as_at is None:
                grid.warn(row, f"the plan's year is not known, so the Q{quarter} update was left undated")
        action.updates.extend(updates)
    if (column := header.column(LAST_UPDATED)) and action.updates and action.updates[-1].as_at is None:
        last, _ = date_of(grid.value(row, column, merged=True), context.epoch)
        action.updates[-1].as_at = last
    if (column := header.column(LINKS)) and not (continuation and grid.is_continuation(row, column)):
        text = grid.text(row, column, merged=True)
        links = parse_links(text, bare_numbers_are_pcc=header.pcc_links)
        action.links.extend(link for link in links if link not in action.links)
    if continuation:
        return
    if column := header.column(STATUS):
        _read_status(grid, row, column, action, as_rag=not header.has(RAG))
    if column := header.column(RAG):
        _read_rag(grid, row, column, action)
        if action.rag is None and action.status is ActionStatus.COMPLETE:
            action.rag = Rag.BLUE
    if column := header.column(TARGET_DATE):
        _read_target(grid, row, column, action, context)


def _read_target(grid: SheetGrid, row: int, column: int, action: ActionRead, context: SheetContext) -> None:
    value = grid.value(row, column, merged=True)
    found, text = date_of(value, context.epoch)
    if text:
        found = target_date_of(text, context.first_year)
    action.target_date = found
    if found is None and text:
        action.target_date_text = text[:200]
        grid.warn(row, f"the target date '{action.target_date_text}' is not a date, so it was kept as written")


def _read_status(grid: SheetGrid, row: int, column: int, action: ActionRead, as_rag: bool) -> None:
    text = grid.text(row, column, merged=True)
    if not text:
        return
    rag, status, recognised = rag_and_status(text)
    action.status = status or action.status
    if as_rag:
        action.rag = rag
    if not recognised:
        grid.warn(row, f"the status '{text[:40]}' is not one the tracker knows, so it was not used")


def _read_rag(grid: SheetGrid, row: int, column: int, action: ActionRead) -> None:
    text = grid.text(row, column, merged=True)
    if text and text.strip() in COLOURED_SYMBOLS:
        action.rag = grid.font_rag(row, column)
        if action.rag is None:
            grid.warn(row, f"the RAG '{text}' is not coloured red, amber, green or blue, so the RAG was left unset")
        return
    if text:
        rag, status, recognised = rag_and_status(text)
        action.rag = rag
        action.status = status or action.status
        if not recognised or rag is None:
            grid.warn(row, f"the RAG '{text[:40]}' is not R, A, G or Complete, so the RAG was left unset")
        return
    action.rag, coloured = grid.fill_rag(row, column)
    if coloured and action.rag is None:
        grid.warn(row, "the RAG cell's colour is not red, amber, green or blue, so the RAG was left unset")
    elif not coloured and grid.has_conditional_format(row, column):
        grid.warn(row, "the RAG colour comes from conditional formatting, which cannot be read: type R, A or G")


def _without_text(header: Header) -> Header:
    """The header without the What column, for the fields an objective row shares between its bulleted actions."""
    columns = {meaning: columns for meaning, columns in header.columns.items() if meaning not in (WHAT, OUTCOME)}
    return Header(header.row, header.first_data_row, columns, header.labels, header.strand, quarters=header.quarters)
