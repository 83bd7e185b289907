"""``GET /search``: the query language, filters, facets, a histogram, paging, highlights."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Literal

from elasticsearch import BadRequestError, NotFoundError
from fastapi import APIRouter, Depends, HTTPException, Query

from api.deps import ESDep, ReadAccess, SettingsDep
from api.models import ErrorOut, SearchOut
from api.search import SearchRequest, build_search_body, parse_since, read_search_response
from processors.errors import QuerySyntaxError

router = APIRouter(tags=["search"])

Many = Annotated[list[str], Query()]


def numbers(value: str | None, count: int, what: str) -> tuple[float, ...] | None:
    if not value:
        return None
    try:
        parts = tuple(float(x) for x in value.split(","))
    except ValueError:
        parts = ()
    if len(parts) != count:
        raise HTTPException(400, detail=f"`{what}` must be {count} comma-separated numbers")
    return parts


def search_filters(
    q: Annotated[
        str | None, Query(description='query language: AND OR NOT "phrase" pre* NEAR/n')
    ] = None,
    entity: Many = [],  # noqa: B006 - FastAPI copies defaults
    country: Many = [],  # noqa: B006
    region: Many = [],  # noqa: B006
    event_type: Many = [],  # noqa: B006
    source: Many = [],  # noqa: B006
    lang: Many = [],  # noqa: B006
    story: Many = [],  # noqa: B006
    since: Annotated[str | None, Query(description="30m, 24h, 7d")] = None,
    date_from: Annotated[datetime | None, Query(alias="from")] = None,
    date_to: Annotated[datetime | None, Query(alias="to")] = None,
    bbox: Annotated[str | None, Query(description="min lon,min lat,max lon,max lat")] = None,
    near: Annotated[str | None, Query(description="lat,lon,km")] = None,
    sort: Literal["time", "relevance"] = "relevance",
    duplicates: Annotated[
        bool, Query(description="false: leave out later copies of a story already indexed")
    ] = True,
) -> SearchRequest:
    """The search's query and filters, shared by ``/search`` and ``/export/search``; a bad
    one is a 400 saying what is wrong."""
    try:
        request = SearchRequest(
            q=q,
            entities=tuple(entity),
            countries=tuple(c.upper() for c in country),
            regions=tuple(region),
            event_types=tuple(event_type),
            sources=tuple(source),
            langs=tuple(lang),
            stories=tuple(story),
            since=parse_since(since) if since else None,
            date_from=date_from,
            date_to=date_to,
            bbox=numbers(bbox, 4, "bbox"),  # type: ignore[arg-type]
            near=numbers(near, 3, "near"),  # type: ignore[arg-type]
            sort=sort,
            duplicates=duplicates,
        )
        request.parsed()
    except (QuerySyntaxError, ValueError) as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return request


SearchFilters = Annotated[SearchRequest, Depends(search_filters)]


@router.get(
    "/search",
    response_model=SearchOut,
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}},
)
async def search(
    _: ReadAccess,
    settings: SettingsDep,
    es: ESDep,
    filters: SearchFilters,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Annotated[str | None, Query(description="`next` of the previous page")] = None,
) -> SearchOut:
    try:
        request = replace(filters, size=size, after=after)
        body = build_search_body(request)
        parsed = request.parsed()
    except (QuerySyntaxError, ValueError) as exc:
        raise HTTPException(400, detail=str(exc)) from None
    try:
        response = await es.search(index=settings.articles_alias, **body)
    except NotFoundError:
        return SearchOut(total=0, hits=[], facets={}, histogram=[], next=None)
    except BadRequestError as exc:  # a request our own checks let through: still the caller's
        raise HTTPException(
            400, detail=f"Elasticsearch refused the search: {exc.message}"
        ) from None
    result = read_search_response(response, parsed)
    return SearchOut(
        total=result.total,
        hits=[h.summary() for h in result.hits],
        facets=result.facets,
        histogram=result.histogram,
        next=result.next if len(result.hits) == size else None,
    )
