"""aiokafka's metadata update, with the back-off it lacks (streams.metadata_backoff): driven by
a fake clock and a fake update, so the waits it asks for are seen without waiting them."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from streams import metadata_backoff


@pytest.fixture
def driven(monkeypatch):
    """The patched update with a clock that moves only when it sleeps, and a broker that is
    down until ``outcomes`` says otherwise."""
    clock = {"now": 100.0}
    slept: list[float] = []
    outcomes: list[bool] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        clock["now"] += seconds

    async def update(client, cluster_metadata, topics) -> bool:
        return outcomes.pop(0)

    monkeypatch.setattr(metadata_backoff, "_clock", lambda: clock["now"])
    monkeypatch.setattr(metadata_backoff, "_sleep", sleep)
    monkeypatch.setattr(metadata_backoff, "_original", update)
    client = SimpleNamespace(_retry_backoff=0.1)

    def call(*results: bool) -> list[bool]:
        outcomes.extend(results)
        loop = asyncio.new_event_loop()
        try:
            return [
                loop.run_until_complete(metadata_backoff._metadata_update(client, None, set()))
                for _ in results
            ]
        finally:
            loop.close()

    return SimpleNamespace(call=call, slept=slept, clock=clock)


def test_a_broker_that_refuses_is_asked_less_and_less_often(driven):
    assert driven.call(False, False, False, False, False, False, False) == [False] * 7
    # the first at once; then the minimum interval, doubling after each failure, up to 1 s
    assert driven.slept == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_updates_that_succeed_keep_only_the_minimum_interval(driven):
    driven.call(False, False, False, True)
    driven.slept.clear()
    driven.call(True, True)
    assert driven.slept == [0.1, 0.1]


def test_an_update_long_after_the_last_does_not_wait(driven):
    driven.call(True)
    driven.clock["now"] += 60
    driven.call(True)
    assert driven.slept == []


def test_install_patches_the_client_every_aiokafka_user_shares():
    from aiokafka.client import AIOKafkaClient

    metadata_backoff.install()
    metadata_backoff.install()
    assert AIOKafkaClient._metadata_update is metadata_backoff._metadata_update
