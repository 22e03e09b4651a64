"""Layouts of every kind the corpus covers, built here with other words, orders and values than the corpus uses,
so that the reader is held to the rule, not to the corpus files."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from app.models import Framework, Rag, Strand
from tests.workbooks import Sheet, bold, make_workbook, messages, only_plan, read, red, refs, rich


def test_abbreviated_strands_written_once_with_blanks_below():
    plan = only_plan(
        make_workbook(
            title_rows=["Exploitation Plan 2022-23"],
            header=["4P", "Ref", "Activity", "Owner"],
            rows=[["Prep", 1, "Map risks", "FIB"], [None, 2, "Exercise", "EPO"], ["Prev.", 1, "Schools", "SLO"]],
        )
    )
    assert refs(plan) == ["Prepare 1", "Prepare 2", "Prevent 1"]


def test_strand_in_the_header_and_in_column_a_on_each_strands_first_row():
    plan = only_plan(
        make_workbook(
            title_rows=["Fraud Plan 2023-24"],
            header=["Prepare", "Ref", "Action", "Lead"],
            rows=[[None, 1, "Cell", "DI"], [None, 2, "Profile", "FIB"], ["Pursue", 1, "Arrests", "DCI"]],
        )
    )
    assert refs(plan) == ["Prepare 1", "Prepare 2", "Pursue 1"]


def test_cells_merged_over_several_actions_give_each_the_value():
    plan = only_plan(
        make_workbook(
            header=["Strand", "No", "Action", "Lead officer", "Deadline", "BRAG", "Links"],
            rows=[
                ["Protect", 1, "Pathway", "Victim Services", "30/09/2023", "A", "PCC 2.1.1\nNS"],
                [None, 2, "Safe house", None, None, None, None],
                [None, 3, "Audit", "PPU", "31/12/2023", "G", "HMIC Rec 4"],
            ],
            merges=["D2:D3", "E2:E3", "F2:F3", "G2:G3"],
        )
    )
    first, second, third = plan.actions
    assert second.responsibility == first.responsibility == "Victim Services"
    assert second.target_date == first.target_date == date(2023, 9, 30)
    assert second.rag is first.rag is Rag.AMBER
    assert [link.code for link in second.links] == ["2.1.1", None]
    assert third.responsibility == "PPU" and third.rag is Rag.GREEN


def test_competing_headings_settle_on_the_right_column():
    plan = only_plan(
        make_workbook(
            header=["ID", "Task", "Date opened", "Due", "Status", "RAG rating", "Last quarter RAG", "Latest update"],
            rows=[
                ["T1", "Train staff", "01/04/2023", "31/03/2024", "In progress", "G", "R", "01/02/2024 - 60% done"],
                ["T2", "Publish", "01/04/2023", "30/06/2023", "Complete", None, "A", "Published"],
            ],
        )
    )
    one, two = plan.actions
    assert one.target_date == date(2024, 3, 31) and one.rag is Rag.GREEN
    assert [(u.as_at, u.text) for u in one.updates] == [(date(2024, 2, 1), "60% done")]
    assert two.rag is Rag.BLUE  # Complete with a blank RAG


def test_quarter_columns_are_dated_at_the_end_of_each_quarter_of_the_plan_year():
    plan = only_plan(
        make_workbook(
            title_rows=["Drugs Plan", "Period: 2023/24"],
            header=["Strand", "No", "Action", "Quarter 1 update", "Quarter 2 update", "Quarter 3 update"],
            rows=[["Pursue", 1, "Lines", "Two lines closed", None, "Four more"]],
        )
    )
    assert [(u.as_at, u.text) for u in plan.actions[0].updates] == [
        (date(2023, 6, 30), "Two lines closed"),
        (date(2023, 12, 31), "Four more"),
    ]


def test_objective_rows_with_bulleted_activities_and_success_measures():
    plan = only_plan(
        make_workbook(
            title_rows=["Partnership Plan 2024-25"],
            header=["Aim", "Activities", "Success measures", "Owner", "By when"],
            rows=[
                [
                    "Aim 1: Pursue - Disruption",
                    "* Visits\n* Closure orders\n  under the 2014 Act",
                    "* Fewer sites",
                    "Police",
                    "Q3",
                ],
                ["Aim 2: Protect - Victims", "• Pathway", "• Pathway used", "Council", "Ongoing"],
            ],
        )
    )
    assert [(a.strand, a.objective_ref, a.what) for a in plan.actions] == [
        (Strand.PURSUE, "1", "Visits"),
        (Strand.PURSUE, "1", "Closure orders under the 2014 Act"),
        (Strand.PROTECT, "2", "Pathway"),
    ]
    assert plan.actions[0].target_date == date(2024, 12, 31)  # Q3 of the plan's year
    assert [(o.ref, o.strand, o.title, o.outcomes) for o in plan.objectives][0] == (
        "1",
        Strand.PURSUE,
        "Disruption",
        ["Fewer sites"],
    )


def test_objective_separator_rows_give_the_actions_below_their_objective():
    plan = only_plan(
        make_workbook(
            header=["No", "Action", "Owner", "Notes"],
            rows=[
                ["PREVENT"],
                ["Objective 2.1 - Divert young people", None, None, "Outcomes:\n- Fewer first-time entrants"],
                ["2.1.1", "Mentoring", "YJS"],
                ["Total: 1 action"],
            ],
        )
    )
    assert [(a.strand, a.objective_ref, a.ref) for a in plan.actions] == [(Strand.PREVENT, "2.1", "2.1.1")]
    assert plan.objectives[0].outcomes == ["Fewer first-time entrants"]
    assert "is not an action (a total, key or note)" in messages(plan)


def test_a_cover_sheet_names_the_plan_and_notes_sheets_are_not_plans():
    reading = read(
        make_workbook(
            Sheet(
                "Front",
                title_rows=["OFFICIAL", "Harbour Delivery Plan", ["SRO", "Ch Supt Vale"], ["Period", "2021/22"]],
            ),
            Sheet("Notes", title_rows=["Notes", "Version 2 agreed at the board"]),
            Sheet("Actions", title_rows=["Actions"], header=["Strand", "No", "What"], rows=[["Prepare", 1, "Plan"]]),
        )
    )
    plan = reading.plans[0]
    assert len(reading.plans) == 1
    assert (plan.title, plan.lead, plan.period_start) == ("Harbour Delivery Plan", "Ch Supt Vale", date(2021, 4, 1))


def test_a_bold_update_label_dates_the_lines_below_it_and_two_dated_red_passages_are_two_updates():
    plan = only_plan(
        make_workbook(
            header=["No", "Action", "Commentary"],
            rows=[
                [1, "A", rich("Started in May.\n", bold("Update 12/01/16"), "\nTwelve staff trained.")],
                [2, "B", rich("Base.\n", red("03/02/2016: first"), "\n", red("[04/03/2016] second"))],
            ],
        )
    )
    assert [(u.as_at, u.text) for u in plan.actions[0].updates] == [
        (None, "Started in May."),
        (date(2016, 1, 12), "Twelve staff trained."),
    ]
    assert [(u.as_at, u.text) for u in plan.actions[1].updates][1:] == [
        (date(2016, 2, 3), "first"),
        (date(2016, 3, 4), "second"),
    ]


def test_pcc_links_resolve_against_the_deliverables_in_the_workbook_and_the_rest_are_named():
    reading = read(
        make_workbook(
            Sheet(
                "Local",
                title_rows=["Local Plan 2019-20"],
                header=["Strand", "No", "What", "Link"],
                rows=[["Prepare", 1, "A", "PCP 5.1.1"], [None, 2, "B", "P & C Plan 5.1.2, 5.9.9"]],
            ),
            Sheet(
                "PCC Deliverables",
                title_rows=["PCC Deliverables 2019-20"],
                header=["Aim", "Deliverables"],
                rows=[["5.1) Aim", "5.1.1 We will a\n5.1.2 We will b"]],
            ),
        )
    )
    local = reading.plans[0]
    assert [link.code for a in local.actions for link in a.links] == ["5.1.1", "5.1.2", "5.9.9"]
    assert "row 4: PCC 5.9.9 of Prepare 2 is not among the PCC deliverables" in messages(local)


def test_continuation_rows_filtered_rows_hidden_rows_and_hidden_columns():
    workbook = Workbook()
    sheet = workbook.active
    rows = [
        ["Strand", "No", "What", "Commentary", "Private notes"],
        ["Prepare", 1, "Engage", "Started", "x"],
        [None, None, "and carry on", "More"],
        [None, 2, "Filtered out", "Done", "y"],
        [None, 3, "Hidden by hand", "Secret", "z"],
        [None, 4, "Status", "●"],
    ]
    for row in rows:
        sheet.append(row)
    sheet["D6"].font = Font(color="FF00B050")
    sheet.auto_filter.ref = "A1:E6"
    sheet.auto_filter.add_filter_column(2, ["Engage", "and carry on", "Hidden by hand", "Status"])
    sheet.row_dimensions[4].hidden = True  # hidden by the filter: its value is not among the shown ones
    sheet.row_dimensions[5].hidden = True  # shown by the filter, so hidden by hand
    sheet.column_dimensions["E"].hidden = True
    stream = io.BytesIO()
    workbook.save(stream)
    plan = only_plan(stream.getvalue())
    assert refs(plan) == ["Prepare 1", "Prepare 2", "Prepare 4"]
    assert plan.actions[0].what == "Engage\nand carry on"
    assert [u.text for u in plan.actions[0].updates] == ["Started", "More"]
    text = messages(plan)
    assert "row 3: has no number, so it was read as part of Prepare 1" in text
    assert "row 5: is hidden and was not imported" in text
    assert "row 1: column E 'Private notes' is hidden and was not read" in text
    assert not any("x" == u.text for a in plan.actions for u in a.updates)
    assert any(
        r.label == "Private notes" and r.meaning is None and "hidden" in r.why
        for _, rs in plan.column_readings
        for r in rs
    )


def test_an_empty_hidden_column_is_not_worth_a_warning():
    workbook = Workbook()
    sheet = workbook.active
    for row in (["Strand", "No", "What", "Spare"], ["Prepare", 1, "Engage", None], [None, 2, "Train", None]):
        sheet.append(row)
    sheet.column_dimensions["D"].hidden = True
    stream = io.BytesIO()
    workbook.save(stream)
    plan = only_plan(stream.getvalue())
    assert refs(plan) == ["Prepare 1", "Prepare 2"]
    assert "hidden" not in messages(plan)


def test_rag_written_as_a_coloured_dot():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["No", "What", "RAG"])
    sheet.append([1, "A", "●"])
    sheet["C2"].font = Font(color="FFFF0000")
    stream = io.BytesIO()
    workbook.save(stream)
    assert only_plan(stream.getvalue()).actions[0].rag is Rag.RED


def test_links_column_for_the_police_and_crime_plan_takes_bare_numbers():
    plan = only_plan(
        make_workbook(header=["No", "What", "PCC plan reference"], rows=[[1, "A", "3.1; 3.4"], [2, "B", "None"]])
    )
    assert [(link.framework, link.code) for link in plan.actions[0].links] == [
        (Framework.PCC, "3.1"),
        (Framework.PCC, "3.4"),
    ]
    assert plan.actions[1].links == []
