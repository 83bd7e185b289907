"""The short fault campaign (`newsmon chaos --schedule short`), on the real one-broker stack.

1,000 articles at a steady rate through two workers with a catch-all webhook rule, while a
worker is killed with SIGKILL, Elasticsearch is stopped and the broker is restarted; then every
article, alert, delivery and dead letter is counted by id (newsmon/chaos.py).
"""

from __future__ import annotations

import pytest

from newsmon.chaos import MALFORMED, run_chaos

pytestmark = pytest.mark.integration

# A worker killed with SIGKILL between a webhook POST and its ledger record: each destination
# queue makes one delivery at a time, so one fault can repeat at most one alert (README,
# Delivery guarantees); a stop, a rebalance or Elasticsearch down repeats none.
REPEATS_PER_SIGKILL = 1
RECOVERY_BOUND_S = 30.0  # after each fault clears, articles are indexed within 2 s again
# A backlog drains at the spare capacity: a 40 s outage at half the capacity takes another 40 s
# to work off, at a quarter of it 13 s. So the campaign goes at a quarter of the capacity it
# measures first, and at most 3 articles/s: while a broker restarts, it takes CPU the workers
# then lack (with a core kept busy, 4/s drained a restart's backlog in about 60 s, 3/s in 15 s).
LOAD = 0.25
MAX_RATE = 3.0


@pytest.mark.timeout(1500)  # about seven minutes here; more where capacity is under 12/s
def test_short_campaign_loses_nothing_doubles_nothing_and_recovers(stack_settings, tmp_path):
    result = run_chaos(
        stack_settings,
        n=1000,
        rate=MAX_RATE,
        load=LOAD,
        workers=2,
        schedule="short",
        output=tmp_path / "chaos.json",
        log=print,
    )
    assert result["missing"] == 0, (result["missing_ids"], result.get("diagnosis"))
    # 1,000 and the stream behind the last fault (40 s after it clears, its recovery measured)
    assert result["articles"] >= 1000
    assert result["indexed"] == result["articles"]
    assert result["articles_without_alert"] == 0
    assert result["articles_with_two_alerts"] == 0
    assert result["alerts_undelivered"] == 0
    assert result["alerts_delivered_twice"] <= REPEATS_PER_SIGKILL, result
    assert set(result["dead_letter_reasons"]) == set(MALFORMED)
    assert [f["fault"] for f in result["faults"]] == [
        "sigkill-worker",
        "elasticsearch-down",
        "broker-restart",
    ]
    assert result["capacity_per_s"] > 0 and result["rate_per_s"] <= MAX_RATE
    for fault in result["faults"]:
        recovered = fault["recovered_s"]
        # on failure, the per-5-s timeline says whether it stalled or drained slowly
        assert recovered is not None and recovered <= RECOVERY_BOUND_S, (fault, result["timeline"])
