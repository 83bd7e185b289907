"""Alert rules on the compacted ``alert-rules`` topic: published by the CLI, held by every worker.
Silences (``processors.alerting.silences``) ride on the same topic under ``silence/<id>`` keys.

The topic is keyed by rule id: the latest record of a key is the rule, a tombstone (no value)
deletes it, and compaction keeps the topic the size of the rule set. Every worker reads the
whole topic at start (outside any consumer group, so each worker gets every rule), marks itself
ready, and then follows the topic, so a rule added while it runs applies from the next article.
A record that does not validate is logged and skipped; the rule's previous version stays.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field

from config import Settings
from processors.alerting.matching import RuleSet
from processors.alerting.rules import Rule, validate_rule
from processors.alerting.silences import ANY_RULE, SILENCE_PREFIX, Silence, validate_silence
from processors.errors import InvalidRule

__all__ = [
    "RuleStore",
    "delete_rule",
    "publish_rules",
    "publish_silence",
    "read_rules",
    "topic_partitions",
]

log = logging.getLogger(__name__)


@dataclass
class RuleStore:
    """The rules a worker knows, compiled into a ``RuleSet`` for matching."""

    settings: Settings
    rules: dict[str, Rule] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)
    silences: dict[str, Silence] = field(default_factory=dict)
    ruleset: RuleSet = field(default_factory=RuleSet)  # matched as articles are enriched
    story_ruleset: RuleSet = field(default_factory=RuleSet)  # as they are indexed (by story)
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    version: int = 0

    def apply(self, key: bytes | None, value: bytes | None) -> bool:
        """Apply one topic record; True when the rule set changed (a silence changes it not)."""
        if key is None:
            return False
        rule_id = key.decode("utf-8", "replace")
        if rule_id.startswith(SILENCE_PREFIX):
            self._apply_silence(rule_id[len(SILENCE_PREFIX) :], value)
            return False
        if value is None:
            self.invalid.pop(rule_id, None)
            return self.rules.pop(rule_id, None) is not None
        try:
            rule = validate_rule(json.loads(value), where=f"rule {rule_id!r} on the topic")
        except (InvalidRule, ValueError) as exc:
            self.invalid[rule_id] = str(exc)
            log.error("skipped an invalid rule", extra={"rule_id": rule_id, "error": str(exc)})
            return False
        if rule.id != rule_id:
            self.invalid[rule_id] = f"record key {rule_id!r} differs from rule id {rule.id!r}"
            return False
        self.invalid.pop(rule_id, None)
        self.rules[rule_id] = rule
        return True

    def rule(self, rule_id: str) -> Rule | None:
        return self.rules.get(rule_id)

    def _apply_silence(self, silence_id: str, value: bytes | None) -> None:
        if value is None:
            self.silences.pop(silence_id, None)
            return
        try:
            silence = validate_silence(json.loads(value))
        except (InvalidRule, ValueError) as exc:
            log.error(
                "skipped an invalid silence", extra={"silence": silence_id, "error": str(exc)}
            )
            return
        if silence.id == silence_id:
            self.silences[silence_id] = silence

    def silences_of(self, rule_id: str, now: float) -> list[Silence]:
        """The silences holding now for this rule (its own and those of every rule)."""
        return [
            s for s in self.silences.values() if s.active(now) and s.rule_id in (rule_id, ANY_RULE)
        ]

    async def _rebuild(self) -> None:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        rules = list(self.rules.values())
        by_story = [r for r in rules if r.needs_story]
        self.ruleset = await loop.run_in_executor(
            None, RuleSet.of, [r for r in rules if not r.needs_story]
        )
        self.story_ruleset = await loop.run_in_executor(None, RuleSet.of, by_story)
        self.version += 1
        log.info(
            "rule set compiled",
            extra={
                "rules": len(self.ruleset) + len(self.story_ruleset),
                "ms": round((time.perf_counter() - started) * 1e3),
            },
        )

    async def run(self) -> None:
        """Load the topic, then follow it until cancelled."""
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap.split(","),
            enable_auto_commit=False,
            group_id=None,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            loop = asyncio.get_running_loop()
            partitions = await loop.run_in_executor(
                None, topic_partitions, self.settings, self.settings.rules_topic
            )
            tps = [TopicPartition(self.settings.rules_topic, p) for p in partitions]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            end = await consumer.end_offsets(tps)
            changed = False
            while True:
                batch = await consumer.getmany(timeout_ms=200, max_records=5000)
                for records in batch.values():
                    for record in records:
                        changed = self.apply(record.key, record.value) or changed
                caught_up = all([await consumer.position(tp) >= end[tp] for tp in tps])
                if changed and (caught_up or not batch):
                    await self._rebuild()
                    changed = False
                if caught_up and not self.loaded.is_set() and not changed:
                    self.loaded.set()
                    log.info("rules loaded", extra={"rules": len(self.rules)})
        finally:
            await consumer.stop()


def topic_partitions(settings: Settings, topic: str) -> list[int]:
    """Partition numbers of ``topic`` (kafka-python: aiokafka only knows subscribed topics)."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap.split(","))
    try:
        partitions = consumer.partitions_for_topic(topic)
    finally:
        consumer.close()
    if not partitions:
        raise RuntimeError(f"topic {topic!r} does not exist; run `newsmon topics`")
    return sorted(partitions)


# --- the CLI side (kafka-python) ----------------------------------------------------------------
def publish_rules(settings: Settings, rules: list[Rule]) -> None:
    """Write rules to the topic (each keyed by its id), waiting for Kafka to confirm."""
    from streams.producer import sync_producer

    producer = sync_producer(settings)
    try:
        futures = [
            producer.send(settings.rules_topic, key=rule.id.encode(), value=rule.to_json())
            for rule in rules
        ]
        producer.flush(30)
        for future in futures:
            future.get(10)
    finally:
        producer.close()


def delete_rule(settings: Settings, rule_id: str) -> None:
    """Write a tombstone for ``rule_id``."""
    from streams.producer import sync_producer

    producer = sync_producer(settings)
    try:
        producer.send(settings.rules_topic, key=rule_id.encode(), value=None).get(10)
    finally:
        producer.close()


def publish_silence(settings: Settings, silence: Silence) -> None:
    """Write a silence (a new one, or one lifted) to the rules topic; waits for Kafka."""
    from streams.producer import sync_producer

    producer = sync_producer(settings)
    try:
        producer.send(settings.rules_topic, key=silence.record_key, value=silence.to_bytes()).get(
            10
        )
    finally:
        producer.close()


def read_rules(settings: Settings, *, timeout_s: float = 10.0) -> RuleStore:
    """The rule set as the topic holds it now (the last record of each id wins)."""
    from streams.topics import read_to_end

    store = RuleStore(settings)
    for record in read_to_end(settings, settings.rules_topic, timeout_s=timeout_s):
        store.apply(record.key, record.value)
    return store
