"""Integration fixtures: the real local stack, and a worker on topics and an index of its own.

The stack is started when it is not running (``newsmon stack up``); if it cannot start, every
integration test errors: they are never skipped. Each test module gets its own topic prefix,
index prefix, consumer group and worker port, so modules cannot see each other's data and a
`make run` instance on the same stack is left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from config import Settings
from newsmon.run import WorkerProcess, drop_namespace, free_port, with_loopback
from processors.outbound import default_policy
from streams.indexing import ensure_articles_index_sync, sync_client
from streams.producer import produce_messages
from streams.topics import ensure_topics

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def stack_settings() -> Settings:
    from deploy import stack

    # the tests' webhook receivers, feed servers and SMTP sink listen on 127.0.0.1: allow it
    # there (and in every worker the tests start, which inherit the environment) and nowhere
    # else; the refusals themselves are tested in tests/unit/processors/test_outbound.py and
    # tests/unit/processors/articles/test_feeds.py
    allowed = os.environ.get("NEWSMON_OUTBOUND_ALLOW", "")
    os.environ["NEWSMON_OUTBOUND_ALLOW"] = with_loopback(allowed)
    default_policy.cache_clear()
    settings = Settings()
    try:
        stack.up(settings)
    except Exception as exc:  # noqa: BLE001 - any failure to start fails the suite
        pytest.fail(f"the local stack (Kafka + Elasticsearch) could not start: {exc}")
    return settings


@dataclass
class Pipeline:
    settings: Settings
    env: dict[str, str]
    es: Elasticsearch
    worker: WorkerProcess

    def restart_worker(self, *, kill: bool = False) -> None:
        if kill:
            assert self.worker.proc is not None
            self.worker.proc.kill()
            self.worker.proc.wait()
        else:
            self.worker.stop()
        self.worker = WorkerProcess(self.settings, env=self.env, name=self.worker.log.stem)
        self.worker.start()

    def count(self, query: dict[str, Any] | None = None) -> int:
        self.es.indices.refresh(index=self.settings.articles_alias)
        return self.es.count(index=self.settings.articles_alias, query=query or {"match_all": {}})[
            "count"
        ]

    def get(self, doc_id: str) -> dict[str, Any] | None:
        found = self.es.options(ignore_status=404).get(
            index=self.settings.articles_alias, id=doc_id
        )
        return found["_source"] if found.get("found") else None


def make_pipeline(base: Settings, **extra: Any) -> Pipeline:
    run = uuid.uuid4().hex[:8]
    overrides: dict[str, Any] = {
        "topic_prefix": f"test-{run}-",
        "index_prefix": f"test-{run}",
        "app_id": f"newsmon-test-{run}",
        "worker_port": free_port(),
        "batch_within": 0.1,
        "es_retry_max_backoff": 2.0,
        **extra,
    }
    settings = base.model_copy(update=overrides)
    ensure_topics(settings)
    es = sync_client(settings)
    ensure_articles_index_sync(settings, es)
    env = {f"NEWSMON_{k.upper()}": str(v) for k, v in overrides.items()}
    worker = WorkerProcess(settings, env=env, name=f"test-worker-{run}")
    worker.start()
    return Pipeline(settings, env, es, worker)


def drop_pipeline(p: Pipeline) -> None:
    p.worker.stop()
    drop_namespace(p.settings)


@pytest.fixture(scope="module")
def pipeline(stack_settings: Settings) -> Iterator[Pipeline]:
    p = make_pipeline(stack_settings, max_body_chars=5000)
    yield p
    drop_pipeline(p)


def wait_for(
    check: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    every: float = 0.25,
    explain: Callable[[], str] | None = None,
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``
    (and what ``explain`` says of the state then, such as ``newsmon.chaos.diagnosis``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = f"\n{explain()}" if explain is not None else ""
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        time.sleep(every)


def worker_health(pipeline: Pipeline, path: str = "/healthz") -> dict[str, Any]:
    """The pipeline's worker's answer on ``path`` (``{}`` while it does not answer)."""
    url = f"http://127.0.0.1:{pipeline.settings.worker_port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return {}


def produce_raw(
    settings: Settings, values: list[bytes | None], keys: list[bytes | None] | None = None
) -> list[tuple[int, int]]:
    """Send raw values to the articles topic; return each one's (partition, offset)."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap.split(","), acks="all")
    try:
        futures = [
            producer.send(settings.articles_topic, key=(keys or [None] * len(values))[i], value=v)
            for i, v in enumerate(values)
        ]
        producer.flush(30)
        return [(f.get(10).partition, f.get(10).offset) for f in futures]
    finally:
        producer.close()


ADMIN_KEY = "test-admin-key-0123456789"
READ_KEY = "test-read-key-0123456789"
ANALYST_KEY = "test-analyst-key-0123456789"  # configured by its SHA-256 digest only, named
DESK_RULES = [
    {
        "id": "desk-north-east-syria",
        "name": "Anything in north-east Syria",
        "region": {"bbox": [38.5, 35.0, 42.4, 37.4]},
    },
    {"id": "desk-hasakah", "name": "Hasakah mentioned", "query": "Hasakah"},
]


@dataclass
class Desk:
    """A pipeline with the API and desk UI in front of it, on ports of their own."""

    pipeline: Pipeline
    api: Any  # newsmon.run.ApiProcess
    url: str

    @property
    def settings(self) -> Settings:
        return self.pipeline.settings

    def client(self, key: str | None = ADMIN_KEY) -> Any:
        import httpx

        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def desk(stack_settings: Settings) -> Iterator[Desk]:
    """One worker and one API for the desk's tests (API, feeds, browser), with two rules."""
    from newsmon.run import ApiProcess
    from processors.alerting.rules import validate_rule
    from streams.rulestore import publish_rules

    port = free_port()
    pipeline = make_pipeline(stack_settings, api_port=port)
    publish_rules(pipeline.settings, [validate_rule(r) for r in DESK_RULES])
    env = {
        **pipeline.env,
        "NEWSMON_API_PORT": str(port),
        "NEWSMON_API_ADMIN_KEYS": ADMIN_KEY,
        "NEWSMON_API_READ_KEYS": READ_KEY,
        "NEWSMON_API_ANALYST_KEYS": "sam.editor=sha256:"
        + hashlib.sha256(ANALYST_KEY.encode()).hexdigest(),
        # the tests knock without keys on purpose, all from 127.0.0.1: no lockout here (the
        # limiter is tested in tests/unit/api/test_api_security.py)
        "NEWSMON_API_AUTH_FAILURES_PER_MINUTE": "100000",
    }
    api = ApiProcess(pipeline.settings, env=env, name=f"test-api-{pipeline.settings.app_id}")
    api.start(timeout=60)
    desk = Desk(pipeline, api, f"http://127.0.0.1:{port}")
    worker = f"http://127.0.0.1:{pipeline.settings.worker_port}/healthz"
    with desk.client() as client:  # the worker and the API follow the rules topic
        wait_for(
            lambda: (
                client.get("/rules").json().get("count") == len(DESK_RULES)
                and client.get(worker).json().get("rules") == len(DESK_RULES)
            ),
            timeout=30,
            what="the worker and the API to load the desk's rules",
        )
    yield desk
    api.stop()
    drop_pipeline(pipeline)


def story_reports(prefix: str) -> list[dict[str, Any]]:
    """Two reports of one flood from two outlets, and an unrelated article from the same town
    the same day: for the top-stories tests (API and browser). Dated within the last hours."""
    now = datetime.now(UTC)

    def at(hours: float) -> str:
        return (now - timedelta(hours=hours)).isoformat(timespec="seconds").replace("+00:00", "Z")

    return [
        {
            "id": f"{prefix}-one",
            "title": "Floods force hundreds from their homes in Passau",
            "body": "The Danube and the Inn burst their banks in Passau on Tuesday, flooding "
            "the old town and forcing about 400 residents from their homes, the city said. "
            "Firefighters used boats to reach people trapped on upper floors, and Mayor Jurgen "
            "Dupper asked volunteers to fill sandbags along the riverside.",
            "published_at": at(1.5),
            "source": "Wire One",
        },
        {
            "id": f"{prefix}-two",
            "title": "Passau old town under water as rivers rise",
            "body": "Rescuers in boats moved through the flooded streets of Passau's old town "
            "on Tuesday after the Danube and the Inn overflowed. About 400 people had to leave "
            "their homes, city officials said, and Mayor Jurgen Dupper called on volunteers to "
            "help fill sandbags.",
            "published_at": at(1.0),
            "source": "Paper Two",
        },
        {
            "id": f"{prefix}-other",
            "title": "Passau council approves new bus depot",
            "body": "The city council of Passau voted on Tuesday to build a bus depot on the "
            "eastern edge of the city, with room for forty electric buses, and construction is "
            "due to start next spring after a tender.",
            "published_at": at(0.5),
            "source": "Paper Two",
        },
    ]


def produce_story_reports(pipeline: Pipeline, prefix: str) -> list[dict[str, Any]]:
    """Produce ``story_reports``: the first report, searchable, then the other two (stories
    are found among searchable articles, as copies are)."""
    reports = story_reports(prefix)

    def send(articles: list[dict[str, Any]]) -> None:
        messages = [(a["id"].encode(), json.dumps(a).encode()) for a in articles]
        produce_messages(pipeline.settings, iter(messages), progress=False)
        for a in articles:
            wait_for(lambda a=a: pipeline.get(a["id"]), timeout=60, what=f"{a['id']} indexed")
        pipeline.es.indices.refresh(index=pipeline.settings.articles_alias)

    send(reports[:1])
    send(reports[1:])
    return reports
