"""Prometheus metrics of the pipeline, served by the worker at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["ARTICLES", "BATCH_SECONDS", "DEAD_LETTERS", "ES_RETRIES", "LATENCY_SECONDS"]

ARTICLES = Counter(
    "newsmon_articles_total", "Articles through a stage, by outcome.", ["stage", "outcome"]
)
DEAD_LETTERS = Counter(
    "newsmon_dead_letters_total", "Messages sent to the dead-letter topic.", ["stage", "reason"]
)
BATCH_SECONDS = Histogram(
    "newsmon_batch_seconds",
    "Time to process one batch, by stage.",
    ["stage"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
LATENCY_SECONDS = Histogram(
    "newsmon_arrival_to_indexed_seconds",
    "From the article's arrival on Kafka to its document written in Elasticsearch.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
ES_RETRIES = Counter("newsmon_es_retries_total", "Bulk calls retried while ES was unavailable.")
