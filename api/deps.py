"""Dependencies of the API's routes, as named types: settings, Elasticsearch, the rule store,
the live hub, and access by API key.

A request names its key in ``X-API-Key`` or ``Authorization: Bearer <key>`` (or, for the
event stream only, ``?key=``, since a browser's EventSource cannot set headers). Keys come from
the ``NEWSMON_API_READ_KEYS`` and ``NEWSMON_API_ADMIN_KEYS`` settings; no key, or an unknown
one, is a 401; a read key where an admin one is needed, a 403. Keys are compared in constant
time and never logged.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, HTTPException, Request, status

from config import Settings

__all__ = ["AdminAccess", "ESDep", "ReadAccess", "SettingsDep", "StoreDep"]

Scope = Literal["read", "admin"]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def _es(request: Request) -> AsyncElasticsearch:
    return request.app.state.es


ESDep = Annotated[AsyncElasticsearch, Depends(_es)]


def _store(request: Request):  # noqa: ANN202 - streams.rulestore.RuleStore
    return request.app.state.rules


StoreDep = Annotated[object, Depends(_store)]


@dataclass(frozen=True)
class Principal:
    scope: Scope


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if request.url.path == "/stream":
        return request.query_params.get("key")
    return None


def _scope_of(settings: Settings, key: str) -> Scope | None:
    for scope, keys in (("admin", settings.api_admin_keys), ("read", settings.api_read_keys)):
        if any(hmac.compare_digest(key, k.get_secret_value()) for k in keys):
            return scope  # type: ignore[return-value]
    return None


def _require(needed: Scope):  # noqa: ANN202
    def check(request: Request, settings: SettingsDep) -> Principal:
        key = _presented_key(request)
        if not key:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="an API key is required: send it in the X-API-Key header",
                headers={"WWW-Authenticate": "Bearer"},
            )
        scope = _scope_of(settings, key)
        if scope is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="this API key is not valid",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if needed == "admin" and scope != "admin":
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs an admin key")
        return Principal(scope)

    return check


ReadAccess = Annotated[Principal, Depends(_require("read"))]
AdminAccess = Annotated[Principal, Depends(_require("admin"))]
