"""``GET /articles/{id}``: one enriched article, with its entities, places and events."""

from __future__ import annotations

from elasticsearch import NotFoundError
from fastapi import APIRouter, HTTPException

from api.deps import ESDep, ReadAccess, SettingsDep
from api.models import ArticleOut, ErrorOut
from api.search import STORED_ONLY

router = APIRouter(tags=["articles"])


@router.get(
    "/articles/{article_id}",
    response_model=ArticleOut,
    responses={404: {"model": ErrorOut}, 401: {"model": ErrorOut}},
)
async def get_article(
    article_id: str, _: ReadAccess, settings: SettingsDep, es: ESDep
) -> ArticleOut:
    try:
        found = await es.get(
            index=settings.articles_alias, id=article_id, source_excludes=list(STORED_ONLY)
        )
    except NotFoundError:
        raise HTTPException(404, detail=f"no article {article_id!r}") from None
    return ArticleOut.model_validate(found["_source"])
