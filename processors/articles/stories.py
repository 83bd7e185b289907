"""Stories: the articles about one happening, grouped under one id when they are indexed.

A desk reads the news as stories, not as articles: five outlets reporting one flood are one
line on the top-stories view, which then grows as more reports arrive. Two articles are one
story (``same_story``) when

- one is a copy of the other (``duplicate_of``, processors/articles/dedup.py); or
- their main events agree: the same kind of event (its ACLED type), in the same place (first-
  level region and place name), on the same day, and their words overlap at least a little
  (``EVENT_WORDS``: two unrelated shootings in one city on one day share a city and a day, and
  little else); or
- they name most of the same people, groups and places (at least ``MIN_SHARED`` of them, and
  at least ``ENTITY_SHARE`` of the names of the article that names fewer) and share enough of
  their words (``STORY_WORDS``, the Jaccard similarity of their sets of content words,
  estimated by MinHash), and their main events, when both tell one, happened on the same day
  (two shootings in one city weeks apart name the same city, hospital and police).

An article joins the story of the earliest article before it (by ``first_seen``, then id) that
is one story with it, within ``STORY_WINDOW``; an article like no earlier one starts a story,
whose id is its own. Only earlier articles count and ``first_seen`` survives re-indexing, so a
replay puts every article back in the story it was in.

Everything here is plain data in, plain data out; ``streams.indexing`` asks Elasticsearch for
the candidates (``STORY_WINDOW`` back, sharing a key of ``story_keys``).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from processors.articles.dedup import minhash, similarity
from processors.text.normalise import fold

__all__ = [
    "EVENT_WORDS",
    "MIN_SHARED",
    "STORY_WINDOW",
    "STORY_WORDS",
    "Member",
    "event_key",
    "growth",
    "rank_stories",
    "same_story",
    "story_of",
    "story_signature",
]

STORY_WINDOW = timedelta(days=3)  # a happening's reports come within days of each other
EVENT_WORDS = 0.08  # one event, one place, one day: a little shared wording is enough
STORY_WORDS = 0.15  # no event in common: most names and a fair share of the words
MIN_SHARED = 3
ENTITY_SHARE = 0.6
_WORD = re.compile(r"[a-z][a-z'-]{3,}")
_NAME_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT")


def event_key(doc: Mapping[str, Any]) -> str | None:
    """``event:<ACLED type>:<region>:<place>:<day>`` of the article's main event (the first,
    the most salient), or ``None`` when it has no event with a place and a day."""
    events = doc.get("events") or []
    if not events:
        return None
    event = events[0]
    place = event.get("place") or {}
    name = (place.get("name") or "").strip()
    region = place.get("admin1") or place.get("country_code")
    day = (event.get("date") or doc.get("published_at") or doc.get("enriched_at") or "")[:10]
    kind = event.get("acled_event_type") or event.get("type")
    if not (name and region and len(day) == 10 and kind):
        return None
    return f"event:{kind}:{region}:{fold(name).lower()}:{day}"


def _names(doc: Mapping[str, Any]) -> list[str]:
    """The article's names, folded, without their labels: the NER may call a town a GPE in one
    report and an ORG in the next."""
    keys = doc.get("entity_keys")
    if keys is None:
        keys = {
            f"{e['label']}:{e.get('canonical') or e['text']}"
            for e in doc.get("entities") or []
            if e.get("label") in _NAME_LABELS
        }
    return sorted(
        {
            fold(name).lower()
            for label, _, name in (k.partition(":") for k in keys)
            if label in _NAME_LABELS and name
        }
    )


def _words(doc: Mapping[str, Any]) -> list[int]:
    text = f"{doc.get('title') or ''}\n{doc.get('text') or doc.get('body') or ''}"
    words = {w for w in _WORD.findall(fold(text).lower()) if w not in STOP_WORDS}
    if not words:
        return []
    hashes = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    return minhash(hashes)


def story_signature(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What ``same_story`` compares, kept on the indexed document as ``story_sig``: ``keys``
    (the event key and the names, for finding candidates), ``names`` and ``words`` (a MinHash
    of the content words)."""
    names = _names(doc)
    key = event_key(doc)
    return {
        "keys": ([key] if key else []) + [f"name:{n}" for n in names],
        "event": key,
        "names": names,
        "words": _words(doc),
    }


@dataclass(frozen=True)
class Member:
    """An article as stories see it."""

    id: str
    first_seen: str  # ISO 8601, UTC
    story: str | None
    signature: Mapping[str, Any]
    duplicate_of: str | None = None


def same_story(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Are two story signatures (``story_signature``) reports of one happening?"""
    words = similarity(a.get("words") or [], b.get("words") or [])
    if a.get("event") and a.get("event") == b.get("event"):
        return words >= EVENT_WORDS
    if a.get("event") and b.get("event") and _day(a["event"]) != _day(b["event"]):
        return False  # both tell when their main event happened, and not the same day
    names_a, names_b = set(a.get("names") or []), set(b.get("names") or [])
    shared = len(names_a & names_b)
    fewer = min(len(names_a), len(names_b))
    return shared >= MIN_SHARED and shared >= ENTITY_SHARE * fewer and words >= STORY_WORDS


def story_of(article: Member, earlier: Iterable[Member]) -> str:
    """The story ``article`` belongs to: that of the earliest article seen before it that is
    its original or one story with it, or its own id. ``earlier`` may hold later articles and
    the article itself: only those seen before it count, so the result does not depend on the
    order articles are indexed in."""
    before = sorted(
        (
            m
            for m in earlier
            if m.id != article.id and (m.first_seen, m.id) < (article.first_seen, article.id)
        ),
        key=lambda m: (m.first_seen, m.id),
    )
    for member in before:
        if member.id == article.duplicate_of or same_story(article.signature, member.signature):
            return member.story or member.id
    return article.id


def _day(key: str) -> str:
    return key.rsplit(":", 1)[-1]


def growth(recent: int, total: int, *, window_h: float, recent_h: float) -> float:
    """How fast a story grows, in articles per hour above its own earlier pace in the window:
    the rate of its last ``recent_h`` hours less the rate of the hours before them."""
    earlier = max(0, total - recent)
    return recent / recent_h - earlier / max(window_h - recent_h, 1e-9)


def rank_stories(stories: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Fastest growing first; then the biggest; then the newest."""
    newest_first = sorted(stories, key=lambda s: str(s.get("latest") or ""), reverse=True)
    return sorted(newest_first, key=lambda s: (-s["growth"], -s["articles"]))
