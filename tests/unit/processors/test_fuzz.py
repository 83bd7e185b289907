"""Every parser of outside input, fuzzed: it returns a value or raises its documented error, and
answers quickly, whatever it is given (random bytes, deep nesting, huge tokens, mixed scripts,
control characters, lone surrogates, YAML bombs)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processors.alerting.rules import load_rules, validate_rule
from processors.articles.feeds import InvalidFeed, feed_entries, main_text
from processors.articles.validation import decode_article
from processors.errors import InvalidArticle, InvalidRule, QuerySyntaxError
from processors.text.query import parse_query

FUZZ = settings(
    max_examples=150,
    deadline=2000,  # ms per example: a parser that hangs fails
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)

# text of every kind: scripts, controls, lone surrogates, operators of the query language
HOSTILE = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None, categories=None)),
    st.text(alphabet='()"“”-*/ANDORNOTNEAR \\\x00\x1f\u202e\ud800', max_size=400),
    st.builds(lambda n, w: "(" * n + w + ")" * n, st.integers(0, 3000), st.text(max_size=20)),
    st.builds(lambda n: "NOT " * n + "x", st.integers(0, 3000)),
    st.builds(lambda n, w: w * n, st.integers(0, 5000), st.sampled_from(["x", "é", "ب", " OR a"])),
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@FUZZ
@given(HOSTILE)
def test_the_query_parser_parses_or_says_why(query: str) -> None:
    try:
        parsed = parse_query(query)
    except QuerySyntaxError:
        return
    parsed.to_es()
    parsed.match("a flood came to the village of Ḩasakah")


RULE_FIELDS = [
    "id", "name", "query", "entities", "countries", "near", "event_types", "min_counts",
    "channels", "aggregate", "realert", "sources", "enabled", "bogus",
]  # fmt: skip


@FUZZ
@given(st.dictionaries(st.sampled_from(RULE_FIELDS), JSONISH | HOSTILE, max_size=8))
def test_the_rule_validator_validates_or_lists_the_bad_fields(rule: dict) -> None:
    try:
        validate_rule(rule)
    except InvalidRule as exc:
        assert exc.errors or str(exc)


@FUZZ
@given(st.binary(max_size=2000) | HOSTILE.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_article_decoding_accepts_or_dead_letters_with_a_reason(raw: bytes) -> None:
    try:
        decode_article(raw, max_body_chars=10_000)
    except InvalidArticle as exc:
        assert str(exc)


@FUZZ
@given(JSONISH)
def test_article_json_of_any_shape_is_accepted_or_refused(obj: object) -> None:
    raw = json.dumps(obj).encode()
    try:
        decode_article(raw, max_body_chars=10_000)
    except InvalidArticle as exc:
        assert str(exc)


@FUZZ
@given(
    st.binary(max_size=3000)
    | JSONISH.map(lambda o: json.dumps(o).encode())
    | HOSTILE.map(lambda s: f"<rss><channel><item><title>{s}</title></item></channel></rss>").map(
        lambda s: s.encode("utf-8", "surrogatepass")
    ),
    st.sampled_from(["application/rss+xml", "application/json", ""]),
)
def test_feed_parsing_returns_items_or_says_it_is_no_feed(content: bytes, kind: str) -> None:
    try:
        entries = feed_entries(content, kind)
    except InvalidFeed:
        return
    for entry in entries:
        assert isinstance(entry["title"], str) and isinstance(entry["summary"], str)
        assert entry["link"] is None or isinstance(entry["link"], str)


@settings(max_examples=60, deadline=5000, derandomize=True, database=None)
@given(HOSTILE | st.builds(lambda s: f"<html><body><p>{s}</p></body></html>", HOSTILE))
def test_page_extraction_returns_text_or_nothing(html: str) -> None:
    text = main_text(html, "https://example.org/a")
    assert text is None or isinstance(text, str)


@FUZZ
@given(HOSTILE | JSONISH.map(json.dumps), st.sampled_from(["rules.yaml", "rules.json"]))
def test_a_rule_file_of_any_text_loads_or_lists_its_errors(text: str, name: str) -> None:
    try:
        load_rules(name, text=text)
    except InvalidRule as exc:
        assert str(exc)


BILLION_LAUGHS_YAML = "\n".join(  # i stands for 10^9 values, in 90 aliases
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
    + ["rules: [{id: bomb, name: bomb, query: x, sources: *i}]"]
)
BILLION_LAUGHS_XML = (  # e9 would be 10^10 characters
    b'<?xml version="1.0"?><!DOCTYPE r ['
    + b"".join(
        b'<!ENTITY e%d "%s">' % (i, (b"&e%d;" % (i - 1)) * 10 if i else b"aaaaaaaaaa")
        for i in range(10)
    )
    + b"]><rss><channel><item><title>&e9;</title></item></channel></rss>"
)
EXTERNAL_ENTITY_XML = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<rss><channel><item><title>t&x;</title><link>https://e.org/</link></item></channel></rss>"
)


def test_a_yaml_bomb_is_refused_quickly(tmp_path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS_YAML)
    started = time.monotonic()
    with pytest.raises(InvalidRule, match="aliases expand"):
        load_rules(path)
    assert time.monotonic() - started < 5  # expanded, it would not end


def test_feed_xml_expands_no_entity_bomb_and_reads_no_file() -> None:
    # the parser's first use imports it (seconds on a busy machine): time the bomb alone
    feed_entries(b"<rss><channel></channel></rss>", "application/rss+xml")
    started = time.monotonic()
    try:
        entries = feed_entries(BILLION_LAUGHS_XML, "application/rss+xml")
    except InvalidFeed:
        entries = []
    assert time.monotonic() - started < 5  # an expanding bomb takes minutes and gigabytes
    assert all(len(e["title"]) < 10_000 for e in entries)
    try:
        entries = feed_entries(EXTERNAL_ENTITY_XML, "application/rss+xml")
    except InvalidFeed:
        entries = []
    assert all("root:" not in e["title"] for e in entries)
