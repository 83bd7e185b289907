"""The article model's counting rules, on plain values (no model)."""

from processors.events.counts import count_field, count_key
from processors.events.incidents import best_supported


def test_the_count_stated_most_often_wins_and_the_larger_on_a_tie():
    assert best_supported([3, 3, 5]) == 3  # a later mention's different figure is outvoted
    assert best_supported([3, 5]) == 5  # a later update of a toll is larger
    assert best_supported([1]) == 1


def test_a_count_key_says_how_a_statement_counts_and_gives_its_field_back():
    for field in ("fatalities", "injured", "arrested"):
        assert count_field(count_key(field, additional=True, partitive=False)) == field
        assert count_field(count_key(field, additional=False, partitive=True)) == field
        assert count_key(field, additional=False, partitive=False) == field
    assert count_key("arrested", additional=True, partitive=False) != "arrested"
