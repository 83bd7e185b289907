"""``newsmon bench`` / ``make bench``: throughput of the real path against raw spaCy.

Pushes N articles built from real texts (../shared/fixtures and ../shared/dev-eval) through real
Kafka -> Faust worker -> Elasticsearch, on topics and an index of its own, and times it from the
first message produced to the last document searchable. In the same run it times raw spaCy
``nlp.pipe`` on the same texts with the same model and components, one process, and prints
articles/s for both, their ratio and the worker's peak RSS (with its enrichment process); the
figures go to a JSON file.

This is a benchmark, not a test: it asserts nothing, it measures.
"""

from __future__ import annotations

import json
import os
import platform
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import Settings
from newsmon.run import WorkerProcess, drop_namespace, free_port

__all__ = ["bench_texts", "run_pipeline_bench"]


def bench_texts(shared: Path) -> list[dict[str, Any]]:
    """Real articles to cycle through: the fixtures and the dev-eval news texts."""
    articles: list[dict[str, Any]] = []
    fixture = shared / "fixtures" / "hasakah-prison.json"
    if fixture.is_file():
        articles.append(json.loads(fixture.read_text()))
    for name in ("geo.jsonl", "events.jsonl"):
        path = shared / "dev-eval" / name
        if path.is_file():
            with path.open(encoding="utf-8") as fh:  # not splitlines(): texts hold U+2028
                rows = [json.loads(line) for line in fh if line.strip()]
            for row in rows:
                articles.append({"title": row.get("title") or "", "body": row["text"]})
    if not articles:
        raise FileNotFoundError(
            f"no benchmark texts: {shared}/fixtures and {shared}/dev-eval are missing; "
            "set NEWSMON_SHARED_DIR"
        )
    return articles


class _PeakRss(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                rss = self.process.memory_info().rss
                children = self.process.children(recursive=True)
            except Exception:  # noqa: BLE001 - the process ended
                return
            for child in children:  # its enrichment process (streams.enrichment)
                try:
                    rss += child.memory_info().rss
                except Exception:  # noqa: BLE001, S112 - the child ended meanwhile
                    continue
            self.peak = max(self.peak, rss)
            time.sleep(0.2)


def _raw_and_offline(
    settings: Settings, articles: list[dict[str, Any]], texts: list[str]
) -> tuple[float, float]:
    """Raw spaCy ``nlp.pipe`` (the same model and components, none of newsmon's) and newsmon's
    own enrichment in this process (batch by batch as the agent runs it), timed side by side:
    batch by batch in turn, each going first every other batch, so that what else the machine
    does in the meantime weighs on both alike. Articles per second for each."""
    import spacy

    from processors.enrich import Enricher

    nlp = spacy.load(settings.spacy_model, exclude=list(settings.spacy_exclude))
    enricher = Enricher.from_settings(settings)
    list(nlp.pipe(texts[:20], batch_size=settings.batch_size))  # warm-up
    enricher.process_objects(articles[:20])  # warm-up (and the gazetteer, if not yet built)

    def raw(i: int) -> float:
        started = time.perf_counter()
        for _ in nlp.pipe(texts[i : i + settings.batch_size], batch_size=settings.batch_size):
            pass
        return time.perf_counter() - started

    def offline(i: int) -> float:
        started = time.perf_counter()
        enricher.process_objects(articles[i : i + settings.batch_size])
        return time.perf_counter() - started

    raw_s = offline_s = 0.0
    for n, i in enumerate(range(0, len(articles), settings.batch_size)):
        if n % 2:
            offline_s += offline(i)
            raw_s += raw(i)
        else:
            raw_s += raw(i)
            offline_s += offline(i)
    return len(texts) / raw_s, len(articles) / offline_s


def _namespace(settings: Settings, run_id: str) -> tuple[Settings, dict[str, str]]:
    """Topics, index and consumer group of this run only, and the environment giving them."""
    overrides = {
        "topic_prefix": f"bench-{run_id}-",
        "index_prefix": f"bench-{run_id}",
        "app_id": f"newsmon-bench-{run_id}",
    }
    env = {f"NEWSMON_{k.upper()}": v for k, v in overrides.items()}
    return settings.model_copy(update=overrides), env


def _time_pipeline(settings: Settings, *, n: int, workers: int, run_id: str) -> dict[str, Any]:
    """N articles through W fresh workers on a fresh namespace: first produced to last indexed.

    Each worker is its own process on its own health port, in one consumer group, so the four
    partitions are shared out as they would be on a desk running several workers.
    """
    from streams.indexing import ensure_articles_index_sync, sync_client
    from streams.producer import produce_messages
    from streams.topics import ensure_topics

    bench, env = _namespace(settings, run_id)
    ensure_topics(bench)
    es = sync_client(bench)
    ensure_articles_index_sync(bench, es)
    pool = bench_texts(settings.shared_dir)
    messages = [
        (
            f"bench-{run_id}-{i}".encode(),
            json.dumps({**pool[i % len(pool)], "id": f"bench-{run_id}-{i}"}).encode(),
        )
        for i in range(n)
    ]
    processes = []
    for w in range(workers):
        port = free_port()
        processes.append(
            WorkerProcess(
                bench.model_copy(update={"worker_port": port}),
                env={**env, "NEWSMON_WORKER_PORT": str(port)},
                name=f"bench-worker-{run_id}-{w}",
            )
        )
    print(f"starting {workers} worker(s) on topics {bench.topic_prefix}* ...", flush=True)
    peaks: list[_PeakRss] = []
    try:
        for process in processes:
            process.start()
            assert process.pid is not None
            peaks.append(_PeakRss(process.pid))
            peaks[-1].start()
        print(f"pushing {n} articles through Kafka -> Faust -> Elasticsearch ...", flush=True)
        started = time.perf_counter()
        produce_messages(bench, iter(messages), progress=False)
        produced = time.perf_counter() - started
        indexed, last_report = 0, started
        deadline = started + max(600.0, n * 1.0)
        while indexed < n and time.perf_counter() < deadline:
            time.sleep(0.5)
            indexed = es.count(index=bench.articles_alias)["count"]
            if time.perf_counter() - last_report > 15:
                print(f"  {indexed}/{n} indexed", flush=True)
                last_report = time.perf_counter()
        elapsed = time.perf_counter() - started
    finally:
        for peak in peaks:
            peak.stopped.set()
        for process in processes:
            process.stop()
    if indexed < n:
        logs = ", ".join(str(p.log) for p in processes)
        print(f"only {indexed} of {n} articles were indexed before the deadline; see {logs}")
    drop_namespace(bench)
    return {
        "workers": workers,
        "indexed": indexed,
        "produce_s": round(produced, 2),
        "pipeline_s": round(elapsed, 2),
        "articles_per_s": round(indexed / elapsed, 2),
        "peak_rss_mb": round(max(p.peak for p in peaks) / 2**20, 1) if peaks else 0.0,
    }


def run_pipeline_bench(settings: Settings, *, n: int, output: Path) -> int:
    """One worker, then two (one per core on this machine kind), then raw spaCy and offline
    enrichment on the same texts, all in one run so that the ratios compare like with like."""
    from deploy import stack
    from processors.text.clean import article_text

    stack.up(settings)
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    one = _time_pipeline(settings, n=n, workers=1, run_id=f"{run_id}-w1")
    two = _time_pipeline(settings, n=n, workers=2, run_id=f"{run_id}-w2")

    print("timing raw spaCy nlp.pipe and offline enrichment on the same texts ...", flush=True)
    pool = bench_texts(settings.shared_dir)
    articles = [{**pool[i % len(pool)], "id": f"offline-{i}"} for i in range(n)]
    texts = [article_text(a.get("title"), a.get("body"))[0] for a in articles]
    raw_rate, offline_rate = _raw_and_offline(settings, articles, texts)
    pipeline_rate = one["articles_per_s"]
    scaling = two["articles_per_s"] / pipeline_rate if pipeline_rate else 0.0

    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "model": settings.spacy_model,
        "exclude": list(settings.spacy_exclude),
        "batch_size": settings.batch_size,
        "articles": n,
        "mean_chars": round(sum(len(t) for t in texts) / len(texts)),
        "one_worker": one,
        "two_workers": two,
        "indexed": one["indexed"],
        "pipeline_s": one["pipeline_s"],
        "pipeline_articles_per_s": pipeline_rate,
        "raw_spacy_articles_per_s": round(raw_rate, 2),
        "offline_enrich_articles_per_s": round(offline_rate, 2),
        "ratio_offline_to_raw": round(offline_rate / raw_rate, 3),
        "ratio_pipeline_to_offline": round(pipeline_rate / offline_rate, 3),
        "ratio_pipeline_to_raw": round(pipeline_rate / raw_rate, 3),
        "scaling_two_workers": round(scaling, 3),
        "worker_peak_rss_mb": one["peak_rss_mb"],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(output.read_text()) if output.is_file() else {}
    previous["pipeline"] = results
    output.write_text(json.dumps(previous, indent=2) + "\n")
    print(
        f"\npipeline (Kafka -> Faust -> ES, 1 worker): {pipeline_rate:8.2f} articles/s "
        f"({one['indexed']} in {one['pipeline_s']:.1f} s)\n"
        f"pipeline, 2 workers:                       {two['articles_per_s']:8.2f} articles/s "
        f"({two['indexed']} in {two['pipeline_s']:.1f} s)\n"
        f"raw spaCy nlp.pipe (same texts, model):    {raw_rate:8.2f} articles/s\n"
        f"offline enrichment (newsmon enrich path):  {offline_rate:8.2f} articles/s\n"
        f"ratio offline / raw:                        {offline_rate / raw_rate:8.3f}\n"
        f"ratio pipeline / offline:                   {pipeline_rate / offline_rate:8.3f}\n"
        f"ratio pipeline / raw:                       {pipeline_rate / raw_rate:8.3f}\n"
        f"scaling, 2 workers / 1 worker:              {scaling:8.3f}\n"
        f"worker peak RSS:                            {one['peak_rss_mb']:8.1f} MB\n"
        f"written to {output}"
    )
    return 0 if one["indexed"] == n and two["indexed"] == n else 1
