"""The typed-text rules as tables: commentary date labels, target dates, PCC link variants and RAG words, symbols
and fills. Each row is a spelling found in real plans (or a near miss that must not be read as one)."""

from datetime import date

import pytest

from app.models.enums import ActionStatus, Framework, Rag
from app.services.importing.commentary import dated_updates
from app.services.importing.sheet_cells import unescape
from app.services.importing.sheet_grid import rag_of_colour
from app.services.importing.wording import date_label, parse_links, quarter_end, rag_and_status, target_date_of


@pytest.mark.parametrize(
    ("line", "as_at", "month_only", "rest"),
    [
        ("12/10/2015 - Team co-located", date(2015, 10, 12), False, "Team co-located"),
        ("31/12/2015: done", date(2015, 12, 31), False, "done"),
        ("Oct 15: Contract awarded", date(2015, 10, 31), True, "Contract awarded"),
        ("Sept 15 – Guidance issued", date(2015, 9, 30), True, "Guidance issued"),
        ("Nov 2015: 21 notices", date(2015, 11, 30), True, "21 notices"),
        ("Update 04/01/16: 1,150 drivers", date(2016, 1, 4), False, "1,150 drivers"),
        ("[23/11/2015] Two workers", date(2015, 11, 23), False, "Two workers"),
        ("w/c 02/11/2015 Campaign launched", date(2015, 11, 2), False, "Campaign launched"),
        ("12th October 2015 – Screening audit", date(2015, 10, 12), False, "Screening audit"),
        ("• 29/02/2016: leap day", date(2016, 2, 29), False, "leap day"),
        ("1 March 2024 - Board agreed", date(2024, 3, 1), False, "Board agreed"),
        ("2024-03-01: ISO", date(2024, 3, 1), False, "ISO"),
    ],
)
def test_commentary_date_labels(line, as_at, month_only, rest):
    assert date_label(line) == (as_at, month_only, "", rest)


@pytest.mark.parametrize(
    "line",
    [
        "Meeting with the LSCB on 19/11/2015 agreed a single tool",  # a date inside a line
        "March 2016 was the busiest month",  # a month and year with no ':' or dash after it
        "31/02/2016: no such day",
        "Op Hawthorn: 6 suspects arrested",
        "[23/11/2015 no closing bracket",
    ],
)
def test_lines_that_start_no_update(line):
    assert date_label(line) is None


def test_a_passage_splits_at_its_dated_lines_and_keeps_undated_lines_with_the_one_above():
    updates = dated_updates("Base text\n12/10/2015 - first\nmore of the first\nOct 15: second")
    assert [(u.as_at, u.text) for u in updates] == [
        (None, "Base text"),
        (date(2015, 10, 12), "first\nmore of the first"),
        (date(2015, 10, 31), "second"),
    ]


@pytest.mark.parametrize(
    ("typed", "first_year", "expected"),
    [
        ("31/03/2016", None, date(2016, 3, 31)),
        ("31.3.16", None, date(2016, 3, 31)),
        ("31-Mar-16", None, date(2016, 3, 31)),
        ("Mar-16", None, date(2016, 3, 31)),
        ("March 2016", None, date(2016, 3, 31)),
        ("Sept 2015", None, date(2015, 9, 30)),
        ("Feb 2024", None, date(2024, 2, 29)),
        ("Q4 2015/16", None, date(2016, 3, 31)),
        ("Q1 2024-25", None, date(2024, 6, 30)),
        ("Q2", 2015, date(2015, 9, 30)),
        ("Q2", None, None),
        ("end of March", 2015, date(2016, 3, 31)),
        ("end of December", 2015, date(2015, 12, 31)),
        ("end of March", None, None),
        ("By 31/03/2016", None, date(2016, 3, 31)),
        ("31/03/2016 (revised 30/06/2016)", None, date(2016, 6, 30)),
        ("01/06/2016", None, date(2016, 6, 1)),
        ("Ongoing", 2015, None),
        ("TBC", 2015, None),
        ("When the funding is agreed", 2015, None),
    ],
)
def test_target_dates_as_typed(typed, first_year, expected):
    assert target_date_of(typed, first_year) == expected


def test_quarters_are_of_the_financial_year():
    assert [quarter_end(q, 2024) for q in (1, 2, 3, 4)] == [
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
        date(2025, 3, 31),
    ]


@pytest.mark.parametrize(
    ("written", "codes"),
    [
        ("PCC 1.2.1", ["1.2.1"]),
        ("PCC1.2.1", ["1.2.1"]),
        ("P&C Plan 1.2.2", ["1.2.2"]),
        ("Police and Crime Plan 3.3a.1", ["3.3a.1"]),
        ("PCP 4.1.1", ["4.1.1"]),
        ("PCC 2.1.1, 2.1.2", ["2.1.1", "2.1.2"]),
        ("PCC 2.1.1 and 2.1.3", ["2.1.1", "2.1.3"]),
        ("National Strategy (NS) PCC 4.2.1", ["4.2.1"]),
    ],
)
def test_pcc_link_variants(written, codes):
    assert [link.code for link in parse_links(written) if link.framework is Framework.PCC] == codes


def test_other_links_and_bare_numbers():
    assert parse_links("N/A") == []
    links = parse_links("Serious Violence Duty\nHMICFRS PEEL 2019 AFI 2\nNational Strategy (NS)")
    assert [(link.framework, link.code) for link in links] == [
        (Framework.OTHER, None),
        (Framework.HMIC, "PEEL 2019 AFI 2"),
        (Framework.NS, None),
    ]
    bare = parse_links("2.1 / 2.4", bare_numbers_are_pcc=True)
    assert [(link.framework, link.code) for link in bare] == [(Framework.PCC, "2.1"), (Framework.PCC, "2.4")]
    assert parse_links("2.1 / 2.4")[0].framework is Framework.OTHER  # bare numbers elsewhere are not PCC codes


@pytest.mark.parametrize(
    ("written", "rag", "status", "recognised"),
    [
        ("G", Rag.GREEN, None, True),
        ("amber ", Rag.AMBER, None, True),
        ("Red - at risk", Rag.RED, None, True),
        ("Complete", Rag.BLUE, ActionStatus.COMPLETE, True),
        ("🔴", Rag.RED, None, True),
        ("🟠", Rag.AMBER, None, True),
        ("🟢", Rag.GREEN, None, True),
        ("🔵", Rag.BLUE, None, True),
        ("✅ Complete", Rag.BLUE, ActionStatus.COMPLETE, True),
        ("In progress", None, ActionStatus.IN_PROGRESS, True),
        ("Amber/Red", None, None, False),
        ("A/G", None, None, False),
    ],
)
def test_rag_words_and_symbols(written, rag, status, recognised):
    assert rag_and_status(written) == (rag, status, recognised)


@pytest.mark.parametrize(
    ("fill", "rag"),
    [
        ("FF0000", Rag.RED),
        ("FFC7CE", Rag.RED),
        ("FFC000", Rag.AMBER),
        ("00B050", Rag.GREEN),
        ("00B0F0", Rag.BLUE),
        ("FFFFFF", None),
        ("7030A0", None),
    ],
)
def test_rag_fills(fill, rag):
    assert rag_of_colour(fill)[0] is rag


def test_excel_escapes_are_decoded():
    assert unescape("line one_x000D_\nline two") == "line one\nline two"
    assert unescape("tab_x0009_here\r\nCR LF") == "tab\there\nCR LF"
