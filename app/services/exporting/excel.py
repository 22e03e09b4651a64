"""Export a plan to Excel for the PCC office, in the plan's own layout (docs/design.md, Export for the PCC office).

The workbook is written new every time with XlsxWriter: an uploaded file is never re-saved, so nothing it
carried (macros, external links) can reach the PCC office. The `pcc` audience never sees restricted text,
and the whole file is marked OFFICIAL; the `internal` file is marked OFFICIAL-SENSITIVE.
"""

import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from datetime import date

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.models import Plan, PlanKind, User
from app.services import clock, gc_pause
from app.services.exporting.content import (
    AUDIENCE_NAMES,
    INTERNAL,
    MARKINGS,
    PCC,
    PlanContent,
    Redactor,
    check_audience,
    load_export_content,
    record_export,
)
from app.services.exporting.measures_sheet import SHEET_TITLE, write_measures_sheet
from app.services.exporting.record import write_decisions_sheet, write_reviews_sheet
from app.services.exporting.safe_text import header_text, short_text
from app.services.exporting.sheets import (
    LOCAL_COLUMNS,
    PCC_COLUMNS,
    SheetFrame,
    write_plan_sheet,
    write_updates_sheet,
)
from app.services.exporting.styles import FONT, NOT_SET, RAG_WORDS, CellWriter
from app.services.exporting.summary import write_summary_sheet
from app.services.measures.reading import PlanMeasures, measures_of

PLAN_SHEET_TITLE = "Plan"
APPLICATION = "Delivery Plan Tracker"
# constant_memory: each row goes to a temporary file as soon as the next begins, so memory stays flat however
# long the plan; strings are then written in the cells themselves (inline), which every program reads.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "in_memory": False,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "default_format_properties": FONT,
}
RAG_CHOICES = [*RAG_WORDS.values(), NOT_SET]
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
        content = load_export_content(plan)  # plain rows; the updates read as each sheet goes
        measures = measures_of(plan, redactor.reader, on)
        data = build_workbook(content, redactor, on, _ticker(progress, 2 * len(content.actions)), measures)
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
    content: PlanContent,
    redactor: Redactor,
    on: date,
    tick: Callable[[], None] = lambda: None,
    measures: PlanMeasures | None = None,
) -> bytes:
    """The workbook, written row by row to temporary files (constant memory), then zipped into memory.

    Each sheet is written top to bottom once, which is what constant-memory mode asks; nothing is merged.
    """
    buffer = io.BytesIO()
    workbook = Workbook(buffer, WORKBOOK_OPTIONS)
    writer = CellWriter(workbook)
    titles = _title_lines(content.plan, redactor, on)
    short_titles = titles[:1] + titles[-1:]

    plan_sheet = workbook.add_worksheet(PLAN_SHEET_TITLE)
    frame = write_plan_sheet(plan_sheet, writer, content, redactor, titles, tick)
    _present(plan_sheet, frame, content.plan, redactor, filter_table=True)
    _rag_choices(plan_sheet, frame, content)

    summary = workbook.add_worksheet("Summary")
    frame = write_summary_sheet(workbook, summary, writer, content, redactor, short_titles, on)
    _present(summary, frame, content.plan, redactor, filter_table=False)

    updates = workbook.add_worksheet("Updates")
    frame = write_updates_sheet(updates, writer, content, redactor, short_titles, tick)
    _present(updates, frame, content.plan, redactor, filter_table=True)

    if measures is not None and (measures.shown or measures.withheld):
        sheet = workbook.add_worksheet(SHEET_TITLE)
        frame = write_measures_sheet(workbook, sheet, writer, measures, redactor, short_titles)
        _present(sheet, frame, content.plan, redactor, filter_table=False)

    if not redactor.withholds:  # the full record is for the force only
        decisions = workbook.add_worksheet("RAG decisions")
        _present(
            decisions,
            write_decisions_sheet(decisions, writer, content, redactor, short_titles),
            content.plan,
            redactor,
            filter_table=True,
        )
        reviews = workbook.add_worksheet("Reviews")
        _present(
            reviews,
            write_reviews_sheet(reviews, writer, content, redactor, short_titles),
            content.plan,
            redactor,
            filter_table=True,
        )

    _set_properties(workbook, content.plan, redactor)
    workbook.close()
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
    """Frozen header, filters, landscape A4 printing one page wide with the header row on every page, and the
    plan title, marking and page numbers in the page header and footer."""
    if filter_table:
        ws.freeze_panes(frame.header_row + 1, 0)
        ws.autofilter(frame.header_row, 0, max(frame.last_row, frame.header_row), frame.columns - 1)
        ws.repeat_rows(frame.header_row)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(1)  # not printed; still shown on screen
    marking = header_text(redactor.marking)
    ws.set_header(f"&L{marking}&C{header_text(redactor.text(plan.title))}&R{marking}")
    ws.set_footer(f"&L{marking}&CPage &P of &N&R{header_text(APPLICATION)}")


def _rag_choices(ws: Worksheet, frame: SheetFrame, content: PlanContent) -> None:
    """The RAG column offers its five words, so an edited copy still reads back; anything else is questioned."""
    if frame.last_row <= frame.header_row:
        return
    col = (PCC_COLUMNS if content.plan.kind is PlanKind.PCC else LOCAL_COLUMNS).index(("RAG", 9))
    ws.data_validation(
        frame.header_row + 1,
        col,
        frame.last_row,
        col,
        {
            "validate": "list",
            "source": RAG_CHOICES,
            "error_type": "warning",
            "error_title": "RAG",
            "error_message": "Choose Red, Amber, Green, Blue or Not set",
        },
    )


def _set_properties(workbook: Workbook, plan: Plan, redactor: Redactor) -> None:
    """The marking in the file's properties too, where mail gateways and document stores look for it."""
    workbook.set_properties(
        {
            "title": f"{short_text(redactor.text(plan.title), 200)} [{redactor.marking}]",
            "subject": f"{redactor.marking}: delivery plan export for the {AUDIENCE_NAMES[redactor.audience]}",
            "keywords": f"{redactor.marking}; audience {redactor.audience}; delivery plan",
            "category": redactor.marking,
            "author": APPLICATION,
            "comments": f"Marked {redactor.marking}",
        }
    )
    workbook.set_custom_property("Marking", redactor.marking)


def export_filename(plan: Plan, on: date, audience: str) -> str:
    """`Modern-Day-Slavery-Local-Delivery-Plan-2025-11-25-OFFICIAL.xlsx`: priority, title, date and marking, so
    the sensitive copy is never mistaken for the other in a mail or a folder."""
    title = plan.title or "Plan"
    priority = plan.priority or ""
    words = title if title.lower().startswith(priority.lower()) else f"{priority} {title}"
    return f"{slug(words) or 'Plan'}-{on.isoformat()}-{MARKINGS[check_audience(audience)]}.xlsx"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[A-Za-z0-9]+", ascii_text))[:120].strip("-")
