"""What a cell says, however it is written: rich-text updates, dated lines, links, RAG, dates, refs, formulas."""

from datetime import date, datetime

from app.models import Rag
from tests.workbooks import Fill, bold, italic, local_plan, make_workbook, messages, only_plan, red, rich


def test_red_bold_and_italic_passages_are_later_updates_in_order():
    commentary = rich(
        "• Baseline text.\n• More baseline. ",
        red("Q2: 80% trained."),
        "\n• ",
        bold("Q3: all trained"),
        ".\n",
        italic("Q4: reviewed"),
        "\n• A late plain note.",
    )
    action = only_plan(local_plan([["Prepare", 1, "Train staff", "", "L&D", commentary]])).actions[0]
    assert [update.text for update in action.updates] == [
        "• Baseline text.\n• More baseline.\n• A late plain note.",
        "Q2: 80% trained.",
        "• Q3: all trained.",
        "Q4: reviewed",
    ]


def test_dated_commentary_lines_are_dated_updates():
    commentary = rich("30/09/2015: Group formed.\nIt meets monthly.\n", red("31/12/2015 (DCI Chisholm): Event held."))
    action = only_plan(local_plan([["Prepare", 1, "Engage", "", "", commentary]])).actions[0]
    assert [(update.as_at, update.author_name, update.text) for update in action.updates] == [
        (date(2015, 9, 30), "", "Group formed.\nIt meets monthly."),
        (date(2015, 12, 31), "DCI Chisholm", "Event held."),
    ]


def test_strategic_links_one_a_line_or_run_together():
    links = "National Strategy (NS)\nSentinel (S)\nPCC 1.4.3"
    together = "National Strategy (NS) Sentinel (S) PCC 1.4.3 HMIC Crime Data Integrity 5 Local tasking"
    plan = only_plan(local_plan([["Prepare", 1, "A", "", "", "", links], ["Prepare", 2, "B", "", "", "", together]]))
    first, second = plan.actions
    assert [link.label for link in first.links] == ["NS", "Sentinel", "PCC 1.4.3"]
    assert [(link.label, link.text) for link in second.links] == [
        ("NS", "National Strategy (NS)"),
        ("Sentinel", "Sentinel (S)"),
        ("PCC 1.4.3", "PCC 1.4.3"),
        ("HMIC Crime Data Integrity 5 Local tasking", "HMIC Crime Data Integrity 5 Local tasking"),
    ]


def test_rag_as_text_in_any_common_spelling():
    spellings = ["R", "red", "A ", "Amber", "G", "Green", "Complete", "Completed", "Blue", "Sort of"]
    plan = only_plan(
        make_workbook(
            header=["No", "Action", "RAG"], rows=[[i + 1, f"Action {i}", rag] for i, rag in enumerate(spellings)]
        )
    )
    assert [action.rag for action in plan.actions] == [
        *(Rag.RED, Rag.RED, Rag.AMBER, Rag.AMBER, Rag.GREEN),
        *(Rag.GREEN, Rag.BLUE, Rag.BLUE, Rag.BLUE, None),
    ]
    assert "row 11: the RAG 'Sort of' is not R, A, G or Complete" in messages(plan)


def test_rag_only_as_fill_colour_rgb_theme_and_indexed():
    fills = [
        Fill(rgb="FF0000"),
        Fill(rgb="FFC7CE"),  # Excel's "Bad" pink
        Fill(theme=9, tint=0.4),  # Office theme accent 6 (orange), lightened
        Fill(indexed=17),  # legacy palette green
        Fill(rgb="00B0F0"),
        Fill(rgb="7030A0"),  # purple
        None,
    ]
    plan = only_plan(
        make_workbook(
            header=["No", "Action", "RAG"],
            rows=[[i + 1, f"Action {i}", fill] for i, fill in enumerate(fills)],
            conditional_rag_range="C8:C8",
        )
    )
    assert [action.rag for action in plan.actions] == [Rag.RED, Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, None, None]
    assert "row 7: the RAG cell's colour is not red, amber, green or blue" in messages(plan)
    assert "row 8: the RAG colour comes from conditional formatting" in messages(plan)


def test_dates_as_excel_dates_or_uk_text():
    values = [datetime(2020, 3, 31), "31/03/2020", "03/04/2025", "1 June 2020", 45747, "Q4 2019/20", "ongoing"]
    plan = only_plan(
        make_workbook(
            header=["No", "Action", "Target date"], rows=[[i + 1, "A", value] for i, value in enumerate(values)]
        )
    )
    got = [(action.target_date, action.target_date_text) for action in plan.actions]
    assert got == [
        (date(2020, 3, 31), None),
        (date(2020, 3, 31), None),
        (date(2025, 4, 3), None),  # UK order: 3 April, not 4 March
        (date(2020, 6, 1), None),
        (date(2025, 3, 31), None),  # a serial number in a General cell
        (date(2020, 3, 31), None),  # the last day of the named financial year's fourth quarter
        (None, "ongoing"),
    ]
    assert "row 8: the target date 'ongoing' is not a date, so it was kept as written" in messages(plan)


def test_dates_in_a_1904_workbook():
    data = make_workbook(
        header=["No", "Action", "Target date"], rows=[[1, "A", datetime(2021, 6, 30)]], epoch_1904=True
    )
    assert only_plan(data).actions[0].target_date == date(2021, 6, 30)


def test_refs_are_trimmed_and_redacted_text_kept():
    plan = only_plan(local_plan([["Pursue", "1. ", "[REDACTED]"], ["Pursue", " 2 .", "Target OCGs [REDACTED]"]]))
    assert [(action.ref, action.what) for action in plan.actions] == [
        ("1", "[REDACTED]"),
        ("2", "Target OCGs [REDACTED]"),
    ]


def test_formula_cells_import_their_saved_value_or_are_flagged():
    from tests.workbooks import with_cached_value

    data = make_workbook(
        header=["No", "Action", "RAG"], rows=[[1, '=CONCAT("Eng","age")', '="G"'], [2, "Plan", '="A"']]
    )
    data = with_cached_value(data, "C3", "A")
    plan = only_plan(data)
    first, second = plan.actions
    assert (first.what, first.rag) == ("", None)
    assert second.rag is Rag.AMBER
    assert "row 2: cell B2 holds a formula with no saved value, so it was read as empty" in messages(plan)
    assert not any(action.what.startswith("=") for action in plan.actions)


def test_undated_updates_written_one_a_line_stay_apart():
    commentary = "Undated: First note.\nUndated (DCI Chisholm): Second note.\n30/06/2016: Third note."
    action = only_plan(local_plan([["Prepare", 1, "Engage", "", "", commentary]])).actions[0]
    assert [(update.as_at, update.author_name, update.text) for update in action.updates] == [
        (None, "", "First note."),
        (None, "DCI Chisholm", "Second note."),
        (date(2016, 6, 30), "", "Third note."),
    ]
