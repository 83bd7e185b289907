"""``newsmon eval`` / ``make eval``: enrichment quality on the development gold (dev-eval).

It feeds the gold texts through ``newsmon enrich`` itself (a subprocess running the very code the
agents run), turns the enriched articles into the scorer's prediction format and runs the
scorer that ships with the gold (``score.py``), printing its tables and a summary against the
targets. The gold stays in ../shared; outputs go to ``eval-out/`` (git-ignored).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from config import Settings

__all__ = ["TARGETS", "predictions", "run_eval"]

# (metric path in the scorer's JSON, target, label)
TARGETS: list[tuple[tuple[str, ...], float, str]] = [
    (("ner", "micro", "f1"), 0.72, "NER micro F1"),
    (("geo", "ALL", "acc@161km"), 0.60, "toponyms within 161 km, of all gold"),
    (("geo", "ALL", "acc@161km_matched"), 0.85, "toponyms within 161 km, of those found"),
    (("events", "type_acc_strict"), 0.75, "event type (strict)"),
    (("events", "country_acc"), 0.92, "event country"),
    (("events", "location_acc@50km"), 0.70, "event location within 50 km"),
    (("events", "fatalities_exact"), 0.90, "event fatalities exact"),
]
_FILES = {"ner": "ner.jsonl", "geo": "geo.jsonl", "events": "events.jsonl"}


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


def run_eval(settings: Settings, *, tasks: list[str], out_dir: Path) -> int:
    gold_dir = settings.shared_dir / "dev-eval"
    scorer = gold_dir / "score.py"
    if not scorer.is_file():
        print(f"no development gold at {gold_dir}; nothing to evaluate (NEWSMON_SHARED_DIR)")
        return 0
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = out_dir / "input.jsonl"
    enriched = out_dir / "enriched.jsonl"
    preds = out_dir / "predictions.jsonl"
    with inputs.open("w", encoding="utf-8") as fh:
        for task in tasks:
            for row in _read_jsonl(gold_dir / _FILES[task]):
                fh.write(json.dumps({"id": row["id"], "body": row["text"]}) + "\n")
    print(f"enriching {sum(1 for _ in inputs.open())} gold texts with `newsmon enrich` ...")
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "enrich", "--input", str(inputs), "--output",
         str(enriched)],
        check=False,
    )  # fmt: skip
    if done.returncode not in (0, 2):
        print(f"newsmon enrich failed ({done.returncode})")
        return done.returncode
    with enriched.open(encoding="utf-8") as src, preds.open("w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            if "id" in row:
                dst.write(json.dumps(predictions(row)) + "\n")
    metrics_path = out_dir / "metrics.json"
    scored = subprocess.run(
        [sys.executable, str(scorer), str(preds), "--tasks", ",".join(tasks), "--json",
         str(metrics_path)],
        check=False,
    )  # fmt: skip
    if scored.returncode != 0:
        return scored.returncode
    metrics = json.loads(metrics_path.read_text())
    print("\n== against the targets (development set)")
    for path, target, label in TARGETS:
        if path[0] not in tasks:
            continue
        value = _metric(metrics, path)
        shown = "n/a" if value is None else f"{value:.3f}"
        verdict = "ok" if value is not None and value >= target else "BELOW"
        print(f"  {label:<42} {shown:>7}  target >= {target:.2f}  {verdict}")
    print(f"\npredictions and metrics in {out_dir}/")
    return 0
