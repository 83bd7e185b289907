import pytest

from processors.events.dates import resolve_date
from processors.events.numbers import count_of, parse_number


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["about", "200"], 200),
        (["more", "than", "550"], 550),
        (["27"], 27),
        (["twenty-seven"], 27),
        (["1,200"], 1200),
        (["two", "hundred"], 200),
        (["two", "dozen"], 24),
        (["dozens"], 24),
        (["several", "hundred"], 300),
        (["a"], 1),
        (["one"], 1),
        (["between", "five", "and", "23"], 5),
        (["two", "suspected"], 2),
        (["at", "least", "nine"], 9),
        (["unspecified"], None),
        ([], None),
    ],
)
def test_counts(words, expected):
    assert count_of(words) == expected


def test_parse_number_refuses_words_that_are_not_numbers():
    assert parse_number(["three", "thousand", "four"]) == 3004
    assert parse_number(["many"]) is None


PUBLISHED = "2022-01-25T10:00:00Z"  # a Tuesday


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("On 27 April 2020, protesters gathered", None, "2020-04-27"),
        ("On April 27, 2020 police said", None, "2020-04-27"),
        ("Reported on 29 Apr 2020, an IED", None, "2020-04-29"),
        ("clashes since last Thursday", PUBLISHED, "2022-01-20"),
        ("on Monday the council met", PUBLISHED, "2022-01-24"),
        ("yesterday's attack", PUBLISHED, "2022-01-24"),
        ("two days ago", PUBLISHED, "2022-01-23"),
        ("on 3 January", PUBLISHED, "2022-01-03"),
        ("on 3 December", PUBLISHED, "2021-12-03"),  # not a future date
        ("last Thursday", None, None),  # relative, and nothing to resolve against
        ("no date here", PUBLISHED, None),
    ],
)
def test_dates(text, published, expected):
    assert resolve_date(text, published) == expected
