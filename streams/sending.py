"""Sending to Kafka until Kafka confirms: retriable errors are waited out, never dropped.

An agent acknowledges its inputs only after their outputs are confirmed, so a send that fails
must not end the batch: an agent that raises leaves its batch unacknowledged and goes on with
the next one, and the batch's records are then processed again only when the consumer re-reads
them (``streams.consumer``). So every send goes through ``confirm_all``: sends that fail with
an error Kafka calls retriable (a broker restarting, a leader moving, a request timing out) are
sent again with doubling back-off until they are confirmed; an error that no retry can fix (a
record larger than the topic accepts) is returned to the caller, who dead-letters the input.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka.errors import KafkaError

from streams.metrics import SEND_RETRIES

__all__ = ["Send", "confirm_all", "is_retriable", "send_of"]

log = logging.getLogger(__name__)

#: A send not yet made: calling it starts the send and gives the future of its confirmation.
Send = Callable[[], Awaitable[Awaitable[Any]]]


def send_of(topic: Any, key: bytes | None, value: bytes | None, **options: Any) -> Send:
    """The send of one record to a Faust topic, made now (``force``: not held back until the
    agent's event is acknowledged, which faust's default would do)."""
    return lambda: topic.send(key=key, value=value, force=True, **options)


def is_retriable(exc: BaseException) -> bool:
    """Whether sending again can succeed: Kafka's own verdict, and any timeout or lost
    connection (a broker that is restarting answers with those)."""
    if isinstance(exc, KafkaError):
        return bool(getattr(exc, "retriable", False)) or type(exc).__name__ in (
            "KafkaConnectionError",
            "KafkaTimeoutError",
            "RequestTimedOutError",
            "NodeNotReadyError",
        )
    return isinstance(exc, (TimeoutError, ConnectionError, OSError))


async def _attempt(send: Send) -> BaseException | None:
    try:
        await (await send())
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - sorted into retriable or not by the caller
        return exc
    return None


async def confirm_all(
    sends: Sequence[Send], *, topic: str, max_backoff: float = 10.0
) -> list[BaseException | None]:
    """Make every send and wait for Kafka to confirm each; retriable failures are sent again
    until they are confirmed. Returns, per send, None or the error that cannot be retried."""
    outcome: list[BaseException | None] = list(
        await asyncio.gather(*(_attempt(send) for send in sends))
    )
    backoff = 0.25
    while True:
        again = [i for i, exc in enumerate(outcome) if exc is not None and is_retriable(exc)]
        if not again:
            return outcome
        log.warning(
            "kafka send failed, sending again",
            extra={
                "topic": topic,
                "records": len(again),
                "error": repr(outcome[again[0]])[:300],
                "retry_in_s": backoff,
            },
        )
        SEND_RETRIES.labels(topic).inc(len(again))
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)
        retried = await asyncio.gather(*(_attempt(sends[i]) for i in again))
        for i, exc in zip(again, retried, strict=True):
            outcome[i] = exc
