"""Event types, actors and counts on sentences written for these tests (loads spaCy)."""

import pytest

pytestmark = pytest.mark.model


def test_a_murder_suicide_is_an_attack(enrich):
    article = enrich("A man and his wife were found dead in an apparent murder-suicide in Macon.")
    assert event_of(article)["type"] == "attack"


def event_of(article):
    assert article["events"], "no event found"
    return article["events"][0]


def types_of(article):
    """The types of an article's events, most salient first."""
    return [e["type"] for e in article["events"]]


def test_air_strike_with_actor_place_and_deaths(enrich):
    article = enrich(
        "On 3 March 2021, an airstrike by the Afghan air force killed 12 civilians in "
        "Kunduz, officials said."
    )
    event = event_of(article)
    assert event["type"] == "air_strike" and event["fatalities"] == 12
    assert event["place"]["country_code"] == "AF" and event["date"] == "2021-03-03"
    assert "Afghan" in (event["actor1"] or "")


def test_protests_are_refined_by_what_met_them(enrich):
    violent = event_of(enrich("Protesters threw stones at police and burned tyres in Lagos."))
    assert violent["type"] == "violent_demonstration"
    dispersed = event_of(
        enrich("Police fired tear gas to disperse a march by teachers in Nairobi.")
    )
    assert dispersed["type"] == "protest_with_intervention"
    calm = event_of(
        enrich("Hundreds of nurses held a peaceful protest outside parliament in Accra.")
    )
    assert calm["type"] == "peaceful_protest"


def test_killing_soldiers_is_a_battle_and_killing_civilians_an_attack(enrich):
    battle = event_of(enrich("Militants killed four soldiers at a checkpoint near Mosul."))
    assert battle["type"] == "armed_clash" and battle["fatalities"] == 4
    attack = event_of(enrich("Gunmen shot dead a teacher and two farmers near Mosul."))
    assert attack["type"] == "attack" and attack["fatalities"] == 3


def test_no_casualties_and_negated_events(enrich):
    event = event_of(
        enrich("A roadside bomb exploded near a convoy in Kandahar. No casualties were reported.")
    )
    assert event["type"] == "ied" and event["fatalities"] == 0
    assert enrich("There was no armed clash in the village, residents said.")["events"] == []


def test_arrest_counts(enrich):
    event = event_of(enrich("Police arrested 31 people in Santiago on Thursday."))
    assert event["type"] == "arrests" and event["arrested"] == 31


def test_a_verb_and_its_distant_preposition_make_a_clash(enrich):
    article = enrich(
        "Separatist units fired with heavy machine guns on the positions of the army near "
        "the border on Tuesday."
    )
    assert article["events"][0]["type"] == "armed_clash"
    assert article["events"][0]["trigger"] == "fired"


def test_opening_fire_on_an_armed_convoy_is_a_battle(enrich):
    article = enrich(
        "On Monday, gunmen opened fire on a truck carrying border guards near the dam."
    )
    assert article["events"][0]["type"] == "armed_clash"
    civilians = enrich("On Monday, gunmen opened fire on a wedding party near the dam.")
    assert civilians["events"][0]["type"] == "attack"


@pytest.mark.parametrize(
    "body",
    [
        "On 3 June 2021, hundreds of traders demonstrated in Kumasi against a new market tax. "
        "Some of them later clashed with police officers near the town hall.",
        "On 3 June 2021, villagers protested near Thies against a planned quarry. They blocked "
        "a road and clashed with soldiers who came to disperse them.",
    ],
)
def test_a_clash_of_demonstrators_with_police_is_the_demonstration_turning_violent(enrich, body):
    assert types_of(enrich(body)) == ["violent_demonstration"]


def test_a_battle_beside_a_demonstration_stays_a_battle(enrich):
    article = enrich(
        "On 3 June 2021, students held a rally in Kumasi over fees. Separately, the army "
        "clashed with armed bandits near Tamale."
    )
    assert "armed_clash" in types_of(article)


def test_a_flight_from_the_scene_is_part_of_the_incident(enrich):
    article = enrich(
        "Two men were shot dead outside a bar in Dayton on Friday. The gunmen fled in a red car, "
        "police said."
    )
    assert types_of(article) == ["attack"]


def test_an_escape_from_a_jail_stays_an_event(enrich):
    article = enrich(
        "A guard was stabbed at a jail in Dayton on Friday. Three inmates escaped from the jail "
        "during the attack."
    )
    assert "escape" in types_of(article)


def test_a_shooting_told_as_an_attack_then_as_an_accident_is_one_accident(enrich):
    article = enrich(
        "A boy of seven was shot at a home in Dayton on Sunday. Police said his brother "
        "accidentally shot him while playing with their father's pistol."
    )
    assert types_of(article) == ["accidental_shooting"]


def test_a_stabbing_beside_an_accidental_shooting_stays_an_attack(enrich):
    article = enrich(
        "A man was stabbed outside a bar in Dayton on Sunday. Police said a boy accidentally "
        "shot himself at a home in Dayton the same night."
    )
    assert sorted(types_of(article)) == ["accidental_shooting", "attack"]
