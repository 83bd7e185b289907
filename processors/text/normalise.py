"""Search normalisation done in Python: word tokens, folded diacritics, English stems.

Why here and not in Elasticsearch: the local server (and many locked-down clusters) carries no
analysis module, so it cannot stem or fold. Doing it in Python, once for the stored field
``text_norm`` and the same way for every query term, makes ``clash`` find ``clashes`` and
``Hasakah`` find ``Ḩasakah`` on any Elasticsearch, and gives alert rules and search one meaning.

A token keeps its character span in the original text, so matches can be highlighted there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

__all__ = ["Token", "fold", "norm_terms", "normalize_text", "place_key", "stem", "tokens"]

_WORD_RE = re.compile(r"[^\W_]+")
# Letters NFKD does not decompose into ASCII plus marks.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "ŋ": "n",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "þ": "th",
        "ð": "d",
        "ʿ": "",
        "ʾ": "",
        "ʻ": "",
        "ʼ": "",
    }
)
_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the original text: its normalised form and its span ``[start, end)``."""

    norm: str
    start: int
    end: int


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case and strip diacritics: ``Ḩasakah`` -> ``hasakah``, ``Øresund`` -> ``oresund``."""
    lowered = word.casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Folded English stem (Snowball/Porter2): ``clashes`` -> ``clash``, ``killed`` -> ``kill``."""
    folded = fold(word)
    if not folded.isascii() or folded.isdigit():
        return folded
    return _stemmer.stemWord(folded)


def tokens(text: str) -> Iterator[Token]:
    """Word tokens of ``text`` with their stems and spans (apostrophes and hyphens split)."""
    for match in _WORD_RE.finditer(text):
        yield Token(stem(match.group()), match.start(), match.end())


def norm_terms(text: str) -> list[str]:
    """The stems of ``text`` in order: what a query term or phrase becomes."""
    return [stem(match.group()) for match in _WORD_RE.finditer(text)]


def normalize_text(text: str) -> str:
    """``text`` as the space-separated stems stored in the ``text_norm`` search field."""
    return " ".join(norm_terms(text))


_PLACE_NON_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['’ʼʻ`]")


def place_key(name: str) -> str:
    """Folded, punctuation-free form of a name: ``Al-Ḩasakah`` -> ``al hasakah``,
    ``Bu'aale`` -> ``buaale``."""
    key = _PLACE_NON_WORD.sub(" ", _APOSTROPHES.sub("", fold(name))).strip()
    return key[4:] if key.startswith("the ") else key
