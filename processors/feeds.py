"""Feeds, as plain data: the items of an RSS, Atom or JSON Feed document, the main text of an
article page, and the article a feed item becomes. No network and no Kafka here: the poller
(``streams/feeds.py``) fetches and produces; these functions decide what the bytes mean.
"""

from __future__ import annotations

import json
from calendar import timegm
from datetime import UTC, datetime
from typing import Any

from processors.clean import html_to_text, looks_like_html

__all__ = ["feed_article", "feed_entries", "main_text"]


def _time(struct: Any) -> str | None:
    if not struct:
        return None
    return datetime.fromtimestamp(timegm(struct), UTC).isoformat().replace("+00:00", "Z")


def feed_entries(content: bytes, content_type: str) -> list[dict[str, Any]]:
    """Items of an RSS/Atom (feedparser) or JSON Feed document, as plain dicts."""
    stripped = content.lstrip()
    if "json" in content_type or stripped.startswith(b"{"):
        data = json.loads(content)
        return [
            {
                "link": item.get("url") or item.get("external_url"),
                "title": item.get("title") or "",
                "summary": item.get("content_text")
                or item.get("content_html")
                or item.get("summary")
                or "",
                "published": item.get("date_published"),
            }
            for item in data.get("items", [])
        ]
    import feedparser

    parsed = feedparser.parse(content)
    if not parsed.entries and (parsed.bozo or not parsed.version):  # an empty feed is fine
        why = parsed.get("bozo_exception") or "no RSS, Atom or JSON Feed document found"
        raise ValueError(f"not a feed ({why})")
    return [
        {
            "link": entry.get("link"),
            "title": entry.get("title") or "",
            "summary": entry.get("summary") or "",
            "published": _time(entry.get("published_parsed") or entry.get("updated_parsed")),
        }
        for entry in parsed.entries
    ]


def main_text(html: str, url: str, *, title: str = "") -> str | None:
    """The main text of an article page (trafilatura): no navigation, footers or headline."""
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False)
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
