"""What an import did (or, in a dry run, would do), as plain data for the CLI and the check page."""

from dataclasses import dataclass, field

from app.models.enums import PlanKind
from app.services.importing.findings import ReadWarning


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
    updates_added: int = 0
    updates_already_there: int = 0
    links: int = 0
    pcc_resolved: list[str] = field(default_factory=list)  # "Prepare 1 → PCC 3.3.7"
    pcc_unresolved: list[str] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)
    columns_not_understood: list[str] = field(default_factory=list)
    column_readings: list[tuple[str, list]] = field(default_factory=list)  # (sheet, [ColumnReading]) per sheet
    first_actions: list = field(default_factory=list)  # [ActionRead], as they will be stored

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
        )


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
    if plan.actions_not_in_file:
        lines.append(f"  {plan.actions_not_in_file} actions in the tracker are not in the file (kept)")
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
