"""Dead-letter records: the original bytes untouched, and why and where they failed in headers.

A record on ``articles-dlq`` keeps the rejected message's key and value byte for byte, so fixing
the cause and replaying is a plain re-produce. Its headers say what went wrong:

=========================  ==========================================================
header                     value
=========================  ==========================================================
``newsmon-reason``         stable code (``not_json``, ``missing_id``, ``index_rejected``...)
``newsmon-error``          the human-readable message
``newsmon-errors``         JSON list of ``{field, message}``, when fields were at fault
``newsmon-stage``          ``enrich`` or ``index``
``newsmon-source``         ``topic/partition/offset`` of the rejected message
``newsmon-failed-at``      ISO 8601 UTC time
=========================  ==========================================================
"""

from __future__ import annotations

import contextlib
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "DeadLetter",
    "Replay",
    "dead_letter_headers",
    "parse_dead_letter",
    "read_dead_letters",
    "replay_dead_letters",
]

_PREFIX = "newsmon-"


@dataclass(frozen=True)
class DeadLetter:
    """A dead-letter record read back: reason, message and where the original came from."""

    reason: str
    error: str
    errors: list[dict[str, str]]
    stage: str
    source_topic: str
    source_partition: int
    source_offset: int
    failed_at: str
    value: bytes | None
    key: bytes | None


def dead_letter_headers(
    *,
    reason: str,
    error: str,
    stage: str,
    topic: str,
    partition: int,
    offset: int,
    errors: list[dict[str, str]] | None = None,
) -> list[tuple[str, bytes]]:
    """Kafka headers for a dead-letter record (see the module docstring)."""
    headers = [
        (_PREFIX + "reason", reason.encode()),
        (_PREFIX + "error", error[:2000].encode()),
        (_PREFIX + "stage", stage.encode()),
        (_PREFIX + "source", f"{topic}/{partition}/{offset}".encode()),
        (_PREFIX + "failed-at", datetime.now(UTC).isoformat().replace("+00:00", "Z").encode()),
    ]
    if errors:
        headers.append((_PREFIX + "errors", json.dumps(errors).encode()))
    return headers


def parse_dead_letter(
    headers: list[tuple[str, bytes]] | dict[str, bytes], key: bytes | None, value: bytes | None
) -> DeadLetter:
    """Read a dead-letter record's headers back into a ``DeadLetter``."""
    items = headers.items() if isinstance(headers, dict) else headers
    h: dict[str, str] = {
        k[len(_PREFIX) :]: (v or b"").decode("utf-8", "replace")
        for k, v in items
        if k.startswith(_PREFIX)
    }
    topic, partition, offset = (h.get("source", "?/-1/-1").rsplit("/", 2) + ["-1", "-1"])[:3]
    errors: Any = json.loads(h["errors"]) if h.get("errors") else []
    return DeadLetter(
        reason=h.get("reason", "unknown"),
        error=h.get("error", ""),
        errors=errors,
        stage=h.get("stage", ""),
        source_topic=topic,
        source_partition=int(partition),
        source_offset=int(offset),
        failed_at=h.get("failed-at", ""),
        value=value,
        key=key,
    )


def read_dead_letters(
    settings: Any, *, limit: int = 50, timeout_s: float = 5.0
) -> list[DeadLetter]:
    """The first ``limit`` records of the dead-letter topic (kafka-python, no consumer group)."""
    with contextlib.closing(read_to_end_of_dlq(settings, timeout_s)) as rs:
        return [
            parse_dead_letter(record.headers or [], record.key, record.value)
            for record in itertools.islice(rs, limit)
        ]


@dataclass(frozen=True)
class Replay:
    """What ``replay_dead_letters`` did: originals sent back, per reason, and what it left."""

    sent: dict[str, int]  # reason -> originals re-sent
    skipped_empty: int  # dead letters with no value (nothing to send again)
    repeats: int  # the same original dead-lettered more than once, sent once
    left: int  # dead letters outside --reason / --since


def replay_dead_letters(
    settings: Any,
    *,
    reasons: set[str] | None = None,
    since: datetime | None = None,
    dry_run: bool = False,
    timeout_s: float = 10.0,
) -> Replay:
    """Send the originals of the dead letters (of ``reasons``, dead-lettered at or after
    ``since``) back to the topic they came from, key and value byte for byte, after the cause
    is fixed. The dead letters stay where they are (the topic is a log); an original
    dead-lettered several times (read again after a fault) is sent once; every write
    downstream is idempotent by article id, so a replay repeated does not duplicate. An
    original that fails again is dead-lettered again, with its reason."""
    from streams.producer import sync_producer

    ours = {settings.articles_topic, settings.enriched_topic}
    with contextlib.closing(read_to_end_of_dlq(settings, timeout_s)) as records:
        letters = [parse_dead_letter(r.headers or [], r.key, r.value) for r in records]
    chosen, seen = [], set()
    sent: dict[str, int] = {}
    empty = repeats = left = 0
    for letter in letters:
        when = _failed_at(letter)
        if (reasons and letter.reason not in reasons) or (since and (when is None or when < since)):
            left += 1
            continue
        if letter.value is None:
            empty += 1
            continue
        origin = (letter.source_topic, letter.source_partition, letter.source_offset)
        if origin in seen and letter.source_offset >= 0:
            repeats += 1
            continue
        seen.add(origin)
        chosen.append(letter)
        sent[letter.reason] = sent.get(letter.reason, 0) + 1
    if chosen and not dry_run:
        producer = sync_producer(settings, retries=10)
        try:
            futures = [
                producer.send(
                    letter.source_topic if letter.source_topic in ours else settings.articles_topic,
                    key=letter.key,
                    value=letter.value,
                    headers=[
                        (
                            _PREFIX + "replayed-from",
                            f"{letter.source_topic}/{letter.source_partition}/"
                            f"{letter.source_offset}".encode(),
                        )
                    ],
                )
                for letter in chosen
            ]
            producer.flush(timeout_s * 3)
            for future in futures:
                future.get(timeout_s)  # raises if Kafka did not confirm: nothing silently lost
        finally:
            producer.close()
    return Replay(sent=sent, skipped_empty=empty, repeats=repeats, left=left)


def read_to_end_of_dlq(settings: Any, timeout_s: float) -> Any:
    from streams.topics import read_to_end

    return read_to_end(settings, settings.dlq_topic, timeout_s=timeout_s)


def _failed_at(letter: DeadLetter) -> datetime | None:
    try:
        return datetime.fromisoformat(letter.failed_at.replace("Z", "+00:00"))
    except ValueError:
        return None
