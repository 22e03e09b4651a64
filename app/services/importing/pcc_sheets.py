"""Reading a PCC deliverables sheet: aims whose numbered sub-items (1.2.1, 3.3c.1, 3.7a.2) are the actions.

A row holds an aim, what will be done, several numbered deliverables in one cell, and an evidence cell grouped
under the same numbers; each group of evidence becomes the update history of its deliverable.
"""

import re

from app.services.importing.columns import COMMENTARY, HOW, OBJECTIVE, REF, STRAND, WHAT, Header, is_repeated_header
from app.services.importing.commentary import group_by_sub_refs, points_to_updates_sheet, updates_from
from app.services.importing.findings import ActionRead, ObjectiveRead
from app.services.importing.local_sheets import MAX_REF, SheetContext, read_row_fields
from app.services.importing.sheet_grid import SheetGrid
from app.services.importing.wording import AIM_NUMBER_RE, SUB_REF_RE, clean_ref

LOOKS_NUMBERED_RE = re.compile(r"^\s*\d+(?:\.\d+[a-z]?)+\.?\s")
AIM_OF_SUB_REF_RE = re.compile(r"^(\d+\.\d+[a-z]?)\.")
SAMPLE_ROWS = 200


def is_pcc_layout(grid: SheetGrid, header: Header, title_lines: list[str]) -> bool:
    """Aims with numbered deliverables and no strands; or numbered deliverables on a sheet that says PCC."""
    if header.has(STRAND) or header.strand:
        return False
    says_pcc = any(re.search(r"\bPCC\b", text) for text in [grid.title, *title_lines])
    if not (header.has(OBJECTIVE) or says_pcc):
        return False
    columns = header.columns_of(HOW, WHAT, REF)
    last = min(grid.max_row, header.first_data_row + SAMPLE_ROWS)
    return any(
        SUB_REF_RE.match(line)
        for row in range(header.first_data_row, last + 1)
        for column in columns
        for line in grid.text(row, column).splitlines()
    )


class PccSheetReader:
    def __init__(self, grid: SheetGrid, header: Header, context: SheetContext):
        self.grid, self.header, self.context = grid, header, context
        self.objectives: dict[str, ObjectiveRead] = {}
        self.actions: list[ActionRead] = []
        self.aim = ""
        self.split_aims: set[str] = set()

    def read(self) -> tuple[list[ObjectiveRead], list[ActionRead]]:
        self.split_aims = self._aims_with_several_parts()
        for row in self.grid.data_rows(self.header.first_data_row):
            texts = self.grid.row_texts(row)
            if not texts:
                continue
            if row in self.grid.hidden_rows:
                self.grid.warn(row, "is hidden and was not imported: unhide it if it belongs to the plan")
            elif not is_repeated_header(self.grid, row, self.header):
                self._read_row(row, texts)
        return list(self.objectives.values()), self.actions

    def _aims_with_several_parts(self) -> set[str]:
        """Aim numbers whose deliverables are numbered for more than one part ('3.7a.1', '3.7b.1'): each part is an
        objective of its own. An aim whose deliverables all carry one letter ('3.3a.1') stays the aim ('3.3')."""
        column = self.header.column(OBJECTIVE)
        if column is None:
            return set()
        parts: dict[str, set[str]] = {}
        columns = self.header.columns_of(HOW, WHAT, REF)
        for row in range(self.header.first_data_row, self.grid.max_row + 1):
            aim = AIM_NUMBER_RE.match(self.grid.text(row, column, merged=True))
            if aim is None:
                continue
            for other in columns:
                for line in self.grid.text(row, other).splitlines():
                    if (match := SUB_REF_RE.match(line)) and (sub := AIM_OF_SUB_REF_RE.match(match.group(1))):
                        parts.setdefault(aim.group(1), set()).add(sub.group(1))
        return {aim for aim, found in parts.items() if len(found) > 1}

    def _read_row(self, row: int, texts: list[tuple[int, str]]) -> None:
        if self.header.has(OBJECTIVE):
            self.aim = self.grid.text(row, self.header.at(OBJECTIVE), merged=True) or self.aim
        items, source = self._deliverables(row)
        if not items:
            why = "has no numbered deliverables (like 1.2.1), so it was not imported"
            self.grid.warn(row, f"{why}: '{texts[0][1][:80]}'")
            return
        objective = self._objective(row, items[0][0], source)
        actions = []
        for ref, text in items:
            action = ActionRead(ref=ref, strand=None, sheet=self.grid.title, row=row, objective_ref=objective.ref)
            read_row_fields(self.grid, _without(self.header, WHAT, HOW, COMMENTARY, REF), row, action, self.context)
            action.what = text.strip()
            actions.append(action)
        self._add_evidence(row, actions)
        for action in actions:
            self._add(action)

    def _deliverables(self, row: int) -> tuple[list[tuple[str, str]], int | None]:
        """[(ref, text)] of the row, and the column they were written in."""
        columns = self.header.columns_of(HOW, WHAT)
        ref_column = self.header.column(REF)
        if ref_column and (ref := clean_ref(self.grid.value(row, ref_column))):
            column = next((column for column in columns if self.grid.text(row, column)), None)
            text = self.grid.text(row, column) if column else ""
            return [(ref[:MAX_REF], SUB_REF_RE.sub("", text, count=1))], column
        for column in columns:
            items = self._numbered_lines(row, self.grid.text(row, column))
            if items:
                return items, column
        return [], None

    def _numbered_lines(self, row: int, text: str) -> list[tuple[str, str]]:
        items: list[list[str]] = []
        preamble: list[str] = []
        for line in text.splitlines():
            match = SUB_REF_RE.match(line)
            if match:
                items.append([match.group(1), line[match.end() :]])
            elif items:
                if LOOKS_NUMBERED_RE.match(line):
                    why = "is not numbered like a deliverable (1.2.1), so it was kept with"
                    self.grid.warn(row, f"'{line[:50]}…' {why} {items[-1][0]}")
                items[-1][1] += "\n" + line
            elif line.strip():
                preamble.append(line)
        if items and preamble:
            self.grid.warn(row, f"text before the first numbered deliverable was kept with {items[0][0]}")
            items[0][1] = "\n".join(preamble + [items[0][1]])
        return [(ref, text) for ref, text in items]

    def _objective(self, row: int, first_ref: str, source: int | None) -> ObjectiveRead:
        sub_aim = AIM_OF_SUB_REF_RE.match(first_ref)
        aim_number = AIM_NUMBER_RE.match(self.aim)
        # The aim as numbered ('3.3)'), even when its deliverables carry a letter ('3.3a.1'), unless they are
        # numbered for several parts of it ('3.7a.1', '3.7b.1'): then each part is an objective.
        if aim_number and not (sub_aim and aim_number.group(1) in self.split_aims):
            ref = aim_number.group(1)
        else:
            ref = sub_aim.group(1) if sub_aim else str(len(self.objectives) + 1)
        what_column = self.header.column(WHAT)
        description = self.grid.text(row, what_column) if what_column and what_column != source else ""
        objective = self.objectives.get(ref)
        if objective is None:
            title = AIM_NUMBER_RE.sub("", self.aim, count=1).strip() if aim_number else self.aim
            objective = self.objectives[ref] = ObjectiveRead(ref, title or f"Aim {ref}", None, description or None)
        elif description and description not in (objective.description or ""):
            objective.description = f"{objective.description}\n{description}" if objective.description else description
        return objective

    def _add_evidence(self, row: int, actions: list[ActionRead]) -> None:
        by_ref = {action.ref: action for action in actions}
        for column in self.header.columns.get(COMMENTARY, []):
            target = actions[0]
            for ref, segments in group_by_sub_refs(self.grid.segments(row, column)):
                if ref is None and len(actions) > 1:
                    self.grid.warn(row, f"evidence before the first number was kept with {actions[0].ref}")
                elif ref is not None and ref in by_ref:
                    target = by_ref[ref]
                elif ref is not None:
                    why = "matches no deliverable in the row, so it was kept with"
                    self.grid.warn(row, f"evidence numbered {ref} {why} {target.ref}")
                    segments = [(f"{ref} ", False), *segments]
                if points_to_updates_sheet(segments):
                    target.updates_elsewhere = True
                target.updates.extend(updates_from(segments))

    def _add(self, action: ActionRead) -> None:
        if any(known.ref == action.ref for known in self.actions):
            duplicate = action.ref
            action.ref = f"{action.ref} (row {action.row})"[:MAX_REF]
            self.grid.warn(action.row, f"repeats deliverable {duplicate}, so it was imported as {action.ref}")
        self.actions.append(action)


def _without(header: Header, *meanings: str) -> Header:
    """The header with some columns left out, for the fields a PCC row shares between its deliverables."""
    columns = {meaning: columns for meaning, columns in header.columns.items() if meaning not in meanings}
    return Header(header.row, header.first_data_row, columns, header.labels, header.strand, pcc_links=header.pcc_links)
