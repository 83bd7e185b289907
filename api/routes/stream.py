"""``GET /stream``: server-sent events of new articles and alerts, with the search filters."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from api.deps import ReadAccess
from api.models import ErrorOut
from processors.alerting.matching import CompiledRule
from processors.alerting.rules import validate_rule
from processors.errors import InvalidRule

router = APIRouter(tags=["stream"])


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 400: {"model": ErrorOut}},
)
async def stream(
    request: Request,
    _: ReadAccess,
    q: str | None = None,
    entity: Annotated[list[str], Query()] = [],  # noqa: B006
    country: Annotated[list[str], Query()] = [],  # noqa: B006
    region: Annotated[list[str], Query()] = [],  # noqa: B006
    event_type: Annotated[list[str], Query()] = [],  # noqa: B006
    source: Annotated[list[str], Query()] = [],  # noqa: B006
    lang: Annotated[list[str], Query()] = [],  # noqa: B006
    rule_id: Annotated[list[str], Query()] = [],  # noqa: B006
    kinds: Annotated[
        str,
        Query(description="article,alert,triage (triage: an alert acknowledged, snoozed, ...)"),
    ] = "article,alert",
) -> StreamingResponse:
    spec: dict = {"id": "stream", "name": "stream"}
    if q:
        spec["query"] = q
    if entity:
        spec["entities"] = entity
    if country or region:
        spec["region"] = {"countries": country, "admin1": region}
    if event_type:
        spec["event_types"] = event_type
    if source:
        spec["sources"] = source
    if lang:
        spec["lang"] = lang
    try:
        rule = CompiledRule.of(validate_rule(spec)) if len(spec) > 2 else None
    except InvalidRule as exc:
        raise HTTPException(400, detail=str(exc)) from None
    wanted = frozenset({"article", "alert", "triage"} & set(kinds.split(",")))
    hub = request.app.state.live
    from api.live import Subscriber

    subscriber = hub.subscribe(Subscriber(kinds=wanted, rule=rule, rule_ids=frozenset(rule_id)))

    async def events() -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            while True:
                try:
                    kind, payload = await asyncio.wait_for(subscriber.queue.get(), timeout=15)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                data = json.dumps(payload, ensure_ascii=False)
                yield f"event: {kind}\ndata: {data}\n\n".encode()
        finally:
            hub.unsubscribe(subscriber)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
