"""The worker's agents, one module per family, each attaching its agents to the app
(``streams.worker`` composes them): ``enrich`` (articles -> articles-enriched), ``index``
(-> Elasticsearch -> articles-indexed), ``alerts`` (match, decide, index alerts), ``delivery``
(one task per kind of channel) and ``health`` (``/livez``, ``/healthz``).

Agents stay thin: take a batch, call processors/, send the results on. Delivery is
at-least-once with idempotent effects: a batch is acknowledged only after everything it
produced is confirmed by Kafka or written to Elasticsearch, so a crash or restart replays the
batch instead of losing it; replays are harmless because ids and keys are stable; input that
cannot be processed goes to ``articles-dlq`` with its reason (``dead_letters``).
"""

from streams.agents.alerts import register_alerts
from streams.agents.delivery import register_delivery
from streams.agents.enrich import register_enrich
from streams.agents.health import register_health
from streams.agents.index import register_index

__all__ = [
    "register_alerts",
    "register_delivery",
    "register_enrich",
    "register_health",
    "register_index",
]
