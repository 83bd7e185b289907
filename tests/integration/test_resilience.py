"""Nothing lost, nothing doubled: a killed worker, a restarted worker, Elasticsearch down.

Each test does the thing it names to the real processes and then counts documents by id.
"""

from __future__ import annotations

import json
import time

import pytest

from deploy import stack
from tests.integration.conftest import (
    drop_pipeline,
    make_pipeline,
    produce_raw,
    wait_for,
    worker_health,
)

pytestmark = pytest.mark.integration


def _articles(tag: str, n: int) -> tuple[list[str], list[bytes]]:
    ids = [f"{tag}-{i}" for i in range(n)]
    values = [
        json.dumps(
            {
                "id": doc_id,
                "title": f"Report {i} on flooding in Kerala",
                "body": "Heavy rain flooded villages across Kerala, officials in Kochi said. " * 8,
            }
        ).encode()
        for i, doc_id in enumerate(ids)
    ]
    return ids, values


@pytest.fixture
def fresh(stack_settings):
    p = make_pipeline(stack_settings, batch_size=8)
    yield p
    drop_pipeline(p)


def _all_indexed(pipeline, ids: list[str]) -> bool:
    return pipeline.count({"ids": {"values": ids}}) == len(ids)


def test_worker_killed_mid_stream_loses_and_duplicates_nothing(fresh):
    ids, values = _articles("kill", 160)
    produce_raw(fresh.settings, values, keys=[i.encode() for i in ids])
    # kill -9 as soon as the first documents land, with most of the stream still in flight
    wait_for(lambda: fresh.count() >= 1, timeout=60, what="the first documents", every=0.05)
    before = fresh.count()
    fresh.restart_worker(kill=True)
    assert before < len(ids), "the worker finished before it could be killed; raise the count"
    wait_for(lambda: _all_indexed(fresh, ids), timeout=120, what="every article after the kill")
    assert fresh.count() == len(ids)


def test_worker_restart_resumes_where_it_stopped(fresh):
    first, first_values = _articles("before", 20)
    produce_raw(fresh.settings, first_values)
    wait_for(lambda: _all_indexed(fresh, first), timeout=60, what="the first batch")
    fresh.restart_worker()  # graceful: SIGTERM, commit, exit
    second, second_values = _articles("after", 20)
    produce_raw(fresh.settings, second_values)
    wait_for(lambda: _all_indexed(fresh, second), timeout=60, what="the second batch")
    time.sleep(2)
    assert fresh.count() == 40


def test_elasticsearch_down_delays_articles_and_loses_none(fresh, stack_settings):
    ids, values = _articles("es-down", 30)
    stack.down(stack_settings, only=["elasticsearch"])
    try:
        produce_raw(fresh.settings, values)
        time.sleep(8)  # the worker enriches them and keeps retrying the bulk write
        assert fresh.worker.proc is not None and fresh.worker.proc.poll() is None
    finally:
        stack.up(stack_settings, only=["elasticsearch"])
    wait_for(lambda: _all_indexed(fresh, ids), timeout=90, what="every article after ES returned")
    assert fresh.count() == len(ids)


def _second_worker(pipeline):
    from newsmon.run import WorkerProcess, free_port

    port = free_port()
    worker = WorkerProcess(
        pipeline.settings.model_copy(update={"worker_port": port}),
        env={**pipeline.env, "NEWSMON_WORKER_PORT": str(port)},
        name=pipeline.worker.log.stem + "-second",
    )
    worker.start(timeout=180)
    return worker


def test_partitions_revoked_mid_stream_lose_and_double_nothing(fresh):
    """A worker joins while batches are in flight (every partition is revoked and reassigned),
    then the first one leaves with SIGTERM mid-stream: every article indexed, once."""
    ids, values = _articles("revoke", 240)
    produce_raw(fresh.settings, values, keys=[i.encode() for i in ids])
    wait_for(lambda: fresh.count() >= 1, timeout=60, what="the first documents", every=0.05)
    second = _second_worker(fresh)
    try:
        assert fresh.count() < len(ids), "the stream ended before the rebalance; raise the count"
        fresh.worker.stop()  # its batches in flight at SIGTERM
        wait_for(lambda: _all_indexed(fresh, ids), timeout=180, what="every article")
        assert fresh.count() == len(ids)
    finally:
        second.stop()


def _ledger(pipeline) -> dict[str, int]:
    """Delivered entries of the delivery ledger (the Kafka topic), counted by delivery id."""
    from collections import Counter

    from streams.ledger import ledger_entry
    from streams.topics import read_to_end

    entries = (
        ledger_entry(r.value)
        for r in read_to_end(pipeline.settings, pipeline.settings.deliveries_topic)
    )
    return Counter(e["delivery_id"] for e in entries if e and e["status"] == "delivered")


def test_webhooks_are_delivered_once_through_a_rebalance_and_a_sigterm_while_es_is_down(
    fresh, stack_settings
):
    """Elasticsearch, which holds the delivery log people read, is down while a second worker
    joins (every partition changes hands) with webhook POSTs under way, and then the first one
    leaves with SIGTERM: each alert reaches the receiver once, and the ledger records each
    once; and once Elasticsearch is back, every article is indexed. (In this combination the
    index agents used to acknowledge records they never wrote: faust acknowledges the records
    a stream skips after a rebalance, and the alert matcher's work on the same record made it
    "done"; streams.consumer.HandledRecord.)"""
    import threading

    from newsmon.chaos import WebhookReceiver, diagnosis
    from processors.alerting.rules import validate_rule
    from streams.rulestore import publish_rules

    receiver = WebhookReceiver(delay=0.5)  # a slow receiver: deliveries are in flight
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    rule = {"id": "hook-all", "name": "every report", "query": "Kerala"}
    rule["channels"] = [{"type": "webhook", "url": receiver.url}]
    publish_rules(fresh.settings, [validate_rule(rule)])
    wait_for(lambda: worker_health(fresh).get("rules") == 1, timeout=30, what="the rule loaded")
    first, first_values = _articles("hook-first", 80)  # 40 s of deliveries for one worker
    later, later_values = _articles("hook-later", 10)
    second = None
    try:
        stack.down(stack_settings, only=["elasticsearch"])
        try:
            produce_raw(fresh.settings, first_values)
            wait_for(lambda: len(receiver.deliveries) >= 5, timeout=90, what="first deliveries")
            second = _second_worker(fresh)
            assert len(receiver.deliveries) < len(first), "all delivered before the rebalance"
            fresh.worker.stop()  # SIGTERM, its deliveries never logged in Elasticsearch
            produce_raw(fresh.settings, later_values)
            wait_for(
                lambda: len(receiver.deliveries) >= len(first) + len(later),
                timeout=120,
                what="every alert delivered while Elasticsearch is down",
            )
            time.sleep(3)  # a repeat would come now, from the worker that took the partitions
        finally:
            stack.up(stack_settings, only=["elasticsearch"])
        total = len(first) + len(later)
        repeated = {k: v for k, v in receiver.deliveries.items() if v > 1}
        assert not repeated, repeated
        assert len(receiver.deliveries) == total
        ledger = _ledger(fresh)
        assert len(ledger) == total and set(ledger.values()) == {1}, ledger
        wait_for(
            lambda: _all_indexed(fresh, first + later),
            timeout=120,
            what="every article indexed once Elasticsearch is back",
            explain=lambda: diagnosis(fresh.settings, [fresh.worker, second]),
        )
    finally:
        receiver.shutdown()
        if second is not None:
            second.stop()


def test_broker_restart_mid_stream_loses_nothing(fresh, stack_settings):
    """The broker goes away with batches in flight (the producer reconnects, the consumer
    rejoins): articles produced before and after it are all indexed."""
    before, before_values = _articles("broker-before", 120)
    produce_raw(fresh.settings, before_values, keys=[i.encode() for i in before])
    wait_for(lambda: fresh.count() >= 1, timeout=60, what="the first documents", every=0.05)
    stack.down(stack_settings, only=["kafka"])
    try:
        time.sleep(3)
    finally:
        stack.up(stack_settings, only=["kafka"])
    after, after_values = _articles("broker-after", 40)
    produce_raw(fresh.settings, after_values, keys=[i.encode() for i in after])
    wait_for(lambda: _all_indexed(fresh, before + after), timeout=240, what="every article")
    assert fresh.worker.proc is not None and fresh.worker.proc.poll() is None


def test_an_output_kafka_refuses_dead_letters_its_input(fresh):
    """A send error no retry can fix (the enriched record is larger than its topic accepts)
    sends the input to the dead-letter topic with the reason; the rest are indexed."""
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    from streams.deadletter import read_dead_letters

    admin = KafkaAdminClient(bootstrap_servers=fresh.settings.kafka_bootstrap.split(","))
    try:
        admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC,
                    fresh.settings.enriched_topic,
                    configs={"max.message.bytes": "20000"},
                )
            ]
        )
    finally:
        admin.close()
    small, small_values = _articles("fits", 6)
    large = [f"too-large-{i}" for i in range(2)]
    large_values = [
        json.dumps(
            {"id": i, "title": "Floods in Kerala", "body": "Rain fell in Kochi. " * 2000}
        ).encode()
        for i in large
    ]
    produce_raw(fresh.settings, small_values + large_values, keys=None)
    wait_for(lambda: _all_indexed(fresh, small), timeout=90, what="the articles that fit")

    def refused():
        letters = read_dead_letters(fresh.settings)
        return {json.loads(d.value)["id"] for d in letters if d.reason == "output_rejected"}

    wait_for(lambda: refused() == set(large), timeout=60, what="the refused ones dead-lettered")
    assert fresh.count() == len(small)
