"""Dead letters replayed after the fix: ``newsmon dlq replay --reason R``, on the real stack."""

from __future__ import annotations

import json
import time

import pytest

from config import Settings
from streams.deadletter import read_dead_letters, replay_dead_letters
from tests.integration.conftest import drop_pipeline, make_pipeline, produce_raw, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def strict(stack_settings: Settings):
    p = make_pipeline(stack_settings, max_body_chars=2000)
    yield p
    drop_pipeline(p)


def test_replay_after_the_fix_indexes_the_originals_once_and_keeps_the_dead_letters(strict):
    long_body = "Flood waters rose along the river as the rain went on for days. " * 60
    values = [
        json.dumps({"id": f"replay-long-{i}", "title": f"Long report {i}", "body": long_body})
        for i in range(3)
    ]
    produce_raw(strict.settings, [v.encode() for v in values] + [b"not json at all {"])
    wait_for(
        lambda: len(read_dead_letters(strict.settings, limit=100, timeout_s=2)) >= 4,
        timeout=60,
        what="four dead letters",
    )
    assert strict.count() == 0
    # the fix: bodies up to 50,000 characters
    strict.env["NEWSMON_MAX_BODY_CHARS"] = "50000"
    strict.settings = strict.settings.model_copy(update={"max_body_chars": 50_000})
    strict.restart_worker()

    dry = replay_dead_letters(strict.settings, reasons={"body_too_large"}, dry_run=True)
    assert (dry.sent, dry.left) == ({"body_too_large": 3}, 1)
    assert strict.count() == 0  # a dry run sends nothing

    done = replay_dead_letters(strict.settings, reasons={"body_too_large"})
    assert done.sent == {"body_too_large": 3} and done.left == 1  # not_json is left alone
    ids = [f"replay-long-{i}" for i in range(3)]
    wait_for(
        lambda: strict.count({"ids": {"values": ids}}) == 3,
        timeout=90,
        what="the replayed articles indexed",
    )
    replay_dead_letters(strict.settings, reasons={"body_too_large"})  # again: no duplicate
    letters = read_dead_letters(strict.settings, limit=100, timeout_s=2)
    assert sorted(letter.reason for letter in letters) == [
        "body_too_large",
        "body_too_large",
        "body_too_large",
        "not_json",
    ]  # the originals stay in the dead-letter topic, and none failed again
    time.sleep(5)  # the second replay's records processed (the worker keeps up within seconds)
    assert strict.count() == 3


def test_reprocess_re_enriches_older_articles_once_with_the_current_pipeline(pipeline):
    from datetime import timedelta

    from newsmon.reprocess import run_reprocess
    from processors.enrich import pipeline_version

    ids = [f"reprocess-{i}" for i in range(4)]
    values = [
        json.dumps({"id": i, "title": "Flooding in Kerala", "body": "Rain flooded Kochi. " * 10})
        for i in ids
    ]
    produce_raw(pipeline.settings, [v.encode() for v in values])
    wait_for(lambda: pipeline.count({"ids": {"values": ids}}) == 4, timeout=60, what="indexed")
    before = pipeline.count()
    # two of them as an older pipeline left them
    for doc_id in ids[:2]:
        pipeline.es.update(
            index=pipeline.settings.articles_alias,
            id=doc_id,
            doc={"pipeline": {"version": "0.0.1+older", "model": "x"}, "events": []},
            refresh=True,
        )
    done = run_reprocess(pipeline.settings, since=timedelta(hours=1), rate=50, log=lambda _: None)
    assert (done.found, done.sent, done.version) == (2, 2, pipeline_version())

    def current(doc_id: str) -> bool:
        doc = pipeline.get(doc_id)
        return bool(doc) and doc["pipeline"]["version"] == pipeline_version()

    wait_for(lambda: all(current(i) for i in ids), timeout=60, what="re-enriched")
    assert all(pipeline.get(i)["events"] for i in ids[:2])  # enriched again, events back
    pipeline.es.indices.refresh(index=pipeline.settings.articles_alias)  # search sees them
    again = run_reprocess(pipeline.settings, since=timedelta(hours=1), log=lambda _: None)
    assert (again.found, again.sent) == (0, 0)  # done already: nothing to send
    assert pipeline.count() == before  # replaced, not added
