"""Triage of alerts: what state an alert is in, and what an action changes, as plain functions.

An alert is ``new`` until someone acknowledges it (``acknowledged``) or snoozes it
(``snoozed`` until a time, after which it is ``new`` again without anyone touching it: the
state is worked out from ``snoozed_until`` at the moment of asking, in Python and in the
Elasticsearch filters alike). Every action is recorded in the alert's ``history`` with who did
it (the API key's name) and when, so a desk can see who took an alert and why it was let go.
The routes (``api.routes.alerts``) read, apply and write with optimistic concurrency.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from api.search import parse_since

__all__ = [
    "ACTIONS",
    "HISTORY_LIMIT",
    "MAX_SNOOZE",
    "STATES",
    "Action",
    "TriageError",
    "apply_action",
    "end_time",
    "state_filters",
    "state_of",
]

STATES = ("new", "snoozed", "acknowledged")
Action = Literal["acknowledge", "snooze", "reopen", "assign", "note"]
ACTIONS: tuple[Action, ...] = ("acknowledge", "snooze", "reopen", "assign", "note")
MAX_SNOOZE = timedelta(days=30)
HISTORY_LIMIT = 200  # the oldest entries go first past this; an alert is not a chat room
NOTE_LIMIT = 2000


class TriageError(ValueError):
    """An action that cannot be applied as asked; the message says what to change."""


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def end_time(until: datetime | None, for_: str | None, now: datetime, *, what: str) -> datetime:
    """When a snooze or a silence ends: ``until``, or ``now`` plus ``for_`` (``4h``); in the
    future and at most ``MAX_SNOOZE`` away, else ``TriageError`` saying which."""
    if until is None and for_:
        try:
            until = now + parse_since(for_)
        except ValueError as exc:
            raise TriageError(f"for: {exc}") from None
    if until is None:
        raise TriageError(f"{what} needs `until` (an ISO 8601 time) or `for` (like 2h)")
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    if until <= now:
        raise TriageError(f"`until` must be in the future; {_iso(until)} has passed")
    if until - now > MAX_SNOOZE:
        raise TriageError(f"{what} lasts at most {MAX_SNOOZE.days} days")
    return until


def state_of(alert: dict[str, Any], now: datetime) -> str:
    """``acknowledged``, ``snoozed`` (until a time still to come) or ``new``."""
    if alert.get("acknowledged"):
        return "acknowledged"
    until = _time(alert.get("snoozed_until"))
    return "snoozed" if until is not None and until > now else "new"


def state_filters() -> dict[str, dict[str, Any]]:
    """The Elasticsearch filter of each state, the same rule as ``state_of`` (``now`` is the
    search's own clock, so an expired snooze is ``new`` in the very next search)."""
    acked = {"term": {"acknowledged": True}}
    snoozing = {"range": {"snoozed_until": {"gt": "now"}}}
    return {
        "new": {"bool": {"must_not": [acked, snoozing]}},
        "snoozed": {"bool": {"filter": [snoozing], "must_not": [acked]}},
        "acknowledged": acked,
    }


def apply_action(
    alert: dict[str, Any],
    action: Action,
    *,
    by: str,
    now: datetime,
    note: str | None = None,
    until: datetime | None = None,
    for_: str | None = None,
    assignee: str | None = None,
) -> dict[str, Any]:
    """The fields ``action`` changes on ``alert`` (its history included), to write back.

    ``snooze`` needs ``until`` or ``for_`` (``end_time``); ``note`` needs a
    note; ``assign`` with no assignee unassigns. Any action may carry a note."""
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_LIMIT:
        raise TriageError(f"a note is at most {NOTE_LIMIT} characters; this one has {len(note)}")
    changes: dict[str, Any] = {}
    entry: dict[str, Any] = {"action": action, "by": by, "at": _iso(now)}
    if action == "acknowledge":
        changes = {
            "acknowledged": True,
            "acknowledged_by": by,
            "acknowledged_at": _iso(now),
            "snoozed_until": None,
        }
    elif action == "snooze":
        until = end_time(until, for_, now, what="a snooze")
        changes = {"acknowledged": False, "snoozed_until": _iso(until)}
        entry["until"] = _iso(until)
    elif action == "reopen":
        changes = {"acknowledged": False, "snoozed_until": None}
    elif action == "assign":
        assignee = (assignee or "").strip() or None
        changes = {"assignee": assignee}
        entry["assignee"] = assignee
    elif action == "note":
        if note is None:
            raise TriageError("a note needs some text")
    else:  # pragma: no cover - the routes only pass ACTIONS
        raise TriageError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    if note is not None:
        entry["note"] = note
        changes["note"] = note  # the latest note, shown on the card
    history = [*(alert.get("history") or []), entry][-HISTORY_LIMIT:]
    changes["history"] = history
    changes["updated_at"] = _iso(now)
    return changes
