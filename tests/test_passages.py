"""Passages are known by their words: a typo fixed is the same passage, a changed number is a new one."""

from datetime import date

from app.services.importing.findings import UpdateRead
from app.services.importing.passages import new_updates


def _read(text: str) -> UpdateRead:
    return UpdateRead(as_at=date(2025, 9, 30), text=text)


def test_a_typo_fixed_is_the_same_passage():
    found = new_updates(
        [_read("Two workers recruited for the Smethwick outreach team")],
        ["Two workers recruted for the Smethwick outreach team"],
    )
    assert found.fresh == [] and found.already == 1


def test_a_changed_number_is_a_new_passage_never_a_typo():
    found = new_updates(
        [_read("31 NRM referrals made by the partnership this quarter")],
        ["30 NRM referrals made by the partnership this quarter"],
    )
    assert [update.text for update in found.fresh] == ["31 NRM referrals made by the partnership this quarter"]


def test_two_passages_of_one_cell_that_differ_by_a_number_are_both_kept():
    found = new_updates([_read("Progress 1 on the Pursue network"), _read("Progress 2 on the Pursue network")], [])
    assert [update.text for update in found.fresh] == [
        "Progress 1 on the Pursue network",
        "Progress 2 on the Pursue network",
    ]
