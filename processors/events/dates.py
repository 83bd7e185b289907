"""When: a date phrase of a news sentence, resolved to a calendar date.

Absolute dates ("On 27 April 2020", "April 27, 2020", "29 Apr 2020", "2020-04-27") need nothing
else. Relative ones ("last Thursday", "on Monday", "yesterday", "two days ago", "27 April")
are resolved against the article's ``published_at``; without it they stay unresolved (``None``),
rather than being guessed from today's date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

__all__ = ["dated_days", "published_day", "resolve_date"]

_MONTHS = {
    name: n
    for n, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        1,
    )
    for name in names
}  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?(?:\s+(\d{{4}}))?\b", re.I)
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_AGO = re.compile(r"\b(\w+)\s+(day|week)s?\s+ago\b", re.I)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}


def published_day(published_at: str | None) -> date | None:
    """The day of an ISO 8601 ``published_at``, or ``None``."""
    if not published_at:
        return None
    try:
        return datetime.fromisoformat(published_at.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dated_days(text: str) -> list[date]:
    """The days ``text`` writes out with their year, month first ("Sept. 16, 2010"); not a
    dateline's date in brackets ("KABUL (March 8, 2011)")."""
    found = []
    for match in _MDY.finditer(text):
        if match[3] and text[match.start() - 1 : match.start()] != "(":
            day = _make(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
            if day is not None:
                found.append(day)
    return found


def resolve_date(text: str, published_at: str | None = None) -> str | None:
    """The first date ``text`` states or implies, as ``YYYY-MM-DD``; else ``None``."""
    base = published_day(published_at)
    match = _ISO.search(text)
    if match:
        found = _make(int(match[1]), int(match[2]), int(match[3]))
        return found.isoformat() if found else None
    for regex, day_group, month_group, year_group in ((_DMY, 1, 2, 3), (_MDY, 2, 1, 3)):
        match = regex.search(text)
        if not match:
            continue
        month = _MONTHS[match[month_group].lower()]
        day = int(match[day_group])
        if match[year_group]:
            found = _make(int(match[year_group]), month, day)
        elif base is not None:  # "27 April": the latest such date not after publication
            found = _make(base.year, month, day)
            if found and found > base:
                found = _make(base.year - 1, month, day)
        else:
            found = None
        if found:
            return found.isoformat()
    if base is None:
        return None
    lower = text.lower()
    if "yesterday" in lower or "last night" in lower:
        return (base - timedelta(days=1)).isoformat()
    if re.search(r"\b(today|this morning|this afternoon|tonight)\b", lower):
        return base.isoformat()
    match = _AGO.search(lower)
    if match and match[1] in _WORDS | {str(n): n for n in range(1, 32)}:
        n = _WORDS.get(match[1]) or int(match[1])
        return (base - timedelta(days=n * (7 if match[2] == "week" else 1))).isoformat()
    for i, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name}\b", lower):
            back = (base.weekday() - i) % 7
            if back == 0 and re.search(rf"\blast\s+{name}\b", lower):
                back = 7
            return (base - timedelta(days=back)).isoformat()
    return None
