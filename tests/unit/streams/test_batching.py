"""Enrichment batches split by a time budget (streams/batching.py): plain data, no broker."""

from __future__ import annotations

import pytest

from streams.batching import TimeBudget


def _lengths(parts, sizes):
    return [len(sizes[p]) for p in parts]


def test_until_a_cost_is_measured_parts_are_small():
    budget = TimeBudget(0.5)
    sizes = [1000] * 10
    assert _lengths(budget.parts(sizes), sizes) == [4, 4, 2]


def test_parts_hold_about_the_budget_once_measured():
    budget = TimeBudget(0.5)
    budget.observe([600] * 4, 0.4)  # 0.1 s an article of 600 characters
    sizes = [600] * 32
    parts = budget.parts(sizes)
    assert sum(_lengths(parts, sizes)) == 32
    assert all(n == 5 for n in _lengths(parts, sizes)[:-1])  # 5 x 0.1 s fit in 0.5 s
    assert [i for p in parts for i in range(p.start, p.stop)] == list(range(32))  # in order


def test_a_long_article_goes_alone_and_short_ones_together():
    budget = TimeBudget(0.5)
    budget.observe([600], 0.1)
    sizes = [100, 100, 20_000, 100, 100]
    assert _lengths(budget.parts(sizes), sizes) == [2, 1, 2]


def test_a_batch_within_the_budget_is_one_part():
    budget = TimeBudget(2.0)
    budget.observe([600], 0.01)
    sizes = [600] * 32
    assert _lengths(budget.parts(sizes), sizes) == [32]


def test_the_estimate_follows_the_machine():
    budget = TimeBudget(0.5, smoothing=0.5)
    budget.observe([600], 0.1)
    first = budget.seconds_per_char
    budget.observe([600], 0.3)  # the machine got busier
    assert budget.seconds_per_char == pytest.approx(2 * first)


def test_an_empty_batch_has_no_parts_and_a_zero_budget_is_refused():
    assert TimeBudget(0.5).parts([]) == []
    with pytest.raises(ValueError, match="positive"):
        TimeBudget(0)
