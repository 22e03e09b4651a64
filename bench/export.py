"""The export bench: the tracker's export against openpyxl write-only and the XlsxWriter floor, on the same cells.

    .venv/bin/python -m bench.export [--actions 5000] [--large 20000] [--runs 3] [--no-write]

All three sides write the same cell values (rich text kept rich) into the same sheets, and all three run with
the cyclic garbage collector paused, as the tracker's export runs (services/gc_pause.py): a comparison with the
collector on for one side only measures the collector. The tracker's time includes reading the plan from the
database; its write alone is shown too. Peak memory is an export in a fresh process. The large plan is exported,
then imported into an empty database: the round trip must hold at that size; its board pack PDF is timed too (both
run as export jobs in the app: see docs/exporting.md). The load average is read at the start and at the end. Writes
its section of bench/results.md (between the export markers), leaving the rest of the file alone.
"""

import argparse
import io
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook as OpenpyxlWorkbook  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from openpyxl.cell.rich_text import CellRichText  # noqa: E402
from xlsxwriter.workbook import Workbook as XlsxWorkbook  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Action, Plan  # noqa: E402
from app.services import gc_pause  # noqa: E402
from app.services.exporting.content import Redactor, load_plan_content  # noqa: E402
from app.services.exporting.excel import build_workbook, export_workbook  # noqa: E402
from bench import database, memory, workbook  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.md"
START, END = "<!-- export bench -->", "<!-- /export bench -->"
AIM_RATIO, AIM_RSS_MB = 0.5, 200


def cell_values(data: bytes) -> dict[str, list[list]]:
    """Every sheet's values as the export wrote them (rich text kept rich), row by row."""
    book = load_workbook(io.BytesIO(data), rich_text=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def openpyxl_write_only(sheets: dict[str, list[list]]) -> bytes:
    """openpyxl's fastest way to write: write-only mode, the bare values, no styles."""
    book = OpenpyxlWorkbook(write_only=True)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def openpyxl_normal(sheets: dict[str, list[list]]) -> bytes:
    """openpyxl's normal mode, the way the export was written before: the bare values, no styles."""
    book = OpenpyxlWorkbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsxwriter_floor(sheets: dict[str, list[list]]) -> bytes:
    """XlsxWriter in constant-memory mode writing the bare values, rich text as rich strings: the least any
    XlsxWriter export of these cells can cost."""
    buffer = io.BytesIO()
    book = XlsxWorkbook(buffer, {"constant_memory": True, "in_memory": False})
    for title, rows in sheets.items():
        ws = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, CellRichText):
                    parts = [str(part) for part in value if str(part)]
                    if len(parts) > 1:
                        ws.write_rich_string(r, c, *parts)
                    else:
                        ws.write_string(r, c, str(value))
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, datetime | date):
                    ws.write_datetime(r, c, value)
                else:
                    ws.write_number(r, c, value)
    book.close()
    return buffer.getvalue()


def timed(work) -> tuple[float, float]:
    """(wall, CPU) seconds of one run with the collector paused, as the tracker's export pauses it. CPU time is
    the process's own (user + system, so the temporary files' writes count): on a shared machine it is the
    figure that other people's load does not move."""
    import gc

    gc.collect()
    with gc_pause.paused():
        start, cpu_start = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - start, time.process_time() - cpu_start


def compare(app, plan_id: int, runs: int) -> dict[str, list[float]]:
    """Interleaved runs of each side: the whole export, its write alone, openpyxl write-only, the floor."""
    with app.app_context():
        sheets = cell_values(export_workbook(db.session.get(Plan, plan_id), audience="internal"))
    times = {"tracker": [], "write": [], "normal": [], "openpyxl": [], "floor": []}
    for _ in range(runs):
        with app.app_context():
            plan = db.session.get(Plan, plan_id)
            times["tracker"].append(timed(lambda plan=plan: export_workbook(plan, audience="internal")))
            content = load_plan_content(plan, with_reviews=True)
            times["write"].append(timed(lambda c=content: build_workbook(c, Redactor("internal"), date.today())))
            db.session.remove()
        times["normal"].append(timed(lambda: openpyxl_normal(sheets)))
        times["openpyxl"].append(timed(lambda: openpyxl_write_only(sheets)))
        times["floor"].append(timed(lambda: xlsxwriter_floor(sheets)))
    return times


def round_trip(app, plan_id: int, folder: Path) -> dict:
    """The large plan exported (wall and CPU seconds), its board pack written (the same), then the export imported
    into an empty database: the export, pack and import seconds and the actions before and after."""
    from app.services.importing.saving import import_workbook

    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        before = db.session.scalar(db.select(db.func.count(Action.id)).where(Action.plan_id == plan_id))
        exported: list[bytes] = []
        export_wall, export_cpu = timed(lambda: exported.append(export_workbook(plan, audience="internal")))
        pack_wall, pack_cpu = timed(lambda: board_pack(plan))
    fresh = database.make_app(folder / "again.db")
    with fresh.app_context():
        db.create_all()
        start = time.perf_counter()
        import_workbook(exported[0], "Round-Trip-Delivery-Plan.xlsx")
        imported = time.perf_counter() - start
        after = db.session.scalar(db.select(db.func.count(Action.id)))
    return {
        "export": export_wall,
        "export_cpu": export_cpu,
        "pack": pack_wall,
        "pack_cpu": pack_cpu,
        "import": imported,
        "before": before,
        "after": after,
    }


def board_pack(plan: Plan) -> bytes:
    """The board pack PDF as its export job writes it (app/exports/packs.py: the pack read, drawn, printed)."""
    from app.exports.packs import render_pack

    return render_pack(plan, audience="internal", as_at=date.today())


def build_database(folder: Path, actions: int, name: str):
    app = database.make_app(folder / f"{name}.db")
    with app.app_context():
        db.create_all()
        bench = database.build(workbook.build(actions))
    return app, bench


def median(values: list[tuple[float, float]], cpu: bool = True) -> float:
    return statistics.median(value[1 if cpu else 0] for value in values)


def render(actions: int, updates: int, times, rss: float, large: dict | None, loads: tuple[str, str]) -> str:
    base = median(times["openpyxl"])
    rows = [
        ("Tracker export (read the plan, write the styled workbook)", "tracker"),
        ("Tracker, the writing alone (the plan already read, every update in memory)", "write"),
        ("openpyxl normal mode, bare values (how the export was written before)", "normal"),
        ("openpyxl write-only, bare values", "openpyxl"),
        ("XlsxWriter constant-memory floor, bare values", "floor"),
    ]
    ratio, ratio_normal = median(times["tracker"]) / base, median(times["tracker"]) / median(times["normal"])
    lines = [
        START,
        "## Export",
        "",
        f"Measured {datetime.now():%-d %B %Y %H:%M} on {cpu()} (CPython {platform.python_version()}, SQLite) with "
        f"`python -m bench.export`: a plan of {actions:,} actions and {updates:,} updates, internal copy "
        f"(every sheet). Medians of {len(times['tracker'])} interleaved runs, the garbage collector paused on every "
        "side alike. CPU is the process's own time; wall time also carries whatever else the machine was doing: "
        f"load average (1, 5, 15 min) {loads[0]} at the start, {loads[1]} at the end, on {os.cpu_count()} cores.",
        "",
        "| Writing the same cells | CPU | ÷ openpyxl write-only | ÷ openpyxl normal | Wall |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, key in rows:
        value = median(times[key])
        lines.append(
            f"| {label} | {value:.2f} s | {value / base:.2f}× | {value / median(times['normal']):.2f}× "
            f"| {median(times[key], cpu=False):.2f} s |"
        )
    lines += [
        "",
        f"Aim: the export in at most {AIM_RATIO}× openpyxl's time for the same cells: against openpyxl's normal "
        f"mode {ratio_normal:.2f}× ({verdict(ratio_normal <= AIM_RATIO)}), against write-only {ratio:.2f}× "
        f"({verdict(ratio <= AIM_RATIO)}). The tracker is {median(times['tracker']) / median(times['floor']):.2f}× "
        f"the XlsxWriter floor. Peak memory of an export in a fresh process: {rss:.0f} MB (aim < {AIM_RSS_MB} MB: "
        f"{verdict(rss < AIM_RSS_MB)}).",
    ]
    if large:
        lines += [
            "",
            f"At {large['actions']:,} actions ({large['updates']:,} updates): export {large['export_cpu']:.1f} s CPU, "
            f"{large['export']:.1f} s wall, peak {large['rss']:.0f} MB (aim < {AIM_RSS_MB} MB: "
            f"{verdict(large['rss'] < AIM_RSS_MB)}); the board pack PDF {large['pack_cpu']:.1f} s CPU, "
            f"{large['pack']:.1f} s wall. Both run as export jobs in a process of their own, never in a web worker. "
            f"The export imported again into an empty database in {large['import']:.1f} s with "
            f"{large['after']:,} of {large['before']:,} actions ({verdict(large['after'] == large['before'])}).",
        ]
    return "\n".join([*lines, END])


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} × {os.cpu_count()}"
    except OSError:
        pass
    return platform.processor() or platform.machine()


def write_results(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def say(message: str) -> None:
    print(f"[bench.export] {message}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--large", type=int, default=20000, help="actions of the round-trip plan (0: none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only: leave results.md alone")
    args = parser.parse_args()
    logging.getLogger("app.security").setLevel(logging.ERROR)
    load_at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="tracker-export-bench-") as folder:
        folder = Path(folder)
        say(f"Building a {args.actions:,}-action database")
        app, bench = build_database(folder, args.actions, "bench")
        say(f"Export: {args.runs} interleaved runs of each side")
        times = compare(app, bench.plan_id, args.runs)
        rss = memory.peak_rss_mb("export", str(folder / "bench.db"), str(bench.plan_id))
        large = None
        if args.large:
            say(f"Building a {args.large:,}-action database for the round trip")
            big_app, big = build_database(folder, args.large, "large")
            large = round_trip(big_app, big.plan_id, folder)
            large |= {"actions": big.actions, "updates": big.updates}
            large["rss"] = memory.peak_rss_mb("export", str(folder / "large.db"), str(big.plan_id))
    section = render(bench.actions, bench.updates, times, rss, large, (load_at_start, load_average()))
    print(section)
    if not args.no_write:
        write_results(section)
    ok = median(times["tracker"]) <= AIM_RATIO * median(times["openpyxl"]) and rss < AIM_RSS_MB
    return 0 if ok and (large is None or (large["after"] == large["before"] and large["rss"] < AIM_RSS_MB)) else 1


if __name__ == "__main__":
    sys.exit(main())
