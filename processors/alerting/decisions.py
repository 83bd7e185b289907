"""From rule matches to alerts: ids, throttling, aggregates and digests, as pure functions.

The streaming side keeps one small state dict per rule in a changelog-backed table and calls
these functions with it; they return what to emit and the new state. Nothing here knows Kafka.

Exactly one alert per rule and article: an alert's id is a hash of the rule id and the article
id (of the rule and the window for aggregates, of the rule and the period for digests), so a
replay or a second worker produces the same id, and every consumer (the index, the deliveries,
the desk) keeps one alert per id.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from processors.alerting.matching import RuleMatch
from processors.alerting.rules import Rule, parse_duration

__all__ = [
    "Decision",
    "alert_document",
    "alert_id",
    "decide",
    "due_digests",
    "match_record",
    "key_value",
    "throttle_key",
]

_MAX_WINDOW_IDS = 10_000  # an aggregate window remembers at most this many article ids
_MAX_SEEN = 2_000  # per rule, the most recent articles already alerted on


def alert_id(rule_id: str, *parts: str) -> str:
    """Stable id: the same rule and article (or window) always give the same alert id."""
    material = "\x00".join((rule_id, *parts)).encode()
    return hashlib.sha256(material).hexdigest()[:32]


def throttle_key(rule: Rule, record: dict[str, Any]) -> str:
    """The value the rule throttles on ("" for the rule as a whole)."""
    if rule.throttle is None or rule.throttle.key is None:
        return ""
    return key_value(rule.throttle.key, record)


def key_value(key: str, record: dict[str, Any]) -> str:
    """A match's value for ``key`` (a throttle key: country, admin1, place, source, event_type
    or entity:LABEL), from the evidence first and the article after ("" when it has none)."""
    evidence = record.get("matched") or {}
    article = record.get("article") or {}
    if key == "source":
        return str(article.get("source") or "")
    if key in ("country", "admin1", "place"):
        place = evidence.get("place") or (evidence.get("event") or {}).get("place") or {}
        if not place:
            place = next(iter(article.get("places") or []), {})
        field = {"country": "country_code", "admin1": "admin1", "place": "name"}[key]
        return str(place.get(field) or "")
    if key == "event_type":
        return str((evidence.get("event") or {}).get("type") or "")
    label = key.split(":", 1)[1]  # entity:LABEL
    for entity in evidence.get("entities") or article.get("entities") or []:
        if entity.get("label") == label:
            return str(entity.get("canonical") or entity.get("text"))
    return ""


def match_record(
    match: RuleMatch,
    article: dict[str, Any],
    *,
    arrived_at: float,
    matched_at: float,
    enrich_span: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """What the matching stage passes to the deciding stage (keyed by rule id).
    ``enrich_span`` is when the article's enrichment began and ended, if known."""
    started, ended = enrich_span or (None, None)
    return {
        "rule_id": match.rule.id,
        "article_id": article["id"],
        # set once the article is indexed (processors.articles.stories)
        "story": article.get("story"),
        "article": {
            "id": article["id"],
            "title": article.get("title") or (article.get("text") or "")[:120],
            "url": article.get("url"),
            "source": article.get("source"),
            "published_at": article.get("published_at"),
            "countries": article.get("countries", []),
            "places": [
                {k: p.get(k) for k in ("name", "country_code", "admin1", "lat", "lon")}
                for p in article.get("places", [])[:5]
            ],
            "entities": [
                {k: e.get(k) for k in ("text", "label", "canonical")}
                for e in article.get("entities", [])[:20]
            ],
        },
        "matched": match.evidence,
        "arrived_at": arrived_at,
        "enrich_started_at": started,
        "enrich_ended_at": ended,
        "matched_at": matched_at,
    }


def stages_ms(record: dict[str, Any], fired_at: float) -> dict[str, float] | None:
    """Where an alert's latency went, in milliseconds: waiting for enrichment (``queue``),
    enrichment, getting to and through the matcher (``match``), and getting to and through
    the decision (``decide``). None when the match record has not the times (an older one)."""
    times = [record.get(k) for k in ("arrived_at", "enrich_started_at", "enrich_ended_at")]
    matched = record.get("matched_at")
    if any(not isinstance(t, int | float) for t in [*times, matched]):
        return None
    arrived, started, ended = times
    return {
        name: round(max(0.0, b - a) * 1000, 1)
        for name, a, b in (
            ("queue", arrived, started),
            ("enrich", started, ended),
            ("match", ended, matched),
            ("decide", matched, fired_at),
        )
    }


@dataclass
class Decision:
    """What to emit for one match, and the rule's state afterwards."""

    alerts: list[dict[str, Any]]
    state: dict[str, Any]


_TIMES = ("fired_at", "arrived_at", "matched_at")


def alert_document(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert as the alerts index stores it: without its channels, times as ISO-8601 (ms).

    Epoch-second floats would do for indexing, but a partial update (acknowledge, assign) makes
    Elasticsearch re-write the source, and it re-writes such doubles as ``1.79E9``, which its own
    date parser then refuses; ISO strings survive the round trip.
    """
    doc = {k: v for k, v in alert.items() if k != "channels"}
    for name in _TIMES:
        if isinstance(doc.get(name), int | float):
            moment = datetime.fromtimestamp(doc[name], UTC)
            doc[name] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return doc


def _alert(
    rule: Rule, record: dict[str, Any], *, kind: str, ident: str, now: float, **extra: Any
) -> dict[str, Any]:
    arrived = record.get("arrived_at") or now
    return {
        "id": ident,
        "kind": kind,
        "rule_id": rule.id,
        "rule_name": rule.name,
        "article_id": record["article_id"],
        "story": record.get("story"),
        "article": record["article"],
        "matched": record["matched"],
        "fired_at": now,
        "arrived_at": arrived,
        "matched_at": record.get("matched_at"),
        "latency_ms": round(max(0.0, now - arrived) * 1000, 1),
        "stages_ms": stages_ms(record, now),
        "channels": [c.model_dump(exclude_none=True) for c in rule.channels],
        **extra,
    }


def _window_start(ts: float, size: int) -> int:
    return int(math.floor(ts / size) * size)


def decide(
    rule: Rule,
    record: dict[str, Any],
    state: dict[str, Any],
    *,
    now: float,
    silenced: bool = False,
) -> Decision:
    """Apply the rule's silences, aggregate, digest and throttle settings to one match.

    A ``silenced`` match (``processors.alerting.silences``) is as if it had not matched, except
    that it is counted: the rule's next alert carries how many were silenced since its last one."""
    state = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (state or {}).items()}
    if silenced:
        if rule.aggregate is None and rule.digest is None:
            seen = list(state.get("seen") or [])
            if record["article_id"] in seen:
                return Decision([], state)  # alerted on (or silenced) before: a replay
            seen.append(record["article_id"])  # a replay after the silence stays quiet too
            state["seen"] = seen[-_MAX_SEEN:]
        state["silenced"] = int(state.get("silenced") or 0) + 1
        return Decision([], state)
    decision = _decide(rule, record, state, now=now)
    if decision.alerts and decision.state.get("silenced"):
        decision.alerts[0]["silenced"] = decision.state.pop("silenced")
    return decision


def _decide(rule: Rule, record: dict[str, Any], state: dict[str, Any], *, now: float) -> Decision:
    if rule.group_by == "story":
        return _per_story(rule, record, state, now=now)
    if rule.aggregate is not None and rule.aggregate.kind == "story_growth":
        return _story_growth(rule, record, state, now=now)
    if rule.aggregate is None and rule.digest is None:
        seen = list(state.get("seen") or [])
        if record["article_id"] in seen:
            return Decision([], state)  # the same article again (a replay, a re-send)
        decision = _single(rule, record, state, now=now)
        if decision.alerts:
            seen.append(record["article_id"])
            decision.state["seen"] = seen[-_MAX_SEEN:]
        return decision
    if rule.aggregate is not None:
        return _aggregate(rule, record, state, now=now)
    # a digest: gather the match for the next digest alert (see due_digests)
    if record["article_id"] in (state.get("seen") or []):
        return Decision([], state)  # digested before: a replay must not start another digest
    digest = dict(state.get("digest") or {})
    if not digest:
        digest = {"start": now, "items": []}
    items = list(digest["items"])
    if all(i["article_id"] != record["article_id"] for i in items):
        items.append(
            {
                "article_id": record["article_id"],
                "article": record["article"],
                "matched": record["matched"],
                "arrived_at": record.get("arrived_at"),
            }
        )
    digest["items"] = items[-500:]
    state["digest"] = digest
    return Decision([], state)


def _single(rule: Rule, record: dict[str, Any], state: dict[str, Any], *, now: float) -> Decision:
    """One alert per article, unless the rule's throttle says it alerted on this key lately."""
    key = throttle_key(rule, record)
    if rule.throttle is not None:
        last = dict(state.get("last") or {})
        suppressed = dict(state.get("suppressed") or {})
        fired_at = last.get(key)
        if fired_at is not None and now - fired_at < rule.throttle.realert_s:
            suppressed[key] = suppressed.get(key, 0) + 1
            state["suppressed"] = suppressed
            return Decision([], state)
        alert = _alert(
            rule,
            record,
            kind="match",
            now=now,
            ident=alert_id(rule.id, record["article_id"]),
            key=key,
            suppressed=suppressed.pop(key, 0),
        )
        last[key] = now
        state["last"], state["suppressed"] = last, suppressed
        return Decision([alert], state)
    alert = _alert(
        rule, record, kind="match", now=now, ident=alert_id(rule.id, record["article_id"]), key=key
    )
    return Decision([alert], state)


def _story(record: dict[str, Any]) -> str:
    """The match's story; an article indexed before stories existed is a story of its own."""
    return str(record.get("story") or record["article_id"])


def _per_story(
    rule: Rule, record: dict[str, Any], state: dict[str, Any], *, now: float
) -> Decision:
    """``group_by: story``: one alert for the first matching report of a story; the later
    reports of it (and replays) are not sent again. The state remembers the latest
    ``_MAX_SEEN`` stories alerted on."""
    story = _story(record)
    stories = list(state.get("stories") or [])
    if story in stories:
        return Decision([], state)
    state["stories"] = [*stories, story][-_MAX_SEEN:]
    alert = _alert(
        rule, record, kind="story", now=now, ident=alert_id(rule.id, f"story:{story}"), key=story
    )
    return Decision([alert], state)


def _story_growth(
    rule: Rule, record: dict[str, Any], state: dict[str, Any], *, now: float
) -> Decision:
    """``aggregate: {kind: story_growth}``: the articles of one story in a window (of the
    article's arrival); at ``count`` the story breaks, one alert per story and window. The
    state keeps, for the latest ``_MAX_SEEN`` stories of this window and the one before, the
    ids of up to ``count`` articles: enough to tell a replay from a new report, and small
    enough for the changelog however busy the stream."""
    agg = rule.aggregate
    assert agg is not None
    size, wanted = agg.window_s, agg.count or 1
    start = _window_start(record.get("arrived_at") or now, size)
    story = _story(record)
    slot = f"{story}@{start}"
    windows = {k: list(v) for k, v in (state.get("story_windows") or {}).items()}
    ids = windows.pop(slot, [])  # re-inserted last: the most recently grown are kept
    if record["article_id"] not in ids and len(ids) < wanted:
        ids.append(record["article_id"])
    windows[slot] = ids

    def recent(key: str) -> bool:  # a story grows now or not at all
        return int(key.rsplit("@", 1)[1]) >= start - size

    state["story_windows"] = dict([(k, v) for k, v in windows.items() if recent(k)][-_MAX_SEEN:])
    fired = [f for f in (state.get("story_fired") or []) if recent(f)][-_MAX_SEEN:]
    if len(ids) < wanted or slot in fired:
        state["story_fired"] = fired
        return Decision([], state)
    state["story_fired"] = [*fired, slot]
    alert = _alert(
        rule,
        record,
        kind="story_growth",
        now=now,
        ident=alert_id(rule.id, f"story:{story}:window:{start}"),
        key=story,
        window={"start": start, "end": start + size, "count": len(ids), "article_ids": ids},
    )
    return Decision([alert], state)


def _aggregate(
    rule: Rule, record: dict[str, Any], state: dict[str, Any], *, now: float
) -> Decision:
    agg = rule.aggregate
    assert agg is not None
    size = agg.window_s
    ts = record.get("arrived_at") or now
    start = _window_start(ts, size)
    windows = {int(k): list(v) for k, v in (state.get("windows") or {}).items()}
    ids = windows.setdefault(start, [])
    if record["article_id"] not in ids and len(ids) < _MAX_WINDOW_IDS:
        ids.append(record["article_id"])
    # keep this window and the one before it (spikes compare them)
    windows = {k: v for k, v in windows.items() if k >= start - size}
    fired = set(state.get("fired") or [])
    state["windows"] = {str(k): v for k, v in windows.items()}
    count = len(ids)
    previous = len(windows.get(start - size, []))
    if agg.kind == "frequency":
        hit = count >= (agg.count or 0)
    else:
        hit = count >= agg.min_count and count >= (agg.factor or 0) * max(previous, 1)
    if not hit or start in fired:
        return Decision([], state)
    fired.add(start)
    state["fired"] = sorted(f for f in fired if f >= start - size)
    alert = _alert(
        rule,
        record,
        kind=agg.kind,
        now=now,
        ident=alert_id(rule.id, f"window:{start}"),
        window={
            "start": start,
            "end": start + size,
            "count": count,
            "previous": previous,
            "article_ids": ids[:50],
        },
    )
    return Decision([alert], state)


def due_digests(rule: Rule, state: dict[str, Any], *, now: float) -> Decision:
    """The digest alert of a rule whose digest period is over (called by a timer)."""
    digest = (state or {}).get("digest")
    if rule.digest is None or not digest or not digest.get("items"):
        return Decision([], state or {})
    period = parse_duration(rule.digest).total_seconds()
    if now - digest["start"] < period:
        return Decision([], state)
    items = digest["items"]
    first = items[0]
    record = {
        "article_id": first["article_id"],
        "article": first["article"],
        "matched": first["matched"],
        "arrived_at": first.get("arrived_at"),
    }
    alert = _alert(
        rule,
        record,
        kind="digest",
        now=now,
        ident=alert_id(rule.id, f"digest:{int(digest['start'])}"),
        digest={"start": digest["start"], "end": now, "count": len(items), "items": items},
    )
    new_state = dict(state)
    new_state.pop("digest", None)
    seen = [*(state.get("seen") or []), *(i["article_id"] for i in items)]
    new_state["seen"] = seen[-_MAX_SEEN:]
    return Decision([alert], new_state)
