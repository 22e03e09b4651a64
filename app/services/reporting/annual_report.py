"""The annual report: for a plan and a (financial) year, a Word document a partnership can edit and publish.

For each strand and objective it gives the objective with its outcomes and actions, each action's year-end
commentary (the latest update of the year, or what the lead wrote for this report instead), the key achievements
(what the lead wrote, or else the actions completed in the year), and the measures linked there, with their charts
as images and their figures in tables. Measures linked to no strand, objective or action close the report.

The lead's edits are ReportEdit rows kept for this report only: they never touch the updates, and the latest edit
wins. The `public` audience reads as the PCC office does (app.services.redaction): a restricted action keeps its
number and RAG and says [REDACTED], its commentary and the lead's edits of it are withheld, measures of restricted
actions are left out and counted, and marked text says [REDACTED].
"""

import io
from dataclasses import dataclass, field
from datetime import date

from app.extensions import db
from app.models import Action, ActionStatus, Objective, Plan, Rag, ReportEdit, Strand, User
from app.services.access import can_edit_plan
from app.services.audit import trail as audit
from app.services.errors import NotAllowed, ServiceError
from app.services.exporting.content import record_export
from app.services.measures import periods
from app.services.measures.reading import MeasureView, measures_of
from app.services.measures.thresholds import number
from app.services.plain_text import has_control_characters
from app.services.redaction import EVERYONE, REDACTED, WITHHOLDING, Reader

INTERNAL, PUBLIC = "internal", "public"
AUDIENCES = {
    INTERNAL: ("OFFICIAL-SENSITIVE", "Internal copy for the partnership: restricted work included"),
    PUBLIC: ("OFFICIAL", "For publication: restricted work withheld"),
}
COMMENTARY, ACHIEVEMENTS = "commentary", "achievements"
MAX_EDIT_LENGTH = 10_000


class ReportError(ServiceError):
    """A report that cannot be made or an edit that cannot be kept; `field` names the form field at fault."""


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def years_of(plan: Plan, today: date) -> list[int]:
    """The financial years a report can be made for: the plan's period, else this year and the one before."""
    if plan.period_start and plan.period_end:
        first, last = periods.year_of(plan.period_start), periods.year_of(plan.period_end)
        return list(range(first, last + 1))[:10]
    this = periods.year_of(today)
    return [this - 1, this]


@dataclass
class ActionEntry:
    action: Action
    ref: str
    what: str
    rag: Rag | None
    commentary: str
    source: str  # "update" (with its date), "edit" (the lead's, for this report), "none", "withheld"
    as_at: date | None = None


@dataclass
class Section:
    key: str  # "objective:12", "strand:Prepare" or "other": what the lead's achievements are kept against
    strand: Strand | None
    objective: Objective | None
    heading: str
    outcomes: list[str]
    actions: list[ActionEntry] = field(default_factory=list)
    achievements: str = ""
    achievements_edited: bool = False
    measures: list[MeasureView] = field(default_factory=list)


@dataclass
class AnnualReport:
    plan: Plan
    year: int
    audience: str
    title: str
    sections: list[Section]
    other_measures: list[MeasureView]
    withheld_measures: int

    @property
    def year_label(self) -> str:
        return periods.year_label(self.year)

    @property
    def marking(self) -> str:
        return AUDIENCES[self.audience][0]

    @property
    def audience_line(self) -> str:
        return AUDIENCES[self.audience][1]


def check_audience(audience: str) -> Reader:
    if audience not in AUDIENCES:
        raise ReportError("Choose who the report is for: internal or public", "audience")
    return WITHHOLDING if audience == PUBLIC else EVERYONE


def current_edits(plan: Plan, year: int) -> dict[tuple[str, str], ReportEdit]:
    """The latest edit of each commentary (by action) and each achievements text (by section key)."""
    rows = db.session.scalars(
        db.select(ReportEdit).where(ReportEdit.plan_id == plan.id, ReportEdit.year == year).order_by(ReportEdit.id)
    )
    found: dict[tuple[str, str], ReportEdit] = {}
    for row in rows:
        found[(row.kind, _edit_key(row))] = row
    return found


def _edit_key(row: ReportEdit) -> str:
    if row.kind == COMMENTARY:
        return f"action:{row.action_id}"
    if row.objective_id:
        return f"objective:{row.objective_id}"
    return f"strand:{row.strand.value}" if row.strand else "other"


def _latest_update(action: Action, reader: Reader, first: date, last: date):
    shown = [u for u in reader.updates(action, action.updates) if u.as_at is not None and first <= u.as_at <= last]
    return shown[-1] if shown else None


def _completed_in(action: Action, first: date, last: date) -> bool:
    if action.status is ActionStatus.COMPLETE and action.closed_on is not None:
        return first <= action.closed_on <= last
    return action.rag is Rag.BLUE or action.status is ActionStatus.COMPLETE


def _sections(plan: Plan) -> list[tuple[Section, list[Action]]]:
    objectives = list(plan.objectives)
    by_objective: dict[int, list[Action]] = {o.id: [] for o in objectives}
    loose: dict[Strand | None, list[Action]] = {}
    for action in plan.actions:
        if action.objective_id in by_objective:
            by_objective[action.objective_id].append(action)
        else:
            loose.setdefault(action.strand, []).append(action)
    found: list[tuple[Section, list[Action]]] = []
    for strand in [*Strand, None]:
        for objective in objectives:
            if objective.strand is strand:
                heading = f"Objective {objective.ref}: {objective.title}"
                section = Section(
                    f"objective:{objective.id}", strand, objective, heading, list(objective.outcomes or [])
                )
                found.append((section, by_objective[objective.id]))
        if loose.get(strand):
            heading = f"Other {strand.value} actions" if strand else "Other actions"
            key = f"strand:{strand.value}" if strand else "other"
            found.append((Section(key, strand, None, heading, []), loose[strand]))
    return found


def build(plan: Plan, year: int, audience: str, today: date | None = None) -> AnnualReport:
    """The report's content for this audience (the document is drawn from it by `document`)."""
    reader = check_audience(audience)
    first, last = year_bounds(year)
    edits = current_edits(plan, year)
    sections = []
    for section, actions in _sections(plan):
        section.heading = reader.text(section.heading)
        section.outcomes = [reader.text(o) for o in section.outcomes]
        for action in actions:
            section.actions.append(_entry(action, reader, edits, first, last))
        edit = edits.get((ACHIEVEMENTS, section.key))
        if edit is not None and edit.text.strip():
            section.achievements, section.achievements_edited = reader.text(edit.text), True
        else:
            section.achievements = "\n".join(
                f"{entry.ref}: {entry.what}"
                for entry, action in zip(section.actions, actions, strict=True)
                if _completed_in(action, first, last) and not reader.withheld(action)
            )
        sections.append(section)
    found = measures_of(plan, reader, today or last)
    by_key = {section.key: section for section in sections}
    first_of_strand: dict[Strand | None, Section] = {}
    for section in sections:
        first_of_strand.setdefault(section.strand, section)
    section_of_action = {entry.action.id: section for section in sections for entry in section.actions}
    other: list[MeasureView] = []
    for view in found.shown:
        measure = view.measure
        home = by_key.get(f"objective:{measure.objective_id}") if measure.objective_id else None
        if home is None and measure.strand is not None:
            home = by_key.get(f"strand:{measure.strand.value}") or first_of_strand.get(measure.strand)
        if home is None and measure.actions:
            home = section_of_action.get(measure.actions[0].id)
        (home.measures if home is not None else other).append(view)
    title = f"{reader.text(plan.title)}: annual report {periods.year_label(year)}"
    return AnnualReport(plan, year, audience, title, sections, other, found.withheld)


def _entry(action: Action, reader: Reader, edits, first: date, last: date) -> ActionEntry:
    ref, what = action.display_ref, reader.field(action, action.what)
    if reader.withheld(action):
        return ActionEntry(action, ref, what, action.rag, "", "withheld")
    edit = edits.get((COMMENTARY, f"action:{action.id}"))
    if edit is not None and edit.text.strip():
        return ActionEntry(action, ref, what, action.rag, reader.field(action, edit.text), "edit")
    update = _latest_update(action, reader, first, last)
    if update is None:
        return ActionEntry(action, ref, what, action.rag, "", "none")
    return ActionEntry(action, ref, what, action.rag, update.text, "update", update.as_at)


# The lead's edits


def save_edits(plan: Plan, year: int, user: User, *, commentary: dict[int, str], achievements: dict[str, str]) -> int:
    """Keep what the lead typed for this report: a new edit for each text that differs from what the report
    would say now (an emptied text goes back to the report's own). Returns how many were kept; audited; commits."""
    if not can_edit_plan(user, plan):
        raise NotAllowed("Only the plan's lead or an administrator can edit its annual report")
    report = build(plan, year, INTERNAL)
    entries = {entry.action.id: entry for section in report.sections for entry in section.actions}
    sections = {section.key: section for section in report.sections}
    held = current_edits(plan, year)
    added: list[ReportEdit] = []
    for action_id, typed in commentary.items():
        entry = entries.get(action_id)
        if entry is None:
            raise ReportError("That action is not in this plan", f"commentary_{action_id}")
        text = _checked(typed, f"commentary_{action_id}", "commentary")
        was = held.get((COMMENTARY, f"action:{action_id}"))
        if text == (was.text if was else "") or (was is None and text == entry.commentary):
            continue
        added.append(ReportEdit(kind=COMMENTARY, action_id=action_id, text=text))
    for key, typed in achievements.items():
        section = sections.get(key)
        if section is None:
            raise ReportError("That part of the report is not in this plan", "achievements")
        text = _checked(typed, f"achievements_{key.replace(':', '_')}", "key achievements")
        was = held.get((ACHIEVEMENTS, key))
        if text == (was.text if was else "") or (was is None and text == section.achievements):
            continue
        added.append(
            ReportEdit(
                kind=ACHIEVEMENTS,
                objective_id=section.objective.id if section.objective else None,
                strand=section.strand if section.objective is None else None,
                text=text,
            )
        )
    for row in added:
        row.plan_id, row.year, row.edited_by_id, row.edited_by_name = plan.id, year, user.id, user.name
        db.session.add(row)
    if added:
        db.session.flush()
        audit.record(
            "annual_report.edit",
            user=user,
            record_type="plan",
            record_id=plan.id,
            new={"year": periods.year_label(year), "edits": [{"kind": r.kind, "key": _edit_key(r)} for r in added]},
            detail=f"Annual report {periods.year_label(year)}: {len(added)} edits",
        )
    db.session.commit()
    return len(added)


def _checked(typed: str, field_name: str, label: str) -> str:
    text = (typed or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_EDIT_LENGTH:
        raise ReportError(f"The {label} must be {MAX_EDIT_LENGTH:,} characters or fewer", field_name)
    if has_control_characters(text):
        raise ReportError(f"The {label} contains characters that cannot be saved: retype it", field_name)
    return text


# The Word document


def export_docx(plan: Plan, year: int, audience: str, user: User | None, today: date | None = None) -> bytes:
    """The report as a .docx for this audience; audited like every export (the audit event is all it commits)."""
    report = build(plan, year, audience, today)
    data = document(report)
    record_export(
        plan,
        audience=audience,
        file_format="docx",
        user=user,
        extra={"marking": report.marking, "year": report.year_label},
        detail=f"Annual report {report.year_label} of plan {plan.id} for the {audience} audience",
    )
    return data


def filename(plan: Plan, year: int, audience: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in plan.title).strip("-")[:60] or "plan"
    return f"{safe}-annual-report-{periods.year_label(year)}-{audience}.docx"


def document(report: AnnualReport) -> bytes:
    from docx import Document  # python-docx loads when a report is asked for
    from docx.shared import Cm

    from app.services.reporting import chart_images

    doc = Document()
    doc.core_properties.title = report.title
    doc.core_properties.subject = f"{report.marking}: {report.audience_line}"
    doc.core_properties.author = "Delivery Plan Tracker"
    for page_setup in doc.sections:
        page_setup.header.paragraphs[0].text = report.marking
        page_setup.footer.paragraphs[0].text = report.marking
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(f"{report.marking}. {report.audience_line}.")
    first, last = year_bounds(report.year)
    doc.add_paragraph(
        f"The year from {first.day} {first:%B %Y} to {last.day} {last:%B %Y}. The year-end commentary of each action "
        "is its latest update in the year unless the lead wrote it for this report."
    )
    if report.withheld_measures:
        word = "measure is" if report.withheld_measures == 1 else "measures are"
        doc.add_paragraph(f"{report.withheld_measures} restricted {word} withheld from this copy.")
    strand = object()
    for section in report.sections:
        if section.strand is not strand:
            strand = section.strand
            doc.add_heading(section.strand.value if section.strand else "Other", level=1)
        doc.add_heading(section.heading, level=2)
        if section.outcomes:
            doc.add_heading("Outcomes", level=3)
            for outcome in section.outcomes:
                doc.add_paragraph(outcome, style="List Bullet")
        if section.actions:
            doc.add_heading("Actions and year-end commentary", level=3)
            table = doc.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, heading in zip(
                table.rows[0].cells, ("Action", "What we did", "Year-end commentary", "RAG"), strict=True
            ):
                cell.text = heading
                cell.paragraphs[0].runs[0].bold = True
            for entry in section.actions:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = entry.ref, entry.what
                cells[2].text = _commentary_text(entry)
                cells[3].text = entry.rag.label if entry.rag else "Not set"
        doc.add_heading("Key achievements", level=3)
        lines = [line for line in section.achievements.splitlines() if line.strip()]
        for line in lines or ["None recorded for the year."]:
            doc.add_paragraph(line, style="List Bullet" if lines else None)
        if section.measures:
            doc.add_heading("Measures", level=3)
            for view in section.measures:
                _measure(doc, view, 4, chart_images, Cm)
    if report.other_measures:
        doc.add_heading("The partnership's figures", level=1)
        for view in report.other_measures:
            _measure(doc, view, 2, chart_images, Cm)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _commentary_text(entry: ActionEntry) -> str:
    if entry.source == "withheld":
        return REDACTED
    if entry.source == "none":
        return "No update in the year."
    if entry.source == "update" and entry.as_at:
        return f"{entry.commentary} ({entry.as_at.day} {entry.as_at:%B %Y})"
    return entry.commentary


def _measure(doc, view: MeasureView, level: int, chart_images, Cm) -> None:
    measure = view.measure
    doc.add_heading(measure.name, level=level)
    about = f"{measure.frequency.label}, in {measure.unit}. Target: {view.target_wording}."
    if view.suggestion:
        about += f" The latest figure suggests {view.suggestion.rag.label}: {view.suggestion.reason}."
    doc.add_paragraph(about)
    if not view.rows:
        doc.add_paragraph("No figures were entered.")
    else:
        _picture(doc, chart_images.period_chart(view), f"Chart: {measure.name} by period", Cm)
        _table(doc, ("Period", f"Figure ({measure.unit})"), [(r.label, _figure(r.figure)) for r in view.rows])
    shown = [row for row in view.categories if row.value is not None]
    if shown:
        dimension = measure.dimension or "Category"
        _picture(doc, chart_images.category_chart(view), f"Chart: {measure.name} by {dimension.lower()}", Cm)
        _table(
            doc,
            (dimension, f"Figure ({measure.unit})"),
            [
                (row.category, number(row.value) + (f" ({row.share:.0f}%)" if row.share is not None else ""))
                for row in shown
            ],
        )
    if view.not_in_breakdown:
        doc.add_paragraph(f"No figure for {', '.join(view.not_in_breakdown)}.")
    if view.has_last_year:
        _picture(doc, chart_images.year_chart(view), f"Chart: {measure.name}, this year against last", Cm)
        _table(
            doc,
            ("Period", view.last_year_label, view.this_year_label),
            [(r.label, number(r.last_year) or "No figure", number(r.this_year) or "No figure") for r in view.years],
        )
    if measure.notes:
        doc.add_paragraph(measure.notes)


def _figure(value) -> str:
    if value is None:
        return "No figure"
    return number(value.value) + (" (sum of the breakdown)" if value.summed else "")


def _picture(doc, png: bytes, description: str, Cm) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(15))
    doc.inline_shapes[-1]._inline.docPr.set("descr", description)  # the image's alternative text


def _table(doc, headings: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
