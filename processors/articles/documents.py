"""The Elasticsearch document for an enriched article: the article plus fields search needs.

The enriched article itself is kept whole in ``_source`` (the index is ``dynamic: false``, so
unknown input fields are stored but never change the mapping). Added here:

- ``text_norm``: the Python-normalised stems of ``text`` (see ``processors.text.normalise``);
- ``date``: ``published_at`` when known, else ``enriched_at``; what ``--since`` and sorting use;
- ``entity_keys``: ``LABEL:canonical`` per named entity (not numbers or dates), for exact entity
  filters and facets;
- ``point`` on places and event places: the ``geo_point`` form of their ``lat``/``lon``;
- ``event_types``: the distinct event types, for facets.
"""

from __future__ import annotations

from typing import Any

from processors.text.normalise import normalize_text

NAME_LABELS = frozenset("PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW".split())

__all__ = ["search_document"]


def _point(obj: dict[str, Any] | None) -> dict[str, float] | None:
    if not obj or obj.get("lat") is None or obj.get("lon") is None:
        return None
    return {"lat": float(obj["lat"]), "lon": float(obj["lon"])}


def search_document(article: dict[str, Any]) -> dict[str, Any]:
    """A new dict for indexing; ``article`` is not modified."""
    doc = dict(article)
    doc["text_norm"] = normalize_text(article.get("text") or "")
    doc["date"] = article.get("published_at") or article.get("enriched_at")
    doc["entity_keys"] = sorted(
        {
            f"{e['label']}:{e.get('canonical') or e['text']}"
            for e in article.get("entities", [])
            if e["label"] in NAME_LABELS
        }
    )
    doc["places"] = [{**p, "point": _point(p)} for p in article.get("places", [])]
    doc["events"] = [
        {**e, "place": {**e["place"], "point": _point(e["place"])} if e.get("place") else None}
        for e in article.get("events", [])
    ]
    doc["event_types"] = sorted({e["type"] for e in article.get("events", []) if e.get("type")})
    doc["location"] = _point(article.get("location"))
    return doc
