"""The search API's Elasticsearch request, built from plain data (no client)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.search import SearchRequest, build_search_body, parse_since, read_search_response


def _filters(**kwargs: object) -> list[dict]:
    return build_search_body(SearchRequest(**kwargs))["query"]["bool"]["filter"]


def test_filters_become_term_geo_and_range_clauses() -> None:
    clauses = _filters(
        countries=("SY",),
        event_types=("armed_clash",),
        entities=("ORG:Syrian Democratic Forces", "Hasakah"),
        bbox=(38.5, 35.0, 42.4, 37.4),
        near=(36.5, 40.75, 50.0),
        since=timedelta(hours=24),
    )
    assert {"terms": {"countries": ["SY"]}} in clauses
    assert {"terms": {"event_types": ["armed_clash"]}} in clauses
    assert {"term": {"entity_keys": "ORG:Syrian Democratic Forces"}} in clauses
    assert {"term": {"entities.canonical": "Hasakah"}} in clauses
    box = next(c for c in clauses if "geo_bounding_box" in c)["geo_bounding_box"]["places.point"]
    assert box == {
        "top_left": {"lat": 37.4, "lon": 38.5},
        "bottom_right": {"lat": 35.0, "lon": 42.4},
    }
    assert {"range": {"date": {"gte": "now-86400s"}}} in clauses


def test_dates_are_sent_in_utc_whatever_offset_they_came_with() -> None:
    # -19:28 is a valid offset in Python and refused by Elasticsearch's java.time parser
    odd = datetime(2026, 3, 12, 2, 3, 21, tzinfo=timezone(-timedelta(hours=19, minutes=28)))
    naive = datetime(2026, 1, 1, 12, 0)
    clauses = _filters(date_from=naive, date_to=odd)
    bounds = next(c for c in clauses if "range" in c)["range"]["date"]
    assert bounds == {"gte": "2026-01-01T12:00:00Z", "lte": "2026-03-12T21:31:21Z"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bbox": (0, 95, 1, 96)}, "latitude"),
        ({"bbox": (0, 10, 1, 5)}, "minimum latitude"),
        ({"near": (0, 200, 5)}, "longitude"),
        ({"near": (0, 0, 0)}, "distance"),
    ],
)
def test_impossible_places_are_refused_with_a_reason(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SearchRequest(**kwargs)


def test_paging_token_round_trip_and_bad_tokens() -> None:
    response = {
        "hits": {
            "total": {"value": 2},
            "hits": [
                {"_id": "a", "_score": 1.0, "_source": {"text": "x"}, "sort": [1.0, 1700, "a"]}
            ],
        }
    }
    token = read_search_response(response, None).next
    assert token
    assert build_search_body(SearchRequest(after=token))["search_after"] == [1.0, 1700, "a"]
    with pytest.raises(ValueError, match="after"):
        build_search_body(SearchRequest(after="not-a-token"))


def test_histogram_interval_follows_the_range() -> None:
    def interval(**kwargs: object) -> str:
        body = build_search_body(SearchRequest(**kwargs))
        return body["aggs"]["histogram"]["date_histogram"]["calendar_interval"]

    assert interval(since=timedelta(hours=24)) == "hour"
    assert interval(since=timedelta(days=30)) == "day"
    assert interval(date_from=datetime(2020, 1, 1, tzinfo=UTC)) == "week"
    assert parse_since("7d") == timedelta(days=7)


def test_later_copies_can_be_left_out():
    assert "must_not" not in build_search_body(SearchRequest())["query"]["bool"]
    body = build_search_body(SearchRequest(duplicates=False))
    assert body["query"]["bool"]["must_not"] == [{"exists": {"field": "duplicate_of"}}]
    assert "fingerprint" in body["_source"]["excludes"]


def test_the_histogram_spans_the_whole_window_asked_for() -> None:
    def bounds(**kwargs: object) -> object:
        body = build_search_body(SearchRequest(**kwargs))
        return body["aggs"]["histogram"]["date_histogram"].get("extended_bounds")

    assert bounds(since=timedelta(days=7)) == {"min": "now-604800s", "max": "now"}
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 31, tzinfo=UTC)
    assert bounds(date_from=start, date_to=end) == {
        "min": "2026-01-01T00:00:00Z",
        "max": "2026-01-31T00:00:00Z",
    }
    assert bounds() is None  # all time: from the first article to the last


def test_a_hit_has_one_shape_for_the_api_and_the_command_line() -> None:
    from api.models import SearchHitOut
    from api.search import SearchHit

    article = {
        "countries": ["XX"],
        "places": [
            {"name": n, "start": 0, "end": 1, "lat": 1.0, "lon": 2.0, "metonymic": m}
            for n, m in (("Riverton", False), ("Capital", True))
        ],
        "events": [{"type": "flood", "fatalities": 0, "sentence": "not in a hit"}],
        "duplicate_of": None,
        "story": "s1",
    }
    hit = SearchHit("a1", 1.0, "Title", "Wire", None, None, [], [], article)
    summary = hit.summary()
    assert [p["name"] for p in summary["places"]] == ["Riverton"]  # literal places only
    assert summary["story"] == "s1" and "sentence" not in summary["events"][0]
    assert SearchHitOut.model_validate(summary).model_dump()["id"] == "a1"
