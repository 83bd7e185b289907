"""Validation of incoming messages: every kind of bad input gets its own reason."""

import json

import pytest

from processors.articles.identity import article_id
from processors.articles.validation import decode_article, validate_article
from processors.errors import InvalidArticle

LIMIT = 1000


def reason_of(raw: bytes | None) -> InvalidArticle:
    with pytest.raises(InvalidArticle) as info:
        decode_article(raw, max_body_chars=LIMIT)
    return info.value


@pytest.mark.parametrize(
    ("raw", "reason", "field"),
    [
        (None, "empty", None),
        (b"", "empty", None),
        (b'{"url": "https://x.org/a", "title": "caf\xe9"}', "invalid_utf8", None),
        (b"{not json", "not_json", None),
        (b"[1, 2]", "not_object", None),
        (b'"just a string"', "not_object", None),
        (b'{"title": "t", "body": "b"}', "missing_id", "url"),
        (b'{"url": "https://x.org/a", "title": "  ", "body": ""}', "missing_text", "body"),
        (b'{"url": "https://x.org/a"}', "missing_text", "body"),
        (b'{"url": "https://x.org/a", "title": 5}', "wrong_type", "title"),
        (b'{"url": ["https://x.org/a"], "title": "t"}', "wrong_type", "url"),
        (b'{"id": true, "title": "t"}', "wrong_type", "id"),
        (b'{"id": {"a": 1}, "title": "t"}', "wrong_type", "id"),
        (b'{"url": "x.org/a", "title": "t"}', "invalid_field", "url"),
        (
            b'{"url": "https://x.org/a", "title": "t", "published_at": "soon"}',
            "invalid_field",
            "published_at",
        ),
    ],
)
def test_each_kind_of_bad_input_has_its_reason(raw, reason, field):
    err = reason_of(raw)
    assert err.reason == reason
    assert err.message  # a sentence for the operator, never empty
    if field:
        assert field in [e.field for e in err.errors]


def test_body_over_the_limit_is_rejected_with_the_limit_in_the_message():
    raw = json.dumps({"url": "https://x.org/a", "body": "x" * (LIMIT + 1)}).encode()
    err = reason_of(raw)
    assert err.reason == "body_too_large"
    assert "1,000" in err.message and "NEWSMON_MAX_BODY_CHARS" in err.message


def test_body_at_the_limit_is_accepted():
    raw = json.dumps({"url": "https://x.org/a", "body": "x" * LIMIT}).encode()
    assert decode_article(raw, max_body_chars=LIMIT)["body"] == "x" * LIMIT


def test_every_wrong_field_is_reported_at_once():
    err = reason_of(b'{"url": 1, "title": 2, "source": 3}')
    assert {e.field for e in err.errors} == {"url", "title", "source"}


def test_invalid_utf8_message_names_the_offset():
    err = reason_of(b'{"id": "a", "title": "\xff"}')
    assert "offset 22" in err.message


def test_missing_id_is_derived_from_the_canonical_url_and_unknown_fields_are_kept():
    article = validate_article(
        {"url": "https://Example.org/a?utm_source=x#top", "title": "T", "extra": {"k": 1}},
        max_body_chars=LIMIT,
    )
    assert article["id"] == article_id(url="https://example.org/a")
    assert article["extra"] == {"k": 1}


def test_given_id_is_kept_as_a_string():
    assert validate_article({"id": 42, "title": "T"}, max_body_chars=LIMIT)["id"] == "42"


def test_published_at_is_normalised_to_utc():
    article = validate_article(
        {"id": "a", "title": "T", "published_at": "2026-01-20T16:05:00+02:00"},
        max_body_chars=LIMIT,
    )
    assert article["published_at"] == "2026-01-20T14:05:00Z"


def test_validation_does_not_modify_its_input():
    obj = {"id": 1, "title": "T", "published_at": "2026-01-20T16:05:00+02:00"}
    before = json.dumps(obj)
    validate_article(obj, max_body_chars=LIMIT)
    assert json.dumps(obj) == before
