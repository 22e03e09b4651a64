"""Which passages of a commentary cell the tracker already holds, whatever their formatting now.

A passage is known by its words, never by its colour or its place in the cell: owners turn last quarter's red
black, type this quarter's red line straight after last quarter's, fix a typo in an old line, or let Excel store
line breaks as `_x000D_`. So passages and stored updates are compared line by line after normalising (line
breaks, `_x000D_`, non-breaking spaces, leading bullets, runs of whitespace, case), and a line matches a stored
line that it equals, that it ends with (a date label written before it, "14/09/2018 – …"), or that it differs
from by a typo or two. Only the lines nobody holds yet become a new update.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher

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
        self.lines: list[str] = [line for text in texts for line in lines_of(text)]
        self.exact = set(self.lines)

    def find(self, line: str) -> str | None:
        """'same' when the line is held as it is, 'reworded' when held with a small change, else None."""
        if line in self.exact:
            return "same"
        for held in self.lines:
            shorter, longer = sorted((held, line), key=len)
            if len(shorter) >= MIN_SUFFIX and longer.endswith(shorter):
                return "same"
        numbers = NUMBER_RE.findall(line)
        for held in self.lines:
            # A changed number is a new fact ("32 referrals", "Progress 2"), never a typo fixed.
            if NUMBER_RE.findall(held) != numbers:
                continue
            matcher = SequenceMatcher(None, held, line, autojunk=False)
            if matcher.real_quick_ratio() >= REWORDED and matcher.quick_ratio() >= REWORDED:
                if matcher.ratio() >= REWORDED:
                    return "reworded"
        return None

    def add(self, text: str) -> None:
        for line in lines_of(text):
            self.lines.append(line)
            self.exact.add(line)


def new_updates(read: list[UpdateRead], stored_texts: list[str]) -> UpdatesFound:
    """The passages of a cell that the tracker does not hold yet: only their new lines, each passage once."""
    held, found = HeldLines(stored_texts), UpdatesFound()
    for update in read:
        raw_lines = [line for line in update.text.replace("_x000D_", "\n").replace("\r\n", "\n").split("\n")]
        new_raw: list[str] = []
        for raw in raw_lines:
            line = normalise(raw)
            if not line:
                continue
            state = held.find(line)
            if state is None:
                new_raw.append(raw.strip())
            elif state == "reworded":
                found.reworded.append(first_words(raw))
        if not new_raw:
            found.already += 1
            continue
        fresh = update if len(new_raw) == len([r for r in raw_lines if normalise(r)]) else _part(update, new_raw)
        found.fresh.append(fresh)
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
