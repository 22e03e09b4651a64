"""An administrator imports a plan's figures from a sheet, with periods as columns or as rows.

Periods as columns: a header row whose first heading is the measure ("Measure"), then optionally a category
column ("Category", or the breakdown's own name), then one column per period ("April 2025", "Q1 2025-26",
"2025-26", or a date). Each row below is one measure (and category: empty or "Total" is the total).

Periods as rows: a header row whose first heading is "Period" (or "Month", "Quarter", "Year"), then one column per
measure, named as the measure ("Concerns raised") or as the measure and a category ("Concerns raised: Factory").

Nothing is guessed: a measure, category or period that cannot be matched, and a figure that is not a number, is
said with its sheet and row (and column) and left out; a figure that differs from the one held is shown as a
correction. The file goes through the same pre-flight checks as plan workbooks before openpyxl reads it, waits in
the database between the check page and the confirmation, and is saved whole or not at all.
"""

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PureWindowsPath

from app.extensions import db
from app.models import TOTAL, Measure, PendingImport, Plan, Role, User
from app.services import clock
from app.services.audit import trail as audit
from app.services.errors import NotAllowed, ServiceError
from app.services.importing.guard import check_workbook
from app.services.importing.pending import get_pending  # noqa: F401  (the upload, if this user made it)
from app.services.measures import periods, values
from app.services.measures.editing import MeasureError, read_number
from app.services.measures.thresholds import number

PERIOD_HEADINGS = {"period", "month", "quarter", "year", "financial year"}
MEASURE_HEADINGS = {"measure", "measures", "name", "figure", "indicator"}
CATEGORY_HEADINGS = {"category", "breakdown", "type"}
TOTAL_WORDS = {"", "total", "all", "overall"}
HEADER_SEARCH_ROWS = 20
MAX_IMPORT_ROWS = 5_000


class MeasureImportError(ServiceError):
    """A sheet that cannot be imported at all; the message says what to do."""


@dataclass(frozen=True)
class Figure:
    measure: Measure
    category: str
    period: date
    value: float
    was: float | None  # the figure held before: a correction when it differs
    sheet: str
    row: int

    @property
    def period_label(self) -> str:
        return periods.label(self.measure.frequency, self.period)


@dataclass
class SheetReading:
    filename: str
    figures: list[Figure] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)  # "Sheet 'Figures', row 4: …"
    unchanged: int = 0  # figures equal to those held
    layouts: list[str] = field(default_factory=list)  # "Sheet 'Figures': periods as columns"

    @property
    def corrections(self) -> list[Figure]:
        return [f for f in self.figures if f.was is not None]


def _words(value) -> str:
    return " ".join(str(value or "").split()).casefold()


def _cell_text(value) -> str:
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split()) if value is not None else ""


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_sheets(plan: Plan, data: bytes, filename: str, today: date | None = None) -> SheetReading:
    """What the workbook holds for the plan's measures, and what is unsure. Raises WorkbookRejected for a file
    that is not a safe, readable .xlsx, MeasureImportError when no sheet holds figures of the plan's measures."""
    from openpyxl import load_workbook  # loads when a file is read, not before

    check_workbook(data)
    measures = db.session.scalars(db.select(Measure).where(Measure.plan_id == plan.id)).all()
    if not measures:
        raise MeasureImportError("The plan has no measures yet: add them on the Measures page, then import")
    by_name = {_words(m.name): m for m in measures}
    reading = SheetReading(filename)
    held = {m.id: values.latest(m) for m in measures}
    seen: dict[tuple[int, str, date], tuple[str, int]] = {}
    on = today or clock.today()
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = [list(r) for r in sheet.iter_rows(max_row=MAX_IMPORT_ROWS, values_only=True)]
            _read_sheet(sheet.title, rows, by_name, held, seen, reading, on)
    finally:
        workbook.close()
    if not reading.figures and not reading.unchanged:
        names = ", ".join(sorted(m.name for m in measures))
        raise MeasureImportError(
            "No sheet holds figures of this plan's measures. Head a column 'Measure' (periods as columns) or "
            f"'Period' (measures as columns), and name the measures as the plan does: {names}"
            + (f". {reading.unsure[0]}" if reading.unsure else "")
        )
    return reading


def _read_sheet(title, rows, by_name, held, seen, reading: SheetReading, on: date) -> None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        first = _words(row[0]) if row else ""
        if first in PERIOD_HEADINGS:
            reading.layouts.append(f"Sheet '{title}': periods as rows")
            return _periods_as_rows(title, rows, index, by_name, held, seen, reading, on)
        if first in MEASURE_HEADINGS:
            reading.layouts.append(f"Sheet '{title}': periods as columns")
            return _periods_as_columns(title, rows, index, by_name, held, seen, reading, on)
    if any(any(c is not None for c in row) for row in rows):
        reading.unsure.append(f"Sheet '{title}': no header row starting 'Measure' or 'Period', so it was not read")


def _category(measure: Measure, text: str, where: str, reading: SheetReading) -> str | None:
    if _words(text) in TOTAL_WORDS:
        return TOTAL
    for category in measure.categories or []:
        if _words(category) == _words(text):
            return category
    known = ", ".join(measure.categories or []) or "none"
    reading.unsure.append(f"{where}: '{text}' is not a category of {measure.name} (its categories: {known}): left out")
    return None


def _add(measure, category, period_cell, raw, at: tuple[str, int, int], held, seen, reading, on: date) -> None:
    """One figure from the cell at (sheet, row, column index)."""
    title, row_number, column = at
    where = f"Sheet '{title}', row {row_number}, column {_letter(column)}"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return
    start = periods.parse(measure.frequency, period_cell) if period_cell not in (None, "") else None
    if start is None:
        reading.unsure.append(
            f"{where}: '{_cell_text(period_cell)}' is not a {measure.frequency.value} period of {measure.name} "
            f"(like {periods.example(measure.frequency)}): left out"
        )
        return
    if start > on:
        reading.unsure.append(f"{where}: {periods.label(measure.frequency, start)} has not started: left out")
        return
    try:
        value = read_number(raw if not isinstance(raw, bool) else str(raw), "value", "figure")
    except MeasureError:
        value = None
    if value is None:
        reading.unsure.append(f"{where}: '{_cell_text(raw)}' is not a number: left out")
        return
    key = (measure.id, category, start)
    if key in seen:
        reading.unsure.append(
            f"{where}: {measure.name}, {category or 'Total'}, {periods.label(measure.frequency, start)} "
            f"is also at {seen[key][0]}: the later one is used"
        )
        reading.figures = [f for f in reading.figures if (f.measure.id, f.category, f.period) != key]
    seen[key] = (where, 0)
    before = held[measure.id].get((start, category))
    if before is not None and before.value == value:
        reading.unchanged += 1
        return
    reading.figures.append(
        Figure(measure, category, start, value, before.value if before is not None else None, title, row_number)
    )


def _periods_as_columns(title, rows, header_at, by_name, held, seen, reading, on) -> None:
    header = rows[header_at]
    has_category = len(header) > 1 and (
        _words(header[1]) in CATEGORY_HEADINGS
        or any(_words(header[1]) == _words(m.dimension) for m in by_name.values())
    )
    first_period = 2 if has_category else 1
    for offset, row in enumerate(rows[header_at + 1 :], header_at + 2):
        if not row or all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        where = f"Sheet '{title}', row {offset}"
        name = _cell_text(row[0])
        measure = by_name.get(_words(name))
        if measure is None:
            reading.unsure.append(f"{where}: '{name}' is not a measure of the plan: row left out")
            continue
        category = _category(measure, _cell_text(row[1]) if has_category else "", where, reading)
        if category is None:
            continue
        for column in range(first_period, len(row)):
            heading = header[column] if column < len(header) else None
            _add(measure, category, heading, row[column], (title, offset, column), held, seen, reading, on)


def _periods_as_rows(title, rows, header_at, by_name, held, seen, reading, on) -> None:
    header = rows[header_at]
    columns: dict[int, tuple[Measure, str]] = {}
    for column in range(1, len(header)):
        heading = _cell_text(header[column])
        if not heading:
            continue
        measure, category_text = by_name.get(_words(heading)), ""
        if measure is None:
            for separator in (":", " - ", " – ", "|"):
                name, _, rest = heading.partition(separator)
                if rest and (found := by_name.get(_words(name))):
                    measure, category_text = found, rest.strip()
                    break
        where = f"Sheet '{title}', row {header_at + 1}, column {_letter(column)}"
        if measure is None:
            reading.unsure.append(f"{where}: '{heading}' is not a measure of the plan: column left out")
            continue
        category = _category(measure, category_text, where, reading)
        if category is not None:
            columns[column] = (measure, category)
    for offset, row in enumerate(rows[header_at + 1 :], header_at + 2):
        if not row or row[0] is None:
            if row and any(c is not None for c in row[1:]):
                reading.unsure.append(f"Sheet '{title}', row {offset}: figures without a period: row left out")
            continue
        for column, (measure, category) in columns.items():
            raw = row[column] if column < len(row) else None
            _add(measure, category, row[0], raw, (title, offset, column), held, seen, reading, on)


# The upload, its check page and the confirmation.


def _require_admin(user: User) -> None:
    if user.role is not Role.ADMIN:
        raise NotAllowed("Only an administrator can import figures")


def store_upload(user: User, plan: Plan, filename: str, data: bytes, today: date | None = None) -> PendingImport:
    """Keep the uploaded sheet for its check page, once it reads. Raises WorkbookRejected or MeasureImportError
    (nothing stored). Commits."""
    _require_admin(user)
    filename = PureWindowsPath(filename or "").name[:255] or "figures.xlsx"
    read_sheets(plan, data, filename, today)
    pending = PendingImport(user_id=user.id, filename=filename, sha256=hashlib.sha256(data).hexdigest(), content=data)
    db.session.add(pending)
    db.session.commit()
    return pending


def preview(pending: PendingImport, plan: Plan, today: date | None = None) -> SheetReading:
    return read_sheets(plan, pending.content, pending.filename, today)


def confirm(
    pending: PendingImport, plan: Plan, user: User, seen_digest: str, today: date | None = None
) -> SheetReading:
    """Save what the check page showed, all of it or nothing, and forget the upload. `seen_digest` is the digest of
    the check page's figures: when the figures held have changed since, nothing is saved (MeasureImportError)."""
    _require_admin(user)
    reading = read_sheets(plan, pending.content, pending.filename, today)
    if digest(reading) != seen_digest:
        raise MeasureImportError("The figures changed since the check page was shown: check them again")
    grouped: dict[tuple[int, date], list[Figure]] = {}
    for figure in reading.figures:
        grouped.setdefault((figure.measure.id, figure.period), []).append(figure)
    try:
        for figures in grouped.values():
            measure = figures[0].measure
            typed = {}
            for f in figures:
                name = (
                    values.TOTAL_FIELD
                    if f.category == TOTAL
                    else values.category_field((measure.categories or []).index(f.category))
                )
                typed[name] = number(f.value).replace(",", "")
            values.record_values(
                measure,
                user,
                period=figures[0].period,
                figures=typed,
                note=f"Imported from {reading.filename}",
                source="import",
                today=today,
                commit=False,
            )
        audit.record(
            "measure.import",
            user=user,
            record_type="plan",
            record_id=plan.id,
            new={
                "figures": len(reading.figures),
                "corrections": len(reading.corrections),
                "unsure": len(reading.unsure),
            },
            detail=f"{reading.filename}: {len(reading.figures)} figures",
        )
        db.session.delete(pending)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return reading


def digest(reading: SheetReading) -> str:
    """What the check page showed, in a few characters: the confirmation saves only if it is still that."""
    text = "|".join(f"{f.measure.id}:{f.category}:{f.period}:{f.value}:{f.was}" for f in reading.figures)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
