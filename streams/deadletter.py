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

__all__ = ["DeadLetter", "dead_letter_headers", "parse_dead_letter", "read_dead_letters"]

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
    from streams.topics import read_to_end

    with contextlib.closing(read_to_end(settings, settings.dlq_topic, timeout_s=timeout_s)) as rs:
        return [
            parse_dead_letter(record.headers or [], record.key, record.value)
            for record in itertools.islice(rs, limit)
        ]
