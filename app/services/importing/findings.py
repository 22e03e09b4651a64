"""What the reader found in a workbook, as plain data: no database, no openpyxl.

`read_workbook` fills these; `import_workbook` writes them; the check page and the CLI show them. Every warning
carries the sheet and row so that the person who owns the spreadsheet can find the cell.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from app.models.enums import ActionStatus, Framework, PlanKind, Rag, Strand


@dataclass(frozen=True)
class ReadWarning:
    message: str
    sheet: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.sheet and self.row:
            return f"Sheet '{self.sheet}' row {self.row}: {self.message}"
        if self.sheet:
            return f"Sheet '{self.sheet}': {self.message}"
        return self.message


@dataclass
class UpdateRead:
    """One passage of commentary: the base text of a cell, or a later passage marked in red, bold or italic."""

    text: str
    as_at: date | None = None
    author_name: str = ""
    restricted: bool = False  # only the tracker's own Updates sheet says so (its Restricted column)


@dataclass(frozen=True)
class LinkRead:
    framework: Framework
    code: str | None
    text: str  # as written, e.g. "National Strategy (NS)"

    @property
    def label(self) -> str:
        return self.framework.label(self.code)


@dataclass
class ObjectiveRead:
    ref: str
    title: str
    strand: Strand | None = None
    description: str | None = None
    outcomes: list[str] = field(default_factory=list)


@dataclass
class ActionRead:
    ref: str
    strand: Strand | None
    sheet: str
    row: int
    what: str = ""
    how: str = ""
    responsibility: str = ""
    objective_ref: str | None = None
    target_date: date | None = None
    target_date_text: str | None = None
    status: ActionStatus | None = None
    rag: Rag | None = None
    links: list[LinkRead] = field(default_factory=list)
    updates: list[UpdateRead] = field(default_factory=list)
    updates_elsewhere: bool = False  # the cell points to the export's Updates sheet for the whole history

    @property
    def display_ref(self) -> str:
        return f"{self.strand.value} {self.ref}" if self.strand else self.ref


@dataclass
class PlanRead:
    title: str
    kind: PlanKind
    sheets: list[str]
    priority: str | None = None
    lead: str | None = None
    period_label: str = ""
    period_start: date | None = None
    period_end: date | None = None
    objectives: list[ObjectiveRead] = field(default_factory=list)
    actions: list[ActionRead] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)
    columns_not_understood: list[str] = field(default_factory=list)
    column_readings: list[tuple[str, list]] = field(default_factory=list)  # (sheet, [ColumnReading]) per sheet

    def actions_per_group(self) -> dict[str, int]:
        """Actions per strand in 4P order (local plans), or per aim (PCC plans)."""
        if self.kind is PlanKind.PCC:
            return dict(
                Counter(f"Aim {action.objective_ref}" if action.objective_ref else "No aim" for action in self.actions)
            )
        counts = Counter(action.strand.value if action.strand else "No strand" for action in self.actions)
        order = [strand.value for strand in Strand] + ["No strand"]
        return {name: counts[name] for name in order if counts[name]}


@dataclass
class WorkbookReading:
    filename: str
    plans: list[PlanRead] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)  # about the whole file: macros, links, sheets
    sheets_not_read: list[str] = field(default_factory=list)  # e.g. "Summary (a summary the tracker writes)"
