"""The local stack: a single-node Kafka (KRaft) and a single-node Elasticsearch on 127.0.0.1.

``newsmon stack up|down|status``. The servers come from Maven Central into the per-user cache
(``deploy.artifacts``), run with small heaps, keep their data and logs under
``<cache>/stack/``, and are stopped with SIGTERM (then SIGKILL after a grace period).

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

__all__ = ["SERVICES", "ServiceStatus", "down", "status", "up"]

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
            f"{self.name:<14} {self.version:<8} {self.address:<22} {state:<18} {pid:<12} "
            f"log {self.log}"
        )


class _Layout:
    def __init__(self, settings: Settings) -> None:
        self.cache = settings.cache_dir
        self.root = self.cache / "stack"
        self.logs = self.root / "logs"

    def pidfile(self, service: str) -> Path:
        return self.root / f"{service}.pid"

    def log(self, service: str) -> Path:
        return self.logs / f"{service}.log"

    def data(self, service: str) -> Path:
        return self.root / service / "data"


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
def _kafka_healthy(settings: Settings) -> bool:
    if not _port_open(settings.stack_kafka_port):
        return False
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=[f"127.0.0.1:{settings.stack_kafka_port}"],
            request_timeout_ms=3000,
        )
    except (KafkaError, OSError, ValueError):
        return False
    try:
        admin.list_topics()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def _cluster_id() -> str:
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


def _start_kafka(settings: Settings, layout: _Layout) -> int:
    java = _java(settings)
    log = layout.log("kafka")
    log.parent.mkdir(parents=True, exist_ok=True)
    lib = fetch_kafka(layout.cache, log=log)
    home = layout.root / "kafka"
    data = layout.data("kafka")
    data.mkdir(parents=True, exist_ok=True)
    port, controller = settings.stack_kafka_port, settings.stack_controller_port
    properties = home / "server.properties"
    properties.write_text(
        "\n".join(
            [
                "# generated by newsmon (deploy/stack.py): single node, broker + controller",
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{controller}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                f"log.dirs={data}",
                f"num.partitions={settings.partitions}",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                "",
            ]
        )
    )
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
             "kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(properties)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        with log.open("a") as out:
            out.write(formatted.stdout + formatted.stderr)
        if formatted.returncode != 0:
            raise StackError(f"formatting Kafka storage failed; see {log}:\n{_tail(log)}")
    heap = f"{settings.stack_heap_mb}m"
    command = [
        java, f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}", f"-Dkafka.logs.dir={layout.logs}",
        "-cp", classpath, "kafka.Kafka", str(properties),
    ]  # fmt: skip
    return _spawn(command, log=log, env=dict(os.environ), cwd=home)


# --- Elasticsearch -------------------------------------------------------------------------------
def _es_health(settings: Settings) -> dict | None:
    url = f"http://127.0.0.1:{settings.stack_es_port}/_cluster/health"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def _es_healthy(settings: Settings) -> bool:
    health = _es_health(settings)
    return bool(health) and health.get("status") in ("green", "yellow")


def _user_namespace_prefix() -> list[str]:
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


def _start_elasticsearch(settings: Settings, layout: _Layout) -> int:
    java = _java(settings)
    es_home = fetch_elasticsearch(layout.cache)
    conf = layout.root / "elasticsearch" / "config"
    data = layout.data("elasticsearch")
    for folder in (conf, data, layout.logs):
        folder.mkdir(parents=True, exist_ok=True)
    for name in ("jvm.options", "log4j2.properties"):
        shutil.copy2(es_home / "config" / name, conf / name)
    (conf / "jvm.options.d").mkdir(exist_ok=True)
    heap = settings.stack_heap_mb
    (conf / "jvm.options.d" / "newsmon-heap.options").write_text(f"-Xms{heap}m\n-Xmx{heap}m\n")
    (conf / "elasticsearch.yml").write_text(
        "\n".join(
            [
                "# generated by newsmon (deploy/stack.py): single node on loopback, no security",
                "cluster.name: newsmon-local",
                "node.name: newsmon-local-1",
                "network.host: 127.0.0.1",
                f"http.port: {settings.stack_es_port}",
                f"transport.port: {settings.stack_es_port + 100}",
                "discovery.type: single-node",
                "xpack.security.enabled: false",
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.destructive_requires_name: false",
                f"path.data: {data}",
                f"path.logs: {layout.logs / 'elasticsearch'}",
                "",
            ]
        )
    )
    env = dict(os.environ)
    env.update(
        ES_JAVA_HOME=str(Path(java).resolve().parent.parent),
        ES_PATH_CONF=str(conf),
        ES_JAVA_OPTS="",
    )
    command = [*_user_namespace_prefix(), str(es_home / "bin" / "elasticsearch")]
    return _spawn(command, log=layout.log("elasticsearch"), env=env, cwd=es_home)


# --- public commands -----------------------------------------------------------------------------
def _services(only: Sequence[str] | None) -> list[str]:
    chosen = list(only) if only else list(SERVICES)
    unknown = [s for s in chosen if s not in SERVICES]
    if unknown:
        raise StackError(f"unknown service(s) {unknown}; choose from {', '.join(SERVICES)}")
    return chosen


def _spec(settings: Settings, service: str):  # noqa: ANN202
    if service == "kafka":
        return (
            settings.stack_kafka_port,
            lambda: _kafka_healthy(settings),
            _start_kafka,
            60.0,
        )
    return (
        settings.stack_es_port,
        lambda: _es_healthy(settings),
        _start_elasticsearch,
        180.0,
    )


def up(settings: Settings, only: Sequence[str] | None = None) -> list[ServiceStatus]:
    """Start whichever services are not running and wait until every one is healthy."""
    layout = _Layout(settings)
    layout.logs.mkdir(parents=True, exist_ok=True)
    started: list[tuple[str, int]] = []
    for service in _services(only):
        port, healthy, start, _ = _spec(settings, service)
        pid = _read_pid(layout.pidfile(service))
        if pid is not None:
            started.append((service, pid))
            continue
        if _port_open(port):
            if healthy():
                continue  # someone else's server answers correctly on our port: use it
            raise StackError(
                f"port {port} is taken by a process newsmon did not start and it is not a "
                f"healthy {service}; stop it or set NEWSMON_STACK_* ports"
            )
        pid = start(settings, layout)
        layout.pidfile(service).write_text(f"{pid}\n")
        started.append((service, pid))
    for service, pid in started:
        _, healthy, _, timeout = _spec(settings, service)
        _wait(healthy, pid=pid, timeout=timeout, what=service, log=layout.log(service))
    return status(settings)


# newsmon's own processes, which `newsmon run` starts
CHILDREN = ("feeds", "feedserver", "api", "worker")


def down(settings: Settings, only: Sequence[str] | None = None) -> list[str]:
    """Stop the services newsmon started; returns the names stopped."""
    layout = _Layout(settings)
    stopped = []
    for child in () if only else CHILDREN:  # left running by `newsmon run --no-wait`
        pid = _read_pid(layout.pidfile(child))
        if pid is not None:
            _stop_pid(pid)
            stopped.append(child)
        layout.pidfile(child).unlink(missing_ok=True)
    for service in reversed(_services(only)):
        pid = _read_pid(layout.pidfile(service))
        if pid is not None:
            _stop_pid(pid)
            stopped.append(service)
        layout.pidfile(service).unlink(missing_ok=True)
    return stopped


def status(settings: Settings) -> list[ServiceStatus]:
    layout = _Layout(settings)
    out = []
    for service in SERVICES:
        port, healthy, _, _ = _spec(settings, service)
        version = KAFKA_VERSION if service == "kafka" else ES_VERSION
        scheme = "" if service == "kafka" else "http://"
        out.append(
            ServiceStatus(
                name=service,
                version=version,
                address=f"{scheme}127.0.0.1:{port}",
                pid=_read_pid(layout.pidfile(service)),
                healthy=healthy(),
                log=layout.log(service),
                data=layout.data(service),
            )
        )
    return out
