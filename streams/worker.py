"""``newsmon worker``: the worker's app composed (app, topics, agents), and running it."""

from __future__ import annotations

import faust
from faust.sensors.prometheus import setup_prometheus_sensors

from config import Settings
from config.logs import logging_config
from streams.agents import (
    register_alerts,
    register_delivery,
    register_enrich,
    register_health,
    register_index,
)
from streams.app import NewsmonApp, create_app
from streams.enrichment import EnrichmentRunner
from streams.topics import ensure_topics, faust_topics

__all__ = ["run_worker", "worker_app"]


def worker_app(settings: Settings, *, model: EnrichmentRunner | None = None) -> NewsmonApp:
    """The Faust app with newsmon's topics and every agent attached. A ``model`` already
    loaded is used as is (else the enrich agent loads one on first use)."""
    app = create_app(settings)
    setup_prometheus_sensors(app, name_prefix="newsmon_faust")
    topics = faust_topics(app, settings)
    model = register_enrich(app, topics, settings, model=model)
    register_index(app, topics, settings)
    store = register_alerts(app, topics, settings)
    register_delivery(app, settings)
    register_health(app, model=model, store=store)
    return app


def run_worker(settings: Settings) -> None:
    """Blocks until SIGINT/SIGTERM; offsets of finished batches are committed on the way out.

    The model is loaded before the worker joins its consumer group: a worker that joined first
    was given partitions and then spent its model's load on them (two seconds on a quiet
    machine, half a minute on a busy one), and their articles waited that long."""
    ensure_topics(settings)
    model = EnrichmentRunner(settings)
    model.load()
    app = worker_app(settings, model=model)
    worker = faust.Worker(
        app,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level, settings.log_format),
        redirect_stdouts=False,
        quiet=True,
    )
    worker.execute_from_commandline()
