"""``newsmon reprocess --since 30d``: re-enrich stored articles with the current pipeline.

The articles indexed in the window whose ``pipeline.version`` is not the current one
(``processors.enrich.pipeline_version``: the release and a digest of config/) are read back
from Elasticsearch and their original fields sent to the articles topic again, at a bounded
rate so live articles keep flowing between them. The workers enrich them like any article;
every write downstream is keyed by article id (the document, its first-seen time, its alerts),
so nothing is duplicated, and a run stopped half-way is resumed by running it again: what was
done already carries the current version and is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from config import Settings

__all__ = ["INPUT_FIELDS", "Reprocess", "run_reprocess", "stale_articles"]

# What an article was before enrichment (processors.articles.validation): sent again as it came.
INPUT_FIELDS = ("id", "url", "title", "body", "source", "published_at", "language", "feed")


@dataclass(frozen=True)
class Reprocess:
    version: str  # the pipeline the articles are re-enriched with
    found: int  # stale articles in the window
    sent: int  # sent to the articles topic (0 on a dry run)


def _query(since: datetime, current: str) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [{"range": {"enriched_at": {"gte": since.isoformat()}}}],
            "must_not": [{"term": {"pipeline.version": current}}],
        }
    }


def stale_articles(settings: Settings, since: datetime, current: str) -> Iterator[dict[str, Any]]:
    """The input fields of every article in the window enriched by another pipeline."""
    from elasticsearch.helpers import scan

    from streams.indexing import sync_client

    es = sync_client(settings)
    try:
        for hit in scan(
            es,
            index=settings.articles_alias,
            query={"query": _query(since, current)},
            _source=list(INPUT_FIELDS),
            size=500,
        ):
            source = hit["_source"]
            yield {k: source[k] for k in INPUT_FIELDS if source.get(k) not in (None, "")}
    finally:
        es.close()


def run_reprocess(
    settings: Settings,
    *,
    since: timedelta,
    rate: float = 20.0,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
) -> Reprocess:
    """Send the stale articles of the last ``since`` back through the pipeline."""
    import json

    from processors.enrich import pipeline_version
    from streams.producer import sync_producer

    current = pipeline_version()
    start = datetime.now(UTC) - since
    articles = list(stale_articles(settings, start, current))
    log(f"{len(articles)} article(s) since {start:%Y-%m-%d %H:%M} UTC not enriched by {current}")
    if dry_run or not articles:
        return Reprocess(current, len(articles), 0)
    producer = sync_producer(settings, retries=10)
    futures = []
    try:
        began = time.monotonic()
        for n, article in enumerate(articles, 1):
            futures.append(
                producer.send(
                    settings.articles_topic,
                    key=str(article["id"]).encode(),
                    value=json.dumps(article, ensure_ascii=False).encode(),
                    headers=[("newsmon-reprocess", current.encode())],
                )
            )
            ahead = n / rate - (time.monotonic() - began)
            if ahead > 0:  # a bounded rate: live articles go between these
                time.sleep(ahead)
            if n % 500 == 0:
                log(f"  {n}/{len(articles)} sent")
        producer.flush(60)
        for future in futures:
            future.get(30)  # every one confirmed by Kafka
    finally:
        producer.close()
    log(f"sent {len(futures)}; the workers re-enrich them as they arrive")
    return Reprocess(current, len(articles), len(futures))
