"""The local stack: Kafka (KRaft) and Elasticsearch on 127.0.0.1, one node each or a cluster.

``newsmon stack up|down|status [--brokers N] [--es-nodes M]``. The servers come from Maven
Central into the per-user cache (``deploy.artifacts``), run with small heaps, keep their data
and logs under ``<cache>/stack/``, and are stopped with SIGTERM (then SIGKILL after a grace
period).

With ``stack_brokers`` > 1, Kafka is that many processes, each a broker and a KRaft controller
(the controller quorum is all of them), node *i* listening on ``stack_kafka_port + 2(i-1)`` and
its controller on ``stack_controller_port + 2(i-1)``; internal topics are replicated 3 ways
with ``min.insync.replicas`` 2. With ``stack_es_nodes`` > 1, Elasticsearch is that many
master-eligible data nodes, node *i* on HTTP ``stack_es_port + i-1``. A cluster keeps its own
data under ``<cache>/stack/<service>-cluster<N>/`` so it never meets a single node's.

Elasticsearch refuses to run as root. When newsmon runs as root it starts Elasticsearch in a
user namespace (``unshare --user``) where it has an ordinary uid, while its files stay owned by
the real user: no system account and no permission changes are needed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from config import Settings
from deploy.artifacts import ES_VERSION, KAFKA_VERSION, fetch_elasticsearch, fetch_kafka
from processors.errors import StackError

__all__ = [
    "SERVICES",
    "Node",
    "ServiceStatus",
    "down",
    "expendable_es_node",
    "kill",
    "nodes",
    "status",
    "up",
    "user_namespace_prefix",
]

SERVICES = ("kafka", "elasticsearch")
_JAVA_MIN = 17


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    version: str
    address: str
    pid: int | None
    healthy: bool
    log: Path
    data: Path

    def line(self) -> str:
        state = "healthy" if self.healthy else ("starting/unhealthy" if self.pid else "stopped")
        pid = f"pid {self.pid}" if self.pid else "no process"
        return (
            f"{self.name:<16} {self.version:<8} {self.address:<22} {state:<18} {pid:<12} "
            f"log {self.log}"
        )


@dataclass(frozen=True)
class Node:
    """One server process of the stack: node ``index`` (1-based) of ``total`` of a service."""

    service: str  # "kafka" or "elasticsearch"
    index: int
    total: int

    @property
    def name(self) -> str:
        """``kafka``/``elasticsearch`` on a single node, ``kafka-2`` in a cluster."""
        return self.service if self.total == 1 else f"{self.service}-{self.index}"

    def port(self, settings: Settings) -> int:
        if self.service == "kafka":
            return settings.stack_kafka_port + 2 * (self.index - 1)
        return settings.stack_es_port + self.index - 1

    def controller_port(self, settings: Settings) -> int:
        return settings.stack_controller_port + 2 * (self.index - 1)


def nodes(settings: Settings, service: str | None = None) -> list[Node]:
    """The stack's nodes (of one service), as its settings size it."""
    sizes = {"kafka": settings.stack_brokers, "elasticsearch": settings.stack_es_nodes}
    return [
        Node(svc, i, sizes[svc])
        for svc in (SERVICES if service is None else (service,))
        for i in range(1, sizes[svc] + 1)
    ]


class _Layout:
    def __init__(self, settings: Settings) -> None:
        self.cache = settings.cache_dir
        self.root = self.cache / "stack"
        self.logs = self.root / "logs"

    def pidfile(self, node: Node | str) -> Path:
        return self.root / f"{node.name if isinstance(node, Node) else node}.pid"

    def log(self, node: Node) -> Path:
        return self.logs / f"{node.name}.log"

    def home(self, node: Node) -> Path:
        """The node's folder: its generated configuration and its data."""
        if node.total == 1:
            return self.root / node.service
        return self.root / f"{node.service}-cluster{node.total}" / f"node-{node.index}"

    def data(self, node: Node) -> Path:
        return self.home(node) / "data"


# --- processes ----------------------------------------------------------------------------------
def _read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    try:  # a zombie (exited child nobody reaped) is not running
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                return None
    except OSError:
        pass
    return pid


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _java(settings: Settings) -> str:
    java = str(settings.java_home / "bin" / "java") if settings.java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise StackError(
            "no Java found: install a JDK 17+ (apt-get install openjdk-17-jre-headless) "
            "or set NEWSMON_JAVA_HOME"
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    try:
        major = int(out.split('"')[1].split(".")[0])
    except (IndexError, ValueError):
        major = 0
    if major < _JAVA_MIN:
        raise StackError(
            f"{java} is Java {major or '?'}; the stack needs {_JAVA_MIN}+: "
            "set NEWSMON_JAVA_HOME to a newer JDK"
        )
    return java


def _spawn(command: Sequence[str], *, log: Path, env: dict[str, str], cwd: Path) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"\n--- newsmon: starting {' '.join(command)}\n".encode())
        proc = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,  # its own process group: stopped as a whole
        )
    return proc.pid


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait(check, *, pid: int, timeout: float, what: str, log: Path) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if _read_pid_alive(pid) is False:
            raise StackError(f"{what} exited while starting; last lines of {log}:\n{_tail(log)}")
        time.sleep(0.5)
    raise StackError(f"{what} did not become healthy in {timeout:.0f}s; see {log}:\n{_tail(log)}")


def _read_pid_alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_pid(pid: int, *, grace: float = 30.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _read_pid_alive(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# --- Kafka ---------------------------------------------------------------------------------
def _kafka_brokers(port: int) -> int:
    """How many brokers the cluster reached through ``port`` reports (0: no answer)."""
    if not _port_open(port):
        return 0
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(bootstrap_servers=[f"127.0.0.1:{port}"], request_timeout_ms=3000)
    except (KafkaError, OSError, ValueError):
        return 0
    try:
        admin.list_topics()
        return len(admin.describe_cluster().get("brokers") or [])
    except (KafkaError, OSError):
        return 0
    finally:
        admin.close()


def _cluster_id() -> str:
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


def _shared_cluster_id(layout: _Layout, node: Node) -> str:
    """Every node of a KRaft cluster is formatted with one cluster id, kept beside them."""
    if node.total == 1:
        return _cluster_id()
    path = layout.home(node).parent / "cluster.id"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_cluster_id() + "\n")
    return path.read_text().strip()


def _kafka_properties(settings: Settings, layout: _Layout, node: Node) -> list[str]:
    port, controller = node.port(settings), node.controller_port(settings)
    every = nodes(settings, "kafka")
    voters = ",".join(f"{n.index}@127.0.0.1:{n.controller_port(settings)}" for n in every)
    replicas = min(3, node.total)
    isr = min(2, replicas)
    return [
        f"# generated by newsmon (deploy/stack.py): node {node.index} of {node.total}, "
        "broker + controller",
        "process.roles=broker,controller",
        f"node.id={node.index}",
        f"controller.quorum.voters={voters}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={layout.data(node)}",
        f"num.partitions={settings.partitions}",
        "auto.create.topics.enable=false",
        f"default.replication.factor={replicas}",
        f"min.insync.replicas={isr}",
        f"offsets.topic.replication.factor={replicas}",
        "offsets.topic.num.partitions=4",
        f"transaction.state.log.replication.factor={replicas}",
        f"transaction.state.log.min.isr={isr}",
        f"share.coordinator.state.topic.replication.factor={replicas}",
        f"share.coordinator.state.topic.min.isr={isr}",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.hours=168",
        "",
    ]


def _start_kafka(settings: Settings, layout: _Layout, node: Node) -> int:
    java = _java(settings)
    log = layout.log(node)
    log.parent.mkdir(parents=True, exist_ok=True)
    lib = fetch_kafka(layout.cache, log=log)
    home = layout.home(node)
    data = layout.data(node)
    data.mkdir(parents=True, exist_ok=True)
    properties = home / "server.properties"
    properties.write_text("\n".join(_kafka_properties(settings, layout, node)))
    log4j = home / "log4j2.properties"
    log4j.write_text(
        "\n".join(
            [
                "status = warn",
                "appender.console.type = Console",
                "appender.console.name = STDOUT",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "logger.kafka.name = kafka",
                "logger.kafka.level = INFO",
                "logger.state.name = state.change.logger",
                "logger.state.level = WARN",
                "",
            ]
        )
    )
    classpath = f"{lib}/*"
    if not (data / "meta.properties").exists():
        formatted = subprocess.run(
            [java, "-cp", classpath, f"-Dlog4j2.configurationFile={log4j}",
             "kafka.tools.StorageTool", "format", "-t", _shared_cluster_id(layout, node),
             "-c", str(properties)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        with log.open("a") as out:
            out.write(formatted.stdout + formatted.stderr)
        if formatted.returncode != 0:
            raise StackError(f"formatting Kafka storage failed; see {log}:\n{_tail(log)}")
    heap = f"{_heap_mb(settings, node)}m"
    command = [
        java, f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}", f"-Dkafka.logs.dir={layout.logs}",
        "-cp", classpath, "kafka.Kafka", str(properties),
    ]  # fmt: skip
    return _spawn(command, log=log, env=dict(os.environ), cwd=home)


def _heap_mb(settings: Settings, node: Node) -> int:
    """A cluster's nodes get half the heap of a single node (at least 256 MB): five JVMs
    must fit beside the test suite."""
    return settings.stack_heap_mb if node.total == 1 else max(256, settings.stack_heap_mb // 2)


# --- Elasticsearch -------------------------------------------------------------------------------
def _es_health(port: int) -> dict | None:
    url = f"http://127.0.0.1:{port}/_cluster/health"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def _es_nodes(port: int) -> int:
    """How many nodes the cluster reached through ``port`` has (0: no answer or red)."""
    health = _es_health(port)
    if not health or health.get("status") not in ("green", "yellow"):
        return 0
    return int(health.get("number_of_nodes") or 0)


def user_namespace_prefix() -> list[str]:
    """``unshare`` prefix that runs a command as uid 1000 in a user namespace (root only)."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    probe = (
        subprocess.run(
            [unshare, "--user", "--map-user=1000", "--map-group=1000", "true"],
            capture_output=True,
            check=False,
        )
        if unshare
        else None
    )
    if probe is None or probe.returncode != 0:
        raise StackError(
            "Elasticsearch refuses to run as root and this machine cannot create a user "
            "namespace to run it as another uid (unshare --user failed). Run newsmon as an "
            "ordinary user, or start Elasticsearch yourself and set NEWSMON_ES_URL."
        )
    return [unshare, "--user", "--map-user=1000", "--map-group=1000"]


def _es_config(settings: Settings, layout: _Layout, node: Node) -> list[str]:
    every = nodes(settings, "elasticsearch")
    transport = {n.index: n.port(settings) + 100 for n in every}
    if node.total == 1:
        cluster = ["cluster.name: newsmon-local", "discovery.type: single-node"]
    else:
        cluster = [
            f"cluster.name: newsmon-local-{node.total}",
            "discovery.seed_hosts: ["
            + ", ".join(f'"127.0.0.1:{p}"' for p in transport.values())
            + "]",
            "cluster.initial_master_nodes: ["
            + ", ".join(f'"newsmon-local-{n.index}"' for n in every)
            + "]",
        ]
    return [
        f"# generated by newsmon (deploy/stack.py): node {node.index} of {node.total} on "
        "loopback, no security",
        *cluster,
        f"node.name: newsmon-local-{node.index}",
        "network.host: 127.0.0.1",
        f"http.port: {node.port(settings)}",
        f"transport.port: {transport[node.index]}",
        "xpack.security.enabled: false",
        "cluster.routing.allocation.disk.threshold_enabled: false",
        "action.destructive_requires_name: false",
        f"path.data: {layout.data(node)}",
        f"path.logs: {layout.logs / node.name}",
        "",
    ]


def expendable_es_node(settings: Settings) -> str:
    """The Elasticsearch node that is not the elected master: a two-node cluster keeps one
    node in its voting configuration and survives losing only the other one."""
    url = f"http://127.0.0.1:{settings.stack_es_port}/_cat/master?format=json"
    with urllib.request.urlopen(url, timeout=5) as response:
        master = json.loads(response.read())[0]["node"]  # "newsmon-local-<i>"
    index = int(master.rsplit("-", 1)[1])
    return f"elasticsearch-{settings.stack_es_nodes if index == 1 else 1}"


def _start_elasticsearch(settings: Settings, layout: _Layout, node: Node) -> int:
    java = _java(settings)
    es_home = fetch_elasticsearch(layout.cache)
    conf = layout.home(node) / "config"
    data = layout.data(node)
    for folder in (conf, data, layout.logs):
        folder.mkdir(parents=True, exist_ok=True)
    for name in ("jvm.options", "log4j2.properties"):
        shutil.copy2(es_home / "config" / name, conf / name)
    (conf / "jvm.options.d").mkdir(exist_ok=True)
    heap = _heap_mb(settings, node)
    (conf / "jvm.options.d" / "newsmon-heap.options").write_text(f"-Xms{heap}m\n-Xmx{heap}m\n")
    (conf / "elasticsearch.yml").write_text("\n".join(_es_config(settings, layout, node)))
    env = dict(os.environ)
    env.update(
        ES_JAVA_HOME=str(Path(java).resolve().parent.parent),
        ES_PATH_CONF=str(conf),
        ES_JAVA_OPTS="",
    )
    command = [*user_namespace_prefix(), str(es_home / "bin" / "elasticsearch")]
    return _spawn(command, log=layout.log(node), env=env, cwd=es_home)


# --- public commands -----------------------------------------------------------------------------
def _chosen(settings: Settings, only: Sequence[str] | None) -> list[Node]:
    """The nodes ``only`` names: services (``kafka``) or nodes (``kafka-2``); default all."""
    every = nodes(settings)
    if not only:
        return every
    by_name = {n.name: n for n in every}
    chosen: list[Node] = []
    for name in only:
        if name in SERVICES:
            chosen += [n for n in every if n.service == name]
        elif name in by_name:
            chosen.append(by_name[name])
        else:
            raise StackError(
                f"unknown service or node {name!r}; choose from "
                f"{', '.join([*SERVICES, *(n for n in by_name if n not in SERVICES)])}"
            )
    return list(dict.fromkeys(chosen))


def _members(settings: Settings, node: Node) -> int:
    """How many nodes of its service the cluster seen through ``node`` has (0: down)."""
    port = node.port(settings)
    return _kafka_brokers(port) if node.service == "kafka" else _es_nodes(port)


def _start(settings: Settings, layout: _Layout, node: Node) -> int:
    start = _start_kafka if node.service == "kafka" else _start_elasticsearch
    return start(settings, layout, node)


def up(settings: Settings, only: Sequence[str] | None = None) -> list[ServiceStatus]:
    """Start whichever nodes are not running and wait until every one is healthy: it answers
    and sees the whole cluster (all brokers registered, all Elasticsearch nodes joined)."""
    layout = _Layout(settings)
    layout.logs.mkdir(parents=True, exist_ok=True)
    started: list[tuple[Node, int]] = []
    for node in _chosen(settings, only):
        pid = _read_pid(layout.pidfile(node))
        if pid is not None:
            started.append((node, pid))
            continue
        port = node.port(settings)
        if _port_open(port):
            if _members(settings, node) >= node.total:
                continue  # someone else's server answers correctly on our port: use it
            raise StackError(
                f"port {port} is taken by a process newsmon did not start and it is not a "
                f"healthy {node.name}; stop it or set NEWSMON_STACK_* ports"
            )
        pid = _start(settings, layout, node)
        layout.pidfile(node).write_text(f"{pid}\n")
        started.append((node, pid))
    for node, pid in started:
        timeout = 60.0 if node.service == "kafka" else 180.0
        _wait(
            lambda node=node: _members(settings, node) >= node.total,
            pid=pid,
            timeout=timeout * (1 if node.total == 1 else 1.5),
            what=node.name,
            log=layout.log(node),
        )
    return status(settings)


def kill(settings: Settings, name: str, sig: signal.Signals = signal.SIGKILL) -> int:
    """Send ``sig`` to one node (a fault campaign's "a broker dies"); returns its pid."""
    [node] = _chosen(settings, [name]) if name not in SERVICES else [nodes(settings, name)[0]]
    layout = _Layout(settings)
    pid = _read_pid(layout.pidfile(node))
    if pid is None:
        raise StackError(f"{node.name} is not running (no live pid in {layout.pidfile(node)})")
    os.killpg(pid, sig)
    if sig == signal.SIGKILL:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        layout.pidfile(node).unlink(missing_ok=True)
    return pid


# newsmon's own processes, which `newsmon run` starts
CHILDREN = ("feeds", "feedserver", "api", "worker")


def down(settings: Settings, only: Sequence[str] | None = None) -> list[str]:
    """Stop the nodes newsmon started; returns the names stopped."""
    layout = _Layout(settings)
    stopped = []
    for child in () if only else CHILDREN:  # left running by `newsmon run --no-wait`
        pid = _read_pid(layout.pidfile(child))
        if pid is not None:
            _stop_pid(pid)
            stopped.append(child)
        layout.pidfile(child).unlink(missing_ok=True)
    for node in reversed(_chosen(settings, only)):
        pid = _read_pid(layout.pidfile(node))
        if pid is not None:
            _stop_pid(pid)
            stopped.append(node.name)
        layout.pidfile(node).unlink(missing_ok=True)
    return stopped


def status(settings: Settings) -> list[ServiceStatus]:
    """One row per node: healthy when it answers and sees its whole cluster."""
    layout = _Layout(settings)
    out = []
    for node in nodes(settings):
        version = KAFKA_VERSION if node.service == "kafka" else ES_VERSION
        scheme = "" if node.service == "kafka" else "http://"
        out.append(
            ServiceStatus(
                name=node.name,
                version=version,
                address=f"{scheme}127.0.0.1:{node.port(settings)}",
                pid=_read_pid(layout.pidfile(node)),
                healthy=_members(settings, node) >= node.total,
                log=layout.log(node),
                data=layout.data(node),
            )
        )
    return out
