"""Reading the figures back out of a page's SVG charts and HTML tables, to check they agree."""

import re
import xml.etree.ElementTree as ET

from tests.pages import text_of

SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_chart(page: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', page, re.S)
    assert match, f"no chart {chart_id}"
    return ET.fromstring(match.group(0))


def chart_figures(svg: ET.Element) -> dict[tuple[str, str], int]:
    """(group, series) -> count, from each bar's <title>, e.g. "Prepare, Red: 2"."""
    figures = {}
    for rect in svg.iter(f"{SVG_NS}rect"):
        title = rect.find(f"{SVG_NS}title")
        if title is None:
            continue  # legend keys
        label, _, count = title.text.rpartition(": ")
        group, _, series = label.rpartition(", ")
        figures[(group, series)] = int(count)
    return figures


def table_figures(page: str, table_id: str) -> dict[tuple[str, str], int]:
    """(row header, column header) -> number, from a table whose cells start with a number."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert match, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(0), re.S)
    headers = [text_of(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", rows[0], re.S)]
    figures = {}
    for row in rows[1:]:
        cells = [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for heading, cell in zip(headers[1:], cells[1:], strict=True):
            figures[(cells[0], heading)] = int(cell.split()[0])
    return figures
