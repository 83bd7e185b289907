"""The ``enrich`` agent: articles -> articles-enriched (or the dead-letter topic, with why).

Thin: take a batch, cut it into parts of about ``enrich_budget_s`` of spaCy, run
``processors.enrich`` on each part off the event loop, send the results on, and acknowledge
the inputs only once Kafka has confirmed every output (a crash replays the batch; the Kafka
key is the article id, so a replay is harmless). A part is sent while the next one is
enriched, parts finishing in order.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence

import faust
from faust.types import EventT

from config import Settings
from processors.enrich import Outcome
from streams.agents.dead_letters import dead_letter_all, letter
from streams.batching import TimeBudget
from streams.consumer import acknowledge
from streams.enrichment import EnrichmentRunner
from streams.metrics import ARTICLES, BATCH_SECONDS
from streams.sending import Send, confirm_all, send_of
from streams.stage_times import ENRICH_HEADER, encode_span
from streams.topics import Topics

__all__ = ["register_enrich"]


def register_enrich(
    app: faust.App, topics: Topics, settings: Settings, *, model: EnrichmentRunner | None = None
) -> EnrichmentRunner:
    """Attach the ``enrich`` agent, enriching with ``model`` (loaded before the worker joins
    its group, by streams.worker; else on first use); return it."""
    model = model if model is not None else EnrichmentRunner(settings)

    # Every agent iterates its stream at once and does its waiting inside the loop: faust
    # registers an agent's channel when the agent first iterates, and a partition assigned
    # before that never gives the agent a record (streams.consumer: readers_of).
    @app.agent(topics.articles, name="enrich")
    async def enrich(stream: faust.StreamT) -> None:
        budget = TimeBudget(settings.enrich_budget_s)
        # The part before, being sent and acknowledged while spaCy enriches the next one (the
        # spaCy thread would otherwise wait out every part's round trip to Kafka).
        finishing: asyncio.Future[None] | None = None
        async for batch in stream.noack_take(settings.batch_size, within=settings.batch_within):
            sizes = [len(event.message.value or b"") for event in batch]
            for part in budget.parts(sizes):  # each about enrich_budget_s of spaCy
                events, started = batch[part], time.time()
                values = [event.message.value for event in events]
                # spaCy is CPU-bound: off the event loop (streams.enrichment), so heartbeats
                # keep flowing
                outcomes = await model.process(values)
                enriched = time.time()
                budget.observe(sizes[part], enriched - started)
                if finishing is not None:
                    await finishing  # parts are sent and acknowledged in order; errors surface
                finishing = asyncio.ensure_future(
                    _finish(stream, events, outcomes, topics, enrich_span=(started, enriched))
                )

    return model


async def _finish(
    stream: faust.StreamT,
    events: Sequence[EventT],
    outcomes: Sequence[Outcome],
    topics: Topics,
    *,
    enrich_span: tuple[float, float],
) -> None:
    """Send a part's outcomes, and acknowledge its inputs once Kafka confirmed them all (a
    part never finished, its worker stopped first, is read again from the last commit)."""
    await _send_outcomes(events, outcomes, topics, enrich_span=enrich_span)
    await acknowledge(stream, events)
    BATCH_SECONDS.labels("enrich").observe(time.time() - enrich_span[0])


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
                letter(
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
                letter(
                    topics,
                    event,
                    stage="enrich",
                    reason="output_rejected",
                    error=f"Kafka refused the enriched article: {exc!r}",
                )
            )
    if letters:
        await dead_letter_all(topics, letters)
        ARTICLES.labels("enrich", "dead_letter").inc(len(letters))
