"""Enrichment batches sized by time as well as count.

The enrich agent takes what has arrived (up to ``batch_size`` articles); every article of a
batch waits for the whole batch's spaCy run, so under a backlog a batch of 32 long articles made
each of them wait some two seconds on a slow machine. ``TimeBudget`` splits a batch into parts
that each take about ``budget_s`` to enrich, from a running estimate of the cost of a
character, so that the first articles of a backlog go on while the rest are enriched. A part is
never empty, so an article longer than the budget is still enriched, alone.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["TimeBudget"]

#: What one article costs beyond its characters (parsing, our components, JSON), in characters.
_PER_ARTICLE_CHARS = 400
#: How many articles a part may hold while the cost of a character is still unknown.
_UNMEASURED_PART = 4


class TimeBudget:
    """Splits batches into parts of about ``budget_s`` seconds of enrichment each."""

    def __init__(self, budget_s: float, *, smoothing: float = 0.3) -> None:
        if budget_s <= 0:
            raise ValueError("the time budget of an enrichment batch must be positive")
        self.budget_s = budget_s
        self.smoothing = smoothing
        self.seconds_per_char: float | None = None

    def _chars(self, size: int) -> int:
        return size + _PER_ARTICLE_CHARS

    def parts(self, sizes: Sequence[int]) -> list[slice]:
        """Consecutive slices of a batch whose articles have ``sizes`` (characters each)."""
        parts: list[slice] = []
        start = 0
        cost = 0.0
        for i, size in enumerate(sizes):
            if self.seconds_per_char is None:
                full = i - start >= _UNMEASURED_PART
            else:
                cost += self._chars(size) * self.seconds_per_char
                full = i > start and cost > self.budget_s
            if full:
                parts.append(slice(start, i))
                start = i
                cost = self._chars(size) * (self.seconds_per_char or 0.0)
        if start < len(sizes):
            parts.append(slice(start, len(sizes)))
        return parts

    def observe(self, sizes: Sequence[int], seconds: float) -> None:
        """Learn from a part of ``sizes`` that took ``seconds`` to enrich."""
        chars = sum(self._chars(size) for size in sizes)
        if chars <= 0 or seconds <= 0:
            return
        measured = seconds / chars
        if self.seconds_per_char is None:
            self.seconds_per_char = measured
        else:
            self.seconds_per_char += self.smoothing * (measured - self.seconds_per_char)
