"""Faust's Kafka consumer with newsmon's commit rule: never commit past an unprocessed record.

``GatedConsumer`` is faust's aiokafka consumer with one decision replaced, the offset to commit
(``streams.offsets.committable_run`` says why faust's own loses records), and two duties added:

- it remembers, per partition, where the group's committed position is, from the broker when
  the partition is assigned (``perform_seek``) and from its own commits after that, also across
  a revocation, when faust forgets it;
- it never lets a fetched record go unread: faust's ``getmany`` stops handing on a fetched
  batch when a rebalance starts or ends while it is delivering (flow stopped, generation
  changed) and drops the rest, with the Kafka client's position already past them; those
  records were then simply never delivered. ``getmany`` here seeks the partition back to the
  first record it did not hand on (only ever backwards: a rebalance that already re-sought the
  partition is left alone);
- it re-reads a partition whose next record to commit was abandoned: when it (or a record
  after it) was handed to the agents and for ``reread_after`` seconds it is neither
  acknowledged nor being processed (a record dropped by a rebalance, a crashed agent's
  batch), the partition is sought back to it, so it is processed again instead of holding the
  partition's commits for ever. Replays are harmless: every effect is idempotent by article id.

- it counts a record as done only when every agent reading it handled it
  (``HandledRecord``, ``acknowledge``): faust's ``Stream`` also acknowledges the records it
  *skips*, a record fetched before a rebalance and read after it (its generation is old) or
  read while the flow is stopped, so that the lag does not grow; counted, that acknowledgement
  let the commit pass records no agent ever saw (on ``articles-enriched``, read by two agents,
  one agent's skip and the other's work made the record "done" though it was never indexed).
  A skipped record is read again: by the seek to the committed offset that ends every
  rebalance, or, if it was skipped after that seek, by a seek back to it. The number of
  handlers expected is the number of the app's agents on the topic, not only the channels
  faust gave the record to: faust registers an agent's channel when the agent first iterates
  its stream and gives a partition's records only to the channels registered at its
  assignment, so an agent that waited before iterating (the index agent for Elasticsearch)
  got none, and the matcher's acknowledgement alone made them done.

A table's changelog partitions are none of this: a standby (or a table's recovery) reads them
to their end and acknowledges nothing, and nobody commits them, so they are never taken for
abandoned (seeking one back made a standby re-read its changelog every 20 s) or stalled.

``Transport`` is faust's aiokafka transport with this consumer; ``streams.app`` uses it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from faust.transport.consumer import CONSUMER_WAIT_EMPTY
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, EventT, StreamT
from faust.types.tuples import ConsumerMessage
from mode import Service
from mode.utils.futures import notify

from streams.metrics import COMMITS_HELD, OFFSETS_REREAD, RECORDS_SKIPPED
from streams.offsets import committable_run

__all__ = ["GatedConsumer", "HandledRecord", "Transport", "acknowledge"]

log = logging.getLogger(__name__)


class HandledRecord(ConsumerMessage):
    """A fetched record that knows how many agents read it and how many of them handled it.

    Faust acknowledges a record once every stream reading it has acknowledged it, and a stream
    acknowledges the records it skips as well as those its agent processed; only the agents
    can say which is which (``acknowledge``). The conductor gives a record to every channel of its
    topic at once (``incref`` by their number), which is how ``readers`` is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.readers = 0
        self.handled = 0

    def incref(self, n: int = 1) -> None:
        super().incref(n)
        self.readers += n

    def skipped(self, agents: int = 0) -> bool:
        """Acknowledged, but handled by fewer than the streams it was given to, or than the
        ``agents`` that read its topic: faust gives a record only to the channels it had
        registered at the partition's assignment, and an agent's channel is registered when
        the agent first iterates; a record given to the others alone is not done."""
        return self.handled < max(self.readers, agents)


async def acknowledge(stream: StreamT, events: Iterable[EventT]) -> None:
    """An agent's word that it is done with ``events`` (their results confirmed), and their
    acknowledgement. A record that faust acknowledges without this word was skipped, not done."""
    for event in events:
        message = event.message
        if isinstance(message, HandledRecord):
            message.handled += 1
        await stream.ack(event)


class _FaustView:
    """The four fields faust's ``_new_offset`` reads, so it can be asked without side effects."""


class GatedConsumer(faust_aiokafka.Consumer):
    """See the module docstring."""

    reread_after: float = 15.0
    #: A record tracked longer than this is no longer taken to be in flight: its batch was
    #: dropped (faust clears an agent's queue at a rebalance, and a record two agents read
    #: then waits for ever on the one that never got it).
    stuck_after: float = 120.0
    #: How long a rebalance or a stop waits for records in flight before it goes on. Faust
    #: waits without end; with commits gated, what is left unprocessed is simply read again by
    #: the partition's next owner, so waiting longer buys nothing but a stalled group.
    wait_empty_timeout: float = 15.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._base: dict[TP, int] = {}  # the next offset the group has not committed
        self._held_since: dict[TP, float] = {}  # when acks started waiting on a missing head
        self._held_logged: dict[TP, int] = {}
        self._handed_on: dict[TP, int] = {}  # the last offset given to the agents, per partition
        self._fetched: dict[TP, tuple[int, int]] = {}  # first and last offset being delivered
        self._progress: dict[TP, float] = {}  # when a record was last handed on or committed
        self._skipped_at: dict[TP, int] = {}  # the first record skipped since the last seek
        self._sought_generation: dict[TP, int] = {}  # generation of the last seek to committed
        self._readers: Counter[str] | None = None  # agents per topic, counted once started

    # -- what may be committed ------------------------------------------------------------
    def _base_of(self, tp: TP) -> int | None:
        # faust keeps None both for "committed 0" and after a revocation; ours survives both
        known = [v for v in (self._committed_offset.get(tp), self._base.get(tp)) if v is not None]
        return max(known) if known else None

    def _new_offset(self, tp: TP) -> int | None:
        base = self._base_of(tp)
        acked = self._acked[tp]
        offset, covered = committable_run(base, acked)
        faust_offset = self._faust_offset(tp)
        if (
            faust_offset is not None
            and faust_offset > (offset or base or 0)
            and self._held_logged.get(tp) != faust_offset
        ):
            self._held_logged[tp] = faust_offset
            # the loss faust-streaming would have caused: say where, so it is seen
            COMMITS_HELD.labels(tp.topic).inc()
            log.warning(
                "commit held at an unprocessed record",
                extra={
                    "topic": tp.topic,
                    "partition": tp.partition,
                    "committing": offset,
                    "faust_would_commit": faust_offset,
                    "committed": self._committed_offset.get(tp),
                    "gaps": [[i.begin, i.end] for i in sorted(self._gap[tp])][:5],
                    "acked_head": sorted(acked)[:5],
                },
            )
        if covered:
            done = set(covered)
            acked[:] = [o for o in acked if o not in done]
            self._acked_index[tp].difference_update(done)
        if offset is not None:
            self._base[tp] = offset
            self._progress[tp] = time.monotonic()
            self._held_since.pop(tp, None)  # progress: the clock starts again
        self._note_waiting(tp, self._base_of(tp), bool(acked) and offset is None)
        return offset

    def _note_waiting(self, tp: TP, base: int | None, held: bool) -> None:
        """Start (or stop) the clock on a partition whose next record to commit is not done
        while later ones are (``held``), or while it was handed to the agents."""
        handed_on = self._handed_on.get(tp)
        if held or (handed_on is not None and base is not None and handed_on >= base):
            self._held_since.setdefault(tp, time.monotonic())
        else:
            self._held_since.pop(tp, None)

    async def perform_seek(self) -> None:
        """Faust's seek of every partition to its committed offset, and of a partition of our
        agents' topics that the group never committed to its first offset. aiokafka's
        ``seek_to_committed`` leaves such a partition where the client's fetch position is:
        past the records it fetched before a rebalance, which the rebalance cleared from the
        agents' queues. They were never read again, and the gate, which took that position
        for the committed offset, counted them as done (a worker that joined while
        Elasticsearch was down, then took over the partitions of one that left: 40 articles
        never indexed)."""
        await super().perform_seek()
        assigned = self.assignment()
        never_committed = [
            tp
            for tp in assigned
            if not self._committed_offset.get(tp) and self.readers_of(tp.topic)
        ]
        starts = await self.earliest_offsets(*never_committed) if never_committed else {}
        for tp in assigned:
            committed = self._committed_offset.get(tp)
            if committed:
                self._base[tp] = committed
            elif tp in starts:  # read from the start, as the group's offset reset says
                self._base[tp] = starts[tp]
                await self.seek(tp, starts[tp])
            else:  # a table's changelog and faust's own topics: where the client is
                position = await self.position(tp)
                if position is not None:
                    self._base[tp] = position
            self._held_since.pop(tp, None)
            self._progress[tp] = time.monotonic()
            # every record from the committed offset is fetched again, skipped ones included
            self._skipped_at.pop(tp, None)
            self._sought_generation[tp] = self.app.consumer_generation_id

    # -- fetched records are all handed on, or read again -----------------------------------
    async def _wait_next_records(self, timeout: float) -> Any:
        records, active = await super()._wait_next_records(timeout)
        self._fetched = {
            tp: (batch[0].offset, batch[-1].offset)
            for tp, batch in (records or {}).items()
            if batch
        }
        return records, active

    async def getmany(self, timeout: float) -> Any:
        """Faust's ``getmany``, then a seek back over whatever it fetched and did not hand on."""
        handed: dict[TP, int] = {}
        async for tp, message in super().getmany(timeout):
            handed[tp] = message.offset
            if not self._is_changelog_tp(tp):  # a table's standby reads these, acking none
                self._handed_on[tp] = message.offset
                self._progress[tp] = time.monotonic()
            yield tp, message
        fetched, self._fetched = self._fetched, {}
        for tp, (first, last) in fetched.items():
            resume = handed[tp] + 1 if tp in handed else first
            if resume <= last:  # the common case, all handed on, costs nothing
                await self._seek_back(tp, resume)

    async def _seek_back(self, tp: TP, offset: int) -> None:
        if tp not in self.assignment():
            return
        position = await self.position(tp)
        if position is not None and position > offset:
            log.info(
                "fetched records not delivered; reading them again",
                extra={
                    "topic": tp.topic,
                    "partition": tp.partition,
                    "offset": offset,
                    "records": position - offset,
                },
            )
            OFFSETS_REREAD.labels(tp.topic).inc()
            await self.seek(tp, offset)

    async def seek(self, partition: TP, offset: int) -> None:
        self._handed_on.pop(partition, None)
        if self._skipped_at.get(partition, offset) >= offset:
            self._skipped_at.pop(partition, None)  # read again from there
        await super().seek(partition, offset)

    def _to_message(self, tp: TP, record: Any) -> HandledRecord:
        timestamp = record.timestamp
        return HandledRecord(
            record.topic,
            record.partition,
            record.offset,
            None if timestamp is None else timestamp / 1000.0,
            record.timestamp_type,
            record.headers,
            record.key,
            record.value,
            record.checksum,
            record.serialized_key_size,
            record.serialized_value_size,
            tp,
            generation_id=self.app.consumer_generation_id,
        )

    def _faust_offset(self, tp: TP) -> int | None:
        """What faust's own rule would commit now, worked out on copies of its state."""
        view = _FaustView()
        view._acked = {tp: list(self._acked[tp])}
        view._acked_index = {tp: set(self._acked_index[tp])}
        view._gap = {tp: self._gap[tp].copy()}
        view._committed_offset = {tp: self._committed_offset.get(tp)}
        return faust_aiokafka.Consumer._new_offset(view, tp)  # type: ignore[arg-type]

    def ack(self, message: Any) -> bool:
        """Faust's ack, for a record every reader handled. One a stream skipped is not done:
        it is not counted, and is read again (``_note_skipped``). Faust also keeps a record it
        does not count (one below the committed offset, a repeat) among those in flight for
        ever: it is finished with, so it leaves that set."""
        try:
            if (
                isinstance(message, HandledRecord)
                and not message.acked
                and message.skipped(self.readers_of(message.topic))
            ):
                self._note_skipped(message)
                return False
            return super().ack(message)
        finally:
            if message.acked:
                self._unacked_messages.discard(message)

    def readers_of(self, topic: str) -> int:
        """How many of the app's agents read ``topic`` (each handles every record of it)."""
        if self._readers is None:
            counts: Counter[str] = Counter()
            for agent in self.app.agents.values():
                counts.update(getattr(agent.channel, "topics", ()))
            self._readers = counts
        return self._readers[topic]

    def _note_skipped(self, message: HandledRecord) -> None:
        message.acked = True  # no stream holds it any more; nothing may count it later
        tp, offset = message.tp, message.offset
        RECORDS_SKIPPED.labels(tp.topic).inc()
        notify(self._waiting_for_ack)  # a rebalance may be waiting for it to leave the flight
        base = self._base_of(tp)
        sought = self._sought_generation.get(tp)
        # fetched before the last seek to the committed offset: that seek fetches it again
        covered = sought is not None and (message.generation_id or 0) < sought
        log.info(
            "record skipped by faust; not counted as done",
            extra={
                "topic": tp.topic,
                "partition": tp.partition,
                "offset": offset,
                "generation": message.generation_id,
                "read_again_by": "the rebalance's seek" if covered else "a seek back",
            },
        )
        if not covered and (base is None or offset >= base):
            self._skipped_at[tp] = min(self._skipped_at.get(tp, offset), offset)

    def skipped_to_reread(self) -> list[tuple[TP, int]]:
        """Partitions with a record skipped since their last seek, and its offset: outside a
        rebalance (whose closing seek reads them again), these are sought back to."""
        assigned = self.assignment()
        found = []
        for tp, offset in list(self._skipped_at.items()):
            base = self._base_of(tp)
            if tp not in assigned or (base is not None and offset < base):
                self._skipped_at.pop(tp, None)  # moved away, or done meanwhile
            else:
                found.append((tp, offset))
        return found

    @Service.transitions_to(CONSUMER_WAIT_EMPTY)
    async def wait_empty(self) -> None:
        """Faust's wait for the records in flight, with an end. Faust's own waits for ever,
        and cannot even be cut short from outside: its wait for an ack swallows the
        cancellation. A record two agents read (``articles-enriched``: the index and the alert
        matcher) that was still queued for one of them when a rebalance cleared the agents'
        queues is never acknowledged by that one, so faust's wait never ended and the group
        stood still. Here the wait ends at ``wait_empty_timeout``: with commits gated, what is
        left is read again (from the committed offset by the partition's next owner, or by
        ``_reread_abandoned``) - so it also stops counting as in flight."""
        deadline = time.monotonic() + self.wait_empty_timeout
        while not self.should_stop and self._unacked_messages:
            if time.monotonic() >= deadline:
                log.warning(
                    "records still in flight after the wait; they will be read again",
                    extra={
                        "records": len(self._unacked_messages),
                        "waited_s": self.wait_empty_timeout,
                    },
                )
                self._unacked_messages.clear()
                break
            gc.collect()  # the set is weak: records nobody holds any more leave it
            await self.commit()
            if not self._unacked_messages:
                break
            await self._wait_for_ack(timeout=1)
            self._clean_unacked_messages()
        await self.commit_and_end_transactions()

    # -- a partition that stands still ---------------------------------------------------
    stall_after: float = 60.0

    def stalled(self, now: float | None = None) -> list[dict[str, Any]]:
        """Assigned partitions with records waiting that for ``stall_after`` seconds had none
        handed to the agents and none committed: what ``/healthz`` reports as a stall."""
        now = time.monotonic() if now is None else now
        found = []
        for tp in sorted(self.assignment()):
            if self._is_changelog_tp(tp):
                continue  # a standby's changelog is read to its end, never committed
            base, end = self._base_of(tp), self._end_of(tp)
            since = self._progress.get(tp)
            if base is None or end is None or since is None or end <= base:
                continue
            if now - since >= self.stall_after:
                found.append(
                    {
                        "partition": f"{tp.topic}/{tp.partition}",
                        "waiting": end - base,
                        "idle_s": round(now - since, 1),
                    }
                )
        return found

    def _end_of(self, tp: TP) -> int | None:
        try:
            return self.highwater(tp)
        except Exception:  # noqa: BLE001 - not started, or the partition just moved
            return None

    # -- abandoned records ----------------------------------------------------------------
    def _in_flight(self, tp: TP, offset: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return any(
            m.tp == tp
            and m.offset == offset
            and (m.time_in is None or now - m.time_in < self.stuck_after)
            for m in list(self._unacked_messages)
        )

    def abandoned(self, now: float | None = None) -> list[tuple[TP, int]]:
        """Partitions whose next record to commit has waited ``reread_after`` seconds, with
        later records acknowledged or itself handed on, and nobody processing it; with that
        record's offset. A head already acknowledged is not abandoned: its commit waits (a
        commit sent while the broker was down returns only when it is back) and comes next."""
        now = time.monotonic() if now is None else now
        assigned = self.assignment()
        for tp in assigned:  # faust asks about a partition only once it has acks to commit
            if not self._acked.get(tp):
                self._note_waiting(tp, self._base_of(tp), held=False)
        found = []
        for tp, since in list(self._held_since.items()):
            base = self._base_of(tp)
            if (
                tp in assigned
                and not self._is_changelog_tp(tp)
                and base is not None
                and now - since >= self.reread_after
                and base not in self._acked_index[tp]  # done; the commit was held up (broker)
                and not self._in_flight(tp, base, now)
            ):
                found.append((tp, base))
        return found

    @Service.task
    async def _reread_abandoned(self) -> None:
        while not self.should_stop:
            await asyncio.sleep(self.reread_after / 3)
            if self.app.rebalancing:
                continue
            for tp, offset in self.skipped_to_reread():
                log.warning(
                    "record skipped after the rebalance's seek; re-reading the partition from it",
                    extra={"topic": tp.topic, "partition": tp.partition, "offset": offset},
                )
                OFFSETS_REREAD.labels(tp.topic).inc()
                await self.seek(tp, offset)
            for tp, offset in self.abandoned():
                log.warning(
                    "record never processed; re-reading the partition from it",
                    extra={"topic": tp.topic, "partition": tp.partition, "offset": offset},
                )
                OFFSETS_REREAD.labels(tp.topic).inc()
                self._held_since.pop(tp, None)
                await self.seek(tp, offset)


class Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport, with ``GatedConsumer``."""

    Consumer = GatedConsumer
