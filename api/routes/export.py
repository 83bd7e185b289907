"""``GET /export/search`` and ``GET /export/alerts``: the whole result as a download.

The same query and filters as ``/search`` (or ``/alerts``), paged through with
``search_after`` 500 at a time and streamed as it is read, in CSV, JSON lines or GeoJSON
(``api.export``), up to ``limit`` documents. Bad input is a 400 before anything is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from elasticsearch import NotFoundError
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import ESDep, ReadAccess, SettingsDep
from api.export import MEDIA_TYPES, Encoder, Format
from api.models import ErrorOut
from api.routes.alerts import AlertFilters
from api.routes.search import SearchFilters
from api.search import build_search_body
from api.triage import state_of

router = APIRouter(tags=["export"])
Kind = Literal["articles", "alerts"]

_PAGE = 500
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in MEDIA_TYPES.values()}},
    400: {"model": ErrorOut},
    401: {"model": ErrorOut},
}
Limit = Annotated[int, Query(ge=1, le=100_000, description="at most this many documents")]


async def _pages(
    es: Any, index: str, body: dict[str, Any], limit: int
) -> AsyncIterator[dict[str, Any]]:
    sent = 0
    body = {**body, "size": min(_PAGE, limit), "track_total_hits": False}
    while sent < limit:
        try:
            response = await es.search(index=index, **body)
        except NotFoundError:
            return
        hits = response["hits"]["hits"]
        for hit in hits[: limit - sent]:
            yield hit["_source"]
        sent += len(hits)
        if len(hits) < body["size"]:
            return
        body["search_after"] = hits[-1]["sort"]


def _download(
    fmt: Format, name: str, documents: AsyncIterator[dict[str, Any]], kind: Kind
) -> StreamingResponse:
    """Stream ``documents`` as ``fmt``: nothing is held but the page being read."""

    async def body() -> AsyncIterator[bytes]:
        encoder = Encoder(fmt, kind)
        yield encoder.head().encode()
        async for document in documents:
            yield encoder.encode(document).encode()
        yield encoder.tail().encode()

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        body(),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="newsmon-{name}-{stamp}.{fmt}"'},
    )


@router.get("/export/search", response_class=StreamingResponse, responses=_RESPONSES)
async def export_search(
    _: ReadAccess,
    settings: SettingsDep,
    es: ESDep,
    filters: SearchFilters,
    format: Format = "csv",  # noqa: A002 - the parameter's name in the URL
    limit: Limit = 10_000,
) -> StreamingResponse:
    """Every article the search finds (up to ``limit``), in its order."""
    body = build_search_body(replace(filters, facets=False, size=_PAGE))
    body.pop("track_total_hits", None)
    return _download(format, "search", _pages(es, settings.articles_alias, body, limit), "articles")


@router.get("/export/alerts", response_class=StreamingResponse, responses=_RESPONSES)
async def export_alerts(
    _: ReadAccess,
    settings: SettingsDep,
    es: ESDep,
    filters: AlertFilters,
    format: Format = "csv",  # noqa: A002
    limit: Limit = 10_000,
) -> StreamingResponse:
    """Alerts, newest first, with the filters of ``/alerts``."""
    body = {"query": filters.query(), "sort": [{"fired_at": "desc"}, {"id": "asc"}]}
    now = datetime.now(UTC)

    async def alerts() -> AsyncIterator[dict[str, Any]]:
        async for alert in _pages(es, settings.alerts_index, body, limit):
            yield {**alert, "state": state_of(alert, now)}

    return _download(format, "alerts", alerts(), "alerts")
