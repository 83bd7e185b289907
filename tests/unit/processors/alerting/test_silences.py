"""Silences on plain data: which matches they hold, validation, and the decision they change."""

import pytest

from processors.alerting.decisions import decide
from processors.alerting.rules import validate_rule
from processors.alerting.silences import silence_for, validate_silence
from processors.errors import InvalidRule
from streams.rulestore import RuleStore


def match(article_id, *, country="NG", source="Wire A", place="Kano"):
    return {
        "rule_id": "violence",
        "article_id": article_id,
        "article": {"id": article_id, "title": article_id, "source": source},
        "matched": {"place": {"country_code": country, "name": place, "admin1": "NG-KN"}},
        "arrived_at": 100.0,
    }


def silence(**extra):
    fields = {"id": "s-1", "rule_id": "violence", "key": "country", "value": "ng", "until": 500.0}
    return validate_silence({**fields, **extra})


def test_a_silence_holds_for_its_rule_and_value_until_it_ends():
    quiet = silence()
    assert quiet.covers("violence", match("a"), now=100)  # value compared without case
    assert not quiet.covers("violence", match("a", country="GH"), now=100)
    assert not quiet.covers("other-rule", match("a"), now=100)
    assert not quiet.covers("violence", match("a"), now=500)  # ended
    every_rule = silence(rule_id="*", key="source", value="Wire A")
    assert every_rule.covers("other-rule", match("a"), now=100)
    assert silence_for([quiet, every_rule], "x", match("a", source="Wire B"), now=100) is None
    assert silence_for([quiet, every_rule], "x", match("a"), now=100) is every_rule


def test_a_bad_silence_lists_every_bad_field():
    with pytest.raises(InvalidRule) as caught:
        validate_silence({"id": "bad id", "rule_id": "r", "key": "planet", "value": "", "until": 1})
    fields = {e.field for e in caught.value.errors}
    assert {"id", "key", "value"} <= fields


def test_silenced_matches_make_no_alert_and_the_next_alert_counts_them():
    rule = validate_rule({"id": "violence", "name": "V", "query": "clash"})
    d1 = decide(rule, match("a"), {}, now=200, silenced=True)
    d2 = decide(rule, match("b"), d1.state, now=210, silenced=True)
    replay = decide(rule, match("a"), d2.state, now=220, silenced=True)  # counted once
    after = decide(rule, match("c"), replay.state, now=600)
    late_replay = decide(rule, match("a"), after.state, now=610)  # silenced then: stays quiet
    assert [len(d.alerts) for d in (d1, d2, replay, after, late_replay)] == [0, 0, 0, 1, 0]
    assert after.alerts[0]["silenced"] == 2
    assert "silenced" not in after.state
    again = decide(rule, match("d"), after.state, now=620)
    assert "silenced" not in again.alerts[0]


def test_the_rule_store_holds_silences_beside_rules_and_a_tombstone_lifts_one():
    from config import Settings

    store = RuleStore(Settings())
    quiet = silence()
    assert store.apply(quiet.record_key, quiet.to_bytes()) is False  # the rule set is unchanged
    assert store.rules == {} and store.silences == {"s-1": quiet}
    assert store.silences_of("violence", now=100) == [quiet]
    assert store.silences_of("violence", now=600) == []
    assert store.apply(b"silence/s-2", b'{"id": "s-2", "key": "nope"}') is False  # skipped
    assert set(store.silences) == {"s-1"}
    lifted = quiet.lifted(by="omar", now=150)
    store.apply(lifted.record_key, lifted.to_bytes())
    assert store.silences_of("violence", now=160) == []  # lifted before its end
    assert store.silences["s-1"].lifted_by == "omar"
    store.apply(quiet.record_key, None)  # a tombstone (compaction, an operator) forgets it
    assert store.silences == {}
