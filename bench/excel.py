"""Import and export timed side by side with openpyxl doing the same file work alone."""

import gc
import io
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.models import Plan
from app.services import gc_pause
from app.services.exporting.excel import export_workbook
from app.services.importing.saving import import_workbook
from app.services.importing.workbook import read_workbook

FILENAME = "Bench-Delivery-Plan-2015-16.xlsx"


@dataclass
class Comparison:
    """Medians of the tracker's time (a) and openpyxl's alone (b) for the same file, in seconds."""

    name: str
    tracker: list[float]
    openpyxl: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.tracker) / statistics.median(self.openpyxl)


def openpyxl_read(data: bytes) -> int:
    """openpyxl's fastest reading that keeps what the importer needs: read-only mode with rich text, every cell."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, rich_text=True)
    cells = 0
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                cell.value  # noqa: B018  (reading the value is the point)
                cells += 1
    return cells


def openpyxl_write(sheets: dict[str, list[list]]) -> bytes:
    """The same cell values written into the same sheets, with no styling, merging or sizing."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cell_values(data: bytes) -> dict[str, list[list]]:
    """Every sheet's values as the export wrote them (rich text kept rich), row by row."""
    workbook = load_workbook(io.BytesIO(data), rich_text=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def interleaved(runs: int, tracker: Callable[[], float], alone: Callable[[], float]) -> tuple[list, list]:
    """Run A, B, A, B … so that a noisy neighbour or a warming cache hurts both alike."""
    a, b = [], []
    for _ in range(runs):
        a.append(tracker())
        b.append(alone())
    return a, b


def timed(work: Callable[[], object]) -> float:
    """One run with the cyclic collector paused, as the tracker's import and export pause it: both sides of a
    comparison run with the same collector setting, or the ratio measures the collector."""
    gc.collect()  # neither side pays for the garbage the run before it left
    with gc_pause.paused():
        start = time.perf_counter()
        work()
        return time.perf_counter() - start


def cpu_timed(work: Callable[[], object]) -> float:
    """One run's CPU time (this process's own, so that other people's work on the machine does not count), with
    the cyclic collector paused as `timed` pauses it."""
    gc.collect()
    with gc_pause.paused():
        start = time.process_time()
        work()
        return time.process_time() - start


def compare_import(app, data: bytes, runs: int) -> tuple[Comparison, Comparison]:
    """Two comparisons with the same openpyxl runs (read-only mode, rich text, every cell), in CPU time:
    the reading alone (read_workbook: the file's cells read and understood as plans, like for like), and the
    whole import into an empty database each time (import_workbook: reading, matching, saving and committing,
    which openpyxl alone does not do). Run reading, openpyxl, whole import, in turn."""
    reading, alone, whole = [], [], []

    def import_once() -> float:
        with app.app_context():
            db.drop_all()
            db.create_all()
            seconds = cpu_timed(lambda: import_workbook(data, FILENAME))
            db.session.remove()
        return seconds

    for _ in range(runs):
        reading.append(cpu_timed(lambda: read_workbook(data, FILENAME)))
        alone.append(cpu_timed(lambda: openpyxl_read(data)))
        whole.append(import_once())
    return (
        Comparison("Import: reading the workbook (CPU)", reading, alone),
        Comparison("Import: whole, saved into SQLite (CPU)", whole, alone),
    )


def compare_export(app, plan_id: int, runs: int) -> Comparison:
    """Exporting the plan (internal copy: everything), against openpyxl writing the same values."""
    with app.app_context():
        sheets = cell_values(export_workbook(db.session.get(Plan, plan_id), audience="internal"))

    def tracker() -> float:
        with app.app_context():
            plan = db.session.get(Plan, plan_id)
            seconds = timed(lambda: export_workbook(plan, audience="internal"))
            db.session.remove()
        return seconds

    return Comparison("Export", *interleaved(runs, tracker, lambda: timed(lambda: openpyxl_write(sheets))))
