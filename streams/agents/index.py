"""The ``index`` agent: articles-enriched -> Elasticsearch, then articles-indexed.

Each batch: copies of earlier stories marked, stories assigned, documents written (waiting out
Elasticsearch outages), what was written sent on to ``articles-indexed`` with what indexing
settled, what could not be indexed dead-lettered; then, only then, the batch is acknowledged.
The document id is the article id, so a replay rewrites the same documents.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import faust
from faust.types import EventT

from config import Settings
from processors.articles.documents import search_document
from streams.agents.dead_letters import dead_letter_all, letter
from streams.consumer import acknowledge
from streams.indexing import BulkIndexer, async_client, ensure_articles_index
from streams.metrics import (
    ARTICLES,
    BATCH_SECONDS,
    DUPLICATES,
    ES_RETRIES,
    LATENCY_SECONDS,
    STORIES_JOINED,
)
from streams.sending import Send, confirm_all, send_of
from streams.topics import Topics

__all__ = ["register_index"]

log = logging.getLogger(__name__)


def register_index(app: faust.App, topics: Topics, settings: Settings) -> None:
    """Attach the ``index`` agent."""

    @app.agent(topics.enriched, name="index")
    async def index(stream: faust.StreamT) -> None:
        es = async_client(settings)
        indexer = BulkIndexer(
            es,
            settings.articles_alias,
            chunk_size=settings.index_batch_size,
            max_backoff=settings.es_retry_max_backoff,
            on_retry=ES_RETRIES.inc,
        )
        installed = False
        try:
            async for events in stream.noack_take(settings.index_batch_size, within=0.2):
                if not installed:  # Elasticsearch down: the batch waits, unacknowledged
                    await _ensure_index_until_ready(settings, es)
                    installed = True
                started = time.perf_counter()
                await _index_batch(events, indexer, topics)
                await acknowledge(stream, events)
                BATCH_SECONDS.labels("index").observe(time.perf_counter() - started)
        finally:
            await es.close()


async def _index_batch(events: Sequence[EventT], indexer: BulkIndexer, topics: Topics) -> None:
    """Write a batch of enriched articles; dead-letter what cannot be indexed; send what was
    written on to ``articles-indexed`` with its story (for the rules that decide by story).
    Returns only when every document is written and sent on, or dead-lettered (it waits out
    Elasticsearch outages)."""
    docs: list[tuple[str, dict[str, Any]]] = []
    by_id: dict[str, EventT] = {}
    articles: dict[str, dict[str, Any]] = {}
    letters: list[tuple[EventT, Send]] = []
    for event in events:
        try:
            article = json.loads(event.message.value)
            doc_id = str(article["id"])
            docs.append((doc_id, search_document(article)))
            by_id[doc_id] = event
            articles[doc_id] = article
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            letters.append(
                letter(
                    topics,
                    event,
                    stage="index",
                    reason="bad_enriched",
                    error=f"not an enriched article ({type(exc).__name__}: {exc})",
                )
            )
    if docs:  # copies of a story indexed before are marked as such (processors/articles/dedup.py)
        DUPLICATES.inc(await indexer.mark_duplicates(docs))
        STORIES_JOINED.inc(await indexer.assign_stories(docs))
    failures = await indexer.index_documents(docs) if docs else []
    for failure in failures:
        event = by_id[failure.doc_id]
        letters.append(
            letter(
                topics,
                event,
                stage="index",
                reason="index_rejected",
                error=f"Elasticsearch refused the document ({failure.status}): {failure.reason}",
            )
        )
    refused = {failure.doc_id for failure in failures}
    written = [(doc_id, doc) for doc_id, doc in docs if doc_id not in refused]
    await _send_indexed(written, articles, by_id, topics)
    if letters:
        await dead_letter_all(topics, letters)
    now = time.time()
    for event in events:
        LATENCY_SECONDS.observe(max(0.0, now - event.message.timestamp))
    ARTICLES.labels("index", "ok").inc(len(docs) - len(failures))
    ARTICLES.labels("index", "dead_letter").inc(len(events) - len(docs) + len(failures))


_SETTLED_AT_INDEXING = ("story", "duplicate_of", "first_seen")


async def _send_indexed(
    written: Sequence[tuple[str, dict[str, Any]]],
    articles: dict[str, dict[str, Any]],
    by_id: dict[str, EventT],
    topics: Topics,
) -> None:
    """The enriched articles just written, with what indexing settled (story, copy of, first
    seen), to ``articles-indexed``, keeping their arrival time and enrichment header; waits
    for Kafka to confirm them all, so the batch is acknowledged only once they are there."""
    sends = []
    for doc_id, doc in written:
        event = by_id[doc_id]
        value = {**articles[doc_id], **{k: doc.get(k) for k in _SETTLED_AT_INDEXING}}
        sends.append(
            send_of(
                topics.indexed,
                doc_id.encode(),
                json.dumps(value, ensure_ascii=False).encode(),
                timestamp=event.message.timestamp,
                headers=list(event.message.headers or []),
            )
        )
    refused = await confirm_all(sends, topic=topics.indexed.get_topic_name())
    errors = [exc for exc in refused if exc is not None]
    if errors:  # not acknowledged: the batch is indexed again (idempotent) and sent again
        raise RuntimeError(f"Kafka refused {len(errors)} indexed article(s): {errors[0]!r}")


async def _ensure_index_until_ready(settings: Settings, es: Any) -> None:
    """Install the index template and alias, waiting for Elasticsearch if it is not up yet."""
    backoff = 0.5
    while True:
        try:
            await ensure_articles_index(settings, es)
            return
        except Exception as exc:  # noqa: BLE001 - any failure here means "not ready yet"
            log.warning(
                "waiting for elasticsearch to install the index",
                extra={"error": repr(exc)[:300], "retry_in_s": backoff},
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, settings.es_retry_max_backoff)
