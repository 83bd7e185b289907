"""``GET /alerts`` (newest first, filtered by state and assignee, with counts per state), and
triage: acknowledge, snooze, reopen, assign and note an alert, each recorded with who and when
(``api.triage``)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from elasticsearch import ConflictError, NotFoundError
from fastapi import APIRouter, Depends, HTTPException, Query, Request

from api.deps import AnalystAccess, ESDep, ReadAccess, SettingsDep
from api.models import AlertOut, AlertsOut, AssignIn, ErrorOut, NoteIn, SnoozeIn
from api.search import parse_since
from api.triage import STATES, Action, TriageError, apply_action, state_filters, state_of

router = APIRouter(tags=["alerts"])

State = Literal["new", "snoozed", "acknowledged"]


def alert_out(source: dict[str, Any], now: datetime | None = None) -> AlertOut:
    """An indexed alert as the API shows it, its state worked out now."""
    return AlertOut.model_validate({**source, "state": state_of(source, now or datetime.now(UTC))})


@dataclass(frozen=True)
class AlertFilter:
    """The filters of ``/alerts`` and ``/export/alerts``: ``state`` and ``assignee`` repeat
    (any of them), ``unassigned`` adds alerts nobody holds, ``acknowledged`` is the older
    switch (acknowledged, or not: new and snoozed)."""

    rule_id: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    assignee: tuple[str, ...] = ()
    unassigned: bool = False
    acknowledged: bool | None = None
    since_s: int | None = None

    def query(self, *, with_state: bool = True) -> dict[str, Any]:
        """The Elasticsearch query; without the state when it goes in a post filter."""
        filters: list[dict] = [{"exists": {"field": "rule_id"}}]
        if self.rule_id:
            filters.append({"terms": {"rule_id": list(self.rule_id)}})
        holders: list[dict] = []
        if self.assignee:
            holders.append({"terms": {"assignee": list(self.assignee)}})
        if self.unassigned:
            holders.append({"bool": {"must_not": {"exists": {"field": "assignee"}}}})
        if holders:
            filters.append({"bool": {"should": holders, "minimum_should_match": 1}})
        if self.acknowledged is not None:
            acked = {"term": {"acknowledged": True}}
            filters.append(acked if self.acknowledged else {"bool": {"must_not": acked}})
        if self.since_s is not None:
            filters.append({"range": {"fired_at": {"gte": f"now-{self.since_s}s"}}})
        if with_state and self.state_filter is not None:
            filters.append(self.state_filter)
        return {"bool": {"filter": filters}}

    @property
    def state_filter(self) -> dict[str, Any] | None:
        if not self.state:
            return None
        by_state = state_filters()
        return {"bool": {"should": [by_state[s] for s in self.state], "minimum_should_match": 1}}


def alert_filter(
    rule_id: Annotated[list[str], Query()] = [],  # noqa: B006
    state: Annotated[list[State], Query()] = [],  # noqa: B006
    assignee: Annotated[list[str], Query()] = [],  # noqa: B006
    unassigned: bool = False,
    acknowledged: bool | None = None,
    since: str | None = None,
) -> AlertFilter:
    try:
        since_s = int(parse_since(since).total_seconds()) if since else None
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return AlertFilter(
        tuple(rule_id), tuple(state), tuple(assignee), unassigned, acknowledged, since_s
    )


AlertFilters = Annotated[AlertFilter, Depends(alert_filter)]


@router.get(
    "/alerts",
    response_model=AlertsOut,
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}},
)
async def list_alerts(
    _: ReadAccess,
    settings: SettingsDep,
    es: ESDep,
    filters: AlertFilters,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    after: str | None = None,
) -> AlertsOut:
    """Newest first. ``states`` in the answer counts every state under the other filters, so
    a desk's tabs show their numbers whatever tab is open."""
    try:
        search_after = json.loads(base64.urlsafe_b64decode(after)) if after else None
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    try:
        response = await es.search(
            index=settings.alerts_index,
            query=filters.query(with_state=False),
            post_filter=filters.state_filter,
            aggs={"states": {"filters": {"filters": state_filters()}}},
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


@dataclass
class Triage:
    """One analyst's triage of alerts on this API: read, apply, write back if nobody wrote in
    between (else read again: two desks acting at once both land in the history), and tell
    the desks connected here."""

    es: Any
    settings: Any
    hub: Any
    by: str

    async def __call__(self, alert_id: str, action: Action, **fields: Any) -> AlertOut:
        for _ in range(5):
            try:
                found = await self.es.get(index=self.settings.alerts_index, id=alert_id)
            except NotFoundError:
                raise HTTPException(404, detail=f"no alert {alert_id!r}") from None
            now = datetime.now(UTC)
            try:
                changes = apply_action(found["_source"], action, by=self.by, now=now, **fields)
            except TriageError as exc:
                raise HTTPException(422, detail=str(exc)) from None
            try:
                await self.es.update(
                    index=self.settings.alerts_index,
                    id=alert_id,
                    doc=changes,
                    if_seq_no=found["_seq_no"],
                    if_primary_term=found["_primary_term"],
                    refresh="wait_for",
                )
            except ConflictError:
                continue
            alert = alert_out({**found["_source"], **changes}, now)
            if self.hub is not None:  # every desk on this API sees the change at once
                payload = alert.model_dump(mode="json", exclude={"article", "matched"})
                self.hub.announce("triage", payload)
            return alert
        raise HTTPException(409, detail=f"alert {alert_id!r} kept changing; try again")


def _triage(request: Request, who: AnalystAccess, settings: SettingsDep, es: ESDep) -> Triage:
    return Triage(es, settings, getattr(request.app.state, "live", None), who.name)


TriageDep = Annotated[Triage, Depends(_triage)]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut, responses=_RESPONSES)
async def acknowledge(alert_id: str, triage: TriageDep, body: NoteIn | None = None) -> AlertOut:
    """Acknowledge, with an optional note; a snooze ends with it."""
    return await triage(alert_id, "acknowledge", note=body.note if body else None)


@router.post("/alerts/{alert_id}/snooze", response_model=AlertOut, responses=_RESPONSES)
async def snooze(alert_id: str, triage: TriageDep, body: SnoozeIn) -> AlertOut:
    """Out of the inbox until ``until`` (or for ``for``, like ``4h``), then new again."""
    return await triage(alert_id, "snooze", note=body.note, until=body.until, for_=body.for_)


@router.post("/alerts/{alert_id}/reopen", response_model=AlertOut, responses=_RESPONSES)
async def reopen(alert_id: str, triage: TriageDep, body: NoteIn | None = None) -> AlertOut:
    """Back to new: undoes an acknowledgement or a snooze."""
    return await triage(alert_id, "reopen", note=body.note if body else None)


@router.post("/alerts/{alert_id}/assign", response_model=AlertOut, responses=_RESPONSES)
async def assign(alert_id: str, triage: TriageDep, body: AssignIn) -> AlertOut:
    """Give the alert to someone (an empty or null assignee takes it back)."""
    return await triage(alert_id, "assign", note=body.note, assignee=body.assignee)


@router.post("/alerts/{alert_id}/note", response_model=AlertOut, responses=_RESPONSES)
async def add_note(alert_id: str, triage: TriageDep, body: NoteIn) -> AlertOut:
    """A note on the alert, without changing its state."""
    return await triage(alert_id, "note", note=body.note)
