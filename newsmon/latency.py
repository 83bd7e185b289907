"""``newsmon bench latency``: arrival-to-alert latency at loads relative to measured capacity.

An absolute rate is the wrong yardstick on shared machines: 10 articles/s is a quiet load for
two workers on one box and past the capacity of the same two on another, where the queue only
grows. So, in one run:

1. W workers (default 2), on topics of their own, hold 10,000 generated rules (a desk's mix,
   ``newsmon.rulebench.generate_rules``) and one that matches every benchmark article.
2. Their capacity C: a backlog of articles is produced at once, and C is the rate at which
   their alerts arrive, from the end of the first tenth to the last (start-up left out).
   Every phase draws its texts from one shuffled order of the pool (a fixed seed), so the mix
   of long and short texts is the same throughout: in the pool's own order the long news
   articles come first and the short ACLED notes last, and a load of 0.8 C on the average mix
   was, for half a minute of long articles, a load above capacity.
3. For each load L (0.25, 0.5, 0.8 by default) articles go at L x C for ``seconds`` (after
   10 s at the same rate, not counted). For each article, the time from its arrival on Kafka
   to its alert read back from the alerts topic, and where it went, from the times the alert
   carries (``processors.alerting.decisions.stages_ms``): waiting to be enriched, enrichment,
   getting to and through the matcher, getting to and through the decision, and the alert's own trip
   through Kafka to a reader (``produce``).

Targets (issue 9): p99 <= 1 s at 0.5 C and <= 2 s at 0.8 C with 10,000 rules. This is a
benchmark: it prints and writes figures (``latency`` in the JSON file), it asserts nothing.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import Settings

__all__ = ["LOADS", "percentile", "run_latency_bench"]

LOADS = (0.25, 0.5, 0.8)
STAGES = ("queue", "enrich", "match", "decide", "produce")
_BENCH_RULE = "bench-all"
_WARMUP_S = 10.0


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile (nearest rank) of ``values``; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass(eq=False)  # a thread: hashed by identity
class _AlertReader(threading.Thread):
    """Reads the alerts topic from its start and notes, per article of the benchmark rule, when
    its alert was read and what the alert says of its stages."""

    settings: Settings
    read_at: dict[str, float] = field(default_factory=dict)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap.split(","), enable_auto_commit=False
        )
        topic, partitions = self.settings.alerts_topic, self.settings.partitions
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        try:
            while not self.stop.is_set():
                for records in consumer.poll(timeout_ms=200).values():
                    now = time.time()
                    for record in records:
                        alert = json.loads(record.value)
                        if alert.get("rule_id") != _BENCH_RULE:
                            continue
                        with self.lock:
                            self.read_at.setdefault(alert["article_id"], now)
                            self.alerts.setdefault(alert["article_id"], alert)
        finally:
            consumer.close()

    def count(self, ids: list[str]) -> int:
        with self.lock:
            return sum(1 for i in ids if i in self.read_at)


def _produce(settings: Settings, producer: Any, doc_id: str, source: dict[str, Any]) -> None:
    article = {
        "id": doc_id,
        "title": source.get("title") or "",
        "body": source.get("body") or source.get("text"),
        "source": "newsmon-bench",
    }
    producer.send(settings.articles_topic, key=doc_id.encode(), value=json.dumps(article).encode())


def _wait_for(reader: _AlertReader, ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while reader.count(ids) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.25)


def _capacity(
    settings: Settings, producer: Any, reader: _AlertReader, pool: list[dict[str, Any]], n: int
) -> float:
    ids = [f"cap-{k}" for k in range(n)]
    for k, doc_id in enumerate(ids):
        _produce(settings, producer, doc_id, pool[k % len(pool)])
    producer.flush()
    _wait_for(reader, ids, timeout=900)
    times = sorted(reader.read_at[i] for i in ids if i in reader.read_at)
    if len(times) < n:
        raise RuntimeError(
            f"only {len(times)} of the {n} articles of the capacity probe alerted in 15 minutes; "
            f"see the workers' logs in {settings.cache_dir / 'stack' / 'logs'}"
        )
    skip = n // 10
    return (len(times) - 1 - skip) / max(1e-6, times[-1] - times[skip])


def _steady(
    settings: Settings,
    producer: Any,
    reader: _AlertReader,
    pool: list[dict[str, Any]],
    *,
    load: float,
    rate: float,
    seconds: float,
) -> dict[str, Any]:
    """Articles at ``rate`` for a warm-up and then ``seconds``; the measured ones' figures."""
    tag = f"l{int(load * 100)}"
    warm, count = int(_WARMUP_S * rate), max(1, int(seconds * rate))
    ids = [f"{tag}-{k}" for k in range(-warm, count)]
    started = time.perf_counter()
    for k, doc_id in enumerate(ids):
        _produce(settings, producer, doc_id, pool[k % len(pool)])
        delay = started + (k + 1) / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    producer.flush()
    measured = ids[warm:]
    _wait_for(reader, measured, timeout=120)
    latency: list[float] = []
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    for doc_id in measured:
        alert = reader.alerts.get(doc_id)
        if alert is None:
            continue
        read_at = reader.read_at[doc_id]
        latency.append((read_at - alert["arrived_at"]) * 1000)
        for name, ms in (alert.get("stages_ms") or {}).items():
            stages.setdefault(name, []).append(ms)
        stages["produce"].append(max(0.0, read_at - alert["fired_at"]) * 1000)

    def summary(values: list[float]) -> dict[str, float | None]:
        return {f"p{p}": _round(percentile(values, p)) for p in (50, 95, 99)}

    return {
        "load": load,
        "rate_per_s": round(rate, 2),
        "articles": len(measured),
        "alerts": len(latency),
        "latency_ms": summary(latency),
        "stages_ms": {name: summary(values) for name, values in stages.items()},
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def run_latency_bench(
    settings: Settings,
    *,
    output: Path,
    workers: int = 2,
    rules: int = 10_000,
    loads: tuple[float, ...] = LOADS,
    seconds: float = 60.0,
) -> int:
    """Run the benchmark (see the module docstring); 0 when every article alerted. One
    function, as the script of one run: capacity first, then each load in turn, on the same
    workers and rules."""
    from deploy import stack
    from newsmon.bench import bench_texts
    from newsmon.rulebench import enriched_articles, generate_rules
    from newsmon.run import WorkerProcess, drop_namespace, free_port
    from processors.alerting.rules import validate_rule
    from streams.indexing import ensure_articles_index_sync, sync_client
    from streams.producer import sync_producer
    from streams.rulestore import publish_rules
    from streams.topics import ensure_topics

    stack.up(settings)
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    overrides = {
        "topic_prefix": f"lbench-{run_id}-",
        "index_prefix": f"lbench-{run_id}",
        "app_id": f"newsmon-lbench-{run_id}",
    }
    bench = settings.model_copy(update=overrides)
    ensure_topics(bench)
    ensure_articles_index_sync(bench, sync_client(bench))
    print(f"generating {rules:,} rules from enriched real articles ...", flush=True)
    ruleset = generate_rules(rules, enriched_articles(settings, 100))
    ruleset.append(
        validate_rule(
            {"id": _BENCH_RULE, "name": "every benchmark article", "sources": ["newsmon-bench"]}
        )
    )
    publish_rules(bench, ruleset)
    pool = bench_texts(settings.shared_dir)
    random.Random(9).shuffle(pool)  # one mix of long and short texts in every phase
    processes = []
    reader = _AlertReader(bench)
    producer = sync_producer(bench)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": workers,
        "rules": len(ruleset),
        "seconds_per_load": seconds,
    }
    try:
        for n in range(workers):  # one consumer group: the partitions are shared out
            port = free_port()
            env = {f"NEWSMON_{k.upper()}": str(v) for k, v in overrides.items()}
            env["NEWSMON_WORKER_PORT"] = str(port)
            worker = WorkerProcess(
                bench.model_copy(update={"worker_port": port}),
                env=env,
                name=f"lbench-worker-{run_id}-{n}",
            )
            worker.start(timeout=300)
            processes.append(worker)
        reader.start()
        probe = max(240, 80 * workers)
        print(f"measuring capacity: a backlog of {probe} articles ...", flush=True)
        capacity = _capacity(bench, producer, reader, pool, probe)
        results["capacity_per_s"] = round(capacity, 2)
        print(f"capacity C = {capacity:.1f} articles/s ({workers} workers, {len(ruleset):,} rules)")
        results["loads"] = []
        for load in loads:
            rate = load * capacity
            print(f"  {load:g} C = {rate:.1f} articles/s for {seconds:g} s ...", flush=True)
            row = _steady(bench, producer, reader, pool, load=load, rate=rate, seconds=seconds)
            results["loads"].append(row)
            _print_row(row)
    finally:
        reader.stop.set()
        producer.close()
        for worker in processes:
            worker.stop()
        drop_namespace(bench)
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(output.read_text()) if output.is_file() else {}
    previous["latency"] = results
    output.write_text(json.dumps(previous, indent=2) + "\n")
    print(f"written to {output}")
    return 0 if all(r["alerts"] == r["articles"] for r in results.get("loads", [])) else 1


def _print_row(row: dict[str, Any]) -> None:
    lat = row["latency_ms"]
    print(
        f"    alerts {row['alerts']}/{row['articles']}: p50 {lat['p50']} ms, p95 {lat['p95']} ms, "
        f"p99 {lat['p99']} ms"
    )
    parts = ", ".join(
        f"{name} {values['p50']}/{values['p99']}"
        for name, values in row["stages_ms"].items()
        if values["p50"] is not None
    )
    print(f"    stages p50/p99 ms: {parts}", flush=True)
