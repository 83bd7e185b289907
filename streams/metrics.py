"""Prometheus metrics of the pipeline, served by the worker at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "ALERTS",
    "ALERTS_SILENCED",
    "ALERT_LATENCY_SECONDS",
    "ARTICLES",
    "BATCH_SECONDS",
    "COMMITS_HELD",
    "DEAD_LETTERS",
    "DELIVERIES",
    "DUPLICATES",
    "ES_RETRIES",
    "LATENCY_SECONDS",
    "OFFSETS_REREAD",
    "RECORDS_SKIPPED",
    "SEND_RETRIES",
    "STORIES_JOINED",
    "RULE_MATCHES",
]

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
ES_RETRIES = Counter("newsmon_es_retries_total", "ES calls retried while ES was unavailable.")
DUPLICATES = Counter(
    "newsmon_duplicates_total", "Articles indexed as near-duplicates of an earlier one."
)
STORIES_JOINED = Counter(
    "newsmon_stories_joined_total", "Articles indexed into the story of an earlier one."
)

RULE_MATCHES = Counter("newsmon_rule_matches_total", "Article-rule matches found.")
ALERTS = Counter("newsmon_alerts_total", "Alerts emitted, by kind.", ["kind"])
ALERTS_SILENCED = Counter(
    "newsmon_alerts_silenced_total", "Matches kept quiet by a silence, by rule.", ["rule"]
)
ALERT_LATENCY_SECONDS = Histogram(
    "newsmon_arrival_to_alert_seconds",
    "From the article's arrival on Kafka to its alert emitted.",
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30),
)
DELIVERIES = Counter(
    "newsmon_deliveries_total", "Alert deliveries, by channel and outcome.", ["channel", "outcome"]
)
OFFSETS_REREAD = Counter(
    "newsmon_offsets_reread_total",
    "Partitions re-read from their committed offset because a record there was never processed.",
    ["topic"],
)
SEND_RETRIES = Counter(
    "newsmon_kafka_send_retries_total", "Kafka sends retried after a retriable error.", ["topic"]
)
COMMITS_HELD = Counter(
    "newsmon_commits_held_total",
    "Commits held back where faust's own rule would have passed an unprocessed record.",
    ["topic"],
)

RECORDS_SKIPPED = Counter(
    "newsmon_records_skipped_total",
    "Records faust acknowledged without an agent handling them (fetched before a rebalance, read "
    "after it); never counted as done, read again.",
    ["topic"],
)
