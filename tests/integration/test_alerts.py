"""Standing alerts on the real stack: each rule fires exactly once for the seed article, through
replays and a worker restart; deliveries arrive signed; rules change at run time."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from newsmon.run import free_port
from processors.alerting.rules import validate_rule
from streams.producer import iter_messages, produce_messages
from streams.rulestore import publish_rules
from tests.conftest import SEED_PATH
from tests.integration.conftest import (
    drop_pipeline,
    make_pipeline,
    produce_raw,
    produce_story_reports,
    wait_for,
    worker_health,
)

pytestmark = pytest.mark.integration

SECRET = "test-webhook-secret"
SEED_RULES = {
    "kw-hasakah-prison": {"query": '"Hasakah prison" OR (clash AND prison)'},
    "ent-sdf": {"entities": ["Syrian Democratic Forces"]},
    "near-hasakah": {"region": {"near": {"lat": 36.5, "lon": 40.75, "km": 50}}},
    "country-syria": {"region": {"countries": ["SY"]}},
    "polygon-jazira": {
        "region": {
            "polygon": {
                "type": "Polygon",
                "coordinates": [
                    [[39.5, 35.8], [42.4, 35.8], [42.4, 37.4], [39.5, 37.4], [39.5, 35.8]]
                ],
            }
        }
    },
    "event-deadly-clash": {"event_types": ["armed_clash", "attack"], "min_fatalities": 10},
    "country-guyana": {"region": {"countries": ["GY"]}},
}


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def receiver():
    port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/hook"
    server.shutdown()


@pytest.fixture(scope="module")
def mailbox():
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def _alert_records(pipeline) -> list[dict]:
    from kafka import KafkaConsumer, TopicPartition

    topic = pipeline.settings.alerts_topic
    consumer = KafkaConsumer(
        bootstrap_servers=pipeline.settings.kafka_bootstrap.split(","),
        enable_auto_commit=False,
        consumer_timeout_ms=2000,
    )
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        return [json.loads(record.value) for record in consumer]
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def alerting(stack_settings, receiver, mailbox):
    _, smtp_port = mailbox
    p = make_pipeline(stack_settings, webhook_secret=SECRET, smtp_port=smtp_port)
    rules = []
    for rule_id, spec in SEED_RULES.items():
        channels = []
        if rule_id == "kw-hasakah-prison":
            channels = [{"type": "webhook", "url": receiver}]
        if rule_id == "event-deadly-clash":
            channels = [{"type": "email", "to": ["desk@example.org"]}]
        if rule_id == "near-hasakah":
            channels = [{"type": "slack", "url": receiver}]
        rules.append(validate_rule({"id": rule_id, "name": rule_id, "channels": channels, **spec}))
    publish_rules(p.settings, rules)
    wait_for(
        lambda: worker_health(p).get("rules") == len(rules), timeout=30, what="the rules loaded"
    )
    yield p
    drop_pipeline(p)


def _produce_seed(pipeline) -> None:
    report = produce_messages(pipeline.settings, iter_messages(str(SEED_PATH)), progress=False)
    assert report.sent == 1


def test_each_rule_fires_exactly_once_through_replays_and_a_restart(alerting):
    _produce_seed(alerting)
    expected = set(SEED_RULES) - {"country-guyana"}

    def fired():
        records = _alert_records(alerting)
        return records if {r["rule_id"] for r in records} >= expected else None

    wait_for(fired, timeout=45, what="an alert for every seed rule")
    _produce_seed(alerting)  # the same article again
    alerting.restart_worker()  # state survives in the changelog-backed table
    wait_for(lambda: worker_health(alerting).get("status") == "ready", timeout=60, what="restart")
    assert worker_health(alerting, "/livez") == {"status": "alive"}  # the liveness probe's path
    _produce_seed(alerting)  # and once more after the restart
    time.sleep(6)
    records = _alert_records(alerting)
    per_rule = Counter(r["rule_id"] for r in records)
    assert set(per_rule) == expected  # never Guyana
    assert all(n == 1 for n in per_rule.values()), per_rule
    # each alert explains itself
    by_rule = {r["rule_id"]: r for r in records}
    assert "«" in by_rule["kw-hasakah-prison"]["matched"]["snippet"]
    assert by_rule["near-hasakah"]["matched"]["place"]["country_code"] == "SY"
    assert by_rule["event-deadly-clash"]["matched"]["event"]["fatalities"] >= 10
    assert by_rule["ent-sdf"]["matched"]["entities"][0]["canonical"] == "Syrian Democratic Forces"
    assert max(r["latency_ms"] for r in records) < 5000
    # and the alerts index holds one document per alert
    es = alerting.es
    es.indices.refresh(index=alerting.settings.alerts_index)
    assert es.count(index=alerting.settings.alerts_index)["count"] == len(expected)


def test_the_webhook_receives_a_correctly_signed_post(alerting):
    def posted():
        return [r for r in _Receiver.received if b"kw-hasakah-prison" in r[1]]

    [(headers, body), *rest] = wait_for(posted, timeout=45, what="the webhook POST")
    assert not rest, "delivered more than once"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Newsmon-Signature"] == expected
    payload = json.loads(body)
    assert headers["X-Newsmon-Alert-Id"] == payload["id"]
    assert payload["rule_id"] == "kw-hasakah-prison" and payload["matched"]["terms"]


def test_the_slack_channel_posts_a_slack_message(alerting):
    def posted():
        return [r for r in _Receiver.received if b"*near-hasakah*" in r[1]]

    [(headers, body), *rest] = wait_for(posted, timeout=45, what="the Slack POST")
    assert not rest, "delivered more than once"
    assert list(json.loads(body)) == ["text"]  # what a Slack incoming webhook takes
    assert headers["X-Newsmon-Alert-Id"] and "(SY)" in json.loads(body)["text"]


def test_the_email_channel_delivers(alerting, mailbox):
    box, _ = mailbox
    [message] = wait_for(lambda: box.messages, timeout=45, what="the email")
    assert b"event-deadly-clash" in message and b"Washington seeks to revive ISIS" in message


def test_a_rule_added_at_run_time_fires_on_the_next_article(alerting):
    rule = validate_rule({"id": "kw-kerala", "name": "Kerala floods", "query": "Kerala AND flood*"})
    publish_rules(alerting.settings, [rule])
    wait_for(
        lambda: worker_health(alerting).get("rules") == len(SEED_RULES) + 1,
        timeout=30,
        what="the new rule loaded",
    )
    article = {
        "id": "kerala-1",
        "title": "Floods in Kerala",
        "body": "Heavy monsoon rain flooded villages across Kerala on Sunday.",
    }
    produce_raw(alerting.settings, [json.dumps(article).encode()])

    def alert():
        return [r for r in _alert_records(alerting) if r["rule_id"] == "kw-kerala"]

    [found] = wait_for(alert, timeout=45, what="the run-time rule's alert")
    assert found["article_id"] == "kerala-1"


def test_story_rules_alert_once_per_story_and_when_a_story_grows(alerting):
    story_rules = [
        validate_rule(
            {
                "id": "story-passau",
                "name": "Passau, per story",
                "query": "Passau",
                "group_by": "story",
            }
        ),
        validate_rule(
            {
                "id": "story-passau-grows",
                "name": "Passau story grows",
                "query": "Passau",
                "aggregate": {"kind": "story_growth", "window": "1d", "count": 2},
            }
        ),
    ]
    loaded = worker_health(alerting).get("rules", 0)
    publish_rules(alerting.settings, story_rules)
    wait_for(
        lambda: worker_health(alerting).get("rules", 0) == loaded + 2,
        timeout=30,
        what="the story rules loaded",
    )
    one, two, other = produce_story_reports(alerting, "alert-story")

    def of(rule_id):
        return [r for r in _alert_records(alerting) if r["rule_id"] == rule_id]

    per_story = wait_for(lambda: len(of("story-passau")) >= 2 and of("story-passau"), timeout=45,
                         what="one alert per story")  # fmt: skip
    assert sorted((a["article_id"], a["story"]) for a in per_story) == sorted(
        [(one["id"], one["id"]), (other["id"], other["id"])]
    )  # the second report of the flood is not alerted on again
    [grew] = wait_for(lambda: of("story-passau-grows"), timeout=45, what="the story's growth")
    assert grew["kind"] == "story_growth" and grew["story"] == one["id"]
    assert sorted(grew["window"]["article_ids"]) == sorted([one["id"], two["id"]])
    time.sleep(3)  # nothing more comes: not the unrelated article, not a second alert
    assert len(of("story-passau")) == 2 and len(of("story-passau-grows")) == 1


def test_a_malformed_rule_is_refused_with_its_error(alerting, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad-rule\nname: x\nregion: {countries: [XX]}\n")
    env = {**os.environ, **alerting.env}
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "rules", "add", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "region.countries" in done.stderr and "'XX'" in done.stderr
    # a malformed record written straight to the topic is skipped, and the worker goes on
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=alerting.settings.kafka_bootstrap.split(","))
    producer.send(alerting.settings.rules_topic, key=b"broken", value=b'{"id": "broken"}').get(10)
    producer.close()
    health = wait_for(
        lambda: (
            worker_health(alerting)
            if "broken" in worker_health(alerting).get("invalid_rules", {})
            else None
        ),
        timeout=30,
        what="the bad rule reported",
    )
    assert health["status"] == "ready" and "name" in health["invalid_rules"]["broken"]


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first request, then 200: delivery must retry."""

    calls: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append(body)
        self.send_response(503 if len(type(self).calls) == 1 else 200)
        self.end_headers()

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


def test_a_failing_channel_retries_without_holding_back_the_others(alerting, mailbox):
    box, _ = mailbox
    dead_port = free_port()  # nothing listens here: this webhook fails until the end
    flaky_port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", flaky_port), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rules = [
        validate_rule(
            {
                "id": "dead-hook",
                "name": "dead",
                "query": "Liberia AND election",
                "channels": [{"type": "webhook", "url": f"http://127.0.0.1:{dead_port}/"}],
            }
        ),
        validate_rule(
            {
                "id": "flaky-hook",
                "name": "flaky",
                "query": "Liberia AND election",
                "channels": [{"type": "webhook", "url": f"http://127.0.0.1:{flaky_port}/"}],
            }
        ),
        validate_rule(
            {
                "id": "mail-too",
                "name": "Liberia mail",
                "query": "Liberia AND election",
                "channels": [{"type": "email", "to": ["desk@example.org"]}],
            }
        ),
    ]
    loaded = worker_health(alerting).get("rules", 0)
    publish_rules(alerting.settings, rules)
    wait_for(
        lambda: worker_health(alerting).get("rules", 0) == loaded + len(rules),
        timeout=30,
        what="the delivery rules loaded",
    )
    before = len(box.messages)
    article = {
        "id": "liberia-1",
        "title": "Liberia election",
        "body": "Voters in Liberia queued for hours as the election count began.",
    }
    produce_raw(alerting.settings, [json.dumps(article).encode()])
    # the email arrives although the dead webhook keeps failing
    wait_for(lambda: len(box.messages) > before, timeout=45, what="the email past a dead hook")
    # the flaky webhook is delivered on its second attempt, and logged
    wait_for(lambda: len(_Flaky.calls) >= 2, timeout=45, what="the webhook retry")
    es = alerting.es.options(ignore_status=404)  # the log's index appears with its first entry

    def logged():
        es.indices.refresh(index=alerting.settings.deliveries_index)
        found = (
            es.search(
                index=alerting.settings.deliveries_index, query={"term": {"rule_id": "flaky-hook"}}
            )
            .get("hits", {})
            .get("hits")
        )
        return found[0]["_source"] if found else None

    entry = wait_for(logged, timeout=30, what="the delivery log entry")
    assert entry["status"] == "delivered" and entry["attempts"] == 2
    server.shutdown()


def test_a_digest_rule_sends_one_alert_for_several_articles(alerting):
    rule = validate_rule(
        {"id": "digest-volcano", "name": "Volcano digest", "query": "volcano", "digest": "4s"}
    )
    loaded = worker_health(alerting).get("rules", 0)
    publish_rules(alerting.settings, [rule])
    wait_for(
        lambda: worker_health(alerting).get("rules", 0) == loaded + 1,
        timeout=30,
        what="the digest rule loaded",
    )
    articles = [
        {
            "id": f"volcano-{n}",
            "title": f"Volcano report {n}",
            "body": "The volcano near the town erupted again overnight, officials said.",
        }
        for n in range(3)
    ]
    produce_raw(alerting.settings, [json.dumps(a).encode() for a in articles])

    def digests():
        return [r for r in _alert_records(alerting) if r["rule_id"] == "digest-volcano"]

    [digest] = wait_for(digests, timeout=45, what="the digest alert")
    assert digest["kind"] == "digest" and digest["digest"]["count"] == 3
    time.sleep(5)
    assert len(digests()) == 1  # and no second, empty digest
