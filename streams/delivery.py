"""Delivering alerts on every kind of channel (``streams.channels``: webhooks, email), each kind
on its own.

Each channel type reads the ``alerts`` topic with a consumer group of its own, and within it each
destination (a webhook URL, a set of email recipients) has its own queue, so a destination that
fails (a receiver down, an SMTP server refusing) holds back only itself: it retries with
doubling back-off (capped by ``NEWSMON_DELIVERY_MAX_BACKOFF``). Every outcome is recorded in the
delivery ledger (``streams.ledger``, a Kafka topic) before the alert's offset is committed, and
the ledger is read back before delivering: after a restart delivery resumes from the topic, and
what was delivered since the last commit is not delivered again. A worker that stops or loses
partitions in a rebalance first lets the attempts under way end and be recorded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka.errors import IllegalStateError

from config import Settings
from streams.channels import CHANNELS, Channel, PermanentFailure
from streams.ledger import Ledger
from streams.metrics import DELIVERIES
from streams.outbound import GuardedClient

__all__ = ["run_channel"]

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    """An alert record of the topic and how many of its deliveries are still to be made."""

    offset: int
    remaining: int
    dropped: bool = False  # its partition went to another worker, or the channel is stopping
    busy: int = 0  # attempts under way: sent, their outcome not yet in the ledger


@dataclass
class _Job:
    """One delivery: an alert on one of its channels."""

    alert: dict[str, Any]
    n: int  # the channel's place in the alert's list: the delivery id is "<alert id>:<n>"
    channel: dict[str, Any]
    partition: int
    record: _Pending


async def _attempt(channel: Channel, job: _Job, attempt: int) -> tuple[int | None, str, str | None]:
    """One try: (status, "delivered" or "refused", error); raises what is worth retrying."""
    try:
        status = await channel.send(job.alert, job.channel, attempt)
    except PermanentFailure as exc:
        return None, "refused", str(exc)
    return status, "delivered", None


async def _deliver(settings: Settings, channel: Channel, ledger: Ledger, job: _Job) -> bool:
    """Deliver one alert on one channel, retrying until it is delivered or refused for good,
    and record the outcome in the ledger; True once that is done (or was done before), False
    if the alert's partition was given up first."""
    delivery_id = f"{job.alert['id']}:{job.n}"
    if ledger.state.delivered(job.partition, delivery_id):
        return True
    kind = channel.kind
    target = channel.destination(job.channel)
    attempt, backoff = 0, 1.0
    while not job.record.dropped:
        attempt += 1
        job.record.busy += 1  # from here the attempt runs to its end and is recorded
        try:
            status, outcome, error = await _attempt(channel, job, attempt)
            DELIVERIES.labels(kind, outcome).inc()
            await ledger.record(
                job.partition,
                job.record.offset,
                {
                    "delivery_id": delivery_id,
                    "alert_id": job.alert["id"],
                    "rule_id": job.alert["rule_id"],
                    "channel": f"{kind}:{target}",
                    "status": outcome,
                    "attempts": attempt,
                    "http_status": status,
                    "last_error": error,
                    "delivered_at": time.time(),
                },
            )
            return True
        except (TimeoutError, ConnectionError, OSError) as exc:
            DELIVERIES.labels(kind, "retry").inc()
            log.warning(
                "delivery failed, will retry",
                extra={
                    "channel": kind,
                    "target": target,
                    "alert_id": job.alert["id"],
                    "attempt": attempt,
                    "error": str(exc)[:300],
                    "retry_in_s": backoff,
                },
            )
        finally:
            job.record.busy -= 1
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, settings.delivery_max_backoff)
    return False


async def _settle(records: Iterable[_Pending], timeout: float) -> None:
    """Give up these records: no new attempt starts, and the ones under way are awaited (for at
    most ``timeout`` seconds) to end and be recorded, so whoever takes the partition over finds
    them in the ledger."""
    records = list(records)
    for record in records:
        record.dropped = True
    deadline = time.monotonic() + timeout
    while any(r.busy for r in records) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if any(r.busy for r in records):
        log.warning(
            "deliveries still under way when their partition was given up",
            extra={"deliveries": sum(r.busy for r in records)},
        )


def _committable(pending: dict[Any, deque[_Pending]]) -> dict[Any, int]:
    """The offset to commit for each partition: past the alerts whose deliveries are all done
    (those leave ``pending``)."""
    commits = {}
    for tp, entries in pending.items():
        done = None
        while entries and entries[0].remaining <= 0:
            done = entries.popleft().offset
        if done is not None:
            commits[tp] = done + 1
    return commits


_MAX_IN_FLIGHT = 5_000  # alerts read but not yet delivered; reading pauses beyond this
_SETTLE_S = 15.0  # how long a stopping worker waits for deliveries under way to be recorded


async def run_channel(settings: Settings, kind: str) -> None:
    """Deliver every alert of the topic that names a ``kind`` channel, forever.

    Each destination (a webhook URL, a list of email recipients) has its own queue, delivered in
    order with retries, so a dead endpoint holds back only itself. The consumer's offset
    advances past an alert only once all of its deliveries are in the ledger; after a restart
    or a rebalance delivery resumes with the oldest alert not yet done, and the ledger skips
    the ones delivered since. A partition is given up (a rebalance, a stop) only once the
    attempts under way on it are recorded.

    One function with closures, on purpose: the rebalance listener, the destination workers
    and the fetch loop share the consumer, the pending deliveries and one generation counter,
    and keeping them in one scope keeps that sharing visible.
    """
    from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener

    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        group_id=f"{settings.app_id}-deliver-{kind}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    ledger = Ledger(settings, kind)
    client = await GuardedClient(settings).open()
    channel = CHANNELS[kind](settings, client)
    pending: dict[Any, deque[_Pending]] = {}
    queues: dict[str, asyncio.Queue[_Job]] = {}
    workers: list[asyncio.Task[None]] = []
    read: set[Any] = set()  # partitions whose ledger has been read since they were assigned
    generation = 0  # bumped at each revocation: a batch fetched before one is not used

    async def destination(queue: asyncio.Queue[_Job]) -> None:
        while True:
            job = await queue.get()
            if not job.record.dropped and await _deliver(settings, channel, ledger, job):
                job.record.remaining -= 1

    async def commit(commits: dict[Any, int]) -> None:
        if not commits:
            return
        try:
            await consumer.commit(commits)
        except Exception as exc:  # noqa: BLE001 - the ledger keeps what a lost commit missed
            log.warning("delivery offsets not committed", extra={"error": repr(exc)[:200]})

    async def give_up(tps: Iterable[Any]) -> None:
        nonlocal generation
        generation += 1
        tps = list(tps)
        await _settle((r for tp in tps for r in pending.get(tp, ())), _SETTLE_S)
        await commit(_committable({tp: pending[tp] for tp in tps if tp in pending}))
        for tp in tps:
            pending.pop(tp, None)
            read.discard(tp)
            ledger.state.drop(tp.partition)

    class _Handover(ConsumerRebalanceListener):
        async def on_partitions_revoked(self, revoked: Any) -> None:
            await give_up(revoked)

        async def on_partitions_assigned(self, assigned: Any) -> None:
            pass

    fetched_in = generation
    try:
        await ledger.start()
        consumer.subscribe([settings.alerts_topic], listener=_Handover())
        await consumer.start()
        while True:
            in_flight = sum(len(q) for q in pending.values())
            if in_flight < _MAX_IN_FLIGHT:
                fetched_in = generation
                batches = await consumer.getmany(timeout_ms=200, max_records=200)
            else:
                batches = {}
                await asyncio.sleep(0.2)
            for tp, records in batches.items():
                if tp not in read and fetched_in == generation:
                    await ledger.catch_up(tp.partition, records[0].timestamp)
                    if fetched_in == generation:
                        read.add(tp)
                if fetched_in != generation:
                    # A rebalance since the fetch (or while reading the ledger) gave up what
                    # was taken of the batch; the client's position is past all of it.
                    await _read_again(consumer, batches)
                    break
                for record in records:
                    _take(record, tp, channel, pending, queues, workers, destination)
            await commit(_committable(pending))
    finally:
        await give_up(list(pending))
        for task in workers:
            task.cancel()
        await consumer.stop()
        await ledger.stop()
        await client.close()


async def _read_again(consumer: Any, batches: dict[Any, Any]) -> None:
    """Seek the partitions of a batch that are still (or again) ours back to their committed
    offset: the batch was fetched across a rebalance, so it was not delivered, and moving on
    from the client's position would skip it (and then commit past it)."""
    assigned = consumer.assignment()
    for tp in batches:
        if tp not in assigned:
            continue  # its new owner reads it from the committed offset
        committed = await consumer.committed(tp)
        try:
            if committed:
                consumer.seek(tp, committed)
            else:
                await consumer.seek_to_beginning(tp)
        except IllegalStateError:  # revoked meanwhile: its new owner reads it
            continue


def _take(
    record: Any,
    tp: Any,
    channel: Channel,
    pending: dict[Any, deque[_Pending]],
    queues: dict[str, asyncio.Queue[_Job]],
    workers: list[asyncio.Task[None]],
    destination: Any,
) -> None:
    """Queue the deliveries of one alert record on ``channel``'s kind, each on its
    destination's queue."""
    try:
        alert = json.loads(record.value)
    except (ValueError, TypeError):
        alert = {}
    if not isinstance(alert, dict):
        alert = {}
    mine = [
        (n, c) for n, c in enumerate(alert.get("channels") or []) if c.get("type") == channel.kind
    ]
    entry = _Pending(record.offset, len(mine))
    pending.setdefault(tp, deque()).append(entry)
    for n, spec in mine:
        key = channel.destination(spec)
        if key not in queues:
            queues[key] = asyncio.Queue()
            workers.append(asyncio.create_task(destination(queues[key])))
        queues[key].put_nowait(_Job(alert, n, spec, tp.partition, entry))
