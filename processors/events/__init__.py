"""Events: who did what to whom, where, when, and how many were killed, hurt, held or arrested.

``EventExtractor`` is the front door (run by the ``newsmon_events`` component); the taxonomy
of config/events.yaml steers it. Modules, in the order an article goes through them:
``triggers`` (trigger words and the type they propose), ``casualties`` and ``counts`` (how
many, from the parse), ``actors``, ``placing``, ``incidents`` (the article model: mentions of
one happening are one incident), ``dates`` and ``numbers``.
"""

from processors.events.casualties import Statement, statements
from processors.events.dates import resolve_date
from processors.events.extractor import EventExtractor, finalize_events
from processors.events.incidents import best_supported
from processors.events.numbers import count_of, parse_number
from processors.events.people import CasualtyVocabulary, is_person
from processors.events.taxonomy import COUNT_FIELDS, DISASTER, EventType, Taxonomy

__all__ = [
    "COUNT_FIELDS",
    "DISASTER",
    "CasualtyVocabulary",
    "EventExtractor",
    "EventType",
    "Statement",
    "Taxonomy",
    "best_supported",
    "count_of",
    "finalize_events",
    "is_person",
    "parse_number",
    "resolve_date",
    "statements",
]
