"""When an article's enrichment began and ended, carried on its enriched record as a header.

The alert matcher reads it back, so an alert can say where its latency went (queue wait,
enrichment, matching, decision: ``processors.alerting.decisions.stages_ms``). A header, not a
field of
the article: it is about this pass of the pipeline, not about the news.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["ENRICH_HEADER", "encode_span", "enrich_span"]

ENRICH_HEADER = "newsmon-enrich"


def encode_span(started: float, ended: float) -> bytes:
    return f"{started:.6f} {ended:.6f}".encode()


def enrich_span(
    headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes] | None,
) -> tuple[float, float] | None:
    """``(started, ended)`` epoch seconds from a record's headers; None when absent or bad
    (a record written before the header existed, or by someone else)."""
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key == ENRICH_HEADER and value:
            try:
                started, ended = (float(x) for x in value.decode("ascii").split())
            except (UnicodeDecodeError, ValueError):
                return None
            return started, ended
    return None
