"""``newsmon bench percolator``: newsmon's rule matcher beside OpenSearch's percolator, one run.

The stock way to run standing queries against a stream of documents is a percolator: the queries
are indexed, and each document is "percolated" to find the queries it matches. This benchmark
puts newsmon's matcher (``processors.alerting.matching``) and a real OpenSearch node's percolator
(``deploy.opensearch``) side by side on the same enriched real articles and the same rules, at
1,000, 10,000 and 100,000 generated rules (``newsmon.rulebench.generate_rules``, a desk's mix):

- the rules both can express are kept: a query (translated by ``processors.text.query`` itself to
  the same ``text_norm`` field the desk's search uses, so terms mean the same on both sides)
  and a region of countries, admin1 codes, a bounding box or a circle, over the article's
  literal places (what ``RegionCriterion`` reads). Rules on entities are left out (about one
  in seven of the mix);
- each side matches every article, one at a time as a stream would: newsmon in this process
  (building the article's view included), the percolator one ``_search`` request per article
  over HTTP on 127.0.0.1 (the request's round trip included: that is how a pipeline would use
  it). Articles per second for both, and their ratio;
- both fire the same alerts: the (rule, article) pairs each finds are compared, and what one
  finds that the other does not is printed (a place on the edge of a circle, measured by two
  formulas, can differ).

A benchmark: it prints and writes figures (``percolator`` in the JSON file), it asserts nothing.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import Settings
from processors.alerting.rules import Rule
from processors.text.query import parse_query

__all__ = ["percolate_document", "run_percolator_bench", "translate_rule"]

SIZES = (1_000, 10_000, 100_000)
_MAPPING = {
    "mappings": {
        "dynamic": False,
        "properties": {
            "query": {"type": "percolator"},
            "text_norm": {"type": "text", "analyzer": "whitespace"},
            "place_countries": {"type": "keyword"},
            "place_admin1": {"type": "keyword"},
            "place_points": {"type": "geo_point"},
        },
    },
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": -1},
}


def translate_rule(rule: Rule) -> dict[str, Any] | None:
    """``rule`` as a percolator query, or None when it asks for more than a query and a region
    of countries, admin1 codes, a bounding box or a circle over literal places."""
    if (
        rule.entities
        or rule.event_types
        or rule.min_counts
        or rule.min_fatalities is not None
        or not rule.enabled
        or rule.sources
        or rule.lang
        or (rule.query is None and rule.region is None)
    ):
        return None
    must: list[dict[str, Any]] = []
    if rule.query:
        must.append(parse_query(rule.query).to_es("text_norm"))
    region = rule.region
    if region is not None:
        if region.polygon is not None or region.include_metonymic:
            return None
        where: list[dict[str, Any]] = []
        if region.countries:
            where.append({"terms": {"place_countries": list(region.countries)}})
        if region.admin1:
            where.append({"terms": {"place_admin1": list(region.admin1)}})
        if region.bbox:
            min_lon, min_lat, max_lon, max_lat = region.bbox
            corners = {"top_left": [min_lon, max_lat], "bottom_right": [max_lon, min_lat]}
            where.append({"geo_bounding_box": {"place_points": corners}})
        if region.near is not None:
            near = region.near
            where.append(
                {
                    "geo_distance": {
                        "distance": f"{near.km}km",
                        "place_points": {"lat": near.lat, "lon": near.lon},
                    }
                }
            )
        must.append({"bool": {"should": where, "minimum_should_match": 1}})
    return {"bool": {"filter": must}}


def percolate_document(article: dict[str, Any]) -> dict[str, Any]:
    """What the percolator reads of an enriched article: its normalised text, and the
    countries, admin1 codes and points of its literal places."""
    from processors.text.normalise import normalize_text

    literal = [p for p in article.get("places", []) if not p.get("metonymic")]
    return {
        "text_norm": normalize_text(article.get("text") or ""),
        "place_countries": sorted({p["country_code"] for p in literal if p.get("country_code")}),
        "place_admin1": sorted({p["admin1"] for p in literal if p.get("admin1")}),
        "place_points": [
            {"lat": p["lat"], "lon": p["lon"]} for p in literal if p.get("lat") is not None
        ],
    }


def _ours(rules: list[Rule], articles: list[dict[str, Any]]) -> tuple[float, set[tuple[str, str]]]:
    from processors.alerting.matching import ArticleView, RuleSet

    ruleset = RuleSet.of(rules)
    for article in articles[:5]:
        ruleset.match(ArticleView.of(article))  # warm-up
    found: set[tuple[str, str]] = set()
    started = time.perf_counter()
    for article in articles:  # the view is part of the cost: built per article
        found |= {(m.rule.id, article["id"]) for m in ruleset.match(ArticleView.of(article))}
    return len(articles) / (time.perf_counter() - started), found


def _theirs(
    node: Any, queries: dict[str, dict[str, Any]], articles: list[dict[str, Any]]
) -> tuple[float, float, set[tuple[str, str]]]:
    node.request("DELETE", "/rules?ignore_unavailable=true")
    node.request("PUT", "/rules", _MAPPING)
    started = time.perf_counter()
    items = list(queries.items())
    for i in range(0, len(items), 5_000):
        lines = []
        for rule_id, query in items[i : i + 5_000]:
            lines += [json.dumps({"index": {"_id": rule_id}}), json.dumps({"query": query})]
        answer = node.request("POST", "/rules/_bulk", "\n".join(lines) + "\n", ndjson=True)
        if answer.get("errors"):
            bad = next(i for i in answer["items"] if i["index"].get("error"))
            raise RuntimeError(f"the percolator refused a rule: {bad['index']['error']}")
    node.request("POST", "/rules/_refresh")
    node.request("POST", "/rules/_forcemerge?max_num_segments=1")
    indexed = time.perf_counter() - started
    documents = [percolate_document(a) for a in articles]

    def percolate(document: dict[str, Any]) -> list[str]:
        body = {
            "query": {"percolate": {"field": "query", "document": document}},
            "size": 10_000,
            "_source": False,
        }
        return [hit["_id"] for hit in node.request("POST", "/rules/_search", body)["hits"]["hits"]]

    for document in documents[:5]:
        percolate(document)  # warm-up
    found: set[tuple[str, str]] = set()
    started = time.perf_counter()
    for article, document in zip(articles, documents, strict=True):
        found |= {(rule_id, article["id"]) for rule_id in percolate(document)}
    return len(articles) / (time.perf_counter() - started), indexed, found


def run_percolator_bench(
    settings: Settings, *, output: Path, sizes: tuple[int, ...] = SIZES, articles_n: int = 100
) -> int:
    """Run the benchmark (see the module docstring); 0 when it ran."""
    from deploy.opensearch import OS_VERSION, PercolatorNode
    from newsmon.rulebench import enriched_articles, generate_rules
    from newsmon.run import free_port

    print(f"enriching {articles_n} real articles ...", flush=True)
    articles = enriched_articles(settings, articles_n)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": len(articles),
        "opensearch": OS_VERSION,
        "sizes": [],
    }
    print(f"starting OpenSearch {OS_VERSION} with the percolator ...", flush=True)
    with PercolatorNode(settings.cache_dir, port=free_port()) as node:
        for n in sizes:
            generated = generate_rules(n, articles)
            queries = {r.id: q for r in generated if (q := translate_rule(r)) is not None}
            rules = [r for r in generated if r.id in queries]
            ours_rate, ours = _ours(rules, articles)
            theirs_rate, indexed_s, theirs = _theirs(node, queries, articles)
            row = {
                "rules_generated": n,
                "rules_compared": len(rules),
                "newsmon_articles_per_s": round(ours_rate, 1),
                "percolator_articles_per_s": round(theirs_rate, 1),
                "ratio_newsmon_to_percolator": round(ours_rate / theirs_rate, 2),
                "percolator_indexing_s": round(indexed_s, 1),
                "alerts_both": len(ours & theirs),
                "alerts_newsmon_only": sorted(ours - theirs)[:20],
                "alerts_percolator_only": sorted(theirs - ours)[:20],
                "alerts_newsmon": len(ours),
                "alerts_percolator": len(theirs),
            }
            results["sizes"].append(row)
            print(
                f"  {n:>7,} rules ({len(rules):,} both can express): newsmon "
                f"{ours_rate:8.1f} articles/s, percolator {theirs_rate:8.1f} articles/s "
                f"(x{ours_rate / theirs_rate:.1f}); alerts: {len(ours & theirs)} by both, "
                f"{len(ours - theirs)} newsmon only, {len(theirs - ours)} percolator only",
                flush=True,
            )
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(output.read_text()) if output.is_file() else {}
    previous["percolator"] = results
    output.write_text(json.dumps(previous, indent=2) + "\n")
    print(f"written to {output}")
    return 0
