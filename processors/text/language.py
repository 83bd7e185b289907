"""Which language an article is in: the declared one when given, else a cheap guess.

The enrichment models are English; an article that is clearly in another language is indexed
and searchable but gets no entities, rather than the nonsense an English model would tag.
"Clearly" needs positive evidence: most letters in a non-Latin script, or the function words of
another language outnumbering English ones. Text with little running prose (tables of results,
lists of names, headlines) stays English.
"""

from __future__ import annotations

import re

__all__ = ["detect_language"]

_FUNCTION_WORDS = {
    "en": "the of and to in is that for on with as was by it at from his her be are have has "
    "had said were an this which their but not they its who been after will would there",
    "fr": "le la les des du de et est une un pour dans que qui sur pas par au aux avec ce "
    "cette sont ont été il elle nous vous mais ou plus",
    "de": "der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch "
    "es an als nach wie bei oder wird sind aus",
    "es": "el la los las de y en que del se por un una con para es su al lo como más pero "
    "sus le ha fue este esta son",
    "it": "il lo la gli le di che è e un una per non con si da del della sono ha nel alla "
    "anche come più questo",
    "pt": "o a os as de que e do da em um uma para com não por se na no mais dos das foi "
    "ao ele ela são",
    "nl": "de het een en van in is dat op te zijn met voor niet aan er ook als bij door "
    "maar om dan wordt",
    "tr": "ve bir bu da de için ile olarak çok daha olan gibi ama ne en kadar sonra",
    "id": "yang dan di dari ini itu dengan untuk tidak dalam akan pada juga ke karena ada",
}
_SETS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}
_WORD_RE = re.compile(r"[^\W\d_]+")
_MIN_WORDS = 20


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code: the declared language (``en-GB`` gives ``en``), else a guess.

    Returns ``en`` unless another language is clearly more likely; ``und`` for text mostly in a
    non-Latin script.
    """
    if declared and declared.strip():
        return declared.strip().lower().replace("_", "-").split("-")[0]
    sample = text[:4000]
    letters = [ch for ch in sample if ch.isalpha()]
    if letters and sum(1 for ch in letters if ord(ch) > 0x24F) > 0.5 * len(letters):
        return "und"
    words = [w.lower() for w in _WORD_RE.findall(sample)]
    if len(words) < _MIN_WORDS:
        return "en"
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _SETS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if best != "en" and scores[best] >= 2 * max(1, scores["en"]) and scores[best] >= 5:
        return best
    return "en"
