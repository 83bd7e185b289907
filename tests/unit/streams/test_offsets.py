"""The commit rule: only an unbroken run of processed records from the committed offset.

``committable_run`` is tested on plain offsets; ``GatedConsumer`` on the state of a real (not
started) faust consumer, which needs no broker: the decisions are bookkeeping.
"""

from __future__ import annotations

import faust.transport.drivers.aiokafka as faust_aiokafka
import pytest
from faust.types import TP

from config import Settings
from streams.app import create_app
from streams.consumer import GatedConsumer
from streams.offsets import committable_run
from streams.worker import worker_app

TP0 = TP("articles", 0)


def test_a_run_from_the_committed_offset_is_committed():
    assert committable_run(10, [12, 10, 11]) == (13, [10, 11, 12])


def test_nothing_is_committed_while_the_next_record_is_unprocessed():
    assert committable_run(10, [11, 12, 13]) == (None, [])


def test_a_hole_in_the_run_stops_it_there():
    assert committable_run(10, [10, 11, 13, 14]) == (12, [10, 11])


def test_repeated_and_already_committed_offsets_do_not_move_it():
    assert committable_run(10, [8, 9, 10, 10, 11]) == (12, [8, 9, 10, 11])
    assert committable_run(10, [7, 9]) == (None, [7, 9])


def test_an_unknown_start_commits_nothing():
    assert committable_run(None, [0, 1, 2]) == (None, [])


@pytest.fixture
def consumer() -> GatedConsumer:
    app = create_app(Settings(app_id="offsets-test"))
    consumer = app.consumer
    assert isinstance(consumer, GatedConsumer)
    return consumer


def _ack(consumer, tp: TP, *offsets: int) -> None:
    consumer._acked[tp].extend(offsets)
    consumer._acked_index[tp].update(offsets)


def test_faust_own_rule_commits_past_an_unprocessed_record(consumer):
    """Why GatedConsumer exists: with 10 committed and 11, 12 processed while 10 is not (a
    batch abandoned, a record dropped in a rebalance), faust-streaming commits 13, and record
    10 is never processed. If this starts failing, faust fixed it; keep the gate anyway."""
    consumer._committed_offset[TP0] = 10
    _ack(consumer, TP0, 11, 12)
    assert faust_aiokafka.Consumer._new_offset(consumer, TP0) == 13


def test_gate_holds_the_commit_at_the_unprocessed_record(consumer):
    consumer._committed_offset[TP0] = 10
    _ack(consumer, TP0, 11, 12)
    assert consumer._new_offset(TP0) is None
    _ack(consumer, TP0, 10)
    assert consumer._new_offset(TP0) == 13
    assert consumer._acked[TP0] == []


def test_gate_ignores_faust_gaps(consumer):
    """Offsets faust marks as a gap (never delivered to a stream) are not done."""
    consumer._committed_offset[TP0] = 10
    consumer._gap[TP0].addi(10, 13)
    _ack(consumer, TP0, 13, 14)
    assert consumer._new_offset(TP0) is None


def test_gate_keeps_the_committed_offset_across_a_revocation(consumer):
    """Faust forgets the committed offset of revoked partitions, then accepts any run: an
    in-flight batch finishing during the revocation must not commit over an abandoned one."""
    consumer._committed_offset[TP0] = 10
    _ack(consumer, TP0, 10, 11)
    assert consumer._new_offset(TP0) == 12
    consumer._committed_offset.pop(TP0)  # what faust's on_partitions_revoked does
    consumer._acked.pop(TP0)
    _ack(consumer, TP0, 15, 16)  # 12..14 were in a batch that was abandoned
    assert consumer._new_offset(TP0) is None
    assert faust_aiokafka.Consumer._new_offset(consumer, TP0) == 17  # faust would lose 12..14


def test_an_abandoned_head_is_found_for_re_reading(consumer, monkeypatch):
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._committed_offset[TP0] = 10
    _ack(consumer, TP0, 11)
    assert consumer._new_offset(TP0) is None
    since = consumer._held_since[TP0]
    assert consumer.abandoned(now=since + 1) == []  # give it time: it may be in a slow batch
    assert consumer.abandoned(now=since + consumer.reread_after) == [(TP0, 10)]


def test_a_head_still_being_processed_is_not_re_read(consumer, monkeypatch):
    class Message:
        tp, offset, acked, time_in = TP0, 10, False, None

    in_flight = Message()
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._unacked_messages.add(in_flight)
    consumer._committed_offset[TP0] = 10
    _ack(consumer, TP0, 11)
    consumer._new_offset(TP0)
    since = consumer._held_since[TP0]
    assert consumer.abandoned(now=since + 10 * consumer.reread_after) == []


def test_a_head_acknowledged_while_its_commit_waits_is_not_re_read(consumer, monkeypatch):
    """A batch finished while the broker was down: its records are acknowledged, but the
    commit that would move past them has not run yet (the one before it still waits for the
    broker). They are done, and reading them again would only enrich them twice."""
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._committed_offset[TP0] = 10
    consumer._handed_on[TP0] = 12
    consumer.abandoned()  # the clock starts: 10..12 handed on, none back
    since = consumer._held_since[TP0]
    _ack(consumer, TP0, 10, 11, 12)  # back, and no commit has asked about them yet
    assert consumer.abandoned(now=since + 10 * consumer.reread_after) == []
    assert consumer._new_offset(TP0) == 13


def test_a_head_tracked_too_long_is_stuck_not_in_flight(consumer, monkeypatch):
    """A record two agents read, whose second copy a rebalance cleared from its queue, stays
    tracked for ever: past ``stuck_after`` it counts as abandoned and is re-read."""

    class Message:
        tp, offset, acked, time_in = TP0, 10, False, 0.0

    stuck = Message()
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._unacked_messages.add(stuck)
    consumer._committed_offset[TP0] = 10
    _ack(consumer, TP0, 11)
    consumer._new_offset(TP0)
    since = consumer._held_since[TP0]
    later = max(since + consumer.reread_after, consumer.stuck_after + 1)
    assert consumer.abandoned(now=later) == [(TP0, 10)]


def test_a_record_faust_does_not_count_still_leaves_the_in_flight_set(consumer):
    class Message:
        tp, offset, acked, topic = TP0, 5, False, "articles"

        def __hash__(self):
            return id(self)

    replayed = Message()
    consumer._committed_offset[TP0] = 10  # a replay of a record committed before
    consumer._unacked_messages.add(replayed)
    consumer.ack(replayed)
    assert replayed not in consumer._unacked_messages


def test_a_tail_handed_on_and_never_finished_is_re_read(consumer, monkeypatch):
    """Records given to the agents and then dropped (a rebalance cleared their queue) with
    nothing after them acknowledged: the partition is read again from the first of them."""
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._committed_offset[TP0] = 10
    consumer._handed_on[TP0] = 12  # 10, 11, 12 went to the agents; none came back
    assert consumer._new_offset(TP0) is None
    since = consumer._held_since[TP0]
    assert consumer.abandoned(now=since + consumer.reread_after) == [(TP0, 10)]


def test_a_changelog_read_by_a_standby_is_neither_abandoned_nor_stalled(fetching, monkeypatch):
    """A table's standby reads its changelog to the end and acknowledges nothing: that is not
    a record dropped by the agents, and the partition must not be sought back to it."""
    import asyncio

    monkeypatch.setattr(fetching, "_is_changelog_tp", lambda tp: tp == TP0)
    fetching._committed_offset[TP0] = 10
    assert asyncio.run(_deliver(fetching)) == [10, 11, 12, 13]
    assert TP0 not in fetching._handed_on
    assert fetching.abandoned() == []
    assert fetching.abandoned(now=10**9) == []
    assert fetching.stalled(now=10**9) == []


def test_an_idle_partition_is_not_re_read(consumer, monkeypatch):
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._committed_offset[TP0] = 10
    consumer._handed_on[TP0] = 9  # everything handed on is committed
    assert consumer._new_offset(TP0) is None
    assert TP0 not in consumer._held_since


def _record(offset: int):
    from aiokafka.structs import ConsumerRecord

    return ConsumerRecord("articles", 0, offset, 0, 0, b"k", b"v", None, 1, 1, ())


@pytest.fixture
def fetching(consumer, monkeypatch):
    """``consumer`` with a fetch of offsets 10..13 waiting, and its seeks recorded."""
    import faust.transport.consumer as faust_consumer

    async def fetched(self, timeout):
        return {TP0: [_record(o) for o in range(10, 14)]}, {TP0}

    seeks: list[int] = []

    async def seek(tp, offset):
        seeks.append(offset)

    async def position(tp):
        return 14  # the client's position: past everything it returned

    monkeypatch.setattr(faust_consumer.Consumer, "_wait_next_records", fetched)
    monkeypatch.setattr(faust_aiokafka.Consumer, "seek", lambda self, tp, o: seek(tp, o))
    monkeypatch.setattr(consumer, "position", position)
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    monkeypatch.setattr(consumer, "highwater", lambda tp: 14)
    consumer.seeks = seeks
    return consumer


async def _deliver(consumer, *, rebalance_after: int | None = None) -> list[int]:
    handed = []
    async for _tp, message in consumer.getmany(timeout=1.0):
        handed.append(message.offset)
        if rebalance_after is not None and len(handed) == rebalance_after:
            consumer.app.consumer_generation_id += 1  # a rebalance while it delivers
    return handed


def test_records_faust_fetched_and_dropped_are_read_again(fetching):
    """Faust stops handing on a fetched batch when the generation changes mid-batch; the rest
    would never be delivered (the client's position is past them). They are sought back to."""
    import asyncio

    handed = asyncio.run(_deliver(fetching, rebalance_after=2))
    assert handed == [10, 11]
    assert fetching.seeks == [12]


def test_a_batch_handed_on_whole_needs_no_seek(fetching):
    import asyncio

    assert asyncio.run(_deliver(fetching)) == [10, 11, 12, 13]
    assert fetching.seeks == []
    assert fetching._handed_on[TP0] == 13


def test_a_partition_with_records_waiting_and_none_read_is_a_stall(consumer, monkeypatch):
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    monkeypatch.setattr(consumer, "highwater", lambda tp: 25)
    consumer._committed_offset[TP0] = 10
    consumer._progress[TP0] = 100.0
    assert consumer.stalled(now=100.0 + consumer.stall_after - 1) == []
    [stall] = consumer.stalled(now=100.0 + consumer.stall_after)
    assert stall == {"partition": "articles/0", "waiting": 15, "idle_s": consumer.stall_after}


def test_a_caught_up_partition_is_no_stall_however_quiet(consumer, monkeypatch):
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    monkeypatch.setattr(consumer, "highwater", lambda tp: 10)
    consumer._committed_offset[TP0] = 10
    consumer._progress[TP0] = 0.0
    assert consumer.stalled(now=10_000.0) == []


def test_a_tail_is_found_without_any_commit_asking_about_it(consumer, monkeypatch):
    """Faust only asks for the offset of partitions with acks to commit; a partition whose
    handed-on records all vanished has none, and is still found and re-read."""
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._committed_offset[TP0] = 10
    consumer._handed_on[TP0] = 14
    assert consumer.abandoned() == []  # the clock starts
    since = consumer._held_since[TP0]
    assert consumer.abandoned(now=since + consumer.reread_after) == [(TP0, 10)]


def test_the_wait_for_records_in_flight_ends_and_forgets_them(consumer, monkeypatch):
    """A record one of its two agents will never acknowledge (its queue was cleared by a
    rebalance) must not hold the rebalance for ever; faust's own wait never returns, and
    swallows the cancellation that would cut it short."""
    import asyncio

    class Message:
        tp, offset, acked, time_in = TP0, 10, False, None

    never_acked = Message()
    commits = []

    async def commit(*args, **kwargs):
        commits.append(args)
        return False

    monkeypatch.setattr(consumer, "commit", commit)
    monkeypatch.setattr(consumer, "wait_empty_timeout", 0.5)
    consumer._unacked_messages.add(never_acked)

    async def run() -> None:
        await asyncio.wait_for(consumer.wait_empty(), timeout=30)

    consumer.loop.run_until_complete(run())  # the loop faust's futures belong to
    assert never_acked not in consumer._unacked_messages
    assert commits  # what was acknowledged was committed, before and after the wait


def _fetched(consumer, offset: int, *, readers: int, generation: int = 1):
    """A record as the consumer makes it, given to ``readers`` streams by the conductor."""
    consumer.app.topics._acking_topics.add(TP0.topic)  # our agents read it with acks
    message = consumer._to_message(TP0, _record(offset))
    message.generation_id = generation
    message.incref(readers)
    return message


def _streams_finish(consumer, message, *, handled: int, readers: int) -> None:
    """``handled`` streams processed the record and said so; the others skipped it (faust's
    ``Stream`` acks what it skips, as after a rebalance)."""
    message.handled += handled
    for _ in range(readers):
        message.ack(consumer)


def test_a_record_every_reader_handled_is_counted(consumer):
    consumer._committed_offset[TP0] = 10
    message = _fetched(consumer, 10, readers=2)
    _streams_finish(consumer, message, handled=2, readers=2)
    assert consumer._new_offset(TP0) == 11


def test_a_record_one_reader_skipped_is_not_counted_and_is_read_again(consumer, monkeypatch):
    """The loss under faults: ``articles-enriched`` has two readers (index, alert matcher).
    The matcher processed a record, the index stream skipped it (fetched before a rebalance);
    faust counted it done, and the commit passed an article that was never indexed."""
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._committed_offset[TP0] = 10
    skipped = _fetched(consumer, 10, readers=2)
    consumer._unacked_messages.add(skipped)
    _streams_finish(consumer, skipped, handled=1, readers=2)
    later = _fetched(consumer, 11, readers=2)
    _streams_finish(consumer, later, handled=2, readers=2)
    assert consumer._new_offset(TP0) is None  # held at 10
    assert skipped not in consumer._unacked_messages  # no rebalance waits on it
    assert consumer.skipped_to_reread() == [(TP0, 10)]


def test_a_skipped_record_is_read_again_by_the_seek_that_ends_a_rebalance(consumer, monkeypatch):
    """Fetched before the last seek to the committed offset (its generation is older), the
    record is fetched again by that seek: no seek back is needed."""
    monkeypatch.setattr(consumer, "assignment", lambda: {TP0})
    consumer._committed_offset[TP0] = 10
    consumer._sought_generation[TP0] = 5
    old = _fetched(consumer, 10, readers=1, generation=4)
    _streams_finish(consumer, old, handled=0, readers=1)
    assert consumer._new_offset(TP0) is None
    assert consumer.skipped_to_reread() == []


def test_a_seek_below_a_skipped_record_reads_it_again(fetching):
    import asyncio

    fetching._committed_offset[TP0] = 10
    skipped = _fetched(fetching, 12, readers=1)
    _streams_finish(fetching, skipped, handled=0, readers=1)
    assert fetching.skipped_to_reread() == [(TP0, 12)]
    asyncio.run(fetching.seek(TP0, 10))
    assert fetching.skipped_to_reread() == []


def test_acknowledge_marks_each_record_handled_then_acks_it():
    import asyncio

    from streams.consumer import HandledRecord, acknowledge

    class Event:
        def __init__(self, message):
            self.message = message

    class Stream:
        acked: list = []

        async def ack(self, event):
            self.acked.append(event.message.offset)

    stream = Stream()
    records = [HandledRecord("articles", 0, o, 0.0, 0, None, b"k", b"v", None) for o in (3, 4)]
    asyncio.run(acknowledge(stream, [Event(r) for r in records]))
    assert [r.handled for r in records] == [1, 1]
    assert stream.acked == [3, 4]


def test_a_record_given_to_fewer_streams_than_agents_read_its_topic_is_not_done(consumer):
    """Faust gives a partition's records only to the channels registered when it was
    assigned, and an agent's channel is registered when the agent first iterates: an index
    agent that waited for Elasticsearch before iterating got none of them, and the matcher's
    acknowledgement alone made them done (80 articles never indexed, in the webhook test)."""
    from collections import Counter

    consumer._readers = Counter({TP0.topic: 2})  # two agents read the topic
    consumer._committed_offset[TP0] = 10
    message = _fetched(consumer, 10, readers=1)  # but only one channel was registered
    _streams_finish(consumer, message, handled=1, readers=1)
    assert consumer._new_offset(TP0) is None


def test_the_app_counts_two_readers_of_the_enriched_topic():
    settings = Settings(app_id="readers-test")
    app = worker_app(settings)
    consumer = app.consumer
    assert consumer.readers_of(settings.enriched_topic) == 2  # index, alert_match
    assert consumer.readers_of(settings.articles_topic) == 1
    assert consumer.readers_of(settings.indexed_topic) == 1  # story_match


def test_a_partition_never_committed_is_read_from_its_start_after_a_rebalance(
    fetching, monkeypatch
):
    """aiokafka's seek to the committed offset leaves a partition the group never committed
    at the client's fetch position, past records fetched before the rebalance (and cleared
    from the agents' queues by it). The gate took that position for the committed offset and
    counted those records done; the partition is now sought to its first offset instead."""
    import asyncio
    from collections import Counter

    import faust.transport.consumer as faust_consumer

    async def faust_seek(self):  # the group has no commit for the partition
        self._committed_offset[TP0] = None

    async def earliest(*tps):
        return {tp: 0 for tp in tps}

    monkeypatch.setattr(faust_consumer.Consumer, "perform_seek", faust_seek)
    monkeypatch.setattr(fetching, "earliest_offsets", earliest)
    fetching._readers = Counter({TP0.topic: 1})
    asyncio.run(fetching.perform_seek())  # the client's position is 14 (fixture)
    assert fetching.seeks == [0]
    assert fetching._base_of(TP0) == 0
    _ack(fetching, TP0, 12, 13)  # a batch of the earlier generation finishing
    assert fetching._new_offset(TP0) is None  # 0..11 are not done
