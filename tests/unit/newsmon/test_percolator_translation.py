"""Rules as percolator queries (newsmon/percolator.py), on plain data: the subset both the
matcher and OpenSearch's percolator can express, read over the same fields."""

from __future__ import annotations

from newsmon.percolator import percolate_document, translate_rule
from processors.alerting.rules import validate_rule


def _rule(**spec):
    return validate_rule({"id": "r", "name": "R", **spec})


def test_a_query_becomes_the_search_query_on_the_normalised_text():
    query = translate_rule(_rule(query="clashes AND prison"))
    assert query == {
        "bool": {
            "filter": [
                {
                    "bool": {
                        "must": [
                            {"term": {"text_norm": "clash"}},
                            {"term": {"text_norm": "prison"}},
                        ]
                    }
                }
            ]
        }
    }


def test_a_region_is_any_of_its_areas_over_the_places():
    query = translate_rule(
        _rule(
            region={
                "countries": ["SY"],
                "admin1": ["IQ-NI"],
                "near": {"lat": 36.5, "lon": 40.75, "km": 30},
            }
        )
    )
    where = query["bool"]["filter"][0]["bool"]
    assert where["minimum_should_match"] == 1
    assert {"terms": {"place_countries": ["SY"]}} in where["should"]
    assert {"terms": {"place_admin1": ["IQ-NI"]}} in where["should"]
    assert {
        "geo_distance": {"distance": "30.0km", "place_points": {"lat": 36.5, "lon": 40.75}}
    } in where["should"]


def test_rules_beyond_query_and_region_are_left_out():
    assert translate_rule(_rule(entities=["Islamic State"])) is None
    assert translate_rule(_rule(query="flood", event_types=["flood"])) is None
    assert translate_rule(_rule(region={"countries": ["SY"], "include_metonymic": True})) is None


def test_the_document_holds_the_literal_places_only():
    article = {
        "text": "Clashes near the prison.",
        "places": [
            {"name": "Hasakah", "country_code": "SY", "admin1": "SY-HA", "lat": 36.5, "lon": 40.7},
            {
                "name": "Washington",
                "country_code": "US",
                "lat": 38.9,
                "lon": -77.0,
                "metonymic": True,
            },
        ],
    }
    doc = percolate_document(article)
    assert doc["place_countries"] == ["SY"] and doc["place_admin1"] == ["SY-HA"]
    assert doc["place_points"] == [{"lat": 36.5, "lon": 40.7}]
    assert "clash" in doc["text_norm"].split()
