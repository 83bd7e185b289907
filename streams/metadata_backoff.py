"""A back-off for aiokafka's metadata updates, which have none: one fix, installed once.

While the broker is down (or restarting, its partitions briefly without a leader), aiokafka's
producer sender and consumer fetcher ask for a metadata update on every turn of their loops and
wait for it; the update fails at once (connection refused) and they ask again. Measured in the
fault campaign: one worker logged 6,000 "Unable connect" / "Unable to update metadata" lines a
second for the 20 s of a broker restart, a hot loop that took the CPU the restarting broker and
the other worker needed. (The same missing back-off in the fetcher: aio-libs/aiokafka#1155.)

Here the client's metadata update keeps a minimum interval of ``retry_backoff_ms`` between two
updates, and after a failed one waits twice as long each time, up to ``MAX_BACKOFF_S``: a
returned broker is seen within a second, and a down one is asked about a few times a second
instead of thousands. Every aiokafka client of a process that installed it (the worker's: faust's
consumer and producer, the delivery consumers; the desk's live feed) shares the patched method.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka.client import AIOKafkaClient

__all__ = ["MAX_BACKOFF_S", "install"]

MAX_BACKOFF_S = 1.0

_original = AIOKafkaClient._metadata_update
_clock, _sleep = time.monotonic, asyncio.sleep  # module names, so a test can drive them


async def _metadata_update(self: AIOKafkaClient, cluster_metadata: Any, topics: Any) -> bool:
    state = self.__dict__.setdefault("_newsmon_md", {"last": -1e9, "backoff": 0.0})
    wait = max(self._retry_backoff, state["backoff"]) - (_clock() - state["last"])
    if wait > 0:
        await _sleep(wait)
    state["last"] = _clock()
    ok = bool(await _original(self, cluster_metadata, topics))
    if ok:
        state["backoff"] = 0.0
    else:
        state["backoff"] = min(max(2 * state["backoff"], self._retry_backoff), MAX_BACKOFF_S)
    return ok


def install() -> None:
    """Patch aiokafka's client (idempotent: a second call changes nothing)."""
    AIOKafkaClient._metadata_update = _metadata_update  # type: ignore[method-assign]
