"""Top stories: the stories of a window (``story`` set at indexing,
processors/articles/stories.py), the fastest growing first, each with its sources, places,
countries and event types.

One aggregation request: the window's articles (narrowed by the search's own filters) by
story, the stories with the most articles in the recent hours first, and per story its
recent count, first and latest dates, latest headline and top values. Growth and the ranking
are computed here (processors.articles.stories), not in Elasticsearch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from api.search import SearchRequest, build_search_body
from processors.articles.stories import growth, rank_stories

__all__ = ["StoriesRequest", "build_stories_body", "read_stories_response"]

_TOP = {
    "sources": "source",
    "places": "places.name",
    "countries": "countries",
    "event_types": "event_types",
}
_CANDIDATES = 200


@dataclass(frozen=True)
class StoriesRequest:
    filters: SearchRequest
    window: timedelta
    recent: timedelta
    breaking: float
    limit: int = 20

    def __post_init__(self) -> None:
        if not timedelta(0) < self.recent < self.window:
            raise ValueError(
                f"the recent hours ({self.recent}) must be shorter than the window "
                f"({self.window}) and more than nothing"
            )


def _hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


def build_stories_body(req: StoriesRequest) -> dict[str, Any]:
    """The Elasticsearch request (pure: no client, easy to test)."""
    query = build_search_body(req.filters)["query"]
    window_s, recent_s = int(req.window.total_seconds()), int(req.recent.total_seconds())
    query["bool"]["filter"].append({"range": {"date": {"gte": f"now-{window_s}s"}}})
    query["bool"]["filter"].append({"exists": {"field": "story"}})
    terms = {name: {"terms": {"field": field, "size": 5}} for name, field in _TOP.items()}
    return {
        "size": 0,
        "query": query,
        "aggs": {
            "stories": {
                "terms": {
                    "field": "story",
                    "size": _CANDIDATES,
                    "order": [{"recent": "desc"}, {"_count": "desc"}],
                },
                "aggs": {
                    "recent": {"filter": {"range": {"date": {"gte": f"now-{recent_s}s"}}}},
                    "first": {"min": {"field": "date"}},
                    "latest": {"max": {"field": "date"}},
                    "headline": {
                        "top_hits": {
                            "size": 1,
                            "sort": [{"date": {"order": "desc"}}],
                            "_source": ["title"],
                        }
                    },
                    **terms,
                },
            }
        },
    }


def _buckets(agg: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"value": str(b["key"]), "count": b["doc_count"]} for b in agg.get("buckets", [])]


def read_stories_response(response: dict[str, Any], req: StoriesRequest) -> list[dict[str, Any]]:
    """The stories of the response, ranked (``processors.articles.stories.rank_stories``), at most
    ``req.limit``."""
    window_h, recent_h = _hours(req.window), _hours(req.recent)
    stories = []
    for bucket in response.get("aggregations", {}).get("stories", {}).get("buckets", []):
        hits = bucket["headline"]["hits"]["hits"]
        pace = growth(
            bucket["recent"]["doc_count"], bucket["doc_count"], window_h=window_h, recent_h=recent_h
        )
        stories.append(
            {
                "id": str(bucket["key"]),
                "title": (hits[0].get("_source") or {}).get("title") or "" if hits else "",
                "articles": bucket["doc_count"],
                "recent": bucket["recent"]["doc_count"],
                "growth": round(pace, 2),
                "breaking": pace >= req.breaking,
                "first": bucket["first"].get("value_as_string"),
                "latest": bucket["latest"].get("value_as_string"),
                **{name: _buckets(bucket[name]) for name in _TOP},
            }
        )
    return [dict(s) for s in rank_stories(stories)[: req.limit]]
