"""`make bench`: the tracker at the size of a whole force, against its budgets.

Builds a 5,000-action workbook and a database of 5,000 actions and 50,000 updates (SQLite files in a
temporary folder), then measures, as medians of several runs in this one process:
  1. import CPU time ÷ openpyxl alone loading the same file (read-only mode, rich text) and reading every cell,
     twice: the reading alone (within IMPORT_BUDGET) and the whole import, saving included (its ratio is stated,
     with no budget: openpyxl alone saves nothing; docs/importing.md "Speed");
  2. export time ÷ openpyxl alone writing the same cell values into the same sheets, unstyled;
  3. pages through the Flask test client, warm: p50, p95 and SQL statements (and the same page's
     statements on the small seed plan, which must be the same);
  4. the peak RSS of an import and of an export, each in a fresh process;
  5. worker CPU per page through gunicorn on PostgreSQL at 1,000 and 5,000 actions (PAGES_20K=1 adds 20,000),
     in databases of their own that later runs reuse (bench/page_cpu.py).
Prints the table and writes it to bench/results.md with the CPU and the date (the README links there, so a
run never rewrites the README).
"""

import argparse
import gc
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import textwrap
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.extensions import db  # noqa: E402
from bench import database, excel, memory, page_cpu, pages, workbook  # noqa: E402

IMPORT_BUDGET = EXPORT_BUDGET = 1.5  # the import's reading alone (like for like); the export
PAGE_BUDGET_MS = 150
MEMORY_BUDGET_MB = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5, help="runs of each import and export (default 5)")
    parser.add_argument("--page-runs", type=int, default=40, help="requests of each page (default 40)")
    parser.add_argument("--no-write", action="store_true", help="print only: leave bench/results.md alone")
    parser.add_argument(
        "--only-import", action="store_true", help="measure the import alone, print its lines and stop (writes nothing)"
    )
    parser.add_argument(
        "--gunicorn-page-runs",
        type=int,
        default=15,
        help="requests of each page through gunicorn on PostgreSQL, at each size (default 15; 0 leaves it out)",
    )
    args = parser.parse_args()
    logging.getLogger("app.security").setLevel(logging.ERROR)  # the bench's own sign-ins are not news
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
        folder = Path(folder)
        say(f"Building a {args.actions:,}-action workbook")
        data = workbook.build(args.actions, writer="xlsxwriter")  # shared strings, as Excel and LibreOffice write
        (folder / "plan.xlsx").write_bytes(data)

        say(f"Import: {args.runs} runs each of the reading and the whole import, interleaved with openpyxl reading")
        import_load = page_cpu.load_average()
        imports = excel.compare_import(database.make_app(folder / "import.db"), data, args.runs)
        if args.only_import:
            print()
            ended = page_cpu.load_average()
            print(f"{args.actions:,} actions, {args.runs} runs each; {import_load} at the start, {ended} at the end")
            print("\n".join(comparison_rows(imports, None)))
            return 0 if imports[0].ratio <= IMPORT_BUDGET else 1

        say("Building the database: the plan, topped up to 50,000 updates")
        app = database.make_app(folder / "bench.db")
        with app.app_context():
            db.create_all()
            bench = database.build(data)

        say(f"Export: {args.runs} runs each, interleaved with openpyxl writing the same values")
        exports = excel.compare_export(app, bench.plan_id, args.runs)

        say(f"Pages: {args.page_runs} requests each, warm")
        gc.collect()
        gc.freeze()  # as wsgi.py does once the app is loaded, for the process that serves it
        page_results = pages.time_pages(app, bench, args.page_runs)

        say("Memory: an import and an export, each in a fresh process")
        rss = {
            "import": memory.peak_rss_mb("import", str(folder / "plan.xlsx")),
            "export": memory.peak_rss_mb("export", str(folder / "bench.db"), str(bench.plan_id)),
        }
    table = render(bench, imports, exports, page_results, rss, import_load)
    served = gunicorn_pages(args.gunicorn_page_runs)
    print()
    print(table)
    print()
    print(served)
    say(f"Finished in {time.perf_counter() - started:.0f} s")
    if not args.no_write:
        write_results(table)
        if served.startswith(page_cpu.START):
            page_cpu.write_section(served)
    return 0 if within_budget(imports, exports, page_results, rss) else 1


def gunicorn_pages(runs: int) -> str:
    """Worker CPU per page through gunicorn on PostgreSQL at 1,000 and 5,000 actions (and 20,000 with PAGES_20K=1),
    each size's database built once and kept (bench/page_cpu.py)."""
    if runs <= 0:
        return "Pages through gunicorn on PostgreSQL: not measured in this run (--gunicorn-page-runs 0)."
    try:
        import psycopg

        psycopg.connect(page_cpu.pgdata.ADMIN_URL, connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 (any reason PostgreSQL cannot be reached is said, not raised)
        return f"Pages through gunicorn on PostgreSQL: not measured, no PostgreSQL ({type(error).__name__})."
    sizes = [1000, 5000, 20000] if os.environ.get("PAGES_20K") else [1000, 5000]
    prefix = os.environ.get("PAGES_DATABASE_PREFIX", "bench_pages")
    results, _ = page_cpu.run(sizes, runs, prefix, say=say)
    return page_cpu.section(results, page_cpu.load_average())


def say(message: str) -> None:
    print(f"… {message}", flush=True)


def render(bench, imports, exports, page_results, rss, import_load: str = "load average not taken") -> str:
    lines = [
        prose(
            f"Measured {datetime.now():%d %B %Y %H:%M} on {cpu()} ({platform.python_implementation()} "
            f"{platform.python_version()}, SQLite): a plan of {bench.actions:,} actions and {bench.updates:,} updates; "
            f"{import_load} when the import was measured."
        ),
        "",
        "| Import and export | Tracker (median) | openpyxl alone (median) | Ratio | Budget | |",
        "|---|---:|---:|---:|---:|---|",
    ]
    lines += comparison_rows(imports, exports)
    lines += [
        "",
        f"| Page (warm, test client) | p50 | p95 | SQL statements drawn afresh "
        f"| on the {bench.small_actions}-action seed plan | |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for page in page_results:
        small = "—" if page.queries_small is None else str(page.queries_small)
        ok = page.p95_ms < PAGE_BUDGET_MS and page.queries_small in (None, page.queries)
        lines.append(
            f"| {page.name} | {page.p50_ms:.0f} ms | {page.p95_ms:.0f} ms | {page.queries} | {small} | {verdict(ok)} |"
        )
    lines += [
        "",
        "| Peak memory (fresh process) | RSS | Budget | |",
        "|---|---:|---:|---|",
    ]
    for task, mb in rss.items():
        lines.append(
            f"| {task.capitalize()} of the plan | {mb:.0f} MB | < {MEMORY_BUDGET_MB} MB | {verdict(mb < 500)} |"
        )
    lines += [
        "",
        prose(
            f"Budgets: the import's reading and the export ≤ {IMPORT_BUDGET}× openpyxl alone; every page p95 < "
            f"{PAGE_BUDGET_MS} ms with the same number of SQL statements on the small plan; peak memory < 500 MB. "
            "The pages are timed warm, as kept between requests while nobody writes; their statements are counted "
            "with nothing kept, as each page sends them when it is drawn. "
            "Ratios are medians of runs interleaved with openpyxl's in one process, the collector paused on both "
            "sides. The import is CPU time against openpyxl read-only (rich text) reading every cell: its reading "
            "(the cells read and understood as plans) is like for like and budgeted; the whole import also matches, "
            "saves and commits into an empty SQLite database, which openpyxl does not, so its ratio is stated and not "
            "budgeted. The export is wall time, the whole workbook (Plan, Summary and Updates sheets, styled) against "
            "openpyxl writing the same values into the same three sheets."
        ),
    ]
    return "\n".join(lines)


def comparison_rows(imports, exports) -> list[str]:
    """The table's rows for the import's reading (budgeted), the whole import (stated) and the export (budgeted)."""
    reading, whole = imports
    rows = []
    for comparison, budget in ((reading, IMPORT_BUDGET), (whole, None), (exports, EXPORT_BUDGET)):
        if comparison is None:
            continue
        if budget is None:
            limit, said = "none", "stated, not budgeted (openpyxl alone saves nothing)"
        else:
            limit, said = f"≤ {budget}×", verdict(comparison.ratio <= budget)
        rows.append(
            f"| {comparison.name} | {statistics.median(comparison.tracker):.2f} s "
            f"| {statistics.median(comparison.openpyxl):.2f} s | {comparison.ratio:.2f}× | {limit} | {said} |"
        )
    return rows


def prose(text: str) -> str:
    return textwrap.fill(text, width=118, break_long_words=False, break_on_hyphens=False)


def verdict(ok: bool) -> str:
    return "within budget" if ok else "**over budget**"


def within_budget(imports, exports, page_results, rss) -> bool:
    reading, _ = imports  # the whole import's ratio is stated, not budgeted
    return (
        reading.ratio <= IMPORT_BUDGET
        and exports.ratio <= EXPORT_BUDGET
        and all(p.p95_ms < PAGE_BUDGET_MS and p.queries_small in (None, p.queries) for p in page_results)
        and all(mb < MEMORY_BUDGET_MB for mb in rss.values())
    )


def cpu() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "an unknown CPU"
    names = re.findall(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return f"{names[0].strip()} × {len(names)}" if names else platform.processor() or "an unknown CPU"


def write_results(table: str) -> None:
    intro = prose(
        "The latest `make bench`: the tracker at the size of a whole force against its budgets. "
        "tests/test_query_counts.py keeps every main page's SQL statements fixed as a plan grows."
    )
    path = ROOT / "bench" / "results.md"
    kept = ""  # the export bench's own section (python -m bench.export) is left as it was
    if path.exists() and "<!-- export bench -->" in (old := path.read_text()):
        kept = "\n<!-- export bench -->" + old.split("<!-- export bench -->", 1)[1]
    path.write_text(f"# Benchmark results\n\n{intro}\n\n{table}\n{kept}")


if __name__ == "__main__":
    sys.exit(main())
