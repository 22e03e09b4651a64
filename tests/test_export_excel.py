"""The Excel export, opened as the PCC office would open it: layout, colours, figures, safety and redaction."""

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock

from app.extensions import db
from app.models import (
    AuditEvent,
    Framework,
    Objective,
    PlanKind,
    Rag,
    RagChange,
    Review,
    ReviewSnapshot,
    Role,
    Strand,
    Update,
)
from app.services.exporting.excel import export_filename, export_workbook
from app.services.exporting.safe_text import CONTINUED, EXCEL_CELL_LIMIT
from tests.factories import make_action, make_plan, make_user
from tests.test_export_json import count_queries

AS_AT = date(2025, 11, 25)
HEADINGS = [
    "Strand",
    "No",
    "What are we going to do?",
    "How are we going to do it?",
    "Responsibility",
    "Commentary",
    "Strategic Link",
    "RAG",
    "Target date",
]
HOSTILE = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\t=1", "#N/A", "#REF!"]
SECRET = "Covert source SIERRA-7 reports"


def open_workbook(data: bytes):
    return load_workbook(io.BytesIO(data), rich_text=True)


def all_strings(workbook) -> list[str]:
    return [str(cell.value) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row if cell.value]


def xml_members(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture
def plan(app, app_context):
    """Prepare 1, 2, 8 (as the real plan numbers them), Prevent 1, Pursue 3: mixed RAG, dates and updates."""
    plan = make_plan(actions=0, title="Local Delivery Plan 2015-16", period_label="2015-16")
    plan.update_interval_days = 30
    engage = make_action(
        plan,
        ref="1",
        what="Engage with community groups",
        rag=Rag.RED,
        target_date=date(2025, 10, 31),  # overdue on AS_AT
        links=[(Framework.NS, None), (Framework.SENTINEL, None), (Framework.PCC, "3.3.7")],
    )
    engage.links[0].text = "National Strategy (NS)"
    engage.links[1].text = ""  # no wording recorded: the plans' own wording is used
    engage.links[2].text = "PCC 3.3.7"
    engage.updates.extend(
        [
            Update(as_at=None, text="• Operational group set up", author_name="DCI Chisholm"),
            Update(as_at=date(2015, 12, 31), text="Media release done", author_name="DCI Chisholm", rag=Rag.AMBER),
            Update(as_at=date(2025, 11, 20), text="Event held, 200 partners", author_name="DCI Chisholm"),
            Update(as_at=date(2025, 9, 1), text=SECRET, author_name="Intel", restricted=True),
        ]
    )
    make_action(plan, ref="2", what="Reception centres", rag=Rag.AMBER, position=1, updates=1)
    make_action(plan, ref="8", what="Regional groups", rag=Rag.BLUE, position=2, target_date=date(2025, 1, 1))
    make_action(plan, strand=Strand.PREVENT, ref="1", what="Point of contact", rag=Rag.GREEN, position=3)
    hidden = make_action(plan, strand=Strand.PURSUE, ref="3", what=f"{SECRET} on the OCG", rag=None, position=4)
    hidden.restricted = True
    hidden.how = f"Surveillance of {SECRET}"
    hidden.updates.append(Update(as_at=date(2025, 11, 1), text=f"{SECRET} again", author_name="DS Smith"))
    db.session.commit()
    return plan


def test_plan_sheet_has_title_rows_and_the_plans_own_headings(plan):
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Plan"]
    assert [ws.cell(row=r, column=1).value for r in range(1, 6)] == [
        "Local Delivery Plan 2015-16",
        "Priority: Modern Day Slavery",
        "Lead: Detective Superintendent Walton",
        "As at 25 November 2025",
        "OFFICIAL-SENSITIVE: internal copy for the force and its partners",
    ]
    assert [cell.value for cell in ws[7]] == HEADINGS


def test_the_strand_is_on_every_row_with_nothing_merged_under_the_filter(plan):
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Plan"]
    assert not ws.merged_cells.ranges
    assert [ws.cell(row=r, column=1).value for r in range(8, 13)] == ["PREPARE"] * 3 + ["PREVENT", "PURSUE"]
    assert [ws.cell(row=r, column=2).value for r in range(8, 13)] == [1, 2, 8, 1, 3]
    # A block: the first row of a strand has a rule above it, the rows after it none and grey words.
    first, more = ws["A8"], ws["A9"]
    assert first.border.top.style == "thin" and more.border.top.style is None
    assert more.font.color.rgb == "FF7F7F7F" and first.font.b and more.font.b


def test_filtering_on_a_strand_keeps_every_row_of_it(plan):
    """What a filter on PREPARE shows: every row whose Strand cell says PREPARE (no merge hides them)."""
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Plan"]
    assert ws.auto_filter.ref == "A7:I12"
    kept = [row[1].value for row in ws.iter_rows(min_row=8, max_row=12) if row[0].value == "PREPARE"]
    assert kept == [1, 2, 8]


def test_action_row_carries_text_links_rag_colour_and_date(plan):
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Plan"]
    row = {heading: cell for heading, cell in zip(HEADINGS, ws[8], strict=True)}
    assert row["What are we going to do?"].value == "Engage with community groups"
    assert row["How are we going to do it?"].value == "• We will do it"
    assert row["Responsibility"].value == "MDS Lead DSupt Walton"
    assert row["Strategic Link"].value == "National Strategy (NS)\nSentinel (S)\nPCC 3.3.7"
    assert row["RAG"].value == "Red" and row["RAG"].fill.fgColor.rgb == "FFFF0000"
    assert row["Target date"].value == datetime(2025, 10, 31) and row["Target date"].number_format == "DD/MM/YYYY"
    colours = {ws.cell(row=r, column=8).value: ws.cell(row=r, column=8).fill.fgColor.rgb for r in range(9, 12)}
    assert colours == {"Amber": "FFFFC000", "Blue": "FF0070C0", "Green": "FF00B050"}
    assert ws.cell(row=12, column=8).value == "Not set"  # no RAG set: said so, not guessed and not left empty
    assert ws.cell(row=12, column=8).fill.fgColor.rgb == "FFBFBFBF"
    assert row["Commentary"].alignment.wrap_text and row["What are we going to do?"].alignment.wrap_text


def test_commentary_is_dated_updates_newest_last_with_the_latest_in_red(plan):
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Plan"]
    commentary = ws["F8"].value
    assert isinstance(commentary, CellRichText)
    assert str(commentary).split("\n") == [
        "Undated: • Operational group set up",
        "31/12/2015: Media release done",
        f"01/09/2025: {SECRET}",
        "20/11/2025: Event held, 200 partners",
    ]
    red = "".join(b.text for b in commentary if isinstance(b, TextBlock) and b.font.color.rgb == "FFFF0000")
    assert red == "20/11/2025: Event held, 200 partners"
    italic = "".join(b.text for b in commentary if isinstance(b, TextBlock) and b.font.i)
    assert italic == f"31/12/2015: Media release done01/09/2025: {SECRET}"
    assert {b.font.rFont for b in commentary if isinstance(b, TextBlock)} == {"Arial"}


def test_pcc_deliverables_export_in_their_own_layout_grouped_by_aim(app_context, app):
    plan = make_plan(actions=0, kind=PlanKind.PCC, title="PCC Deliverables")
    aims = [
        Objective(plan=plan, ref="1.2", title="1.2) We will enact our delivery plans", description="Surveys"),
        Objective(plan=plan, ref="3.3", title="3.3) We will do more with partners", description="Training"),
    ]
    db.session.add_all(aims)
    for position, (aim, ref) in enumerate([(aims[0], "1.2.1"), (aims[0], "1.2.3"), (aims[1], "3.3c.1")]):
        action = make_action(plan, strand=None, ref=ref, what=f"We will deliver {ref}", position=position, updates=1)
        action.objective = aim
    db.session.commit()
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Plan"]
    assert ws["A4"].value == "Period: 2025-26"  # the title does not say it, so a line does
    assert [c.value for c in ws[8]] == [
        "Aim (what do you want to achieve)",
        "What are you going to do?",
        "How are you going to do it?",
        "Evidence of Activity",
        "RAG",
        "Target date",
    ]
    assert not ws.merged_cells.ranges
    assert [ws.cell(row=r, column=1).value for r in (9, 10, 11)] == [aims[0].title, aims[0].title, aims[1].title]
    assert ws["B9"].value == "Surveys" and ws["B10"].value is None
    assert [ws.cell(row=r, column=3).value for r in (9, 10, 11)] == [
        "1.2.1 We will deliver 1.2.1\n• We will do it",
        "1.2.3 We will deliver 1.2.3\n• We will do it",
        "3.3c.1 We will deliver 3.3c.1\n• We will do it",
    ]
    assert str(ws["D9"].value) == "01/06/2025: Progress 1"
    updates = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Updates"]
    assert [c.value for c in updates[4]][:2] == ["Aim", "Ref"]
    assert [(r[0], r[1]) for r in updates.iter_rows(min_row=5, values_only=True)] == [
        ("1.2", "1.2.1"),
        ("1.2", "1.2.3"),
        ("3.3", "3.3c.1"),
    ]


def test_empty_title_lines_are_left_out(app_context, app):
    plan = make_plan(actions=1, title="Serious Violence Plan 2025-26")
    plan.priority, plan.lead = None, ""
    db.session.commit()
    ws = open_workbook(export_workbook(plan, audience="pcc", as_at=AS_AT))["Plan"]
    assert [ws.cell(row=r, column=1).value for r in range(1, 5)] == [
        "Serious Violence Plan 2025-26",
        "As at 25 November 2025",
        "OFFICIAL: copy for the PCC office, restricted passages withheld",
        None,
    ]
    assert ws["A5"].value == "Strand"


def test_summary_counts_match_the_database_and_carry_a_stacked_chart(plan):
    data = export_workbook(plan, audience="internal", as_at=AS_AT)
    ws = open_workbook(data)["Summary"]
    table = {row[0].value: [c.value for c in row[1:7]] for row in ws.iter_rows(min_row=4, max_row=9)}
    assert table["Strand"] == ["Red", "Amber", "Green", "Blue", "Not set", "Total"]
    expected = {strand.value: [0, 0, 0, 0, 0] for strand in Strand}
    order = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, None]
    for action in plan.actions:
        expected[action.strand.value][order.index(action.rag)] += 1
    for strand, counts in expected.items():
        assert table[strand] == [*counts, sum(counts)]
    assert table["Total"] == [1, 1, 1, 1, 1, 5]
    figures = {row[0].value: row[1].value for row in ws.iter_rows(min_row=11, max_row=13)}
    # Prepare 1 is past its date and Red; Prepare 8 is past its date but Blue, so it is not overdue.
    assert figures["Overdue: target date passed, not Blue"] == 1
    # Stale: Prepare 2 (June update), Prevent 1 (none); not Prepare 1 (20/11), Pursue 3 (1/11) nor Blue Prepare 8.
    assert figures["Stale: no update in 30 days, not Blue"] == 2
    assert len(ws._charts) == 1
    chart_xml = xml_members(data)["xl/charts/chart1.xml"]
    assert '<c:grouping val="stacked"/>' in chart_xml and "<c:barChart>" in chart_xml
    assert '<c:barDir val="col"/>' in chart_xml and '<c:overlap val="100"/>' in chart_xml


def test_summary_sets_past_reviews_side_by_side(plan):
    actions = {a.ref + a.strand.value: a for a in plan.actions}
    first = Review(plan=plan, held_on=date(2025, 6, 30))
    second = Review(plan=plan, held_on=date(2025, 9, 30))
    db.session.add_all([first, second])
    for review, rags in ((first, [Rag.RED, Rag.RED, Rag.AMBER]), (second, [Rag.AMBER, Rag.GREEN, Rag.BLUE])):
        for key, rag in zip(["1Prepare", "2Prepare", "8Prepare"], rags, strict=True):
            review.snapshots.append(ReviewSnapshot(action_id=actions[key].id, rag=rag))
    db.session.commit()
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Summary"]
    rows = {row[0].value: [c.value for c in row[1:4]] for row in ws.iter_rows(min_row=15)}
    assert rows["Actions"] == ["Review 30/06/2025", "Review 30/09/2025", "As at 25/11/2025"]
    assert rows["Red"] == [2, 0, 1]
    assert rows["Amber"] == [1, 1, 1]
    assert rows["Blue"] == [0, 1, 1]
    assert rows["Overdue"] == [1, 0, 1]  # Prepare 8 was due 1/1/2025 and not Blue at the first review


def test_updates_sheet_lists_every_update_and_can_be_filtered(plan):
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Updates"]
    header = 4
    assert [c.value for c in ws[header]] == ["Strand", "Ref", "As at", "Author", "RAG", "Restricted", "Update"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1)]
    assert len(rows) == db.session.scalar(db.select(db.func.count(Update.id)))
    engage = ["Prepare", "1"]  # the action by its strand and ref only: its text is on the Plan sheet
    assert rows[0] == [*engage, None, "DCI Chisholm", None, "No", "• Operational group set up"]
    assert rows[1] == [*engage, datetime(2015, 12, 31), "DCI Chisholm", "Amber", "No", "Media release done"]
    assert rows[2] == [*engage, datetime(2025, 9, 1), "Intel", None, "Yes", SECRET]
    assert "Engage with community groups" not in {cell.value for row in ws.iter_rows() for cell in row}
    assert ws.auto_filter.ref == f"A{header}:G{header + len(rows)}"
    assert ws.freeze_panes == "A5"


def test_every_sheet_prints_landscape_one_page_wide_with_marking_and_page_numbers(plan):
    workbook = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # Excel's default is 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.paperSize == 9  # A4
        assert ws.oddHeader.center.text == "Local Delivery Plan 2015-16"
        assert ws.oddHeader.left.text == ws.oddFooter.left.text == "OFFICIAL-SENSITIVE"
        assert ws.oddFooter.center.text == "Page &P of &N"
    plan_sheet = workbook["Plan"]
    assert plan_sheet.freeze_panes == "A8"
    assert plan_sheet.auto_filter.ref == "A7:I12"
    assert plan_sheet.print_title_rows == "$7:$7"
    assert plan_sheet.column_dimensions["F"].width == pytest.approx(60, abs=1)
    assert workbook.properties.title == "Local Delivery Plan 2015-16 [OFFICIAL-SENSITIVE]"
    assert "OFFICIAL-SENSITIVE" in workbook.properties.subject and "OFFICIAL-SENSITIVE" in workbook.properties.keywords


def test_hostile_text_is_written_as_text_never_as_a_formula_or_error(plan):
    for i, text in enumerate(HOSTILE):
        action = make_action(plan, strand=Strand.PROTECT, ref=str(i + 1), what=text, position=10 + i)
        action.how = text
        action.responsibility = text
        action.updates.append(Update(as_at=None, text=text, author_name=text))
        action.updates.append(Update(as_at=date(2025, 11, 1), text=text, author_name=text))
    plan.lead = HOSTILE[0]
    db.session.commit()
    data = export_workbook(plan, audience="internal", as_at=AS_AT)
    for name, xml in xml_members(data).items():
        if name.startswith("xl/worksheets/sheet"):
            assert "<f>" not in xml and "<f " not in xml, name
            assert 't="e"' not in xml, name
    workbook = open_workbook(data)
    whats = [workbook["Plan"].cell(row=r, column=3) for r in range(1, 40)]
    written = {cell.value: cell for cell in whats if cell.value in HOSTILE}
    assert set(written) == set(HOSTILE)  # every value comes back exactly as typed
    for value, cell in written.items():
        assert cell.data_type == "s"
        assert cell.quotePrefix == value.startswith(("=", "+", "-", "@", "\t"))
    assert set(HOSTILE) <= {cell.value for cell in workbook["Updates"]["G"]}


def test_long_commentary_points_to_the_updates_sheet_and_control_characters_are_removed(plan):
    action = plan.actions[1]
    action.what = "Word paste\x0b with a vertical tab\x01"
    action.updates.append(Update(as_at=date(2025, 11, 2), text="x" * 40_000, author_name="DCI Chisholm"))
    action.updates.append(Update(as_at=date(2025, 11, 3), text="Latest line", author_name="DCI Chisholm"))
    db.session.commit()
    workbook = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))
    assert max(len(text) for text in all_strings(workbook)) <= EXCEL_CELL_LIMIT
    ws = workbook["Plan"]
    assert ws["C9"].value == "Word paste with a vertical tab"
    commentary = str(ws["F9"].value).split("\n")
    # More than a row can show (409 points): the newest that fit, after a pointer to where every update is.
    assert commentary == [
        "Earlier updates: see the Updates sheet (Prepare 2) for all 3 updates.",
        "03/11/2025: Latest line",
    ]
    assert ws.row_dimensions[9].height <= 409
    long_update = next(c.value for c in workbook["Updates"]["G"] if c.value and c.value.startswith("xxx"))
    assert len(long_update) == EXCEL_CELL_LIMIT and long_update.endswith(CONTINUED)


def test_pcc_file_has_no_restricted_text_anywhere(plan):
    data = export_workbook(plan, audience="pcc", as_at=AS_AT)
    workbook = open_workbook(data)
    assert not [text for text in all_strings(workbook) if "SIERRA" in text]
    for name, xml in xml_members(data).items():
        assert "SIERRA" not in xml, name
        assert "OFFICIAL-SENSITIVE" not in xml.upper(), name
    ws = workbook["Plan"]
    assert "01/09/2025: [REDACTED]" in str(ws["F8"].value).split("\n")
    pursue = [ws.cell(row=12, column=c).value for c in range(1, 10)]
    assert pursue[:2] == ["PURSUE", 3]
    # [REDACTED] only where there is text to withhold (what, how, responsibility, the update); it has no links
    assert pursue[2:7] == ["[REDACTED]"] * 4 + [None]
    withheld = [row for row in workbook["Updates"].iter_rows(min_row=5, values_only=True) if row[5] == "Yes"]
    assert withheld == [
        ("Prepare", "1", datetime(2025, 9, 1), None, None, "Yes", "[REDACTED]"),
        ("Pursue", "3", datetime(2025, 11, 1), None, None, "Yes", "[REDACTED]"),
    ]
    assert {ws.title for ws in workbook.worksheets} == {"Plan", "Summary", "Updates"}  # no decisions, no reviews


def test_pcc_file_is_marked_official_in_header_footer_properties_and_title_rows(plan):
    workbook = open_workbook(export_workbook(plan, audience="pcc", as_at=AS_AT))
    assert workbook["Plan"]["A5"].value == "OFFICIAL: copy for the PCC office, restricted passages withheld"
    for ws in workbook.worksheets:
        assert ws.oddHeader.left.text == ws.oddFooter.left.text == "OFFICIAL"
    assert workbook.properties.title == "Local Delivery Plan 2015-16 [OFFICIAL]"
    assert workbook.properties.subject.startswith("OFFICIAL:") and "audience pcc" in workbook.properties.keywords


def test_pcc_file_withholds_text_that_carries_the_sensitive_marking(plan):
    plan.actions[1].updates.append(
        Update(as_at=date(2025, 11, 5), text="Official Sensitive: a named victim", author_name="DS Smith")
    )
    plan.title = "Local Delivery Plan OFFICIAL-SENSITIVE"
    db.session.commit()
    data = export_workbook(plan, audience="pcc", as_at=AS_AT)
    for name, xml in xml_members(data).items():
        assert not re.search(r"official[\s_-]*sensitive", xml, re.IGNORECASE), name
        assert "named victim" not in xml, name


def test_every_export_is_audited(plan):
    export_workbook(plan, audience="pcc", as_at=AS_AT)
    event = db.session.scalar(db.select(AuditEvent).filter_by(verb="plan.export"))
    assert (event.record_type, event.record_id) == ("plan", plan.id)
    assert event.new["audience"] == "pcc" and event.new["format"] == "xlsx" and event.new["actions"] == 5
    assert event.actor == "cli"


def test_export_reads_the_plan_in_a_fixed_number_of_queries(app_context, app):
    small = make_plan(actions=2, updates_per_action=1)
    large = make_plan(actions=60, updates_per_action=6)
    db.session.expire_all()
    with count_queries() as small_queries:
        export_workbook(small, audience="internal", as_at=AS_AT)
    db.session.expire_all()
    with count_queries() as large_queries:
        export_workbook(large, audience="internal", as_at=AS_AT)
    assert len(large_queries) == len(small_queries)


def test_filename_is_priority_title_date_and_marking():
    class Plan:
        priority = "Modern Day Slavery"
        title = "Local Delivery Plan"

    assert export_filename(Plan, AS_AT, "pcc") == "Modern-Day-Slavery-Local-Delivery-Plan-2025-11-25-OFFICIAL.xlsx"
    assert (
        export_filename(Plan, AS_AT, "internal")
        == "Modern-Day-Slavery-Local-Delivery-Plan-2025-11-25-OFFICIAL-SENSITIVE.xlsx"
    )
    Plan.title = "Modern Day Slavery: Délivery / Plan 2015-16"
    assert export_filename(Plan, AS_AT, "pcc") == "Modern-Day-Slavery-Delivery-Plan-2015-16-2025-11-25-OFFICIAL.xlsx"
    with pytest.raises(ValueError):
        export_filename(Plan, AS_AT, "everyone")


def test_cli_writes_the_workbook_to_the_exports_folder(app, plan, runner):
    result = runner.invoke(args=["plans", "export", str(plan.id), "--format", "xlsx", "--audience", "pcc"])
    assert result.exit_code == 0, result.output
    path = app.config["EXPORTS_DIR"] / export_filename(plan, date.today(), "pcc")
    assert path.name.startswith("Modern-Day-Slavery-Local-Delivery-Plan-") and path.name.endswith("-OFFICIAL.xlsx")
    assert str(path) in result.output
    workbook = open_workbook(path.read_bytes())
    assert workbook["Plan"]["A1"].value == "Local Delivery Plan 2015-16"
    assert not [text for text in all_strings(workbook) if "SIERRA" in text]
    event = db.session.scalar(db.select(AuditEvent).filter_by(verb="plan.export"))
    assert (event.new["format"], event.new["audience"], event.actor) == ("xlsx", "pcc", "cli")


def test_cli_writes_the_workbook_where_asked(plan, runner, tmp_path):
    out = tmp_path / "board-pack.xlsx"
    result = runner.invoke(
        args=["plans", "export", str(plan.id), "--format", "xlsx", "--audience", "internal", "--out", out]
    )
    assert result.exit_code == 0, result.output
    assert open_workbook(out.read_bytes())["Plan"]["A5"].value.startswith("OFFICIAL-SENSITIVE")


def test_cli_says_when_it_cannot_write(plan, runner, tmp_path):
    out = tmp_path / "no-such-folder" / "plan.xlsx"
    result = runner.invoke(
        args=["plans", "export", str(plan.id), "--format", "xlsx", "--audience", "pcc", "--out", out]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Could not write {out}")


def test_a_lone_undated_update_stays_plain_but_a_lone_dated_one_is_red(app_context, app):
    plan = make_plan(actions=0)
    imported = make_action(plan, ref="1", position=0)
    imported.updates.append(Update(as_at=None, text="• Text the plan was imported with"))
    written = make_action(plan, ref="2", position=1)
    written.updates.append(Update(as_at=date(2025, 11, 3), text="First update in the tracker"))
    db.session.commit()
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Plan"]
    assert ws["F9"].value == "Undated: • Text the plan was imported with"
    assert ws["F9"].font.color is None or ws["F9"].font.color.type == "theme"  # plain: the text colour
    red = ws["F10"].value
    assert str(red) == "03/11/2025: First update in the tracker"
    assert {block.font.color.rgb for block in red} == {"FFFF0000"}


def test_an_ampersand_in_the_title_is_not_taken_for_a_header_code(app_context, app):
    plan = make_plan(actions=1, title="Public Protection & Safeguarding Plan 2025-26 " + "long " * 40)
    data = export_workbook(plan, audience="internal", as_at=AS_AT)
    sheet_xml = xml_members(data)["xl/worksheets/sheet1.xml"]
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", sheet_xml).group(1)
    assert "&amp;CPublic Protection &amp;&amp; Safeguarding Plan 2025-26 long" in header
    assert header.endswith("…&amp;ROFFICIAL-SENSITIVE")
    assert len(header.replace("&amp;", "&")) <= 255  # Excel's limit for a whole header


def test_export_reports_progress_action_by_action(app_context, app):
    plan = make_plan(actions=6, updates_per_action=2)
    heard = []
    export_workbook(plan, audience="internal", progress=lambda done, total: heard.append((done, total)))
    assert heard == [(n, 12) for n in range(1, 13)]  # each action on the plan sheet, then on the updates sheet


def test_every_cell_and_every_rich_text_run_is_in_arial(plan):
    """No font left to the program's default (LibreOffice shows unset cells in a serif font)."""
    data = export_workbook(plan, audience="internal", as_at=AS_AT)
    members = xml_members(data)
    fonts = re.findall(
        r"<font>(.*?)</font>", re.search(r"<fonts[^>]*>(.*?)</fonts>", members["xl/styles.xml"]).group(1)
    )
    assert fonts and all('<name val="Arial"/>' in font and "<scheme" not in font for font in fonts)
    runs = [
        run
        for name, xml in members.items()
        if name.startswith("xl/worksheets/")
        for run in re.findall(r"<rPr>(.*?)</rPr>", xml)
    ]
    assert runs and all('<rFont val="Arial"/>' in run for run in runs)
    workbook = open_workbook(data)
    cells = [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row if cell.has_style]
    assert cells and {cell.font.name for cell in cells} == {"Arial"}


def test_the_summary_headings_fit_on_one_line_and_counts_are_coloured_by_rag(plan):
    review = Review(plan=plan, held_on=date(2025, 6, 30))
    db.session.add(review)
    for action in plan.actions:
        review.snapshots.append(ReviewSnapshot(action_id=action.id, rag=Rag.RED))
    db.session.commit()
    ws = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))["Summary"]
    headings = [cell for row in ws.iter_rows() for cell in row if cell.value in ("Red", "Review 30/06/2025")]
    figure_headings = [cell for cell in headings if cell.column > 1]
    assert figure_headings and not any(cell.alignment.wrap_text for cell in figure_headings)
    assert all(ws.column_dimensions[cell.column_letter].width >= len(str(cell.value)) for cell in figure_headings)
    total = next(row for row in ws.iter_rows(min_row=4) if row[0].value == "Total")
    fills = {cell.value: cell.fill.fgColor.rgb for cell in total[1:6]}
    assert [cell.fill.fgColor.rgb for cell in total[1:6]] == [
        "FFFF0000",
        "FFFFC000",
        "FF00B050",
        "FF0070C0",
        "FFBFBFBF",
    ]
    assert fills and total[1].font.color.rgb == "FFFFFFFF"
    at_review = {row[0].value: row[1] for row in ws.iter_rows(min_row=15) if row[0].value}
    assert at_review["Red"].value == 5 and at_review["Red"].fill.fgColor.rgb == "FFFF0000"
    assert at_review["Amber"].value == 0 and at_review["Amber"].fill.fgColor.rgb in (None, "00000000")


def test_the_internal_copy_carries_proposals_decisions_with_reasons_and_reviews_with_attendees(plan):
    engage, reception = plan.actions[0], plan.actions[1]
    lead = make_user(role=Role.LEAD, name="DSupt Walton")
    engage.rag_changes.append(
        RagChange(
            from_rag=Rag.AMBER,
            to_rag=Rag.RED,
            user=lead,
            reason="Venue lost; event moved to spring",
            changed_at=datetime(2025, 11, 21, 10, 0),
        )
    )
    reception.updates.append(Update(as_at=date(2025, 11, 22), text="Proposing Green", rag=Rag.GREEN, author_name="DCI"))
    db.session.add(Review(plan=plan, held_on=date(2025, 9, 30), attendees="DSupt Walton; DCI Chisholm; PCC office"))
    db.session.commit()
    workbook = open_workbook(export_workbook(plan, audience="internal", as_at=AS_AT))
    decisions = workbook["RAG decisions"]
    header = [c.value for c in decisions[4]]
    assert header[:5] == ["Strand", "Ref", "Proposed RAG", "Proposed on", "Confirmed RAG"]
    rows = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in decisions.iter_rows(min_row=5, values_only=True)}
    assert rows[("Prepare", "1")]["Proposed RAG"] == "Amber"  # the 31/12/2015 update proposed Amber
    assert rows[("Prepare", "1")]["Confirmed RAG"] == "Red"
    assert rows[("Prepare", "1")]["Reason"] == "Venue lost; event moved to spring"
    assert rows[("Prepare", "1")]["Decided by"] == lead.name and rows[("Prepare", "1")]["To"] == "Red"
    assert (rows[("Prepare", "2")]["Proposed RAG"], rows[("Prepare", "2")]["Confirmed RAG"]) == ("Green", "Amber")
    assert rows[("Prepare", "2")]["Decided on"] == "Not decided"
    assert rows[("Pursue", "3")]["Confirmed RAG"] == "Not set"
    reviews = workbook["Reviews"]
    assert [c.value for c in reviews[5]][:2] == [datetime(2025, 9, 30), "DSupt Walton; DCI Chisholm; PCC office"]
    pcc = open_workbook(export_workbook(plan, audience="pcc", as_at=AS_AT))
    assert "RAG decisions" not in pcc.sheetnames and "Reviews" not in pcc.sheetnames
    assert "Venue lost" not in "\n".join(all_strings(pcc))
