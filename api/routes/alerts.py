"""``GET /alerts`` (newest first), and acknowledging and assigning an alert."""

from __future__ import annotations

import base64
import json
from typing import Annotated

from elasticsearch import NotFoundError
from fastapi import APIRouter, HTTPException, Query

from api.deps import AnalystAccess, ESDep, ReadAccess, SettingsDep
from api.models import AlertOut, AlertsOut, AssignIn, ErrorOut
from api.search import parse_since

router = APIRouter(tags=["alerts"])


@router.get(
    "/alerts",
    response_model=AlertsOut,
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}},
)
async def list_alerts(
    _: ReadAccess,
    settings: SettingsDep,
    es: ESDep,
    rule_id: Annotated[list[str], Query()] = [],  # noqa: B006
    acknowledged: bool | None = None,
    since: str | None = None,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    after: str | None = None,
) -> AlertsOut:
    filters: list[dict] = [{"exists": {"field": "rule_id"}}]
    if rule_id:
        filters.append({"terms": {"rule_id": rule_id}})
    if acknowledged is not None:
        if acknowledged:
            filters.append({"term": {"acknowledged": True}})
        else:
            filters.append({"bool": {"must_not": {"term": {"acknowledged": True}}}})
    try:
        if since:
            seconds = int(parse_since(since).total_seconds())
            filters.append({"range": {"fired_at": {"gte": f"now-{seconds}s"}}})
        search_after = json.loads(base64.urlsafe_b64decode(after)) if after else None
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    try:
        response = await es.search(
            index=settings.alerts_index,
            query={"bool": {"filter": filters}},
            sort=[{"fired_at": "desc"}, {"id": "asc"}],
            size=size,
            search_after=search_after,
            track_total_hits=True,
        )
    except NotFoundError:
        return AlertsOut(data=[], count=0)
    hits = response["hits"]["hits"]
    following = None
    if len(hits) == size:
        following = base64.urlsafe_b64encode(json.dumps(hits[-1]["sort"]).encode()).decode()
    return AlertsOut(
        data=[AlertOut.model_validate(h["_source"]) for h in hits],
        count=response["hits"]["total"]["value"],
        next=following,
    )


async def _update(es, settings, alert_id: str, fields: dict) -> AlertOut:  # noqa: ANN001
    try:
        await es.update(index=settings.alerts_index, id=alert_id, doc=fields, refresh="wait_for")
        found = await es.get(index=settings.alerts_index, id=alert_id)
    except NotFoundError:
        raise HTTPException(404, detail=f"no alert {alert_id!r}") from None
    return AlertOut.model_validate(found["_source"])


@router.post(
    "/alerts/{alert_id}/ack",
    response_model=AlertOut,
    responses={404: {"model": ErrorOut}, 403: {"model": ErrorOut}},
)
async def acknowledge(
    alert_id: str, _: AnalystAccess, settings: SettingsDep, es: ESDep
) -> AlertOut:
    return await _update(es, settings, alert_id, {"acknowledged": True})


@router.post(
    "/alerts/{alert_id}/assign",
    response_model=AlertOut,
    responses={404: {"model": ErrorOut}, 403: {"model": ErrorOut}},
)
async def assign(
    alert_id: str, body: AssignIn, _: AnalystAccess, settings: SettingsDep, es: ESDep
) -> AlertOut:
    return await _update(es, settings, alert_id, {"assignee": body.assignee})
