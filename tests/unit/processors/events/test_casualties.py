"""Counts from casualty statements, the article as incidents, disasters (loads spaCy).

Every sentence here is written for these tests; each states a general pattern of news
language (ages are no counts, "shot" alone is hurt, a headline repeats the lead).
"""

import pytest

pytestmark = pytest.mark.model


def top(article):
    assert article["events"], "no event found"
    return article["events"][0]


def largest(article, field):
    return max((e.get(field) or 0 for e in article["events"]), default=0)


@pytest.mark.parametrize(
    ("body", "fatalities"),
    [
        ("A 9-year-old girl was killed in the shooting on Friday.", 1),
        ("Officers found a 45-year-old man shot dead inside the home.", 1),
        ("Jane Roe, 34, was fatally stabbed at the scene, police said.", 1),
        ("A man aged 52 and his 20-year-old son were killed in the attack.", 2),
        ("The gunman fired 30 rounds into the crowd, killing four.", 4),
        ("Three customers were shot and killed near the 300 block of Elm Street at 11:30 p.m.", 3),
    ],
)
def test_ages_times_addresses_and_rounds_are_never_counts(enrich, body, fatalities):
    assert top(enrich(body))["fatalities"] == fatalities


def test_shot_alone_is_hurt_and_shot_dead_is_killed(enrich):
    event = top(enrich("Five people were shot Sunday night, two of them fatally."))
    assert (event["fatalities"], event["injured"]) == (2, 3)
    hurt = top(enrich("A courier was shot in his arm and is expected to survive."))
    assert (hurt["fatalities"], hurt["injured"]) == (0, 1)
    killed = top(enrich("Two brothers were shot and killed outside a store."))
    assert (killed["fatalities"], killed["injured"] or 0) == (2, 0)


def test_shot_then_a_number_fatally_is_a_partitive(enrich):
    event = top(enrich("Four men were shot, one fatally, outside a bar in Toledo late Friday."))
    assert (event["fatalities"], event["injured"]) == (1, 3)


def test_a_headline_list_gives_each_number_to_its_own_word(enrich):
    event = top(
        enrich("Police are looking for two gunmen.", title="2 killed, 5 injured in Omaha shooting")
    )
    assert (event["fatalities"], event["injured"]) == (2, 5)


def test_a_headline_without_were_names_the_victims(enrich):
    article = enrich("Police have no suspect yet.", title="Father, son fatally shot in north Tulsa")
    assert top(article)["fatalities"] == 2
    shooter = enrich("Witnesses said the gunman shot at officers outside a bar in Tulsa.")
    assert largest(shooter, "injured") == 0 and largest(shooter, "fatalities") == 0


def test_the_dead_are_not_also_the_hurt(enrich):
    wound = top(enrich("A boy died of a gunshot wound at a hospital in Flint on Sunday."))
    assert (wound["fatalities"], wound["injured"] or 0) == (1, 0)
    later = top(enrich("A man was injured in the robbery and later died, police in Flint said."))
    assert (later["fatalities"], later["injured"] or 0) == (1, 0)


def test_one_more_named_beside_another_is_counted_once_per_telling(enrich):
    body = (
        "Troops killed the rebel commander Abu Salim and one additional fighter in a raid. "
        "The troops returned fire, killing Abu Salim and one additional fighter."
    )
    assert largest(enrich(body), "fatalities") == 2


def test_people_along_with_others_share_what_befell_them(enrich):
    event = top(enrich("Soldiers detained a smuggler along with two of his drivers near Gao."))
    assert event["arrested"] == 3


def test_people_hit_by_gunfire_were_shot(enrich):
    event = top(enrich("A toddler and two women were struck by gunfire outside a diner in Macon."))
    assert event["injured"] == 3
    fire = enrich("Two firefighters were caught in a house fire in Macon and treated for burns.")
    assert largest(fire, "injured") != 3 and largest(fire, "fatalities") == 0


def test_a_second_clause_keeps_its_own_number(enrich):
    event = top(enrich("Thirteen were injured and one killed when gunfire broke out."))
    assert (event["fatalities"], event["injured"]) == (1, 13)


def test_the_headline_repeats_the_lead_and_is_not_added_to_it(enrich):
    article = enrich(
        "Police said a shooting killed three people and wounded two others late Tuesday. "
        "Detectives have not named a suspect.",
        title="3 dead, 2 hurt in shooting at a party",
    )
    assert largest(article, "fatalities") == 3
    assert largest(article, "injured") == 2


def test_others_hurt_beside_the_dead_are_not_added_to_the_headline_s_count(enrich):
    article = enrich(
        "A man and two teenagers were shot dead outside a gas station in Dayton, Ohio, on "
        "Saturday night.\n\nTwo other people had also been wounded, officers said.",
        title="Police: 3 dead, 2 wounded in Ohio shooting",
    )
    assert (largest(article, "fatalities"), largest(article, "injured")) == (3, 2)


def test_one_more_victim_adds_to_the_body_s_count_not_to_the_headline_s(enrich):
    article = enrich(
        "A woman was killed when a shooter fired into a diner on Main Street.\n\n"
        "Another woman also died later at a hospital, police said.",
        title="Two dead in diner shooting",
    )
    assert largest(article, "fatalities") == 2
    untitled = enrich(  # a lead of one line is no headline
        "A woman was killed when a shooter fired into a diner on Main Street.\n\n"
        "Another woman also died later at a hospital, police said."
    )
    assert largest(untitled, "fatalities") == 2


@pytest.mark.parametrize(
    "body",
    [
        "Deputies said three men were wounded in a parking lot late Sunday. One of "
        "them, a 41-year-old, died at a hospital.",
        "Three people were wounded in the attack, one of whom later died.",
    ],
)
def test_the_dead_told_as_one_of_the_hurt_are_taken_from_the_hurt(enrich, body):
    event = top(enrich(body))
    assert (event["fatalities"], event["injured"]) == (1, 2)


@pytest.mark.parametrize(
    "body",
    [
        "Two men were shot outside a bar on Elm Street. One of them died from his injuries.",
        "Two men were shot outside a bar on Elm Street. One of them later succumbed to his wounds.",
        "Two men were shot outside a bar on Elm Street. The younger man died of his wounds.",
    ],
)
def test_one_of_the_shot_who_died_of_wounds_leaves_the_other_hurt(enrich, body):
    event = top(enrich(body))
    assert (event["fatalities"], event["injured"]) == (1, 1)


def test_all_of_the_shot_who_died_of_wounds_leave_no_one_hurt(enrich):
    body = "Two men were shot outside a bar on Elm Street. Two of them died of their wounds."
    event = top(enrich(body))
    assert (event["fatalities"], event["injured"] or 0) == (2, 0)


def test_succumbing_to_pressure_kills_nobody(enrich):
    assert (
        largest(enrich("The mayor succumbed to pressure and resigned on Monday."), "fatalities")
        == 0
    )


def test_a_named_victim_who_died_is_not_also_counted_hurt(enrich):
    body = (
        "A man was fatally shot on Elm Street on Saturday night, police said. "
        "Deputies found Peter Novak with a bullet wound in his back. "
        "Novak was declared dead at a clinic an hour later."
    )
    event = top(enrich(body))
    assert (event["fatalities"], event["injured"] or 0) == (1, 0)


def test_a_relative_of_the_dead_who_was_hurt_is_still_hurt(enrich):
    body = (
        "Karl Novak was shot dead in his home on Saturday night, police said. "
        "His brother Jonas Novak was wounded and taken to a hospital."
    )
    event = top(enrich(body))
    assert (event["fatalities"], event["injured"]) == (1, 1)


def test_one_of_the_hurt_in_a_bad_condition_is_still_hurt(enrich):
    event = top(
        enrich("Two men were wounded in the shooting. One of them is in critical condition.")
    )
    assert (event["fatalities"], event["injured"]) == (0, 2)


def test_people_rushed_to_a_hospital_were_hurt_unless_they_died(enrich):
    sent = top(
        enrich("A gunman opened fire outside a bar and sent three men and a woman to the hospital.")
    )
    assert sent["injured"] == 4
    rushed = top(enrich("Gunfire erupted at a party and two teens were rushed to a hospital."))
    assert rushed["injured"] == 2
    died = top(enrich("A man was shot and taken to a clinic, where he was pronounced dead."))
    assert (died["fatalities"], died["injured"] or 0) == (1, 0)
    later = top(
        enrich("A man was shot on Elm Street and taken to a hospital. He died there hours later.")
    )
    assert (later["fatalities"], later["injured"] or 0) == (1, 0)


def test_captured_on_video_is_no_arrest(enrich):
    assert enrich("Surveillance footage captured a man running from the store.")["events"] == []
    assert enrich("The suspect was captured on video leaving the scene.")["events"] == []
    assert largest(enrich("Security cameras caught two men fleeing a bank."), "arrested") == 0
    later = enrich("A man was caught on camera stealing a car. Police later arrested him.")
    assert largest(later, "arrested") == 1
    assert top(enrich("Troops captured two militants near the border."))["arrested"] == 2


def test_a_charge_of_murder_kills_nobody(enrich):
    arrest = enrich("Deputies arrested a 30-year-old man for murder on Tuesday.")
    assert largest(arrest, "fatalities") == 0
    charged = enrich(
        "Prosecutors charged a woman with murder for a shooting that killed two men and "
        "hospitalized three others."
    )
    assert largest(charged, "fatalities") == 2


def test_the_killing_slaying_or_massacre_of_people_counts_them(enrich):
    assert (
        largest(enrich("Police are investigating the killing of two men near a bar."), "fatalities")
        == 2
    )
    assert (
        largest(
            enrich(
                "A shooter fired on a crowd at a park; the slaying of three teens shocked the town."
            ),
            "fatalities",
        )
        == 3
    )
    assert largest(enrich("The massacre of nine villagers was condemned."), "fatalities") == 9


def test_a_span_of_past_years_is_background(enrich):
    article = enrich(
        "A driver was killed in a crash on Route 9 on Sunday.\n\n"
        "Between March 2011 and May 2014, twelve people were killed in crashes on the road."
    )
    assert top(article)["fatalities"] == 1


def test_what_a_named_person_does_in_the_present_is_no_incident(enrich):
    article = enrich(
        "Soldiers detained two men in a raid near Gardez on Monday. The commander directs "
        "a cell that carries out bombing attacks and is responsible for ambushes on convoys."
    )
    assert [e["type"] for e in article["events"]] == ["arrests"]
    assert top(article)["arrested"] == 2
    charged = enrich(
        "A teen was shot in Hartford on Friday. The 17-year-old suspect has been charged "
        "with assault in the shooting."
    )
    assert top(charged)["type"] == "attack"
    headline = enrich("The gunman opened fire at a mall.", title="Gunman kills 3 at mall")
    assert top(headline)["fatalities"] == 3


def test_an_incident_keeps_its_best_supported_count(enrich):
    article = enrich(
        "Four patrons were killed during gunfire inside a tavern on Saturday. One of the "
        "victims was a 19-year-old student. Police said all four were shot inside the bar."
    )
    assert largest(article, "fatalities") == 4


def test_detentions_captures_and_custody_are_arrests(enrich):
    assert top(enrich("The patrol detained several suspected insurgents."))["arrested"] == 3
    assert top(enrich("Two suspects were taken into custody."))["arrested"] == 2
    assert top(enrich("A militant commander was captured during the raid."))["arrested"] == 1


@pytest.mark.parametrize(
    ("body", "arrested"),
    [
        # whom the operation was after, then the others held: they add up
        (
            "Police arrested a cartel boss in Sinaloa on Monday. During the search, officers "
            "detained two suspected couriers and seized cash.",
            3,
        ),
        (
            "Soldiers captured a bomb maker near the border. Two other suspects were detained "
            "during the raid.",
            3,
        ),
        (
            "Police detained a smuggler at the port on Friday. Several more men were detained "
            "later that night.",
            4,
        ),
        # a restatement counts the same people: the same count, "the"/"both", a total
        (
            "Police arrested two men in Leeds on Monday. Two suspects were detained over the "
            "robbery.",
            2,
        ),
        (
            "Troops detained two gang leaders and several suspected smugglers on Monday. Both men "
            "and several associates were held for questioning.",
            5,
        ),
        ("Police arrested a suspect in Leeds on Monday. In all, three people were arrested.", 3),
        # a precise figure after a vague one says who the several were
        (
            "Police detained several youths on Sunday. Four teenagers were arrested at a "
            "friend's home.",
            4,
        ),
    ],
)
def test_detentions_of_other_people_add_up_and_restatements_do_not(enrich, body, arrested):
    assert largest(enrich(body), "arrested") == arrested


def test_more_people_add_to_a_count_but_more_than_does_not(enrich):
    article = enrich("Three people died in the fire on Monday. Two more people died in hospital.")
    assert largest(article, "fatalities") == 5
    assert largest(enrich("More than 30 people were arrested."), "arrested") == 30


def test_characterisations_and_weapons_found_report_no_incident(enrich):
    assert enrich("Their chief is said to be responsible for raids on police.")["events"] == []
    assert enrich("The team found two IEDs and a box of grenades in a shed.")["events"] == []
    article = enrich(
        "Security forces detained four suspects in a night raid. The suspects coordinated "
        "roadside bomb attacks, officials said. Soldiers also found rockets in the compound."
    )
    assert top(article)["type"] == "arrests" and top(article)["arrested"] == 4


def test_what_one_person_did_in_general_is_no_incident_in_any_tense(enrich):
    article = enrich(
        "Police arrested a gang leader and two aides in a raid on Tuesday. The leader "
        "conducted bomb attacks against police stations and planned ambushes on convoys."
    )
    assert [e["type"] for e in article["events"]] == ["arrests"]
    assert top(article)["arrested"] == 3
    raid = enrich("Gunmen carried out attacks on two villages, killing five people.")
    assert top(raid)["fatalities"] == 5  # several attackers, a count: an incident


def test_names_dates_and_verbs_are_not_protests(enrich):
    article = enrich("Both victims were struck by stray gunfire on March 3, police said.")
    assert {e["type"] for e in article["events"]} <= {"attack", "armed_clash"}


def test_a_flood_is_a_disaster_not_an_attack(enrich):
    article = enrich(
        "Heavy flooding swept through the valley on Tuesday. Two people were killed and 400 "
        "families were displaced, officials said."
    )
    event = top(article)
    assert event["type"] == "flood" and event["acled_event_type"] == "Disaster"
    assert event["fatalities"] == 2 and event["displaced"] == 400
    assert not [e for e in article["events"] if e["acled_event_type"] != "Disaster"]


def test_accidents_are_accidents(enrich):
    shooting = top(enrich("The boy was accidentally shot by his brother while they played."))
    assert shooting["type"] == "accidental_shooting"
    crash = top(enrich("Four people died when their bus collided with a truck on a highway."))
    assert crash["type"] == "transport_accident" and crash["fatalities"] == 4


def test_the_perpetrators_are_told_apart(enrich):
    event = top(enrich("The gunman killed two customers. The gunman was also killed."))
    assert event["fatalities"] == 3
    assert event["perpetrators"] == {"fatalities": 1}


def test_a_past_incident_named_for_context_stays_apart_and_ranks_below(enrich):
    article = enrich(
        "Two men were shot and wounded outside a bar on Friday night, police said. The bar "
        "was the scene of a shooting that killed four people last year."
    )
    assert top(article)["injured"] == 2 and top(article)["fatalities"] == 0
    assert any(e["fatalities"] == 4 for e in article["events"][1:])


def test_shots_fired_are_not_people(enrich):
    event = top(enrich("Police said 25 shots were fired and one man was wounded."))
    assert (event["injured"], event["fatalities"]) == (1, 0)


def test_streets_and_ordinary_words_are_not_towns(enrich):
    article = enrich(
        "A man was shot near 12th Street and Broadway in Louisville, Kentucky, on Sunday.",
        title="Man Shot Near Broadway",
    )
    names = {p["name"] for p in article["places"]}
    assert "Broadway" not in names and "Man" not in names
    assert top(article)["place"]["admin1"] == "US-KY"


def test_aims_are_not_facts_and_agents_are_people(enrich):
    event = top(
        enrich(
            "The force detained a smuggler and two associates during a raid to "
            "capture a bomb maker."
        )
    )
    assert event["arrested"] == 3
    assert top(enrich("Police detained multiple suspects on Friday."))["arrested"] == 2


def test_a_dateline_with_its_country_is_the_newsroom_not_the_place(enrich):
    article = enrich(
        "KABUL, Afghanistan (May 3) - A patrol detained two suspected insurgents in Nawa "
        "district, Helmand province, yesterday. The detainees were questioned."
    )
    assert top(article)["place"]["admin1"] == "AF-HEL"
    assert [p for p in article["places"] if p["name"] == "KABUL"][0]["newsroom"] is True


def test_the_station_credit_after_a_dateline_is_no_place(enrich):
    article = enrich("DAYTON, KY (KOMO) - Two men were shot outside a bar on Sunday, police said.")
    assert {p["name"] for p in article["places"]} == {"DAYTON", "KY"}
    assert {p["admin1"] for p in article["places"]} == {"US-KY"}


def test_what_someone_habitually_does_is_no_incident(enrich):
    article = enrich(
        "Police detained two suspects in the district. The network leader directs bomb "
        "attacks and supplies explosives to fighters in the area."
    )
    assert [e["type"] for e in article["events"]] == ["arrests"]


def test_headline_and_lead_are_one_incident_at_the_lead_town(enrich):
    article = enrich(
        "NAIROBI, Kenya - Gunmen attacked a cattle market in Garissa in eastern Kenya on "
        "Monday, killing at least nine herders, officials said.",
        title="Gunmen attack market in eastern Kenya, killing nine",
    )
    violent = [e for e in article["events"] if e["acled_event_type"] != "Disaster"]
    assert len(violent) == 1
    assert violent[0]["fatalities"] == 9 and violent[0]["place"]["name"] == "Garissa"


def test_a_flood_story_reports_no_violence(enrich):
    article = enrich(
        "Monsoon rains flooded villages across the state on Sunday. Officials said two "
        "people drowned and 15 were injured when a bridge collapsed.",
        title="Floods force thousands from their homes",
    )
    assert {e["acled_event_type"] for e in article["events"]} == {"Disaster"}
    assert top(article)["fatalities"] == 2 and top(article)["injured"] == 15


def test_hospitals_are_not_the_scene_and_a_namesake_follows_the_story_town(enrich):
    article = enrich(
        "A man was shot on Tuesday in Lexington, Kentucky, and taken to a hospital, police "
        "said. Lexington police said the shooting happened near a store in Jackson Street.",
    )
    assert top(article)["place"]["admin1"] == "US-KY"
    assert "hospital" not in (top(article)["place"]["name"] or "").lower()
    postal = enrich("Police in Jackson, MS said two men were shot and wounded on Friday.")
    assert top(postal)["place"]["admin1"] == "US-MS"


def test_a_town_that_only_modifies_a_noun_still_places_a_local_story(enrich):
    article = enrich("Springfield police said a woman was shot and wounded on Friday night.")
    assert top(article)["place"]["country_code"] == "US"


def test_a_protest_over_an_epidemic_is_a_protest_and_storming_is_no_storm(enrich):
    protest = top(enrich("Hundreds of traders protested in the capital over the cholera outbreak."))
    assert protest["acled_event_type"] == "Protests"
    raid = enrich("Gunmen stormed the village at dawn and killed three farmers.")
    assert top(raid)["acled_event_type"] == "Violence against civilians"


def test_detentions_add_up_over_an_operation(enrich):
    # "two others" after a capture are more detainees, even in a sentence whose verb of
    # killing makes it a clash: the detentions go to the arrests, not the fight
    article = enrich(
        "A joint patrol captured a militia commander in a raid on a farm outside Herat, today.\n"
        "The patrol killed one gunman and later detained two others at the farm."
    )
    assert largest(article, "arrested") == 3
    assert largest(article, "fatalities") == 1
    # among the harmed, "others" are others than the dead: no addition to the earlier count
    hurt = enrich(
        "Two people were wounded in a shooting at a park in Dayton on Sunday.\n"
        "Police said one man died and two others were hurt."
    )
    assert largest(hurt, "injured") == 2


def test_a_role_named_after_its_group_is_one_person(enrich):
    # the parser hangs "commander" on the group's "of"; the one captured is still a person
    article = enrich("Soldiers captured an Army of Islam commander and two fighters near Idlib.")
    assert largest(article, "arrested") == 3
    officials = enrich("Police detained two officials and an expert over the fraud in Lagos.")
    assert largest(officials, "arrested") == 3


def test_a_headline_pasted_twice_in_one_line_is_one_victim(enrich):
    article = enrich(
        "Police: 8-year-old boy wounded in North Side shooting Local News Police: 8-year-old "
        "boy wounded in North Side shooting\nHe was hit in the foot while riding his bike."
    )
    assert largest(article, "injured") == 1


def test_a_figure_the_article_corrects_is_not_counted(enrich):
    article = enrich(
        "Five people were shot outside a nightclub in Tulsa early Saturday, police said.\n"
        "Officers had initially said that eight people were shot.\n"
        "All five were expected to survive."
    )
    assert largest(article, "injured") == 5


def test_two_alike_victims_told_apart_by_their_phrase_are_two(enrich):
    article = enrich(
        "Fighting in the district left 1 soldier of the army and 1 soldier of the militia dead."
    )
    assert largest(article, "fatalities") == 2


@pytest.mark.parametrize(
    ("body", "arrested"),
    [
        # a quantity heading "of" people counts them; with the one named, they add up
        ("Police detained a drug dealer and several of his partners in Lagos on Monday.", 4),
        ("During the raid, police detained a few suspected smugglers near the port.", 3),
        # a relative clause's pronoun stands for its noun, and "along with" adds to it
        ("Officers detained a suspect, who was arrested along with three of his associates.", 4),
        # a list the parser reads as an appositive is still a list
        ("Police detained a gang boss, his driver and several other suspects in Lagos.", 5),
        # an appositive closed by a comma names the first person again
        ("Police arrested the suspect, a local man, and his brother on Monday.", 2),
    ],
)
def test_detainees_listed_in_one_sentence_add_up(enrich, body, arrested):
    assert largest(enrich(body), "arrested") == arrested


@pytest.mark.parametrize(
    ("body", "field", "count"),
    [
        # a breakdown of a number after a dash is the same people, not more
        (
            "Officers said five people - four men and a girl - had been wounded.",
            "injured",
            5,
        ),
        # an appositive that describes one person and ends before the verb is one person
        ("The victim, a mother of two and a nurse, was shot in Tulsa on Friday.", "injured", 1),
        # two subjects joined by "and" around an age are both hurt
        ("A man, 25, and a woman were shot on Main Street.", "injured", 2),
        # lives lost are deaths
        (
            "Two lives were lost and one other person was hurt in the shooting in Tulsa.",
            "fatalities",
            2,
        ),
        ("The storm claimed the lives of two men in the county on Sunday.", "fatalities", 2),
    ],
)
def test_who_a_phrase_counts_once(enrich, body, field, count):
    assert largest(enrich(body), field) == count


def test_a_shooting_or_a_stabbing_is_an_incident(enrich):
    article = enrich("Four people died in a shooting in Dayton, Ohio. Police are investigating.")
    assert top(article)["type"] == "attack"
    assert top(article)["fatalities"] == 4
    assert top(article)["place"]["admin1"] == "US-OH"
    # the word modifying a thing of sport or practice reports nothing
    assert enrich("The team's shooting guard scored 30 points on Sunday.")["events"] == []
    assert enrich("He practised at a shooting range near Dayton, Ohio.")["events"] == []


@pytest.mark.parametrize(
    ("title", "fatalities", "injured"),
    [
        ("3 shot, 2 dead, in downtown shooting", 2, 1),
        ("5 shot outside a nightclub", 0, 5),
    ],
)
def test_a_headline_count_of_shot_people_is_not_shots(enrich, title, fatalities, injured):
    event = top(enrich("Police are looking for the gunman.", title=title))
    assert (event["fatalities"], event["injured"]) == (fatalities, injured)


def test_shots_fired_and_a_golfers_lead_are_nobody_shot(enrich):
    fired = enrich("Witnesses said 3 shots were fired at the house on Monday.")
    assert largest(fired, "injured") == 0
    assert not enrich("Reed holds a 2 shot lead after three rounds at Augusta.")["events"]


def test_others_taken_to_a_hospital_beside_the_dead_are_hurt(enrich):
    same = top(
        enrich("One teenager died and another teenager was rushed to hospital after the shooting.")
    )
    assert (same["fatalities"], same["injured"]) == (1, 1)
    later = top(enrich("Two men were shot dead on Friday. Another man was taken to a hospital."))
    assert (later["fatalities"], later["injured"]) == (2, 1)
    died = top(enrich("A woman was shot on Friday. Medics drove her to a clinic; she died there."))
    assert (died["fatalities"], died["injured"] or 0) == (1, 0)


@pytest.mark.parametrize(
    "body",
    [
        "A woman was found dead with stab wounds in her apartment on Friday.",
        "Officers found a cyclist dead with gun wounds near a park on Sunday.",
    ],
)
def test_found_dead_with_wounds_is_a_killing(enrich, body):
    event = top(enrich(body))
    assert (event["acled_event_type"], event["fatalities"]) == ("Violence against civilians", 1)


def test_wounds_of_the_victim_already_dead_are_nobody_hurt(enrich):
    dead = top(
        enrich("A man was found dead in a car. Police said the victim suffered from stab wounds.")
    )
    assert (dead["fatalities"], dead["injured"] or 0) == (1, 0)
    other = top(enrich("A man was killed on Sunday. Another man was treated for injuries."))
    assert (other["fatalities"], other["injured"]) == (1, 1)


def test_detentions_in_a_sentence_of_killings_are_an_arrests_event(enrich):
    article = enrich(
        "The patrol was attacked twice, resulting in nine gunmen killed, one wounded and four "
        "men taken into custody by the soldiers."
    )
    types = {e["type"]: e for e in article["events"]}
    assert types["armed_clash"]["fatalities"] == 9
    assert types["arrests"]["arrested"] == 4


def test_a_precision_strike_is_an_air_strike_and_demonstrates_a_point_is_no_protest(enrich):
    strike = top(enrich("Troops carried out a precision strike on a bomb maker, killing him."))
    assert strike["type"] == "air_strike"
    assert not enrich('"The raid demonstrates their reach," the officer said on Monday.')["events"]
    assert top(enrich("Hundreds demonstrated outside the ministry on Monday."))[
        "acled_event_type"
    ] == ("Protests")


@pytest.mark.parametrize(
    "body",
    [
        "A man was hurt in the shooting, and no one was in custody on Monday night.",
        "Detectives are looking for two suspects who fled on foot after the shooting.",
    ],
)
def test_no_one_held_and_a_getaway_are_no_second_event(enrich, body):
    article = enrich(body)
    assert [e["type"] for e in article["events"]] == ["attack"]
    assert largest(article, "arrested") == 0


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ("A 19-year-old was wounded in a shooting outside a diner on Friday.", "injured", 1),
        ("Two 16-year-olds were shot outside a gym on Monday.", "injured", 2),
        ("The 3-year-old died of a gunshot wound at the scene.", "fatalities", 1),
    ],
)
def test_an_age_standing_for_a_person_is_counted_as_one(enrich, body, field, value):
    assert largest(enrich(body), field) == value


def test_an_age_describing_a_person_is_still_no_count(enrich):
    assert top(enrich("A 45-year-old woman was killed in the shooting."))["fatalities"] == 1


def test_an_age_spelled_out_is_still_one_person(enrich):
    assert (
        largest(enrich("Doctors said a four year-old died after the shooting."), "fatalities") == 1
    )


@pytest.mark.parametrize(
    ("body", "injured"),
    [
        ("Three juveniles were wounded when someone fired into the crowd.", 3),
        ("Two spectators were hurt when shots rang out at the game.", 2),
        ("Four partygoers were shot and wounded at a house party.", 4),
    ],
)
def test_more_nouns_name_people(enrich, body, injured):
    assert largest(enrich(body), "injured") == injured


def test_others_than_the_hurt_sent_to_a_hospital_in_the_same_sentence_are_more_hurt(enrich):
    article = enrich(
        "Three people were wounded outside a bar on Friday night, and two others were sent "
        "to a clinic, police said."
    )
    assert max(e["injured"] or 0 for e in article["events"]) == 5


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # beside a strike, harm told without a doer is the strike's
            "Shelling of a bus station in the city of Kharkiv killed five people on Monday, "
            "officials said. Doctors said 17 people were wounded.",
            ("shelling", 5, 17),
        ),
        (  # a building fire is a disaster with its dead, not an attack
            "Warehouse fire kills 6 in Karachi\n\nA fire swept through a warehouse in Karachi "
            "late on Friday, killing six workers and injuring 11, rescue officials said.",
            ("fire", 6, 11),
        ),
    ],
)
def test_harm_without_a_doer_is_the_strike_s_or_the_disaster_s(enrich, body, expected):
    [event] = enrich(body)["events"]
    assert (event["type"], event["fatalities"], event["injured"]) == expected


def test_a_shooting_by_gunmen_beside_a_strike_stays_its_own_event(enrich):
    article = enrich(
        "An air strike on a depot near Idlib killed three fighters on Monday. In Aleppo, "
        "gunmen shot dead two shopkeepers."
    )
    assert {e["type"] for e in article["events"]} >= {"air_strike", "attack"}


def test_the_hurt_told_beside_a_riot_are_the_riot_s_even_when_armed(enrich):
    article = enrich(
        "Protesters clashed with police at a rally in Ikeja on Monday and officers "
        "arrested 12 people. Three officers were injured, a police spokesman said."
    )
    top = article["events"][0]
    assert (top["type"], top["injured"], top["arrested"]) == ("violent_demonstration", 3, 12)
    assert all(e["type"] != "armed_clash" for e in article["events"])


def test_a_vigil_after_a_shooting_takes_none_of_its_casualties(enrich):
    article = enrich(
        "Two men were killed in a shooting outside a store in Newark on Friday. On Sunday, "
        "hundreds of residents held a peaceful march through the neighbourhood."
    )
    top = article["events"][0]
    assert (top["type"], top["fatalities"]) == ("attack", 2)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Gunmen opened fire on a bus in Maiduguri on Monday, killing four passengers.", "attack"),
        ("Attackers set fire to a church in Jos on Sunday and burned it down.", "looting"),
    ],
)
def test_fire_that_someone_opens_or_sets_is_no_disaster(enrich, body, kind):
    assert {e["type"] for e in enrich(body)["events"]} == {kind}


def test_armed_victims_in_a_bombing_s_own_sentence_are_the_bombing_s(enrich):
    article = enrich(
        "A suicide car bomber struck a checkpoint in Mogadishu on Sunday, killing six people, "
        "including two soldiers, police said."
    )
    [event] = article["events"]
    assert (event["type"], event["fatalities"]) == ("suicide_bombing", 6)


def test_the_abducted_are_counted_as_held(enrich):
    article = enrich("Gunmen abducted 14 schoolchildren from a village school in Zamfara state.")
    assert max(e["held"] or 0 for e in article["events"]) == 14


@pytest.mark.parametrize(
    ("body", "displaced"),
    [
        ("Floodwaters forced more than 2,500 residents from their homes on Monday.", 2500),
        ("About 4,000 people fled their villages after the fighting near Beni.", 4000),
    ],
)
def test_people_driven_from_their_homes_are_displaced(enrich, body, displaced):
    assert max(e["displaced"] or 0 for e in enrich(body)["events"]) == displaced


def test_fleeing_a_scene_is_no_displacement(enrich):
    article = enrich("Two men were shot in Dayton on Friday and the gunman fled the scene.")
    assert all(not e["displaced"] for e in article["events"])


@pytest.mark.parametrize(
    "body",
    [
        "A coalition strike killed a militant commander near Kandahar on Monday.",
        "Two fighters were killed in a strike on a compound near Kunduz on Monday.",
    ],
)
def test_a_strike_that_kills_is_a_strike_from_the_air(enrich, body):
    assert enrich(body)["events"][0]["type"] == "air_strike"


def test_a_strike_by_workers_stays_a_protest(enrich):
    article = enrich("A general strike shut the port of Durban on Monday as dockers walked out.")
    assert {e["type"] for e in article["events"]} == {"peaceful_protest"}


@pytest.mark.parametrize(
    "body",
    [
        "A 9-year-old girl was struck by a stray bullet while sleeping on Thursday night.",
        "A woman was hit by gunfire while driving home on Friday, police said.",
    ],
)
def test_a_civilian_hit_by_gunfire_is_an_attack_with_one_hurt(enrich, body):
    [event] = enrich(body)["events"]
    assert (event["type"], event["injured"]) == ("attack", 1)


def test_soldiers_hit_by_gunfire_are_in_a_clash(enrich):
    [event] = enrich("Two soldiers were wounded by gunfire near Kandahar on Friday.")["events"]
    assert event["type"] == "armed_clash"


@pytest.mark.parametrize(
    ("body", "killed", "hurt"),
    [
        ("Two men were stabbed outside a nightclub on Friday, police said.", 0, 2),
        ("A man was stabbed to death outside a nightclub on Friday.", 1, None),
        ("Three people were stabbed on a train on Friday; one of them died.", 1, 2),
    ],
)
def test_stabbed_is_hurt_unless_a_death_is_reported(enrich, body, killed, hurt):
    [event] = enrich(body)["events"]
    assert (event["fatalities"], event["injured"]) == (killed, hurt)


def test_a_flood_across_a_region_keeps_the_region_for_its_dead(enrich):
    article = enrich(
        "Floods hit Assam\n\nHeavy rains flooded villages across Assam on Sunday. Officials "
        "in Guwahati said two people drowned."
    )
    [event] = article["events"]
    assert (event["type"], event["fatalities"], event["place"]["name"]) == ("flood", 2, "Assam")


def test_a_march_told_peaceful_then_met_with_force_is_one_protest(enrich):
    article = enrich(
        "Thousands march in Lyon\n\nThousands of people marched through Lyon on Thursday "
        "against the reform. Police detained 9 protesters after scuffles near the town hall."
    )
    protests = [e for e in article["events"] if e["acled_event_type"] == "Protests"]
    assert [(e["type"], e["arrested"]) for e in protests] == [("protest_with_intervention", 9)]


@pytest.mark.parametrize(
    ("body", "killed", "hurt"),
    [
        ("Deputies said a driver had been found shot to death beside his truck.", 1, None),
        ("Two women were found stabbed in an apartment on Monday, police said.", 0, 2),
    ],
)
def test_people_found_shot_or_stabbed_are_counted(enrich, body, killed, hurt):
    [event] = enrich(body)["events"]
    assert (event["fatalities"], event["injured"]) == (killed, hurt)


@pytest.mark.parametrize(
    ("body", "killed", "hurt"),
    [
        # the state of the hurt: "in critical condition", "recovering"
        ("A clerk was shot dead in Fresno on Monday. Two other men were in grave condition.", 1, 2),
        (
            "The attack on a Fresno depot left a guard dead and a porter in grave condition.",
            1,
            1,
        ),
        ("After the shooting in Fresno, three cousins are recovering in a hospital.", 0, 3),
        ("A guard is recovering from stab wounds after an attack in Fresno.", 0, 1),
        # what the hurt bear: "suffered wounds", "caused injuries to"
        ("Two cyclists suffered gunshot wounds in a shooting in Fresno on Sunday.", 0, 2),
        ("The bomb caused injuries to seven shoppers in Fresno, police said.", 0, 7),
        ("A farmer sustained fatal injuries when gunmen attacked his truck near Fresno.", 1, 0),
        ("Six men were shot in Fresno, four of whom suffered non-fatal injuries.", 0, 6),
        # a participle after a list is about the whole list, unless the list says its own
        ("Gunfire at a Fresno taqueria left two customers and a cook wounded.", 0, 3),
        ("The ambush in Fresno left one driver dead and a passenger injured.", 1, 1),
    ],
)
def test_the_state_and_the_wounds_of_the_hurt_count_them(enrich, body, killed, hurt):
    article = enrich(body)
    assert (largest(article, "fatalities"), largest(article, "injured")) == (killed, hurt)


def test_recovering_from_what_is_no_harm_counts_nobody(enrich):
    article = enrich("Families in Fresno are recovering after a storm flattened their barns.")
    assert largest(article, "injured") == 0
    assert (
        largest(enrich("Police recovered a pistol after the shooting in Fresno."), "injured") == 0
    )
    assert (
        largest(
            enrich("The gunman in Fresno wounded nobody; the economy is in good condition."),
            "injured",
        )
        == 0
    )


def test_one_named_victim_is_a_detail_of_the_count_of_a_group(enrich):
    article = enrich(
        "Four people were wounded in a shooting at a Fresno park on Saturday. Mara Quill "
        "sustained a gunshot wound to her knee. Tobias Wren suffered injuries to his wrist. "
        "The youngest victim is in serious condition."
    )
    assert largest(article, "injured") == 4
    alone = enrich("Mara Quill was shot in Fresno on Saturday. She is in stable condition.")
    assert largest(alone, "injured") == 1


def test_the_part_told_in_the_sentence_of_its_whole_is_not_added(enrich):
    article = enrich(
        "Two guards were hurt in an attack in Fresno, one of which was in critical condition."
    )
    assert largest(article, "injured") == 2


def test_those_charged_in_a_killing_and_an_age_limit_are_not_victims(enrich):
    article = enrich(
        "Police said the killing of a grocer on Friday was the third this year.",
        title="Three men charged in Fresno killing",
    )
    assert largest(article, "fatalities") == 1
    younger = enrich("A boy younger than 10 was shot in Fresno on Tuesday.")
    assert (largest(younger, "fatalities"), largest(younger, "injured")) == (0, 1)


@pytest.mark.parametrize(
    ("body", "killed", "doers"),
    [
        ("A man killed his wife and then himself at their home, deputies said.", 2, 1),
        ("A woman killed her husband and herself in the family's kitchen.", 2, 1),
        ("The gunman shot and killed four relatives before killing himself.", 5, 1),
    ],
)
def test_a_killer_who_kills_himself_in_the_same_breath_is_one_more_dead(
    enrich, body, killed, doers
):
    event = top(enrich(body))
    assert event["fatalities"] == killed
    assert event["perpetrators"]["fatalities"] == doers


def test_a_death_by_ones_own_hand_told_alone_adds_no_one(enrich):
    # the child is the one who died, told twice; the toll that names the killer's death too
    # is not raised by it
    child = enrich(
        "A boy of six died on Saturday evening after he found a pistol and fatally shot "
        "himself. The boy who shot himself was declared dead by doctors."
    )
    assert largest(child, "fatalities") == 1
    toll = enrich(
        "Three people died in a murder-suicide at a farmhouse on Tuesday. "
        "Police said the farmer shot and killed two neighbours before killing himself."
    )
    assert largest(toll, "fatalities") == 3
    leg = enrich("A hunter accidentally shot himself in the leg on Saturday morning.")
    assert largest(leg, "injured") == 0


def test_the_subject_of_shot_and_killed_someone_is_the_killer(enrich):
    event = top(enrich("Two teenagers shot and killed a store clerk during a robbery."))
    assert (event["fatalities"], event["injured"] or 0) == (1, 0)


def test_an_incident_of_an_earlier_year_is_background(enrich):
    article = enrich(
        "A man was shot and wounded outside a bar on Elm Street on Saturday. A woman was shot "
        "and killed in the same neighbourhood on June 2, 2009.",
        published_at="2013-08-05T10:00:00Z",
    )
    reported, *earlier = article["events"]
    assert (reported["fatalities"], reported["injured"], reported.get("background")) == (0, 1, None)
    assert [e.get("background") for e in earlier] == [True]


def test_a_one_word_headline_leaves_the_lead_whole(enrich):
    # a small parser cut the lead after its first word ("Gunmen" | "wounded three ..."), and
    # the count went with the subject; a sentence of news never starts in lower case
    article = enrich(
        "Gunmen wounded 3 cyclists near a park in Boise, Idaho, police said.", title="Shooting"
    )
    assert largest(article, "injured") == 3


def test_a_portrait_counts_what_befell_its_person_not_what_their_deeds_did(enrich):
    hurt = enrich(
        "A man was shot dead on Elm Street in Dayton on Friday. The second victim is a woman "
        "who was wounded in the arm."
    )
    assert (largest(hurt, "fatalities"), largest(hurt, "injured")) == (1, 1)
    deeds = enrich(
        "Two soldiers were killed near Mosul on Monday. The commander is responsible for "
        "attacks that killed 20 people."
    )
    assert largest(deeds, "fatalities") == 2
