"""Reading the words people type into plan cells: strands, refs, RAG, dates, periods and strategic links.

Pure functions of text, so every spelling found in real plans can be tested without building a workbook.
"""

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from app.models.enums import ActionStatus, Framework, Rag, Strand
from app.services.importing.findings import LinkRead

STRAND_RE = re.compile(
    r"^\s*(?:strand\s*\d*\s*[:.\-–)]?\s*|\d+\s*[.):\-–]?\s*)?(prepare|prevent|protect|pursue)\b", re.IGNORECASE
)
SUB_REF_RE = re.compile(r"^\s*(\d+\.\d+[a-z]?\.\d+[a-z]?)\s*\.?(?=\s|$)\s*", re.IGNORECASE)  # 1.2.1, 3.3c.1, 3.7a.2
# "1. Engage…", "2) Train…", "1.2 Survey…"; not "2020 was…" or "3 officers…"
LEADING_NUMBER_RE = re.compile(r"^\s*(\d+(?:\.\d+)+[a-z]?|\d+[a-z]?(?=\s*[.):]))\s*[.):]?\s+(?=\S)", re.IGNORECASE)
AIM_NUMBER_RE = re.compile(r"^\s*(\d+(?:\.\d+)*[a-z]?)\s*[.):]", re.IGNORECASE)  # "1.2) We will…"
PERIOD_RE = re.compile(r"\b((?:19|20)\d\d)\s*([-/–—])\s*((?:19|20)?\d\d)\b")
KEY_VALUE_RE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{1,30}?)\s*[:–-]\s+(.+)$", re.DOTALL)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
NUMERIC_DATE_RE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})$")
LONG_DATE_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

RAG_WORDS = {
    "r": Rag.RED,
    "red": Rag.RED,
    "a": Rag.AMBER,
    "amber": Rag.AMBER,
    "orange": Rag.AMBER,
    "g": Rag.GREEN,
    "green": Rag.GREEN,
    "b": Rag.BLUE,
    "blue": Rag.BLUE,
    "complete": Rag.BLUE,
    "completed": Rag.BLUE,
    "done": Rag.BLUE,
    "closed": Rag.BLUE,
}
STATUS_WORDS = {
    "not started": ActionStatus.NOT_STARTED,
    "in progress": ActionStatus.IN_PROGRESS,
    "on track": ActionStatus.IN_PROGRESS,
    "ongoing": ActionStatus.ONGOING,
    "on-going": ActionStatus.ONGOING,
    "complete": ActionStatus.COMPLETE,
    "withdrawn": ActionStatus.WITHDRAWN,
    "completed": ActionStatus.COMPLETE,
    "done": ActionStatus.COMPLETE,
    "closed": ActionStatus.COMPLETE,
    "superseded": ActionStatus.SUPERSEDED,
    "carried forward": ActionStatus.CARRIED_FORWARD,
}

LINK_RE = re.compile(
    r"(?P<ns>National\s+(?:Modern\s+Slavery\s+)?Strategy(?:\s*\(\s*NS\s*\))?|\bNS\b)"
    r"|(?P<sentinel>(?:\bOp(?:eration)?\.?\s+)?\bSentinel\b(?:\s*\(\s*S\s*\))?)"
    r"|(?P<pcc>\bPCC\b(?:\s*(?:plan|ref(?:erence)?)\.?)?\s*(?P<code>\d+(?:\.[0-9A-Za-z]+)*)?)"
    r"|(?P<hmic>\bHMIC(?:FRS)?\b)",
    re.IGNORECASE,
)
LINK_SEPARATORS = " \t\n,;/&+|.-–"
FILLER_WORDS_RE = re.compile(r"\b(and|also|see)\b", re.IGNORECASE)
RAG_FIRST_WORD_RE = re.compile(r"[\s(\-–:/]+")
SLASH_NEXT_RE = re.compile(r"^/\s*\w")


def strand_of(text: str | None) -> Strand | None:
    """'PREPARE', 'Prepare', 'Strand 2: Prevent', '3. Protect actions' -> the strand."""
    match = STRAND_RE.match(text or "")
    return Strand(match.group(1).capitalize()) if match else None


def strand_heading(text: str | None) -> Strand | None:
    """A strand written as a heading ('PREVENT', 'Strand 2: Prevent', 'Prepare – reducing the impact…'),
    not a sentence that starts with the word ('Prevent re-trafficking of victims')."""
    match = STRAND_RE.match(text or "")
    if not match:
        return None
    rest = text[match.end() :].strip()
    if rest and rest[0] not in ":–—-(|/" and rest.split()[0].lower() not in ("strand", "actions", "plan"):
        return None
    return Strand(match.group(1).capitalize())


def clean_ref(value) -> str:
    """A ref as written, without the stray dots and spaces people leave after it: '3.3c.1.' -> '3.3c.1'."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, "g")
    return " ".join(str(value).split()).rstrip(". ").strip()


def leading_number(text: str) -> tuple[str | None, str]:
    """'1. Engage with…' -> ('1', 'Engage with…'); text without a number comes back unchanged."""
    match = LEADING_NUMBER_RE.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end() :]


def rag_and_status(text: str) -> tuple[Rag | None, ActionStatus | None, bool]:
    """Read a RAG or Status cell; the flag says whether anything was recognised."""
    words = " ".join(text.lower().replace("_", " ").split()).strip(" .")
    status = STATUS_WORDS.get(words)
    rag = RAG_WORDS.get(words)
    if rag is None and status is None and words:
        first = RAG_FIRST_WORD_RE.split(words, maxsplit=1)[0]
        rest = words[len(first) :].strip()
        # "Green (on track)" and "RED - at risk" carry the RAG first; "A/G" and "Amber/Green" are left for a person
        if first in RAG_WORDS and not SLASH_NEXT_RE.match(rest):
            rag = RAG_WORDS[first]
    if status is ActionStatus.COMPLETE:
        rag = Rag.BLUE
    return rag, status, rag is not None or status is not None


def date_of(value, epoch: datetime | None = None) -> tuple[date | None, str | None]:
    """A cell's value as a date, UK order for typed text. Returns (date, None) or (None, the text as written)."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date typed into a General cell is an Excel serial number; only 1990-2100 is a plausible plan date.
        if 32874 <= value <= 73050:
            base = epoch or datetime(1899, 12, 30)
            return (base + timedelta(days=float(value))).date(), None
        return None, clean_ref(value)
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        return None, None
    parsed = parse_date_text(text)
    return parsed, (None if parsed else text)


def parse_date_text(text: str) -> date | None:
    """'31/03/2020', '31.3.20', '1 June 2020', '1st Jun 2020', '2020-03-31'; anything else is None."""
    text = text.strip().rstrip(".")
    try:
        if match := NUMERIC_DATE_RE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if match := LONG_DATE_RE.match(text):
            month = MONTHS.get(match.group(2).lower())
            return date(int(match.group(3)), month, int(match.group(1))) if month else None
        if match := ISO_DATE_RE.match(text):
            return date(*(int(part) for part in match.groups()))
    except ValueError:  # 31/02/2020
        return None
    return None


def period_of(text: str) -> tuple[str, date | None, date | None] | None:
    """A financial year written as '2015-16', '2015/16' or '2015-2016': (as written, 1 April, 31 March)."""
    for match in PERIOD_RE.finditer(text):
        first, second = int(match.group(1)), int(match.group(3))
        if second % 100 == (first + 1) % 100:
            return match.group(0), date(first, 4, 1), date(first + 1, 3, 31)
    return None


def key_value(text: str) -> tuple[str, str] | None:
    """'Priority: Modern Day Slavery' -> ('priority', 'Modern Day Slavery')."""
    match = KEY_VALUE_RE.match(text)
    return (match.group(1).strip().lower(), match.group(2).strip()) if match else None


def parse_links(text: str) -> list[LinkRead]:
    """Strategic links written one a line or run together: 'National Strategy (NS) Sentinel (S) PCC 1.4.3'."""
    return list(_parse_links(text))


@lru_cache(maxsize=4096)  # a plan writes the same few link cells again and again
def _parse_links(text: str) -> tuple[LinkRead, ...]:
    links: list[LinkRead] = []
    for line in text.splitlines():
        position = 0
        matches = list(LINK_RE.finditer(line))
        for index, match in enumerate(matches):
            _add_other(links, line[position : match.start()])
            end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
            if match.group("hmic"):
                code = line[match.end() : end].strip(LINK_SEPARATORS) or None
                written = line[match.start() : end].strip(LINK_SEPARATORS)
                _add(links, LinkRead(Framework.HMIC, code[:60] if code else None, written))
                position = end
                continue
            written = match.group(0).strip()
            if match.group("ns"):
                _add(links, LinkRead(Framework.NS, None, written))
            elif match.group("sentinel"):
                _add(links, LinkRead(Framework.SENTINEL, None, written))
            else:
                code = (match.group("code") or "").rstrip(".") or None
                _add(links, LinkRead(Framework.PCC, code, written.rstrip(".")))
            position = match.end()
        _add_other(links, line[position:])
    return tuple(links)


def _add_other(links: list[LinkRead], text: str) -> None:
    text = text.strip(LINK_SEPARATORS + "()")
    if FILLER_WORDS_RE.sub("", text).strip(LINK_SEPARATORS):
        _add(links, LinkRead(Framework.OTHER, None, text[:500]))


def _add(links: list[LinkRead], link: LinkRead) -> None:
    if not any(known.framework is link.framework and known.code == link.code for known in links):
        links.append(link)
