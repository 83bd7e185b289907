"""Named entities from a spaCy Doc, as the plain dicts the enriched article carries.

Spans are character offsets into the article's ``text``. A leading article word ("the United
Nations") is not part of the name, so it is trimmed from the span: search facets and alert rules
then see one name, not two.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

__all__ = ["entity_dicts", "trim_span"]

_LEADING = frozenset({"the", "The", "THE"})
_TRAILING_PUNCT = frozenset({"'s", "’s", "'", "’", ",", ".", ":", ";"})


def trim_span(span: Span) -> Span:
    """``span`` without a leading "the" or trailing possessive/punctuation tokens."""
    start, end = span.start, span.end
    while start < end - 1 and span.doc[start].text in _LEADING:
        start += 1
    while end - 1 > start and span.doc[end - 1].text in _TRAILING_PUNCT:
        end -= 1
    if (start, end) == (span.start, span.end):
        return span
    return Span(span.doc, start, end, label=span.label)


def entity_dicts(doc: Doc) -> list[dict[str, Any]]:
    """Entities of ``doc`` in text order: text, label, start, end, canonical."""
    out = []
    for ent in doc.ents:
        span = trim_span(ent)
        text = span.text
        out.append(
            {
                "text": text,
                "label": span.label_,
                "start": span.start_char,
                "end": span.end_char,
                "canonical": text,
            }
        )
    return out
