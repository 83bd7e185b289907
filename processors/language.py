"""Which language an article is in: the declared one when given, else a cheap guess.

The enrichment models are English; an article that is clearly in another language is indexed
and searchable but gets no entities, rather than the nonsense an English model would tag. The
guess only has to tell English from not-English, so a count of English function words is enough
and costs microseconds.
"""

from __future__ import annotations

import re

__all__ = ["detect_language"]

_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "was",
        "by",
        "it",
        "at",
        "from",
        "his",
        "her",
        "be",
        "are",
        "have",
        "has",
        "had",
        "said",
        "were",
        "an",
        "this",
        "which",
        "their",
        "but",
        "not",
        "they",
        "its",
        "who",
        "been",
        "after",
        "will",
        "would",
        "there",
        "than",
    ]
)
_WORD_RE = re.compile(r"[a-z]+")
_MIN_WORDS = 20
_MIN_SHARE = 0.08


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code: the declared language (``en-GB`` gives ``en``), else ``en`` or ``und``.

    Short texts (under 20 words) give too little evidence and are taken as English.
    """
    if declared and declared.strip():
        return declared.strip().lower().replace("_", "-").split("-")[0]
    words = _WORD_RE.findall(text[:3000].lower())
    if len(words) < _MIN_WORDS:
        return "en"
    share = sum(1 for w in words if w in _ENGLISH) / len(words)
    return "en" if share >= _MIN_SHARE else "und"
