"""Plans of the same kind laid out differently: each shape reads to the same actions, strands and history."""

from datetime import date, datetime

from app.models import ActionStatus, Framework, PlanKind, Rag, Strand
from app.services.importing.workbook import read_workbook
from tests.workbooks import (
    LOCAL_HEADER,
    Fill,
    Sheet,
    local_plan,
    make_workbook,
    messages,
    only_plan,
    read,
    red,
    refs,
    rich,
)


def test_strand_merged_down_the_first_column():
    plan = only_plan(
        local_plan(
            [
                ["PREPARE", 1, "Engage"],
                [None, 2, "Plan reception centres"],
                ["Prevent", 1, "Train call takers"],
                [None, 3, "Brief neighbourhood teams"],
            ],
            merges=["A5:A6", "A7:A8"],
        )
    )
    assert refs(plan) == ["Prepare 1", "Prepare 2", "Prevent 1", "Prevent 3"]
    assert plan.title == "Modern Slavery Delivery Plan 2020-21"
    assert (plan.priority, plan.lead, plan.period_label) == ("Modern Day Slavery", "DSupt Walton", "2020-21")


def test_strand_written_once_and_left_blank_below():
    plan = only_plan(local_plan([["Protect", "1", "Victim care"], [None, "2", "NRM"], ["PURSUE", "1", "Target OCGs"]]))
    assert refs(plan) == ["Protect 1", "Protect 2", "Pursue 1"]


def test_strand_named_in_the_header_first_cell_and_again_for_each_strand():
    header = ["PREPARE", "Lead officer", "Update", "RAG"]
    plan = only_plan(
        make_workbook(
            title_rows=["Modern Slavery Plan 2021-22"],
            header=header,
            rows=[
                ["1. Engage with community groups", "DCI Chisholm", "Started", "G"],
                ["2. Plan reception centres", "LPU", "", "A"],
                ["PREVENT", "Lead officer", "Update", "RAG"],
                ["1. Train call takers", "L&D", "Done", "Complete"],
            ],
        )
    )
    assert refs(plan) == ["Prepare 1", "Prepare 2", "Prevent 1"]
    assert plan.actions[0].what == "Engage with community groups"
    assert plan.actions[0].responsibility == "DCI Chisholm"
    assert [action.rag for action in plan.actions] == [Rag.GREEN, Rag.AMBER, Rag.BLUE]
    assert plan.actions[2].status is ActionStatus.COMPLETE


def test_separator_rows_set_the_strand():
    plan = only_plan(
        make_workbook(
            header=["Ref", "Action", "Owner"],
            rows=[
                ["PREPARE – reducing the impact of serious and organised crime"],
                [1, "Engage", "DCI Chisholm"],
                ["Strand 2: Prevent"],
                [1, "Train", "L&D"],
            ],
            merges=["A2:C2", "A4:C4"],
        )
    )
    assert refs(plan) == ["Prepare 1", "Prevent 1"]
    assert plan.warnings == []


def test_a_sheet_per_strand_makes_one_plan():
    header = ["No", "What are we going to do?", "Responsibility"]
    reading = read(
        make_workbook(
            Sheet("Prepare", title_rows=["Force Delivery Plan 2019-20"], header=header, rows=[[1, "Engage", "A"]]),
            Sheet("PREVENT", title_rows=["Force Delivery Plan 2019-20"], header=header, rows=[[1, "Train", "B"]]),
            Sheet("3. Protect", header=header, rows=[[1, "Victim care", "C"], [2, "NRM", "D"]]),
        )
    )
    assert len(reading.plans) == 1
    plan = reading.plans[0]
    assert plan.title == "Force Delivery Plan 2019-20"
    assert plan.sheets == ["Prepare", "PREVENT", "3. Protect"]
    assert refs(plan) == ["Prepare 1", "Prevent 1", "Protect 1", "Protect 2"]


def test_two_row_merged_header_with_title_rows_and_an_offset_start():
    plan = only_plan(
        make_workbook(
            title_rows=["", "Delivery Plan 2022-23"],
            header=["Strand", "Ref", "Activity", None, "Lead", "Progress"],
            header_below=[None, None, "What", "How", None, None],
            rows=[["Prepare", "1.1", "Engage", "• Partnerships", "DCI Chisholm", "Going well"]],
            merges=["B3:B4", "C3:C4", "D3:E3", "F3:F4", "G3:G4"],
            first_column=2,
        )
    )
    action = plan.actions[0]
    assert (action.display_ref, action.what, action.how) == ("Prepare 1.1", "Engage", "• Partnerships")
    assert action.responsibility == "DCI Chisholm"
    assert [update.text for update in action.updates] == ["Going well"]


def test_columns_are_known_by_their_words_and_the_rest_reported():
    plan = only_plan(
        make_workbook(
            header=["Strand", "Ref", "Objective", "Expected outcome", "Action", "Action owner", "Links", "Status"]
            + ["Target date", "Notes"],
            rows=[
                ["Prevent", "2.", "1. Raise awareness", "• More reports", "Run a campaign", "Comms", "NS", "amber"]
                + [datetime(2021, 3, 31), "ring Bob"],
                [None, "3", None, "• Better data", "Survey victims", "Intel", "HMIC rec 4", "R"] + [None, None],
            ],
        )
    )
    first, second = plan.actions
    assert (first.ref, first.what, first.responsibility, first.rag) == ("2", "Run a campaign", "Comms", Rag.AMBER)
    assert first.target_date == date(2021, 3, 31)
    assert [(link.framework, link.code) for link in second.links] == [(Framework.HMIC, "rec 4")]
    assert plan.objectives[0].ref == "1"
    assert plan.objectives[0].outcomes == ["More reports", "Better data"]
    assert first.objective_ref == second.objective_ref == "1"
    assert plan.columns_not_understood == ["'Notes' (column J) on sheet 'Plan'"]


def test_hidden_sheets_hidden_rows_blank_and_notes_rows_are_skipped():
    reading = read(
        make_workbook(
            Sheet("Lookups", header=["No", "Action", "Owner"], rows=[[1, "Secret", "x"]], state="hidden"),
            Sheet("Old", header=["No", "Action", "Owner"], rows=[[1, "Old", "x"]], state="veryHidden"),
            Sheet(
                "Plan",
                header=["Strand", "No", "Action", "Owner"],
                rows=[
                    ["Prepare", 1, "Engage", "A"],
                    [],
                    [None, None, None, "Note: figures to follow"],
                    ["Prepare", 2, "Sensitive note in a hidden row", "B"],
                    ["Prepare", 3, "Plan", "C"],
                ],
                hidden_rows=[5],
            ),
        )
    )
    plan = reading.plans[0]
    assert refs(plan) == ["Prepare 1", "Prepare 3"]
    assert reading.sheets_not_read == ["Lookups (hidden)", "Old (hidden)"]
    assert "Sheet 'Lookups': is hidden and was not read" in "\n".join(str(w) for w in reading.warnings)
    assert "row 4: is not an action (a total, key or note), so it was not imported: 'Note" in messages(plan)
    assert "row 5: is hidden and was not imported" in messages(plan)


def test_a_repeated_ref_is_kept_and_reported():
    plan = only_plan(local_plan([["Prepare", 1, "Engage"], ["Prepare", 1, "Engage again"]]))
    assert refs(plan) == ["Prepare 1", "Prepare 1 (row 6)"]
    assert "row 6: repeats Prepare 1, so it was imported as Prepare 1 (row 6)" in messages(plan)


def test_actions_without_a_number_column_are_numbered_in_order():
    plan = only_plan(
        make_workbook(header=["Strand", "Action", "Owner"], rows=[["Prepare", "Engage", "A"], [None, "Plan", "B"]])
    )
    assert refs(plan) == ["Prepare 1", "Prepare 2"]


def test_a_narrative_merged_over_columns_is_read_once():
    plan = only_plan(
        local_plan(
            [["Prepare", 1, "Engage", "Partnerships", "DCI Chisholm", "One narrative across three columns"]],
            header=[*LOCAL_HEADER[:5], "Commentary", None, None],
            merges=["F5:H5", "F4:H4"],
        )
    )
    action = plan.actions[0]
    assert [update.text for update in action.updates] == ["One narrative across three columns"]
    assert action.links == []


def test_the_tracker_export_reads_back():
    """The exporter's layout: a Plan sheet, a PCC sheet, and Summary and Updates sheets that are not plans."""
    header = [*LOCAL_HEADER, "RAG", "Target date"]
    commentary = rich("30/09/2015: Group formed.\n", red("31/12/2015: Event held."))
    reading = read(
        make_workbook(
            Sheet(
                "Plan",
                title_rows=["Public Protection Delivery Plan 2015-16", "Priority: Modern Day Slavery"],
                header=header,
                rows=[
                    [
                        "Prepare",
                        1,
                        "Engage",
                        "• Partnerships",
                        "DCI Chisholm",
                        commentary,
                        "PCC 1.2.1",
                        Fill("Green", rgb="00B050"),
                        datetime(2016, 3, 31),
                    ]
                ],
            ),
            Sheet(
                "PCC Deliverables",
                title_rows=["PCC Deliverables: Modern Day Slavery Delivery Plan – 2015-16"],
                header=["Aim", "What", "How", "Evidence"],
                rows=[
                    [
                        "1.2) We will enact our plans",
                        "Increase reporting",
                        "1.2.1 Survey victims",
                        "31/12/2015: Survey sent.",
                    ],
                    [None, None, "1.2.3 Support Sentinel KIN", "Event held."],
                ],
                merges=["A3:A4", "B3:B4"],
            ),
            Sheet("Summary", header=["Strand", "Red", "Amber", "Green"], rows=[["Prepare", 0, 0, 1]]),
            Sheet(
                "Updates",
                header=["Strand", "No", "As at", "Update"],
                rows=[["Prepare", 1, "31/12/2015", "Event held."]],
            ),
        )
    )
    local, pcc = reading.plans
    assert reading.sheets_not_read == [
        "Summary (written by the tracker's export)",
        "Updates (written by the tracker's export)",
    ]
    action = local.actions[0]
    assert (action.display_ref, action.rag, action.target_date) == ("Prepare 1", Rag.GREEN, date(2016, 3, 31))
    assert [(update.as_at, update.text) for update in action.updates] == [
        (date(2015, 9, 30), "Group formed."),
        (date(2015, 12, 31), "Event held."),
    ]
    assert pcc.kind is PlanKind.PCC
    assert pcc.title == "PCC Deliverables: Modern Day Slavery Delivery Plan – 2015-16"
    assert [(a.ref, a.what, a.objective_ref) for a in pcc.actions] == [
        ("1.2.1", "Survey victims", "1.2"),
        ("1.2.3", "Support Sentinel KIN", "1.2"),
    ]
    assert [(u.as_at, u.text) for u in pcc.actions[0].updates] == [(date(2015, 12, 31), "Survey sent.")]
    assert pcc.objectives[0].description == "Increase reporting"
    assert pcc.warnings == []


def test_a_pcc_sheet_with_one_deliverable_a_row_and_a_ref_column():
    plan = only_plan(
        make_workbook(
            Sheet(
                "PCC plan",
                header=["Aim", "Ref", "Deliverable", "Evidence"],
                rows=[
                    ["3.3) Hidden crimes", "3.3c.1.", "Support reporting centres", "• Done"],
                    [None, "3.3c.2", "Train", ""],
                ],
            )
        )
    )
    assert plan.kind is PlanKind.PCC
    # the aim as numbered: its deliverables all carry one letter (3.3c), so they are the aim's, not a part's
    assert [(a.ref, a.what, a.objective_ref) for a in plan.actions] == [
        ("3.3c.1", "Support reporting centres", "3.3"),
        ("3.3c.2", "Train", "3.3"),
    ]
    assert [u.text for u in plan.actions[0].updates] == ["• Done"]


def test_strand_column_with_an_unknown_strand_is_reported():
    plan = only_plan(local_plan([["Partnerships", 1, "Engage"]]))
    assert plan.actions[0].strand is None
    assert "row 5: the strand 'Partnerships' is not Prepare, Prevent, Protect or Pursue" in messages(plan)
    assert plan.actions[0].display_ref == "1"
    assert Strand.PREPARE not in {action.strand for action in plan.actions}


def test_reading_reports_progress_for_a_long_plan():
    rows = [["Prepare", i, f"Action {i}"] for i in range(1, 451)]
    seen = []
    read_workbook(
        make_workbook(header=["Strand", "No", "Action"], rows=rows), "long.xlsx", progress=lambda *p: seen.append(p)
    )
    assert seen[-1] == (451, 451)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= 4


def test_a_sentence_that_starts_with_a_strand_word_is_an_action_not_a_separator():
    plan = only_plan(
        make_workbook(
            header=["Strand", "Action", "Owner"],
            rows=[
                ["Protect", "Victim care", "A"],
                [None, "Prevent re-trafficking of victims"],
                [None, "2020 was busy", "B"],
            ],
        )
    )
    assert [(action.display_ref, action.what) for action in plan.actions] == [
        ("Protect 1", "Victim care"),
        ("Protect 2", "Prevent re-trafficking of victims"),
        ("Protect 3", "2020 was busy"),
    ]


def test_plan_details_from_labelled_title_rows():
    plan = only_plan(
        make_workbook(
            title_rows=[
                "CSE Delivery Plan 2016-17",
                "Lead officer: DCI Smith",
                "Period: 1 April 2016 to 31 March 2017",
            ],
            header=["No", "Action"],
            rows=[[1, "Engage"]],
        )
    )
    assert (plan.title, plan.lead, plan.priority) == ("CSE Delivery Plan 2016-17", "DCI Smith", None)
    assert (plan.period_label, plan.period_start, plan.period_end) == ("2016-17", date(2016, 4, 1), date(2017, 3, 31))


def test_a_plan_with_no_title_rows_is_named_after_its_file():
    reading = read_workbook(make_workbook(header=["No", "Action"], rows=[[1, "Engage"]]), "cse_plan_2018-19.xlsx")
    assert (reading.plans[0].title, reading.plans[0].period_label) == ("cse plan 2018-19", "2018-19")
