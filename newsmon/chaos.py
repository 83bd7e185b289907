"""``newsmon chaos``: a fault campaign against real processes, ending in a count.

N articles (real texts from ../shared, cycled) go to the articles topic at a steady rate, with one
malformed message of every dead-letter kind mixed in, through W workers that hold one catch-all
alert rule delivered to a webhook receiver run here. Meanwhile a schedule of faults is carried
out on the real processes: a worker killed with SIGKILL, a worker stopped with SIGTERM,
Elasticsearch stopped for a minute, the Kafka broker restarted, a worker added and removed; on
the local cluster (``--schedule cluster``), a broker killed with SIGKILL and an Elasticsearch
node stopped instead.

It ends by counting, by id, what the promise says: every article indexed exactly once, every
alert fired and delivered exactly once, every malformed message in the dead-letter topic with
its reason; and, per fault, the time from the fault's end until articles are again indexed
within ``--recovery-latency`` seconds of their arrival. The figures are printed and written to
JSON. The exit status is 0 only when nothing was lost or doubled.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from config import Settings

__all__ = ["MALFORMED", "SCHEDULES", "WebhookReceiver", "run_chaos"]

# One message of every kind the pipeline dead-letters (processors.articles.validation.REASONS).
MALFORMED: dict[str, bytes | None] = {
    "empty": None,
    "invalid_utf8": b'{"id": "x", "title": "\xff\xfe"}',
    "not_json": b"this is not json {",
    "not_object": b'["an", "array"]',
    "wrong_type": b'{"id": "chaos-bad-type", "title": 5, "body": "text"}',
    "invalid_field": b'{"id": "chaos-bad-date", "title": "t", "published_at": "soon"}',
    "missing_id": b'{"title": "no id and no url", "body": "some text"}',
    "missing_text": b'{"id": "chaos-no-text", "title": "", "body": ""}',
    "body_too_large": None,  # made from the settings' max_body_chars
}


@dataclass
class Fault:
    """One fault of a schedule: ``name`` starts at ``at`` (a fraction of the produce time) and
    clears ``hold`` seconds later."""

    name: str
    at: float
    hold: float = 0.0
    started: float | None = None
    cleared: float | None = None


def _schedule(name: str) -> list[Fault]:
    if name == "short":  # the version `make test` runs on the one-broker stack
        return [
            Fault("sigkill-worker", 0.15, 3.0),
            Fault("elasticsearch-down", 0.35, 30.0),
            Fault("broker-restart", 0.75, 5.0),
        ]
    if name == "full":
        return [
            Fault("sigkill-worker", 0.06, 5.0),
            Fault("elasticsearch-down", 0.14, 60.0),
            Fault("broker-restart", 0.40, 10.0),
            Fault("sigterm-worker", 0.50, 10.0),
            Fault("scale-out", 0.62, 0.0),
            Fault("scale-in", 0.80, 0.0),
        ]
    if name == "cluster":  # on `stack up --brokers 3 --es-nodes 2`: nodes lost, not restarted
        return [
            Fault("sigkill-worker", 0.06, 5.0),
            Fault("broker-sigkill", 0.18, 20.0),
            Fault("es-node-down", 0.34, 60.0),
            Fault("sigterm-worker", 0.58, 10.0),
            Fault("scale-out", 0.68, 0.0),
            Fault("scale-in", 0.82, 0.0),
        ]
    raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")


SCHEDULES = ("full", "short", "cluster")
PROBE_ARTICLES = 160  # the backlog that measures capacity: a few batches for every worker


class WebhookReceiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1 counting deliveries by ``X-Newsmon-Alert-Id``, taking
    ``delay`` seconds over each (so that deliveries are under way when a fault strikes)."""

    daemon_threads = True

    def __init__(self, *, delay: float = 0.0) -> None:
        self.deliveries: Counter[str] = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                with receiver.lock:
                    receiver.deliveries[self.headers.get("X-Newsmon-Alert-Id") or "?"] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def count(self) -> int:
        """Deliveries received so far."""
        with self.lock:
            return sum(self.deliveries.values())


def _wait_until_quiet(
    count: Callable[[], int], *, quiet_s: float, deadline: float, enough: int | None = None
) -> None:
    """Wait until ``count()`` reaches ``enough``, or has not changed for ``quiet_s`` seconds, or
    ``deadline`` (a ``time.time()``) passes."""
    last, last_change = -1, time.time()
    while time.time() < deadline:
        now = count()
        if enough is not None and now >= enough:
            return
        if now != last:
            last, last_change = now, time.time()
        elif time.time() - last_change >= quiet_s:
            return
        time.sleep(1)


class _IndexWatch(threading.Thread):
    """Notes when each produced article becomes readable in Elasticsearch (a realtime ``mget``,
    no refresh needed), so arrival-to-index latency is known per article."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        from streams.indexing import sync_client

        self.es = sync_client(settings)
        self.index = settings.articles_alias
        self.produced: dict[str, float] = {}
        self.indexed: dict[str, float] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def add(self, doc_id: str, at: float) -> None:
        with self.lock:
            self.produced[doc_id] = at

    def run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                pending = [i for i in self.produced if i not in self.indexed][:2000]
            if pending:
                try:
                    found = self.es.mget(index=self.index, ids=pending, source=False)
                    now = time.time()
                    for doc in found["docs"]:
                        if doc.get("found"):
                            self.indexed.setdefault(doc["_id"], now)
                except Exception:  # noqa: BLE001 - Elasticsearch down is one of the faults
                    pass
            self.stop.wait(0.25)


@dataclass
class _Cluster:
    """The workers of the campaign, by slot; each slot's process can be killed and restarted."""

    settings: Settings
    env: dict[str, str]
    run_id: str
    workers: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ready: set[int] = field(default_factory=set)

    def start_worker(self) -> Any:
        from newsmon.run import WorkerProcess, free_port

        with self.lock:  # faults run in threads of their own: one slot, one name each
            slot = len(self.workers)
            self.workers.append(None)
        port = free_port()
        env = {**self.env, "NEWSMON_WORKER_PORT": str(port)}
        worker = WorkerProcess(
            self.settings.model_copy(update={"worker_port": port}),
            env=env,
            name=f"chaos-{self.run_id}-w{slot}",
        )
        self.workers[slot] = worker
        worker.start(timeout=300)
        self.ready.add(slot)
        return worker

    def live(self) -> list[Any]:
        """The workers that started and still run (one still starting is no fault's victim)."""
        return [
            w
            for slot, w in enumerate(self.workers)
            if slot in self.ready and w is not None and w.proc is not None and w.proc.poll() is None
        ]

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker is not None:
                worker.stop()


def _carry_out(fault: Fault, cluster: _Cluster, settings: Settings, log: Callable) -> None:
    """Do ``fault`` to the real processes, hold it, clear it."""
    from deploy import stack

    fault.started = time.time()
    log(f"fault: {fault.name}")
    if fault.name in ("sigkill-worker", "sigterm-worker"):
        victim = cluster.live()[0 if fault.name == "sigkill-worker" else -1]
        if fault.name == "sigkill-worker":
            victim.proc.kill()
            victim.proc.wait()
        else:
            victim.stop()
        time.sleep(fault.hold)
        cluster.start_worker()  # its replacement (a new process in the same group)
    elif fault.name == "elasticsearch-down":
        stack.down(settings, only=["elasticsearch"])
        time.sleep(fault.hold)
        stack.up(settings, only=["elasticsearch"])
    elif fault.name == "broker-restart":
        stack.down(settings, only=["kafka"])
        time.sleep(fault.hold)
        stack.up(settings, only=["kafka"])
    elif fault.name == "broker-sigkill":  # one broker of the cluster dies; the others lead
        victim = f"kafka-{settings.stack_brokers}"
        stack.kill(settings, victim)
        time.sleep(fault.hold)
        stack.up(settings, only=[victim])
    elif fault.name == "es-node-down":  # the node a two-node cluster can lose
        victim = stack.expendable_es_node(settings)
        stack.down(settings, only=[victim])
        time.sleep(fault.hold)
        stack.up(settings, only=[victim])
    elif fault.name == "scale-out":
        cluster.start_worker()
    elif fault.name == "scale-in":
        cluster.live()[-1].stop()
    fault.cleared = time.time()
    log(f"cleared: {fault.name} ({fault.cleared - fault.started:.0f} s)")


def _recovery(fault: Fault, watch: _IndexWatch, bound: float, window: float = 5.0) -> float | None:
    """Seconds from ``fault`` clearing until every article produced in a ``window`` from then on
    was indexed within ``bound`` seconds of its arrival; None if that never happened."""
    assert fault.cleared is not None
    times = sorted((at, watch.indexed.get(i)) for i, at in watch.produced.items())
    after = [(p, ix) for p, ix in times if p >= fault.cleared]
    for k, (start, _) in enumerate(after):
        span = [(p, ix) for p, ix in after[k:] if p <= start + window]
        if span[-1][0] < start + window * 0.8 and k + len(span) == len(after):
            return None  # the stream ended before a whole window
        if all(ix is not None and ix - p <= bound for p, ix in span):
            return round(start - fault.cleared, 1)
    return None


def _resumed(fault: Fault, watch: _IndexWatch) -> float | None:
    """Seconds from ``fault`` clearing until the next article was indexed: when processing
    resumed, whatever backlog it then had to work through (None if nothing was indexed after)."""
    assert fault.cleared is not None
    after = [ix for ix in watch.indexed.values() if ix >= fault.cleared]
    return round(min(after) - fault.cleared, 1) if after else None


def _article(doc_id: str, source: dict[str, Any], tag: str) -> bytes:
    """One campaign article: a real text of ``source`` under ``doc_id``, with source ``tag``."""
    article = {
        "id": doc_id,
        "title": source.get("title") or "",
        "body": source.get("body") or source.get("text"),
        "source": tag,
    }
    return json.dumps(article).encode()


def diagnosis(settings: Settings, workers: list[Any]) -> str:
    """Where the records stand when something is missing: per topic of the group, partitions
    whose committed offset is short of the end (``partition committed/end``), each worker's
    ``/healthz``, and the last warnings in its log. A failure in CI then says whether a
    partition stood still (a stall: committed short of the end) or was committed past what
    was never done (a loss: committed at the end)."""
    import urllib.request

    from kafka import KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient

    lines: list[str] = []
    bootstrap = settings.kafka_bootstrap.split(",")
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        try:
            committed = admin.list_group_offsets({settings.app_id: None}).get(settings.app_id, {})
            for topic in (
                settings.articles_topic,
                settings.enriched_topic,
                settings.indexed_topic,
                settings.matches_topic,
                settings.alerts_topic,
                settings.deliveries_topic,
            ):
                partitions = sorted(consumer.partitions_for_topic(topic) or [])
                tps = [TopicPartition(topic, p) for p in partitions]
                ends = consumer.end_offsets(tps) if tps else {}
                cells = [
                    f"{tp.partition} {committed[tp].offset if tp in committed else '-'}/{end}"
                    for tp, end in sorted(ends.items())
                ]
                lines.append(f"{topic}: {', '.join(cells)}")
        finally:
            admin.close()
            consumer.close()
    except Exception as exc:  # noqa: BLE001 - a diagnosis must not hide the failure
        lines.append(f"group offsets unavailable: {exc!r}"[:300])
    for worker in workers:
        if worker is None:
            continue
        url = f"http://{worker.settings.worker_host}:{worker.settings.worker_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=3) as answer:  # noqa: S310 - our worker
                health = answer.read().decode()[:600]
        except Exception as exc:  # noqa: BLE001 - 503 while stalled, or not running
            body = getattr(exc, "read", None)
            health = body().decode()[:600] if callable(body) else repr(exc)[:200]
        lines.append(f"{worker.log.name}: healthz {health}")
        try:
            text = worker.log.read_text(errors="replace").splitlines()
        except OSError:
            continue
        warnings = [
            line[:400]
            for line in text
            if ('"WARNING"' in line or '"ERROR"' in line) and "Heartbeat failed" not in line
        ]
        lines += [f"  {line}" for line in warnings[-8:]]
    return "\n".join(lines)


def _probe_capacity(
    settings: Settings,
    producer: Any,
    pool: list[dict[str, Any]],
    run_id: str,
    count: int,
    workers: list[Any],
) -> float:
    """Articles per second the workers index with a backlog of ``count``: the capacity the
    campaign's rate is a fraction of. Timed from the first batches indexed to the last, so
    their start-up (the model's first call, the index's first writes) is left out. The
    probe's articles have a source of their own (the campaign's rule does not match them) and
    ids the counts leave out."""
    watch = _IndexWatch(settings)
    started = time.time()
    for k in range(count):
        doc_id = f"chaos-{run_id}-probe-{k}"
        source = pool[k * len(pool) // count]  # spread over the pool: its mix of lengths
        producer.send(
            settings.articles_topic,
            key=doc_id.encode(),
            value=_article(doc_id, source, "newsmon-chaos-probe"),
        )
        watch.add(doc_id, started)
    producer.flush(timeout=60)
    watch.start()
    deadline = started + 600
    while len(watch.indexed) < count and time.time() < deadline:
        time.sleep(0.25)
    watch.stop.set()
    watch.join()
    watch.es.close()
    if len(watch.indexed) < count:
        raise RuntimeError(
            f"{count - len(watch.indexed)} of the {count} probe articles were not indexed in 10 "
            "minutes; the pipeline does not work, so there is no campaign to run (see the "
            f"workers' logs in {settings.cache_dir / 'stack' / 'logs'})\n"
            + diagnosis(settings, workers)
        )
    seen = sorted(watch.indexed.values())
    first = seen.count(seen[0])  # the first batches, indexed together
    if first == count:
        return count / max(seen[-1] - started, 0.25)
    return (count - first) / max(seen[-1] - seen[0], 0.25)


def _quantile(ordered: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile of values already sorted, to 10 ms."""
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def _timeline(watch: _IndexWatch, started: float, step: float = 5.0) -> list[dict[str, Any]]:
    """Per ``step`` seconds of the stream (by arrival): articles, how many were indexed, and
    their median and worst arrival-to-index latency; where a recovery went slow, this shows
    when."""
    buckets: dict[int, list[float | None]] = {}
    for doc_id, at in watch.produced.items():
        done = watch.indexed.get(doc_id)
        buckets.setdefault(int((at - started) // step), []).append(
            None if done is None else done - at
        )
    rows = []
    for k in sorted(buckets):
        lat = sorted(v for v in buckets[k] if v is not None)
        rows.append(
            {
                "t_s": k * step,
                "articles": len(buckets[k]),
                "indexed": len(lat),
                "p50_s": _quantile(lat, 0.5) if lat else None,
                "max_s": _quantile(lat, 1.0) if lat else None,
            }
        )
    return rows


def _latency_summary(watch: _IndexWatch, faults: list[Fault], started: float) -> dict[str, Any]:
    """Arrival-to-index latency before the first fault (the steady state) and overall."""
    first = min((f.started for f in faults if f.started), default=None)

    def pcts(values: list[float]) -> dict[str, float | None]:
        values = sorted(values)
        if not values:
            return {"p50": None, "p95": None, "p99": None}
        return {f"p{round(q * 100)}": _quantile(values, q) for q in (0.5, 0.95, 0.99)}

    done = [(p, watch.indexed[i] - p) for i, p in watch.produced.items() if i in watch.indexed]
    steady = [lat for p, lat in done if first is None or p < first]
    return {"before_faults": pcts(steady), "all": pcts([lat for _, lat in done])}


def _count_topic(settings: Settings, topic: str) -> tuple[Counter[bytes], list[Any]]:
    from streams.topics import read_to_end

    keys: Counter[bytes] = Counter()
    records = []
    reader = read_to_end(settings, topic, timeout_s=10.0)
    try:
        for record in reader:
            keys[record.key or b""] += 1
            records.append(record)
    finally:
        reader.close()
    return keys, records


def run_chaos(
    settings: Settings,
    *,
    n: int = 5000,
    rate: float = 8.0,
    load: float | None = None,
    workers: int = 2,
    schedule: str = "full",
    output: Path | None = None,
    recovery_latency: float = 2.0,
    tail: float = 40.0,
    drain_timeout: float = 600.0,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the campaign; return (and write to ``output``) the counts and recovery times.

    ``n`` articles are produced at ``rate``, and more at the same rate until every fault has
    cleared and ``tail`` seconds have passed since the last one did: a fault whose clearing takes
    long on a slow machine (a broker restart took 12 s on one, 41 s on another) still has a
    stream behind it in which its recovery can be measured. For the same reason a fault starts
    at its place in the schedule or ``tail`` seconds after the one before it cleared, whichever
    is later, so no fault's recovery is cut short by the next fault.

    With ``load``, the workers' capacity C is measured first (``_probe_capacity``: a backlog
    of articles, timed as it is indexed) and articles go at ``load`` x C, at most ``rate``: how
    long a backlog takes to drain depends on the spare capacity (C - rate), so a recovery bound
    means something only at a load relative to C. The run's topics, index and groups are
    deleted at the end unless ``keep``.

    One long function on purpose: it is the campaign's script, read top to bottom (set up,
    measure, produce, inject each fault in turn, drain, count, clean up), and its steps share
    the processes, clients and clocks of one run; the steps' logic lives in the helpers below.
    """
    from deploy import stack
    from newsmon.bench import bench_texts
    from newsmon.run import drop_namespace, free_port, with_loopback
    from processors.alerting.rules import validate_rule
    from processors.outbound import OutboundPolicy
    from streams.deadletter import parse_dead_letter
    from streams.indexing import ensure_articles_index_sync, sync_client
    from streams.producer import sync_producer
    from streams.rulestore import publish_rules
    from streams.topics import ensure_topics

    faults = _schedule(schedule)
    if schedule == "cluster" and (settings.stack_brokers < 3 or settings.stack_es_nodes < 2):
        raise ValueError(
            "the cluster schedule needs the local cluster: run it with --brokers 3 --es-nodes 2 "
            "(or NEWSMON_STACK_BROKERS=3 NEWSMON_STACK_ES_NODES=2)"
        )
    run_id = uuid.uuid4().hex[:8]
    overrides: dict[str, Any] = {
        "topic_prefix": f"chaos-{run_id}-",
        "index_prefix": f"chaos-{run_id}",
        "app_id": f"newsmon-chaos-{run_id}",
        "worker_port": free_port(),
        "es_retry_max_backoff": 2.0,
        "delivery_max_backoff": 2.0,
        # the campaign's receiver listens here: its workers may reach 127.0.0.1 (only that)
        "outbound_allow": with_loopback(settings.outbound_allow),
    }
    if settings.stack_brokers > 1 or settings.stack_es_nodes > 1:  # the workers join it too
        overrides.update(settings.cluster_overrides())
    chaos = settings.model_copy(update=overrides)
    stack.up(chaos)
    ensure_topics(chaos)
    ensure_articles_index_sync(chaos, sync_client(chaos))
    receiver = WebhookReceiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    rule = {
        "id": "chaos-all",
        "name": "every campaign article",
        "sources": ["newsmon-chaos"],
        "channels": [{"type": "webhook", "url": receiver.url}],
    }
    publish_rules(chaos, [validate_rule(rule, outbound=OutboundPolicy.parse(chaos.outbound_allow))])
    env = {f"NEWSMON_{k.upper()}": str(v) for k, v in overrides.items()}
    cluster = _Cluster(chaos, env, run_id)
    log(f"campaign {run_id}: {workers} workers, schedule {schedule}")
    pool = bench_texts(chaos.shared_dir)  # before any worker starts: no texts, no campaign
    malformed = dict(MALFORMED)
    malformed["body_too_large"] = json.dumps(
        {"id": "chaos-too-large", "title": "t", "body": "x" * (chaos.max_body_chars + 1)}
    ).encode()
    inject_at = {int(n * (k + 1) / (len(malformed) + 1)): kind for k, kind in enumerate(malformed)}
    watch = _IndexWatch(chaos)
    watch.start()
    producer = sync_producer(
        chaos,
        retries=2**31 - 1,
        delivery_timeout_ms=300_000,
        request_timeout_ms=10_000,
        max_block_ms=120_000,
    )
    send_errors: list[str] = []
    pending_faults = list(faults)
    fault_threads: list[threading.Thread] = []
    capacity: float | None = None
    i = 0

    def settled() -> bool:
        """Has every fault started so far cleared, ``tail`` seconds ago or more?"""
        begun = faults[: len(faults) - len(pending_faults)]  # started in the schedule's order
        if any(f.cleared is None for f in begun):
            return False
        return not begun or time.time() - max(f.cleared or 0.0 for f in begun) >= tail

    def more() -> bool:
        return i < n or bool(pending_faults) or not settled()

    try:
        for _ in range(workers):  # inside: a worker that fails to start stops the others
            cluster.start_worker()
        if load is not None:
            capacity = _probe_capacity(
                chaos, producer, pool, run_id, PROBE_ARTICLES, cluster.workers
            )
            rate = min(rate, load * capacity)
            log(f"capacity {capacity:.1f} articles/s; the campaign goes at {rate:.2f}/s")
        log(f"{n} articles at {rate:.2f}/s")
        duration = n / rate
        started = time.time()
        while more():
            if i in inject_at:
                kind = inject_at[i]  # a key, since a record needs one of key or value
                producer.send(chaos.articles_topic, key=kind.encode(), value=malformed[kind])
            doc_id = f"chaos-{run_id}-{i}"
            future = producer.send(
                chaos.articles_topic,
                key=doc_id.encode(),
                value=_article(doc_id, pool[i % len(pool)], "newsmon-chaos"),
            )
            future.add_errback(lambda exc, d=doc_id: send_errors.append(f"{d}: {exc}"))
            watch.add(doc_id, time.time())
            while (
                pending_faults
                and time.time() - started >= pending_faults[0].at * duration
                and settled()
            ):
                fault = pending_faults.pop(0)
                thread = threading.Thread(
                    target=_carry_out, args=(fault, cluster, chaos, log), daemon=True
                )
                thread.start()
                fault_threads.append(thread)
            i += 1
            delay = started + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
        produced = i
        producer.flush(timeout=300)
        for thread in fault_threads:
            thread.join()
        log(f"produced {produced} in {time.time() - started:.0f} s; draining ...")
        deadline = time.time() + drain_timeout
        # nothing new indexed for three minutes: what is missing is lost
        _wait_until_quiet(
            lambda: len(watch.indexed), quiet_s=180, deadline=deadline, enough=produced
        )
        # The alert and delivery stages finish behind the index: wait until no delivery has
        # come for 20 s (a rebalance of the delivering group late in the stream holds its
        # queue for a while; undelivered is what never came, not what came late).
        _wait_until_quiet(receiver.count, quiet_s=20, deadline=deadline)
        watch.stop.set()
        watch.join()

        ids = [f"chaos-{run_id}-{k}" for k in range(produced)]
        es = sync_client(chaos)
        es.indices.refresh(index=f"{chaos.index_prefix}-*")
        probe = f"chaos-{run_id}-probe-"  # the capacity probe's articles are not counted
        campaign_only = {"bool": {"must_not": {"prefix": {"id": probe}}}}
        indexed = es.count(index=chaos.articles_alias, query=campaign_only)["count"]
        missing = [i for i in ids if i not in watch.indexed]
        enriched_keys, _ = _count_topic(chaos, chaos.enriched_topic)
        enriched_keys = Counter(
            {k: c for k, c in enriched_keys.items() if not k.startswith(probe.encode())}
        )
        dlq_keys, dlq_records = _count_topic(chaos, chaos.dlq_topic)
        reasons = Counter(
            parse_dead_letter(r.headers or [], r.key, r.value).reason for r in dlq_records
        )
        alert_keys, alert_records = _count_topic(chaos, chaos.alerts_topic)
        alerts_of: dict[str, set[str]] = {}
        for record in alert_records:
            alert = json.loads(record.value)
            alerts_of.setdefault(alert["article_id"], set()).add(alert["id"])
        alert_ids = {a for found in alerts_of.values() for a in found}
        deliveries = dict(receiver.deliveries)
        result: dict[str, Any] = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "run": run_id,
            "schedule": schedule,
            "articles": produced,
            "rate_per_s": round(rate, 2),
            "capacity_per_s": None if capacity is None else round(capacity, 2),
            "load": load,
            "workers": workers,
            "indexed": indexed,
            "missing": len(missing),
            "missing_ids": missing[:50],
            "enriched_records": sum(enriched_keys.values()),
            "enriched_distinct": len(enriched_keys),
            "dead_letters": sum(dlq_keys.values()),
            "dead_letter_reasons": dict(reasons),
            "dead_letter_kinds_missing": sorted(set(malformed) - set(reasons)),
            "alerts_distinct": len(alert_ids),
            "alerts_records": len(alert_records),
            "articles_without_alert": sum(1 for i in ids if not alerts_of.get(i)),
            "articles_with_two_alerts": sum(1 for i in ids if len(alerts_of.get(i, ())) > 1),
            "deliveries": sum(deliveries.values()),
            "alerts_undelivered": len(alert_ids - set(deliveries)),
            "alerts_delivered_twice": sum(1 for c in deliveries.values() if c > 1),
            # where to look in the workers' logs (the alert id is the delivery's header)
            "undelivered_ids": sorted(alert_ids - set(deliveries))[:50],
            "delivered_twice_ids": sorted(k for k, c in deliveries.items() if c > 1)[:50],
            "send_errors": send_errors[:20],
            "faults": [
                {
                    "fault": f.name,
                    "at_s": round((f.started or started) - started, 1),
                    "held_s": round((f.cleared or 0) - (f.started or 0), 1),
                    "resumed_s": _resumed(f, watch),
                    "recovered_s": _recovery(f, watch, recovery_latency),
                }
                for f in faults
                if f.cleared is not None
            ],
            "recovery_latency_bound_s": recovery_latency,
            "latency_s": _latency_summary(watch, faults, started),
            "timeline": _timeline(watch, started),
        }
        if missing:
            result["diagnosis"] = diagnosis(chaos, cluster.workers)
        result["ok"] = (
            not missing
            and indexed == produced
            and not result["dead_letter_kinds_missing"]
            and result["articles_without_alert"] == 0
            and result["articles_with_two_alerts"] == 0
            and result["alerts_undelivered"] == 0
            and result["alerts_delivered_twice"] == 0
        )
    finally:
        producer.close(timeout=10)
        for thread in fault_threads:  # a fault still running may yet start a worker
            thread.join(timeout=400)
        cluster.stop_all()
        receiver.shutdown()
        if not keep:
            try:
                drop_namespace(chaos)
            except Exception as exc:  # noqa: BLE001 - the counts stand; say what is left
                log(f"could not delete the campaign's topics and index ({exc!r})")
    _print(result, log)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n")
        log(f"written to {output}")
    return result


def _print(result: dict[str, Any], log: Callable[[str], None]) -> None:
    log(
        f"articles {result['articles']}: indexed {result['indexed']}, missing {result['missing']}"
        f"; articles-enriched {result['enriched_records']} records, "
        f"{result['enriched_distinct']} distinct"
    )
    log(
        f"dead letters {result['dead_letters']} {result['dead_letter_reasons']}"
        + (
            f", kinds missing {result['dead_letter_kinds_missing']}"
            if result["dead_letter_kinds_missing"]
            else ""
        )
    )
    log(
        f"alerts {result['alerts_distinct']} distinct ({result['alerts_records']} records), "
        f"articles without one {result['articles_without_alert']}; webhook deliveries "
        f"{result['deliveries']}, undelivered {result['alerts_undelivered']}, "
        f"twice {result['alerts_delivered_twice']}"
    )
    for fault in result["faults"]:
        recovered, resumed = fault["recovered_s"], fault["resumed_s"]
        log(
            f"  {fault['fault']:<20} at {fault['at_s']:>6.1f} s, held {fault['held_s']:>5.1f} s, "
            + (f"indexing {resumed:.1f} s after, " if resumed is not None else "")
            + (
                f"back under {result['recovery_latency_bound_s']:g} s latency "
                f"{recovered:.1f} s after"
                if recovered is not None
                else "latency never back under the bound"
            )
        )
    if result.get("diagnosis"):
        log(result["diagnosis"])
    log("OK: nothing lost, nothing doubled" if result["ok"] else "FAILED: see the counts above")
