"""The bundled samples dated relative to now (deploy/sample_dates.py), on plain data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from deploy.feedserver import SAMPLE_FEED_DIR, FeedServer
from deploy.sample_dates import newest, redate_articles, redate_text

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def _article(published: str | None) -> bytes:
    return json.dumps({"id": "x", "title": "t", "published_at": published}).encode()


def test_the_newest_article_is_an_hour_old_and_the_others_keep_their_spacing():
    values = [_article("2026-11-24T09:45:00Z"), _article("2026-11-19T13:00:00Z")]
    moved = [json.loads(v)["published_at"] for v in redate_articles(values, now=NOW)]
    assert moved == ["2027-03-10T11:00:00Z", "2027-03-05T14:15:00Z"]


def test_messages_without_a_date_or_that_are_no_object_are_left_alone():
    values = [_article(None), b"not json", None, _article("2026-11-24T09:45:00Z")]
    moved = redate_articles(values, now=NOW)
    assert moved[:3] == values[:3]
    assert json.loads(moved[3])["published_at"] == "2027-03-10T11:00:00Z"


def test_dates_in_a_feed_move_in_the_form_they_were_written():
    text = (
        "<pubDate>Tue, 24 Nov 2026 06:10:00 GMT</pubDate>"
        "<updated>2026-11-24T08:00:00Z</updated>"
        '"date_published": "2026-11-24T07:05:00Z"'
    )
    moved = redate_text(text, timedelta(days=1, hours=2))
    assert "<pubDate>Wed, 25 Nov 2026 08:10:00 GMT</pubDate>" in moved
    assert "<updated>2026-11-25T10:00:00Z</updated>" in moved
    assert '"date_published": "2026-11-25T09:05:00Z"' in moved
    assert newest([text]) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_the_sample_feed_server_dates_its_newest_item_half_an_hour_ago_and_keeps_its_etag():
    import urllib.request

    with FeedServer(SAMPLE_FEED_DIR, ago=timedelta(minutes=30)) as server:
        answers = [urllib.request.urlopen(f"{server.url}/world.xml") for _ in range(2)]
        bodies = [a.read().decode() for a in answers]
        assert answers[0].headers["ETag"] == answers[1].headers["ETag"]
    latest = newest(bodies[:1])
    assert latest is not None
    age = datetime.now(UTC) - latest
    assert timedelta(minutes=25) < age < timedelta(hours=3)
