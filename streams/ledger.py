"""The delivery ledger: which alerts each channel type has delivered, kept in Kafka.

A webhook POST or an email cannot be taken back, so whoever delivers an alert must know, before
sending, whether anyone sent it already. The ledger is the ``alert-deliveries`` topic: one record
per alert and channel, written with ``acks=all`` before the alert's offset is committed. Kafka is
up whenever alerts flow at all, so, unlike the Elasticsearch log it replaced, it can be written
while Elasticsearch is down, and a worker that stops (SIGTERM, a rebalance) has recorded what it
delivered before it lets go of its partitions.

A record goes to the ledger partition of its alert's partition (modulo the ledger's count), so
whoever takes over an alerts partition reads one ledger partition, and only from a little before
the oldest alert it still has to deliver (that alert's timestamp less ``CLOCK_MARGIN_MS``, for
clocks of different hosts): a record about that alert or a later one cannot be older. The
Elasticsearch ``*-alert-deliveries`` index is a projection of this topic
(``streams.agents.alerts``), for people to read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from typing import Any

from config import Settings
from processors.errors import ConfigurationError

__all__ = ["CLOCK_MARGIN_MS", "Ledger", "LedgerState", "ledger_entry", "ledger_partition"]

log = logging.getLogger(__name__)
CLOCK_MARGIN_MS = 5 * 60 * 1000


def ledger_partition(alert_partition: int, count: int) -> int:
    """The ledger partition holding the records of one alerts partition."""
    return alert_partition % count


def ledger_entry(value: bytes | None) -> dict[str, Any] | None:
    """A ledger record's value as a dict, or None for what is not one of ours."""
    try:
        entry = json.loads(value or b"")
    except (ValueError, TypeError):
        return None
    needed = ("delivery_id", "kind", "alert_partition", "alert_offset")
    if not isinstance(entry, dict) or not all(k in entry for k in needed):
        return None
    return entry


class LedgerState:
    """What one channel type knows was delivered, per alerts partition it owns.

    Not only the alerts not yet committed: an alert can stand twice on its topic (a replay
    after a fault writes it again, with the same id, at a later offset), and its second copy
    must find the first delivery. So the newest ``remembered`` deliveries of each partition
    are kept, whatever their offset.
    """

    def __init__(self, kind: str, *, remembered: int = 50_000) -> None:
        self.kind = kind
        self.remembered = remembered
        self._known: dict[int, dict[str, None]] = {}  # insertion-ordered: oldest go first

    def add(self, partition: int, delivery_id: str) -> None:
        known = self._known.setdefault(partition, {})
        known[delivery_id] = None
        if len(known) > self.remembered:
            del known[next(iter(known))]

    def load(self, partition: int, entries: Iterable[dict[str, Any]]) -> int:
        """Take in the ledger entries about this kind and this partition; return how many."""
        taken = 0
        for entry in entries:
            if entry["kind"] == self.kind and entry["alert_partition"] == partition:
                self.add(partition, entry["delivery_id"])
                taken += 1
        return taken

    def delivered(self, partition: int, delivery_id: str) -> bool:
        return delivery_id in self._known.get(partition, {})

    def drop(self, partition: int) -> None:
        self._known.pop(partition, None)


class Ledger:
    """The ledger of one channel type: read back when a partition is taken over, appended to
    after each delivery."""

    def __init__(self, settings: Settings, kind: str) -> None:
        self.settings = settings
        self.state = LedgerState(kind)
        self._producer: Any = None
        self._reader: Any = None
        self._count = 0

    async def start(self) -> Ledger:
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

        servers = self.settings.kafka_bootstrap.split(",")
        producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=True)
        await producer.start()
        self._producer = producer  # kept only once started, so stop() stops what runs
        reader = AIOKafkaConsumer(
            bootstrap_servers=servers, enable_auto_commit=False, group_id=None
        )
        await reader.start()
        self._reader = reader
        topic = self.settings.deliveries_topic
        partitions = await producer.partitions_for(topic)
        if not partitions:
            raise ConfigurationError(
                f"the delivery ledger's topic {topic} does not exist; `newsmon worker` creates "
                "newsmon's topics at start (streams.topics.ensure_topics)"
            )
        self._count = len(partitions)
        return self

    async def stop(self) -> None:
        for part in (self._producer, self._reader):
            if part is not None:
                await part.stop()

    async def catch_up(self, partition: int, timestamp_ms: int) -> int:
        """Read what was recorded about alerts of ``partition`` since a little before
        ``timestamp_ms`` (the oldest alert still to deliver); return how many deliveries."""
        from aiokafka import TopicPartition

        tp = TopicPartition(
            self.settings.deliveries_topic, ledger_partition(partition, self._count)
        )
        reader = self._reader
        reader.assign([tp])
        end = (await reader.end_offsets([tp]))[tp]
        since = (await reader.offsets_for_times({tp: max(0, timestamp_ms - CLOCK_MARGIN_MS)}))[tp]
        start = end if since is None else since.offset
        reader.seek(tp, start)
        taken = 0
        while start < end and await reader.position(tp) < end:
            batches = await reader.getmany(tp, timeout_ms=1000)
            for record in batches.get(tp, []):
                entry = ledger_entry(record.value)
                if entry is not None and record.offset < end:
                    taken += self.state.load(partition, [entry])
        log.info(
            "delivery ledger read",
            extra={
                "kind": self.state.kind,
                "partition": partition,
                "records": end - start,
                "delivered": taken,
            },
        )
        return taken

    async def record(self, partition: int, offset: int, entry: dict[str, Any]) -> None:
        """Append a delivery to the ledger, retrying until Kafka confirms it."""
        entry = {
            **entry,
            "kind": self.state.kind,
            "alert_partition": partition,
            "alert_offset": offset,
        }
        value = json.dumps(entry, ensure_ascii=False).encode()
        key = entry["delivery_id"].encode()
        target = ledger_partition(partition, self._count)
        backoff = 0.5
        while True:
            try:
                await self._producer.send_and_wait(
                    self.settings.deliveries_topic, value, key=key, partition=target
                )
                break
            except Exception as exc:  # noqa: BLE001 - a broker away: try again
                log.warning(
                    "delivery not recorded yet",
                    extra={
                        "delivery": entry["delivery_id"],
                        "error": repr(exc)[:200],
                        "retry_in_s": backoff,
                    },
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.settings.delivery_max_backoff)
        self.state.add(partition, entry["delivery_id"])
