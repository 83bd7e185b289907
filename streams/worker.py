"""``newsmon worker``: create the topics if needed, then run the Faust worker until stopped."""

from __future__ import annotations

import faust

from config import Settings
from config.logs import logging_config
from streams.app import create_app
from streams.topics import ensure_topics

__all__ = ["run_worker"]


def run_worker(settings: Settings) -> None:
    """Blocks until SIGINT/SIGTERM; offsets of finished batches are committed on the way out.

    The model is loaded before the worker joins its consumer group: a worker that joined first
    was given partitions and then spent its model's load on them (two seconds on a quiet
    machine, half a minute on a busy one), and their articles waited that long."""
    from processors.enrich import Enricher

    ensure_topics(settings)
    app = create_app(settings, enricher=Enricher.from_settings(settings))
    worker = faust.Worker(
        app,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level, settings.log_format),
        redirect_stdouts=False,
        quiet=True,
    )
    worker.execute_from_commandline()
