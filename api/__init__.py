"""Reading side of newsmon: search, the HTTP API and the desk UI (``api.main.create_app``)."""

from api.search import SearchHit, SearchRequest, SearchResult, parse_since, search_articles

__all__ = ["SearchHit", "SearchRequest", "SearchResult", "parse_since", "search_articles"]
