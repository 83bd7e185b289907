"""Turn the bytes of one message into a validated article, or say exactly why not.

An article is a JSON object: ``url`` (required unless ``id``), ``title``, ``body`` (text or HTML),
``source``, ``published_at`` (ISO 8601), optional ``id``, ``language``, ``feed``. Unknown fields
are kept as they are. Anything else raises ``InvalidArticle`` with a stable ``reason`` code, which
the dead-letter record carries so an operator can filter the DLQ by cause:

==================  ===============================================================
reason              when
==================  ===============================================================
``empty``           the message has no value at all
``invalid_utf8``    the bytes are not UTF-8
``not_json``        the text does not parse as JSON
``not_object``      the JSON is an array, string, number, ...
``wrong_type``      a known field has the wrong JSON type (``title: 5``)
``invalid_field``   a field has the right type but a bad value (``published_at: "soon"``)
``missing_id``      neither ``url`` nor ``id`` is given
``missing_text``    neither ``title`` nor ``body`` has any text
``body_too_large``  ``body`` is longer than the ``max_body_chars`` setting
==================  ===============================================================
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from processors.articles.identity import article_id
from processors.errors import FieldError, InvalidArticle

__all__ = ["REASONS", "decode_article", "validate_article"]

REASONS = (
    "empty",
    "invalid_utf8",
    "not_json",
    "not_object",
    "wrong_type",
    "invalid_field",
    "missing_id",
    "missing_text",
    "body_too_large",
)

_STRING_FIELDS = ("url", "title", "body", "source", "published_at", "language", "feed")


def decode_article(raw: bytes | None, *, max_body_chars: int) -> dict[str, Any]:
    """Decode and validate one message value; see ``validate_article`` for what comes back."""
    if raw is None or raw == b"":
        raise InvalidArticle("empty", "the message has no value; send one JSON object per message")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArticle(
            "invalid_utf8",
            f"the message is not UTF-8 (bad byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "encode articles as UTF-8 JSON",
        ) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArticle(
            "not_json",
            f"the message is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "send one JSON object per message",
        ) from None
    return validate_article(obj, max_body_chars=max_body_chars)


def validate_article(obj: Any, *, max_body_chars: int) -> dict[str, Any]:
    """Check one decoded article and return a copy with ``id`` set and ``published_at`` in UTC.

    Every field problem is collected before raising, so the error lists them all at once.
    """
    if not isinstance(obj, dict):
        raise InvalidArticle(
            "not_object",
            f"the message is a JSON {_json_type(obj)}, not an object; "
            'send {"url": ..., "title": ..., "body": ...}',
        )
    errors: list[FieldError] = []
    reason = "wrong_type"

    for name in _STRING_FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(name, f"must be a string, got {_json_type(value)}"))
    raw_id = obj.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        errors.append(FieldError("id", f"must be a string or integer, got {_json_type(raw_id)}"))
    if errors:
        raise InvalidArticle(reason, _summary(errors), tuple(errors))

    article = dict(obj)
    url = article.get("url")
    if isinstance(url, str) and url.strip():
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(FieldError("url", f"must be an absolute http(s) URL, got {url!r}"))
    published = article.get("published_at")
    if isinstance(published, str) and published.strip():
        try:
            article["published_at"] = _parse_time(published.strip())
        except ValueError:
            errors.append(
                FieldError(
                    "published_at",
                    f"must be an ISO 8601 time such as 2026-01-20T14:05:00Z, got {published!r}",
                )
            )
    if isinstance(raw_id, str) and not raw_id.strip():
        errors.append(FieldError("id", "must not be empty"))
    if errors:
        raise InvalidArticle("invalid_field", _summary(errors), tuple(errors))

    has_url = isinstance(url, str) and bool(url.strip())
    if raw_id is None and not has_url:
        raise InvalidArticle(
            "missing_id",
            "the article has neither 'url' nor 'id'; give at least one so replays can be "
            "recognised",
            (FieldError("url", "required when 'id' is absent"),),
        )
    title = article.get("title") or ""
    body = article.get("body") or ""
    if not title.strip() and not body.strip():
        raise InvalidArticle(
            "missing_text",
            "the article has no text: 'title' and 'body' are both missing or blank",
            (FieldError("body", "required when 'title' is blank"),),
        )
    if len(body) > max_body_chars:
        raise InvalidArticle(
            "body_too_large",
            f"'body' has {len(body):,} characters, more than the limit of {max_body_chars:,} "
            "(setting NEWSMON_MAX_BODY_CHARS)",
            (FieldError("body", f"longer than {max_body_chars} characters"),),
        )
    article["id"] = str(raw_id) if raw_id is not None else article_id(url=url)
    return article


def _parse_time(value: str) -> str:
    """ISO 8601 in, ISO 8601 UTC out; a time without zone is taken as UTC."""
    parsed = datetime.fromisoformat(value.replace("z", "Z"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _summary(errors: list[FieldError]) -> str:
    return "invalid article: " + "; ".join(str(e) for e in errors)
