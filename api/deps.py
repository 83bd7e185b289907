"""Dependencies of the API's routes, as named types: settings, Elasticsearch, the rule store,
the live hub, and access by API key.

A request names its key in ``X-API-Key`` or ``Authorization: Bearer <key>`` (or, for the event
stream only, ``?key=``, since a browser's EventSource cannot set headers). Keys come from the
``NEWSMON_API_READ_KEYS``, ``NEWSMON_API_ANALYST_KEYS`` and ``NEWSMON_API_ADMIN_KEYS``
settings, each key as itself or as ``sha256:<hex digest>`` (so a config file need not hold it
in the clear), and may be named, ``name=key`` (the name is recorded with what the key does to
an alert; a key without one is ``<scope>-<n>``). Three scopes, each with the rights of the one
before: ``read`` (search, articles, alerts, rules, stream), ``analyst`` (also triages alerts:
acknowledges, snoozes, assigns, notes), ``admin`` (also changes rules). No key, or an unknown
one, is a 401; a key below the scope needed, a 403. Keys are compared in constant time and
never logged. Failed authentications are counted (``newsmon_api_auth_failures_total``) and
limited per client address: past ``NEWSMON_API_AUTH_FAILURES_PER_MINUTE`` in a minute the
address gets 429 until the minute has passed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated, Literal

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, HTTPException, Request, status

from config import Settings

__all__ = [
    "AdminAccess",
    "AnalystAccess",
    "ESDep",
    "FailureLimiter",
    "ReadAccess",
    "SettingsDep",
    "StoreDep",
]

Scope = Literal["read", "analyst", "admin"]
_RANK = {"read": 0, "analyst": 1, "admin": 2}


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
    """Who is asking: the key's scope and its name (``name=key`` in the settings), or, for a
    key given without a name, ``<scope>-<n>`` (its place in its list, from 1), so that what a
    key does can be recorded without recording the key."""

    scope: Scope
    name: str = ""


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


def _matches(key: str, configured: str) -> bool:
    """Constant-time comparison with a configured key, given as itself or ``sha256:<hex>``."""
    if configured.startswith("sha256:"):
        digest = hashlib.sha256(key.encode()).hexdigest()
        return hmac.compare_digest(digest, configured[7:].strip().lower())
    return hmac.compare_digest(key.encode(), configured.encode())


_NAME_RE = re.compile(r"[A-Za-z0-9._@-]{1,64}")


def split_key_name(entry: str) -> tuple[str | None, str]:
    """``"maria=s3cret"`` -> ``("maria", "s3cret")``; a key without a name -> ``(None, key)``.

    A name is letters, digits and ``._@-``, at most 64, before the first ``=``; anything else
    before an ``=`` is part of the key itself, and so is base64's padding (``abc==``)."""
    name, sep, key = entry.partition("=")
    if sep and key.strip("=") and _NAME_RE.fullmatch(name):
        return name, key
    return None, entry


def _principal_of(settings: Settings, key: str) -> Principal | None:
    for scope, keys in (
        ("admin", settings.api_admin_keys),
        ("analyst", settings.api_analyst_keys),
        ("read", settings.api_read_keys),
    ):
        for n, configured in enumerate(keys, start=1):
            name, secret = split_key_name(configured.get_secret_value())
            if _matches(key, secret):
                return Principal(scope, name or f"{scope}-{n}")  # type: ignore[arg-type]
    return None


@dataclass
class FailureLimiter:
    """Failed authentications per client address over the last minute."""

    per_minute: int
    seen: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, address: str, now: float) -> float:
        """Seconds until ``address`` may try again (0: it may now)."""
        recent = self.seen.get(address)
        while recent and now - recent[0] > 60:
            recent.popleft()
        if not recent:
            self.seen.pop(address, None)
            return 0.0
        return 60 - (now - recent[0]) if len(recent) >= self.per_minute else 0.0

    def failed(self, address: str, now: float) -> None:
        if len(self.seen) > 100_000:  # addresses of a scan: forget the stalest
            self.seen.pop(next(iter(self.seen)))
        self.seen.setdefault(address, deque()).append(now)


def _require(needed: Scope):  # noqa: ANN202
    def check(request: Request, settings: SettingsDep) -> Principal:
        state = request.app.state
        address = request.client.host if request.client else "?"
        now = time.monotonic()
        wait = state.auth_limiter.blocked(address, now)
        if wait:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail="too many failed authentications from this address: wait and retry",
                headers={"Retry-After": str(int(wait) + 1)},
            )
        key = _presented_key(request)
        principal = _principal_of(settings, key) if key else None
        if principal is None:
            state.auth_failures.labels("missing" if not key else "invalid").inc()
            state.auth_limiter.failed(address, now)
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="this API key is not valid"
                if key
                else "an API key is required: send it in the X-API-Key header",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if _RANK[principal.scope] < _RANK[needed]:
            state.auth_failures.labels("scope").inc()
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this needs an {needed} key")
        return principal

    return check


ReadAccess = Annotated[Principal, Depends(_require("read"))]
AnalystAccess = Annotated[Principal, Depends(_require("analyst"))]
AdminAccess = Annotated[Principal, Depends(_require("admin"))]
