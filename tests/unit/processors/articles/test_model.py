"""The enriched article's one definition (processors.articles.model) covers what the enrichment
writes, and the API returns that same definition (loads spaCy)."""

import pytest

from processors.articles.model import EnrichedArticle

pytestmark = pytest.mark.model


def _undeclared(model) -> set[str]:
    return set(model.model_extra or {})


def test_the_enrichment_writes_only_declared_fields(enrich):
    article = enrich(
        "KABUL, Afghanistan (AP) - Gunmen killed two guards and wounded four villagers in "
        "Ghazni province on Monday, police said. Three suspects were arrested in Kabul.",
        title="Gunmen kill two guards in Ghazni",
        url="https://example.org/a",
        source="Example Wire",
        published_at="2026-03-02T10:00:00Z",
    )
    parsed = EnrichedArticle.model_validate(article)
    assert parsed.entities and parsed.places and parsed.events  # the test reads every kind
    assert _undeclared(parsed) == set()
    for item in [*parsed.entities, *parsed.places, *parsed.events, parsed.pipeline]:
        assert _undeclared(item) == set(), type(item).__name__
    for event in parsed.events:
        assert event.place is None or _undeclared(event.place) == set()


def test_the_api_returns_the_same_definition():
    from api import models

    assert models.ArticleOut is EnrichedArticle
    assert models.AlertOut.__mro__[1].__module__ == "processors.alerting.model"
