"""Exports: articles and alerts as CSV, JSON lines or GeoJSON, written piece by piece.

Plain functions over documents as the index holds them, so the format is tested without a
server; ``api.routes.export`` pages through the whole result with ``search_after`` and streams
what these functions write. GeoJSON has one Point feature per literal place and per placed event,
each carrying its article's id, so a map tool gets both and can tell them apart (``kind``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ALERT_COLUMNS",
    "ARTICLE_COLUMNS",
    "Encoder",
    "Format",
    "MEDIA_TYPES",
    "alert_features",
    "alert_row",
    "article_features",
    "article_row",
    "write",
]

Format = Literal["csv", "jsonl", "geojson"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "geojson": "application/geo+json",
}
ARTICLE_COLUMNS = (
    "id",
    "title",
    "source",
    "url",
    "published_at",
    "lang",
    "countries",
    "regions",
    "lat",
    "lon",
    "event_type",
    "event_place",
    "fatalities",
    "injured",
    "arrested",
    "duplicate_of",
)
ALERT_COLUMNS = (
    "id",
    "rule_id",
    "rule_name",
    "kind",
    "fired_at",
    "state",
    "assignee",
    "acknowledged_by",
    "note",
    "article_id",
    "title",
    "source",
    "url",
    "countries",
)


def _cell(value: Any) -> str:
    """A CSV cell; a leading = + - @ is quoted off so a spreadsheet does not run it."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def article_row(article: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: the article and its top event."""
    event = next(iter(article.get("events") or []), {})
    location = article.get("location") or {}
    return {
        "id": article.get("id"),
        "title": article.get("title"),
        "source": article.get("source"),
        "url": article.get("url"),
        "published_at": article.get("published_at") or article.get("date"),
        "lang": article.get("lang"),
        "countries": " ".join(article.get("countries") or []),
        "regions": " ".join(article.get("regions") or []),
        "lat": location.get("lat"),
        "lon": location.get("lon"),
        "event_type": event.get("type"),
        "event_place": (event.get("place") or {}).get("name"),
        "fatalities": event.get("fatalities"),
        "injured": event.get("injured"),
        "arrested": event.get("arrested"),
        "duplicate_of": article.get("duplicate_of"),
    }


def _point(lat: Any, lon: Any) -> dict[str, Any] | None:
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def article_features(article: dict[str, Any]) -> list[dict[str, Any]]:
    """A feature per literal place (metonymic ones, "Washington said", are not where anything
    is) and per event with a place, each with the article's id and title."""
    common = {"article_id": article.get("id"), "title": article.get("title")}
    features = []
    for place in article.get("places") or []:
        geometry = _point(place.get("lat"), place.get("lon"))
        if geometry is None or place.get("metonymic"):
            continue
        properties = {
            "kind": "place",
            **common,
            "name": place.get("name"),
            "country_code": place.get("country_code"),
            "admin1": place.get("admin1"),
            "place_kind": place.get("kind"),
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    for n, event in enumerate(article.get("events") or []):
        place = event.get("place") or {}
        geometry = _point(place.get("lat"), place.get("lon"))
        if geometry is None:
            continue
        properties = {
            "kind": "event",
            **common,
            "rank": n,
            "event_type": event.get("type"),
            "place": place.get("name"),
            "country_code": place.get("country_code"),
            "fatalities": event.get("fatalities"),
            "injured": event.get("injured"),
            "arrested": event.get("arrested"),
            "date": event.get("date"),
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def alert_row(alert: dict[str, Any]) -> dict[str, Any]:
    article = alert.get("article") or {}
    return {
        "id": alert.get("id"),
        "rule_id": alert.get("rule_id"),
        "rule_name": alert.get("rule_name"),
        "kind": alert.get("kind"),
        "fired_at": alert.get("fired_at"),
        "state": alert.get("state"),
        "assignee": alert.get("assignee"),
        "acknowledged_by": alert.get("acknowledged_by"),
        "note": alert.get("note"),
        "article_id": alert.get("article_id"),
        "title": article.get("title"),
        "source": article.get("source"),
        "url": article.get("url"),
        "countries": " ".join(article.get("countries") or []),
    }


def alert_features(alert: dict[str, Any]) -> list[dict[str, Any]]:
    """The place the alert matched on, if it has one."""
    matched = alert.get("matched") or {}
    place = matched.get("place") or (matched.get("event") or {}).get("place") or {}
    geometry = _point(place.get("lat"), place.get("lon"))
    if geometry is None:
        return []
    properties = {
        "kind": "alert",
        "alert_id": alert.get("id"),
        "rule_id": alert.get("rule_id"),
        "article_id": alert.get("article_id"),
        "title": (alert.get("article") or {}).get("title"),
        "place": place.get("name"),
        "country_code": place.get("country_code"),
        "state": alert.get("state"),
    }
    return [{"type": "Feature", "geometry": geometry, "properties": properties}]


def csv_header(columns: tuple[str, ...]) -> str:
    return csv_line(columns, {c: c for c in columns})


def csv_line(columns: tuple[str, ...], row: dict[str, Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


GEOJSON_HEAD = '{"type": "FeatureCollection", "features": [\n'
GEOJSON_TAIL = "\n]}\n"


@dataclass
class Encoder:
    """Writes one export incrementally: ``head()``, ``encode(document)`` per document, then
    ``tail()``; nothing is held between documents but whether a feature came yet."""

    fmt: Format
    kind: Literal["articles", "alerts"]
    _first: bool = True

    def head(self) -> str:
        if self.fmt == "csv":
            return csv_header(self.columns)
        return GEOJSON_HEAD if self.fmt == "geojson" else ""

    def encode(self, document: dict[str, Any]) -> str:
        if self.fmt == "csv":
            row = article_row if self.kind == "articles" else alert_row
            return csv_line(self.columns, row(document))
        if self.fmt == "jsonl":
            return json.dumps(document, ensure_ascii=False) + "\n"
        features = article_features if self.kind == "articles" else alert_features
        out = []
        for feature in features(document):
            out.append(("" if self._first else ",\n") + json.dumps(feature, ensure_ascii=False))
            self._first = False
        return "".join(out)

    def tail(self) -> str:
        return GEOJSON_TAIL if self.fmt == "geojson" else ""

    @property
    def columns(self) -> tuple[str, ...]:
        return ARTICLE_COLUMNS if self.kind == "articles" else ALERT_COLUMNS


def write(
    documents: Iterable[dict[str, Any]], fmt: Format, kind: Literal["articles", "alerts"]
) -> str:
    """A whole export of ``documents`` as one text (tests, small exports)."""
    encoder = Encoder(fmt, kind)
    return encoder.head() + "".join(encoder.encode(d) for d in documents) + encoder.tail()
