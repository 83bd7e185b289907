"""Feeds in: poll RSS, Atom and JSON Feed URLs and produce their new articles to Kafka.

``newsmon feeds run --config feeds.yaml``:

```yaml
feeds:
  - url: https://example.org/world/rss.xml
    source: Example World          # the articles' `source`
    interval: 5m                   # how often to poll (default 5m)
    fetch_pages: true              # fetch each item's page and extract its main text
```

Each poll is a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the last answer),
so an unchanged feed costs a 304. For each new item the page is fetched and its main text
extracted (trafilatura), falling back to the item's own summary; the URL is canonicalised and the
article id derived from it, and ids already produced are skipped (the seen-set survives restarts
in ``<cache>/feeds/<app id>/seen.json``). Per-feed health - last success, last error, items
produced - goes to ``<cache>/feeds/<app id>/status.json``, which ``/healthz`` and the desk show.

Feeds and pages are fetched through ``streams.outbound.GuardedClient``: a feed, an item's link
or a redirect that reaches an internal address (loopback, private, link-local...) is refused,
unless ``NEWSMON_OUTBOUND_ALLOW`` allows its range, and so is a body over
``NEWSMON_OUTBOUND_MAX_BYTES``; a refused page leaves the item's summary as its text, and the
reason in the feed's status (``last_page_refused``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config import Settings
from processors.alerting.rules import parse_duration
from processors.articles.feeds import feed_article, feed_entries, main_text
from processors.articles.identity import article_id, canonical_url
from processors.errors import ConfigurationError, OutboundRefused
from streams.outbound import GuardedClient

__all__ = ["FeedConfig", "FeedPoller", "load_feeds"]

log = logging.getLogger(__name__)
_SEEN_LIMIT = 100_000


@dataclass(frozen=True)
class FeedConfig:
    url: str
    source: str
    interval_s: float = 300.0
    fetch_pages: bool = True


def load_feeds(path: Path) -> list[FeedConfig]:
    """The feeds of a YAML file; every bad entry is named with its problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read the feeds file {path}: {exc}") from exc
    feeds, problems = [], []
    for n, entry in enumerate(data.get("feeds") or [], 1):
        if not isinstance(entry, dict) or not str(entry.get("url", "")).startswith(
            ("http://", "https://")
        ):
            problems.append(f"feed #{n}: `url` must be an http(s) URL")
            continue
        try:
            interval = parse_duration(entry.get("interval", "5m")).total_seconds()
        except ValueError as exc:
            problems.append(f"feed #{n} ({entry['url']}): interval: {exc}")
            continue
        unknown = set(entry) - {"url", "source", "interval", "fetch_pages"}
        if unknown:
            problems.append(f"feed #{n} ({entry['url']}): unknown field(s) {sorted(unknown)}")
            continue
        feeds.append(
            FeedConfig(
                url=entry["url"],
                source=str(entry.get("source") or entry["url"]),
                interval_s=interval,
                fetch_pages=bool(entry.get("fetch_pages", True)),
            )
        )
    if problems:
        raise ConfigurationError(f"{path}: " + "; ".join(problems))
    if not feeds:
        raise ConfigurationError(f"{path}: no feeds; add entries under `feeds:`")
    return feeds


@dataclass
class FeedPoller:
    """Polls every feed on its own interval and produces new articles."""

    settings: Settings
    feeds: list[FeedConfig]
    status: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dir = self.settings.feeds_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        for name, target in (("status.json", self.status), ("seen.json", self.seen)):
            with contextlib.suppress(OSError, ValueError):  # first run, or a torn file
                target.update(json.loads((self.dir / name).read_text()))

    def _save(self) -> None:
        if len(self.seen) > _SEEN_LIMIT:  # forget the oldest
            for key in sorted(self.seen, key=self.seen.__getitem__)[: len(self.seen) - _SEEN_LIMIT]:
                del self.seen[key]
        for name, data in (("status.json", self.status), ("seen.json", self.seen)):
            tmp = self.dir / f"{name}.tmp"
            tmp.write_text(json.dumps(data))
            tmp.replace(self.dir / name)

    async def poll(self, feed: FeedConfig, client: GuardedClient, producer: Any) -> int:
        """Fetch one feed; produce its new articles; return how many."""
        state = self.status.setdefault(
            feed.url, {"url": feed.url, "source": feed.source, "items": 0}
        )
        headers: dict[str, str] = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        state["last_poll"] = time.time()
        try:
            response = await client.get(feed.url, headers=headers)
            if response.status == 304:
                state.update(last_success=time.time(), last_status=304, last_error=None)
                return 0
            if response.status >= 400:
                raise ConnectionError(f"HTTP {response.status} from {response.url}")
            entries = feed_entries(response.content, response.headers.get("content-type", ""))
            produced = 0
            for entry in entries:
                if not entry["link"]:
                    continue
                url = canonical_url(entry["link"])
                ident = article_id(url=url)
                if ident in self.seen:
                    continue
                article = await self._article(feed, entry, url, ident, client, state)
                await producer.send_and_wait(
                    self.settings.articles_topic,
                    key=ident.encode(),
                    value=json.dumps(article, ensure_ascii=False).encode(),
                )
                self.seen[ident] = time.time()
                state["items"] = state.get("items", 0) + 1
                produced += 1
            # Only now, with every new item produced: were the validators saved before, a
            # failure halfway (Kafka down) would make the next poll a 304 and lose the rest.
            state["etag"] = response.headers.get("etag")
            state["last_modified"] = response.headers.get("last-modified")
            state.update(
                last_success=time.time(),
                last_status=response.status,
                last_error=None,
            )
            return produced
        except Exception as exc:  # noqa: BLE001 - one feed's failure is its own
            state.update(last_error=f"{type(exc).__name__}: {exc}"[:300], last_error_at=time.time())
            log.warning("feed poll failed", extra={"feed": feed.url, "error": str(exc)[:300]})
            return 0
        finally:
            self._save()

    async def _article(
        self,
        feed: FeedConfig,
        entry: dict[str, Any],
        url: str,
        ident: str,
        client: GuardedClient,
        state: dict[str, Any],
    ) -> dict[str, Any]:
        body = None
        if feed.fetch_pages:
            try:
                page = await client.get(url)
                if page.status == 200:
                    body = main_text(page.text, url, title=entry["title"])
            except OutboundRefused as exc:  # a link inside the deployment, or too large
                state.update(last_page_refused=str(exc)[:300], last_page_refused_at=time.time())
                log.warning(
                    "page refused, the item's summary used",
                    extra={"url": url, "reason": str(exc)[:300]},
                )
            except Exception as exc:  # noqa: BLE001 - fall back to the item's own text
                log.info("page not fetched", extra={"url": url, "error": str(exc)[:200]})
        return feed_article(
            entry, url=url, ident=ident, source=feed.source, feed=feed.url, page_text=body
        )

    async def run(self, *, once: bool = False) -> None:
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap.split(","), acks="all"
        )
        await producer.start()
        due = {feed.url: 0.0 for feed in self.feeds}
        try:
            async with GuardedClient(self.settings, user_agent="newsmon feed poller") as client:
                while True:
                    now = time.monotonic()
                    for feed in self.feeds:
                        if due[feed.url] <= now:
                            count = await self.poll(feed, client, producer)
                            if count:
                                log.info("feed polled", extra={"feed": feed.url, "new": count})
                            due[feed.url] = time.monotonic() + feed.interval_s
                    if once:
                        return
                    await asyncio.sleep(max(0.5, min(due.values()) - time.monotonic()))
        finally:
            await producer.stop()
