"""Feeds in, against a local HTTP server serving our own fixture feeds (RSS, Atom, JSON Feed)
and pages: conditional GETs, main-text extraction, canonical URLs, nothing produced twice, per
feed health in status.json and /healthz, and the articles enriched and searchable."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from deploy.feedserver import SAMPLE_FEED_DIR, FeedServer
from streams.feeds import FeedConfig, FeedPoller
from tests.integration.conftest import Desk, wait_for

pytestmark = pytest.mark.integration

FEEDS = ("/world.xml", "/regional.json", "/africa.atom")


def _read_articles(desk: Desk, server: FeedServer) -> list[dict]:
    """The articles on the desk's topic that came from ``server``'s feeds (other modules share
    the desk and may have polled feeds of their own)."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        desk.settings.articles_topic,
        bootstrap_servers=desk.settings.kafka_bootstrap.split(","),
        auto_offset_reset="earliest",
        consumer_timeout_ms=3000,
    )
    try:
        found = [json.loads(m.value) for m in consumer if m.value and b'"feed"' in m.value]
        return [a for a in found if a["feed"].startswith(server.url + "/")]
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def feed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("feed") / "site"
    shutil.copytree(SAMPLE_FEED_DIR, target)
    return target


def test_feeds_are_polled_conditionally_and_nothing_is_produced_twice(
    desk: Desk, feed_dir: Path
) -> None:
    with FeedServer(feed_dir) as server:
        feeds = [FeedConfig(server.url + path, f"fixture {path}", 60.0) for path in FEEDS]
        feeds.append(FeedConfig(server.url + "/gone.xml", "fixture gone", 60.0))
        poller = FeedPoller(desk.settings, feeds)
        asyncio.run(poller.run(once=True))

        articles = _read_articles(desk, server)
        by_title = {a["title"]: a for a in articles}
        # 6 items in 3 feeds; the Qamishli story is in two of them (once with tracking
        # parameters), so 5 articles, each once.
        assert len(articles) == 5 == len({a["id"] for a in articles})
        curfew = by_title["Curfew declared in Qamishli after overnight clashes near checkpoint"]
        assert curfew["url"] == server.url + "/pages/qamishli-curfew.html"  # utm_* dropped
        assert "24-hour curfew" in curfew["body"]  # the page's main text ...
        for boilerplate in ("Most read", "Cookie settings", "Subscribe", curfew["title"]):
            assert boilerplate not in curfew["body"]  # ... without the page around it
        strike = by_title["Dock workers walk out in Rotterdam over night-shift pay"]
        assert "FNV union" in strike["body"]  # page missing (404): the item's own text
        assert by_title["Gunmen attack market town in central Mali, killing 12"]["source"] == (
            "fixture /africa.atom"
        )

        # Second poll: every feed answers 304 and nothing new is produced.
        asyncio.run(poller.run(once=True))
        for path in FEEDS:
            assert server.count(path, 200) == 1 and server.count(path, 304) == 1, path
        assert len(_read_articles(desk, server)) == 5

        # A new item appears: a new poller (a restart) produces it and only it.
        rss = feed_dir / "world.xml"
        rss.write_text(
            rss.read_text().replace(
                "<item>",
                "<item><title>Bridge reopens in Mosul</title>"
                "<link>{{BASE}}/pages/bridge.html</link>"
                "<description>The old bridge in Mosul reopened to traffic on Tuesday.</description>"
                "</item><item>",
                1,
            )
        )
        restarted = FeedPoller(desk.settings, feeds)
        asyncio.run(restarted.run(once=True))
        articles = _read_articles(desk, server)
        assert len(articles) == 6
        assert [a["title"] for a in articles].count("Bridge reopens in Mosul") == 1

    status = json.loads((desk.settings.feeds_dir / "status.json").read_text())
    world = status[server.url + "/world.xml"]
    assert world["items"] == 4 and world["last_success"] and world["last_error"] is None
    gone = status[server.url + "/gone.xml"]
    assert "404" in gone["last_error"] and not gone.get("last_success")

    with desk.client(key=None) as client:  # the same health, in /healthz
        health = {f["url"]: f for f in client.get("/healthz").json()["feeds"]}
    assert health[server.url + "/world.xml"]["items"] == 4
    assert "404" in health[server.url + "/gone.xml"]["last_error"]

    # and the articles went through the pipeline like any other
    found = wait_for(
        lambda: desk.pipeline.get(curfew["id"]), timeout=60, what="the feed article indexed"
    )
    assert "SY" in found["countries"]


def test_a_feed_item_linking_inside_the_deployment_is_not_fetched(
    desk: Desk, tmp_path: Path
) -> None:
    # A hostile feed on 127.0.0.2 (the one range allowed here) links its item to the test
    # Elasticsearch: the page is never requested, the item's summary is its text, and the
    # feed's status says why.
    es = desk.settings.es_hosts[0].rstrip("/")
    site = tmp_path / "hostile"
    site.mkdir()
    (site / "feed.xml").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        f"<item><title>Index dump</title><link>{es}/_cat/indices?v</link>"
        "<description>Flooding closed the coastal road on Monday.</description></item>"
        "</channel></rss>"
    )
    settings = desk.settings.model_copy(
        update={"outbound_allow": "127.0.0.2/32", "cache_dir": tmp_path / "cache"}
    )
    with FeedServer(site, host="127.0.0.2") as server:
        poller = FeedPoller(settings, [FeedConfig(server.url + "/feed.xml", "hostile", 60.0)])
        asyncio.run(poller.run(once=True))
        [article] = [a for a in _read_articles(desk, server) if a["title"] == "Index dump"]
    assert article["body"] == "Flooding closed the coastal road on Monday."
    state = poller.status[server.url + "/feed.xml"]
    assert "loopback" in state["last_page_refused"] and state["last_error"] is None
