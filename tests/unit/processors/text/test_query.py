"""The query language: parsing, errors with positions, Python matching and the ES translation."""

import pytest

from processors.errors import QuerySyntaxError
from processors.text.query import And, Not, Or, Phrase, Prefix, Proximity, Term, parse_query

TEXT = (
    "Fierce clashes broke out at the Ghwayran prison in al-Ḩasakah on Thursday. "
    "Dozens of prisoners escaped, officials said, and the Security Council met."
)


def matches(query: str, text: str = TEXT) -> bool:
    return parse_query(query).match(text) is not None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("clash", True),  # inflection
        ("Hasakah", True),  # diacritics
        ("HASAKAH prison", True),  # case, implicit AND
        ("clash AND football", False),
        ("clash OR football", True),
        ("clash NOT football", True),
        ("clash -prison", False),
        ('"security council"', True),
        ('"council security"', False),
        ("al-Hasakah", True),  # a hyphenated word is a phrase
        ("escap*", True),
        ("footb*", False),
        ("prison NEAR/3 Hasakah", True),  # prison in al Hasakah: 2 words between
        ("prison NEAR/1 Hasakah", False),
        ("Hasakah NEAR/3 prison", True),  # either order
        ("(clash OR riot) AND (prison OR jail)", True),
        ("(clash OR riot) AND NOT (prison OR jail)", False),
        ('(escape OR fled) NEAR/2 "dozens of prisoners"', True),
        ("NOT football", True),
    ],
)
def test_matching(query, expected):
    assert matches(query) is expected


def test_match_spans_point_at_the_words_as_written():
    found = parse_query('clash "security council" Hasakah').match(TEXT)
    assert found is not None
    assert [TEXT[s:e] for s, e in found.spans] == ["clashes", "Ḩasakah", "Security Council"]


def test_negated_words_are_not_reported_as_matches():
    found = parse_query("clash NOT football").match(TEXT)
    assert found is not None and [TEXT[s:e] for s, e in found.spans] == ["clashes"]


def test_parse_tree():
    q = parse_query('a OR b c -d "e f" gg* h NEAR/2 i')
    assert q.root == Or(
        (
            Term("a", "a"),
            And(
                (
                    Term("b", "b"),
                    Term("c", "c"),
                    Not(Term("d", "d")),
                    Phrase("e f", ("e", "f")),
                    Prefix("gg*", "gg"),
                    Proximity(Term("h", "h"), Term("i", "i"), 2),
                )
            ),
        )
    )


@pytest.mark.parametrize(
    ("query", "position", "hint"),
    [
        ("", 0, "empty"),
        ("clash AND", 9, "ends"),
        ('"unclosed phrase', 0, "unclosed quote"),
        ("(clash OR riot", 0, "missing ')'"),
        ("clash)", 5, "unmatched ')'"),
        ("a*", 0, "two letters"),
        ("clash NEAR/3 (a AND b)", 6, "NEAR/3 joins"),
        ("OR clash", 0, "cannot stand here"),
        ("()", 1, "empty parentheses"),
    ],
)
def test_syntax_errors_say_what_and_where(query, position, hint):
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    assert info.value.position == position
    assert hint in str(info.value)


def test_es_translation_uses_the_normalised_field():
    es = parse_query('clashes AND "Security Council" -football terror* x NEAR/4 y').to_es()
    must = es["bool"]["must"]
    assert {"term": {"text_norm": "clash"}} in must
    assert {"match_phrase": {"text_norm": "secur council"}} in must
    assert {"prefix": {"text_norm": "terror"}} in must
    assert es["bool"]["must_not"] == [{"term": {"text_norm": "footbal"}}]
    near = must[-1]["span_near"]
    assert near["slop"] == 4 and near["in_order"] is False


def test_or_translation_needs_one_clause():
    es = parse_query("a OR b").to_es()
    assert es["bool"]["minimum_should_match"] == 1 and len(es["bool"]["should"]) == 2


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("(" * 5000 + "flood" + ")" * 5000, "nest deeper than 32"),
        ("NOT " * 1000 + "flood", "nest deeper than 32"),
        (" OR ".join(f"w{i}" for i in range(2_000)), "the limit is 1000"),
        ("flood " + "x" * 30_000, "the limit is 20000"),
    ],
)
def test_hostile_queries_are_refused_by_a_named_limit_before_recursion(query, limit):
    with pytest.raises(QuerySyntaxError, match=limit) as refused:
        parse_query(query)
    assert len(str(refused.value)) < 300  # the message does not echo a huge query back


def test_queries_within_the_limits_still_parse():
    deep = "(" * 31 + "flood" + ")" * 31
    assert parse_query(deep).match("a flood came")
    wide = " OR ".join(f"w{i}" for i in range(1000))
    assert parse_query(wide).match("w999 was seen")


def test_a_rule_with_a_hostile_query_is_a_field_error():
    from processors.alerting.rules import validate_rule
    from processors.errors import InvalidRule

    with pytest.raises(InvalidRule) as refused:
        validate_rule({"id": "r", "name": "r", "query": "(" * 5000 + "x" + ")" * 5000})
    [error] = refused.value.errors
    assert error.field == "query" and "nest deeper than 32" in error.message
