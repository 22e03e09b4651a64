"""Reading the words people type into plan cells: strands, refs, RAG, dates, periods and strategic links.

Pure functions of text, so every spelling found in real plans can be tested without building a workbook.
"""

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from app.models.enums import ActionStatus, Framework, Rag, Strand
from app.services.importing.findings import LinkRead

STRAND_RE = re.compile(
    r"^\s*(?:strand\s*\d*\s*[:.\-–)]?\s*|\d+\s*[.):\-–]?\s*)?"
    r"(prepare|prevent|protect|pursue|prep|prev|prot|purs)(?:\b\.?|(?<=\.))",
    re.IGNORECASE,
)
STRAND_ABBREVIATIONS = {"prep": "prepare", "prev": "prevent", "prot": "protect", "purs": "pursue"}
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

PCC_CODE = r"\d+(?:\.\d+[a-z]?)+|\d+[a-z]?\b(?!\s*%)"
MORE_CODES_RE = re.compile(rf"\s*(?:,|;|/|&|\band\b|\+)\s*({PCC_CODE})", re.IGNORECASE)
LINK_RE = re.compile(
    r"(?P<ns>National\s+(?:Modern\s+Slavery\s+)?Strategy(?:\s*\(\s*NS\s*\))?|\bNS\b)"
    r"|(?P<sentinel>(?:\bOp(?:eration)?\.?\s+)?\bSentinel\b(?:\s*\(\s*S\s*\))?)"
    r"|(?P<pcc>(?:\bPCC(?=\d|\b)|\bP\s*&\s*C\b|\bPolice\s+(?:and|&)\s+Crime\b|\bPCP(?=\d|\b))"
    r"(?:\s*(?:plan|ref(?:erence)?|objective|priority)\.?)?\s*(?P<code>\d+(?:\.[0-9A-Za-z]+)*)?)"
    r"|(?P<hmic>\bHMIC(?:FRS)?\b)",
    re.IGNORECASE,
)
LINK_SEPARATORS = " \t\n,;/&+|.-–"
FILLER_WORDS_RE = re.compile(r"\b(and|also|see)\b", re.IGNORECASE)
RAG_FIRST_WORD_RE = re.compile(r"[\s(\-–:/]+")
SLASH_NEXT_RE = re.compile(r"^/\s*\w")


@lru_cache(maxsize=1024)  # a strand column merged down gives every row the same few words
def strand_of(text: str | None) -> Strand | None:
    """'PREPARE', 'Prepare', 'Strand 2: Prevent', '3. Protect actions' -> the strand."""
    match = STRAND_RE.match(text or "")
    return _strand(match.group(1)) if match else None


def _strand(word: str) -> Strand:
    word = word.lower()
    return Strand(STRAND_ABBREVIATIONS.get(word, word).capitalize())


def strand_heading(text: str | None) -> Strand | None:
    """A strand written as a heading ('PREVENT', 'Strand 2: Prevent', 'Prepare – reducing the impact…'),
    not a sentence that starts with the word ('Prevent re-trafficking of victims')."""
    match = STRAND_RE.match(text or "")
    if not match or text is None:
        return None
    rest = text[match.end() :].strip()
    if rest and rest[0] not in ":–—-(|/" and rest.split()[0].lower() not in ("strand", "actions", "plan"):
        return None
    return _strand(match.group(1))


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


RAG_SYMBOLS = {
    "🔴": Rag.RED,
    "🟥": Rag.RED,
    "🟠": Rag.AMBER,
    "🟧": Rag.AMBER,
    "🟡": Rag.AMBER,
    "🟨": Rag.AMBER,
    "🟢": Rag.GREEN,
    "🟩": Rag.GREEN,
    "🔵": Rag.BLUE,
    "🟦": Rag.BLUE,
    "✅": Rag.BLUE,
    "✔": Rag.BLUE,
    "☑": Rag.BLUE,
}
COLOURED_SYMBOLS = set("●⬤•◉○◯■▲")  # their RAG is the colour they are written in


def rag_and_status(text: str) -> tuple[Rag | None, ActionStatus | None, bool]:
    """Read a RAG or Status cell; the flag says whether anything was recognised.

    'G', 'Green (on track)', 'RED - at risk', 'Complete' (blue), '🔴', '✅ Complete'; 'Amber/Red' and 'A/G' are
    two RAGs, so nothing is recognised and a person decides.
    """
    text = text.replace("\ufe0f", "")
    symbol = next((RAG_SYMBOLS[char] for char in text.strip()[:1] if char in RAG_SYMBOLS), None)
    if symbol is not None:
        rest = text.strip()[1:]
        _, status, _ = rag_and_status(rest) if rest.strip() else (None, None, False)
        return symbol, status, True
    words = " ".join(text.lower().replace("_", " ").split()).strip(" .")
    if words == "not set":  # the tracker's own export says so rather than leave the cell empty
        return None, None, True
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
            named = MONTHS.get(match.group(2).lower())
            return date(int(match.group(3)), named, int(match.group(1))) if named else None
        if match := ISO_DATE_RE.match(text):
            return date(*(int(part) for part in match.groups()))
    except ValueError:  # 31/02/2020
        return None
    return None


def period_of(text: str) -> tuple[str, date, date] | None:
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


NO_LINK_WORDS = {"n/a", "na", "none", "-", "–", "nil", "not applicable", "no link", "tbc"}
BARE_CODES_RE = re.compile(rf"^\s*(?:{PCC_CODE})(?:\s*(?:,|;|/|&|\band\b|\+)\s*(?:{PCC_CODE}))*\s*\.?$", re.I)


def parse_links(text: str, *, bare_numbers_are_pcc: bool = False) -> list[LinkRead]:
    """Strategic links written one a line or run together: 'National Strategy (NS) Sentinel (S) PCC 1.4.3'.

    'PCC1.2.1', 'P&C Plan 1.2.2', 'Police and Crime Plan 3.3a.1' and 'PCP 4.1.1' are PCC codes, and so is each
    code of 'PCC 2.1.1, 2.1.2'. In a column headed for the Police and Crime Plan, bare numbers ('2.1 / 2.4') are
    its codes. 'N/A' is no link.
    """
    if text.strip().lower() in NO_LINK_WORDS:
        return []
    if bare_numbers_are_pcc:
        links: list[LinkRead] = []
        for line in text.splitlines():
            if BARE_CODES_RE.match(line):
                for code in re.findall(PCC_CODE, line, re.IGNORECASE):
                    _add(links, LinkRead(Framework.PCC, code, f"PCC {code}"))
            else:
                for link in _parse_links(line):
                    _add(links, link)
        return links
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
                while code and (more := MORE_CODES_RE.match(line, position, end)):
                    _add(links, LinkRead(Framework.PCC, more.group(1), f"PCC {more.group(1)}"))
                    position = more.end()
                continue
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


# Dates as people type them ------------------------------------------------------------------------------------

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = (
    rf"(?P<d>\d{{1,2}})\s*[/.\-]\s*(?P<m>\d{{1,2}})\s*[/.\-]\s*(?P<y>\d{{4}}|\d{{2}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?[\s\-]+(?P<mn>{_MONTH_NAMES})\.?,?[\s\-]+(?P<y2>\d{{4}}|\d{{2}})"
    rf"|(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})"
)
_MONTH_YEAR = rf"(?P<mn3>{_MONTH_NAMES})\.?[\s\-/]*'?(?P<y3>\d{{4}}|\d{{2}})"
LABEL_RE = re.compile(
    r"^\s*(?:[•·▪\-*]\s*)?(?P<open>\[|\()?\s*"
    r"(?P<prefix>(?:update[sd]?|progress|as\s+at|w/c|wc|w\.c\.|week\s+commencing)\s*[:\-–]?\s*)?"
    rf"(?:(?P<full>{_DAY_MONTH_YEAR})|(?P<month>{_MONTH_YEAR}))(?![\d/])"
    r"\s*(?P<close>[\])])?"
    r"\s*(?:\((?P<author>[^()\n]{1,100})\))?"
    r"(?P<sep>\s*[:\-–—]\s*|\s+|$)",
    re.IGNORECASE,
)
UNDATED_LABEL_RE = re.compile(r"^\s*(?:[•·▪\-*]\s*)?undated\s*(?:\((?P<author>[^()\n]{1,100})\))?\s*:\s+", re.I)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def _full_date(match: re.Match) -> date | None:
    try:
        if match.group("d"):
            return date(_year(match.group("y")), int(match.group("m")), int(match.group("d")))
        if match.group("d2"):
            return date(_year(match.group("y2")), MONTHS[match.group("mn").lower()], int(match.group("d2")))
        return date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
    except ValueError:  # 31/02/2016
        return None


def date_label(line: str) -> tuple[date | None, bool, str, str] | None:
    """The date a commentary line starts with, as people write it, and the rest of the line.

    '12/10/2015 - Team…', 'Update 04/01/16: …', '[23/11/2015] …', 'w/c 02/11/2015 …', '12th October 2015 – …'
    give the day; 'Oct 15: …', 'Sept 15 – …', 'Nov 2015: …' only the month (the flag says so, and the date is
    the month's last day). Returns (date, month_only, author, rest), or None when the line starts with no date.
    A month and year need a ':' or dash after them, so that 'March 2016 was…' stays a sentence.
    """
    if match := UNDATED_LABEL_RE.match(line):
        return None, False, (match.group("author") or "").strip(), line[match.end() :]
    match = LABEL_RE.match(line)
    if not match or bool(match.group("open")) != bool(match.group("close")):
        return None
    author = (match.group("author") or "").strip()
    rest = line[match.end() :]
    if match.group("full"):
        found = _full_date(match)
        if found is None or not (match.group("sep").strip() or match.group("open") or match.group("prefix") or rest):
            return None
        return found, False, author, rest
    if not (match.group("sep").strip() or match.group("open") or match.group("prefix")):
        return None
    month = MONTHS[match.group("mn3").lower()]
    return _month_end(_year(match.group("y3")), month), True, author, rest


QUARTER_RE = re.compile(
    r"^(?:q(?:uarter)?\s*(?P<q>[1-4]))\s*(?:of\s+)?(?:(?P<fy1>(?:19|20)?\d\d)\s*[/\-–]\s*(?P<fy2>\d{2,4}))?$", re.I
)
MONTH_ONLY_RE = re.compile(rf"^(?:end\s+(?:of\s+)?)?(?P<mn>{_MONTH_NAMES})\.?$", re.IGNORECASE)
MONTH_YEAR_RE = re.compile(rf"^(?:end\s+(?:of\s+)?)?{_MONTH_YEAR}$", re.IGNORECASE)
TARGET_PREFIX_RE = re.compile(r"^(?:by|due|before|no\s+later\s+than|deadline|target)\s*[:\-–]?\s+", re.IGNORECASE)
REVISED_RE = re.compile(r"\b(?:revised|extended|moved|changed|now|new\s+date|re-?profiled)\b", re.IGNORECASE)
ANY_DATE_RE = re.compile(rf"(?<![\d/])(?:{_DAY_MONTH_YEAR})(?![\d/])", re.IGNORECASE)


def quarter_end(quarter: int, first_year: int) -> date:
    """The last day of a quarter of the financial year that starts in April of `first_year` (Q1 = April-June)."""
    return [date(first_year, 6, 30), date(first_year, 9, 30), date(first_year, 12, 31), date(first_year + 1, 3, 31)][
        quarter - 1
    ]


def target_date_of(text: str, first_year: int | None = None) -> date | None:
    """A target date typed as people type them; None when the text gives no date ('Ongoing', 'TBC').

    A month means its last day ('March 2016', 'Mar-16'); a quarter of a financial year its last day
    ('Q4 2015/16'); a month with no year ('end of March') the one inside the plan's year, which starts in
    April of `first_year`; a revised date wins ('31/03/2016 (revised 30/06/2016)'); 'By 31/03/2016' is the date.
    """
    text = " ".join(text.split()).strip(" .")
    text = TARGET_PREFIX_RE.sub("", text)
    dates = [found for match in ANY_DATE_RE.finditer(text) if (found := _full_date(match))]
    if len(dates) > 1 and REVISED_RE.search(text):
        return dates[-1]
    if parsed := parse_date_text(text):
        return parsed
    if match := re.fullmatch(_DAY_MONTH_YEAR, text, re.IGNORECASE):
        return _full_date(match)
    if match := MONTH_YEAR_RE.match(text):
        return _month_end(_year(match.group("y3")), MONTHS[match.group("mn3").lower()])
    if match := QUARTER_RE.match(text):
        if match.group("fy1"):
            return quarter_end(int(match.group("q")), _year(match.group("fy1")))
        return quarter_end(int(match.group("q")), first_year) if first_year else None
    if (match := MONTH_ONLY_RE.match(text)) and first_year:
        month = MONTHS[match.group("mn").lower()]
        return _month_end(first_year + (month < 4), month)
    if len(dates) == 1 and len(text) <= 40:
        return dates[0]
    return None
