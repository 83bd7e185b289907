"""newsmon's exceptions, one tree under ``NewsmonError``.

```
NewsmonError
 ├── InvalidArticle        an input message cannot become an article (goes to the DLQ)
 ├── InvalidRule           an alert rule has bad fields; carries every one of them
 ├── InvalidFeed           a fetched document is no RSS, Atom or JSON Feed (also a ValueError)
 ├── ConfigurationError    a setting or data file is wrong; the message says which and how to fix
 ├── OutboundRefused       a request would go to an address the outbound policy forbids
 ├── PipelineError         the NLP pipeline cannot be built (model missing, bad component config)
 ├── QuerySyntaxError      a search or rule query does not parse; carries the position
 ├── IndexingError         Elasticsearch refused documents; carries the per-document failures
 └── StackError            the local Kafka / Elasticsearch stack cannot be fetched or started
```

Errors from Kafka, spaCy or Elasticsearch are mapped to these where they cross into newsmon, so
callers handle one family. Every message says what was wrong and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ConfigurationError",
    "FieldError",
    "IndexingError",
    "InvalidArticle",
    "InvalidFeed",
    "InvalidRule",
    "NewsmonError",
    "OutboundRefused",
    "PipelineError",
    "QuerySyntaxError",
    "StackError",
]


class NewsmonError(Exception):
    """Base of every error newsmon raises on purpose."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of an input: where (``field``) and what (``message``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidArticle(NewsmonError):
    """Raised when a message cannot be turned into an article.

    ``reason`` is a stable machine-readable code (``not_json``, ``missing_id``, ...) that the
    dead-letter record carries; ``errors`` lists every failing field at once.
    """

    def __init__(self, reason: str, message: str, errors: tuple[FieldError, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.errors = errors

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.message, self.errors))

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "message": self.message,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }


class InvalidRule(NewsmonError):
    """Raised when an alert rule does not validate; ``errors`` lists every failing field."""

    def __init__(self, message: str, errors: tuple[FieldError, ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.errors))

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": str(self),
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }


class ConfigurationError(NewsmonError):
    """Raised when a setting or a data file is wrong; the message names it and the fix."""


class PipelineError(NewsmonError):
    """Raised when the NLP pipeline cannot be built (missing model, bad component config)."""


class QuerySyntaxError(NewsmonError):
    """Raised when a query does not parse; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, query: str, position: int) -> None:
        pointer = f" at position {position}\n  {query}\n  {' ' * position}^" if query else ""
        super().__init__(f"{message}{pointer}")
        self.query = query
        self.position = position
        self.reason = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.query, self.position))


class IndexingError(NewsmonError):
    """Raised when Elasticsearch rejects documents for good (not a transient outage).

    ``failures`` holds one ``(document id, status, reason)`` per refused document.
    """

    def __init__(self, message: str, failures: list[tuple[str, int, str]]) -> None:
        super().__init__(f"{message} ({len(failures)} document(s) failed)")
        self.failures = failures

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.failures))


class StackError(NewsmonError):
    """Raised when the local stack cannot be fetched, started or reached."""


class OutboundRefused(NewsmonError):
    """A request would go to a forbidden address (loopback, private, link-local, ...) or is
    not an http(s) URL; the message names the address and the setting that allows it."""


class InvalidFeed(NewsmonError, ValueError):
    """A fetched document is not an RSS, Atom or JSON Feed document; the message says why."""
