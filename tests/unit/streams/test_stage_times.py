"""Where an alert's latency went: the enrichment header, the stage breakdown, and the batched
decision stage (streams/agents/alerts.py) on plain fakes, no broker."""

from __future__ import annotations

import asyncio
import json

from faust.streams import current_event

from processors.alerting.decisions import stages_ms
from processors.alerting.rules import validate_rule
from streams.agents.alerts import _decide_batch
from streams.stage_times import ENRICH_HEADER, encode_span, enrich_span


def test_the_enrichment_span_goes_through_a_header_and_back():
    headers = [("other", b"x"), (ENRICH_HEADER, encode_span(100.25, 101.5))]
    assert enrich_span(headers) == (100.25, 101.5)
    assert enrich_span(dict(headers)) == (100.25, 101.5)


def test_a_record_without_the_header_or_with_a_bad_one_has_no_span():
    assert enrich_span(None) is None
    assert enrich_span([("other", b"x")]) is None
    assert enrich_span([(ENRICH_HEADER, b"soon")]) is None
    assert enrich_span([(ENRICH_HEADER, b"\xff\xfe")]) is None


def test_stages_add_up_to_the_latency():
    record = {
        "arrived_at": 100.0,
        "enrich_started_at": 100.2,
        "enrich_ended_at": 100.7,
        "matched_at": 100.75,
    }
    stages = stages_ms(record, fired_at=100.9)
    assert stages == {"queue": 200.0, "enrich": 500.0, "match": 50.0, "decide": 150.0}
    assert sum(stages.values()) == 900.0


def test_a_match_without_the_times_has_no_stages():
    assert stages_ms({"arrived_at": 100.0, "matched_at": 101.0}, fired_at=102.0) is None


class _Message:
    def __init__(self, key: bytes, value: bytes, partition: int = 0) -> None:
        self.key, self.value, self.partition, self.topic = key, value, partition, "matches"


class _Event:
    def __init__(self, key: bytes, value: bytes) -> None:
        self.message = _Message(key, value)


class _Store:
    def __init__(self, *rules) -> None:
        self.rules = {r.id: r for r in rules}

    def rule(self, rule_id):
        return self.rules.get(rule_id)

    def silences_of(self, rule_id, now):
        return []


class _Future:
    def __await__(self):
        yield from asyncio.sleep(0).__await__()
        return None


class _AlertsTopic:
    def __init__(self, log: list) -> None:
        self.log = log

    async def send(self, *, key, value, force):
        self.log.append(("alert", json.loads(value)["id"]))
        return _Future()

    def get_topic_name(self) -> str:
        return "alerts"


class _Topics:
    def __init__(self, log: list) -> None:
        self.alerts = _AlertsTopic(log)


class _Table(dict):
    """A rule-state table that notes, for each write, the event faust would take it from."""

    def __init__(self, log: list) -> None:
        super().__init__()
        self.log = log

    def __missing__(self, key):
        return {}

    def __setitem__(self, key, value) -> None:
        self.log.append(("state", key, current_event()))
        super().__setitem__(key, value)


def _match(rule_id: str, article_id: str) -> _Event:
    value = {
        "rule_id": rule_id,
        "article_id": article_id,
        "article": {"id": article_id, "title": article_id},
        "matched": {},
        "arrived_at": 1000.0,
    }
    return _Event(rule_id.encode(), json.dumps(value).encode())


def test_a_batch_of_matches_fires_each_alert_once_before_any_state_is_written():
    log: list = []
    rule = validate_rule({"id": "r", "name": "R", "query": "x"})
    other = validate_rule({"id": "s", "name": "S", "query": "x"})
    events = [_match("r", "a"), _match("s", "a"), _match("r", "b"), _match("r", "a")]
    state = _Table(log)
    asyncio.run(_decide_batch(events, _Store(rule, other), state, _Topics(log)))
    alerts = [entry for entry in log if entry[0] == "alert"]
    writes = [entry for entry in log if entry[0] == "state"]
    assert len(alerts) == 3  # r:a, s:a, r:b; the repeat of r:a carried r's state and fired none
    assert log.index(writes[0]) > log.index(alerts[-1])  # the alerts exist first
    assert [(w[1], w[2]) for w in writes] == [(b"r", events[3]), (b"s", events[1])]
    assert state[b"r"]["seen"] == ["a", "b"]


def test_a_match_of_a_deleted_rule_is_passed_over():
    log: list = []
    rule = validate_rule({"id": "r", "name": "R", "query": "x"})
    asyncio.run(_decide_batch([_match("gone", "a")], _Store(rule), _Table(log), _Topics(log)))
    assert log == []


def test_percentiles_are_nearest_rank():
    from newsmon.latency import percentile

    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) is None
