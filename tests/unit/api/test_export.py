"""Exports on plain documents: CSV rows, JSON lines, and GeoJSON places and events."""

import csv
import io
import json

from api.export import Encoder, write

ARTICLE = {
    "id": "a-1",
    "title": '=HYPERLINK("x") Flooding in the valley',
    "source": "Wire",
    "url": "https://example.org/a-1",
    "published_at": "2026-03-01T10:00:00Z",
    "countries": ["SY", "TR"],
    "location": {"lat": 36.5, "lon": 40.7},
    "places": [
        {"name": "Hasakah", "lat": 36.5, "lon": 40.7, "country_code": "SY", "kind": "city"},
        {"name": "Washington", "lat": 38.9, "lon": -77.0, "metonymic": True},
        {"name": "Nowhere"},  # no coordinates: no feature
    ],
    "events": [
        {
            "type": "flood",
            "fatalities": 3,
            "injured": 5,
            "place": {"name": "Hasakah", "lat": 36.5, "lon": 40.7},
        },
        {"type": "protest", "place": {}},
    ],
}


def test_csv_has_one_header_and_a_row_per_article_with_its_top_event_and_no_formula():
    text = write([ARTICLE, {**ARTICLE, "id": "a-2", "events": []}], "csv", "articles")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["a-1", "a-2"]
    assert rows[0]["event_type"] == "flood" and rows[0]["fatalities"] == "3"
    assert rows[0]["countries"] == "SY TR" and rows[1]["event_type"] == ""
    assert rows[0]["title"].startswith("'=")  # a spreadsheet shows it, does not run it


def test_json_lines_keep_each_document_whole():
    lines = write([ARTICLE, ARTICLE], "jsonl", "articles").splitlines()
    assert [json.loads(line) for line in lines] == [ARTICLE, ARTICLE]


def test_geojson_has_literal_places_and_placed_events_with_their_article():
    collection = json.loads(write([ARTICLE, {"id": "empty"}], "geojson", "articles"))
    assert collection["type"] == "FeatureCollection"
    kinds = [
        (f["properties"]["kind"], f["properties"].get("name") or f["properties"].get("event_type"))
        for f in collection["features"]
    ]
    assert kinds == [("place", "Hasakah"), ("event", "flood")]
    assert collection["features"][0]["geometry"] == {"type": "Point", "coordinates": [40.7, 36.5]}
    assert {f["properties"]["article_id"] for f in collection["features"]} == {"a-1"}


def test_an_empty_export_is_still_a_valid_file():
    assert json.loads(write([], "geojson", "alerts")) == {
        "type": "FeatureCollection",
        "features": [],
    }
    assert write([], "csv", "alerts").startswith("id,rule_id,rule_name")
    assert write([], "jsonl", "alerts") == ""


def test_the_encoder_writes_piece_by_piece_what_write_writes_whole():
    encoder = Encoder("geojson", "articles")
    pieces = encoder.head() + encoder.encode(ARTICLE) + encoder.encode(ARTICLE) + encoder.tail()
    assert pieces == write([ARTICLE, ARTICLE], "geojson", "articles")
    assert len(json.loads(pieces)["features"]) == 4
