"""The bundled samples dated relative to now, so that every default view of the desk has them.

The sample articles and feed items carry fixed dates; a week after they were written they had
aged out of the desk's default seven-day window, and a new user saw one article of fourteen.
``make run`` shifts every date of a sample set by one amount, so that its newest is ``ago``
before now and the set keeps its own spacing (the articles span some days: hours to a few
days back). Dates are found as the samples write them: ISO-8601 in UTC (``...Z``, articles,
Atom, JSON Feed) and RFC 822 (RSS ``pubDate``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

__all__ = ["newest", "redate_articles", "redate_text", "shift_to_now"]

_ISO_RE = re.compile(r"\b(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?)Z\b")
_RFC822_RE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
    r"Nov|Dec) \d{4} \d\d:\d\d(?::\d\d)? (?:GMT|UT|UTC|[+-]\d{4})"
)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dates(text: str) -> list[datetime]:
    found = [datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC) for m in _ISO_RE.finditer(text)]
    found += [parsedate_to_datetime(m.group(0)) for m in _RFC822_RE.finditer(text)]
    return found


def newest(texts: Iterable[str]) -> datetime | None:
    """The latest date written in any of ``texts``."""
    found = [d for text in texts for d in _dates(text)]
    return max(found) if found else None


def shift_to_now(latest: datetime | None, *, now: datetime, ago: timedelta) -> timedelta:
    """What to add to every date so that ``latest`` becomes ``now - ago``."""
    return timedelta(0) if latest is None else (now - ago) - latest


def redate_text(text: str, shift: timedelta) -> str:
    """``text`` with every date in it moved by ``shift``, each in the form it was written."""
    if not shift:
        return text
    text = _ISO_RE.sub(
        lambda m: _iso(datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC) + shift), text
    )
    return _RFC822_RE.sub(
        lambda m: format_datetime(
            (parsedate_to_datetime(m.group(0)) + shift).astimezone(UTC), usegmt=True
        ),
        text,
    )


def redate_articles(
    values: list[bytes | None], *, now: datetime, ago: timedelta = timedelta(hours=1)
) -> list[bytes | None]:
    """Sample article messages with their ``published_at`` moved so that the newest is ``ago``
    before ``now``; a message that is no JSON object, or has no date, is left as it is."""
    articles: list[dict | None] = []
    for value in values:
        try:
            obj = json.loads(value) if value is not None else None
        except ValueError:
            obj = None
        articles.append(obj if isinstance(obj, dict) else None)
    stamps = [str(a["published_at"]) for a in articles if a and a.get("published_at")]
    shift = shift_to_now(newest(stamps), now=now, ago=ago)
    out: list[bytes | None] = []
    for value, article in zip(values, articles, strict=True):
        if article is None or not article.get("published_at") or not shift:
            out.append(value)
            continue
        moved = redate_text(str(article["published_at"]), shift)
        out.append(json.dumps({**article, "published_at": moved}, ensure_ascii=False).encode())
    return out
