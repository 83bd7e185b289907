"""Which offset may be committed: the pure rule behind ``streams.consumer.GatedConsumer``.

Kafka's committed offset of a partition says "every record before this one is done". newsmon's
agents acknowledge a record only once its result is confirmed (the enriched record or dead
letter by Kafka, the document by Elasticsearch, the alert by Kafka), so the one safe offset to
commit is the end of the unbroken run of acknowledged offsets that starts at the offset already
committed. Faust's own rule (``faust.transport.consumer.Consumer._new_offset``, faust-streaming
0.15) goes further in two ways that lose records:

- *the head*: with ``committed`` = C and C+1, C+2 acknowledged while C is not, it commits C+3
  (it treats one missing offset at the head as a compaction gap, faust-streaming #606);
- *gaps*: offsets it never delivered to a stream (a jump in the fetched offsets, as after a
  rebalance re-seeks a partition that still had records in flight) are counted as done;
- and after a revocation it forgets the committed offset, after which any run is accepted.

newsmon's topics are append-only (no compaction, no transactions), so an offset that is missing
from the run is a record that has not been processed, never a hole in the log.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["committable_run"]


def committable_run(base: int | None, acked: Iterable[int]) -> tuple[int | None, list[int]]:
    """``(offset to commit, acknowledged offsets it covers)`` for one partition.

    ``base`` is the next offset the group has not committed (the committed offset, or the
    position the partition was first read from); ``acked`` the acknowledged offsets not yet
    committed, in any order and with repeats. The offset is None when nothing new may be
    committed: when ``base`` is unknown, or ``base`` itself is not acknowledged yet. Offsets
    below ``base`` (a replay of records committed before) are covered without moving it.
    """
    offsets = sorted(set(acked))
    if base is None:
        return None, []
    covered = [o for o in offsets if o < base]
    expected = base
    for offset in offsets[len(covered) :]:
        if offset != expected:
            break
        covered.append(offset)
        expected += 1
    return (expected if expected > base else None), covered
