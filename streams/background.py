"""Long-lived background jobs (the rule store, the live feed, deliveries), kept running."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["keep_running"]

log = logging.getLogger(__name__)


async def keep_running(job: Callable[..., Awaitable[Any]], *args: Any, pause: float = 5.0) -> None:
    """Run ``job(*args)``; if it crashes, log it and start it again after ``pause`` seconds.
    Only cancellation stops it."""
    while True:
        try:
            await job(*args)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a crash must not end the job for good
            log.exception("background job crashed; restarting", extra={"job": job.__qualname__})
            await asyncio.sleep(pause)
