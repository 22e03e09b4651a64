"""Shorter ways to the same result in the importer's reading, each checked against the longer way it replaced."""

import random
from collections import Counter

import pytest

from app.services.importing import commentary
from app.services.importing.columns import _lowers_to
from app.services.importing.commentary import _as_read_again, _passages, join_lines, lines_of, passages
from app.services.importing.passages import _shared_letters

TRICKY = ["", "No", "NO", "no", "İ", "İstanbul", "i̇stanbul", "ΣΑΣ", "Σ", "σας", "ẞ", "ß", "ǅ", "ǆ", "K", "k", "Ⅻ"]
TRICKY += ["• What are we going to do?", "What are we going to do?", "WHAT ARE WE GOING TO DO?", "Ω Ohm", "ω ohm"]


@pytest.mark.parametrize("text", TRICKY)
def test_a_heading_is_recognised_as_lowering_the_cell_recognises_it(text):
    for label in {other.lower() for other in TRICKY} | {text.lower(), text.lower()[1:], text.lower() + "x"}:
        assert _lowers_to(text, label) is (text.lower() == label), (text, label)


def _random_segments(rng: random.Random) -> list[commentary.Segment]:
    pieces = ["• ", "12/10/2015 - ", "Update 04/01/16:", "Earlier updates: see the Updates sheet", "text", " ", ""]
    pieces += ["\n", "\n\n", "Undated: ", "more words\nand a line", "Oct 15: ", "done."]
    marks = ["", "red", "bold", "red bold", False]
    return [("".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))), rng.choice(marks)) for _ in range(8)]


def test_passages_of_lines_read_again_are_the_passages_of_the_lines_joined_and_split_again():
    rng = random.Random(11)
    for _ in range(3000):
        lines = lines_of(_random_segments(rng))
        kept = [line for line in lines if rng.random() < 0.8]  # as updates_from leaves out the pointer lines
        cut = rng.randint(0, len(kept))
        assert _passages(_as_read_again(kept[:cut])) == passages(join_lines(kept[:cut]))


def test_a_lines_text_follows_its_segments():
    line = commentary._Line()
    assert line.text == ""
    line.segments.append(("one ", "red"))
    assert line.text == "one "
    line.segments.append(("two", ""))
    assert line.text == "one two"
    line.segments = [("three", ""), ("four", "")]  # another list of the same length
    assert line.text == "threefour"


def test_the_letters_two_lines_share_are_counted_as_counter_intersection_counts_them():
    rng = random.Random(5)
    alphabet = "abcde fghij•ß İ1"
    for _ in range(2000):
        first, second = ("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(2))
        assert _shared_letters(Counter(first), Counter(second)) == (Counter(first) & Counter(second)).total()
