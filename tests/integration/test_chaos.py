"""The short fault campaign (`newsmon chaos --schedule short`), on the real one-broker stack.

1,000 articles at a steady rate through two workers with a catch-all webhook rule, while a
worker is killed with SIGKILL, Elasticsearch is stopped and the broker is restarted; then every
article, alert, delivery and dead letter is counted by id (newsmon/chaos.py).
"""

from __future__ import annotations

import pytest

from newsmon.chaos import MALFORMED, run_chaos

pytestmark = pytest.mark.integration

DELIVERIES_IN_THE_WINDOW = 10  # about what one destination queue has in flight at a fault
RECOVERY_BOUND_S = 30.0  # after each fault clears, articles are indexed within 2 s again
# A backlog drains at the spare capacity: a 40 s outage at half the capacity takes another 40 s
# to work off, at a quarter of it 13 s. So the campaign goes at a quarter of the capacity it
# measures first (4 articles/s at most, about a quarter of a quiet machine of this kind).
LOAD = 0.25


@pytest.mark.timeout(1500)  # about six minutes here; twice that where capacity is half as high
def test_short_campaign_loses_nothing_doubles_nothing_and_recovers(stack_settings, tmp_path):
    result = run_chaos(
        stack_settings,
        n=1000,
        rate=4.0,
        load=LOAD,
        workers=2,
        schedule="short",
        output=tmp_path / "chaos.json",
        log=print,
    )
    assert result["missing"] == 0, result["missing_ids"]
    # 1,000 and the stream behind the last fault (40 s after it clears, its recovery measured)
    assert result["articles"] >= 1000
    assert result["indexed"] == result["articles"]
    assert result["articles_without_alert"] == 0
    assert result["articles_with_two_alerts"] == 0
    assert result["alerts_undelivered"] == 0
    # A worker killed between a webhook POST and its log entry, or a rebalance while the log
    # cannot be written (Elasticsearch down), delivers those few again, with the same
    # X-Newsmon-Alert-Id (README, Delivery guarantees); more than that is a broken memory.
    assert result["alerts_delivered_twice"] <= DELIVERIES_IN_THE_WINDOW, result
    assert set(result["dead_letter_reasons"]) == set(MALFORMED)
    assert [f["fault"] for f in result["faults"]] == [
        "sigkill-worker",
        "elasticsearch-down",
        "broker-restart",
    ]
    assert result["capacity_per_s"] > 0 and result["rate_per_s"] <= 4.0
    for fault in result["faults"]:
        recovered = fault["recovered_s"]
        # on failure, the per-5-s timeline says whether it stalled or drained slowly
        assert recovered is not None and recovered <= RECOVERY_BOUND_S, (fault, result["timeline"])
