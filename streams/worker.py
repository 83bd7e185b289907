"""``newsmon worker``: the worker's app composed (app, topics, agents), and running it."""

from __future__ import annotations

from typing import Any

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
from streams.topics import ensure_topics, faust_topics

__all__ = ["run_worker", "worker_app"]


def worker_app(settings: Settings, *, enricher: Any | None = None) -> NewsmonApp:
    """The Faust app with newsmon's topics and every agent attached. An ``enricher`` already
    loaded is used as is (else the enrich agent loads one on first use)."""
    app = create_app(settings)
    setup_prometheus_sensors(app, name_prefix="newsmon_faust")
    topics = faust_topics(app, settings)
    model = register_enrich(app, topics, settings, enricher=enricher)
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
    from processors.enrich import Enricher

    ensure_topics(settings)
    app = worker_app(settings, enricher=Enricher.from_settings(settings))
    worker = faust.Worker(
        app,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level, settings.log_format),
        redirect_stdouts=False,
        quiet=True,
    )
    worker.execute_from_commandline()
