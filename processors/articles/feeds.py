"""Feeds, as plain data: the items of an RSS, Atom or JSON Feed document, the main text of an
article page, and the article a feed item becomes. No network and no Kafka here: the poller
(``streams/feeds.py``) fetches and produces; these functions decide what the bytes mean.
"""

from __future__ import annotations

import json
from calendar import timegm
from datetime import UTC, datetime
from typing import Any

from processors.errors import InvalidFeed
from processors.text.clean import html_to_text, looks_like_html

__all__ = ["InvalidFeed", "feed_article", "feed_entries", "main_text"]


def _time(struct: Any) -> str | None:
    if not struct:
        return None
    return datetime.fromtimestamp(timegm(struct), UTC).isoformat().replace("+00:00", "Z")


def feed_entries(content: bytes, content_type: str) -> list[dict[str, Any]]:
    """Items of an RSS/Atom (feedparser) or JSON Feed document, as plain dicts; raises
    ``InvalidFeed`` for anything else. feedparser reads no external entity, and expat (2.4 and
    later) refuses entity expansion that amplifies the input (the "billion laughs")."""
    stripped = content.lstrip()
    if "json" in content_type or stripped.startswith(b"{"):
        return _json_feed_entries(content)
    import feedparser

    try:
        parsed = feedparser.parse(content)
    except Exception as exc:  # noqa: BLE001 - whatever the parser trips on, it is no feed
        raise InvalidFeed(f"not a feed ({type(exc).__name__}: {exc})"[:300]) from None
    if not parsed.get("entries") and (parsed.get("bozo") or not parsed.get("version")):
        why = parsed.get("bozo_exception") or "no RSS, Atom or JSON Feed document found"
        raise InvalidFeed(f"not a feed ({why})"[:300])
    return [
        {
            "link": _text(entry.get("link")) or None,
            "title": _text(entry.get("title")),
            "summary": _text(entry.get("summary")),
            "published": _time(entry.get("published_parsed") or entry.get("updated_parsed")),
        }
        for entry in parsed.entries
    ]


def _json_feed_entries(content: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, absurd nesting
        raise InvalidFeed(f"not a JSON Feed ({type(exc).__name__}: {exc})"[:300]) from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InvalidFeed("not a JSON Feed (no list of `items`)")
    return [
        {
            "link": _text(item.get("url") or item.get("external_url")) or None,
            "title": _text(item.get("title")),
            "summary": _text(
                item.get("content_text") or item.get("content_html") or item.get("summary")
            ),
            "published": _text(item.get("date_published")) or None,
        }
        for item in items
        if isinstance(item, dict)
    ]


def _text(value: Any) -> str:
    """A feed field as text: feeds put numbers, lists or objects where strings belong."""
    return value if isinstance(value, str) else ""


def main_text(html: str, url: str, *, title: str = "") -> str | None:
    """The main text of an article page (trafilatura): no navigation, footers or headline."""
    import trafilatura

    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False)
    except Exception:  # noqa: BLE001 - a page it cannot read has no main text: use the summary
        return None
    return _without_title(text, title) if text else None


def _without_title(body: str, title: str) -> str:
    """The page's text without its headline, which extraction keeps as the first line: the
    article carries the title in its own field, and a second copy would skew search scores."""
    first, _, rest = body.partition("\n")
    if title and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip()
    return body


def feed_article(
    entry: dict[str, Any],
    *,
    url: str,
    ident: str,
    source: str,
    feed: str,
    page_text: str | None = None,
) -> dict[str, Any]:
    """The article an item becomes: the page's main text, else the item's own summary."""
    body = page_text
    if not body:
        summary = entry["summary"]
        body = html_to_text(summary) if looks_like_html(summary) else summary
    article = {
        "id": ident,
        "url": url,
        "title": entry["title"],
        "body": body or "",
        "source": source,
        "feed": feed,
    }
    if entry.get("published"):
        article["published_at"] = entry["published"]
    return article
