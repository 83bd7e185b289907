"""The local stack's layout of a cluster: ports, data folders and generated server settings."""

from pathlib import Path

from config import Settings
from deploy.stack import _es_config, _kafka_properties, _Layout, nodes


def test_a_single_node_keeps_its_names_ports_and_folders(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    layout = _Layout(settings)
    kafka, es = nodes(settings)
    assert (kafka.name, kafka.port(settings), es.name, es.port(settings)) == (
        "kafka",
        9092,
        "elasticsearch",
        9200,
    )
    assert layout.data(kafka) == tmp_path / "stack" / "kafka" / "data"
    assert "discovery.type: single-node" in _es_config(settings, layout, es)


def test_a_cluster_has_one_quorum_its_own_folders_and_replicated_internal_topics(
    tmp_path: Path,
) -> None:
    settings = Settings(cache_dir=tmp_path, stack_brokers=3, stack_es_nodes=2)
    layout = _Layout(settings)
    brokers = nodes(settings, "kafka")
    assert [b.name for b in brokers] == ["kafka-1", "kafka-2", "kafka-3"]
    assert [b.port(settings) for b in brokers] == [9092, 9094, 9096]
    assert len({layout.data(b) for b in brokers}) == 3
    assert all("kafka-cluster3" in str(layout.data(b)) for b in brokers)
    props = _kafka_properties(settings, layout, brokers[1])
    assert "node.id=2" in props
    assert "controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097" in props
    assert "offsets.topic.replication.factor=3" in props and "min.insync.replicas=2" in props
    second = nodes(settings, "elasticsearch")[1]
    es = _es_config(settings, layout, second)
    assert "http.port: 9201" in es and "transport.port: 9301" in es
    assert any(line.startswith("discovery.seed_hosts:") and "9300" in line for line in es)
    assert settings.es_hosts == ["http://127.0.0.1:9200", "http://127.0.0.1:9201"]
