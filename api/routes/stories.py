"""``GET /stories``: top stories of a window, the fastest growing first (api/stories.py)."""

from __future__ import annotations

from typing import Annotated

from elasticsearch import BadRequestError, NotFoundError
from fastapi import APIRouter, HTTPException, Query

from api.deps import ESDep, ReadAccess, SettingsDep
from api.models import ErrorOut, StoriesOut, StoryOut
from api.routes.search import SearchFilters
from api.search import parse_since
from api.stories import StoriesRequest, build_stories_body, read_stories_response

router = APIRouter(tags=["stories"])


@router.get(
    "/stories",
    response_model=StoriesOut,
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}},
)
async def stories(
    _: ReadAccess,
    settings: SettingsDep,
    es: ESDep,
    filters: SearchFilters,
    window: Annotated[str, Query(description="the stories of this window: 24h, 3d")] = "24h",
    recent: Annotated[
        str | None, Query(description="growth compares these last hours with the rest (2h)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> StoriesOut:
    """Stories (reports of one happening, grouped at indexing) with articles in the window,
    ranked by growth: articles per hour in the recent hours less the story's pace before
    them. The search's filters (`q`, `country`, `event_type`, ...) narrow the articles
    counted; `/search?story=ID` lists a story's articles."""
    try:
        request = StoriesRequest(
            filters=filters,
            window=parse_since(window),
            recent=parse_since(recent or settings.stories_recent),
            breaking=settings.stories_breaking,
            limit=limit,
        )
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    out = {
        "window_hours": request.window.total_seconds() / 3600,
        "recent_hours": request.recent.total_seconds() / 3600,
        "breaking": request.breaking,
    }
    try:
        response = await es.search(index=settings.articles_alias, **build_stories_body(request))
    except NotFoundError:
        return StoriesOut(**out, stories=[])
    except BadRequestError as exc:
        raise HTTPException(
            400, detail=f"Elasticsearch refused the request: {exc.message}"
        ) from None
    found = read_stories_response(response.body, request)
    return StoriesOut(**out, stories=[StoryOut.model_validate(s) for s in found])
