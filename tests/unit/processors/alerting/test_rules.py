"""Rule loading and validation: every bad field gets its own error, with its path."""

import json

import pytest

from processors.alerting.rules import load_rules, validate_rule
from processors.errors import InvalidRule

GOOD = {
    "id": "syria-clashes",
    "name": "Clashes in Syria",
    "query": "clash* AND prison",
    "region": {"countries": ["sy"], "near": {"lat": 36.5, "lon": 40.75, "km": 50}},
    "event_types": ["Battles"],
    "min_fatalities": 10,
    "throttle": {"realert": "30m", "key": "country"},
    "channels": [{"type": "webhook", "url": "https://hooks.example/desk"}],
}


def errors_of(data) -> dict[str, str]:
    with pytest.raises(InvalidRule) as info:
        validate_rule(data)
    return {e.field: e.message for e in info.value.errors}


def test_a_good_rule_is_normalised():
    rule = validate_rule(GOOD)
    assert rule.region.countries == ["SY"]
    assert "armed_clash" in rule.event_types  # ACLED type -> newsmon types
    assert rule.counts == {"fatalities": 10}
    assert rule.throttle.realert_s == 1800


@pytest.mark.parametrize("field", ["id", "name"])
def test_each_required_field_is_named_when_missing(field):
    data = {k: v for k, v in GOOD.items() if k != field}
    assert errors_of(data)[field] == "is required"


def test_every_bad_field_is_reported_at_once_with_its_path():
    errors = errors_of(
        {
            "id": "bad id",
            "name": "x",
            "query": "clash AND",
            "region": {"countries": ["XX"], "near": {"lat": 91, "lon": 0, "km": 0}},
            "event_types": ["war"],
            "throttle": {"realert": "soon", "key": "colour"},
            "colour": "red",
        }
    )
    assert set(errors) >= {
        "id",
        "query",
        "region.countries",
        "region.near.lat",
        "region.near.km",
        "event_types",
        "throttle.realert",
        "throttle.key",
        "colour",
    }
    assert "position 9" in errors["query"]
    assert "ISO 3166-1" in errors["region.countries"]
    assert errors["colour"] == "is not a rule field (check the spelling)"


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ({"bbox": [10, 0, 5, 5]}, "min < max"),
        ({"polygon": {"type": "Point", "coordinates": [1, 2]}}, "Polygon"),
        (
            {
                "polygon": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                }
            },
            "valid polygon",
        ),
        ({}, "at least one"),
    ],
)
def test_bad_regions_say_what_is_expected(region, hint):
    message = " ".join(errors_of({"id": "r", "name": "r", "region": region}).values())
    assert hint in message


def test_a_rule_needs_a_condition_and_channels_need_their_fields():
    assert (
        "`to`"
        in errors_of({"id": "r", "name": "r", "query": "x", "channels": [{"type": "email"}]})[
            "channels.0"
        ]
    )
    assert "at least one condition" in " ".join(errors_of({"id": "r", "name": "r"}).values())


def test_aggregates_need_their_numbers():
    errors = errors_of(
        {"id": "r", "name": "r", "query": "x", "aggregate": {"kind": "spike", "window": "1h"}}
    )
    assert "factor" in errors["aggregate"]


def test_a_file_with_several_rules_reports_all_bad_ones_and_duplicate_ids(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - {id: a, name: A, query: clash}\n"
        "  - {id: a, name: again, query: riot}\n"
        "  - {id: c, name: C, region: {countries: [ZZ]}}\n"
    )
    with pytest.raises(InvalidRule) as info:
        load_rules(path)
    fields = [e.field for e in info.value.errors]
    assert "#2.id" in fields and "#3.region.countries" in fields


def test_json_files_and_single_rules_load(tmp_path):
    path = tmp_path / "rule.json"
    path.write_text(json.dumps(GOOD))
    [rule] = load_rules(path)
    assert rule.id == "syria-clashes"
    assert validate_rule(json.loads(rule.to_json())) == rule


def test_rules_test_command_lists_what_would_have_fired(tmp_path):
    import subprocess
    import sys

    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "- {id: floods, name: Floods, query: flood*}\n- {id: gy, name: GY, "
        "region: {countries: [GY]}}\n"
    )
    articles = tmp_path / "enriched.jsonl"
    articles.write_text(
        json.dumps({"id": "a", "text": "Floods hit Kerala.", "places": [], "entities": []})
        + "\n"
        + json.dumps({"id": "b", "text": "Markets rose.", "places": [], "entities": []})
        + "\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "rules", "test", str(rules), "--input", str(articles)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "floods" in done.stdout and " a " in done.stdout and " b " not in done.stdout
    assert "1 alert(s) would have fired on 2 article(s)" in done.stderr
