"""The server-drawn charts: every segment of the stacked chart carries its number, small ones beside the column."""

import re
import xml.etree.ElementTree as ET

from app.services.reporting import charts
from tests.charts import SVG_NS, chart_figures

STYLESHEET = "app/static/app.css"


def _column_numbers(svg: ET.Element) -> list[int]:
    """The numbers written on or beside the columns (not the axis, the totals above them or the labels)."""
    return [
        int(text.text)
        for text in svg.iter(f"{SVG_NS}text")
        if text.get("class") == "app-chart__value app-chart__value--inside"
        or (text.get("class") == "app-chart__value" and text.get("text-anchor") == "start")
    ]


def test_every_segment_of_the_stacked_chart_is_numbered_even_the_thin_ones():
    groups = [
        charts.Group("Q1", {"red": 1, "amber": 2, "green": 60, "blue": 1, "none": 1}),
        charts.Group("Q2", {"red": 30, "amber": 0, "green": 30, "blue": 3, "none": 0}),
    ]
    svg = ET.fromstring(charts.stacked_bar_chart("mix", "Mix", "The mix", groups))
    segments = sorted(n for g in groups for n in g.counts.values() if n)
    assert sorted(_column_numbers(svg)) == segments
    assert {k: v for k, v in chart_figures(svg).items() if v} == {
        (g.label, s.label): g.counts[s.key] for g in groups for s in charts.RAG_SERIES if g.counts[s.key]
    }


def test_numbers_beside_a_column_do_not_overlap():
    groups = [charts.Group("Q1", {"red": 1, "amber": 1, "green": 200, "blue": 1, "none": 1})]
    svg = ET.fromstring(charts.stacked_bar_chart("mix", "Mix", "The mix", groups))
    beside = sorted(
        float(t.get("y")) for t in svg.iter(f"{SVG_NS}text") if t.get("text-anchor") == "start" and t.text == "1"
    )
    assert len(beside) == 4
    assert all(b - a >= charts.LABEL_SPACING - 0.1 for a, b in zip(beside, beside[1:], strict=False))


def test_chart_text_is_set_in_the_pages_font():
    with open(STYLESHEET, encoding="utf-8") as css:
        rules = css.read()
    chart_text = re.search(r"\.app-chart text \{([^}]*)\}", rules)
    assert chart_text and '"GDS Transport", arial, sans-serif' in chart_text.group(1)
