"""``newsmon eval`` / ``make eval``: enrichment quality on the development gold (dev-eval).

It feeds the gold texts through ``newsmon enrich`` itself (a subprocess running the very code the
agents run), turns the enriched articles into the scorer's prediction format and runs the
scorer that ships with the gold (``score.py``), printing its tables and a summary against the
targets. The gold stays in ../shared; outputs go to ``eval-out/`` (git-ignored).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from config import Settings

__all__ = ["TARGETS", "predictions", "run_eval"]

# (metric path in the scorer's JSON, target, label)
TARGETS: list[tuple[tuple[str, ...], float | None, str]] = [
    (("ner", "micro", "f1"), 0.72, "NER micro F1"),
    (("geo", "ALL", "acc@161km"), 0.60, "toponyms within 161 km, of all gold"),
    (("geo", "ALL", "acc@161km_matched"), 0.85, "toponyms within 161 km, of those found"),
    (("events", "type_acc_strict"), 0.75, "event type (strict)"),
    (("events", "country_acc"), 0.90, "event country"),
    (("events", "location_acc@50km"), 0.70, "event location within 50 km"),
    (("events", "fatalities_exact"), 0.88, "event fatalities exact"),
    # real news articles (score_articles.py): US shootings and Afghan press releases
    (("articles", "fatalities_exact"), 0.85, "shootings: largest fatality count"),
    (("articles", "injured_exact"), 0.75, "shootings: largest injured count"),
    (("articles", "admin1"), 0.85, "shootings: top event's state"),
    (("articles", "country"), 0.98, "shootings: top event in the US"),
    (("articles", "loc50"), 0.80, "shootings: top event within 50 km"),
    (("articles", "type"), None, "shootings: top event type"),
    (("articles", "extra_events_per_article"), None, "shootings: extra events per article"),
    (("articles", "accidental_with_event"), None, "accidental shootings with an event"),
    (("articles", "accidental_typed"), None, "accidental shootings typed as accidents"),
    (("articles", "isaf_type"), 0.80, "press releases: top event type"),
    (("articles", "isaf_arrested_exact"), 0.80, "press releases: arrested count"),
    (("articles", "isaf_fatalities_exact"), None, "press releases: fatality count"),
    (("articles", "isaf_admin1"), 0.85, "press releases: top event's province"),
]
_FILES = {
    "ner": "ner.jsonl",
    "geo": "geo.jsonl",
    "events": "events.jsonl",
    "articles": "articles_events.jsonl",
}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:  # not splitlines(): texts may hold U+2028
        return [json.loads(line) for line in fh if line.strip()]


def predictions(article: dict[str, Any]) -> dict[str, Any]:
    """One enriched article in the scorer's prediction format."""
    events = []
    for event in article.get("events", []):
        place = event.get("place") or {}
        events.append(
            {
                "type": event.get("type"),
                "location": {
                    "lat": place.get("lat"),
                    "lon": place.get("lon"),
                    "country_code": place.get("country_code"),
                },
                "fatalities": event.get("fatalities"),
            }
        )
    return {
        "id": article["id"],
        "entities": [
            {"start": e["start"], "end": e["end"], "label": e["label"]}
            for e in article.get("entities", [])
        ],
        "locations": [
            {
                "name": p["name"],
                "start": p["start"],
                "end": p["end"],
                "lat": p["lat"],
                "lon": p["lon"],
                "country_code": p.get("country_code"),
            }
            for p in article.get("places", [])
        ],
        "events": events,
    }


def _metric(metrics: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = metrics
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def half_of(record_id: str) -> str:
    """``A`` (tune on it) or ``B`` (check on it): a stable split by a hash of the id, so a
    change that helps only the half it was tuned on shows as fitting, not method."""
    return "AB"[hashlib.sha256(record_id.encode()).digest()[0] % 2]


def _enrich_input(task: str, row: dict[str, Any]) -> dict[str, Any]:
    if task == "articles":  # real articles: headline and date as a feed would give them
        out = {"id": row["id"], "title": row.get("title") or "", "body": row["text"]}
        if row.get("published_at"):
            out["published_at"] = row["published_at"]
        return out
    return {"id": row["id"], "body": row["text"]}


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _score(
    gold_dir: Path,
    out_dir: Path,
    tasks: list[str],
    gold: dict[str, list[dict[str, Any]]],
    enriched: dict[str, dict[str, Any]],
    label: str,
    quiet: bool,
) -> dict[str, Any]:
    """Run the gold's own scorers on the records ``gold`` holds; return their metrics."""
    metrics: dict[str, Any] = {}
    plain = [t for t in tasks if t != "articles"]
    if plain:
        preds = out_dir / f"predictions-{label}.jsonl"
        args = [sys.executable, str(gold_dir / "score.py"), str(preds), "--tasks", ",".join(plain)]
        rows = []
        for task in plain:
            half_gold = out_dir / f"gold-{task}-{label}.jsonl"
            _write_jsonl(half_gold, gold[task])
            args += [f"--{task}", str(half_gold)]
            rows += [predictions(enriched[r["id"]]) for r in gold[task] if r["id"] in enriched]
        _write_jsonl(preds, rows)
        metrics_path = out_dir / f"metrics-{label}.json"
        subprocess.run(
            [*args, "--json", str(metrics_path)],
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        metrics.update(json.loads(metrics_path.read_text()))
    if "articles" in tasks:
        half_gold = out_dir / f"gold-articles-{label}.jsonl"
        preds = out_dir / f"enriched-articles-{label}.jsonl"
        _write_jsonl(half_gold, gold["articles"])
        _write_jsonl(preds, [enriched.get(r["id"], {"id": r["id"]}) for r in gold["articles"]])
        metrics_path = out_dir / f"metrics-articles-{label}.json"
        subprocess.run(
            [sys.executable, str(gold_dir / "score_articles.py"), str(half_gold), str(preds),
             "--json", str(metrics_path)],
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )  # fmt: skip
        metrics["articles"] = json.loads(metrics_path.read_text())
        metrics["articles"]["accidental_typed"] = _accidents_typed(gold["articles"], enriched)
    return metrics


def _accidents_typed(gold: list[dict[str, Any]], enriched: dict[str, Any]) -> float | None:
    """Of the articles on accidental shootings (not scored by score_articles.py beyond having
    an event), the share whose top event is typed an accidental shooting, ours to measure."""
    accidents = [
        r for r in gold if any(e.get("type") == "Accidental shooting" for e in r["events"])
    ]
    if not accidents:
        return None
    typed = sum(
        1
        for r in accidents
        if (enriched.get(r["id"], {}).get("events") or [{}])[0].get("type") == "accidental_shooting"
    )
    return typed / len(accidents)


def run_eval(settings: Settings, *, tasks: list[str], out_dir: Path) -> int:
    gold_dir = settings.shared_dir / "dev-eval"
    if not (gold_dir / "score.py").is_file():
        print(f"no development gold at {gold_dir}; nothing to evaluate (NEWSMON_SHARED_DIR)")
        return 0
    out_dir.mkdir(parents=True, exist_ok=True)
    gold = {task: _read_jsonl(gold_dir / _FILES[task]) for task in tasks}
    inputs = out_dir / "input.jsonl"
    enriched_path = out_dir / "enriched.jsonl"
    _write_jsonl(inputs, [_enrich_input(t, row) for t in tasks for row in gold[t]])
    total = sum(len(rows) for rows in gold.values())
    print(f"enriching {total} gold texts with `newsmon enrich` ...")
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "enrich", "--input", str(inputs), "--output",
         str(enriched_path)],
        check=False,
    )  # fmt: skip
    if done.returncode not in (0, 2):
        print(f"newsmon enrich failed ({done.returncode})")
        return done.returncode
    enriched = {row["id"]: row for row in _read_jsonl(enriched_path) if "id" in row}
    results = {"all": _score(gold_dir, out_dir, tasks, gold, enriched, "all", quiet=False)}
    for half in "AB":
        part = {t: [r for r in rows if half_of(r["id"]) == half] for t, rows in gold.items()}
        results[half] = _score(gold_dir, out_dir, tasks, part, enriched, half, quiet=True)
    (out_dir / "metrics-halves.json").write_text(json.dumps(results, indent=1) + "\n")
    print("\n== development set, and its two halves (A: tune on it, B: check on it)")
    print(f"  {'metric':<46} {'all':>6} {'A':>6} {'B':>6}  target")
    for path, target, label in TARGETS:
        if path[0] not in tasks:
            continue
        values = [_metric(results[k], path) for k in ("all", "A", "B")]
        shown = " ".join("   n/a" if v is None else f"{v:6.3f}" for v in values)
        verdict = (
            ""
            if target is None
            else ("ok" if values[0] is not None and values[0] >= target else "BELOW")
        )
        goal = "" if target is None else f">= {target:.2f}"
        print(f"  {label:<46} {shown}  {goal:<8} {verdict}")
    print(f"\npredictions and metrics in {out_dir}/")
    return 0
