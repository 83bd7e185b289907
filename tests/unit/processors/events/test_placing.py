"""Where an event happened, on sentences written for these tests (loads spaCy): not a
hospital, not the newsroom, not a namesake of another state."""

import pytest

from tests.unit.processors.helpers import place

pytestmark = pytest.mark.model


def test_a_place_inside_a_hospital_s_name_is_not_where_it_happened(enrich):
    article = enrich(
        "Seven people were shot in a park in Dayton, Ohio, on Friday night.\n"
        "Two of the wounded were later driven to Mount Sinai Hospital by friends."
    )
    assert [e["place"]["admin1"] for e in article["events"]] == ["US-OH"]  # one incident


@pytest.mark.parametrize(
    ("body", "name", "admin1"),
    [
        ("A man was shot on Sunday night, Dayton police said.", "Dayton", "US-OH"),
        ("Three teenagers were hurt in the shooting, DC police officials said.", "DC", "US-DC"),
        ("Fresno firefighters pulled two people from the burning house.", "Fresno", "US-CA"),
        ("Cook County sheriff's deputies found the car on Monday.", "Cook County", "US-IL"),
    ],
)
def test_a_place_naming_its_local_force_is_where_it_happened(enrich, body, name, admin1):
    found = place(enrich(body), name)
    assert (found["admin1"], found["metonymic"]) == (admin1, False)
    assert enrich(body)["location"] is not None


@pytest.mark.parametrize(
    "body",
    [
        "US air force jets struck targets near Raqqa on Monday.",
        "Two US officers were wounded in a blast near Kandahar on Monday.",
    ],
)
def test_a_national_force_modifier_is_still_whose_not_where(enrich, body):
    assert place(enrich(body), "US")["metonymic"] is True


def test_a_facility_on_which_it_happened_is_a_street_not_a_town(enrich):
    assert (
        enrich("A man was hurt in a shooting outside a bar on Broadway on Friday.")["places"] == []
    )
    assert (
        place(enrich("Rebels launched an attack on Aleppo on Monday."), "Aleppo")["country_code"]
        == "SY"
    )


def test_a_bare_dateline_is_its_own_sentence_and_does_not_place_the_incident(enrich):
    article = enrich(
        "Herders attacked\n\nNAIROBI — Gunmen killed four herders in Turkana county on "
        "Monday, police said."
    )
    assert article["events"][0]["place"]["admin1"] == "KE-43"  # Turkana, not Nairobi


def test_a_headline_without_a_place_is_placed_by_the_casualties_it_folds_in(enrich):
    article = enrich(
        "Bus crash leaves nine dead\n\nLIMA — A bus plunged off a mountain road in the Cusco "
        "region on Wednesday, killing nine passengers, police said."
    )
    [event] = article["events"]
    assert (event["type"], event["fatalities"], event["place"]["admin1"]) == (
        "transport_accident",
        9,
        "PE-CUS",
    )


def test_copy_filed_from_a_capital_is_placed_in_the_region_it_tells_of(enrich):
    article = enrich(
        "Strong quake felt across Japan\n\nTOKYO — A magnitude 6.1 earthquake struck off "
        "the coast of Miyagi on Friday, the weather agency said."
    )
    assert article["events"][0]["place"]["admin1"] == "JP-04"  # Miyagi, not Tokyo
    assert place(article, "TOKYO")["capital"] is True


def test_a_town_of_another_state_in_local_news_is_still_the_story_s_town(enrich):
    article = enrich(
        "DAYTON, Ohio — A man was shot and wounded outside a bar on Austin Boulevard "
        "near Austin on Friday, Dayton police said."
    )
    assert article["events"][0]["place"]["admin1"] == "US-OH"


def test_a_capital_s_bare_dateline_is_a_newsroom_when_the_text_names_elsewhere(enrich):
    article = enrich(
        "Protests spread in Kenya\n\nNAIROBI — Protesters blocked roads in Kisumu on "
        "Wednesday and police fired tear gas, officials said."
    )
    assert place(article, "NAIROBI")["newsroom"] is True
    assert article["events"][0]["place"]["name"] == "Kisumu"


def test_a_town_an_armed_group_is_named_after_does_not_place_its_fights(enrich):
    article = enrich("On Monday, Fano militia clashed with federal troops near an unnamed hill.")
    assert article["events"][0]["place"] is None


def test_names_the_ner_ran_across_a_bracket_are_still_found(enrich):
    article = enrich(
        "On 3 May 2022, rebels shelled residential areas of Hays (Hays, Al Hudaydah), "
        "injuring 2 children."
    )
    [event] = article["events"]
    assert (event["place"]["country_code"], event["injured"]) == ("YE", 2)


def test_of_two_towns_alike_the_one_it_happened_in_is_the_place(enrich):
    # a town in the subject ("a Dallas native") and the town the verb puts the killing in:
    # the second sentence tells the lead's killing again, one incident
    article = enrich(
        "A man was shot dead in Tulsa on Friday. Dallas native Casey Lee was killed in "
        "Tulsa while visiting relatives."
    )
    assert [e["place"]["name"] for e in article["events"]] == ["Tulsa"]


def test_where_a_shell_was_fired_from_is_not_where_it_fell_even_after_the(enrich):
    article = enrich(
        "On 3 June 2021, militants fired two mortar shells from the West Bank into Jordan."
    )
    assert article["events"][0]["place"]["country_code"] == "JO"
