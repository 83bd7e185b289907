"""The worker's web pages for supervisors: ``/livez`` (the process answers) and ``/healthz``
(ready: partitions assigned, the model and the rules loaded, nothing stalled; else 503)."""

from __future__ import annotations

import time
from typing import Any

import faust

from streams.enrichment import EnrichmentRunner
from streams.rulestore import RuleStore

__all__ = ["register_health"]


def register_health(app: faust.App, *, model: EnrichmentRunner, store: RuleStore) -> None:
    """Attach ``/livez`` and ``/healthz``."""

    @app.page("/livez")
    async def livez(web: Any, request: Any) -> Any:
        """The process answers: for a supervisor's liveness probe (``/healthz``, the
        readiness, also asks for an assignment, the model and the rules)."""
        return web.json({"status": "alive"})

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        assigned = sorted(f"{tp.topic}/{tp.partition}" for tp in app.consumer.assignment())
        ready = bool(assigned) and model.loaded and store.loaded.is_set()
        stalled = app.consumer.stalled()  # a GatedConsumer (streams.app)
        body = {
            "status": ("stalled" if stalled else "ready") if ready else "starting",
            "assigned": assigned,
            "stalled": stalled,  # partitions with records waiting and none read for a minute
            "rules": len(store.rules),
            "silences": sorted(s.id for s in store.silences.values() if s.active(time.time())),
            "invalid_rules": store.invalid,
        }
        return web.json(body, status=200 if ready and not stalled else 503)
