"""Alert triage as plain functions: states, actions, history, and named API keys."""

from datetime import UTC, datetime, timedelta

import pytest

from api.deps import split_key_name
from api.triage import HISTORY_LIMIT, TriageError, apply_action, state_filters, state_of

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_an_alert_is_new_until_acknowledged_or_snoozed_and_a_past_snooze_is_new_again():
    assert state_of({}, NOW) == "new"
    assert state_of({"acknowledged": True}, NOW) == "acknowledged"
    assert state_of({"snoozed_until": "2026-03-01T13:00:00Z"}, NOW) == "snoozed"
    assert state_of({"snoozed_until": "2026-03-01T11:59:59Z"}, NOW) == "new"
    assert state_of({"snoozed_until": NOW.timestamp() + 60}, NOW) == "snoozed"
    # acknowledged wins over a snooze still running
    assert state_of({"acknowledged": True, "snoozed_until": "2026-03-02T00:00:00Z"}, NOW) == (
        "acknowledged"
    )


def test_the_search_filters_state_the_same_rule_with_the_searchs_own_clock():
    filters = state_filters()
    assert set(filters) == {"new", "snoozed", "acknowledged"}
    assert {"range": {"snoozed_until": {"gt": "now"}}} in filters["snoozed"]["bool"]["filter"]
    assert {"range": {"snoozed_until": {"gt": "now"}}} in filters["new"]["bool"]["must_not"]
    assert {"term": {"acknowledged": True}} in filters["new"]["bool"]["must_not"]


def test_acknowledging_records_who_when_and_the_note_and_ends_a_snooze():
    alert = {"snoozed_until": "2026-03-01T13:00:00Z", "history": [{"action": "snooze"}]}
    changes = apply_action(alert, "acknowledge", by="maria", now=NOW, note="  seen, local  ")
    assert changes["acknowledged"] is True
    assert changes["acknowledged_by"] == "maria"
    assert changes["snoozed_until"] is None
    assert changes["note"] == "seen, local"
    assert changes["history"] == [
        {"action": "snooze"},
        {
            "action": "acknowledge",
            "by": "maria",
            "at": "2026-03-01T12:00:00Z",
            "note": "seen, local",
        },
    ]
    assert state_of({**alert, **changes}, NOW) == "acknowledged"


def test_a_snooze_must_end_in_the_future_and_within_thirty_days():
    later = NOW + timedelta(hours=4)
    changes = apply_action({"acknowledged": True}, "snooze", by="a", now=NOW, until=later)
    assert changes["acknowledged"] is False
    assert state_of(changes, NOW) == "snoozed"
    assert state_of(changes, later + timedelta(seconds=1)) == "new"
    assert changes["history"][-1]["until"] == "2026-03-01T16:00:00Z"
    with pytest.raises(TriageError, match="future"):
        apply_action({}, "snooze", by="a", now=NOW, until=NOW - timedelta(minutes=1))
    with pytest.raises(TriageError, match="at most 30 days"):
        apply_action({}, "snooze", by="a", now=NOW, until=NOW + timedelta(days=31))
    with pytest.raises(TriageError, match="needs `until`"):
        apply_action({}, "snooze", by="a", now=NOW)


def test_reopen_assign_and_note():
    acked = {"acknowledged": True, "acknowledged_by": "b"}
    assert state_of({**acked, **apply_action(acked, "reopen", by="a", now=NOW)}, NOW) == "new"
    assigned = apply_action({}, "assign", by="lead", now=NOW, assignee=" omar ")
    assert assigned["assignee"] == "omar"
    assert assigned["history"][-1] == {
        "action": "assign",
        "by": "lead",
        "at": "2026-03-01T12:00:00Z",
        "assignee": "omar",
    }
    assert apply_action(assigned, "assign", by="lead", now=NOW, assignee="")["assignee"] is None
    noted = apply_action({}, "note", by="a", now=NOW, note="called the stringer")
    assert noted["note"] == "called the stringer"
    assert "acknowledged" not in noted
    with pytest.raises(TriageError, match="needs some text"):
        apply_action({}, "note", by="a", now=NOW, note="   ")
    with pytest.raises(TriageError, match="at most 2000"):
        apply_action({}, "note", by="a", now=NOW, note="x" * 2001)


def test_the_history_keeps_its_latest_entries():
    alert = {"history": [{"action": "note", "n": i} for i in range(HISTORY_LIMIT)]}
    history = apply_action(alert, "acknowledge", by="a", now=NOW)["history"]
    assert len(history) == HISTORY_LIMIT
    assert history[0]["n"] == 1
    assert history[-1]["action"] == "acknowledge"


def test_a_key_may_be_named_and_a_base64_key_stays_whole():
    assert split_key_name("maria=s3cret") == ("maria", "s3cret")
    assert split_key_name("desk.lead@ops=sha256:ab12") == ("desk.lead@ops", "sha256:ab12")
    assert split_key_name("s3cret") == (None, "s3cret")
    assert split_key_name("c2VjcmV0==") == (None, "c2VjcmV0==")  # padding, not a name
    assert split_key_name("two words=key") == (None, "two words=key")
