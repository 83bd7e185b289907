"""Stories: which articles are reports of one happening (processors/articles/stories.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from api.search import SearchRequest
from api.stories import StoriesRequest, build_stories_body, read_stories_response
from processors.articles.stories import (
    Member,
    event_key,
    growth,
    rank_stories,
    same_story,
    story_of,
    story_signature,
)


def _article(
    title: str,
    text: str,
    *,
    names: list[str] = (),  # type: ignore[assignment]
    event: tuple[str, str, str, str] | None = None,  # type, admin1, place, day
) -> dict[str, Any]:
    events = []
    if event:
        kind, admin1, place, day = event
        events = [
            {
                "type": kind.lower(),
                "acled_event_type": kind,
                "place": {"name": place, "admin1": admin1, "country_code": admin1[:2]},
                "date": day,
            }
        ]
    return {
        "title": title,
        "text": f"{title}\n\n{text}",
        "entity_keys": list(names),
        "events": events,
        "published_at": "2026-03-02T10:00:00Z",
    }


FLOOD_A = _article(
    "River bursts its banks in Riverton",
    "Floodwater swept through the lower town of Riverton overnight after the Kell river rose "
    "four metres. Mayor Ada Brennick said two hundred families had left their homes and the "
    "Red Cross opened a shelter in the school gymnasium.",
    names=["GPE:Riverton", "PERSON:Ada Brennick", "ORG:Red Cross", "LOC:Kell"],
    event=("Disaster", "XX-01", "Riverton", "2026-03-02"),
)
FLOOD_B = _article(
    "Hundreds flee as Kell floods Riverton",
    "Residents of Riverton waded through muddy water on Monday as the Kell river flooded the "
    "lower town. The Red Cross said its shelter was full; Ada Brennick, the mayor, asked for "
    "army help to move families from their homes.",
    names=["GPE:Riverton", "PERSON:Ada Brennick", "ORG:Red Cross", "LOC:Kell"],
    event=("Disaster", "XX-01", "Riverton", "2026-03-02"),
)
SHOOTING_1 = _article(
    "Man wounded in Riverton parking lot",
    "Someone fired at a shopper crossing a supermarket parking lot on Elm Road, hitting his "
    "leg, according to police. He is in stable condition. Nobody has been arrested yet.",
    names=["GPE:Riverton"],
    event=("Violence against civilians", "XX-01", "Riverton", "2026-03-02"),
)
SHOOTING_2 = _article(
    "Teenager killed at Riverton birthday party",
    "A seventeen-year-old was killed and two guests were hurt when gunfire broke out at a "
    "birthday celebration in a rented hall, investigators told reporters late on Monday.",
    names=["GPE:Riverton"],
    event=("Violence against civilians", "XX-01", "Riverton", "2026-03-02"),
)
TRADE = _article(
    "Ministers meet on port tariffs",
    "Trade ministers from five countries met in Porto Alegre to discuss shipping tariffs and a "
    "new customs code, according to a ministry communique.",
    names=["GPE:Porto Alegre"],
)


def _sig(article: dict[str, Any]) -> dict[str, Any]:
    return story_signature(article)


def test_event_key_is_type_region_place_and_day() -> None:
    assert event_key(FLOOD_A) == "event:Disaster:XX-01:riverton:2026-03-02"
    assert event_key(TRADE) is None  # no event


def test_two_reports_of_one_flood_are_one_story() -> None:
    assert same_story(_sig(FLOOD_A), _sig(FLOOD_B))


def test_two_shootings_in_one_town_on_one_day_are_two_stories() -> None:
    # same event type, place and day, but nothing else in common
    assert event_key(SHOOTING_1) == event_key(SHOOTING_2)
    assert not same_story(_sig(SHOOTING_1), _sig(SHOOTING_2))


def test_unrelated_articles_are_not_one_story() -> None:
    assert not same_story(_sig(FLOOD_A), _sig(TRADE))
    assert not same_story(_sig(FLOOD_A), _sig(SHOOTING_1))


def test_most_names_and_words_in_common_make_one_story_without_an_event() -> None:
    a = {**FLOOD_A, "events": []}
    b = {**FLOOD_B, "events": []}
    assert same_story(_sig(a), _sig(b))
    few_names = {**b, "entity_keys": ["GPE:Riverton", "ORG:Red Cross"]}
    assert not same_story(_sig(a), _sig(few_names))  # two names are not "most" of four


def _member(name: str, seen: str, article: dict[str, Any], story: str | None = None,
            duplicate_of: str | None = None) -> Member:  # fmt: skip
    return Member(name, seen, story, _sig(article), duplicate_of)


def test_an_article_joins_the_story_of_the_earliest_report_before_it() -> None:
    first = _member("a", "2026-03-02T08:00:00Z", FLOOD_A, story="a")
    second = _member("b", "2026-03-02T09:00:00Z", FLOOD_B, story="a")
    third = _member("c", "2026-03-02T10:00:00Z", FLOOD_B)
    assert story_of(third, [second, first, third]) == "a"


def test_the_first_report_starts_its_story_whatever_the_indexing_order() -> None:
    first = _member("a", "2026-03-02T08:00:00Z", FLOOD_A)
    later = _member("b", "2026-03-02T09:00:00Z", FLOOD_B, story="a")
    # a replay of the first report, with the later one already indexed: still its own story
    assert story_of(first, [later, first]) == "a"
    assert story_of(later, [later, first]) == "a"


def test_a_copy_is_in_its_originals_story() -> None:
    original = _member("a", "2026-03-02T08:00:00Z", TRADE, story="s1")
    copy = _member("b", "2026-03-02T09:00:00Z", FLOOD_A, duplicate_of="a")
    assert story_of(copy, [original]) == "s1"


def test_an_article_like_no_other_is_a_story_of_its_own() -> None:
    lone = _member("z", "2026-03-02T09:00:00Z", TRADE)
    assert story_of(lone, [_member("a", "2026-03-02T08:00:00Z", FLOOD_A, story="a")]) == "z"


def test_growth_is_the_recent_pace_above_the_storys_own_earlier_pace() -> None:
    # 6 reports in the last 2 h, none before: 3 an hour faster than before
    assert growth(6, 6, window_h=24, recent_h=2) == 3.0
    # 22 reports spread over the day, 2 in the last 2 h: no faster than before
    assert growth(2, 24, window_h=24, recent_h=2) == 0.0
    stories = [
        {"id": "old", "growth": 0.0, "articles": 24, "latest": "2026-03-02T10:00:00Z"},
        {"id": "new", "growth": 3.0, "articles": 6, "latest": "2026-03-02T09:00:00Z"},
        {"id": "tie", "growth": 0.0, "articles": 24, "latest": "2026-03-02T11:00:00Z"},
    ]
    assert [s["id"] for s in rank_stories(stories)] == ["new", "tie", "old"]


def test_names_and_words_in_common_are_not_enough_when_the_days_differ() -> None:
    later = {**FLOOD_B, "events": [{**FLOOD_B["events"][0], "date": "2026-04-20"}]}
    assert not same_story(_sig(FLOOD_A), _sig(later))
    # the same names and words, the main event on the same day at another level of place
    coarser = {
        **FLOOD_B,
        "events": [{**FLOOD_B["events"][0], "place": {"name": "Kell valley", "admin1": "XX-01"}}],
    }
    assert same_story(_sig(FLOOD_A), _sig(coarser))


def test_a_name_counts_whatever_label_the_ner_gave_it() -> None:
    relabelled = {**FLOOD_B, "events": [], "entity_keys": [
        "ORG:Riverton", "PERSON:Ada Brennick", "ORG:Red Cross", "GPE:Kell"]}  # fmt: skip
    assert same_story(_sig({**FLOOD_A, "events": []}), _sig(relabelled))


def test_top_stories_request_and_reading() -> None:
    req = StoriesRequest(
        SearchRequest(countries=("XX",)), timedelta(hours=24), timedelta(hours=2), breaking=3.0
    )
    body = build_stories_body(req)
    filters = body["query"]["bool"]["filter"]
    assert {"terms": {"countries": ["XX"]}} in filters
    assert {"range": {"date": {"gte": "now-86400s"}}} in filters
    assert body["aggs"]["stories"]["terms"]["field"] == "story"

    def bucket(key: str, total: int, recent: int, title: str) -> dict[str, Any]:
        empty = {"buckets": []}
        return {
            "key": key,
            "doc_count": total,
            "recent": {"doc_count": recent},
            "first": {"value_as_string": "2026-03-02T00:00:00.000Z"},
            "latest": {"value_as_string": "2026-03-02T10:00:00.000Z"},
            "headline": {"hits": {"hits": [{"_source": {"title": title}}]}},
            "sources": {"buckets": [{"key": "Wire", "doc_count": total}]},
            "places": empty,
            "countries": empty,
            "event_types": empty,
        }

    response = {"aggregations": {"stories": {"buckets": [
        bucket("steady", 30, 2, "Talks go on"), bucket("new", 8, 8, "Dam bursts")]}}}  # fmt: skip
    stories = read_stories_response(response, req)
    assert [s["id"] for s in stories] == ["new", "steady"]
    assert stories[0]["breaking"] and stories[0]["growth"] == 4.0
    assert not stories[1]["breaking"]
    assert stories[0]["sources"] == [{"value": "Wire", "count": 8}]
    with pytest.raises(ValueError, match="shorter than the window"):
        StoriesRequest(SearchRequest(), timedelta(hours=2), timedelta(hours=2), breaking=3.0)
