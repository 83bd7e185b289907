"""Silences: list them, silence a rule for one value of a key for a while, lift one.

Written to the rules topic like rules (``processors.alerting.silences``), so every worker applies a
silence from its next match; the API holds them too and shows a new one at once.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AnalystAccess, ReadAccess, SettingsDep, StoreDep
from api.models import ErrorOut
from api.triage import TriageError, end_time
from processors.alerting.silences import Silence, validate_silence
from processors.errors import InvalidRule

router = APIRouter(tags=["silences"])


class SilenceIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    rule_id: str = Field(description="The rule to silence, or * for every rule")
    key: str = Field(description="country, admin1, place, source, event_type or entity:LABEL")
    value: str = Field(description='The value silenced: "NG", "Reuters", "Kano"')
    until: datetime | None = Field(None, description="ISO 8601 end of the silence")
    for_: str | None = Field(None, alias="for", description="Or a duration: 30m, 4h, 2d")
    note: str | None = Field(None, max_length=2000)


class SilenceOut(BaseModel):
    id: str
    rule_id: str
    key: str
    value: str
    until: float
    by: str
    note: str | None = None
    created_at: float | None = None
    lifted_by: str | None = None
    lifted_at: float | None = None
    active: bool


class SilencesOut(BaseModel):
    data: list[SilenceOut]
    count: int


def _out(silence: Silence, now: float) -> SilenceOut:
    return SilenceOut(**silence.model_dump(), active=silence.active(now))


@router.get("/silences", response_model=SilencesOut, responses={401: {"model": ErrorOut}})
async def list_silences(_: ReadAccess, store: StoreDep) -> SilencesOut:
    """Silences still holding first (soonest to end first), then those ended."""
    now = time.time()
    held = sorted(store.silences.values(), key=lambda s: (not s.active(now), s.until))  # type: ignore[attr-defined]
    return SilencesOut(data=[_out(s, now) for s in held], count=len(held))


@router.post(
    "/silences",
    response_model=SilenceOut,
    status_code=201,
    responses={403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
async def add_silence(
    body: SilenceIn, who: AnalystAccess, settings: SettingsDep, store: StoreDep
) -> Any:
    from streams.rulestore import publish_silence

    now = datetime.now(UTC)
    try:
        until = end_time(body.until, body.for_, now, what="a silence")
    except TriageError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    if body.rule_id != "*" and store.rule(body.rule_id) is None:  # type: ignore[attr-defined]
        raise HTTPException(422, detail=f"no rule {body.rule_id!r}; use * for every rule")
    fields: dict[str, Any] = {
        "id": f"s-{secrets.token_hex(6)}",
        "rule_id": body.rule_id,
        "key": body.key,
        "value": body.value.strip(),
        "until": until.timestamp(),
        "by": who.name,
        "note": (body.note or "").strip() or None,
        "created_at": now.timestamp(),
    }
    try:
        silence = validate_silence(fields)
    except InvalidRule as exc:
        raise HTTPException(422, detail=str(exc)) from None
    await run_in_threadpool(publish_silence, settings, silence)
    store.silences[silence.id] = silence  # type: ignore[attr-defined]
    return _out(silence, now.timestamp())


@router.delete("/silences/{silence_id}", status_code=204, responses={404: {"model": ErrorOut}})
async def lift_silence(
    silence_id: str, who: AnalystAccess, settings: SettingsDep, store: StoreDep
) -> None:
    """End a silence now; the next match alerts again. The silence stays listed, ended, with
    who lifted it and when."""
    from streams.rulestore import publish_silence

    silence = store.silences.get(silence_id)  # type: ignore[attr-defined]
    if silence is None or not silence.active(time.time()):
        raise HTTPException(404, detail=f"no silence {silence_id!r} holds now")
    lifted = silence.lifted(by=who.name, now=time.time())
    await run_in_threadpool(publish_silence, settings, lifted)
    store.silences[silence_id] = lifted  # type: ignore[attr-defined]
