"""`make bench` writes its results to bench/results.md only: the README links there and is never rewritten."""

from pathlib import Path

from bench import run

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
