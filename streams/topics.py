"""newsmon's Kafka topics: their names, their settings, creating them with kafka-python, and
their Faust topic objects for the worker's agents (``Topics``).

Topics are created by newsmon (not by broker auto-creation) so the partition count is ours and
``alert-rules`` is compacted: the latest version of each rule, keyed by rule id, is kept forever,
and a tombstone deletes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from config import Settings
from processors.errors import ConfigurationError

if TYPE_CHECKING:
    import faust

__all__ = ["TopicSpec", "Topics", "ensure_topics", "faust_topics", "read_to_end", "topic_specs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """The topics of the data flow, named with the configured prefix (``alert-matches`` is
    internal: rule matches keyed by rule id, for the per-rule state of throttles, aggregates
    and digests; ``alert-deliveries`` is the delivery ledger, kept as long as the alerts;
    ``articles-indexed`` holds each article once it is written, with its story, for the rules
    that decide by story)."""
    n = settings.partitions
    week = str(7 * 24 * 3600 * 1000)
    month = str(30 * 24 * 3600 * 1000)
    # a write is confirmed once this many replicas have it (acks=all): a lost broker loses none
    isr = {"min.insync.replicas": str(settings.min_insync_replicas)}
    return [
        TopicSpec(settings.articles_topic, n, {"retention.ms": week, **isr}),
        TopicSpec(settings.enriched_topic, n, {"retention.ms": week, **isr}),
        TopicSpec(settings.indexed_topic, n, {"retention.ms": week, **isr}),
        TopicSpec(settings.dlq_topic, n, {"retention.ms": month, **isr}),
        TopicSpec(settings.alerts_topic, n, {"retention.ms": month, **isr}),
        TopicSpec(settings.deliveries_topic, n, {"retention.ms": month, **isr}),
        TopicSpec(settings.rules_topic, 1, {"cleanup.policy": "compact", **isr}),
        TopicSpec(settings.matches_topic, n, {"retention.ms": week, **isr}),
    ]


@dataclass(frozen=True)
class Topics:
    """The Faust topic objects of one app. Values are raw bytes: agents decode them themselves,
    so a message that does not decode can still be dead-lettered byte for byte."""

    articles: faust.TopicT
    enriched: faust.TopicT
    indexed: faust.TopicT
    dlq: faust.TopicT
    alerts: faust.TopicT
    deliveries: faust.TopicT


def faust_topics(app: faust.App, settings: Settings) -> Topics:
    """The data flow's topics as ``app``'s Faust topics (raw bytes in and out)."""

    def raw(name: str) -> faust.TopicT:
        return app.topic(
            name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
        )

    return Topics(
        articles=raw(settings.articles_topic),
        enriched=raw(settings.enriched_topic),
        indexed=raw(settings.indexed_topic),
        dlq=raw(settings.dlq_topic),
        alerts=raw(settings.alerts_topic),
        deliveries=raw(settings.deliveries_topic),
    )


def ensure_topics(settings: Settings, *, timeout_s: float = 30.0) -> list[str]:
    """Create whichever of newsmon's topics do not exist; return the names created."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import KafkaError, TopicAlreadyExistsError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap.split(","),
            client_id=f"{settings.app_id}-admin",
            request_timeout_ms=int(timeout_s * 1000),
        )
    except KafkaError as exc:
        raise ConfigurationError(
            f"cannot reach Kafka at {settings.kafka_bootstrap} ({exc}); start the local stack "
            "with `newsmon stack up` or set NEWSMON_KAFKA_BOOTSTRAP"
        ) from exc
    try:
        existing = set(admin.list_topics())
        wanted = [s for s in topic_specs(settings) if s.name not in existing]
        created = []
        for spec in wanted:
            try:
                admin.create_topics(
                    [
                        NewTopic(
                            spec.name,
                            num_partitions=spec.partitions,
                            replication_factor=settings.replication_factor,
                            topic_configs=spec.config,
                        )
                    ]
                )
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass
        if created:
            log.info("created topics", extra={"topics": created})
        return created
    finally:
        admin.close()


def read_to_end(settings: Settings, topic: str, *, timeout_s: float = 10.0) -> Iterator[Any]:
    """Every record of ``topic`` from the beginning to its end as of now (kafka-python, no
    consumer group, nothing committed); stops early if nothing arrives for ``timeout_s``."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        enable_auto_commit=False,
        consumer_timeout_ms=int(timeout_s * 1000),
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        if not any(end.values()):
            return
        for record in consumer:
            yield record
            if all(consumer.position(tp) >= end[tp] for tp in tps):
                return
    finally:
        consumer.close()
