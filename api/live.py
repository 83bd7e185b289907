"""The live feed: new enriched articles and alerts, fanned out to every open event stream.

One consumer per API process reads ``articles-enriched`` and ``alerts`` from their ends (no
consumer group: every API process sees everything) and hands each record to the subscribers
whose filters it passes. Filters use the alert-rule machinery, so ``/stream?q=clash&country=SY``
means what a rule with that query and region means. A subscriber that reads too slowly loses
its oldest items rather than slowing the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from config import Settings
from processors.alerting.matching import ArticleView, CompiledRule

__all__ = ["LiveHub", "Subscriber", "article_summary"]

log = logging.getLogger(__name__)


def article_summary(article: dict[str, Any]) -> dict[str, Any]:
    """What a live feed shows of an article (the full one is at ``/articles/{id}``)."""
    literal = [p for p in article.get("places", []) if not p.get("metonymic")]
    return {
        "id": article["id"],
        "title": article.get("title") or (article.get("text") or "")[:120],
        "source": article.get("source"),
        "url": article.get("url"),
        "published_at": article.get("published_at"),
        "enriched_at": article.get("enriched_at"),
        "countries": article.get("countries", []),
        "entities": list(
            dict.fromkeys(
                f"{e['label']}:{e.get('canonical') or e['text']}"
                for e in article.get("entities", [])
                if e["label"] in ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC")
            )
        )[:12],
        "places": [
            {k: p.get(k) for k in ("name", "lat", "lon", "country_code", "admin1")}
            for p in literal[:12]
        ],
        "events": [
            {k: e.get(k) for k in ("type", "fatalities", "injured", "arrested")}
            for e in article.get("events", [])[:5]
        ],
        "snippet": (article.get("text") or "")[:280],
    }


@dataclass(eq=False)
class Subscriber:
    kinds: frozenset[str]
    rule: CompiledRule | None = None
    rule_ids: frozenset[str] = frozenset()
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=500)
    )

    def offer(self, kind: str, payload: dict[str, Any], article: dict[str, Any] | None) -> None:
        if kind not in self.kinds:
            return
        wanted = self.rule is None or article is None or kind != "article"
        if not wanted and self.rule.check(ArticleView.of(article)) is None:  # type: ignore[union-attr]
            return
        if (
            kind in ("alert", "triage")
            and self.rule_ids
            and payload.get("rule_id") not in self.rule_ids
        ):
            return
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait((kind, payload))


@dataclass
class LiveHub:
    settings: Settings
    subscribers: set[Subscriber] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def announce(self, kind: str, payload: dict[str, Any]) -> None:
        """Offer an event made by this API (not read from Kafka) to its subscribers: triage
        done here reaches every desk connected here at once. (Desks on another API process
        see it at their next reload of the inbox: the change is in the index.)"""
        for subscriber in list(self.subscribers):
            subscriber.offer(kind, payload, None)

    def publish(self, kind: str, value: bytes) -> None:
        try:
            data = json.loads(value)
        except (ValueError, TypeError):
            return
        article = data if kind == "article" else None
        payload = (
            article_summary(data)
            if kind == "article"
            else {k: v for k, v in data.items() if k != "channels"}
        )
        for subscriber in list(self.subscribers):
            subscriber.offer(kind, payload, article)

    async def run(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        from streams import metadata_backoff
        from streams.rulestore import topic_partitions

        metadata_backoff.install()  # the desk's own client, through a broker restart too

        loop = asyncio.get_running_loop()
        kinds = {self.settings.enriched_topic: "article", self.settings.alerts_topic: "alert"}
        tps = []
        for topic in kinds:
            partitions = await loop.run_in_executor(None, topic_partitions, self.settings, topic)
            tps += [TopicPartition(topic, p) for p in partitions]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap.split(","),
            group_id=None,
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            consumer.assign(tps)
            await consumer.seek_to_end(*tps)
            self.ready.set()
            while True:
                batches = await consumer.getmany(timeout_ms=250, max_records=500)
                for tp, records in batches.items():
                    for record in records:
                        self.publish(kinds[tp.topic], record.value)
        finally:
            await consumer.stop()
