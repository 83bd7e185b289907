"""Feed documents and article pages, parsed from the project's own sample feed (samples/feed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.articles.feeds import feed_article, feed_entries, main_text
from tests.conftest import REPO

FEED = REPO / "samples" / "feed"
BASE = "http://feeds.test"


def _read(name: str) -> bytes:
    return (FEED / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


@pytest.mark.parametrize(
    ("name", "content_type", "count"),
    [
        ("world.xml", "application/rss+xml", 3),
        ("africa.atom", "application/atom+xml", 1),
        ("regional.json", "application/feed+json", 2),
        ("regional.json", "text/plain", 2),  # a JSON Feed served with a vague type
    ],
)
def test_rss_atom_and_json_feed_items(name: str, content_type: str, count: int) -> None:
    entries = feed_entries(_read(name), content_type)
    assert len(entries) == count
    for entry in entries:
        assert entry["link"].startswith(BASE + "/pages/")
        assert entry["title"]
        assert entry["published"].endswith("Z")


def test_rss_dates_become_utc_iso() -> None:
    first = feed_entries(_read("world.xml"), "application/rss+xml")[0]
    assert first["published"] == "2026-11-24T06:10:00Z"


def test_not_a_feed_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a feed"):
        feed_entries(b"<html><body>hello</body></html>", "text/html")


def test_main_text_drops_navigation_footer_and_headline() -> None:
    html = (FEED / "pages" / "sindh-floods.html").read_text()
    title = "Flood waters rise along the Indus as villages are evacuated in Sindh"
    text = main_text(html, f"{BASE}/pages/sindh-floods.html", title=title)
    assert text is not None
    assert text.startswith("SUKKUR, Pakistan - Rescue teams")
    for chrome in ("Most read", "Subscribe", "Cookie settings", title):
        assert chrome not in text


def test_an_item_without_a_page_keeps_its_own_text() -> None:
    entry = {"title": "T", "summary": "<p>Dock workers <b>walked out</b>.</p>", "published": None}
    article = feed_article(entry, url="u", ident="i", source="S", feed="f")
    assert article["body"] == "Dock workers walked out."
    assert "published_at" not in article
    paged = feed_article(entry, url="u", ident="i", source="S", feed="f", page_text="Page text")
    assert paged["body"] == "Page text"


def test_sample_feed_pages_exist_for_every_item_but_the_deliberate_one() -> None:
    links = [
        e["link"]
        for name in ("world.xml", "africa.atom", "regional.json")
        for e in feed_entries(_read(name), "")
    ]
    missing = {Path(link.split("?")[0]).name for link in links} - {
        p.name for p in (FEED / "pages").iterdir()
    }
    assert missing == {"missing-page.html"}


def test_an_empty_feed_is_not_an_error() -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    assert feed_entries(empty, "application/rss+xml") == []
