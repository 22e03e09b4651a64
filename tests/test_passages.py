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


def _difflib_find(held: list[str], line: str) -> str | None:
    """HeldLines.find as it was written first, one SequenceMatcher a held line: the reference for the bounds."""
    import re
    from difflib import SequenceMatcher

    if line in held:
        return "same"
    for text in held:
        shorter, longer = sorted((text, line), key=len)
        if len(shorter) >= 20 and longer.endswith(shorter):
            return "same"
    for text in held:
        if re.findall(r"\d+", text) != re.findall(r"\d+", line):
            continue
        matcher = SequenceMatcher(None, text, line, autojunk=False)
        if matcher.real_quick_ratio() >= 0.9 and matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9:
            return "reworded"
    return None


def test_the_quick_bounds_decide_as_difflib_does_on_lines_near_and_far():
    import random

    from app.services.importing.passages import HeldLines, common_subsequence

    rng = random.Random(7)
    words = "the partnership met victims referral network training 12 14 outreach team".split()
    for _ in range(400):
        held = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 4))]
        base = rng.choice(held)
        edits = list(base)
        for _ in range(rng.randint(0, 4)):  # a typo or four: near lines, some within the reworded threshold
            place = rng.randrange(len(edits) + 1)
            edits.insert(place, rng.choice("aeiou ")) if rng.random() < 0.5 else edits[place : place + 1].clear()
        line = "".join(edits) if rng.random() < 0.7 else " ".join(rng.choice(words) for _ in range(8))
        assert HeldLines(held).find(line) == _difflib_find(held, line), (held, line)
    for first, second, longest in [("", "", 0), ("abc", "", 0), ("abcbdab", "bdcaba", 4), ("same", "same", 4)]:
        assert common_subsequence(first, second) == longest
