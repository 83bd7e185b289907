"""``/livez``, ``/healthz`` (Kafka, Elasticsearch, consumer lag, feeds), ``/metrics`` (Prometheus).

``/metrics`` serves the API's own request metrics and gauges computed at scrape time (consumer
lag per topic, messages on the dead-letter topic, alerts indexed), followed by the worker's
metrics (per-stage throughput, batch and latency histograms, dead letters, alerts, deliveries)
fetched from its web endpoint when it is reachable.

These three need no key, so that probes and Prometheus can use them; they carry no article text.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from api.deps import ESDep, SettingsDep, StoreDep
from api.models import HealthOut
from config import Settings

router = APIRouter(tags=["health"])


def kafka_state(settings: Settings) -> tuple[dict[str, Any], dict[str, int], int]:
    """Kafka reachability, the worker group's lag per topic, and the DLQ's size."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap.split(","), request_timeout_ms=3000
        )
        consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap.split(","))
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)[:200]}, {}, 0
    try:
        committed = admin.list_group_offsets({settings.app_id: None}).get(settings.app_id, {})
        lag: dict[str, int] = {}
        for topic in (settings.articles_topic, settings.enriched_topic, settings.indexed_topic):
            tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
            ends = consumer.end_offsets(tps) if tps else {}
            lag[topic] = sum(
                max(0, end - (committed[tp].offset if tp in committed else 0))
                for tp, end in ends.items()
            )
        dlq = [
            TopicPartition(settings.dlq_topic, p)
            for p in consumer.partitions_for_topic(settings.dlq_topic) or []
        ]
        dead = sum(consumer.end_offsets(dlq).values()) if dlq else 0
        return {"ok": True, "bootstrap": settings.kafka_bootstrap}, lag, dead
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)[:200]}, {}, 0
    finally:
        admin.close()
        consumer.close()


_KAFKA_TTL_S = 5.0
_kafka_cache: dict[str, tuple[float, Any]] = {}


def kafka_state_cached(settings: Settings) -> tuple[dict[str, Any], dict[str, int], int]:
    """``kafka_state``, reused for a few seconds: each call opens two Kafka clients, and probes,
    scrapers and desks all poll these routes."""
    hit = _kafka_cache.get(settings.app_id)
    if hit is not None and time.monotonic() - hit[0] < _KAFKA_TTL_S:
        return hit[1]
    state = kafka_state(settings)
    _kafka_cache[settings.app_id] = (time.monotonic(), state)
    return state


def feeds_state(settings: Settings) -> list[dict[str, Any]]:
    path = settings.feeds_dir / "status.json"
    try:
        return list(json.loads(path.read_text()).values())
    except (OSError, ValueError):
        return []


@router.get("/livez")
async def livez() -> dict[str, str]:
    """The process answers: for a supervisor's liveness probe (``/healthz`` checks the rest)."""
    return {"status": "alive"}


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def healthz(settings: SettingsDep, es: ESDep, store: StoreDep) -> Any:
    kafka, lag, _ = await run_in_threadpool(kafka_state_cached, settings)
    try:
        health = await es.cluster.health(timeout="2s")
        elastic = {"ok": health["status"] in ("green", "yellow"), "status": health["status"]}
    except Exception as exc:  # noqa: BLE001
        elastic = {"ok": False, "error": str(exc)[:200]}
    ok = kafka["ok"] and elastic["ok"]
    body = HealthOut(
        status="ok" if ok else "degraded",
        kafka=kafka,
        elasticsearch=elastic,
        lag=lag,
        feeds=feeds_state(settings),
        rules=len(store.rules),  # type: ignore[attr-defined]
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request, settings: SettingsDep, es: ESDep) -> PlainTextResponse:
    _, lag, dead = await run_in_threadpool(kafka_state_cached, settings)
    registry = CollectorRegistry()
    lag_gauge = Gauge(
        "newsmon_consumer_lag",
        "Messages not yet processed, by topic.",
        ["topic"],
        registry=registry,
    )
    for topic, value in lag.items():
        lag_gauge.labels(topic).set(value)
    Gauge("newsmon_dlq_messages", "Messages on the dead-letter topic.", registry=registry).set(dead)
    try:
        alerts = (await es.count(index=settings.alerts_index))["count"]
    except Exception:  # noqa: BLE001
        alerts = 0
    Gauge("newsmon_alerts_indexed", "Alerts in the alerts index.", registry=registry).set(alerts)
    Gauge("newsmon_api_scraped_at", "Time of this scrape.", registry=registry).set(time.time())
    text = generate_latest(request.app.state.registry).decode() + generate_latest(registry).decode()
    worker = f"http://{settings.worker_host}:{settings.worker_port}/metrics"
    try:
        text += await run_in_threadpool(
            lambda: urllib.request.urlopen(worker, timeout=2).read().decode()
        )
    except OSError:
        text += "# the worker's metrics were not reachable\n"
    return PlainTextResponse(text, media_type=CONTENT_TYPE_LATEST)
