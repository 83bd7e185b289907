"""Reading past enriched articles back from Elasticsearch (for ``newsmon rules test --since``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from elasticsearch import NotFoundError

from config import Settings
from streams.indexing import sync_client

__all__ = ["iter_articles"]


def iter_articles(settings: Settings, *, since: timedelta, limit: int) -> Iterator[dict[str, Any]]:
    """Articles that arrived in the last ``since``, latest first, paged with search_after.

    Arrival (``enriched_at``), not publication: a rule only ever sees articles as they arrive,
    so "what would this rule have fired on in the last 24 hours" is a question about arrivals.
    """
    es = sync_client(settings)
    query = {"range": {"enriched_at": {"gte": f"now-{int(since.total_seconds())}s"}}}
    after: list[Any] | None = None
    served = 0
    while served < limit:
        try:
            page = es.search(
                index=settings.articles_alias,
                query=query,
                sort=[{"enriched_at": "desc"}, {"id": "asc"}],
                size=min(500, limit - served),
                search_after=after,
                source_excludes=["text_norm"],
            )
        except NotFoundError:
            return  # no index yet: no history
        hits = page["hits"]["hits"]
        if not hits:
            return
        for hit in hits:
            yield hit["_source"]
        served += len(hits)
        after = hits[-1]["sort"]
