"""The agents: ``enrich`` (articles -> articles-enriched) and ``index`` (-> Elasticsearch).

Agents stay thin: take a batch, call one processors/ function, send the results on. Delivery is
at-least-once with idempotent effects:

- a batch is acknowledged (its offsets become committable) only after every result it produced
  is confirmed by Kafka or written to Elasticsearch, so a crash or restart replays the batch
  instead of losing it;
- replays are harmless because the document id and Kafka key are the article id;
- input that cannot be processed goes to ``articles-dlq`` with its reason and source offset
  (``streams.deadletter``) and the stream goes on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust
from faust.types import EventT

from config import Settings
from processors.articles.documents import search_document
from processors.enrich import Enricher, Outcome
from streams.alerts import register_alert_agents
from streams.background import keep_running
from streams.batching import TimeBudget
from streams.channels import CHANNELS
from streams.consumer import acknowledge
from streams.deadletter import dead_letter_headers
from streams.delivery import run_channel
from streams.indexing import BulkIndexer, async_client, ensure_articles_index
from streams.metrics import (
    ARTICLES,
    BATCH_SECONDS,
    DEAD_LETTERS,
    DUPLICATES,
    ES_RETRIES,
    LATENCY_SECONDS,
    STORIES_JOINED,
)
from streams.sending import Send, confirm_all, send_of
from streams.stage_times import ENRICH_HEADER, encode_span
from streams.topics import Topics

__all__ = ["register_agents"]

log = logging.getLogger(__name__)


def _dead_letter(
    topics: Topics,
    event: EventT,
    *,
    stage: str,
    reason: str,
    error: str,
    errors: list[dict[str, str]] | None = None,
    keep_value: bool = True,
) -> Send:
    """The send of ``event``'s message, byte for byte, to the dead-letter topic with why."""
    message = event.message
    DEAD_LETTERS.labels(stage, reason).inc()
    log.warning(
        "dead-lettered",
        extra={
            "stage": stage,
            "reason": reason,
            "error": error,
            "source": f"{message.topic}/{message.partition}/{message.offset}",
        },
    )
    headers = dead_letter_headers(
        reason=reason,
        error=error,
        stage=stage,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        errors=errors,
    )
    value = message.value if keep_value else b""
    return send_of(topics.dlq, message.key, value, headers=headers)


def _letter(topics: Topics, event: EventT, **why: Any) -> tuple[EventT, Send]:
    """``event`` with the send of its dead letter (see ``_dead_letter``)."""
    return event, _dead_letter(topics, event, **why)


async def _dead_letter_all(topics: Topics, letters: list[tuple[EventT, Send]]) -> None:
    """Send dead letters until Kafka confirms them. One the topic refuses for good (a record
    too large) is sent again without the original's bytes, which its source offset still
    names; if even that is refused, the batch fails and is not acknowledged."""
    failures = await confirm_all([send for _, send in letters], topic=topics.dlq.get_topic_name())
    again = [
        _dead_letter(
            topics,
            event,
            stage="dead_letter",
            reason="dead_letter_rejected",
            error=f"the dead-letter topic refused the original ({exc!r}); it is at the source",
            keep_value=False,
        )
        for (event, _), exc in zip(letters, failures, strict=True)
        if exc is not None
    ]
    if again and any(await confirm_all(again, topic=topics.dlq.get_topic_name())):
        raise RuntimeError("the dead-letter topic refused records even without their values")


def register_agents(
    app: faust.App, topics: Topics, settings: Settings, *, enricher: Enricher | None = None
) -> None:
    """Attach the ``enrich`` and ``index`` agents to ``app`` (with ``enricher``, if loaded)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")
    state: dict[str, Any] = {} if enricher is None else {"enricher": enricher}

    def loaded() -> Enricher:
        # The worker loads it before joining its group (streams.worker); others, on first
        # use, in the worker process only (costs a second and ~200 MB).
        if "enricher" not in state:
            state["enricher"] = Enricher.from_settings(settings)
        return state["enricher"]

    # Every agent iterates its stream at once and does its waiting inside the loop: faust
    # registers an agent's channel when the agent first iterates, and a partition assigned
    # before that never gives the agent a record (streams.consumer: readers_of).
    @app.agent(topics.articles, name="enrich")
    async def enrich(stream: faust.StreamT) -> None:
        loop = asyncio.get_running_loop()
        budget = TimeBudget(settings.enrich_budget_s)
        async for batch in stream.noack_take(settings.batch_size, within=settings.batch_within):
            if "enricher" not in state:
                await loop.run_in_executor(executor, loaded)
            sizes = [len(event.message.value or b"") for event in batch]
            for part in budget.parts(sizes):  # each about enrich_budget_s of spaCy
                events, started = batch[part], time.time()
                values = [event.message.value for event in events]
                # spaCy is CPU-bound: run it off the event loop so heartbeats keep flowing.
                outcomes = await loop.run_in_executor(executor, loaded().process_messages, values)
                enriched = time.time()
                budget.observe(sizes[part], enriched - started)
                # confirmed by Kafka before the inputs may be committed
                await _send_outcomes(events, outcomes, topics, enrich_span=(started, enriched))
                await acknowledge(stream, events)
                BATCH_SECONDS.labels("enrich").observe(time.time() - started)

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

    store = register_alert_agents(app, topics, settings)

    for kind in CHANNELS:  # one delivery task per kind of channel (streams/channels)
        app.task(_delivery_task(settings, kind))

    @app.page("/livez")
    async def livez(web: Any, request: Any) -> Any:
        """The process answers: for a supervisor's liveness probe (``/healthz``, the
        readiness, also asks for an assignment, the model and the rules)."""
        return web.json({"status": "alive"})

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        assigned = sorted(f"{tp.topic}/{tp.partition}" for tp in app.consumer.assignment())
        ready = bool(assigned) and "enricher" in state and store.loaded.is_set()
        stalled = app.consumer.stalled()  # a GatedConsumer (streams.app)
        body = {
            "status": ("stalled" if stalled else "ready") if ready else "starting",
            "assigned": assigned,
            "stalled": stalled,  # partitions with records waiting and none read for a minute
            "rules": len(store.rules),
            "silences": sorted(s.id for s in store.silences.values() if s.active(time.time())),
            "invalid_rules": store.invalid,
        }
        return web.json(body, status=200 if ready and not stalled else 503)


def _delivery_task(settings: Settings, kind: str) -> Callable[[], Awaitable[None]]:
    """The app task delivering alerts on ``kind`` channels (faust passes the app to a task
    that takes an argument, so the task takes none)."""

    async def deliver() -> None:
        await keep_running(run_channel, settings, kind)

    deliver.__name__ = deliver.__qualname__ = f"deliver_{kind}"
    return deliver


async def _send_outcomes(
    events: Sequence[EventT],
    outcomes: Sequence[Outcome],
    topics: Topics,
    *,
    enrich_span: tuple[float, float],
) -> None:
    """Send each enriched article on, or its input to the DLQ; return once Kafka confirmed
    all. An enriched record Kafka refuses for good (too large) dead-letters its input. The
    enriched record carries when its enrichment began and ended (``stage_times``), for the
    alert's stage breakdown."""
    headers = [(ENRICH_HEADER, encode_span(*enrich_span))]
    enriched: list[tuple[EventT, Send]] = []
    letters: list[tuple[EventT, Send]] = []
    for event, outcome in zip(events, outcomes, strict=True):
        if outcome.article is not None:
            article = outcome.article
            value = json.dumps(article, ensure_ascii=False).encode()
            send = send_of(
                topics.enriched,
                article["id"].encode(),
                value,
                timestamp=event.message.timestamp,
                headers=headers,
            )
            enriched.append((event, send))
        else:
            assert outcome.error is not None
            err = outcome.error
            letters.append(
                _letter(
                    topics,
                    event,
                    stage="enrich",
                    reason=err.reason,
                    error=err.message,
                    errors=err.to_dict()["errors"],
                )
            )
    refused = await confirm_all(
        [send for _, send in enriched], topic=topics.enriched.get_topic_name()
    )
    for (event, _), exc in zip(enriched, refused, strict=True):
        if exc is None:
            ARTICLES.labels("enrich", "ok").inc()
        else:
            letters.append(
                _letter(
                    topics,
                    event,
                    stage="enrich",
                    reason="output_rejected",
                    error=f"Kafka refused the enriched article: {exc!r}",
                )
            )
    if letters:
        await _dead_letter_all(topics, letters)
        ARTICLES.labels("enrich", "dead_letter").inc(len(letters))


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
                _letter(
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
            _letter(
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
        await _dead_letter_all(topics, letters)
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
