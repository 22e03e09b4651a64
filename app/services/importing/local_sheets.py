"""Reading a local delivery plan sheet: actions under the four strands.

The strand comes from a strand column (merged down, or written once and left blank below), from the header's
first cell, from separator rows ("PREVENT" across the sheet) or from the sheet's own name.
"""

from datetime import datetime

from app.models.enums import Strand
from app.services.importing.cells import SheetGrid
from app.services.importing.columns import (
    COMMENTARY,
    HOW,
    LINKS,
    OBJECTIVE,
    OUTCOME,
    RAG,
    REF,
    RESPONSIBILITY,
    STRAND,
    TARGET_DATE,
    WHAT,
    Header,
    is_repeated_header,
)
from app.services.importing.commentary import BULLETS, updates_from
from app.services.importing.findings import ActionRead, ObjectiveRead
from app.services.importing.wording import (
    AIM_NUMBER_RE,
    clean_ref,
    date_of,
    leading_number,
    parse_links,
    rag_and_status,
    strand_heading,
    strand_of,
)

MAX_REF = 40


class StrandSheetReader:
    """Walks the rows under the header, keeping the strand and objective that the rows above set."""

    def __init__(self, grid: SheetGrid, header: Header, sheet_strand: Strand | None, epoch: datetime | None):
        self.grid, self.header, self.epoch = grid, header, epoch
        self.strand = header.strand or sheet_strand
        self.objective: ObjectiveRead | None = None
        self.objectives: dict[tuple[Strand | None, str], ObjectiveRead] = {}
        self.actions: list[ActionRead] = []
        self.refs: set[tuple[Strand | None, str]] = set()
        if header.has(OUTCOME) and not header.has(OBJECTIVE):
            header.not_understood.append("'Outcome' (there is no Objective column to put the outcomes under)")

    def read(self) -> tuple[list[ObjectiveRead], list[ActionRead]]:
        for row in self.grid.data_rows(self.header.first_data_row):
            texts = self.grid.row_texts(row)
            if not texts:
                continue
            if row in self.grid.hidden_rows:
                self.grid.warn(row, "is hidden and was not imported: unhide it if it belongs to the plan")
            elif is_repeated_header(self.grid, row, self.header):
                self.strand = strand_heading(texts[0][1]) or self.strand
            else:
                self._read_row(row, texts)
        return list(self.objectives.values()), self.actions

    def _read_row(self, row: int, texts: list[tuple[int, str]]) -> None:
        strand_column = self.header.column(STRAND)
        if strand_column:
            self._read_strand_cell(row, strand_column)
        others = [(column, text) for column, text in texts if column != strand_column]
        if self._is_separator(others):
            self.strand = strand_heading(others[0][1])
            self.objective = None
            return
        self._read_objective(row)
        ref_column = self.header.column(REF)
        if ref_column and self.grid.is_continuation(row, ref_column) and self.actions:
            read_row_fields(self.grid, self.header, row, self.actions[-1], self.epoch, continuation=True)
            return
        what = self.grid.text(row, self.header.column(WHAT)) if self.header.has(WHAT) else ""
        ref = self._ref(row, ref_column, what)
        content = {self.header.column(m) for m in (WHAT, HOW, COMMENTARY) if self.header.has(m)}
        if not ref and not any(column in content for column, _ in others):
            self._skip_notes(row, others)
            return
        if ref_column is None and (number_and_rest := leading_number(what))[0]:
            ref, what = number_and_rest
        ref = ref or self._next_ref(row, ref_column)
        action = ActionRead(ref=ref, strand=self.strand, sheet=self.grid.title, row=row)
        read_row_fields(self.grid, self.header, row, action, self.epoch)
        if ref_column is None and what:
            action.what = what.strip()
        action.objective_ref = self.objective.ref if self.objective else None
        self._add(action)

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
            key = (self.strand, title)
            if key not in self.objectives:
                match = AIM_NUMBER_RE.match(title)
                number = sum(1 for strand, _ in self.objectives if strand == self.strand) + 1
                self.objectives[key] = ObjectiveRead(match.group(1) if match else str(number), title, self.strand)
            self.objective = self.objectives[key]
        if self.objective is not None and (outcome_column := self.header.column(OUTCOME)):
            for line in self.grid.text(row, outcome_column).splitlines():
                if (outcome := line.strip(BULLETS)) and outcome not in self.objective.outcomes:
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
            return str(sum(1 for action in self.actions if action.strand == self.strand) + 1)
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
    grid: SheetGrid, header: Header, row: int, action: ActionRead, epoch: datetime | None, continuation=False
) -> None:
    """Fill an action from one row. A continuation row (its number merged from above) adds to the action."""

    def add_text(current: str, column: int | None) -> str:
        if column is None or grid.is_continuation(row, column):
            return current
        text = grid.text(row, column)
        return f"{current}\n{text}".strip() if text else current

    action.what = add_text(action.what, header.column(WHAT))
    action.how = add_text(action.how, header.column(HOW))
    for column in header.columns.get(RESPONSIBILITY, []):
        action.responsibility = add_text(action.responsibility, column)
    for column in header.columns.get(COMMENTARY, []):
        if not grid.is_continuation(row, column):
            action.updates.extend(updates_from(grid.segments(row, column)))
    if (column := header.column(LINKS)) and not grid.is_continuation(row, column):
        action.links.extend(link for link in parse_links(grid.text(row, column)) if link not in action.links)
    if (column := header.column(RAG)) and not continuation:
        _read_rag(grid, row, column, action)
    if (column := header.column(TARGET_DATE)) and not continuation:
        action.target_date, action.target_date_text = date_of(grid.value(row, column, merged=True), epoch)
        if action.target_date_text:
            action.target_date_text = action.target_date_text[:200]
            grid.warn(row, f"the target date '{action.target_date_text}' is not a date, so it was kept as written")


def _read_rag(grid: SheetGrid, row: int, column: int, action: ActionRead) -> None:
    text = grid.text(row, column, merged=True)
    if text:
        action.rag, action.status, recognised = rag_and_status(text)
        if not recognised:
            grid.warn(row, f"the RAG '{text[:40]}' is not R, A, G or Complete, so the RAG was left unset")
        return
    action.rag, coloured = grid.fill_rag(row, column)
    if coloured and action.rag is None:
        grid.warn(row, "the RAG cell's colour is not red, amber, green or blue, so the RAG was left unset")
    elif not coloured and grid.has_conditional_format(row, column):
        grid.warn(row, "the RAG colour comes from conditional formatting, which cannot be read: type R, A or G")
