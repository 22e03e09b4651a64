"""Export a plan to Excel for the PCC office, in the plan's own layout (docs/design.md, Export for the PCC office).

The workbook is built new every time with `Workbook()`: an uploaded file is never re-saved, so nothing it
carried (macros, external links) can reach the PCC office. The `pcc` audience never sees restricted text,
and the whole file is marked OFFICIAL; the `internal` file is marked OFFICIAL-SENSITIVE.
"""

import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from datetime import date

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.models import Plan, User
from app.services import clock, gc_pause
from app.services.exporting.content import (
    AUDIENCE_NAMES,
    INTERNAL,
    PCC,
    PlanContent,
    Redactor,
    load_plan_content,
    record_export,
)
from app.services.exporting.safe_text import header_text, short_text
from app.services.exporting.sheets import SheetFrame, write_plan_sheet, write_updates_sheet
from app.services.exporting.styles import CellMaker
from app.services.exporting.summary import write_summary_sheet

PLAN_SHEET_TITLE = "Plan"
APPLICATION = "Delivery Plan Tracker"
AUDIENCE_LINES = {
    INTERNAL: "internal copy for the force and its partners",
    PCC: "copy for the PCC office, restricted passages withheld",
}


def export_workbook(
    plan: Plan,
    *,
    audience: str,
    as_at: date | None = None,
    user: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The plan as an .xlsx file for this audience, as at a date (today by default); the export is audited.

    `progress(done, total)` hears of each action written (twice: the plan sheet, then the updates sheet),
    so that the command line can show a bar for a force-sized plan.
    """
    redactor = Redactor(audience)
    on = as_at or clock.today()
    with gc_pause.paused():  # hundreds of thousands of cells: see services/gc_pause.py
        content = load_plan_content(plan, with_reviews=True)
        data = build_workbook(content, redactor, on, _ticker(progress, 2 * len(content.actions)))
    record_export(
        plan,
        audience=audience,
        file_format="xlsx",
        user=user,
        extra={"actions": len(content.actions), "sha256": hashlib.sha256(data).hexdigest()},
    )
    return data


def _no_tick() -> None:
    return None


def _ticker(progress: Callable[[int, int], None] | None, total: int) -> Callable[[], None]:
    if progress is None:
        return _no_tick
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress(done, total)

    return tick


def build_workbook(
    content: PlanContent, redactor: Redactor, on: date, tick: Callable[[], None] = lambda: None
) -> bytes:
    workbook = Workbook()
    maker = CellMaker(workbook)
    plan_sheet = workbook.active
    plan_sheet.title = PLAN_SHEET_TITLE
    titles = _title_lines(content.plan, redactor, on)
    frame = write_plan_sheet(plan_sheet, maker, content, redactor, titles, tick)
    _present(plan_sheet, frame, content.plan, redactor, filter_table=True)

    summary = workbook.create_sheet("Summary")
    frame = write_summary_sheet(summary, maker, content, redactor, titles[:1] + titles[-1:], on)
    _present(summary, frame, content.plan, redactor, filter_table=False)

    updates = workbook.create_sheet("Updates")
    frame = write_updates_sheet(updates, maker, content, redactor, titles[:1] + titles[-1:], tick)
    _present(updates, frame, content.plan, redactor, filter_table=True)

    _set_properties(workbook, content.plan, redactor)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title_lines(plan: Plan, redactor: Redactor, on: date) -> list[tuple[str, str]]:
    """Title, priority, lead and "as at" as the plans head themselves, then the marking and the audience.

    "Priority: …", "Lead: …" and "Period: …" are how the importer reads those fields back, so a line is left
    out rather than written empty, and the period only appears when the title does not already say it.
    """
    lines = [(redactor.text(plan.title), "Plan title")]
    if plan.priority:
        lines.append((f"Priority: {redactor.text(plan.priority)}", "Plan subtitle"))
    if plan.lead:
        lines.append((f"Lead: {redactor.text(plan.lead)}", "Plan subtitle"))
    if plan.period_label and plan.period_label not in plan.title:
        lines.append((f"Period: {redactor.text(plan.period_label)}", "Plan subtitle"))
    lines.append((f"As at {on.day} {on:%B %Y}", "Plan subtitle"))
    lines.append((f"{redactor.marking}: {AUDIENCE_LINES[redactor.audience]}", "Plan marking"))
    return lines


def _present(ws: Worksheet, frame: SheetFrame, plan: Plan, redactor: Redactor, *, filter_table: bool) -> None:
    """Frozen header, filters, landscape printing one page wide with the header row on every page, and the
    plan title, marking and page numbers in the page header and footer."""
    last_column = get_column_letter(frame.columns)
    if filter_table:
        ws.freeze_panes = ws.cell(row=frame.header_row + 1, column=1)
        ws.auto_filter.ref = f"A{frame.header_row}:{last_column}{max(frame.last_row, frame.header_row)}"
        ws.print_title_rows = f"{frame.header_row}:{frame.header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    marking = header_text(redactor.marking)
    ws.oddHeader.left.text = marking
    ws.oddHeader.center.text = header_text(redactor.text(plan.title))
    ws.oddHeader.right.text = marking
    ws.oddFooter.left.text = marking
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.right.text = header_text(APPLICATION)


def _set_properties(workbook: Workbook, plan: Plan, redactor: Redactor) -> None:
    """The marking in the file's properties too, where mail gateways and document stores look for it."""
    properties = workbook.properties
    properties.title = f"{short_text(redactor.text(plan.title), 200)} [{redactor.marking}]"
    properties.subject = f"{redactor.marking}: delivery plan export for the {AUDIENCE_NAMES[redactor.audience]}"
    properties.keywords = f"{redactor.marking}; audience {redactor.audience}; delivery plan"
    properties.category = redactor.marking
    properties.creator = APPLICATION
    properties.lastModifiedBy = APPLICATION


def export_filename(plan: Plan, on: date) -> str:
    """`Modern-Day-Slavery-Local-Delivery-Plan-2025-11-25.xlsx`: priority, title and date, safe anywhere."""
    title = plan.title or "Plan"
    priority = plan.priority or ""
    words = title if title.lower().startswith(priority.lower()) else f"{priority} {title}"
    return f"{slug(words) or 'Plan'}-{on.isoformat()}.xlsx"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[A-Za-z0-9]+", ascii_text))[:120].strip("-")
