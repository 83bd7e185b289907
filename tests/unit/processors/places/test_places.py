"""Place resolution on sentences written for these tests (loads spaCy): namesakes, qualifiers,
datelines, units, directions, teams, names the NER missed."""

import pytest
import spacy
from spacy.tokens import Span

from processors.places.names import with_unit_name
from tests.unit.processors.helpers import place

pytestmark = pytest.mark.model


def test_a_region_after_a_comma_pins_the_town(enrich):
    article = enrich("A vigil was held in Parkland, Florida, on Sunday. Parkland is grieving.")
    assert [p["admin1"] for p in article["places"] if p["name"] == "Parkland"] == [
        "US-FL",
        "US-FL",  # one sense per article
    ]


def test_the_article_geography_decides_between_namesakes(enrich):
    caucasus = enrich(
        "Georgia accused Russia of moving troops near Tbilisi. Officials in Georgia said "
        "the talks in Tbilisi had failed."
    )
    assert place(caucasus, "Georgia")["country_code"] == "GE"
    south = enrich(
        "Storms hit Georgia overnight. Power was cut across Atlanta and Savannah, "
        "Georgia officials said."
    )
    assert place(south, "Georgia")["admin1"] == "US-GA"


def test_counties_in_a_list_are_counties(enrich):
    article = enrich("Sheriffs of Madison, Jackson and Barrow counties in Georgia met on Monday.")
    jackson = place(article, "Jackson")
    assert jackson["kind"] == "admin2" and jackson["admin1"] == "US-GA"


def test_an_unknown_village_is_placed_at_the_region_that_qualifies_it(enrich):
    article = enrich("On 2 May 2020, gunmen killed two farmers in Zzyxabad (Dessa, Tillaberi).")
    village = place(article, "Zzyxabad")
    assert village["country_code"] == "NE" and village["confidence"] <= 0.5


def test_a_name_placed_at_a_town_the_article_names_follows_that_town_s_sense(enrich):
    article = enrich(
        "Deputies in Paulding County said a boy was shot on Sunday. He was flown to "
        "Zzyx Memorial Hospital in Rome, and officers in Rockmart are searching for a man."
    )
    hospital = place(article, "Zzyx Memorial Hospital")
    rome = place(article, "Rome")
    assert rome["admin1"] == "US-GA"  # the hospital does not vouch for Rome, Italy
    assert hospital["approximate"] and (hospital["lat"], hospital["lon"]) == (
        rome["lat"],
        rome["lon"],
    )


def test_numbered_venues_and_quadrant_abbreviations_are_no_towns(enrich):
    club = enrich("One man was killed in a shooting at Club 21, 400 Main Street in Tulsa.")
    assert [p["name"] for p in club["places"]] == ["Tulsa"]
    assert club["events"][0]["place"]["name"] == "Tulsa"
    quadrant = enrich("Police were called to Wheeler Road SE, where five were shot.")
    assert quadrant["places"] == []


def test_a_unit_the_ner_cut_from_its_name_is_given_back_to_the_office_s_name():
    nlp = spacy.blank("en")
    doc = nlp("according to the Ouachita Parish Sheriff's Office, which")
    cut = Span(doc, 4, 8, label="PERSON")  # "Parish Sheriff's Office", as a small NER may
    whole = with_unit_name(cut, {4, 5, 6, 7})
    assert (whole.text, whole.label_) == ("Ouachita Parish Sheriff's Office", "ORG")
    the = nlp("said the County Sheriff's Office")
    assert with_unit_name(Span(the, 2, 6, label="ORG"), set()).start == 2


def test_directions_inside_a_country_and_metonymy(enrich):
    article = enrich(
        "Moscow denied the report. Fighting continued in northern Syria, where Syrian "
        "forces shelled two villages."
    )
    north = place(article, "northern Syria")
    assert north["country_code"] == "SY" and north["lat"] > 35.5
    assert place(article, "Moscow")["metonymic"] is True
    assert place(article, "Syrian")["kind"] == "demonym" and place(article, "Syrian")["metonymic"]
    assert "RU" not in article["countries"] and "SY" in article["countries"]


def test_sports_teams_named_after_places_are_organisations(enrich):
    article = enrich(
        "CRICKET - LEICESTERSHIRE WIN .\nLeicestershire defeated Somerset by 39 runs on "
        "Friday at their home ground, while Essex drew with Kent."
    )
    labels = {e["text"]: e["label"] for e in article["entities"]}
    assert labels["Somerset"] == "ORG" and labels["Essex"] == "ORG"
    assert all(p["metonymic"] for p in article["places"] if p["name"] in ("Somerset", "Essex"))


def test_later_links_of_a_place_chain_are_places(enrich):
    # the NER takes chain links for people or organisations; their position says otherwise
    article = enrich("Soldiers searched homes in Barangay Lumbac, Marawi, Lanao del Sur on Friday.")
    assert place(article, "Marawi")["country_code"] == "PH"
    assert place(article, "Lanao del Sur")["country_code"] == "PH"


def test_a_locative_inside_a_name_splits_it():
    import spacy
    from spacy.tokens import Span

    from processors.places.names import split_at_locative

    doc = spacy.blank("en")("A rally in the town of Kafr Nabl in Idleb province ended.")
    merged = Span(doc, 6, 10, "ORG")  # "Kafr Nabl in Idleb", as the NER may take it
    assert [(e.text, e.label_) for e in split_at_locative(doc, [merged])] == [
        ("Kafr Nabl", "ORG"),
        ("Idleb", "ORG"),
    ]


def test_another_romanisation_of_a_known_name_is_found(enrich):
    article = enrich("A car bomb went off near a bakery in Quamishli city on Friday.")
    town = place(article, "Quamishli")
    assert town["country_code"] == "SY" and town["admin1"] == "SY-HA"
    assert article["events"][0]["place"]["country_code"] == "SY"


def test_a_sound_alike_abroad_does_not_stand_in_for_an_unknown_village(enrich):
    # "Mankwi" sounds like the Manche department of France; the article is about Cameroon
    article = enrich(
        "Soldiers shot dead two men in Mankwi village, Bafut subdivision, in Cameroon on Monday."
    )
    assert "FR" not in article["countries"]
    assert article["events"][0]["place"]["name"] == "Bafut"


def test_a_qualifier_is_read_in_the_country_the_article_names(enrich):
    article = enrich(
        "In Nepal, police clashed with cadres in Zzyx locality of Mai Municipality (Ilam "
        "district) on Sunday."
    )
    assert place(article, "Ilam")["country_code"] == "NP"
    assert "IR" not in article["countries"]


def test_a_demonym_before_a_unit_word_names_the_region(enrich):
    article = enrich("Police shot a civilian in Zzyxville, Shabelle Zone (Somali region).")
    assert place(article, "Somali")["country_code"] == "ET"


def test_administrative_units_make_places_of_names_the_ner_missed(enrich):
    article = enrich(
        "Locals clashed with herders in Zzyx village, Biankouma subdivision (Tonkpi, Montagnes)."
    )
    assert article["events"][0]["place"]["name"] == "Biankouma"


def test_hyphenated_and_coordinated_names_are_places(enrich):
    article = enrich(
        "Militants attacked an army convoy on the highway between Homs and Deir-ez-Zor, "
        "killing four soldiers."
    )
    names = {p["name"]: p["country_code"] for p in article["places"]}
    assert names.get("Deir-ez-Zor") == "SY" and names.get("Homs") == "SY"


def test_an_unknown_village_stands_at_its_region_s_main_town_not_its_middle(enrich):
    # the Kidal region of Mali spans the desert; its towns are far from the middle of it
    article = enrich("On 9 May 2020, gunmen seized a vehicle in Zzyxout (Kidal).")
    village = place(article, "Zzyxout")
    assert village["country_code"] == "ML" and village["confidence"] <= 0.5
    assert abs(village["lat"] - 18.44) < 0.1 and abs(village["lon"] - 1.41) < 0.1  # Kidal town
    region = place(enrich("Gunmen seized a vehicle in the Kidal region of Mali."), "Kidal")
    assert region["lat"] > 19  # the region named itself keeps the middle of its extent


def test_a_dateline_in_capitals_is_a_place(enrich):
    article = enrich("BEIRUT, Lebanon -- Officials said on Monday that the port would reopen.")
    beirut = place(article, "BEIRUT")
    assert beirut["country_code"] == "LB" and not beirut["metonymic"]


@pytest.mark.parametrize(
    ("body", "name", "admin1"),
    [
        (
            "SALT LAKE CITY - A clerk was hurt when a car hit a bus shelter.",
            "SALT LAKE CITY",
            "US-UT",
        ),
        ("ST. LOUIS (AP) - A driver was hurt when a car hit a bus shelter.", "ST. LOUIS", "US-MO"),
        ("The city said.\nFT. MYERS, Fla. - A clerk was hurt in a crash.", "FT. MYERS", "US-FL"),
    ],
)
def test_a_dateline_name_cut_by_the_model_is_one_place(enrich, body, name, admin1):
    # the small model reads "SALT" as an organisation and "LAKE CITY" as a place (a Florida
    # town), "ST" and "LOUIS" apart: the gazetteer knows the name whole, so it is one place
    assert place(enrich(body), name)["admin1"] == admin1


def test_a_form_of_address_is_no_state(enrich):
    # "Ms." is also Mississippi's postal code; before a name it is a form of address
    article = enrich("A boy was hurt at a pool in Dayton. Ms. Ortega, a lifeguard, called 911.")
    assert [p["name"] for p in article["places"]] == ["Dayton"]


def test_a_hospital_s_name_and_a_feast_are_no_places(enrich):
    # "Mount" alone and the "Carmel" of a hospital's name (a town in Indiana, and in
    # California); "Easter" before a noun is the feast
    hospital = enrich(
        "After the crash in Harlem the cyclist spent a night at Mount Carmel Hospital."
    )
    assert [p["name"] for p in hospital["places"]] == ["Harlem"]
    feast = enrich("Two guests were hurt when a tent fell at an Easter picnic in Tulsa.")
    assert [p["name"] for p in feast["places"]] == ["Tulsa"]


def test_a_bare_name_is_a_town_before_a_division_abroad(enrich):
    # "Durham" alone: the North Carolina city, not the Canadian regional municipality that
    # shares the name (a division is meant when the text says "County" or "Region")
    town = enrich("A teenager was shot at an apartment complex in Durham on Sunday night.")
    assert place(town, "Durham")["kind"] == "city"
    region = enrich("Police in Durham Region, Ontario, said two men were arrested.")
    assert place(region, "Durham Region")["country_code"] == "CA"


@pytest.mark.parametrize(
    ("body", "town", "admin1"),
    [
        ("A boy was shot in Lima, OH on Friday.", "Lima", "US-OH"),
        ("Police in Portland, ME said a man was shot.", "Portland", "US-ME"),
        ("Two women were hurt in a crash in Kingston, ON on Monday.", "Kingston", "CA-ON"),
    ],
)
def test_a_postal_code_after_a_comma_is_the_state(enrich, body, town, admin1):
    # "OH", "ME", "ON" are words too, so they are no place alone; after "Town," they pin it
    assert place(enrich(body), town)["admin1"] == admin1


def test_a_named_unit_lies_in_its_qualifier_not_at_a_namesake_abroad(enrich):
    # "X district, Y province": the district is in Y, whatever Indian district shares its name
    article = enrich("Troops detained three men in Ahmadabad district, Paktiya province, today.")
    assert place(article, "Ahmadabad")["country_code"] == "AF"
    # "wa" ("and") inside a district's name keeps the name whole
    linked = enrich("Elders met officials in Pachir wa Agam district, Nangarhar province.")
    assert place(linked, "Pachir wa Agam")["admin1"] == "AF-NAN"


@pytest.mark.parametrize(
    "body",
    [
        # Unicode's line separator breaks lines as "\n" does
        "Press Office\u2028For Immediate Release\u2028KABUL, Afghanistan (Jan. 3, 2012)\u2028"
        "In Dorkhani district, Helmand province, a patrol killed two insurgents.",
        # a "CITY, Country (date)" dateline after a header on the same line
        "From the press office: KABUL, Afghanistan (Jan. 3) – A patrol killed two insurgents "
        "in Dorkhani district, Helmand province.",
    ],
)
def test_a_dateline_after_a_page_header_is_the_newsroom(enrich, body):
    article = enrich(body)
    assert place(article, "KABUL")["newsroom"] is True
    assert article["events"][0]["place"]["admin1"] == "AF-HEL"


def test_a_city_s_possessive_pins_its_neighbourhood(enrich):
    # "Chicago's Lawndale" is in Chicago, not the Californian town of that name
    article = enrich("A teenager was wounded in Chicago's Lawndale neighborhood late on Friday.")
    assert place(article, "Lawndale")["admin1"] == "US-IL"


def test_two_ambiguous_names_settle_on_the_reading_they_share(enrich):
    # alone, each name has its likeliest sense (the Alabaman town, the Kentuckian county);
    # together, the town that is nearly certain decides the county, not the other way round
    alone = enrich("Jefferson County deputies are investigating.")
    assert place(alone, "Jefferson County")["admin1"] == "US-KY"
    article = enrich(
        "A woman was wounded at a gas station near Bessemer on Friday.\n"
        "Jefferson County deputies are investigating."
    )
    assert place(article, "Bessemer")["admin1"] == "US-AL"
    assert place(article, "Jefferson County")["admin1"] == "US-AL"


def test_a_town_named_twice_vouches_for_its_state_once(enrich):
    # a small town of another state, named twice, does not draw a big city to its namesake
    article = enrich(
        "MIAMI -- A woman was shot outside a store in Miami on Monday. She grew up in Kountze, "
        "and her parents still live in Kountze, relatives said. Miami police want a gray sedan."
    )
    assert {p["admin1"] for p in article["places"] if p["name"].lower() == "miami"} == {"US-FL"}


@pytest.mark.parametrize(
    "body",
    [
        "Oil prices rose as storms crossed the gulf on Tuesday.",
        "Riders on the metro waited an hour on Monday.",
    ],
)
def test_a_lowercase_word_is_no_place(enrich, body):
    # the NER tags them; the gazetteer has a Gulf province and a Metro town far away
    assert enrich(body)["places"] == []


def test_a_side_of_the_city_is_no_town_of_its_own(enrich):
    article = enrich("Three men were shot on the South Side on Saturday, Chicago police said.")
    assert [p["name"] for p in article["places"]] == ["Chicago"]


def test_a_name_cut_from_its_head_is_the_whole_or_nothing(enrich):
    # the NER tags "Sinai" alone: a hospital's name, not the peninsula
    article = enrich("The boy was treated at Mount Sinai and released on Sunday.")
    assert [p["name"] for p in article["places"]] in ([], ["Mount Sinai"])
    assert enrich("Soldiers at Fort Hood were told to stay indoors.")["places"] == []


@pytest.mark.parametrize(
    ("body", "name", "admin1"),
    [
        ("Two men were shot and wounded in South Florida on Sunday.", "South Florida", "US-FL"),
        ("Wildfires spread across Northern California overnight.", "Northern California", "US-CA"),
        ("The storm dropped a foot of snow on Western New York.", "Western New York", "US-NY"),
    ],
)
def test_a_direction_opening_an_unknown_name_is_part_of_the_place_the_rest_names(
    enrich, body, name, admin1
):
    assert place(enrich(body), name)["admin1"] == admin1


def test_names_known_whole_keep_their_direction(enrich):
    article = enrich("She moved from South Africa to West Virginia in May.")
    assert place(article, "South Africa")["country_code"] == "ZA"
    assert place(article, "West Virginia")["admin1"] == "US-WV"


def test_a_direction_before_a_minor_namesake_is_a_street_not_a_village(enrich):
    article = enrich("The car crashed on south Grand near the bridge on Tuesday.")
    assert all(p.get("country_code") in (None, "US") for p in article["places"])


@pytest.mark.parametrize(
    "body",
    [
        "Metro police said a driver died after a crash at a junction on Friday.",
        "Transit police said two riders were hurt on the train.",
    ],
)
def test_a_word_for_a_level_of_government_before_a_force_is_no_town(enrich, body):
    assert enrich(body)["places"] == []


def test_a_station_brand_is_a_place_inside_a_name_not_the_story_place(enrich):
    article = enrich(
        "Two men were wounded by gunfire outside a bar in Pflugerville on Sunday, police "
        "said.\n\nCopyright 2020 by KXAN 36 Austin. All rights reserved."
    )
    assert article["events"][0]["place"]["name"] == "Pflugerville"
    assert place(article, "Austin")["role"] == "embedded"


@pytest.mark.parametrize(
    ("body", "name", "admin1"),
    [
        ("She moved to West Virginia in May to be near her sister.", "West Virginia", "US-WV"),
        ("The family settled in Ohio in March after the flood.", "Ohio", "US-OH"),
    ],
)
def test_a_month_after_in_does_not_pin_the_place_before_it(enrich, body, name, admin1):
    found = place(enrich(body), name)
    assert (found["admin1"], found.get("approximate", False)) == (admin1, False)


def test_a_capital_with_its_own_qualifier_is_local_news(enrich):
    article = enrich("WASHINGTON, D.C. — Two men were wounded by gunfire on Friday, police said.")
    assert not place(article, "WASHINGTON").get("newsroom")
    assert article["events"][0]["place"]["admin1"] == "US-DC"


def test_a_known_first_word_of_an_unknown_qualifier_is_no_qualifier(enrich):
    # "Bulo" alone is a town elsewhere; the unknown "Bulo Mareer" in the brackets is not it
    article = enrich(
        "Militants attacked a base in Bulo Mareer (Bulo Mareer, Lower Shabelle) on Monday."
    )
    assert {p["country_code"] for p in article["places"]} <= {"SO"}


def test_a_qualifier_may_still_be_a_name_before_its_unit_word(enrich):
    article = enrich("Fighting was reported in Musa Qala (Helmand Province) on Monday.")
    assert place(article, "Musa Qala")["admin1"] == "AF-HEL"


def test_a_unit_word_alone_is_no_place(enrich):
    article = enrich("Militiamen clashed with troops in Kebele on Monday near the market.")
    assert all(p["name"] != "Kebele" for p in article["places"])


def test_a_date_before_a_town_is_no_station_brand(enrich):
    article = enrich("On June 5 Dallas police said two men were wounded outside a bar.")
    assert place(article, "Dallas")["role"] == "literal"


@pytest.mark.parametrize(
    ("body", "name", "admin1"),
    [
        ("Two teens were shot in Humble on Monday evening, deputies said.", "Humble", "US-TX"),
        ("A woman was hurt in Hope late Sunday, police said.", "Hope", "US-AR"),
    ],
)
def test_a_town_named_by_an_ordinary_word_between_in_and_a_time_is_a_place(
    enrich, body, name, admin1
):
    assert place(enrich(body), name)["admin1"] == admin1


def test_a_body_that_sits_is_no_town_of_its_name(enrich):
    assert enrich("The bill passed in Congress on Monday.")["places"] == []


def test_a_name_given_an_age_is_a_person_wherever_it_recurs(enrich):
    # a given name that is also a town: an age between commas says a person
    article = enrich("Tyler, 12, was wounded in Dayton. Tyler is in stable condition.")
    assert [p["name"] for p in article["places"]] == ["Dayton"]
    event = article["events"][0]
    assert (event["place"]["admin1"], event["injured"]) == ("US-OH", 1)


def test_a_name_with_its_article_is_rather_a_place_of_that_whole_name(enrich):
    # "El Dorado" is the name of towns of its own; a place named without the article
    # ("Dorado") is a weaker reading. With no town of the whole name, the article still goes.
    assert (
        place(enrich("A man was shot dead in El Dorado on Friday."), "El Dorado")["country_code"]
        == "US"
    )
    assert (
        place(enrich("Shells fell on al-Hasakah on Monday."), "al-Hasakah")["country_code"] == "SY"
    )


def test_an_american_address_style_tells_the_country_of_an_ambiguous_town(enrich):
    # "the 400 block of ..." is how US police and local news give an address
    article = enrich("Two men were shot on a porch in the 400 block of Elm Street in Chatham.")
    assert place(article, "Chatham")["country_code"] == "US"
