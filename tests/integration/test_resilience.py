"""Nothing lost, nothing doubled: a killed worker, a restarted worker, Elasticsearch down.

Each test does the thing it names to the real processes and then counts documents by id.
"""

from __future__ import annotations

import json
import time

import pytest

from deploy import stack
from tests.integration.conftest import drop_pipeline, make_pipeline, produce_raw, wait_for

pytestmark = pytest.mark.integration


def _articles(tag: str, n: int) -> tuple[list[str], list[bytes]]:
    ids = [f"{tag}-{i}" for i in range(n)]
    values = [
        json.dumps(
            {
                "id": doc_id,
                "title": f"Report {i} on flooding in Kerala",
                "body": "Heavy rain flooded villages across Kerala, officials in Kochi said. " * 8,
            }
        ).encode()
        for i, doc_id in enumerate(ids)
    ]
    return ids, values


@pytest.fixture
def fresh(stack_settings):
    p = make_pipeline(stack_settings, batch_size=8)
    yield p
    drop_pipeline(p)


def _all_indexed(pipeline, ids: list[str]) -> bool:
    return pipeline.count({"ids": {"values": ids}}) == len(ids)


def test_worker_killed_mid_stream_loses_and_duplicates_nothing(fresh):
    ids, values = _articles("kill", 160)
    produce_raw(fresh.settings, values, keys=[i.encode() for i in ids])
    # kill -9 as soon as the first documents land, with most of the stream still in flight
    wait_for(lambda: fresh.count() >= 1, timeout=60, what="the first documents", every=0.05)
    before = fresh.count()
    fresh.restart_worker(kill=True)
    assert before < len(ids), "the worker finished before it could be killed; raise the count"
    wait_for(lambda: _all_indexed(fresh, ids), timeout=120, what="every article after the kill")
    assert fresh.count() == len(ids)


def test_worker_restart_resumes_where_it_stopped(fresh):
    first, first_values = _articles("before", 20)
    produce_raw(fresh.settings, first_values)
    wait_for(lambda: _all_indexed(fresh, first), timeout=60, what="the first batch")
    fresh.restart_worker()  # graceful: SIGTERM, commit, exit
    second, second_values = _articles("after", 20)
    produce_raw(fresh.settings, second_values)
    wait_for(lambda: _all_indexed(fresh, second), timeout=60, what="the second batch")
    time.sleep(2)
    assert fresh.count() == 40


def test_elasticsearch_down_delays_articles_and_loses_none(fresh, stack_settings):
    ids, values = _articles("es-down", 30)
    stack.down(stack_settings, only=["elasticsearch"])
    try:
        produce_raw(fresh.settings, values)
        time.sleep(8)  # the worker enriches them and keeps retrying the bulk write
        assert fresh.worker.proc is not None and fresh.worker.proc.poll() is None
    finally:
        stack.up(stack_settings, only=["elasticsearch"])
    wait_for(lambda: _all_indexed(fresh, ids), timeout=90, what="every article after ES returned")
    assert fresh.count() == len(ids)
