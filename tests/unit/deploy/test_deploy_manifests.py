"""The deployment files that cannot run here (Kubernetes, Docker): parsed and checked against
the code they configure, so a renamed setting, command or probe path fails a test."""

from __future__ import annotations

import base64
import shlex
from pathlib import Path

import yaml

from config import Settings
from newsmon.cli import _parser

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
K8S = DEPLOY / "k8s"


def _docs() -> list[dict]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _containers(doc: dict) -> list[dict]:
    spec = doc.get("spec", {})
    return spec.get("template", {}).get("spec", {}).get("containers", [])


def _configmap() -> dict[str, str]:
    [cm] = [d for d in _docs() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "newsmon"]
    return cm["data"]


def test_every_manifest_parses_and_kustomize_lists_each_file() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    kinds = {(d["kind"], d["metadata"]["name"]) for d in _docs()}
    assert {
        ("Deployment", "newsmon-worker"),
        ("Deployment", "newsmon-api"),
        ("Deployment", "newsmon-feeds"),
        ("Service", "newsmon-api"),
        ("Job", "newsmon-setup"),
        ("ConfigMap", "newsmon"),
    } <= kinds


def test_every_setting_named_is_a_setting(tmp_path: Path) -> None:
    names = set(_configmap())
    for doc in _docs():
        for container in _containers(doc):
            names |= {e["name"] for e in container.get("env", [])}
    fields = {f"NEWSMON_{name.upper()}" for name in Settings.model_fields}
    assert names <= fields, sorted(names - fields)
    values = {k.removeprefix("NEWSMON_").lower(): v for k, v in _configmap().items()}
    ca = tmp_path / "ca.crt"  # the pods mount it (next test); here it stands in
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    Settings(**{**values, "es_ca_certs": str(ca)})


def test_every_pod_mounts_the_elasticsearch_ca_the_settings_name() -> None:
    folder = str(Path(_configmap()["NEWSMON_ES_CA_CERTS"]).parent)
    pods = [d for d in _docs() if _containers(d)]
    assert len(pods) >= 4
    for doc in pods:
        volumes = {v["name"]: v for v in doc["spec"]["template"]["spec"].get("volumes", [])}
        for container in _containers(doc):
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert folder in mounts, f"{doc['metadata']['name']} does not mount {folder}"
            secret = volumes[mounts[folder]]["secret"]["secretName"]
            assert secret.endswith("-es-http-certs-public")  # ECK's public CA secret


def test_every_command_is_a_newsmon_command() -> None:
    parser = _parser()
    commands = []
    for doc in _docs():
        for container in _containers(doc):
            if "args" in container:
                commands.append(container["args"])
            elif "command" in container:  # sh -c "newsmon topics && newsmon index"
                script = container["command"][-1]
                commands += [shlex.split(part)[1:] for part in script.split("&&")]
    assert len(commands) >= 4
    for args in commands:
        parser.parse_args(args)  # exits (fails the test) on an unknown command or option


def test_the_worker_is_probed_where_it_answers_and_scaled_to_the_partitions() -> None:
    [worker] = [d for d in _docs() if d["metadata"]["name"] == "newsmon-worker" and
                d["kind"] == "Deployment"]  # fmt: skip
    [container] = _containers(worker)
    settings = _configmap()
    [port] = container["ports"]
    assert port["containerPort"] == int(settings["NEWSMON_WORKER_PORT"])
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert worker["spec"]["replicas"] <= int(settings["NEWSMON_PARTITIONS"])
    assert int(settings["NEWSMON_MIN_INSYNC_REPLICAS"]) < int(
        settings["NEWSMON_REPLICATION_FACTOR"]
    )


def test_the_compose_cluster_overlay_is_one_kraft_quorum_of_three() -> None:
    base = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    overlay = yaml.safe_load((DEPLOY / "docker-compose.cluster.yml").read_text())
    services = set(base["services"]) | set(overlay["services"])
    brokers = {
        name: spec["environment"]
        for name, spec in overlay["services"].items()
        if name.startswith("kafka")
    }
    assert len(brokers) == 3
    assert len({env["KAFKA_NODE_ID"] for env in brokers.values()}) == 3
    voters = {env["KAFKA_CONTROLLER_QUORUM_VOTERS"] for env in brokers.values()}
    assert len(voters) == 1
    hosts = {v.split("@")[1].split(":")[0] for v in voters.pop().split(",")}
    assert hosts == set(brokers) and hosts <= services
    [cluster_id] = {env["CLUSTER_ID"] for env in brokers.values()}
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
    newsmon = overlay["services"]["worker"]["environment"]
    assert len(newsmon["NEWSMON_KAFKA_BOOTSTRAP"].split(",")) == 3
