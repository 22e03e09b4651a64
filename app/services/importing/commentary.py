"""Turning a commentary cell into its update history.

Owners add this quarter's progress to the same cell in red, bold or italic. A cell is read as runs of text, each
marked or not (`Segment`): the unmarked text is the first update and every marked passage a later one, in order,
with nothing lost or repeated. A line that starts with a date (`31/12/2015: …`, the tracker's own export) is an
update of its own on that date.

The tracker's own export starts every update on its own line with a date label (`28/11/2026:` or `Undated:`).
Spreadsheet programs join touching runs of the same format when they save, so a cell whose first line carries
a label is split on the labels first and its formatting is not needed; only text before the first label is
read by its runs. The export's pointer line to its Updates sheet is not an update.
"""

import re

from app.services.importing.findings import UpdateRead
from app.services.importing.wording import SUB_REF_RE, date_label

# (text, mark): the mark is falsy for plain text, else what marks the run ("red", "bold", "red bold"…), so that
# two touching passages in different marks (an italic update, then a red one) stay two updates.
Segment = tuple[str, object]
BULLETS = " \t•·▪◦‣○●-–*>"


class _Line:
    """One line of a cell: its runs, and the mark of a marked run that crossed the line break into it."""

    __slots__ = ("segments", "continues", "_text", "_of")

    def __init__(self, continues: object = False):
        self.segments: list[Segment] = []  # added to, or replaced by another list: never changed in place
        self.continues = continues
        self._text, self._of = "", (self.segments, 0)  # the text, and the list and its length it was made of

    @property
    def text(self) -> str:
        segments = self.segments
        if self._of[0] is not segments or self._of[1] != len(segments):
            self._text, self._of = "".join(text for text, _ in segments), (segments, len(segments))
        return self._text


def lines_of(segments: list[Segment]) -> list[_Line]:
    lines = [_Line()]
    for text, marked in segments:
        for index, piece in enumerate(text.split("\n")):
            if index:
                lines.append(_Line(continues=marked))
            if piece:
                lines[-1].segments.append((piece, marked))
    return lines


def join_lines(lines: list[_Line]) -> list[Segment]:
    segments: list[Segment] = []
    for index, line in enumerate(lines):
        if index:
            segments.append(("\n", line.continues))
        segments.extend(line.segments)
    return segments


def passages(segments: list[Segment]) -> list[str]:
    """The base text first, then each marked passage in the order written.

    A marked line that is only a date label (a bold 'Update 12/01/16') heads the plain lines below it: they are
    that update's text, not the base text.
    """
    return _passages(lines_of(segments))


def _passages(lines: list[_Line]) -> list[str]:
    base: list[str] = []
    later: list[list[str]] = []
    open_passage: object = False
    heading_open = False
    for line in lines:
        first = next((i for i, (text, marked) in enumerate(line.segments) if marked and text.strip()), None)
        if first is None:
            (later[-1] if heading_open else base).append(line.text.rstrip())
            open_passage = False
            continue
        prefix = "".join(text for text, _ in line.segments[:first])
        body = "".join(text for text, _ in line.segments[first:])
        if prefix.strip(BULLETS):  # "• [REDACTED] " then a red run: the plain words stay in the base text
            base.append(prefix.rstrip())
            prefix = ""
        if line.continues and open_passage == line.segments[first][1] and not prefix:
            later[-1].append(body)
        else:
            later.append([prefix + body])
        label = date_label(line.text.strip() + " ")
        heading_open = bool(label and not label[3].strip())
        open_passage = line.segments[-1][1]
    texts = ["\n".join(base).strip()] + ["\n".join(parts).strip() for parts in later]
    return [text for text in texts if text]


POINTER_RE = re.compile(r"^\s*Earlier updates: see the Updates sheet\b")
EXPORT_LABEL_RE = re.compile(r"^(?:\d{2}/\d{2}/\d{4}|Undated): ")


def points_to_updates_sheet(segments: list[Segment]) -> bool:
    """The cell starts with the export's pointer to its Updates sheet, where the action's every update is."""
    return bool(POINTER_RE.match("".join(text for text, _ in segments)))


def updates_from(segments: list[Segment]) -> list[UpdateRead]:
    """The update history written in one cell: split on the date labels first, then on the formatting."""
    lines = [line for line in lines_of(segments) if not POINTER_RE.match(line.text)]
    first = next((line for line in lines if line.text.strip()), None)
    # Only a cell in the export's own form (its first line a label) is split on labels first.
    first_label = 0 if first is not None and EXPORT_LABEL_RE.match(first.text) else len(lines)
    updates: list[UpdateRead] = []
    for text in _passages(_as_read_again(lines[:first_label])):
        updates.extend(dated_updates(text))
    return updates + dated_updates("\n".join(_labelled_texts(lines[first_label:])))


def _as_read_again(lines: list[_Line]) -> list[_Line]:
    """The lines as lines_of(join_lines(lines)) gives them: the same lines, but that the first one never carries
    on a marked run (nothing is above it) and that no lines are one empty line."""
    if not lines:
        return [_Line()]
    if not lines[0].continues:  # only its truth is read
        return lines
    first = _Line()
    first.segments = lines[0].segments
    return [first, *lines[1:]]


def _labelled_texts(lines: list[_Line]) -> list[str]:
    """Lines from the first label on. A label starts an update; so does an unlabelled line that begins a marked
    run after an unmarked line (a formatting change is only ever lost on a re-save, never made up), which gets an
    `Undated:` label of its own."""
    texts = []
    previous_marked: object = True
    for line in lines:
        text = line.text
        starts_marked = bool(line.segments) and bool(line.segments[0][1]) and not line.continues
        if starts_marked and not previous_marked and not _labelled(text) and text.strip():
            text = f"Undated: {text}"
        texts.append(text)
        if line.segments:
            previous_marked = line.segments[-1][1]
    return texts


def _labelled(line: str) -> bool:
    return date_label(line) is not None


def dated_updates(text: str) -> list[UpdateRead]:
    """A passage split at the lines that start with a date label; a date inside a line is part of its text."""
    updates: list[UpdateRead] = []
    current: UpdateRead | None = None
    for line in text.split("\n"):
        label = date_label(line)
        if label is not None:
            as_at, _, author, rest = label
            current = UpdateRead(text=rest, as_at=as_at, author_name=author)
            updates.append(current)
        elif current is None:
            current = UpdateRead(text=line)
            updates.append(current)
        else:
            current.text += "\n" + line
    for update in updates:
        update.text = update.text.strip()
    return [update for update in updates if update.text]


def group_by_sub_refs(segments: list[Segment]) -> list[tuple[str | None, list[Segment]]]:
    """Split an evidence cell at the lines that start with a deliverable number ('1.2.3', '1.4.1 • text').

    The first group's ref is None when text comes before the first number.
    """
    groups: list[tuple[str | None, list[_Line]]] = [(None, [])]
    for line in lines_of(segments):
        match = SUB_REF_RE.match(line.text)
        if match:
            rest = _Line(continues=False)
            rest.segments = _drop_chars(line.segments, match.end())
            groups.append((match.group(1), [rest] if rest.segments else []))
        else:
            groups[-1][1].append(line)
    result = [(ref, join_lines(lines)) for ref, lines in groups]
    return [(ref, segments) for ref, segments in result if ref is not None or "".join(t for t, _ in segments).strip()]


def _drop_chars(segments: list[Segment], count: int) -> list[Segment]:
    result: list[Segment] = []
    for text, marked in segments:
        if count >= len(text):
            count -= len(text)
            continue
        result.append((text[count:], marked))
        count = 0
    return result


def plain(segments: list[Segment]) -> str:
    return "".join(text for text, _ in segments)
