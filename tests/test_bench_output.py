"""`make bench` writes its results to bench/results.md only: the README links there and is never rewritten."""

from pathlib import Path
from types import SimpleNamespace

from bench import run
from bench.excel import Comparison

ROOT = Path(__file__).resolve().parent.parent


def test_bench_writes_results_md_and_leaves_the_readme_alone(tmp_path, monkeypatch):
    (tmp_path / "bench").mkdir()
    readme = tmp_path / "README.md"
    readme.write_text("# Tracker\n\n## Performance\n\nSee bench/results.md.\n")
    monkeypatch.setattr(run, "ROOT", tmp_path)
    run.write_results("| Import | 0.82 s |")
    assert "| Import | 0.82 s |" in (tmp_path / "bench" / "results.md").read_text()
    assert readme.read_text() == "# Tracker\n\n## Performance\n\nSee bench/results.md.\n"


def test_the_readme_links_to_the_bench_results():
    assert "[bench/results.md](bench/results.md)" in (ROOT / "README.md").read_text()
    assert (ROOT / "bench" / "results.md").exists()


def test_make_bench_keeps_the_export_benchs_section(tmp_path, monkeypatch):
    (tmp_path / "bench").mkdir()
    section = "<!-- export bench -->\n## Export\n\n| Tracker export | 1.00 s |\n<!-- /export bench -->\n"
    (tmp_path / "bench" / "results.md").write_text("# Benchmark results\n\nold table\n\n" + section)
    monkeypatch.setattr(run, "ROOT", tmp_path)
    run.write_results("| Import | 0.82 s |")
    text = (tmp_path / "bench" / "results.md").read_text()
    assert "| Import | 0.82 s |" in text and "old table" not in text and section in text


def _table(reading_ratio: float) -> tuple[str, bool]:
    """The bench's table and verdict for made-up figures: the import's reading at the ratio given, the whole import
    at 3×, the export at 1×, pages and memory within budget."""
    openpyxl = [0.5, 0.5, 0.5]
    imports = (
        Comparison("Import: reading the workbook (CPU)", [0.5 * reading_ratio] * 3, openpyxl),
        Comparison("Import: whole, saved into SQLite (CPU)", [1.5] * 3, openpyxl),
    )
    exports = Comparison("Export", [2.0] * 3, [2.0] * 3)
    bench = SimpleNamespace(actions=5000, updates=50000, small_actions=13)
    page = SimpleNamespace(name="Plan page", p50_ms=10.0, p95_ms=12.0, queries=6, queries_small=6)
    rss = {"import": 150.0, "export": 200.0}
    table = run.render(bench, imports, exports, [page], rss, "load average 1.0 (1 min), 1.0 (5 min) on 2 CPUs")
    return table, run.within_budget(imports, exports, [page], rss)


def test_the_table_gives_the_imports_reading_against_its_budget_and_the_whole_import_plainly():
    table, ok = _table(1.2)
    reading = next(line for line in table.splitlines() if line.startswith("| Import: reading"))
    whole = next(line for line in table.splitlines() if line.startswith("| Import: whole"))
    assert "| 0.60 s | 0.50 s | 1.20× | ≤ 1.5× | within budget |" in reading
    assert "| 1.50 s | 0.50 s | 3.00× | none | stated, not budgeted" in whole
    assert "load average 1.0 (1 min)" in table and ok


def test_the_bench_fails_on_the_imports_reading_over_budget_not_on_the_whole_import():
    table, ok = _table(1.6)
    assert "1.60× | ≤ 1.5× | **over budget** |" in table and not ok
    assert _table(1.5)[1]  # the whole import at 3× alone does not fail the bench
