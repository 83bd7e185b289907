"""The alert agents: match every enriched article against every rule, decide, index.

```
articles-enriched --alert_match--> alert-matches (keyed by rule id) --alert_decide--> alerts
articles-indexed --story_match--/                                                      |
                                         news-alerts <--alert_index--------------------+
                                         webhook / email <--delivery (streams/agents/delivery.py)
                                                               |
                     news-alert-deliveries <--delivery_index-- alert-deliveries (the ledger)
```

``alert_match`` runs the compiled rule set (``processors.alerting.matching``) on each article
(the rules that decide by story, ``group_by: story`` and ``story_growth``, run in
``story_match`` on the article as indexed, with its story, instead); matches go to
``alert-matches`` keyed by rule id, so all of a rule's matches meet in one partition, where
``alert_decide`` keeps the rule's state (throttle, aggregate windows, digest) in a table backed
by a Kafka changelog, and emits alerts (``processors.alerting.decisions``). A timer nudges rules
whose digest period is over. Every step acknowledges its input only after its output is
confirmed, and alert ids are stable, so restarts and replays never lose or duplicate an alert.
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import faust
from faust.streams import _current_event
from faust.types import EventT

from config import Settings
from processors.alerting.decisions import alert_document, decide, due_digests, match_record
from processors.alerting.silences import silence_for
from streams.background import keep_running
from streams.consumer import acknowledge
from streams.indexing import BulkIndexer, async_client
from streams.ledger import ledger_entry
from streams.metrics import ALERT_LATENCY_SECONDS, ALERTS, ALERTS_SILENCED, RULE_MATCHES
from streams.rulestore import RuleStore
from streams.sending import Send, confirm_all, send_of
from streams.stage_times import enrich_span
from streams.topics import Topics

__all__ = ["register_alerts"]

log = logging.getLogger(__name__)
_TICK = b'{"tick": true}'


def register_alerts(app: faust.App, topics: Topics, settings: Settings) -> RuleStore:
    """Attach the alert agents, the state table and the digest timer; return the rule store."""
    store = RuleStore(settings)
    matches_topic = app.topic(
        settings.matches_topic,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )

    @app.task
    async def follow_rules() -> None:
        await keep_running(store.run)

    _register_matching(app, topics, settings, store, matches_topic)
    _register_deciding(app, topics, settings, store, matches_topic)
    _register_alert_indexes(app, topics, settings)
    return store


def _register_matching(
    app: faust.App, topics: Topics, settings: Settings, store: RuleStore, matches_topic: Any
) -> None:
    """``alert_match`` (every rule but the story rules, on enriched articles) and
    ``story_match`` (the story rules, on indexed articles), both to ``alert-matches``."""

    async def match_batch(events: list[EventT], ruleset: Any) -> None:
        sends: list[Send] = []
        now = time.time()
        for event in events:
            try:
                article = json.loads(event.message.value)
            except (ValueError, TypeError):
                continue  # the index agent dead-letters it
            span = enrich_span(event.message.headers)
            for match in ruleset.match(article):
                record = match_record(
                    match,
                    article,
                    arrived_at=event.message.timestamp,
                    matched_at=now,
                    enrich_span=span,
                )
                RULE_MATCHES.inc()
                value = json.dumps(record, ensure_ascii=False).encode()
                sends.append(send_of(matches_topic, match.rule.id.encode(), value))
        _confirmed(await confirm_all(sends, topic=settings.matches_topic))

    @app.agent(topics.enriched, name="alert_match")
    async def alert_match(stream: faust.StreamT) -> None:
        # iterate at once, wait inside (see streams.agents.enrich: a late agent gets no records)
        async for events in stream.noack_take(64, within=0.02):
            await store.loaded.wait()
            await match_batch(events, store.ruleset)  # every rule but the story rules
            await acknowledge(stream, events)

    @app.agent(topics.indexed, name="story_match")
    async def story_match(stream: faust.StreamT) -> None:
        """The rules that decide by story see an article once it is indexed, where its story
        is settled: a second later than the others, and not while Elasticsearch is down."""
        async for events in stream.noack_take(64, within=0.02):
            await store.loaded.wait()
            await match_batch(events, store.story_ruleset)
            await acknowledge(stream, events)


def _register_deciding(
    app: faust.App, topics: Topics, settings: Settings, store: RuleStore, matches_topic: Any
) -> None:
    """``alert_decide`` with the rules' state table, and the timer that nudges digests."""
    state = app.Table("alert-state", default=dict, partitions=settings.partitions, key_type=bytes)

    @app.agent(matches_topic, name="alert_decide")
    async def alert_decide(stream: faust.StreamT) -> None:
        async for events in stream.noack_take(256, within=0.01):
            await store.loaded.wait()
            await _decide_batch(events, store, state, topics)
            await acknowledge(stream, events)

    @app.timer(interval=2.0)
    async def digest_clock() -> None:
        """Nudge rules whose digest period is over (the decide agent emits the digest)."""
        now = time.time()
        for key, value in list(state.items()):
            rule = store.rule(key.decode() if isinstance(key, bytes) else key)
            if (
                rule is not None
                and rule.digest is not None
                and due_digests(rule, value, now=now).alerts
            ):
                await matches_topic.send(key=rule.id.encode(), value=_TICK, force=True)


def _register_alert_indexes(app: faust.App, topics: Topics, settings: Settings) -> None:
    """``alert_index`` (alerts -> ``*-alerts``) and ``delivery_index`` (the delivery ledger
    -> ``*-alert-deliveries``)."""

    @app.agent(topics.alerts, name="alert_index")
    async def alert_index(stream: faust.StreamT) -> None:
        def documents(values: list[bytes]) -> list[tuple[str, dict[str, Any]]]:
            return [(a["id"], alert_document(a)) for a in map(json.loads, values)]

        # create_only: a replay must not undo an acknowledgement made on the desk
        await _index_topic(stream, settings, settings.alerts_index, documents, create_only=True)

    @app.agent(topics.deliveries, name="delivery_index")
    async def delivery_index(stream: faust.StreamT) -> None:
        """The delivery ledger, projected into ``*-alert-deliveries`` for people to read."""

        def documents(values: list[bytes]) -> list[tuple[str, dict[str, Any]]]:
            entries = (ledger_entry(v) for v in values)
            return [(e["delivery_id"], e) for e in entries if e is not None]

        await _index_topic(stream, settings, settings.deliveries_index, documents)


async def _index_topic(
    stream: faust.StreamT,
    settings: Settings,
    index: str,
    documents: Callable[[list[bytes]], list[tuple[str, dict[str, Any]]]],
    *,
    create_only: bool = False,
) -> None:
    """Write a topic of our own records into ``index`` (``documents`` makes the ``(id,
    document)`` pairs of a batch of values), acknowledging a batch once it is written."""
    es = async_client(settings)
    indexer = BulkIndexer(
        es, index, max_backoff=settings.es_retry_max_backoff, create_only=create_only
    )
    try:
        async for events in stream.noack_take(200, within=0.1):
            docs = documents([event.message.value for event in events])
            for failure in await indexer.index_documents(docs):
                log.error(
                    "record not indexed",
                    extra={"index": index, "id": failure.doc_id, "reason": failure.reason},
                )
            await acknowledge(stream, events)
    finally:
        await es.close()


def _confirmed(refused: list[BaseException | None]) -> None:
    """Matches and alerts are small records of our own making: one Kafka refuses for good is a
    bug to see, and its input stays unacknowledged (so it is processed again) rather than lost."""
    errors = [exc for exc in refused if exc is not None]
    if errors:
        raise RuntimeError(f"Kafka refused {len(errors)} record(s): {errors[0]!r}")


async def _decide_batch(events: list[EventT], store: RuleStore, state: Any, topics: Topics) -> None:
    """Decide a batch of matches in order, a rule's state carried from one to the next in
    memory; send every alert of the batch and wait for Kafka to confirm them all, then write
    the rules' new states: the alerts exist before the state says they were sent. One
    confirmation per batch instead of one per match: a match waited for every earlier match's
    round trip to Kafka, which under load was most of its decision time."""
    before: dict[bytes, dict[str, Any]] = {}
    after: dict[bytes, dict[str, Any]] = {}
    last: dict[bytes, EventT] = {}
    fired: list[dict[str, Any]] = []
    for event in events:
        key = event.message.key
        rule_id = key.decode() if isinstance(key, bytes) else str(key)
        rule = store.rule(rule_id)
        if rule is None:
            continue  # the rule was deleted since it matched
        if key not in after:
            before[key] = dict(state[key] or {})
            after[key] = before[key]
        now = time.time()
        if event.message.value == _TICK:
            decision = due_digests(rule, after[key], now=now)
        else:
            record = json.loads(event.message.value)
            silenced = silence_for(store.silences_of(rule.id, now), rule.id, record, now)
            if silenced is not None:
                ALERTS_SILENCED.labels(rule.id).inc()
            decision = decide(rule, record, after[key], now=now, silenced=silenced is not None)
        fired += decision.alerts
        after[key] = decision.state
        last[key] = event
    sends = [
        send_of(topics.alerts, alert["id"].encode(), json.dumps(alert, ensure_ascii=False).encode())
        for alert in fired
    ]
    _confirmed(await confirm_all(sends, topic=topics.alerts.get_topic_name()))
    for alert in fired:
        ALERTS.labels(alert["kind"]).inc()
        ALERT_LATENCY_SECONDS.observe(alert["latency_ms"] / 1000)
    for key, new in after.items():
        if new != before[key]:
            # faust writes a table's changelog to the partition of the event in hand; the
            # batch was read by another task, so say which event this state comes from
            with _in_hand(last[key]):
                state[key] = new


@contextmanager
def _in_hand(event: EventT) -> Iterator[None]:
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)
