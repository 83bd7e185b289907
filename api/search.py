"""Full-text search over enriched articles, in the query language of ``processors.text.query``.

The query runs on Elasticsearch against ``text_norm`` (stems with folded diacritics); filters
(entities, countries, regions, event types, sources, languages, dates, a box or a circle on the
map) narrow it; facets and a date histogram come back with the hits. The same parsed query then
runs in Python on each hit's text to mark where it matched, so highlights show the words as
written (``clashes``, ``Ḩasakah``) for a query of ``clash`` or ``Hasakah``. Highlights are
returned as segments (``[text, matched]`` pairs), never as markup, so a page can show them as
text.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from elasticsearch import Elasticsearch, NotFoundError

from config import Settings
from processors.errors import ConfigurationError
from processors.text.highlight import snippets
from processors.text.query import Query, parse_query

__all__ = [
    "SearchHit",
    "SearchRequest",
    "SearchResult",
    "build_search_body",
    "parse_since",
    "read_search_response",
    "search_articles",
]

_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_MARK = ("\u0002", "\u0003")  # never in news text: split highlights into segments
FACETS = {
    "entities": "entity_keys",
    "countries": "countries",
    "regions": "regions",
    "event_types": "event_types",
    "sources": "source",
}


def parse_since(value: str) -> timedelta:
    """``30m``, ``24h``, ``7d``, ``2w`` -> a timedelta; anything else is a clear error."""
    match = _DURATION_RE.match(value)
    if not match:
        raise ValueError(
            f"{value!r} is not a duration; write a number and a unit: 30m, 24h, 7d or 2w"
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _check_point(lat: float, lon: float, what: str) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(
            f"{what}: latitude must be within ±90 and longitude within ±180 (got {lat}, {lon})"
        )


@dataclass(frozen=True)
class SearchRequest:
    q: str | None = None
    entities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    stories: tuple[str, ...] = ()  # story ids (processors/articles/stories.py)
    since: timedelta | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    near: tuple[float, float, float] | None = None  # lat, lon, km
    sort: Literal["time", "relevance"] = "relevance"
    size: int = 20
    after: str | None = None  # the ``next`` token of the previous page
    facets: bool = True
    duplicates: bool = True  # False: leave out later copies of a story (``duplicate_of`` set)

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):  # one clock: aware, UTC
            moment = getattr(self, name)
            if moment is not None:
                aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
                object.__setattr__(self, name, aware.astimezone(UTC))
        if self.bbox is not None:
            minlon, minlat, maxlon, maxlat = self.bbox
            _check_point(minlat, minlon, "bbox")
            _check_point(maxlat, maxlon, "bbox")
            if minlat > maxlat:
                raise ValueError("bbox: the minimum latitude is above the maximum one")
        if self.near is not None:
            lat, lon, km = self.near
            _check_point(lat, lon, "near")
            if not 0 < km <= 20_000:
                raise ValueError(f"near: the distance must be between 0 and 20000 km, not {km}")

    def parsed(self) -> Query | None:
        return parse_query(self.q) if self.q and self.q.strip() else None


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float | None
    title: str
    source: str | None
    date: str | None
    url: str | None
    highlights: list[str]
    segments: list[list[list[Any]]] = field(default_factory=list)
    article: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self) -> dict[str, Any]:
        """The hit as ``/search`` answers it (``api.models.SearchHitOut``) and ``newsmon search
        --json`` prints it: the one shape of a search hit outside this module."""
        article = self.article
        return {
            "id": self.id,
            "score": self.score,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "segments": self.segments,
            "countries": article.get("countries", []),
            "event_types": article.get("event_types", []),
            "places": [p for p in article.get("places", []) if not p.get("metonymic")][:20],
            "events": [
                {
                    k: e.get(k)
                    for k in ("type", "place", "fatalities", "injured", "date", "background")
                }
                for e in article.get("events", [])[:5]
            ],
            "duplicate_of": article.get("duplicate_of"),
            "story": article.get("story"),
        }


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    histogram: list[dict[str, Any]] = field(default_factory=list)
    next: str | None = None


def _filters(req: SearchRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in req.entities:
        label, sep, name = entry.partition(":")
        if sep and label.isupper():
            out.append({"term": {"entity_keys": f"{label}:{name}"}})
        else:
            out.append({"term": {"entities.canonical": entry}})
    for values, name in (
        (req.countries, "countries"),
        (req.regions, "regions"),
        (req.event_types, "event_types"),
        (req.sources, "source"),
        (req.langs, "lang"),
        (req.stories, "story"),
    ):
        if values:
            out.append({"terms": {name: list(values)}})
    if req.since is not None:
        out.append({"range": {"date": {"gte": f"now-{int(req.since.total_seconds())}s"}}})
    if req.date_from or req.date_to:
        bounds = {}
        if req.date_from:
            bounds["gte"] = _utc(req.date_from)
        if req.date_to:
            bounds["lte"] = _utc(req.date_to)
        out.append({"range": {"date": bounds}})
    if req.bbox:
        minlon, minlat, maxlon, maxlat = req.bbox
        out.append(
            {
                "geo_bounding_box": {
                    "places.point": {
                        "top_left": {"lat": maxlat, "lon": minlon},
                        "bottom_right": {"lat": minlat, "lon": maxlon},
                    }
                }
            }
        )
    if req.near:
        lat, lon, km = req.near
        out.append(
            {"geo_distance": {"distance": f"{km}km", "places.point": {"lat": lat, "lon": lon}}}
        )
    return out


def _encode_after(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _decode_after(token: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as exc:
        raise ValueError("`after` is not a token returned by a previous page") from exc
    if not isinstance(values, list):
        raise ValueError("`after` is not a token returned by a previous page")
    return values


def _interval(req: SearchRequest) -> str:
    """Histogram buckets that suit the time range asked for (hours for a day or two)."""
    span = req.since
    if span is None and req.date_from is not None:
        span = (req.date_to or datetime.now(UTC)) - req.date_from
    if span is not None and span <= timedelta(days=2):
        return "hour"
    if span is not None and span > timedelta(days=90):
        return "week"
    return "day"


def _window(req: SearchRequest) -> dict[str, Any]:
    """The histogram spans the whole window asked for, empty buckets included: without it the
    buckets ran only from the first article to the last, and a window whose articles fell on
    one day drew a single bar as wide as the chart."""
    if req.since is not None:
        start, end = f"now-{int(req.since.total_seconds())}s", "now"
    elif req.date_from is not None:
        start, end = _utc(req.date_from), _utc(req.date_to) if req.date_to else "now"
    else:
        return {}
    return {"extended_bounds": {"min": start, "max": end}}


STORED_ONLY = ("text_norm", "fingerprint", "story_sig")  # fields for Elasticsearch, not for readers


def _utc(moment: datetime) -> str:
    """ISO-8601 with ``Z`` (``SearchRequest`` made it UTC): Elasticsearch (java.time) refuses
    offsets beyond ±18:00, which Python accepts."""
    return moment.isoformat().replace("+00:00", "Z")


def build_search_body(req: SearchRequest) -> dict[str, Any]:
    """The Elasticsearch request for ``req`` (pure: no client, easy to test)."""
    parsed = req.parsed()
    must = [parsed.to_es()] if parsed else [{"match_all": {}}]
    if req.sort == "time":
        sort: list[Any] = [{"date": {"order": "desc", "unmapped_type": "date"}}, {"id": "asc"}]
    else:
        sort = ["_score", {"date": {"order": "desc", "unmapped_type": "date"}}, {"id": "asc"}]
    query: dict[str, Any] = {"must": must, "filter": _filters(req)}
    if not req.duplicates:
        query["must_not"] = [{"exists": {"field": "duplicate_of"}}]
    body: dict[str, Any] = {
        "query": {"bool": query},
        "sort": sort,
        "size": req.size,
        "track_total_hits": True,
        "_source": {"excludes": list(STORED_ONLY)},
    }
    if req.after:
        body["search_after"] = _decode_after(req.after)
    if req.facets:
        body["aggs"] = {
            name: {"terms": {"field": field_name, "size": 10}}
            for name, field_name in FACETS.items()
        }
        body["aggs"]["histogram"] = {
            "date_histogram": {
                "field": "date",
                "calendar_interval": _interval(req),
                "min_doc_count": 0,
                **_window(req),
            }
        }
    return body


def _segments(snippet: str) -> list[list[Any]]:
    """``'a «b» c'`` (with private marks) -> ``[['a ', False], ['b', True], [' c', False]]``."""
    out: list[list[Any]] = []
    for n, part in enumerate(re.split(f"[{_MARK[0]}{_MARK[1]}]", snippet)):
        if part:
            out.append([part, n % 2 == 1])
    return out


def read_search_response(
    response: dict[str, Any], parsed: Query | None, *, mark: tuple[str, str] = ("«", "»")
) -> SearchResult:
    """Hits with highlights, facets, the histogram and the next-page token."""
    hits = []
    raw_hits = response["hits"]["hits"]
    for hit in raw_hits:
        article = hit["_source"]
        text = article.get("text") or ""
        match = parsed.match(text) if parsed else None
        spans = match.spans if match else []
        raw = snippets(text, spans, mark=_MARK) if spans else [text[:240]]
        hits.append(
            SearchHit(
                id=hit["_id"],
                score=hit.get("_score"),
                title=article.get("title") or text[:80],
                source=article.get("source"),
                date=article.get("date"),
                url=article.get("url"),
                highlights=[s.replace(_MARK[0], mark[0]).replace(_MARK[1], mark[1]) for s in raw]
                if spans
                else [],
                segments=[_segments(s) for s in raw],
                article=article,
            )
        )
    aggs = response.get("aggregations") or {}
    facets = {
        name: [{"value": b["key"], "count": b["doc_count"]} for b in aggs[name]["buckets"]]
        for name in FACETS
        if name in aggs
    }
    histogram = [
        {"date": b["key_as_string"], "count": b["doc_count"]}
        for b in (aggs.get("histogram") or {}).get("buckets", [])
    ]
    size = len(raw_hits)
    after = raw_hits[-1].get("sort") if raw_hits else None
    total = response["hits"]["total"]["value"]
    return SearchResult(
        total=total,
        hits=hits,
        facets=facets,
        histogram=histogram,
        next=_encode_after(after) if after and size > 0 else None,
    )


def search_articles(
    es: Elasticsearch,
    settings: Settings,
    query: str,
    *,
    since: timedelta | None = None,
    limit: int = 10,
    mark: tuple[str, str] = ("«", "»"),
) -> SearchResult:
    """Best matches first (newest first among equals), each with highlighted snippets."""
    req = SearchRequest(q=query, since=since, size=limit, facets=False)
    parsed = req.parsed()
    try:
        response = es.search(index=settings.articles_alias, **build_search_body(req))
    except NotFoundError as exc:
        raise ConfigurationError(
            f"there is no index {settings.articles_alias!r} at {settings.es_url} yet; start the "
            "worker (`newsmon worker`) and produce some articles first"
        ) from exc
    return read_search_response(response, parsed, mark=mark)
