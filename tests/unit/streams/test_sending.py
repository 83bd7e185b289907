"""Sends are confirmed or reported, never dropped: retriable Kafka errors are sent again."""

from __future__ import annotations

import asyncio

from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError, NotLeaderForPartitionError

from streams.sending import confirm_all, is_retriable


def _send(outcomes: list[BaseException | None], calls: list[int], i: int):
    """A send whose successive attempts end as ``outcomes`` say (None: confirmed)."""

    async def send():
        calls[i] += 1
        future = asyncio.get_running_loop().create_future()
        outcome = outcomes.pop(0)
        if outcome is None:
            future.set_result("ok")
        else:
            future.set_exception(outcome)
        return future

    return send


def test_retriable_failures_are_sent_until_confirmed():
    calls = [0, 0]
    sends = [
        _send([NotLeaderForPartitionError(), KafkaTimeoutError(), None], calls, 0),
        _send([None], calls, 1),
    ]
    assert asyncio.run(confirm_all(sends, topic="t", max_backoff=0.01)) == [None, None]
    assert calls == [3, 1]


def test_a_refusal_for_good_is_returned_not_retried():
    calls = [0]
    too_large = MessageSizeTooLargeError()
    assert asyncio.run(confirm_all([_send([too_large], calls, 0)], topic="t")) == [too_large]
    assert calls == [1]


def test_which_errors_are_retriable():
    assert is_retriable(KafkaTimeoutError())
    assert is_retriable(NotLeaderForPartitionError())
    assert is_retriable(ConnectionResetError())
    assert not is_retriable(MessageSizeTooLargeError())
    assert not is_retriable(ValueError("a bug"))
