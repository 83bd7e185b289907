"""Sentence starts a parser cannot see: the headline, paragraphs and the dateline.

A news text is a headline, a blank line, then paragraphs, the first often opening with a
dateline ("NEW ORLEANS -- Police said ...", "KABUL, Afghanistan (May 3) - A patrol ...").
Headlines carry no full stop, so a parser glues the headline to the lead, and the lead to its
dateline: the same facts are then read twice in one "sentence" (a headline's "3 dead" plus the
lead's "killed three") and the newsroom's city is taken for the place of what happened.

``mark_sentence_starts`` runs before the parser and fixes those starts; the parser keeps
them (spaCy's parser respects preset ``is_sent_start`` values):

- a line break starts a sentence, unless it only wraps a line: a single newline inside a
  sentence, after a word that does not end one and before a word in lower case;
- the words after a dateline start a sentence: at the start of a paragraph, a name in capitals
  (with an optional ", State" or ", Country" and an optional date in brackets) then a dash;
- a word in lower case starts no sentence: a small parser may cut a lead after its first word
  ("Gunmen" | "wounded three ..."), and the count then loses its subject.
"""

from __future__ import annotations

import numpy
from spacy.attrs import PREFIX, SENT_START
from spacy.tokens import Doc, Token

from processors.nlp.spans import line_starts

__all__ = ["mark_sentence_starts"]

_ENDS = frozenset('.!?:;"”’)]')
_DASHES = frozenset("- -- — – ―".split())


def _line_break_before(tok: Token) -> str:
    """The whitespace between ``tok`` and the word before it, when it holds a newline."""
    doc = tok.doc
    if tok.i == 0 or not doc[tok.i - 1].is_space:
        return ""  # a token's own trailing whitespace is at most one space: no newline
    gap = ""
    i = tok.i - 1
    while i >= 0 and doc[i].is_space:
        gap = doc[i].text + gap
        i -= 1
    if i >= 0:
        gap = doc[i].whitespace_ + gap
    return gap if "\n" in gap else ""


def _wraps(tok: Token) -> bool:
    """A single newline that only wraps a line of running text."""
    prev = tok.doc[tok.i - 1]
    while prev.is_space and prev.i > 0:
        prev = tok.doc[prev.i - 1]
    return tok.text[:1].islower() and prev.text[-1:] not in _ENDS


def _dateline_end(doc: Doc, start: int) -> int | None:
    """The index of the first word after a dateline opening at ``start``, if one does."""
    i = start
    capitals = 0
    while i < len(doc) and i - start < 6 and doc[i].is_upper and doc[i].is_alpha:
        capitals += 1
        i += 1
    if not capitals:
        return None
    if i < len(doc) and doc[i].text == ",":  # ", Afghanistan" / ", N.C." / ", Calif."
        j = i + 1
        while (
            j < len(doc)
            and j - i <= 4
            and (doc[j].is_title or doc[j].is_upper or doc[j].text == ".")
        ):
            j += 1
        i = j if j > i + 1 else i
    if i < len(doc) and doc[i].text == "(":  # a date in brackets
        close = next((k for k in range(i, min(len(doc), i + 8)) if doc[k].text == ")"), None)
        if close is None:
            return None
        i = close + 1
    if i < len(doc) and doc[i].text in _DASHES and i + 1 < len(doc):
        return i + 1
    return None


def mark_sentence_starts(doc: Doc) -> Doc:
    """Set ``is_sent_start`` at line breaks and after datelines (see the module docstring).

    Only the tokens after a line break (``spans.line_starts``) are visited one by one; the
    lower-case rule is set on the whole array at once (a Python loop over every token cost 4 %
    of the enrichment)."""
    if not len(doc):
        return doc
    arr = doc.to_array([SENT_START, PREFIX])
    starts = arr[:, 0].astype("int64")
    strings = doc.vocab.strings
    lower_first = [h for h in numpy.unique(arr[:, 1]) if strings[int(h)][:1].islower()]
    lower = numpy.isin(arr[:, 1], lower_first)  # words that begin with a lower-case letter
    paragraph_starts = [0]
    for k in line_starts(doc)[1:]:
        tok = doc[k]
        if tok.is_space:
            continue  # the break is read at the last space token before the next word
        gap = _line_break_before(tok)
        if gap and ("\n\n" in gap.replace(" ", "") or not _wraps(tok)):
            starts[k] = 1
            paragraph_starts.append(k)
    for i in paragraph_starts:
        after = _dateline_end(doc, i)
        if after is not None and after < len(doc):
            starts[after] = 1
    unset = (starts == 0) & lower
    unset[0] = False
    starts[unset] = -1  # news starts no sentence in lower case
    doc.from_array([SENT_START], starts.reshape(-1, 1).astype("uint64"))
    return doc
