"""The whole path on the real stack: Kafka -> enrich -> articles-enriched -> index -> ES."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from api.search import SearchRequest, build_search_body, search_articles
from processors.articles.identity import article_id
from streams.deadletter import read_dead_letters
from streams.producer import iter_messages, produce_messages
from tests.conftest import SEED_PATH
from tests.integration.conftest import produce_raw, wait_for

pytestmark = pytest.mark.integration


def _seed_id(seed_article) -> str:
    return article_id(title=seed_article["title"], body=seed_article["body"])


def test_seed_article_is_searchable_with_its_entities_within_30_seconds(pipeline, seed_article):
    started = time.monotonic()
    report = produce_messages(pipeline.settings, iter_messages(str(SEED_PATH)), progress=False)
    assert (report.sent, report.failed) == (1, 0)
    doc = wait_for(
        lambda: pipeline.get(_seed_id(seed_article)), timeout=30, what="the seed article in ES"
    )
    elapsed = time.monotonic() - started
    entities = {(e["text"], e["label"]) for e in doc["entities"]}
    assert ("Bassam Sabbagh", "PERSON") in entities
    assert ("Security Council", "ORG") in entities
    assert ("Damascus", "GPE") in entities
    assert doc["source"] == "SANA" and doc["text"].startswith(seed_article["title"])
    assert elapsed < 30


def test_search_for_hasakah_prison_finds_the_seed_with_highlights(pipeline, seed_article):
    wait_for(lambda: pipeline.get(_seed_id(seed_article)), timeout=30, what="the seed article")
    pipeline.es.indices.refresh(index=pipeline.settings.articles_alias)
    result = search_articles(pipeline.es, pipeline.settings, "Hasakah prison")
    assert _seed_id(seed_article) in [hit.id for hit in result.hits]
    hit = next(h for h in result.hits if h.id == _seed_id(seed_article))
    assert any("«Hasakah»" in s or "«prison»" in s for s in hit.highlights)
    # inflection and diacritics: "clash" finds "clashes"; a folded query finds the same
    assert result.total >= 1
    assert search_articles(pipeline.es, pipeline.settings, "clash AND ISIL").total >= 1
    assert search_articles(pipeline.es, pipeline.settings, "Ḩasakah").total >= 1
    assert search_articles(pipeline.es, pipeline.settings, "Hasakah NOT prison").total == 0


def test_search_command_prints_the_hit(pipeline, seed_article):
    wait_for(lambda: pipeline.get(_seed_id(seed_article)), timeout=30, what="the seed article")
    pipeline.es.indices.refresh(index=pipeline.settings.articles_alias)
    env = {**os.environ, **pipeline.env}
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "search", "Hasakah prison", "--since", "24h"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Washington seeks to revive ISIS" in done.stdout
    assert "«Hasakah»" in done.stdout


def test_producing_the_seed_twice_leaves_one_document(pipeline, seed_article):
    for _ in range(2):
        produce_messages(pipeline.settings, iter_messages(str(SEED_PATH)), progress=False)
    marker = {"match_phrase": {"text_norm": "bassam sabbagh"}}
    wait_for(lambda: pipeline.count(marker) >= 1, timeout=30, what="the seed indexed")
    time.sleep(3)  # give a duplicate every chance to appear
    assert pipeline.count(marker) == 1


def test_bad_messages_are_dead_lettered_with_reason_and_offset_and_the_stream_goes_on(pipeline):
    bad = {
        "not_json": b"this is not json",
        "not_object": b"[1, 2, 3]",
        "missing_id": json.dumps({"title": "No url, no id"}).encode(),
        "missing_text": json.dumps({"url": "https://example.org/blank", "title": " "}).encode(),
        "body_too_large": json.dumps(
            {"url": "https://example.org/big", "body": "x" * 6000}
        ).encode(),
        "wrong_type": json.dumps({"url": "https://example.org/t", "title": 5}).encode(),
        "invalid_utf8": b'{"url": "https://example.org/u", "title": "\xff\xfe"}',
        "invalid_field": json.dumps({"url": "example.org/no-scheme", "title": "t"}).encode(),
    }
    good = json.dumps(
        {
            "id": "after-the-bad-ones",
            "title": "Floods in Kerala",
            "body": "Heavy rain flooded villages across Kerala.",
        }
    ).encode()
    positions = produce_raw(pipeline.settings, [*bad.values(), good])
    wait_for(lambda: pipeline.get("after-the-bad-ones"), timeout=30, what="the good message")

    def letters():
        found = read_dead_letters(pipeline.settings, limit=100, timeout_s=2)
        return found if len(found) >= len(bad) else None

    found = wait_for(letters, timeout=30, what=f"{len(bad)} dead letters")
    by_reason = {letter.reason: letter for letter in found}
    assert set(by_reason) == set(bad)
    for (reason, value), (partition, offset) in zip(bad.items(), positions, strict=False):
        letter = by_reason[reason]
        assert letter.value == value, reason  # original bytes, untouched
        assert (letter.source_topic, letter.source_partition, letter.source_offset) == (
            pipeline.settings.articles_topic,
            partition,
            offset,
        ), reason
        assert letter.stage == "enrich" and letter.error
    assert by_reason["wrong_type"].errors == [
        {"field": "title", "message": "must be a string, got number"}
    ]


def test_html_body_is_cleaned_before_indexing(pipeline):
    html = "<p>Police arrested <b>31</b> protesters in Santiago.</p><script>x()</script>"
    produce_raw(pipeline.settings, [json.dumps({"id": "html-1", "body": html}).encode()])
    doc = wait_for(lambda: pipeline.get("html-1"), timeout=30, what="the HTML article")
    assert doc["text"] == "Police arrested 31 protesters in Santiago."
    assert doc["body"] == html  # the input is kept as sent


def test_a_later_copy_of_a_story_is_marked_and_can_be_left_out_of_search(pipeline):
    story = (
        "Engineers closed the Larchmont river bridge on Thursday after divers found cracks in "
        "two of its stone piers, and the county said traffic would use the ferry crossing near "
        "the old customs house until the repairs are finished later in the spring."
    )
    first = {"id": "dedup-first", "title": "Larchmont bridge shut", "body": story}
    produce_raw(pipeline.settings, [json.dumps(first).encode()])
    wait_for(lambda: pipeline.get("dedup-first"), timeout=30, what="the first copy indexed")
    # searchable after the next refresh (1 s); a copy arriving sooner, in another batch, is
    # not compared with it (the README says so)
    pipeline.es.indices.refresh(index=pipeline.settings.articles_alias)
    copy = {
        "id": "dedup-copy",
        "title": "Cracks close the bridge at Larchmont",  # another feed's headline
        "body": story.replace("on Thursday", "on Thursday morning"),
    }
    other = {"id": "dedup-other", "title": "Larchmont fair opens", "body": "The fair " * 20}
    produce_raw(pipeline.settings, [json.dumps(copy).encode(), json.dumps(other).encode()])
    doc = wait_for(lambda: pipeline.get("dedup-copy"), timeout=30, what="the copy indexed")
    assert doc["duplicate_of"] == "dedup-first"
    assert pipeline.get("dedup-first")["duplicate_of"] is None
    wait_for(lambda: pipeline.get("dedup-other"), timeout=30, what="another story indexed")
    assert pipeline.get("dedup-other")["duplicate_of"] is None
    # replaying the first copy does not make it a copy of the later one
    produce_raw(pipeline.settings, [json.dumps(first).encode()])
    time.sleep(3)
    assert pipeline.get("dedup-first")["duplicate_of"] is None

    pipeline.es.indices.refresh(index=pipeline.settings.articles_alias)
    assert {h.id for h in search_articles(pipeline.es, pipeline.settings, "Larchmont").hits} >= {
        "dedup-first",
        "dedup-copy",
    }
    body = build_search_body(SearchRequest(q="Larchmont bridge", duplicates=False))
    found = pipeline.es.search(index=pipeline.settings.articles_alias, **body)
    ids = {hit["_id"] for hit in found["hits"]["hits"]}
    assert "dedup-first" in ids and "dedup-copy" not in ids
