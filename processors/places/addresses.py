"""Names a place finder should not resolve as towns: streets and ordinary words.

Local news places its incidents by address: "the 300 block of Elm Street", "near 25th Street
and Broadway", "at Oak and Pine streets". Each of those names is also a town
somewhere (there are towns called Broadway and Elm), and resolving them sends a shooting in
Louisville to Virginia. Headlines in title case capitalise ordinary words ("Man Shot Outside
Store"), and "Man" is a town too. So, before resolution:

- a name followed by a street word ("Street", "Ave.", "boulevards"), or joined by "and" / "&"
  to a street ("25th Street and Broadway"), or after "block of", is an address;
- a one-word name that the same article also writes in lower case as an ordinary word ("Man"
  beside "a man was shot") is that word, unless it stands where places stand ("in", "near").

The street words are data (config/addresses.yaml, ``street_words``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spacy.tokens import Doc, Span

from processors.vocabulary import read_yaml, word_list

__all__ = ["is_address", "is_ordinary_word", "load_street_words", "ordinary_words"]


def load_street_words(path: Path) -> frozenset[str]:
    """The ``street_words`` of config/addresses.yaml, checked to be a list of words."""
    return frozenset(w.rstrip(".") for w in word_list(read_yaml(path), "street_words", path))


_PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "from", "at", "of", "to", "across"})


def _street(tok_text: str, street_words: frozenset[str]) -> bool:
    return tok_text.lower().rstrip(".") in street_words or tok_text.lower() in street_words


def is_address(span: Span, street_words: frozenset[str]) -> bool:
    """Is ``span`` (a candidate place) the name of a street or part of an address?"""
    doc = span.doc
    if _street(span[-1].text, street_words) and len(span) > 1:
        return True
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and _street(after.text, street_words):
        return True
    before = [t.lower_ for t in doc[max(0, span.start - 2) : span.start]]
    if before[-2:] == ["block", "of"] or (before and before[-1] == "block"):
        return True
    # an intersection: "25th Street and Broadway", "Broadway and 25th Street"
    if (
        span.start >= 2
        and doc[span.start - 1].lower_ in ("and", "&")
        and _street(doc[span.start - 2].text, street_words)
    ):
        return True
    if after is not None and after.lower_ in ("and", "&"):
        tail = doc[span.end + 1 : span.end + 4]
        if any(_street(t.text, street_words) for t in tail):
            return True
    return False


def ordinary_words(doc: Doc) -> set[str]:
    """The words the article writes in lower case (not opening a sentence)."""
    return {t.lower_ for t in doc if t.is_alpha and t.is_lower and not t.is_sent_start}


def is_ordinary_word(span: Span, lower_words: Iterable[str]) -> bool:
    """A capitalised one-word name the article also uses as an ordinary word, outside a slot
    where places stand."""
    if len(span) != 1 or not span.text[:1].isupper():
        return False
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    if before in _PLACE_PREPOSITIONS:
        return False
    return span.text.lower() in lower_words
