"""Named entities from a spaCy Doc, as the plain dicts the enriched article carries.

Spans are character offsets into the article's ``text``; the ``newsmon_entity_spans`` component
has already trimmed them to the names themselves. ``canonical`` is the entity's canonical name
(set by the ``newsmon_canonical`` component from config/entities.yaml), else its text.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

__all__ = ["entity_dicts"]


def entity_dicts(doc: Doc) -> list[dict[str, Any]]:
    """Entities of ``doc`` in text order: text, label, start, end, canonical."""
    has_canonical = Span.has_extension("canonical")
    return [
        {
            "text": ent.text,
            "label": ent.label_,
            "start": ent.start_char,
            "end": ent.end_char,
            "canonical": (ent._.canonical if has_canonical else None) or ent.text,
        }
        for ent in doc.ents
    ]
