"""The Faust app, built from ``Settings``.

``create_app`` is the one place the ``faust.App`` is made, so the worker, tests and tools all get
the same wiring for the same settings (broker, ports, consumer). It attaches nothing: the worker
(``streams.worker.worker_app``) adds the topics (``streams.topics.faust_topics``) and the agents
(``streams.agents``); this module imports neither, so nothing imports back into it.
"""

from __future__ import annotations

import faust

from config import Settings
from streams import metadata_backoff
from streams.consumer import Transport

__all__ = ["NewsmonApp", "create_app"]


class NewsmonApp(faust.App):
    """``faust.App`` whose Kafka consumer commits only what was processed
    (``streams.consumer``)."""

    def _new_transport(self) -> Transport:
        return Transport(self.conf.broker_consumer, self)


def create_app(settings: Settings) -> NewsmonApp:
    """A configured Faust app, without topics or agents."""
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
    return app
