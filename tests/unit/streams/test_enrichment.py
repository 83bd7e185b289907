"""The worker's enrichment process (streams.enrichment): outcomes in order, a new child when
one dies, and no child left behind when its worker is killed (loads spaCy in a child)."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from config import get_settings
from streams.enrichment import EnrichmentRunner

pytestmark = pytest.mark.model


def _message(n: int) -> bytes:
    body = f"Gunmen wounded {n + 2} cyclists on a Fresno road on Friday. Police are searching."
    return json.dumps({"id": f"m{n}", "title": "Shooting", "body": body}).encode()


@pytest.fixture(scope="module")
def runner():
    runner = EnrichmentRunner(get_settings(), in_child=True)
    runner.load()
    yield runner
    runner.close()


def test_a_part_is_enriched_in_the_child_in_order(runner):
    outcomes = asyncio.run(runner.process([_message(1), b"not json", _message(2)]))
    assert [o.article["id"] if o.ok else o.error.reason for o in outcomes] == [
        "m1",
        "not_json",
        "m2",
    ]
    assert max(e.get("injured") or 0 for e in outcomes[0].article["events"]) == 3
    [child] = runner.child_pids()
    assert child != os.getpid()


def test_a_child_that_dies_is_replaced_and_the_part_enriched_again(runner):
    [before] = runner.child_pids()
    os.kill(before, signal.SIGKILL)
    psutil.Process(before).wait(timeout=10)
    outcomes = asyncio.run(runner.process([_message(3), _message(4)]))
    assert [o.article["id"] for o in outcomes] == ["m3", "m4"]
    [after] = runner.child_pids()
    assert after != before


def test_the_child_of_a_killed_worker_exits():
    script = textwrap.dedent(
        """
        from config import get_settings
        from streams.enrichment import EnrichmentRunner
        runner = EnrichmentRunner(get_settings(), in_child=True)
        runner.load()
        print(runner.child_pids()[0], flush=True)
        import time
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = psutil.Process(int(parent.stdout.readline()))
        assert child.is_running()
        parent.kill()  # SIGKILL: no atexit, no pool shutdown
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "the enrichment process outlived its worker"
            time.sleep(0.2)
    finally:
        parent.kill()
