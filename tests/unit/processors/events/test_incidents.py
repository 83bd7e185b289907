"""The article model's counting rules, on plain values (no model)."""

from processors.events.counts import count_field, count_key, told_as_past
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


def test_a_date_of_an_earlier_year_tells_of_the_past():
    assert told_as_past(
        "He was charged in a killing on Sept. 4, 2009, in the same block.", "2012-05-02"
    )
    assert not told_as_past("Two men were shot on March 3, 2012, police said.", "2012-03-04")
    # a dateline's date in brackets is when the release was issued; no date, no comparison
    assert not told_as_past(
        "KABUL, Afghanistan (Jan. 5, 2011) - Forces detained two.", "2012-01-06"
    )
    assert not told_as_past("He was shot on Sept. 4, 2009.", None)
    # the last days of the old year, told early in the new one, are the news
    assert not told_as_past("Two men were shot on Dec. 30, 2014, police said.", "2015-01-03")
    assert told_as_past("Two men were shot on Dec. 30, 2013, police said.", "2015-01-03")
