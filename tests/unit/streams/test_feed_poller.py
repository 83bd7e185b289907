"""The poller's bookkeeping, with an in-memory site serving the sample feed (the client's
interface: ``get`` returning a ``Fetched``) and a producer that can be told to fail:
conditional GETs, and no item lost when Kafka fails halfway."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from multidict import CIMultiDict, CIMultiDictProxy

from config import Settings
from streams.feeds import FeedConfig, FeedPoller
from streams.outbound import Fetched
from tests.conftest import REPO

FEED = REPO / "samples" / "feed"
BASE = "http://feeds.test"


class _Site:
    """Serves the sample feed's files as the guarded client would return them."""

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> Fetched:
        path = FEED / urlsplit(url).path.lstrip("/")
        if not path.is_file():
            return _fetched(404, b"", {}, url)
        body = path.read_bytes().replace(b"{{BASE}}", BASE.encode())
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if (headers or {}).get("If-None-Match") == etag:
            return _fetched(304, b"", {"etag": etag}, url)
        return _fetched(200, body, {"etag": etag}, url)


def _fetched(status: int, body: bytes, headers: dict[str, str], url: str) -> Fetched:
    return Fetched(status, CIMultiDictProxy(CIMultiDict(headers)), body, url)


class _Producer:
    def __init__(self, fail_after: int | None = None) -> None:
        self.sent: list[dict] = []
        self.fail_after = fail_after

    async def send_and_wait(self, topic: str, key: bytes, value: bytes) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionError("Kafka is down")
        self.sent.append(json.loads(value))


def _poll(poller: FeedPoller, producer: _Producer) -> int:
    async def go() -> int:
        return await poller.poll(poller.feeds[0], _Site(), producer)  # type: ignore[arg-type]

    return asyncio.run(go())


def _poller(tmp_path: Path) -> FeedPoller:
    settings = Settings(cache_dir=tmp_path)
    return FeedPoller(settings, [FeedConfig(f"{BASE}/world.xml", "World", 60.0)])


def test_a_kafka_failure_halfway_loses_nothing(tmp_path: Path) -> None:
    poller = _poller(tmp_path)
    failing = _Producer(fail_after=1)
    assert _poll(poller, failing) == 0
    state = poller.status[f"{BASE}/world.xml"]
    assert "Kafka is down" in state["last_error"] and state["items"] == 1
    assert state.get("etag") is None  # not saved: the next poll must not be a 304

    working = _Producer()
    restarted = FeedPoller(poller.settings, poller.feeds)  # and the seen-set survives a restart
    assert _poll(restarted, working) == 2
    titles = {a["title"] for a in failing.sent + working.sent}
    assert len(titles) == 3 == len(failing.sent + working.sent)
    assert restarted.status[f"{BASE}/world.xml"]["last_error"] is None


def test_an_unchanged_feed_is_a_304_and_produces_nothing(tmp_path: Path) -> None:
    poller = _poller(tmp_path)
    producer = _Producer()
    assert _poll(poller, producer) == 3
    assert _poll(poller, producer) == 0
    assert poller.status[f"{BASE}/world.xml"]["last_status"] == 304
    assert len(producer.sent) == 3
