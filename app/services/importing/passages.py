"""Which passages of a commentary cell the tracker already holds, whatever their formatting now.

A passage is known by its words, never by its colour or its place in the cell: owners turn last quarter's red
black, type this quarter's red line straight after last quarter's, fix a typo in an old line, or let Excel store
line breaks as `_x000D_`. So passages and stored updates are compared line by line after normalising (line
breaks, `_x000D_`, non-breaking spaces, leading bullets, runs of whitespace, case), and a line matches a stored
line that it equals, that it ends with (a date label written before it, "14/09/2018 – …"), or that it differs
from by a typo or two. Only the lines nobody holds yet become a new update.
"""

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from itertools import repeat

from app.services.importing.findings import UpdateRead
from app.services.importing.wording import parse_date_text

BULLETS = " \t•·▪◦‣●○-–—*>"
DATE_LABEL_RE = re.compile(r"^\s*\[?(\d{1,2}/\d{1,2}/\d{2,4})\]?\s*[-–—:]?\s*")
REWORDED = 0.9  # a line this similar to a stored one is the same line with a typo fixed
NUMBER_RE = re.compile(r"\d+")
MIN_SUFFIX = 20  # characters a stored line needs before "ends with it" counts as the same line


def normalise(text: str | None) -> str:
    """The words of a text, for comparing: Excel's `_x000D_` and CR LF made LF, bullets dropped, spaces collapsed."""
    if not text:
        return ""
    text = text.replace("_x000D_", "\n").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return " ".join(" ".join(line.strip().lstrip(BULLETS).split()) for line in text.split("\n")).casefold()


def lines_of(text: str | None) -> list[str]:
    """The non-empty normalised lines of a text."""
    if not text:
        return []
    text = text.replace("_x000D_", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return [line for line in (normalise(part) for part in text.split("\n")) if line]


def first_words(text: str, length: int = 60) -> str:
    flat = " ".join((text or "").replace("_x000D_", " ").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


@dataclass
class UpdatesFound:
    """What a cell's passages are, against the updates the tracker holds for the action."""

    fresh: list[UpdateRead] = field(default_factory=list)  # to add
    already: int = 0  # passages wholly held already
    reworded: list[str] = field(default_factory=list)  # held lines whose wording the file changed a little


class HeldLines:
    """The lines of an action's stored updates, to look passages up in."""

    def __init__(self, texts: list[str]):
        self.lines: list[str] = []
        self.exact: set[str] = set()
        self._numbers: list[list[str] | None] = []  # each held line's numbers, found when first needed
        self._counts: dict[int, Counter[str]] = {}  # each held line's characters, counted when first needed
        for text in texts:
            self.add(text)

    def find(self, line: str) -> str | None:
        """'same' when the line is held as it is, 'reworded' when held with a small change, else None."""
        if line in self.exact:
            return "same"
        for held in self.lines:
            shorter, longer = (held, line) if len(held) <= len(line) else (line, held)
            if len(shorter) >= MIN_SUFFIX and longer.endswith(shorter):
                return "same"
        numbers: list[str] | None = None
        letters: Counter[str] | None = None
        matcher: SequenceMatcher | None = None  # one matcher for the line: its index is built once, not per held
        for index, held in enumerate(self.lines):
            # Every test below must pass for a held line to be the line reworded; the cheapest come first.
            # SequenceMatcher's real_quick_ratio and quick_ratio, the same figures, from lengths and counts kept
            # once a line: its ratio (which they bound from above) is worked out only when they pass.
            total = len(held) + len(line)
            if ratio_of(min(len(held), len(line)), total) < REWORDED:
                continue
            # A changed number is a new fact ("32 referrals", "Progress 2"), never a typo fixed.
            numbers = NUMBER_RE.findall(line) if numbers is None else numbers
            if self._numbers_of(index) != numbers:
                continue
            letters = Counter(line) if letters is None else letters
            if ratio_of(shared_letters(self._letters(index), letters), total) < REWORDED:
                continue
            if ratio_of(common_subsequence(held, line), total) < REWORDED:
                continue  # the matcher's blocks are a common subsequence: no longer than the longest one
            if matcher is None:
                matcher = SequenceMatcher(None, "", line, autojunk=False)
            matcher.set_seq1(held)
            if matcher.ratio() >= REWORDED:
                return "reworded"
        return None

    def _numbers_of(self, index: int) -> list[str]:
        numbers = self._numbers[index]
        if numbers is None:
            numbers = self._numbers[index] = NUMBER_RE.findall(self.lines[index])
        return numbers

    def _letters(self, index: int) -> Counter[str]:
        letters = self._counts.get(index)
        if letters is None:
            letters = self._counts[index] = Counter(self.lines[index])
        return letters

    def add(self, text: str) -> None:
        self.add_lines(lines_of(text))

    def add_lines(self, lines: list[str]) -> None:
        for line in lines:
            self.lines.append(line)
            self.exact.add(line)
            self._numbers.append(None)


def shared_letters(first: Counter[str], second: Counter[str]) -> int:
    """(first & second).total(): the characters two texts have in common, counted in C, no Counter made."""
    return sum(map(min, first.values(), map(second.get, first, repeat(0))))


def common_subsequence(first: str, second: str) -> int:
    """The length of the longest common subsequence of two texts, a bit a character of `first` (Hyyrö 2004):
    a few hundred integer operations where SequenceMatcher.ratio compares the texts block by block."""
    masks: dict[str, int] = {}
    for place, character in enumerate(first):
        masks[character] = masks.get(character, 0) | (1 << place)
    every = (1 << len(first)) - 1
    row = every
    for character in second:
        match = row & masks.get(character, 0)
        row = ((row + match) | (row - match)) & every
    return len(first) - row.bit_count()


def ratio_of(matches: int, length: int) -> float:
    """As difflib works out every ratio of SequenceMatcher, bit for bit."""
    return 2.0 * matches / length if length else 1.0


def new_updates(read: list[UpdateRead], stored_texts: list[str]) -> UpdatesFound:
    """The passages of a cell that the tracker does not hold yet: only their new lines, each passage once."""
    held, found = HeldLines(stored_texts), UpdatesFound()
    for update in read:
        raw_lines = [line for line in update.text.replace("_x000D_", "\n").replace("\r\n", "\n").split("\n")]
        new_raw: list[str] = []
        lines: list[str] = []
        for raw in raw_lines:
            line = normalise(raw)
            if not line:
                continue
            lines.append(line)
            state = held.find(line)
            if state is None:
                new_raw.append(raw.strip())
            elif state == "reworded":
                found.reworded.append(first_words(raw))
        if not new_raw:
            found.already += 1
            continue
        fresh = update if len(new_raw) == len(lines) else _part(update, new_raw)
        found.fresh.append(fresh)
        if fresh is update and "\r" not in update.text:
            held.add_lines(lines)  # the lines lines_of would find again: the same split, the same normalising
        else:
            held.add(fresh.text)
    return found


def _part(update: UpdateRead, lines: list[str]) -> UpdateRead:
    """The new lines of a passage that also repeats held ones, dated by their own date label when they have one."""
    text, as_at = "\n".join(lines), update.as_at
    match = DATE_LABEL_RE.match(text)
    if match and (labelled := _date(match.group(1))):
        as_at = labelled
        if update.as_at is not None:  # the reader strips labels from dated passages: do the same
            text = text[match.end() :]
    return replace(update, text=text, as_at=as_at)


def _date(text: str) -> date | None:
    try:
        return parse_date_text(text)
    except ValueError:
        return None
