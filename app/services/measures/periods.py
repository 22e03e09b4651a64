"""The periods a measure's values are recorded for: months, quarters and years of the financial year.

A period is held as its first day. Years and quarters follow the financial year plans are written for
(1 April to 31 March): the year 2025-26 starts on 1 April 2025 and its first quarter is April to June.
"""

import re
from datetime import date, datetime

from app.models import Frequency

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
YEAR_START_MONTH = 4


def year_of(day: date) -> int:
    """The financial year a day falls in, by its first calendar year: 10 January 2026 is in 2025 (2025-26)."""
    return day.year if day.month >= YEAR_START_MONTH else day.year - 1


def year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def period_start(frequency: Frequency, day: date) -> date:
    """The first day of the period of this frequency that holds the day."""
    if frequency is Frequency.MONTHLY:
        return day.replace(day=1)
    if frequency is Frequency.YEARLY:
        return date(year_of(day), YEAR_START_MONTH, 1)
    offset = (day.month - YEAR_START_MONTH) % 12 // 3 * 3  # months into the year of the quarter's first month
    month = (YEAR_START_MONTH - 1 + offset) % 12 + 1
    return date(day.year if month <= day.month else day.year - 1, month, 1)


def label(frequency: Frequency, start: date) -> str:
    """How the period is written: "April 2025", "Q1 2025-26", "2025-26"."""
    if frequency is Frequency.MONTHLY:
        return f"{MONTHS[start.month - 1]} {start.year}"
    year = year_of(start)
    if frequency is Frequency.YEARLY:
        return year_label(year)
    quarter = (start.month - YEAR_START_MONTH) % 12 // 3 + 1
    return f"Q{quarter} {year_label(year)}"


def short_label(frequency: Frequency, start: date) -> str:
    """A label short enough for a chart's axis: "Apr 25", "Q1 25-26", "2025-26"."""
    if frequency is Frequency.MONTHLY:
        return f"{MONTHS[start.month - 1][:3]} {start.year % 100:02d}"
    if frequency is Frequency.QUARTERLY:
        year = year_of(start)
        return f"Q{(start.month - YEAR_START_MONTH) % 12 // 3 + 1} {year % 100:02d}-{(year + 1) % 100:02d}"
    return label(frequency, start)


def step(frequency: Frequency, start: date, count: int = 1) -> date:
    """The period `count` periods after (or before, when negative) the one starting on `start`."""
    months = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}[frequency] * count
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def periods_of_year(frequency: Frequency, year: int) -> list[date]:
    """Every period of the financial year, in order."""
    first = date(year, YEAR_START_MONTH, 1)
    count = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.YEARLY: 1}[frequency]
    return [step(frequency, first, i) for i in range(count)]


def periods_between(frequency: Frequency, first: date, last: date) -> list[date]:
    """The periods from the one holding `first` to the one holding `last`."""
    start, end = period_start(frequency, first), period_start(frequency, last)
    found: list[date] = []
    while start <= end and len(found) < 1200:
        found.append(start)
        start = step(frequency, start)
    return found


_YEAR = re.compile(r"^(?:fy\s*)?((?:19|20)\d\d)\s*[-/–]\s*(\d\d|(?:19|20)\d\d)$")
_QUARTER = re.compile(r"^q([1-4])\s*((?:19|20)\d\d)\s*[-/–]\s*(\d\d|(?:19|20)\d\d)$")
_MONTH_NAME = re.compile(r"^([a-z]{3,9})\.?\s*[-/ ]?\s*((?:19|20)\d\d|\d\d)$")
_MONTH_NUMBER = re.compile(r"^((?:19|20)\d\d)-(\d\d?)$|^(\d\d?)/((?:19|20)\d\d)$")


def _financial_year(first: str, second: str) -> int | None:
    start = int(first)
    end = int(second) % 100
    return start if (start + 1) % 100 == end else None


def parse(frequency: Frequency, text: str | date) -> date | None:
    """The period a person or a sheet wrote, or None when it cannot be read as a period of this frequency.

    Monthly: "April 2025", "Apr 2025", "Apr-25", "2025-04", "04/2025", or a date (its month). Quarterly:
    "Q1 2025-26", or a date (its quarter). Yearly: "2025-26", "2025/26", "FY 2025-26", or a date (its year).
    """
    if isinstance(text, datetime):  # a date typed into a sheet cell comes back as a datetime
        text = text.date()
    if isinstance(text, date):
        return period_start(frequency, text)
    value = " ".join(str(text).split()).casefold()
    if frequency is Frequency.YEARLY:
        match = _YEAR.match(value)
        year = _financial_year(match[1], match[2]) if match else None
        return date(year, YEAR_START_MONTH, 1) if year is not None else None
    if frequency is Frequency.QUARTERLY:
        match = _QUARTER.match(value)
        year = _financial_year(match[2], match[3]) if match else None
        if year is None or match is None:
            return None
        return step(frequency, date(year, YEAR_START_MONTH, 1), int(match[1]) - 1)
    match = _MONTH_NAME.match(value)
    if match:
        month = next((i for i, name in enumerate(MONTHS, 1) if name.casefold().startswith(match[1])), None)
        if month is None or len(match[1]) < 3:
            return None
        year = int(match[2]) if len(match[2]) == 4 else 2000 + int(match[2])
        return date(year, month, 1)
    match = _MONTH_NUMBER.match(value)
    if match:
        year, month = (int(match[1]), int(match[2])) if match[1] else (int(match[4]), int(match[3]))
        return date(year, month, 1) if 1 <= month <= 12 else None
    return None


def example(frequency: Frequency) -> str:
    return {Frequency.MONTHLY: "April 2025", Frequency.QUARTERLY: "Q1 2025-26", Frequency.YEARLY: "2025-26"}[frequency]
