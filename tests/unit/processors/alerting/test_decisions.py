"""Alert decisions on plain data: ids, throttling, aggregates, digests, replays."""

import pytest

from processors.alerting.decisions import alert_id, decide, due_digests
from processors.alerting.model import Alert
from processors.alerting.rules import validate_rule
from processors.errors import InvalidRule


def rule(**extra):
    return validate_rule({"id": "r", "name": "R", "query": "clash", **extra})


def record(article_id, *, country="SY", at=1000.0):
    return {
        "rule_id": "r",
        "article_id": article_id,
        "article": {"id": article_id, "title": article_id, "source": "S"},
        "matched": {"place": {"country_code": country}},
        "arrived_at": at,
    }


def test_alert_ids_are_stable_and_distinct():
    assert alert_id("r", "a") == alert_id("r", "a")
    assert alert_id("r", "a") != alert_id("r", "b") != alert_id("s", "a")


def test_one_alert_per_rule_and_article_even_when_replayed():
    first = decide(rule(), record("a"), {}, now=1001.0)
    assert [a["id"] for a in first.alerts] == [alert_id("r", "a")]
    assert first.alerts[0]["latency_ms"] == 1000.0
    again = decide(rule(), record("a"), first.state, now=1002.0)
    assert again.alerts == []


def test_throttle_per_key_counts_what_it_suppressed():
    throttled = rule(throttle={"realert": "10m", "key": "country"})
    d1 = decide(throttled, record("a"), {}, now=1000)
    d2 = decide(throttled, record("b"), d1.state, now=1100)  # same country, too soon
    d3 = decide(throttled, record("c", country="IQ"), d2.state, now=1100)  # other key
    d4 = decide(throttled, record("d"), d3.state, now=1700)  # after realert
    assert [len(d.alerts) for d in (d1, d2, d3, d4)] == [1, 0, 1, 1]
    assert d4.alerts[0]["suppressed"] == 1 and d4.alerts[0]["key"] == "SY"


def test_frequency_fires_once_per_window():
    freq = rule(aggregate={"kind": "frequency", "window": "1h", "count": 3})
    state, fired = {}, []
    for n, at in enumerate([10.0, 20.0, 30.0, 40.0]):
        d = decide(freq, record(f"a{n}", at=at), state, now=at)
        state, fired = d.state, fired + d.alerts
    assert len(fired) == 1 and fired[0]["window"]["count"] == 3
    assert fired[0]["id"] == alert_id("r", "window:0")


def test_spike_compares_with_the_previous_window():
    spike = rule(aggregate={"kind": "spike", "window": "1h", "factor": 3, "min_count": 3})
    state, fired = {}, []
    timeline = [100.0] + [3700.0 + i for i in range(3)]  # 1 then 3 in the next hour
    for n, at in enumerate(timeline):
        d = decide(spike, record(f"a{n}", at=at), state, now=at)
        state, fired = d.state, fired + d.alerts
    assert len(fired) == 1 and fired[0]["window"]["previous"] == 1


def test_digest_gathers_then_sends_one_alert():
    digest = rule(digest="15m")
    state = {}
    for n in range(3):
        state = decide(digest, record(f"a{n}"), state, now=1000 + n).state
    assert due_digests(digest, state, now=1300).alerts == []  # not due yet
    due = due_digests(digest, state, now=1000 + 900)
    [alert] = due.alerts
    assert alert["kind"] == "digest" and alert["digest"]["count"] == 3
    assert "digest" not in due.state


def test_a_replayed_match_after_its_digest_starts_no_second_digest():
    digest = rule(digest="15m")
    state = {}
    for n in range(2):
        state = decide(digest, record(f"a{n}"), state, now=1000 + n).state
    sent = due_digests(digest, state, now=1000 + 900)
    replayed = decide(digest, record("a1"), sent.state, now=2000)  # a partition re-read
    assert "digest" not in replayed.state
    assert due_digests(digest, replayed.state, now=5000).alerts == []
    fresh = decide(digest, record("b"), replayed.state, now=2001)
    assert [i["article_id"] for i in fresh.state["digest"]["items"]] == ["b"]


def test_alert_document_keeps_times_the_index_can_reread() -> None:
    from processors.alerting.decisions import alert_document

    alert = {"id": "a", "fired_at": 1795553908.4535644, "arrived_at": 1795553908, "channels": []}
    doc = alert_document(alert)
    assert doc["fired_at"] == "2026-11-24T20:58:28.453Z"
    assert doc["arrived_at"] == "2026-11-24T20:58:28.000Z"
    assert "channels" not in doc and alert["fired_at"] == 1795553908.4535644  # input untouched


def _in_story(article_id, story, *, at=1000.0):
    return {**record(article_id, at=at), "story": story}


def _run(r, records, state=None, now=2000.0):
    alerts, state = [], state or {}
    for rec in records:
        decision = decide(r, rec, state, now=now)
        alerts += decision.alerts
        state = decision.state
    return alerts, state


def test_group_by_story_sends_one_alert_per_story_not_per_report():
    grouped = rule(group_by="story")
    reports = [_in_story("a", "s1"), _in_story("b", "s1"), _in_story("c", "s2")]
    alerts, state = _run(grouped, reports)
    assert [(a["kind"], a["article_id"], a["story"]) for a in alerts] == [
        ("story", "a", "s1"),
        ("story", "c", "s2"),
    ]
    assert alerts[0]["id"] == alert_id("r", "story:s1")
    assert state["stories"] == ["s1", "s2"]
    again, _ = _run(grouped, reports, state)  # a replay of all three
    assert again == []
    # an article indexed before stories existed is a story of its own
    lone, _ = _run(grouped, [record("z")], state)
    assert [a["article_id"] for a in lone] == ["z"]


def test_a_story_that_grows_past_the_count_in_a_window_fires_once():
    breaking = rule(aggregate={"kind": "story_growth", "window": "1h", "count": 3})
    reports = [_in_story(f"a{i}", "s1", at=3600 + 60 * i) for i in range(5)]
    other = [_in_story(f"b{i}", "s2", at=3600 + 60 * i) for i in range(2)]
    alerts, state = _run(breaking, reports[:2] + other)
    assert alerts == []  # two reports of each story: not yet
    alerts, state = _run(breaking, reports[2:], state)
    assert len(alerts) == 1 and alerts[0]["kind"] == "story_growth"
    assert alerts[0]["story"] == "s1" and alerts[0]["window"]["count"] == 3
    assert alerts[0]["id"] == alert_id("r", "story:s1:window:3600")
    assert _run(breaking, reports, state)[0] == []  # a replay fires nothing more
    # the next hour is a new window: the story must grow again to fire again
    later = [_in_story(f"c{i}", "s1", at=7200 + 60 * i) for i in range(3)]
    alerts, _ = _run(breaking, later, state)
    assert [a["id"] for a in alerts] == [alert_id("r", "story:s1:window:7200")]


def test_story_rule_state_stays_small_on_a_busy_stream():
    breaking = rule(aggregate={"kind": "story_growth", "window": "1h", "count": 3})
    grouped = rule(group_by="story")
    reports = [_in_story(f"a{i}", f"s{i % 2100}", at=3600 + i * 0.1) for i in range(2_500)]
    _, grew = _run(breaking, reports)
    _, once = _run(grouped, reports)
    assert len(grew["story_windows"]) <= 2000
    assert all(len(ids) <= 3 for ids in grew["story_windows"].values())
    assert len(once["stories"]) <= 2000


def test_story_rules_are_told_apart_and_group_by_does_not_stack():
    assert rule(group_by="story").needs_story
    assert rule(aggregate={"kind": "story_growth", "window": "1h", "count": 2}).needs_story
    assert not rule(aggregate={"kind": "frequency", "window": "1h", "count": 2}).needs_story
    clashes = ({"digest": "10m"}, {"aggregate": {"kind": "frequency", "window": "1h", "count": 2}})
    for clash in clashes:
        with pytest.raises(InvalidRule, match="group_by"):
            rule(group_by="story", **clash)


def test_every_kind_of_alert_has_the_one_shape_of_an_alert():
    """processors.alerting.model.Alert declares every field decide() writes, for every kind."""
    kinds = {
        "match": rule(throttle={"realert": "10m", "key": "country"}),
        "frequency": rule(aggregate={"kind": "frequency", "window": "1h", "count": 2}),
        "spike": rule(aggregate={"kind": "spike", "window": "1h", "factor": 2, "min_count": 2}),
        "digest": rule(digest="1h"),
        "story": rule(group_by="story"),
        "story_growth": rule(aggregate={"kind": "story_growth", "window": "1h", "count": 2}),
    }
    timeline = [(f"a{n}", at) for n, at in enumerate([100.0, 3700.0, 3701.0, 3702.0, 9000.0])]
    seen = set()
    for kind, r in kinds.items():
        state = {}
        for article_id, at in timeline:
            decision = decide(r, _in_story(article_id, "s1", at=at), state, now=at)
            state = decision.state
            for alert in [*decision.alerts, *due_digests(r, state, now=at + 7200).alerts]:
                parsed = Alert.model_validate(alert)
                assert parsed.model_extra == {}, f"{kind}: undeclared {sorted(parsed.model_extra)}"
                seen.add(parsed.kind)
        silenced = decide(rule(), record("b"), {}, now=1.0, silenced=True)
        after = decide(rule(), record("c"), silenced.state, now=2.0)
        assert Alert.model_validate(after.alerts[0]).silenced == 1
    assert seen == set(kinds)
