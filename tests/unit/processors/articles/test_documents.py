import copy

from processors.articles.documents import search_document

ARTICLE = {
    "id": "a1",
    "text": "Clashes in Ḩasakah.",
    "published_at": None,
    "enriched_at": "2026-01-01T00:00:00Z",
    "entities": [
        {"text": "Ḩasakah", "label": "GPE", "start": 11, "end": 18, "canonical": "Al-Hasakah"}
    ],
    "places": [{"name": "Ḩasakah", "lat": 36.5, "lon": 40.7, "country_code": "SY"}],
    "events": [{"type": "armed_clash", "place": {"name": "x", "lat": 1, "lon": 2}}],
    "location": {"lat": 36.5, "lon": 40.7},
}


def test_search_fields_are_added_without_touching_the_article():
    before = copy.deepcopy(ARTICLE)
    doc = search_document(ARTICLE)
    assert before == ARTICLE
    assert doc["text_norm"] == "clash in hasakah"
    assert doc["date"] == "2026-01-01T00:00:00Z"
    assert doc["entity_keys"] == ["GPE:Al-Hasakah"]
    assert doc["places"][0]["point"] == {"lat": 36.5, "lon": 40.7}
    assert doc["events"][0]["place"]["point"] == {"lat": 1.0, "lon": 2.0}
    assert doc["event_types"] == ["armed_clash"]


def test_published_time_wins_over_enrichment_time():
    doc = search_document({**ARTICLE, "published_at": "2025-05-05T00:00:00Z"})
    assert doc["date"] == "2025-05-05T00:00:00Z"
