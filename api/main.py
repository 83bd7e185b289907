"""The API and desk UI: ``create_app`` builds the FastAPI app; ``newsmon api`` serves it.

The app holds an Elasticsearch client, a rule store following the ``alert-rules`` topic and a
live hub following new articles and alerts, all started with the app and stopped with it. Each
request is logged as one structured line without its query string (keys may travel there) and
counted in Prometheus metrics; every answer carries the security headers of
``security_headers``. The desk UI's static files are served at ``/``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry, Counter, Histogram

from api.deps import FailureLimiter
from api.live import LiveHub
from api.routes import (
    alerts,
    articles,
    export,
    health,
    rules,
    search,
    silences,
    stories,
    stream,
)
from config import Settings, get_settings
from streams.background import keep_running
from streams.indexing import async_client
from streams.rulestore import RuleStore

__all__ = ["STATIC_DIR", "create_app", "serve"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = Path(__file__).resolve().parent / "ui" / "node_modules"  # npm ci in api/ui
log = logging.getLogger("newsmon.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.es = async_client(settings)
        tasks = [
            asyncio.create_task(keep_running(app.state.rules.run)),
            asyncio.create_task(keep_running(app.state.live.run)),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await app.state.es.close()

    app = FastAPI(
        title="newsmon",
        summary="Search, alerts, rules and a live stream over enriched news.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN, which these machines
        # cannot reach; the schema itself is served at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.rules = RuleStore(settings)
    app.state.live = LiveHub(settings)
    registry = CollectorRegistry()
    app.state.registry = registry
    requests = Counter(
        "newsmon_api_requests_total",
        "API requests, by route and status.",
        ["route", "status"],
        registry=registry,
    )
    seconds = Histogram(
        "newsmon_api_request_seconds", "API request time, by route.", ["route"], registry=registry
    )
    app.state.auth_failures = Counter(
        "newsmon_api_auth_failures_total",
        "Requests refused for their key: missing, invalid, or below the scope needed.",
        ["reason"],
        registry=registry,
    )
    app.state.auth_limiter = FailureLimiter(settings.api_auth_failures_per_minute)
    headers = security_headers(STATIC_DIR / "index.html")

    @app.middleware("http")
    async def log_and_count(request: Request, call_next) -> Response:  # noqa: ANN001
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "static")
        elapsed = time.perf_counter() - started
        response.headers.update(headers)
        requests.labels(route, str(response.status_code)).inc()
        seconds.labels(route).observe(elapsed)
        if route != "static":
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round(elapsed * 1000, 1),
                },
            )
        return response

    for module in (search, stories, export, articles, alerts, silences, rules, stream, health):
        app.include_router(module.router)
    if VENDOR_DIR.is_dir():
        app.mount("/vendor", StaticFiles(directory=VENDOR_DIR), name="vendor")
    else:
        log.warning("the desk's map modules are missing: run `make install` (npm ci in api/ui)")
    app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="desk")
    return app


def security_headers(index: Path) -> dict[str, str]:
    """The headers of every answer: a Content-Security-Policy that runs only the desk's own
    scripts and styles (no inline script but the import map, allowed by its hash), no framing,
    no MIME sniffing, no Referer (a key in the desk URL's fragment goes nowhere)."""
    maps = re.findall(r'<script type="importmap">(.*?)</script>', index.read_text(), re.S)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in maps
    )
    policy = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def serve(settings: Settings) -> None:
    import uvicorn

    from config.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    if not settings.api_read_keys and not settings.api_admin_keys:
        log.warning(
            "no API keys are configured: every request will be refused (401); set "
            "NEWSMON_API_ADMIN_KEYS and NEWSMON_API_READ_KEYS"
        )
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
    )
