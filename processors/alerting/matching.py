"""Matching articles against many standing rules at once, with a cost that barely grows with them.

Each rule is compiled into criteria, one small class per kind of condition (query, entities,
region, events, sources, language). Every criterion can name *anchors*: things an article must
contain for the criterion to hold (a stem or phrase of the query, an entity, a country code, an
event type). A rule is indexed under the anchors of one of its criteria, the most selective, and:

- query anchors go into one Aho-Corasick automaton (pyahocorasick) over the article's normalised
  text, so one pass finds every rule whose words occur;
- entity, place, event, source and language anchors go into hash maps;
- geometric regions (bbox, near, polygon) go into a shapely STRtree, queried with the article's
  points.

An article's candidates are the rules whose anchors it contains; only they get the full check of
every criterion, which also collects the evidence an alert carries (terms with offsets and a
snippet, the entity, the place, the event).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
from shapely import STRtree, affinity
from shapely.geometry import Point, box, shape
from shapely.geometry.base import BaseGeometry

from processors.alerting.rules import ENTITY_LABELS, Region, Rule
from processors.places.resolve import haversine_km
from processors.text.highlight import snippets
from processors.text.query import (
    And,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Proximity,
    Query,
    Term,
    TextIndex,
)

__all__ = ["ArticleView", "CompiledRule", "RuleMatch", "RuleSet"]


# --- the article, prepared once for every rule -------------------------------------------------
@dataclass
class ArticleView:
    """What every rule reads of one article, worked out once for all of them: with 100,000
    rules an article has some fifty matches, and each match re-reading the entities, making
    the places' points and cutting the same snippet again cost more than finding them."""

    article: dict[str, Any]
    index: TextIndex
    norm: str
    entity_keys: dict[str, list[int]]  # key -> the article's entities that have it, in order
    places: list[dict[str, Any]]
    literal_places: list[dict[str, Any]]
    events: list[dict[str, Any]]
    source: str
    lang: str
    points: dict[int, Point] = field(default_factory=dict)  # by place index, when it has one
    _snippets: dict[tuple[tuple[int, int], ...], str] = field(default_factory=dict)

    @classmethod
    def of(cls, article: dict[str, Any]) -> ArticleView:
        index = TextIndex(article.get("text") or "")
        keys: dict[str, list[int]] = {}
        for i, entity in enumerate(article.get("entities", [])):
            found = {"l:" + entity["label"]}
            for name in {entity.get("canonical") or entity["text"], entity["text"]}:
                found |= {"n:" + name.lower(), f"p:{entity['label']}:{name.lower()}"}
            for key in found:
                keys.setdefault(key, []).append(i)
        places = article.get("places", [])
        return cls(
            article=article,
            index=index,
            norm=" " + " ".join(tok.norm for tok in index.tokens) + " ",
            entity_keys=keys,
            places=places,
            literal_places=[p for p in places if not p.get("metonymic")],
            events=article.get("events", []),
            source=(article.get("source") or "").lower(),
            lang=(article.get("lang") or article.get("language") or "").lower(),
            points={
                i: Point(p["lon"], p["lat"])
                for i, p in enumerate(places)
                if p.get("lat") is not None and p.get("lon") is not None
            },
        )

    def snippet(self, spans: tuple[tuple[int, int], ...]) -> str:
        """The first snippet around ``spans`` (rules matching the same words share it)."""
        if spans not in self._snippets:
            text = self.article.get("text") or ""
            self._snippets[spans] = (snippets(text, spans, limit=1) or [""])[0]
        return self._snippets[spans]


# --- criteria -----------------------------------------------------------------------------------
class Criterion(ABC):
    """A condition of a rule. ``anchors`` are keys one of which an article must have for the
    condition to hold (``None``: it cannot be anchored); ``check`` returns evidence or None."""

    kind = ""

    def anchors(self) -> set[str] | None:
        return None

    @abstractmethod
    def check(self, view: ArticleView) -> dict[str, Any] | None: ...


def _query_anchors(node: Node) -> set[str] | None:
    if isinstance(node, Term):
        return {f" {node.norm} "}
    if isinstance(node, Phrase):
        return {" " + " ".join(node.norms) + " "}
    if isinstance(node, Prefix):
        return {" " + node.norm}
    if isinstance(node, Not):
        return None
    if isinstance(node, Proximity):
        options = [a for a in (_query_anchors(node.left), _query_anchors(node.right)) if a]
        return min(options, key=_anchor_cost) if options else None
    if isinstance(node, Or):
        found: set[str] = set()
        for child in node.children:
            anchors = _query_anchors(child)
            if anchors is None:
                return None
            found |= anchors
        return found
    assert isinstance(node, And)
    options = [a for a in (_query_anchors(c) for c in node.children) if a]
    return min(options, key=_anchor_cost) if options else None


def _anchor_cost(anchors: set[str]) -> tuple[int, int]:
    """Fewer anchors are better, and longer ones are rarer words."""
    return (len(anchors), -min(len(a) for a in anchors))


class QueryCriterion(Criterion):
    kind = "query"

    def __init__(self, query: Query) -> None:
        self.query = query

    def anchors(self) -> set[str] | None:
        return _query_anchors(self.query.root)

    def check(self, view: ArticleView) -> dict[str, Any] | None:
        found = self.query.match(view.index)
        if found is None:
            return None
        text = view.article.get("text") or ""
        return {
            "terms": [{"text": text[s:e], "start": s, "end": e} for s, e in found.spans],
            "snippet": view.snippet(found.spans),
        }


class EntityCriterion(Criterion):
    kind = "entities"

    def __init__(self, entries: Sequence[str], mode: str) -> None:
        self.keys = []
        for entry in entries:
            label, sep, name = entry.partition(":")
            if sep and label in ENTITY_LABELS:
                self.keys.append(f"p:{label}:{name.strip().lower()}")
            elif entry in ENTITY_LABELS:
                self.keys.append("l:" + entry)
            else:
                self.keys.append("n:" + entry.strip().lower())
        self.mode = mode

    def anchors(self) -> set[str] | None:
        if self.mode == "all":
            specific = [k for k in self.keys if not k.startswith("l:")] or self.keys
            return {specific[0]}
        return set(self.keys)

    def check(self, view: ArticleView) -> dict[str, Any] | None:
        hits = [k for k in self.keys if k in view.entity_keys]
        if not hits or (self.mode == "all" and len(hits) < len(self.keys)):
            return None
        entities = view.article.get("entities", [])
        first = sorted({i for key in hits for i in view.entity_keys[key]})[:5]
        fields = ("text", "label", "canonical", "start", "end")
        return {"entities": [{k: entities[i].get(k) for k in fields} for i in first]}


class RegionCriterion(Criterion):
    kind = "region"

    def __init__(self, region: Region) -> None:
        self.countries = set(region.countries)
        self.admin1 = set(region.admin1)
        self.include_metonymic = region.include_metonymic
        self.near = region.near
        self.geometries: list[BaseGeometry] = []
        if region.bbox:
            self.geometries.append(box(*region.bbox))
        if region.polygon:
            self.geometries.append(shape(region.polygon))
        if region.near:
            self.geometries.append(_circle(region.near.lat, region.near.lon, region.near.km))

    def anchors(self) -> set[str] | None:
        if self.geometries:
            return None  # geometric parts are indexed in the STRtree instead
        return {"c:" + c for c in self.countries} | {"a:" + a for a in self.admin1}

    def _inside(self, place: dict[str, Any], point: Point | None) -> bool:
        if place.get("country_code") in self.countries or place.get("admin1") in self.admin1:
            return True
        if point is None or not self.geometries:
            return False
        for geometry in self.geometries:
            if geometry.covers(point):
                if self.near is None or geometry is not self.geometries[-1]:
                    return True
                km = haversine_km(self.near.lat, self.near.lon, place["lat"], place["lon"])
                if km <= self.near.km:
                    return True
        return False

    def check(self, view: ArticleView) -> dict[str, Any] | None:
        for i, place in enumerate(view.places):
            if place.get("metonymic") and not self.include_metonymic:
                continue
            if self._inside(place, view.points.get(i)):
                return {
                    "place": {
                        k: place.get(k)
                        for k in ("name", "lat", "lon", "country_code", "admin1", "start", "end")
                    }
                }
        return None


def _circle(lat: float, lon: float, km: float) -> BaseGeometry:
    """A polygon a little larger than the circle of ``km`` around a point (degrees squeeze
    towards the poles); the exact distance is checked afterwards."""
    dlat = km / 110.574 * 1.01
    dlon = km / (111.320 * max(0.01, math.cos(math.radians(lat)))) * 1.01
    return affinity.scale(Point(lon, lat).buffer(1.0, 32), xfact=dlon, yfact=dlat)


class EventCriterion(Criterion):
    kind = "events"

    def __init__(self, types: Sequence[str], counts: dict[str, int]) -> None:
        self.types = set(types)
        self.counts = counts

    def anchors(self) -> set[str] | None:
        return {"e:" + t for t in self.types} if self.types else {"e:*"}

    def check(self, view: ArticleView) -> dict[str, Any] | None:
        for event in view.events:
            if event.get("background"):
                continue  # a past incident named for context is not news of one
            if self.types and event.get("type") not in self.types:
                continue
            if all((event.get(f) or 0) >= n for f, n in self.counts.items()):
                return {
                    "event": {
                        k: event.get(k)
                        for k in (
                            "type",
                            "trigger",
                            "actor1",
                            "actor2",
                            "place",
                            "fatalities",
                            "injured",
                            "arrested",
                            "date",
                        )
                    }
                }
        return None


class SourceCriterion(Criterion):
    kind = "sources"

    def __init__(self, sources: Iterable[str]) -> None:
        self.sources = {s.lower() for s in sources}

    def anchors(self) -> set[str] | None:
        return {"s:" + s for s in self.sources}

    def check(self, view: ArticleView) -> dict[str, Any] | None:
        return {"source": view.article.get("source")} if view.source in self.sources else None


class LangCriterion(Criterion):
    kind = "lang"

    def __init__(self, langs: Iterable[str]) -> None:
        self.langs = {lang.lower() for lang in langs}

    def anchors(self) -> set[str] | None:
        return {"g:" + g for g in self.langs}

    def check(self, view: ArticleView) -> dict[str, Any] | None:
        return {"lang": view.lang} if view.lang in self.langs else None


# --- rules and the set ---------------------------------------------------------------------------
@dataclass
class CompiledRule:
    rule: Rule
    criteria: list[Criterion]

    @classmethod
    def of(cls, rule: Rule) -> CompiledRule:
        criteria: list[Criterion] = []
        query = rule.parsed_query()
        if query is not None:
            criteria.append(QueryCriterion(query))
        if rule.entities:
            criteria.append(EntityCriterion(rule.entities, rule.entities_mode))
        if rule.event_types or rule.counts:
            criteria.append(EventCriterion(rule.event_types, rule.counts))
        if rule.region is not None:
            criteria.append(RegionCriterion(rule.region))
        if rule.sources:
            criteria.append(SourceCriterion(rule.sources))
        if rule.lang:
            criteria.append(LangCriterion(rule.lang))
        return cls(rule, criteria)

    def check(self, view: ArticleView) -> dict[str, Any] | None:
        """Evidence of every criterion, or None if one fails."""
        evidence: dict[str, Any] = {}
        for criterion in self.criteria:
            found = criterion.check(view)
            if found is None:
                return None
            evidence.update(found)
        return evidence


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    evidence: dict[str, Any]


_ANCHOR_PREFERENCE = ("entities", "query", "events", "region", "sources", "lang")


@dataclass
class RuleSet:
    """All enabled rules, compiled for matching articles."""

    rules: dict[str, CompiledRule] = field(default_factory=dict)
    automaton: Any = None
    keyed: dict[str, list[str]] = field(default_factory=dict)
    geo_tree: STRtree | None = None
    geo_rules: list[str] = field(default_factory=list)
    always: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, rules: Iterable[Rule]) -> RuleSet:
        out = cls()
        patterns: dict[str, list[str]] = {}
        geometries: list[BaseGeometry] = []
        for rule in rules:
            if not rule.enabled:
                continue
            compiled = CompiledRule.of(rule)
            out.rules[rule.id] = compiled
            anchored = False
            by_kind = {c.kind: c for c in compiled.criteria}
            for kind in _ANCHOR_PREFERENCE:
                criterion = by_kind.get(kind)
                anchors = criterion.anchors() if criterion else None
                if anchors:
                    target = patterns if kind == "query" else out.keyed
                    for anchor in anchors:
                        target.setdefault(anchor, []).append(rule.id)
                    anchored = True
                    break
                if isinstance(criterion, RegionCriterion) and criterion.geometries:
                    for key in {"c:" + c for c in criterion.countries} | {
                        "a:" + a for a in criterion.admin1
                    }:
                        out.keyed.setdefault(key, []).append(rule.id)
                    for geometry in criterion.geometries:
                        geometries.append(geometry)
                        out.geo_rules.append(rule.id)
                    anchored = True
                    break
            if not anchored:
                out.always.append(rule.id)
        if patterns:
            automaton = ahocorasick.Automaton()
            for pattern, ids in patterns.items():
                automaton.add_word(pattern, ids)
            automaton.make_automaton()
            out.automaton = automaton
        if geometries:
            out.geo_tree = STRtree(geometries)
        return out

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, view: ArticleView) -> set[str]:
        found: set[str] = set(self.always)
        if self.automaton is not None:
            for _, ids in self.automaton.iter(view.norm):
                found.update(ids)
        keys = set(view.entity_keys)
        for place in view.places:
            if place.get("country_code"):
                keys.add("c:" + place["country_code"])
            if place.get("admin1"):
                keys.add("a:" + place["admin1"])
        if view.events:
            keys.add("e:*")
            keys.update("e:" + e["type"] for e in view.events if e.get("type"))
        keys.add("s:" + view.source)
        keys.add("g:" + view.lang)
        for key in keys:
            ids = self.keyed.get(key)
            if ids:
                found.update(ids)
        if self.geo_tree is not None:
            points = list(view.points.values())
            if points:
                for _, hit in zip(
                    *self.geo_tree.query(points, predicate="intersects"), strict=True
                ):
                    found.add(self.geo_rules[int(hit)])
        return found

    def match(self, article: dict[str, Any] | ArticleView) -> list[RuleMatch]:
        """Every rule the article satisfies, with the evidence, in rule id order."""
        view = article if isinstance(article, ArticleView) else ArticleView.of(article)
        out = []
        for rule_id in sorted(self.candidates(view)):
            compiled = self.rules[rule_id]
            evidence = compiled.check(view)
            if evidence is not None:
                out.append(RuleMatch(compiled.rule, evidence))
        return out
