"""Delivering alerts: webhooks (signed JSON POST) and email (SMTP), each channel on its own.

Each channel type reads the ``alerts`` topic with a consumer group of its own, and within it each
destination (a webhook URL, a set of email recipients) has its own queue, so a destination that
fails (a receiver down, an SMTP server refusing) holds back only itself: it retries with
doubling back-off (capped by ``NEWSMON_DELIVERY_MAX_BACKOFF``), and the consumer commits an
alert's offset only once all its deliveries are made or refused for good, so after a restart
delivery resumes from the topic. Every outcome is written to the delivery log (the
``*-alert-deliveries`` index, one document per alert and channel), which is also checked before
sending, so a replay does not deliver twice.

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
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiohttp

from config import Settings
from processors.errors import OutboundRefused
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


async def _logged(es: Any, settings: Settings, doc_id: str) -> bool:
    """Was this alert already delivered on this channel? (If the log cannot be read, assume
    not: delivering twice beats not delivering.)"""
    try:
        found = await es.options(ignore_status=404).get(index=settings.deliveries_index, id=doc_id)
    except Exception:  # noqa: BLE001
        return False
    return bool(found.get("found")) and found["_source"].get("status") == "delivered"


# Deliveries made by this process, so a restart of the channel's loop (a commit refused during
# a rebalance) does not repeat one whose log entry is not written yet (Elasticsearch down).
_DELIVERED: dict[str, None] = {}  # insertion-ordered: the oldest are forgotten first
_REMEMBERED = 200_000


async def _log(es: Any, settings: Settings, doc_id: str, doc: dict[str, Any]) -> None:
    """Write the delivery log entry, retrying while Elasticsearch is down: the alert's offset
    is committed only after this returns, so a delivery is never forgotten and repeated."""
    backoff = 0.5
    while True:
        try:
            await es.index(index=settings.deliveries_index, id=doc_id, document=doc)
            return
        except Exception as exc:  # noqa: BLE001 - any failure: try again later
            log.warning(
                "delivery log not written yet",
                extra={"delivery": doc_id, "error": repr(exc)[:200], "retry_in_s": backoff},
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, settings.delivery_max_backoff)


async def _deliver(
    settings: Settings,
    es: Any,
    client: GuardedClient,
    alert: dict[str, Any],
    n: int,
    channel: dict[str, Any],
) -> asyncio.Task[None] | None:
    """Deliver one alert on one channel (retrying until it is delivered or refused for good);
    return the task writing its log entry, or None when it was delivered before."""
    doc_id = f"{alert['id']}:{n}"
    if doc_id in _DELIVERED or await _logged(es, settings, doc_id):
        return None
    kind = channel["type"]
    target = channel.get("url") or ", ".join(channel.get("to", []))
    attempt, backoff = 0, 1.0
    while True:
        attempt += 1
        try:
            status = await (
                _post(client, settings, alert, channel, attempt)
                if kind == "webhook"
                else _email(settings, alert, channel)
            )
            outcome, error = "delivered", None
        except PermanentFailure as exc:
            status, outcome, error = None, "refused", str(exc)
        except (TimeoutError, ConnectionError, OSError) as exc:
            DELIVERIES.labels(kind, "retry").inc()
            log.warning(
                "delivery failed, will retry",
                extra={
                    "channel": kind,
                    "target": target,
                    "alert_id": alert["id"],
                    "attempt": attempt,
                    "error": str(exc)[:300],
                    "retry_in_s": backoff,
                },
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, settings.delivery_max_backoff)
            continue
        DELIVERIES.labels(kind, outcome).inc()
        _DELIVERED[doc_id] = None
        if len(_DELIVERED) > _REMEMBERED:
            del _DELIVERED[next(iter(_DELIVERED))]
        return asyncio.create_task(
            _log(
                es,
                settings,
                doc_id,
                {
                    "alert_id": alert["id"],
                    "rule_id": alert["rule_id"],
                    "channel": f"{kind}:{target}",
                    "status": outcome,
                    "attempts": attempt,
                    "http_status": status,
                    "last_error": error,
                    "delivered_at": time.time(),
                },
            )
        )


def _one_done(record: _Pending) -> None:
    record.remaining -= 1


@dataclass
class _Pending:
    """An alert record of the topic and how many of its deliveries are still to be made."""

    offset: int
    remaining: int


_MAX_IN_FLIGHT = 5_000  # alerts read but not yet delivered; reading pauses beyond this


async def run_channel(settings: Settings, kind: str) -> None:
    """Deliver every alert of the topic that names a ``kind`` channel, forever.

    Each destination (a webhook URL, a list of email recipients) has its own queue, delivered in
    order with retries, so a dead endpoint holds back only itself. The consumer's offset
    advances past an alert only once all of its deliveries are done, so after a restart
    delivery resumes with the oldest undelivered alert (the delivery log skips the rest).
    """
    from aiokafka import AIOKafkaConsumer

    from streams.indexing import async_client

    consumer = AIOKafkaConsumer(
        settings.alerts_topic,
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        group_id=f"{settings.app_id}-deliver-{kind}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    es = async_client(settings)
    client = await GuardedClient(settings).open()
    pending: dict[Any, deque[_Pending]] = {}
    queues: dict[str, asyncio.Queue[tuple[dict[str, Any], int, dict[str, Any], _Pending]]] = {}
    workers: list[asyncio.Task[None]] = []
    log_writes: set[asyncio.Task[None]] = set()  # log entries still being written

    async def destination(queue: asyncio.Queue) -> None:  # type: ignore[type-arg]
        while True:
            alert, n, channel, record = await queue.get()
            logging_it = await _deliver(settings, es, client, alert, n, channel)
            if logging_it is None:
                record.remaining -= 1
            else:  # the offset moves past the alert once its delivery is in the log
                log_writes.add(logging_it)
                logging_it.add_done_callback(log_writes.discard)
                logging_it.add_done_callback(lambda _, r=record: _one_done(r))

    await consumer.start()
    try:
        while True:
            in_flight = sum(len(q) for q in pending.values())
            if in_flight < _MAX_IN_FLIGHT:
                batches = await consumer.getmany(timeout_ms=200, max_records=200)
            else:
                batches = {}
                await asyncio.sleep(0.2)
            for tp, records in batches.items():
                for record in records:
                    try:
                        alert = json.loads(record.value)
                    except (ValueError, TypeError):
                        alert = {}
                    mine = [
                        (n, c)
                        for n, c in enumerate(alert.get("channels") or [])
                        if c.get("type") == kind
                    ]
                    entry = _Pending(record.offset, len(mine))
                    pending.setdefault(tp, deque()).append(entry)
                    for n, channel in mine:
                        key = channel.get("url") or ",".join(sorted(channel.get("to", [])))
                        if key not in queues:
                            queues[key] = asyncio.Queue()
                            workers.append(asyncio.create_task(destination(queues[key])))
                        queues[key].put_nowait((alert, n, channel, entry))
            commits = {}
            for tp, entries in pending.items():
                done = None
                while entries and entries[0].remaining <= 0:
                    done = entries.popleft().offset
                if done is not None:
                    commits[tp] = done + 1
            if commits:
                await consumer.commit(commits)
    finally:
        for task in [*workers, *log_writes]:
            task.cancel()
        await consumer.stop()
        await client.close()
        await es.close()
