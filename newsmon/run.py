"""``newsmon run`` (what ``make run`` calls): the whole system on one machine, in one command.

Starts the local stack, creates topics and the index, starts a worker, publishes the sample
alert rules, starts the API and desk, serves the bundled sample feed locally and polls it,
produces the sample articles (the project's own, plus ../shared/fixtures when that folder is
there), waits until they are searchable, prints the desk's URL, and keeps everything running
until Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from config import Settings

__all__ = [
    "REPO_ROOT",
    "ApiProcess",
    "ChildProcess",
    "WorkerProcess",
    "drop_namespace",
    "free_port",
    "run_everything",
]

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 now (for workers and servers of tests and
    benchmarks, which must not collide with a `make run` on the default ports)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def with_loopback(allow: str) -> str:
    """An outbound allowance that also reaches 127.0.0.1 (a receiver or feed run here)."""
    return ",".join(p for p in (allow.strip(), "127.0.0.1/32") if p)


def drop_namespace(settings: Settings) -> None:
    """Delete what a test, benchmark or campaign made under its own prefixes: its indexes and
    index template, its topics (and faust's, named after the app id) and its consumer groups.
    Left behind, they pile up on the shared stack, and every broker restart must load them
    all again (a campaign's broker restart took 24 s with some 300 partitions on disk)."""
    from kafka.admin import KafkaAdminClient

    from streams.indexing import sync_client
    from streams.topics import topic_specs

    es = sync_client(settings)
    try:
        es.indices.delete(index=f"{settings.index_prefix}-*", ignore_unavailable=True)
        es.options(ignore_status=404).indices.delete_index_template(
            name=f"{settings.index_prefix}-articles"
        )
    finally:
        es.close()
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap.split(","))
    try:
        names = {spec.name for spec in topic_specs(settings)}
        ours = [t for t in admin.list_topics() if t in names or t.startswith(settings.app_id + "-")]
        if ours:
            admin.delete_topics(ours)
        groups = [
            g["group_id"]
            for g in admin.list_groups()
            if g["group_id"] == settings.app_id or g["group_id"].startswith(settings.app_id + "-")
        ]
        if groups:
            admin.delete_groups(groups)  # empty by now: every worker has stopped
    finally:
        admin.close()


class ChildProcess:
    """A ``newsmon <command>`` child process with its log in the cache, ready when ``ready_url``
    answers 200 (or at once, without one); used by run, the benchmarks and the tests."""

    def __init__(
        self,
        settings: Settings,
        command: list[str],
        *,
        name: str,
        ready_url: str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.settings = settings
        self.command = command
        self.ready_url = ready_url
        self.log = settings.cache_dir / "stack" / "logs" / f"{name}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile = self.log.parent.parent / f"{name}.pid"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 120.0) -> None:
        if self.ready_url and _answers(self.ready_url):
            raise RuntimeError(
                f"something already answers at {self.ready_url}: stop it (`make stop` stops "
                "what an earlier `newsmon run` left) or choose another port in the settings"
            )
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newsmon", *self.command],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        self.pidfile.write_text(f"{self.proc.pid}\n")
        deadline = time.monotonic() + timeout
        while self.ready_url and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`newsmon {self.command[0]}` exited at start; see {self.log}")
            if _answers(self.ready_url):
                return
            time.sleep(0.5)
        if self.ready_url:
            self.stop()
            raise RuntimeError(
                f"`newsmon {self.command[0]}` was not ready within {timeout:.0f}s; see {self.log}"
            )

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stop(self, *, grace: float = 30.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.pidfile.unlink(missing_ok=True)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class WorkerProcess(ChildProcess):
    """A ``newsmon worker``, ready when its ``/healthz`` answers."""

    def __init__(
        self, settings: Settings, *, env: dict[str, str] | None = None, name: str = "worker"
    ):
        url = f"http://{settings.worker_host}:{settings.worker_port}/healthz"
        super().__init__(settings, ["worker"], name=name, ready_url=url, env=env)


class ApiProcess(ChildProcess):
    """``newsmon api``, ready when its (unauthenticated) ``/livez`` answers."""

    def __init__(self, settings: Settings, *, env: dict[str, str] | None = None, name: str = "api"):
        url = f"http://{settings.api_host}:{settings.api_port}/livez"
        super().__init__(settings, ["api"], name=name, ready_url=url, env=env)


def _sample_sources(settings: Settings, samples: str | None) -> list[Path]:
    if samples:
        return [Path(samples)]
    sources = [REPO_ROOT / "samples" / "articles.jsonl"]
    shared = settings.shared_dir / "fixtures" / "hasakah-prison.json"
    if shared.is_file():
        sources.append(shared)
    return sources


def desk_key(settings: Settings) -> tuple[str, dict[str, str]]:
    """The admin key the desk URL carries, and the environment that gives it to the API.

    With keys configured, the first admin key is used as is. Without any, a random key is made
    once and kept in ``<cache>/desk-admin-key`` (readable by its owner only), so the URL stays
    the same from one ``make run`` to the next.
    """
    if settings.api_admin_keys:
        return settings.api_admin_keys[0].get_secret_value(), {}
    path = settings.cache_dir / "desk-admin-key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24))
    key = path.read_text().strip()
    return key, {"NEWSMON_API_ADMIN_KEYS": key}


def _sample_feeds_file(settings: Settings) -> Path:
    base = f"http://127.0.0.1:{settings.sample_feed_port}"
    path = settings.cache_dir / "sample-feeds.yaml"
    feeds = [
        (f"{base}/world.xml", "Sample Wire (RSS)"),
        (f"{base}/regional.json", "Sample Wire (JSON Feed)"),
        (f"{base}/africa.atom", "Sample Wire (Atom)"),
    ]
    lines = ["# written by `newsmon run`: the bundled sample feed, served locally", "feeds:"]
    lines += [f"  - {{url: '{url}', source: '{name}', interval: 1m}}" for url, name in feeds]
    path.write_text("\n".join(lines) + "\n")
    return path


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_everything(settings: Settings, *, samples: str | None = None, wait: bool = True) -> int:
    """What `make run` does, in its six printed steps (stack, index, rules, worker and API,
    samples, the desk): one function so the steps read in the order the user sees them."""
    from deploy import stack
    from deploy.sample_dates import redate_articles
    from processors.alerting.rules import load_rules
    from streams.indexing import ensure_articles_index_sync, sync_client
    from streams.producer import iter_messages, produce_messages
    from streams.rulestore import publish_rules
    from streams.topics import ensure_topics

    print("1/6 starting Kafka and Elasticsearch (the first run downloads them)...", flush=True)
    for row in stack.up(settings):
        print("    " + row.line())
    ensure_topics(settings)
    es = sync_client(settings)
    ensure_articles_index_sync(settings, es)
    children: list[ChildProcess] = []
    if wait:  # `kill` (SIGTERM) stops the children too, as Ctrl-C does
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        print("2/6 starting the worker (loads the spaCy model)...", flush=True)
        worker = WorkerProcess(settings)
        worker.start()
        children.append(worker)
        print(f"    worker pid {worker.pid}, log {worker.log}")

        rules = load_rules(REPO_ROOT / "samples" / "rules.yaml")
        publish_rules(settings, rules)
        print(f"3/6 published {len(rules)} sample alert rule(s): {', '.join(r.id for r in rules)}")

        print("4/6 starting the API and desk...", flush=True)
        key, key_env = desk_key(settings)
        api = ApiProcess(settings, env=key_env)
        api.start()
        children.append(api)

        print("5/6 serving the sample feed and polling it...", flush=True)
        server = ChildProcess(
            settings,
            ["feeds", "serve", "--port", str(settings.sample_feed_port)],
            name="feedserver",
            ready_url=f"http://127.0.0.1:{settings.sample_feed_port}/world.xml",
        )
        server.start(timeout=30)
        children.append(server)
        poller = ChildProcess(  # the sample feed is on this machine: allow it, and only it
            settings,
            ["feeds", "run", "--config", str(_sample_feeds_file(settings))],
            name="feeds",
            env={"NEWSMON_OUTBOUND_ALLOW": with_loopback(settings.outbound_allow)},
        )
        poller.start()
        children.append(poller)

        print("6/6 producing sample articles...", flush=True)
        messages = [
            m for source in _sample_sources(settings, samples) for m in iter_messages(str(source))
        ]
        if samples is None:  # the bundled ones: dated hours to days back, whenever this runs
            values = redate_articles([v for _, v in messages], now=datetime.now(UTC))
            messages = [(k, v) for (k, _), v in zip(messages, values, strict=True)]
        keys = {key.decode() for key, _ in messages if key}
        report = produce_messages(settings, iter(messages), progress=False)
        print(f"    sent {report.sent}, failed {report.failed}; waiting until they are searchable")
        deadline = time.monotonic() + 60
        found = 0
        while time.monotonic() < deadline:
            es.indices.refresh(index=settings.articles_alias)
            found = es.count(index=settings.articles_alias, query={"ids": {"values": list(keys)}})[
                "count"
            ]
            if found >= len(keys):
                break
            time.sleep(1)
        print(f"    {found} of {len(keys)} sample articles indexed\n")
        desk = f"http://{settings.api_host}:{settings.api_port}"
        print(
            "newsmon is running. Open the desk:\n\n"
            f"    {desk}/#key={key}\n\n"
            f"  API schema:     {desk}/openapi.json  (send the key as X-API-Key)\n"
            f"  health:         {desk}/healthz    metrics: {desk}/metrics\n"
            f"  sample feed:    http://127.0.0.1:{settings.sample_feed_port}/world.xml "
            "(polled every minute)\n"
            "  search (CLI):   .venv/bin/newsmon search 'clash AND prison' --since 7d\n"
            "  more articles:  .venv/bin/newsmon produce FILE.jsonl\n"
            "  dead letters:   .venv/bin/newsmon dlq\n"
            f"  logs:           {worker.log.parent}\n"
            "Ctrl-C stops newsmon's processes; `make stop` stops Kafka and Elasticsearch too.",
            flush=True,
        )
        if not wait:
            return 0
        while True:
            for child in children:
                assert child.proc is not None
                if child.proc.poll() is not None:
                    name = " ".join(child.command[:2])
                    print(f"`newsmon {name}` exited ({child.proc.returncode}); see {child.log}")
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping...")
        return 0
    finally:
        if wait:
            for child in reversed(children):
                child.stop()
        elif children:
            print("(they keep running; `make stop` stops them with Kafka and Elasticsearch)")
