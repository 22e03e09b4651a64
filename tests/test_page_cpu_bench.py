"""bench/page_cpu.py's pieces: the gunicorn hooks record each request's worker CPU, the table reads them right."""

import importlib
from types import SimpleNamespace

from bench import gunicorn_cpu, page_cpu


def test_the_worker_records_the_cpu_each_request_took(tmp_path, monkeypatch):
    log = tmp_path / "requests.tsv"
    monkeypatch.setenv("PAGE_CPU_LOG", str(log))
    hooks = importlib.reload(gunicorn_cpu)  # a fresh log handle for this test's file
    worker = SimpleNamespace()
    for path, query in (("/plans", ""), ("/plans/2", "only=stale")):
        hooks.pre_request(worker, SimpleNamespace(path=path, query=query))
        sum(i * i for i in range(200_000))  # CPU the worker spends on the page
        hooks.post_request(
            worker, SimpleNamespace(method="GET", path=path, query=query), {}, SimpleNamespace(status_code=200)
        )
    lines = [line.split("\t") for line in log.read_text().splitlines()]
    assert [(m, p, s) for _, m, p, s, _, _ in lines] == [
        ("GET", "/plans", "200"),
        ("GET", "/plans/2?only=stale", "200"),
    ]
    assert all(float(cpu) > 1 and float(wall) >= float(cpu) * 0.5 for *_, cpu, wall in lines)


def test_the_table_gives_p50_p95_growth_and_the_budget_at_5000_actions():
    wall = {"Dashboard": [30.0] * 3, "Traceability: PCC": [50.0] * 3}
    small = page_cpu.SizeResult(1000, 50_000, {"Dashboard": [10.0, 12.0, 11.0], "Traceability: PCC": [40.0] * 3}, wall)
    big = page_cpu.SizeResult(5000, 50_000, {"Dashboard": [20.0, 22.0, 21.0], "Traceability: PCC": [44.0] * 3}, wall)
    table = page_cpu.render([small, big], "load average 1.0")
    assert "| Dashboard | 11.0 | 12.0 | 30 | 21.0 | 22.0 | 30 | 1.91× | within budget |" in table
    assert "| Traceability: PCC | 40.0 | 40.0 | 50 | 44.0 | 44.0 | 50 | 1.10× | **over budget** |" in table
    assert "load average 1.0" in table


def test_the_section_replaces_the_last_one_in_results_md_and_leaves_the_rest(tmp_path):
    path = tmp_path / "results.md"
    export = "<!-- export bench -->\n## Export\n\n| Tracker export | 1.00 s |\n<!-- /export bench -->\n"
    path.write_text("# Benchmark results\n\nmake bench's table\n\n" + export)
    page_cpu.write_section(f"{page_cpu.START}\nfirst\n{page_cpu.END}\n", path)
    page_cpu.write_section(f"{page_cpu.START}\nsecond\n{page_cpu.END}\n", path)
    text = path.read_text()
    assert "make bench's table" in text and export in text
    assert "second" in text and "first" not in text and text.count(page_cpu.START) == 1


def test_the_afresh_section_is_kept_beside_the_kept_pages_one(tmp_path):
    path = tmp_path / "results.md"
    path.write_text("# Benchmark results\n")
    small = page_cpu.SizeResult(1000, 50_000, {"Dashboard": [10.0] * 3}, {"Dashboard": [30.0] * 3})
    page_cpu.write_section(page_cpu.section([small], "load average 1.0"), path)
    page_cpu.write_section(page_cpu.section([small], "load average 2.0", afresh=True), path)
    page_cpu.write_section(page_cpu.section([small], "load average 3.0", afresh=True), path)
    text = path.read_text()
    assert text.count(page_cpu.START) == 1 and text.count(page_cpu.AFRESH_START) == 1
    assert (
        "## Pages through gunicorn on PostgreSQL\n" in text
        and "## Pages through gunicorn on PostgreSQL, drawn afresh" in text
    )
    assert "load average 1.0" in text and "load average 3.0" in text and "load average 2.0" not in text
