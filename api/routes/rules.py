"""Rules: list, show, create or replace, delete, validate, and test against past articles.

Writes go to the compacted ``alert-rules`` topic, exactly as ``newsmon rules add`` writes them;
every worker (and this API) follows the topic. Validation errors are a 422 listing every bad
field with its path, the same list the command line prints.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import AdminAccess, ReadAccess, SettingsDep, StoreDep
from api.models import ErrorOut, RuleErrorOut, RulesOut, RuleTestOut
from api.search import parse_since
from processors.alerting.matching import RuleSet
from processors.alerting.rules import Rule, validate_rule
from processors.errors import InvalidRule

router = APIRouter(tags=["rules"])


def _invalid(exc: InvalidRule) -> JSONResponse:
    body = RuleErrorOut(detail=str(exc), errors=exc.to_dict()["errors"])
    return JSONResponse(status_code=422, content=body.model_dump())


def _shown(rule: Rule) -> dict[str, Any]:
    return rule.model_dump(mode="json", exclude_none=True)


@router.get("/rules", response_model=RulesOut, responses={401: {"model": ErrorOut}})
async def list_rules(_: ReadAccess, store: StoreDep) -> RulesOut:
    rules = sorted(store.rules.values(), key=lambda r: r.id)  # type: ignore[attr-defined]
    return RulesOut(data=[_shown(r) for r in rules], count=len(rules), invalid=dict(store.invalid))  # type: ignore[attr-defined]


@router.get("/rules/{rule_id}", response_model=dict[str, Any], responses={404: {"model": ErrorOut}})
async def get_rule(rule_id: str, _: ReadAccess, store: StoreDep) -> dict[str, Any]:
    rule = store.rule(rule_id)  # type: ignore[attr-defined]
    if rule is None:
        raise HTTPException(404, detail=f"no rule {rule_id!r}")
    return _shown(rule)


@router.post(
    "/rules/validate", response_model=dict[str, Any], responses={422: {"model": RuleErrorOut}}
)
async def validate(_: ReadAccess, rule: Annotated[dict[str, Any], Body()]) -> Any:
    try:
        return _shown(validate_rule(rule))
    except InvalidRule as exc:
        return _invalid(exc)


@router.put(
    "/rules/{rule_id}",
    response_model=dict[str, Any],
    responses={422: {"model": RuleErrorOut}, 403: {"model": ErrorOut}},
)
async def put_rule(
    rule_id: str, _: AdminAccess, settings: SettingsDep, rule: Annotated[dict[str, Any], Body()]
) -> Any:
    from streams.rulestore import publish_rules

    if rule.get("id", rule_id) != rule_id:
        raise HTTPException(422, detail="the rule's id differs from the one in the path")
    try:
        valid = validate_rule({**rule, "id": rule_id})
    except InvalidRule as exc:
        return _invalid(exc)
    await run_in_threadpool(publish_rules, settings, [valid])
    return _shown(valid)


@router.delete("/rules/{rule_id}", status_code=204, responses={404: {"model": ErrorOut}})
async def delete_rule(rule_id: str, _: AdminAccess, settings: SettingsDep, store: StoreDep) -> None:
    from streams.rulestore import delete_rule as tombstone

    if store.rule(rule_id) is None and rule_id not in store.invalid:  # type: ignore[attr-defined]
        raise HTTPException(404, detail=f"no rule {rule_id!r}")
    await run_in_threadpool(tombstone, settings, rule_id)


@router.post("/rules/test", response_model=RuleTestOut, responses={422: {"model": RuleErrorOut}})
async def test_rule(
    _: ReadAccess,
    settings: SettingsDep,
    rule: Annotated[dict[str, Any], Body()],
    since: Annotated[str, Query(description="look back this far: 24h, 7d")] = "24h",
    limit: Annotated[int, Query(ge=1, le=20_000)] = 5_000,
) -> Any:
    from streams.history import iter_articles

    try:
        valid = validate_rule({"id": "test", "name": "test", **rule})
        window = parse_since(since)
    except InvalidRule as exc:
        return _invalid(exc)
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    ruleset = RuleSet.of([valid])

    def run() -> RuleTestOut:
        fired, seen = [], 0
        for article in iter_articles(settings, since=window, limit=limit):
            seen += 1
            for match in ruleset.match(article):
                if len(fired) < 200:
                    fired.append(
                        {
                            "article_id": article["id"],
                            "title": article.get("title"),
                            "date": article.get("date"),
                            "matched": match.evidence,
                        }
                    )
        return RuleTestOut(fired=fired, seen=seen)

    return await run_in_threadpool(run)
