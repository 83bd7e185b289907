"""``GET /alerts`` (newest first, filtered by state and assignee, with counts per state), and
triage: acknowledge, snooze, reopen, assign and note an alert, each recorded with who and when
(``api.triage``)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from elasticsearch import ConflictError, NotFoundError
from fastapi import APIRouter, HTTPException, Query, Request

from api.deps import AnalystAccess, ESDep, ReadAccess, SettingsDep
from api.models import AlertOut, AlertsOut, AssignIn, ErrorOut, NoteIn, SnoozeIn
from api.search import parse_since
from api.triage import STATES, Action, TriageError, apply_action, state_filters, state_of

router = APIRouter(tags=["alerts"])

State = Literal["new", "snoozed", "acknowledged"]


def alert_out(source: dict[str, Any], now: datetime | None = None) -> AlertOut:
    """An indexed alert as the API shows it, its state worked out now."""
    return AlertOut.model_validate({**source, "state": state_of(source, now or datetime.now(UTC))})


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
    state: Annotated[list[State], Query()] = [],  # noqa: B006
    assignee: Annotated[list[str], Query()] = [],  # noqa: B006
    unassigned: bool = False,
    acknowledged: bool | None = None,
    since: str | None = None,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    after: str | None = None,
) -> AlertsOut:
    """``state`` and ``assignee`` repeat (any of them); ``unassigned=true`` adds alerts nobody
    holds. ``states`` in the answer counts every state under the other filters, so a desk's
    tabs show their numbers whatever tab is open."""
    try:
        query = alert_filters(rule_id, [], assignee, unassigned, acknowledged, since)
        search_after = json.loads(base64.urlsafe_b64decode(after)) if after else None
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    by_state = state_filters()
    chosen = _any_state(state)
    try:
        response = await es.search(
            index=settings.alerts_index,
            query=query,
            post_filter=chosen,
            aggs={"states": {"filters": {"filters": by_state}}},
            sort=[{"fired_at": "desc"}, {"id": "asc"}],
            size=size,
            search_after=search_after,
            track_total_hits=True,
        )
    except NotFoundError:
        return AlertsOut(data=[], count=0, states=dict.fromkeys(STATES, 0))
    hits = response["hits"]["hits"]
    following = None
    if len(hits) == size:
        following = base64.urlsafe_b64encode(json.dumps(hits[-1]["sort"]).encode()).decode()
    buckets = response["aggregations"]["states"]["buckets"]
    now = datetime.now(UTC)
    return AlertsOut(
        data=[alert_out(h["_source"], now) for h in hits],
        count=response["hits"]["total"]["value"],
        next=following,
        states={s: buckets[s]["doc_count"] for s in STATES},
    )


def _any_state(states: list[str]) -> dict[str, Any] | None:
    by_state = state_filters()
    if not states:
        return None
    return {"bool": {"should": [by_state[s] for s in states], "minimum_should_match": 1}}


def alert_filters(
    rule_id: list[str],
    state: list[str],
    assignee: list[str],
    unassigned: bool,
    acknowledged: bool | None,
    since: str | None,
) -> dict[str, Any]:
    """The Elasticsearch query of the alerts filters (``/alerts``, ``/export/alerts``);
    ValueError for a bad ``since``."""
    filters: list[dict] = [{"exists": {"field": "rule_id"}}]
    if rule_id:
        filters.append({"terms": {"rule_id": rule_id}})
    holders: list[dict] = []
    if assignee:
        holders.append({"terms": {"assignee": assignee}})
    if unassigned:
        holders.append({"bool": {"must_not": {"exists": {"field": "assignee"}}}})
    if holders:
        filters.append({"bool": {"should": holders, "minimum_should_match": 1}})
    if acknowledged is not None:  # the older switch: acknowledged, or not (new and snoozed)
        acked = {"term": {"acknowledged": True}}
        filters.append(acked if acknowledged else {"bool": {"must_not": acked}})
    if since:
        seconds = int(parse_since(since).total_seconds())
        filters.append({"range": {"fired_at": {"gte": f"now-{seconds}s"}}})
    chosen = _any_state(state)
    if chosen is not None:
        filters.append(chosen)
    return {"bool": {"filter": filters}}


async def _triage(
    request: Request,
    es: Any,
    settings: Any,
    alert_id: str,
    action: Action,
    *,
    by: str,
    **fields: Any,
) -> AlertOut:
    """Read the alert, apply the action, write it back if nobody wrote in between (else read
    again: two desks acting at once both land in the history)."""
    for _ in range(5):
        try:
            found = await es.get(index=settings.alerts_index, id=alert_id)
        except NotFoundError:
            raise HTTPException(404, detail=f"no alert {alert_id!r}") from None
        now = datetime.now(UTC)
        try:
            changes = apply_action(found["_source"], action, by=by, now=now, **fields)
        except TriageError as exc:
            raise HTTPException(422, detail=str(exc)) from None
        try:
            await es.update(
                index=settings.alerts_index,
                id=alert_id,
                doc=changes,
                if_seq_no=found["_seq_no"],
                if_primary_term=found["_primary_term"],
                refresh="wait_for",
            )
        except ConflictError:
            continue
        alert = alert_out({**found["_source"], **changes}, now)
        hub = getattr(request.app.state, "live", None)
        if hub is not None:  # every desk on this API sees the change at once
            hub.announce("triage", alert.model_dump(mode="json", exclude={"article", "matched"}))
        return alert
    raise HTTPException(409, detail=f"alert {alert_id!r} kept changing; try again")


_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut, responses=_RESPONSES)
async def acknowledge(
    alert_id: str,
    request: Request,
    who: AnalystAccess,
    settings: SettingsDep,
    es: ESDep,
    body: NoteIn | None = None,
) -> AlertOut:
    """Acknowledge, with an optional note; a snooze ends with it."""
    note = body.note if body else None
    return await _triage(request, es, settings, alert_id, "acknowledge", by=who.name, note=note)


@router.post("/alerts/{alert_id}/snooze", response_model=AlertOut, responses=_RESPONSES)
async def snooze(
    alert_id: str,
    request: Request,
    who: AnalystAccess,
    settings: SettingsDep,
    es: ESDep,
    body: SnoozeIn,
) -> AlertOut:
    """Out of the inbox until ``until`` (or for ``for``, like ``4h``), then new again."""
    until = body.until
    if until is None and body.for_:
        try:
            until = datetime.now(UTC) + parse_since(body.for_)
        except ValueError as exc:
            raise HTTPException(422, detail=f"for: {exc}") from None
    return await _triage(
        request, es, settings, alert_id, "snooze", by=who.name, note=body.note, until=until
    )


@router.post("/alerts/{alert_id}/reopen", response_model=AlertOut, responses=_RESPONSES)
async def reopen(
    alert_id: str,
    request: Request,
    who: AnalystAccess,
    settings: SettingsDep,
    es: ESDep,
    body: NoteIn | None = None,
) -> AlertOut:
    """Back to new: undoes an acknowledgement or a snooze."""
    note = body.note if body else None
    return await _triage(request, es, settings, alert_id, "reopen", by=who.name, note=note)


@router.post("/alerts/{alert_id}/assign", response_model=AlertOut, responses=_RESPONSES)
async def assign(
    alert_id: str,
    request: Request,
    who: AnalystAccess,
    settings: SettingsDep,
    es: ESDep,
    body: AssignIn,
) -> AlertOut:
    """Give the alert to someone (an empty or null assignee takes it back)."""
    return await _triage(
        request,
        es,
        settings,
        alert_id,
        "assign",
        by=who.name,
        note=body.note,
        assignee=body.assignee,
    )


@router.post("/alerts/{alert_id}/note", response_model=AlertOut, responses=_RESPONSES)
async def add_note(
    alert_id: str,
    request: Request,
    who: AnalystAccess,
    settings: SettingsDep,
    es: ESDep,
    body: NoteIn,
) -> AlertOut:
    """A note on the alert, without changing its state."""
    return await _triage(request, es, settings, alert_id, "note", by=who.name, note=body.note)
