"""A real cluster: three KRaft brokers and two Elasticsearch nodes, and a node lost mid-stream.

``newsmon stack up --brokers 3 --es-nodes 2`` on ports of its own (beside the suite's
single-node stack), a worker on it, then a broker killed with SIGKILL and an Elasticsearch node
stopped while articles flow. Every article must be indexed exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from config import Settings
from deploy import stack
from tests.integration.conftest import (
    Pipeline,
    drop_pipeline,
    make_pipeline,
    produce_raw,
    wait_for,
)
from tests.integration.test_resilience import _articles

pytestmark = pytest.mark.integration

SHAPE = {
    "stack_brokers": 3,
    "stack_es_nodes": 2,
    "stack_kafka_port": 29092,
    "stack_controller_port": 29093,
    "stack_es_port": 29200,
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Settings]:
    settings = Settings(**SHAPE)
    try:
        stack.up(settings)
    except Exception as exc:  # noqa: BLE001 - a cluster that cannot start fails the test
        pytest.fail(f"the 3-broker, 2-node local cluster could not start: {exc}")
    yield settings
    stack.down(settings, only=list(stack.SERVICES))


@pytest.fixture(scope="module")
def on_cluster(cluster: Settings) -> Iterator[Pipeline]:
    p = make_pipeline(cluster, batch_size=8, **cluster.cluster_overrides())
    yield p
    drop_pipeline(p)


def test_the_cluster_has_every_node_and_replicates_three_ways(cluster: Settings) -> None:
    rows = stack.status(cluster)
    assert [r.name for r in rows] == [
        "kafka-1",
        "kafka-2",
        "kafka-3",
        "elasticsearch-1",
        "elasticsearch-2",
    ]
    assert all(r.healthy and r.pid for r in rows), [r.line() for r in rows]
    assert len({r.address for r in rows}) == 5 and len({r.data for r in rows}) == 5
    assert cluster.kafka_bootstrap == "127.0.0.1:29092,127.0.0.1:29094,127.0.0.1:29096"
    assert (cluster.replication_factor, cluster.min_insync_replicas, cluster.es_replicas) == (
        3,
        2,
        1,
    )


def test_topics_and_indexes_on_the_cluster_are_replicated(on_cluster: Pipeline) -> None:
    settings = on_cluster.settings
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap.split(","))
    try:
        [topic] = admin.describe_topics([settings.articles_topic])
        assert {len(p["replica_nodes"]) for p in topic["partitions"]} == {3}
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, settings.articles_topic)]
        )
        assert configs["topic"][settings.articles_topic]["min.insync.replicas"]["value"] == "2"
    finally:
        admin.close()
    shards = on_cluster.es.cat.shards(index=f"{settings.index_prefix}-*", format="json")
    assert sorted(s["prirep"] for s in shards) == ["p", "r"]
    assert len({s["node"] for s in shards}) == 2  # the replica is on the other node


def test_a_broker_killed_and_a_node_stopped_mid_stream_lose_nothing(
    on_cluster: Pipeline, cluster: Settings
) -> None:
    ids, values = _articles("cluster", 240)
    keys = [i.encode() for i in ids]
    produce_raw(on_cluster.settings, values[:80], keys=keys[:80])
    wait_for(lambda: on_cluster.count() >= 1, timeout=90, what="the first documents")
    stack.kill(cluster, "kafka-2")  # SIGKILL: no clean shutdown, no leader hand-over
    produce_raw(on_cluster.settings, values[80:160], keys=keys[80:160])  # 2 of 3 in sync
    stopped = stack.expendable_es_node(cluster)
    stack.down(cluster, only=[stopped])
    produce_raw(on_cluster.settings, values[160:], keys=keys[160:])
    wait_for(
        lambda: on_cluster.count({"ids": {"values": ids}}) == len(ids),
        timeout=180,
        what="every article with a broker killed and an Elasticsearch node stopped",
    )
    stack.up(cluster, only=["kafka-2", stopped])
    assert all(r.healthy for r in stack.status(cluster))
    time.sleep(2)
    assert on_cluster.count() == len(ids)  # exactly once: nothing lost, nothing doubled
