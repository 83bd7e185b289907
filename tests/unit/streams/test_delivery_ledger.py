"""The delivery ledger's bookkeeping (streams/ledger.py) and the delivery loop's commit rule
(streams/delivery.py), on plain data; the Kafka side is tested on the real stack
(tests/integration/test_resilience.py)."""

from __future__ import annotations

import json
from collections import deque

from streams.delivery import _committable, _Pending
from streams.ledger import LedgerState, ledger_entry, ledger_partition


def _entry(delivery_id: str, offset: int, *, kind: str = "webhook", partition: int = 0) -> dict:
    return {
        "delivery_id": delivery_id,
        "kind": kind,
        "alert_partition": partition,
        "alert_offset": offset,
    }


def test_records_of_one_alerts_partition_share_a_ledger_partition():
    assert {ledger_partition(3, 4), ledger_partition(7, 4)} == {3}
    assert ledger_partition(2, 1) == 0


def test_a_ledger_record_that_is_not_ours_is_skipped_not_fatal():
    assert ledger_entry(b"not json") is None
    assert ledger_entry(None) is None
    assert ledger_entry(b"[1, 2]") is None
    assert ledger_entry(json.dumps({"delivery_id": "a:0"}).encode()) is None
    assert ledger_entry(json.dumps(_entry("a:0", 5)).encode())["alert_offset"] == 5


def test_loading_takes_only_this_kind_and_this_partition():
    state = LedgerState("webhook")
    taken = state.load(
        1,
        [
            _entry("mine:0", 10, partition=1),
            _entry("later:1", 12, partition=1),
            _entry("mail:0", 11, kind="email", partition=1),
            _entry("other:0", 11, partition=2),  # shares the ledger partition, not ours
        ],
    )
    assert taken == 2
    assert state.delivered(1, "mine:0") and state.delivered(1, "later:1")
    assert not state.delivered(1, "mail:0")
    assert not state.delivered(1, "other:0") and not state.delivered(2, "other:0")


def test_a_delivery_is_remembered_past_its_commit_for_a_second_copy_of_the_alert():
    """A replay can write an alert again at a later offset: the newest deliveries are kept
    whatever their offset, the oldest forgotten first."""
    state = LedgerState("webhook", remembered=2)
    state.add(0, "a:0")
    state.add(0, "b:0")
    assert state.delivered(0, "a:0")
    state.add(0, "c:0")
    assert not state.delivered(0, "a:0")
    assert state.delivered(0, "b:0") and state.delivered(0, "c:0")
    state.add(1, "d:0")  # a bound per partition
    assert state.delivered(0, "b:0")


def test_a_partition_given_up_is_dropped():
    state = LedgerState("webhook")
    state.add(1, "c:0")
    state.drop(1)
    assert not state.delivered(1, "c:0")
    state.drop(9)  # a partition never seen: nothing to do


def test_the_offset_moves_past_an_alert_only_once_all_before_it_are_done():
    first, second, third = _Pending(7, 0), _Pending(8, 1), _Pending(9, 0)
    pending = {"tp": deque([first, second, third])}
    assert _committable(pending) == {"tp": 8}  # the alert at 8 still has a delivery to make
    assert list(pending["tp"]) == [second, third]
    second.remaining = 0
    assert _committable(pending) == {"tp": 10}
    assert _committable(pending) == {}  # nothing new
