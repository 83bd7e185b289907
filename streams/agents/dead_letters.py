"""Dead letters from the agents: the input that could not be processed, byte for byte, to
``articles-dlq`` with why and where (headers of ``streams.deadletter``), confirmed by Kafka
before the batch that produced them is acknowledged."""

from __future__ import annotations

import logging
from typing import Any

from faust.types import EventT

from streams.deadletter import dead_letter_headers
from streams.metrics import DEAD_LETTERS
from streams.sending import Send, confirm_all, send_of
from streams.topics import Topics

__all__ = ["dead_letter_all", "dead_letter_send", "letter"]

log = logging.getLogger(__name__)


def dead_letter_send(
    topics: Topics,
    event: EventT,
    *,
    stage: str,
    reason: str,
    error: str,
    errors: list[dict[str, str]] | None = None,
    keep_value: bool = True,
) -> Send:
    """The send of ``event``'s message, byte for byte, to the dead-letter topic with why."""
    message = event.message
    DEAD_LETTERS.labels(stage, reason).inc()
    log.warning(
        "dead-lettered",
        extra={
            "stage": stage,
            "reason": reason,
            "error": error,
            "source": f"{message.topic}/{message.partition}/{message.offset}",
        },
    )
    headers = dead_letter_headers(
        reason=reason,
        error=error,
        stage=stage,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        errors=errors,
    )
    value = message.value if keep_value else b""
    return send_of(topics.dlq, message.key, value, headers=headers)


def letter(topics: Topics, event: EventT, **why: Any) -> tuple[EventT, Send]:
    """``event`` with the send of its dead letter (see ``dead_letter_send``)."""
    return event, dead_letter_send(topics, event, **why)


async def dead_letter_all(topics: Topics, letters: list[tuple[EventT, Send]]) -> None:
    """Send dead letters until Kafka confirms them. One the topic refuses for good (a record
    too large) is sent again without the original's bytes, which its source offset still
    names; if even that is refused, the batch fails and is not acknowledged."""
    failures = await confirm_all([send for _, send in letters], topic=topics.dlq.get_topic_name())
    again = [
        dead_letter_send(
            topics,
            event,
            stage="dead_letter",
            reason="dead_letter_rejected",
            error=f"the dead-letter topic refused the original ({exc!r}); it is at the source",
            keep_value=False,
        )
        for (event, _), exc in zip(letters, failures, strict=True)
        if exc is not None
    ]
    if again and any(await confirm_all(again, topic=topics.dlq.get_topic_name())):
        raise RuntimeError("the dead-letter topic refused records even without their values")
