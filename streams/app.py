"""The Faust app: built from ``Settings``, with newsmon's topics and agents attached.

``create_app`` is the one place the ``faust.App`` is made, so the worker, tests and tools all get
the same wiring for the same settings (topic prefix, broker, ports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust
from faust.sensors.prometheus import setup_prometheus_sensors

from config import Settings
from streams import metadata_backoff
from streams.consumer import Transport

__all__ = ["NewsmonApp", "Topics", "create_app"]


class NewsmonApp(faust.App):
    """``faust.App`` whose Kafka consumer commits only what was processed
    (``streams.consumer``)."""

    def _new_transport(self) -> Transport:
        return Transport(self.conf.broker_consumer, self)


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


def _raw_topic(app: faust.App, name: str) -> faust.TopicT:
    return app.topic(
        name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )


def create_app(
    settings: Settings, *, with_agents: bool = True, enricher: Any | None = None
) -> faust.App:
    """A configured Faust app; ``with_agents=False`` gives one for producing only. An
    ``enricher`` already loaded is used as is (else the enrich agent loads one on first use)."""
    metadata_backoff.install()
    datadir = settings.cache_dir / "faust" / settings.app_id
    datadir.mkdir(parents=True, exist_ok=True)  # Faust makes only the last level
    app = NewsmonApp(
        settings.app_id,
        broker=[f"kafka://{server.strip()}" for server in settings.kafka_bootstrap.split(",")],
        store="memory://",
        # Faust's default datadir is "<app id>-data" in the working directory; keep it with the
        # rest of the runtime state instead of littering whoever's checkout runs the worker.
        datadir=str(datadir),
        autodiscover=False,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        broker_commit_interval=1.0,
        # heartbeats come from the consumer's own thread, so spaCy's batches never delay them
        broker_session_timeout=settings.kafka_session_timeout,
        broker_heartbeat_interval=settings.kafka_session_timeout / 5,
        # Faust waits 90 s for an answer by default: after a broker restart, a commit sent on a
        # connection that died with it held the worker that long
        broker_request_timeout=max(settings.kafka_request_timeout, settings.kafka_session_timeout),
        # With a standby replica of the rule-state table, faust's sticky assignor keeps every
        # member at up to ceil(partitions / members): two workers holding 2 of 4 partitions each
        # kept them, and a third that joined got none and never became ready. Without
        # standbys it balances down to at least one partition per member; the new owner of a
        # partition reads the table's changelog (small: one entry per rule) instead.
        table_standby_replicas=0,
        web_enabled=True,
        web_bind=settings.worker_host,
        web_host=settings.worker_host,
        web_port=settings.worker_port,
        web_in_thread=False,
    )
    topics = Topics(
        articles=_raw_topic(app, settings.articles_topic),
        enriched=_raw_topic(app, settings.enriched_topic),
        indexed=_raw_topic(app, settings.indexed_topic),
        dlq=_raw_topic(app, settings.dlq_topic),
        alerts=_raw_topic(app, settings.alerts_topic),
        deliveries=_raw_topic(app, settings.deliveries_topic),
    )
    if with_agents:
        from streams.agents import register_agents

        setup_prometheus_sensors(app, name_prefix="newsmon_faust")
        register_agents(app, topics, settings, enricher=enricher)
    return app
