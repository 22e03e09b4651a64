"""Reading the export's Updates sheet back (app/services/importing/updates_sheet.py): where its headings may be,
and that a sheet without them is not read past its first rows."""

from datetime import date

from app.services.importing.updates_sheet import HEADINGS_WITHIN_ROWS, updates_by_action

HEADINGS = ("Strand", "Ref", "As at", "Author", "Update", "Restricted")


class Sheet:
    """A worksheet as openpyxl's read-only mode gives it: rows one at a time, counted as they are taken."""

    def __init__(self, rows):
        self.rows, self.taken = rows, 0

    def iter_rows(self, values_only=True):
        for values in self.rows:
            self.taken += 1
            yield values


def titled(headings_at: int, updates) -> list[tuple]:
    """Title rows down to the headings' row (1-based), the headings, then the updates."""
    return [("Modern Slavery Delivery Plan",)] * (headings_at - 1) + [HEADINGS, *updates]


UPDATES = [
    ("Prepare", "1", date(2025, 10, 1), "DCI Chisholm", "Training booked", "No"),
    ("Prepare", "1", date(2025, 11, 1), "DCI Chisholm", "Meeting with the source", "Yes"),
    ("Protect", "2", date(2025, 11, 3), "DS Patel", "Leaflets printed", ""),
]


def test_the_exports_headings_under_its_title_rows_are_found_and_every_update_read():
    found = updates_by_action(Sheet(titled(3, UPDATES)))
    assert [u.text for u in found[("Prepare", "1")]] == ["Training booked", "Meeting with the source"]
    assert [u.restricted for u in found[("Prepare", "1")]] == [False, True]
    assert [(u.as_at, u.author_name) for u in found[("Protect", "2")]] == [(date(2025, 11, 3), "DS Patel")]


def test_headings_as_far_down_as_the_last_row_looked_at_are_found():
    found = updates_by_action(Sheet(titled(HEADINGS_WITHIN_ROWS, UPDATES)))
    assert sorted(found) == [("Prepare", "1"), ("Protect", "2")]


def test_a_sheet_without_the_headings_in_its_first_rows_is_not_the_exports_and_is_read_no_further():
    lower = Sheet(titled(HEADINGS_WITHIN_ROWS + 1, UPDATES))
    assert updates_by_action(lower) is None
    assert lower.taken == HEADINGS_WITHIN_ROWS
    ones = Sheet((1,) for _ in range(300_001))  # a sheet of 300,001 rows, none of them headings
    assert updates_by_action(ones) is None
    assert ones.taken == HEADINGS_WITHIN_ROWS
