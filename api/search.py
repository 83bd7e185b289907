"""Full-text search over enriched articles, in the query language of ``processors.query``.

The query runs on Elasticsearch against ``text_norm`` (stems with folded diacritics); the same
parsed query then runs in Python on each hit's text to mark where it matched, so highlights show
the words as written (``clashes``, ``Ḩasakah``) for a query of ``clash`` or ``Hasakah``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from config import Settings
from processors.errors import ConfigurationError
from processors.highlight import snippets
from processors.query import parse_query

__all__ = ["SearchHit", "SearchResult", "parse_since", "search_articles"]

_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str) -> timedelta:
    """``30m``, ``24h``, ``7d``, ``2w`` -> a timedelta; anything else is a clear error."""
    match = _DURATION_RE.match(value)
    if not match:
        raise ValueError(
            f"{value!r} is not a duration; write a number and a unit: 30m, 24h, 7d or 2w"
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float | None
    title: str
    source: str | None
    date: str | None
    url: str | None
    highlights: list[str]
    article: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]


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
    parsed = parse_query(query)
    filters: list[dict[str, Any]] = []
    if since is not None:
        filters.append({"range": {"date": {"gte": f"now-{int(since.total_seconds())}s"}}})
    body = {
        "query": {"bool": {"must": [parsed.to_es()], "filter": filters}},
        "sort": ["_score", {"date": {"order": "desc", "unmapped_type": "date"}}],
        "size": limit,
        "track_total_hits": True,
        "_source": {"excludes": ["text_norm"]},
    }
    try:
        response = es.search(index=settings.articles_alias, **body)
    except NotFoundError as exc:
        raise ConfigurationError(
            f"there is no index {settings.articles_alias!r} at {settings.es_url} yet; start the "
            "worker (`newsmon worker`) and produce some articles first"
        ) from exc
    hits = []
    for hit in response["hits"]["hits"]:
        article = hit["_source"]
        text = article.get("text") or ""
        match = parsed.match(text)
        hits.append(
            SearchHit(
                id=hit["_id"],
                score=hit.get("_score"),
                title=article.get("title") or text[:80],
                source=article.get("source"),
                date=article.get("date"),
                url=article.get("url"),
                highlights=snippets(text, match.spans, mark=mark) if match else [],
                article=article,
            )
        )
    return SearchResult(total=response["hits"]["total"]["value"], hits=hits)
