"""Shorter ways to the same result in the importer's reading, each checked against the longer way it replaced."""

import random
from collections import Counter
from difflib import SequenceMatcher
from types import SimpleNamespace

import pytest

from app.models.enums import Strand
from app.services.importing import commentary, matching
from app.services.importing.columns import _lowers_to
from app.services.importing.commentary import _as_read_again, _passages, join_lines, lines_of, passages
from app.services.importing.findings import ActionRead
from app.services.importing.passages import shared_letters

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
        assert shared_letters(Counter(first), Counter(second)) == (Counter(first) & Counter(second)).total()


def _most_similar_as_it_was(reads, texts, stored, stored_texts, chosen, used, take, answers, result) -> None:
    """matching._most_similar before each tracker action's matcher was made once: the reference it must equal."""
    left = [index for index in range(len(reads)) if index not in chosen and texts[index]]
    free = [action for action in stored if action.id not in used and stored_texts[action.id]]
    same_strand_only = len(left) * len(free) > matching.MAX_PAIRS
    scored = []
    for index in left:
        read = reads[index]
        for action in free:
            if same_strand_only and action.strand != read.strand:
                continue
            matcher = SequenceMatcher(None, texts[index], stored_texts[action.id], autojunk=False)
            same_ref = (action.strand, action.ref) == (read.strand, read.ref)
            if not same_ref and matcher.real_quick_ratio() < matching.SIMILAR:
                continue
            ratio = matcher.ratio()
            if same_ref or ratio >= matching.SIMILAR:
                scored.append((ratio, same_ref, index, action))
    scored.sort(key=lambda item: (-item[0], not item[1], item[2]))
    for _ratio, same_ref, index, action in scored:
        if index in chosen or action.id in used:
            continue
        if same_ref:
            take(index, action)
            continue
        question = matching.Question(reads[index].display_ref, action.display_ref, reads[index].what, action.what)
        question.answer = answers.get(question.key)
        result.questions.append(question)
        if question.answer:
            take(index, action)


def _plan_pair(rng: random.Random) -> tuple[list[ActionRead], list[SimpleNamespace]]:
    words = "train staff victims referrals partnership review the of and NRM".split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 6))) for _ in range(5)]
    texts += [text + " " + rng.choice(words) for text in texts]  # near ones: asked about, and ties
    strands = [Strand.PREPARE, Strand.PREVENT]
    reads = [
        ActionRead(ref=str(rng.randint(1, 6)), strand=rng.choice(strands), sheet="Plan", row=n, what=rng.choice(texts))
        for n in range(rng.randint(0, 9))
    ]
    stored = []
    for number in range(rng.randint(0, 9)):
        strand, ref = rng.choice(strands), str(rng.randint(1, 6))
        display = f"{strand.value} {ref}"
        stored.append(
            SimpleNamespace(id=number + 1, strand=strand, ref=ref, display_ref=display, what=rng.choice(texts))
        )
    return reads, stored


def _matched(reads, stored, answers, most_similar, monkeypatch) -> tuple:
    monkeypatch.setattr(matching, "_most_similar", most_similar)
    found = matching.match_actions(reads, stored, answers)
    pairs = [(read.display_ref, action.id if action else None) for read, action in found.pairs]
    return pairs, [(question.key, question.answer) for question in found.questions], found.renumbered


@pytest.mark.parametrize("max_pairs", [250_000, 4])
def test_the_most_similar_pairs_are_taken_and_asked_about_as_before(max_pairs, monkeypatch):
    monkeypatch.setattr(matching, "MAX_PAIRS", max_pairs)  # 4: only actions of the same strand are compared
    rng = random.Random(3)
    asked, faster = 0, matching._most_similar  # taken before any test below replaces it
    for _ in range(1500):
        reads, stored = _plan_pair(rng)
        now = _matched(reads, stored, {}, faster, monkeypatch)
        assert now == _matched(reads, stored, {}, _most_similar_as_it_was, monkeypatch)
        if now[1]:  # and again with the first question answered yes
            asked += 1
            answers = {now[1][0][0]: True}
            answered = _matched(reads, stored, answers, faster, monkeypatch)
            assert answered == _matched(reads, stored, answers, _most_similar_as_it_was, monkeypatch)
    assert asked > 100
