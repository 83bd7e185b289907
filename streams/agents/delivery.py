"""The delivery tasks: one per kind of channel (streams/channels), each following the alerts
topic and delivering to that kind's channels through the ledger (streams.delivery)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import faust

from config import Settings
from streams.background import keep_running
from streams.channels import CHANNELS
from streams.delivery import run_channel

__all__ = ["register_delivery"]


def register_delivery(app: faust.App, settings: Settings) -> None:
    """Attach one delivery task per kind of channel."""
    for kind in CHANNELS:
        app.task(_delivery_task(settings, kind))


def _delivery_task(settings: Settings, kind: str) -> Callable[[], Awaitable[None]]:
    """The app task delivering alerts on ``kind`` channels (faust passes the app to a task
    that takes an argument, so the task takes none)."""

    async def deliver() -> None:
        await keep_running(run_channel, settings, kind)

    deliver.__name__ = deliver.__qualname__ = f"deliver_{kind}"
    return deliver
