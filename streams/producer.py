"""Producing articles to Kafka with kafka-python: from JSONL, a folder of files, or stdin.

``produce`` accepts what a desk has lying around:

- a ``.jsonl`` file (or ``-`` for stdin): one article object per line;
- a ``.json`` file: one article object, or an array of them;
- a ``.txt`` file: first line the title, the rest the body;
- a folder: every ``.json``, ``.jsonl`` and ``.txt`` file in it, sorted by name.

Articles read from files that carry neither ``url`` nor ``id`` get an ``id`` derived from their
title and body (``processors.articles.identity``), so producing the same file twice names the same
article twice, and it is indexed once. Lines that are not JSON are still sent, as they are:
the pipeline dead-letters them with the reason, which is where an operator looks for bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from config import Settings
from processors.articles.identity import article_id

__all__ = ["ProduceReport", "iter_messages", "produce_messages", "sync_producer"]

# kafka-python backs off reconnecting to a broker exponentially, up to 30 s by default: after a
# 20 s broker restart its next try came some 15 s after the broker was back, and everything it
# had buffered waited that long (seen in the fault campaign). A second is enough to spare it.
RECONNECT_BACKOFF_MAX_MS = 1000


def sync_producer(settings: Settings, **options: Any) -> Any:
    """A kafka-python producer for these settings that waits for every replica (``acks=all``)
    and reconnects within a second of a broker's return; ``options`` add to or override that."""
    from kafka import KafkaProducer

    return KafkaProducer(
        **{
            "bootstrap_servers": settings.kafka_bootstrap.split(","),
            "acks": "all",
            "reconnect_backoff_max_ms": RECONNECT_BACKOFF_MAX_MS,
            **options,
        }
    )


@dataclass
class ProduceReport:
    sent: int = 0
    failed: int = 0


def _with_id(obj: Any) -> Any:
    if isinstance(obj, dict) and obj.get("id") is None and not obj.get("url"):
        title = obj.get("title") if isinstance(obj.get("title"), str) else ""
        body = obj.get("body") if isinstance(obj.get("body"), str) else ""
        if title or body:
            return {"id": article_id(title=title, body=body), **obj}
    return obj


def _encode(obj: Any) -> tuple[bytes | None, bytes]:
    obj = _with_id(obj)
    key = None
    if isinstance(obj, dict):
        if obj.get("id") is not None:
            key = str(obj["id"]).encode()
        elif isinstance(obj.get("url"), str):
            key = article_id(url=obj["url"]).encode()
    return key, json.dumps(obj, ensure_ascii=False).encode()


def _lines(stream: IO[bytes]) -> Iterator[tuple[bytes | None, bytes]]:
    for raw in stream:
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            yield None, line  # the pipeline dead-letters it, with the reason
            continue
        yield _encode(obj)


def _file(path: Path) -> Iterator[tuple[bytes | None, bytes]]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open("rb") as fh:
            yield from _lines(fh)
    elif suffix == ".json":
        data = json.loads(path.read_bytes())
        for obj in data if isinstance(data, list) else [data]:
            yield _encode(obj)
    elif suffix == ".txt":
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        yield _encode({"title": title.strip(), "body": body.strip(), "source": path.name})
    else:
        raise ValueError(f"{path}: not .json, .jsonl or .txt; rename it or convert it to JSONL")


def iter_messages(source: str) -> Iterator[tuple[bytes | None, bytes]]:
    """``(key, value)`` pairs for every article in ``source`` (file, folder or ``-``)."""
    if source == "-":
        yield from _lines(sys.stdin.buffer)
        return
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".json", ".jsonl", ".txt"))
        if not files:
            raise ValueError(f"{path}: no .json, .jsonl or .txt files in this folder")
        for file in files:
            yield from _file(file)
    elif path.is_file():
        yield from _file(path)
    else:
        raise FileNotFoundError(f"{source}: no such file or folder")


def produce_messages(
    settings: Settings,
    messages: Iterator[tuple[bytes | None, bytes]],
    *,
    topic: str | None = None,
    progress: bool = True,
    total: int | None = None,
) -> ProduceReport:
    """Send every message and wait for Kafka to confirm each; count what was sent and failed."""
    from tqdm import tqdm

    producer = sync_producer(settings, linger_ms=5, retries=5, max_request_size=8 * 1024 * 1024)
    report = ProduceReport()
    bar = tqdm(total=total, unit="article", disable=not progress, file=sys.stderr)
    futures = []

    def done(_: Any) -> None:
        report.sent += 1
        bar.update(1)

    def failed(exc: BaseException) -> None:
        report.failed += 1
        bar.write(f"failed to send: {exc}")

    try:
        for key, value in messages:
            future = producer.send(topic or settings.articles_topic, key=key, value=value)
            future.add_callback(done).add_errback(failed)
            futures.append(future)
        producer.flush(timeout=60)
    finally:
        producer.close(timeout=10)
        bar.close()
    report.failed += sum(1 for f in futures if not f.is_done)
    return report
