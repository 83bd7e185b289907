"""Matching rules against plain article dicts (no model, no broker)."""

from processors.alerting.matching import RuleSet
from processors.alerting.rules import validate_rule

ARTICLE = {
    "id": "a1",
    "source": "SANA",
    "lang": "en",
    "text": "Fierce clashes at the Ghwayran prison in al-Ḩasakah; Islamic State fighters fled.",
    "entities": [
        {
            "text": "Islamic State",
            "label": "ORG",
            "canonical": "Islamic State",
            "start": 52,
            "end": 65,
        },
        {"text": "al-Ḩasakah", "label": "GPE", "canonical": "al-Ḩasakah", "start": 41, "end": 51},
    ],
    "places": [
        {
            "name": "al-Ḩasakah",
            "lat": 36.50,
            "lon": 40.75,
            "country_code": "SY",
            "admin1": "SY-HA",
            "metonymic": False,
            "start": 41,
            "end": 51,
        },
        {
            "name": "Washington",
            "lat": 38.9,
            "lon": -77.04,
            "country_code": "US",
            "admin1": "US-DC",
            "metonymic": True,
            "start": 0,
            "end": 0,
        },
    ],
    "events": [{"type": "armed_clash", "fatalities": 27, "place": {"name": "prison"}}],
}


def rules(*specs):
    return RuleSet.of(validate_rule({"name": s["id"], **s}) for s in specs)


def fired(ruleset, article=ARTICLE):
    return [m.rule.id for m in ruleset.match(article)]


def test_each_kind_of_condition():
    ruleset = rules(
        {"id": "q", "query": "clash AND (prison OR jail) AND Hasakah"},
        {"id": "q-no", "query": "clash NOT prison"},
        {"id": "prefix", "query": "fight*"},
        {"id": "ent", "entities": ["islamic state"]},
        {"id": "ent-label", "entities": ["PERSON"]},
        {"id": "country", "region": {"countries": ["SY"]}},
        {"id": "admin1", "region": {"admin1": ["SY-HA"]}},
        {"id": "near", "region": {"near": {"lat": 36.6, "lon": 40.9, "km": 50}}},
        {"id": "far", "region": {"near": {"lat": 33.5, "lon": 36.3, "km": 50}}},
        {"id": "bbox", "region": {"bbox": [40, 36, 41, 37]}},
        {
            "id": "polygon",
            "region": {
                "polygon": {
                    "type": "Polygon",
                    "coordinates": [[[40, 36], [41.5, 36], [41.5, 37], [40, 37], [40, 36]]],
                }
            },
        },
        {"id": "event", "event_types": ["armed_clash"], "min_fatalities": 10},
        {"id": "event-big", "event_types": ["armed_clash"], "min_fatalities": 100},
        {"id": "source", "sources": ["sana"]},
        {"id": "lang-fr", "lang": ["fr"]},
    )
    assert fired(ruleset) == sorted(
        ["q", "prefix", "ent", "country", "admin1", "near", "bbox", "polygon", "event", "source"]
    )


def test_metonymic_places_count_only_when_the_rule_says_so():
    ruleset = rules(
        {"id": "us", "region": {"countries": ["US"]}},
        {"id": "us-any", "region": {"countries": ["US"], "include_metonymic": True}},
    )
    assert fired(ruleset) == ["us-any"]


def test_every_condition_must_hold():
    ruleset = rules(
        {"id": "both", "query": "clash", "region": {"countries": ["SY"]}},
        {"id": "not-both", "query": "clash", "region": {"countries": ["GY"]}},
    )
    assert fired(ruleset) == ["both"]


def test_evidence_explains_the_match():
    [match] = rules({"id": "q", "query": "clashes prison", "region": {"countries": ["SY"]}}).match(
        ARTICLE
    )
    assert [t["text"] for t in match.evidence["terms"]] == ["clashes", "prison"]
    assert "«clashes»" in match.evidence["snippet"]
    assert match.evidence["place"]["country_code"] == "SY"


def test_only_candidates_get_the_full_check():
    specs = [{"id": f"r{i}", "query": f"word{i} AND clash"} for i in range(500)]
    ruleset = rules(*specs, {"id": "hit", "query": "ghwayran"})
    from processors.alerting.matching import ArticleView

    view = ArticleView.of(ARTICLE)
    # every rule anchors on its rarer word, which the article lacks: one candidate
    assert ruleset.candidates(view) == {"hit"}
    assert fired(ruleset) == ["hit"]


def test_disabled_rules_never_fire():
    assert fired(rules({"id": "off", "query": "clash", "enabled": False})) == []


def test_a_past_incident_named_for_context_fires_no_event_rule():
    # an article on today's clash that recalls a deadlier one years ago: the rule on 100 dead
    # is about news of such a clash, not about the reminder
    article = {
        **ARTICLE,
        "events": [
            {"type": "armed_clash", "fatalities": 27, "place": {"name": "prison"}},
            {"type": "armed_clash", "fatalities": 150, "background": True},
        ],
    }
    ruleset = rules(
        {"id": "event", "event_types": ["armed_clash"], "min_fatalities": 10},
        {"id": "event-big", "event_types": ["armed_clash"], "min_fatalities": 100},
    )
    assert fired(ruleset, article) == ["event"]
