"""Reading side of newsmon: search over the articles index (and, later, the HTTP API)."""

from api.search import SearchHit, SearchResult, parse_since, search_articles

__all__ = ["SearchHit", "SearchResult", "parse_since", "search_articles"]
