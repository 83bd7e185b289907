"""Delivering alerts: webhooks (signed JSON POST) and email (SMTP), each channel on its own.

Each channel type reads the ``alerts`` topic with a consumer group of its own, and within it each
destination (a webhook URL, a set of email recipients) has its own queue, so a destination that
fails (a receiver down, an SMTP server refusing) holds back only itself: it retries with
doubling back-off (capped by ``NEWSMON_DELIVERY_MAX_BACKOFF``). Every outcome is recorded in the
delivery ledger (``streams.ledger``, a Kafka topic) before the alert's offset is committed, and
the ledger is read back before delivering: after a restart delivery resumes from the topic, and
what was delivered since the last commit is not delivered again. A worker that stops or loses
partitions in a rebalance first lets the attempts under way end and be recorded.

Webhook requests carry ``X-Newsmon-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body
under the channel's secret (``secret_env`` names an environment variable; else
``NEWSMON_WEBHOOK_SECRET``), and ``X-Newsmon-Alert-Id`` for the receiver's own deduplication.
They go through ``streams.outbound.GuardedClient``: a URL that reaches an internal address
(refused when the rule was saved, and checked again on the address connected to) is refused
for good, never sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiohttp
from aiokafka.errors import IllegalStateError

from config import Settings
from processors.errors import OutboundRefused
from streams.ledger import Ledger
from streams.metrics import DELIVERIES
from streams.outbound import GuardedClient

__all__ = ["CHANNEL_TYPES", "run_channel", "sign", "webhook_body"]

log = logging.getLogger(__name__)
CHANNEL_TYPES = ("webhook", "email")


class PermanentFailure(Exception):
    """The channel refused the alert for good (a 4xx answer): retrying will not help."""


def sign(secret: bytes, body: bytes) -> str:
    """The value of the ``X-Newsmon-Signature`` header for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def webhook_body(alert: dict[str, Any]) -> bytes:
    payload = {k: v for k, v in alert.items() if k != "channels"}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()


def _secret(settings: Settings, channel: dict[str, Any]) -> bytes | None:
    if channel.get("secret_env"):
        value = os.environ.get(channel["secret_env"])
        if value:
            return value.encode()
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value().encode()
    return None


async def _post(
    client: GuardedClient,
    settings: Settings,
    alert: dict[str, Any],
    channel: dict[str, Any],
    attempt: int,
) -> int:
    body = webhook_body(alert)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "newsmon",
        "X-Newsmon-Alert-Id": alert["id"],
        "X-Newsmon-Attempt": str(attempt),
    }
    secret = _secret(settings, channel)
    if secret is not None:
        headers["X-Newsmon-Signature"] = sign(secret, body)
    try:
        response = await client.post(channel["url"], data=body, headers=headers)
    except OutboundRefused as exc:  # an internal address: never sent, whatever the retries
        raise PermanentFailure(f"refused: {exc}") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ConnectionError(str(exc) or type(exc).__name__) from exc
    if response.status < 300:
        return response.status
    if response.status < 400:  # not followed: the receiver must answer the POST itself
        raise PermanentFailure(f"HTTP {response.status} (redirects are not followed)")
    if 400 <= response.status < 500 and response.status not in (408, 429):
        raise PermanentFailure(f"HTTP {response.status}")
    raise ConnectionError(f"HTTP {response.status}")


async def _email(settings: Settings, alert: dict[str, Any], channel: dict[str, Any]) -> int:
    import aiosmtplib

    article = alert.get("article") or {}
    matched = alert.get("matched") or {}
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(channel["to"])
    message["Subject"] = f"[newsmon] {alert['rule_name']}: {article.get('title') or ''}"[:200]
    message["X-Newsmon-Alert-Id"] = alert["id"]
    lines = [
        f"Rule: {alert['rule_name']} ({alert['rule_id']})",
        f"Article: {article.get('title') or ''}",
        f"Source: {article.get('source') or '-'}   URL: {article.get('url') or '-'}",
    ]
    if matched.get("snippet"):
        lines.append(f"Matched: {matched['snippet']}")
    if matched.get("place"):
        lines.append(
            f"Place: {matched['place'].get('name')} ({matched['place'].get('country_code')})"
        )
    if matched.get("event"):
        event = matched["event"]
        lines.append(f"Event: {event.get('type')}, fatalities {event.get('fatalities')}")
    if alert.get("digest"):
        lines.append(f"Digest of {alert['digest']['count']} articles:")
        lines += [f"  - {i['article'].get('title')}" for i in alert["digest"]["items"][:50]]
    message.set_content("\n".join(lines) + "\n")
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            start_tls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=10,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"recipients refused: {exc}") from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise ConnectionError(str(exc) or type(exc).__name__) from exc
    return 250


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


async def _attempt(
    settings: Settings, client: GuardedClient, job: _Job, attempt: int
) -> tuple[int | None, str, str | None]:
    """One try: (status, "delivered" or "refused", error); raises what is worth retrying."""
    try:
        if job.channel["type"] == "webhook":
            status = await _post(client, settings, job.alert, job.channel, attempt)
        else:
            status = await _email(settings, job.alert, job.channel)
    except PermanentFailure as exc:
        return None, "refused", str(exc)
    return status, "delivered", None


async def _deliver(settings: Settings, client: GuardedClient, ledger: Ledger, job: _Job) -> bool:
    """Deliver one alert on one channel, retrying until it is delivered or refused for good,
    and record the outcome in the ledger; True once that is done (or was done before), False
    if the alert's partition was given up first."""
    delivery_id = f"{job.alert['id']}:{job.n}"
    if ledger.state.delivered(job.partition, delivery_id):
        return True
    kind = job.channel["type"]
    target = job.channel.get("url") or ", ".join(job.channel.get("to", []))
    attempt, backoff = 0, 1.0
    while not job.record.dropped:
        attempt += 1
        job.record.busy += 1  # from here the attempt runs to its end and is recorded
        try:
            status, outcome, error = await _attempt(settings, client, job, attempt)
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
    pending: dict[Any, deque[_Pending]] = {}
    queues: dict[str, asyncio.Queue[_Job]] = {}
    workers: list[asyncio.Task[None]] = []
    read: set[Any] = set()  # partitions whose ledger has been read since they were assigned
    generation = 0  # bumped at each revocation: a batch fetched before one is not used

    async def destination(queue: asyncio.Queue[_Job]) -> None:
        while True:
            job = await queue.get()
            if not job.record.dropped and await _deliver(settings, client, ledger, job):
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
                    _take(record, tp, kind, pending, queues, workers, destination)
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
    kind: str,
    pending: dict[Any, deque[_Pending]],
    queues: dict[str, asyncio.Queue[_Job]],
    workers: list[asyncio.Task[None]],
    destination: Any,
) -> None:
    """Queue the ``kind`` deliveries of one alert record, each on its destination's queue."""
    try:
        alert = json.loads(record.value)
    except (ValueError, TypeError):
        alert = {}
    if not isinstance(alert, dict):
        alert = {}
    mine = [(n, c) for n, c in enumerate(alert.get("channels") or []) if c.get("type") == kind]
    entry = _Pending(record.offset, len(mine))
    pending.setdefault(tp, deque()).append(entry)
    for n, channel in mine:
        key = channel.get("url") or ",".join(sorted(channel.get("to", [])))
        if key not in queues:
            queues[key] = asyncio.Queue()
            workers.append(asyncio.create_task(destination(queues[key])))
        queues[key].put_nowait(_Job(alert, n, channel, tp.partition, entry))
