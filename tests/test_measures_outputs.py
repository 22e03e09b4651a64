"""Measures in every output: the Excel export's Measures sheet with a native chart, and the board pack's section;
both withhold measures of restricted actions from the PCC office's copy."""

import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.exports.packs import render_pack
from app.services.exporting.excel import export_workbook
from app.services.measures import values
from tests.factories import make_action, make_measure, make_plan, make_user

TODAY = date(2026, 5, 20)


@pytest.fixture
def plan(app, app_context):
    app.config["TODAY"] = TODAY
    plan = make_plan(actions=2, lead_user=make_user("lead"))
    concerns = make_measure(plan, actions=[plan.actions[0]])
    for period, total, smethwick in (("Feb 2026", "14", "5"), ("Mar 2026", "16", "6"), ("Apr 2026", "12", "4")):
        values.record_values(
            concerns, None, period=period, figures={"total": total, "category_0": smethwick}, today=TODAY
        )
    secret = make_action(plan, ref="7", restricted=True)
    covert = make_measure(plan, name="Covert deployments", actions=[secret], dimension="", categories=())
    values.record_values(covert, None, period="Apr 2026", figures={"total": "3"}, today=TODAY)
    return plan


def sheet_rows(data: bytes, title: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(data))
    return list(book[title].iter_rows(values_only=True))


def charts_of(data: bytes, sheet_title: str) -> list[str]:
    """The chart parts drawn on the sheet, read from the package as Excel reads it."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        workbook_xml = package.read("xl/workbook.xml").decode()
        sheets = re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', workbook_xml)
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
        rid = dict(sheets)[sheet_title]
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
        sheet_path = "xl/" + (target.group(1) or target.group(2)).removeprefix("/xl/")
        sheet_rels = sheet_path.replace("worksheets/", "worksheets/_rels/") + ".rels"
        drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', package.read(sheet_rels).decode()).group(1)
        drawing_rels = package.read(f"xl/drawings/_rels/{drawing}.rels").decode()
        charts = re.findall(r'Target="\.\./charts/(chart\d+\.xml)"', drawing_rels)
        return [package.read(f"xl/charts/{chart}").decode() for chart in charts if f"xl/charts/{chart}" in names]


def test_the_internal_export_has_a_measures_sheet_with_figures_by_period_and_a_native_chart(plan):
    data = export_workbook(plan, audience="internal", user=None)
    rows = sheet_rows(data, "Measures")
    header = next(i for i, r in enumerate(rows) if r[:4] == ("Period", "Total", "Smethwick", "West Bromwich"))
    assert rows[header][4] == "Target"
    assert [r[:5] for r in rows[header + 1 : header + 4]] == [
        ("February 2026", 14, 5, None, 15),
        ("March 2026", 16, 6, None, 15),
        ("April 2026", 12, 4, None, 15),
    ]
    assert any(r[0] == "Covert deployments" for r in rows)  # the force's copy holds every measure
    charts = charts_of(data, "Measures")
    assert len(charts) == 2
    assert "<c:lineChart>" in charts[0] and "Measures!$B$" in charts[0] and "Measures!$E$" in charts[0]


def test_the_pcc_export_withholds_measures_of_restricted_actions(plan):
    data = export_workbook(plan, audience="pcc", user=None)
    rows = sheet_rows(data, "Measures")
    flat = " ".join(str(c) for r in rows for c in r if c is not None)
    assert "Covert deployments" not in flat and "1 restricted measure is withheld from this copy" in flat
    assert "Concerns raised" in flat and len(charts_of(data, "Measures")) == 1


def test_a_plan_without_measures_has_no_measures_sheet(app_context, app):
    plan = make_plan(actions=1)
    assert "Measures" not in load_workbook(io.BytesIO(export_workbook(plan, audience="internal", user=None))).sheetnames


def pdf_words(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_board_pack_has_the_measures_section_as_at_its_date(plan):
    words = pdf_words(render_pack(plan, audience="internal", as_at=TODAY))
    assert "Measures" in words and "Concerns raised by period" in words and "Covert deployments" in words
    assert "12 against a target of at least 15: not met, by more than 10%" in words
    pcc = pdf_words(render_pack(plan, audience="pcc", as_at=TODAY))
    assert "Covert deployments" not in pcc and "1 restricted measure is withheld" in pcc
    earlier = pdf_words(render_pack(plan, audience="internal", as_at=date(2026, 3, 31)))
    # Figures are entered on the real clock, after 31 March 2026: the pack as at that day holds none of them.
    assert "No figures have been entered yet" in earlier
