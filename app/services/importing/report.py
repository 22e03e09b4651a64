"""What an import did (or, in a dry run, would do), as plain data for the CLI and the check page.

The preview must say exactly what will happen: old → new for each field, new actions by ref and text, new
updates by their first words, RAGs proposed or decided, renumberings, conflicts and the questions only a person
can answer. The CLI's `--dry-run` prints the same lines the check page shows (`change_lines`).
"""

from dataclasses import dataclass, field
from datetime import date

from app.models.enums import PlanKind, Rag
from app.services.importing.findings import ReadWarning
from app.services.importing.matching import Question
from app.services.importing.merging import Conflict, FieldChange


@dataclass
class NewAction:
    ref: str
    text: str

    def __str__(self) -> str:
        return f"new action {self.ref} '{self.text}'"


@dataclass
class NewUpdate:
    ref: str
    words: str
    as_at: date | None

    def __str__(self) -> str:
        when = f"{self.as_at:%d/%m/%Y} " if self.as_at else ""
        return f"{self.ref}: new update ({when}'{self.words}')"


@dataclass
class RagFromFile:
    """A RAG the file changed since the last import: a proposal for the lead, or the lead's own decision."""

    ref: str
    old: Rag | None
    new: Rag
    decided: bool

    def __str__(self) -> str:
        old = self.old.label if self.old else "none"
        how = "decided by the plan's lead" if self.decided else "proposed for the lead's review"
        return f"{self.ref}: RAG {old} → {self.new.label}, {how}"


@dataclass
class Renumbering:
    old_ref: str
    new_ref: str
    text: str

    def __str__(self) -> str:
        return f"{self.old_ref} → {self.new_ref} ('{self.text}'), renumbered, history kept"


@dataclass
class PlanQuestion:
    """The plan's title is only the file's name: is it a new plan or one the tracker holds?"""

    index: int
    title: str
    candidates: list[tuple[int, str]]  # (plan id, full title)
    answer: int | None = None  # the plan id, 0 for a new plan, None when not answered
    default: int | None = None  # the plan of that title and period, when there is one

    def __str__(self) -> str:
        listed = "; ".join(f"{plan_id}: {title}" for plan_id, title in self.candidates)
        return f"'{self.title}' is only the file's name: is it a new plan, or one of these? {listed}"


@dataclass
class PlanOutcome:
    title: str
    period_label: str
    kind: PlanKind
    sheets: list[str]
    is_new: bool
    plan_id: int | None = None
    actions_per_group: dict[str, int] = field(default_factory=dict)
    actions_created: int = 0
    actions_changed: list[str] = field(default_factory=list)  # "Prepare 1 (RAG, target date)"
    actions_unchanged: int = 0
    actions_not_in_file: int = 0  # kept: an import never deletes
    plan_fields_changed: list[str] = field(default_factory=list)
    plan_field_changes: list[FieldChange] = field(default_factory=list)
    updates_added: int = 0
    updates_already_there: int = 0
    links: int = 0
    pcc_resolved: list[str] = field(default_factory=list)  # "Prepare 1 → PCC 3.3.7"
    pcc_unresolved: list[str] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)
    columns_not_understood: list[str] = field(default_factory=list)
    column_readings: list[tuple[str, list]] = field(default_factory=list)  # (sheet, [ColumnReading]) per sheet
    first_actions: list = field(default_factory=list)  # [ActionRead], as they will be stored
    field_changes: list[FieldChange] = field(default_factory=list)
    new_actions: list[NewAction] = field(default_factory=list)
    new_updates: list[NewUpdate] = field(default_factory=list)
    reworded_updates: list[str] = field(default_factory=list)  # "Prepare 2: 'E-learning package …'"
    rags: list[RagFromFile] = field(default_factory=list)
    renumberings: list[Renumbering] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    plan_question: PlanQuestion | None = None
    refs_not_in_file: list[str] = field(default_factory=list)

    @property
    def unanswered(self) -> list[str]:
        """What a person must answer before this plan can be imported."""
        lines = [str(question) for question in self.questions if question.answer is None]
        if self.plan_question and self.plan_question.answer is None and self.plan_question.default is None:
            lines.append(str(self.plan_question))
        return lines

    def change_lines(self) -> list[str]:
        """Every change the import makes (or would make), one line each, as the check page and the CLI say it."""
        if self.is_new:
            groups = ", ".join(f"{name} {count}" for name, count in self.actions_per_group.items())
            lines = [f"new plan '{self.title}': {self.action_count} actions ({groups})"]
        else:
            lines = [str(change) for change in self.plan_field_changes]
        lines += [str(item) for item in self.new_actions if not self.is_new]
        lines += [str(item) for item in self.renumberings]
        lines += [str(item) for item in self.field_changes]
        lines += [str(item) for item in self.rags if not self.is_new]
        lines += [str(item) for item in self.new_updates if not self.is_new]
        return lines

    @property
    def action_count(self) -> int:
        return sum(self.actions_per_group.values())

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.is_new
            or self.actions_created
            or self.actions_changed
            or self.plan_fields_changed
            or self.updates_added
            or self.rags
            or self.renumberings
        )

    @property
    def needs_attention(self) -> bool:
        """Conflicts or questions: worth an Import button even when nothing changes as things stand."""
        asked = self.plan_question is not None and self.plan_question.answer is None
        return bool(self.conflicts or self.questions or asked)


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    plans: list[PlanOutcome] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)
    sheets_not_read: list[str] = field(default_factory=list)
    earlier_links_resolved: list[str] = field(default_factory=list)  # links of other plans that now resolve

    @property
    def all_warnings(self) -> list[ReadWarning]:
        return self.warnings + [warning for plan in self.plans for warning in plan.warnings]

    @property
    def changes_anything(self) -> bool:
        return any(plan.changes_anything for plan in self.plans) or bool(self.earlier_links_resolved)

    @property
    def worth_importing(self) -> bool:
        """Offer the Import button: something changes, or a conflict or question waits for the administrator."""
        return self.changes_anything or any(plan.needs_attention for plan in self.plans)

    @property
    def unanswered(self) -> list[str]:
        return [line for plan in self.plans for line in plan.unanswered]

    def summary_lines(self) -> list[str]:
        """What was read, plan by plan: actions per strand, updates, links, warnings with sheet and row."""
        lines = [f"{self.filename}: dry run, nothing was saved" if self.dry_run else f"{self.filename}: imported"]
        for plan in self.plans:
            lines.extend(_plan_lines(plan, self.dry_run))
        if self.earlier_links_resolved:
            lines.append(f"PCC links of other plans now resolved: {', '.join(self.earlier_links_resolved)}")
        if self.sheets_not_read:
            lines.append(f"Sheets not read: {'; '.join(self.sheets_not_read)}")
        if self.warnings:
            lines.append("Warnings about the file:")
            lines.extend(f"  {warning}" for warning in self.warnings)
        return lines


def _plan_lines(plan: PlanOutcome, dry_run: bool) -> list[str]:
    kind = "PCC deliverables" if plan.kind is PlanKind.PCC else "local plan"
    state = "new" if plan.is_new else "existing"
    period = f" ({plan.period_label})" if plan.period_label else ""
    sheets = ", ".join(f"'{sheet}'" for sheet in plan.sheets)
    groups = ", ".join(f"{name}: {count}" for name, count in plan.actions_per_group.items())
    added = "to add" if dry_run else "added"
    lines = [
        f"{plan.title}{period}: {state} {kind} from sheet {sheets}",
        f"  Actions: {plan.action_count} ({groups}); {plan.actions_created} new, "
        f"{len(plan.actions_changed)} changed, {plan.actions_unchanged} unchanged",
        f"  Updates: {plan.updates_added} {added}, {plan.updates_already_there} already there",
        f"  Links: {plan.links}; PCC links resolved {len(plan.pcc_resolved)}, unresolved {len(plan.pcc_unresolved)}"
        + (f" ({_some(plan.pcc_unresolved)})" if plan.pcc_unresolved else ""),
    ]
    if plan.plan_fields_changed:
        lines.append(f"  Plan details changed: {', '.join(plan.plan_fields_changed)}")
    if plan.actions_changed:
        lines.append(f"  Changed: {_some(plan.actions_changed, '; ')}")
    changes = plan.change_lines()
    if plan.is_new:
        lines.append(f"  {changes[0]}")
    elif changes:
        lines.append("  What changes:" if dry_run else "  What changed:")
        lines.extend(f"    {line}" for line in changes)
    elif not plan.needs_attention:
        lines.append("  Nothing changes: the tracker already holds everything in this plan")
    if plan.reworded_updates:
        lines.append(
            "  Updates the tracker holds, worded a little differently in the file (not added again): "
            + _some(plan.reworded_updates, "; ")
        )
    if plan.conflicts:
        lines.append("  Conflicts (changed in the file and in the tracker since the last import):")
        lines.extend(f"    {conflict}" for conflict in plan.conflicts)
    if plan.questions:
        lines.append("  Possible renumberings (answer with --renumbered or --not-renumbered):")
        lines.extend(f"    {question} [{question.key}]" for question in plan.questions)
    if plan.plan_question and plan.plan_question.answer is None:
        lines.append(f"  {plan.plan_question} (choose with --plan ID or --new-plan)")
    if plan.actions_not_in_file:
        lines.append(
            f"  {plan.actions_not_in_file} actions in the tracker are not in the file (kept): "
            + _some(plan.refs_not_in_file)
        )
    if plan.columns_not_understood:
        lines.append(f"  Columns not understood: {'; '.join(plan.columns_not_understood)}")
    for sheet, readings in plan.column_readings:
        lines.append(f"  Columns of sheet '{sheet}':")
        lines.extend(f"    {reading}" for reading in readings)
    if plan.first_actions:
        lines.append("  First actions, as they will be stored:")
        lines.extend(f"    {action_line(action)}" for action in plan.first_actions)
    if plan.warnings:
        lines.append(f"  Warnings ({len(plan.warnings)}):")
        lines.extend(f"    {warning}" for warning in plan.warnings)
    return lines


def action_line(action) -> str:
    """'Prepare 1 (row 6): RAG green, target 31/03/2016, 3 updates'."""
    rag = action.rag.value if action.rag else "no RAG"
    if action.target_date:
        target = f"target {action.target_date:%d/%m/%Y}"
    else:
        target = f"target '{action.target_date_text}' (not a date)" if action.target_date_text else "no target date"
    objective = f", objective {action.objective_ref}" if action.objective_ref else ""
    return f"{action.display_ref} (row {action.row}){objective}: RAG {rag}, {target}, {len(action.updates)} updates"


def _some(items: list[str], separator: str = ", ", shown: int = 10) -> str:
    """The first few of a long list, and how many more there are."""
    more = f"{separator}and {len(items) - shown} more" if len(items) > shown else ""
    return separator.join(items[:shown]) + more
