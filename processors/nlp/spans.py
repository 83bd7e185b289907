"""Entity span hygiene: make spaCy's entity spans cover names and only names.

The statistical NER of small English models glues neighbours onto names in wire copy: scores
and figures ("H. Morris 69", "Kent 108-3"), a leading article ("the United Nations"), possessives
and punctuation ("Syria 's"), line breaks ("AMERICAN LEAGUE\\nBOSTON"), and lists of places
joined by commas ("Grace Road, Leicestershire"). These rules cut those off; they apply to the
labels that name things, never to numbers, dates or titles of works, where digits belong.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

__all__ = [
    "DASHES",
    "NAME_LABELS",
    "clean_entity_spans",
    "doc_text",
    "keep_text",
    "line_starts",
    "split_span",
    "trim_span",
]

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_LEADING = frozenset({"the", "The", "THE"})
_EDGE_PUNCT = frozenset({"'s", "’s", "'", "’", ",", ".", ":", ";", "-", "–", "—", "(", ")", "/"})
DASHES = frozenset({"-", "--", "–", "—"})
_FIGURE_RE = re.compile(r"^[+-]?\d+(?:[.,/:-]\d+)*[%]?$")


def keep_text(doc: Doc, text: str) -> None:
    """Give ``doc_text`` the text the Doc was made from (``nlp.make_doc(text)`` keeps every
    character), so no component has spaCy join the tokens again."""
    doc.user_data["newsmon_text"] = text


def doc_text(doc: Doc) -> str:
    """``doc.text``, made once per document: spaCy joins every token anew on each access of
    ``Doc.text`` (milliseconds for a long article), and several components read it. The text of
    a Doc never changes (retokenizing keeps it), so keeping it in ``user_data`` is safe."""
    text = doc.user_data.get("newsmon_text")
    if text is None:
        text = doc.user_data["newsmon_text"] = doc.text
    return text


def line_starts(doc: Doc) -> list[int]:
    """Token 0 and every token right after a whitespace token holding a line break.

    Found from the text's line breaks, not by walking every token: a line break is always in a
    whitespace token of its own (a token's trailing whitespace is at most one space), so the
    token holding it is the last token starting at or before it."""
    text = doc_text(doc)
    if "\n" not in text:
        return [0]
    idx = doc.to_array("IDX").tolist()
    breaks = sorted({bisect_right(idx, m.start()) - 1 for m in re.finditer("\n", text)})
    return [0] + [i + 1 for i in breaks if i + 1 < len(doc) and doc[i].is_space]


def _is_figure(text: str) -> bool:
    return bool(_FIGURE_RE.match(text))


def trim_span(span: Span) -> Span | None:
    """``span`` without a leading "the", edge punctuation, or (for names) edge figures."""
    doc, start, end = span.doc, span.start, span.end
    name = span.label_ in NAME_LABELS

    def droppable(i: int, edge: str) -> bool:
        text = doc[i].text
        if doc[i].is_space or text in _EDGE_PUNCT and not (edge == "end" and text == "."):
            return True
        if edge == "end" and text == "." and end - start > 1 and len(doc[i - 1].text) > 1:
            return True  # sentence full stop glued to a name; keep "Inc." and "U.S."
        if name and _is_figure(text):
            return True
        return edge == "start" and text in _LEADING

    while start < end and droppable(start, "start"):
        start += 1
    while end > start and droppable(end - 1, "end"):
        end -= 1
    if start >= end:
        return None
    if (start, end) == (span.start, span.end):
        return span
    return Span(doc, start, end, label=span.label, span_id=span.id)


def _spaced_dash(tok: Token) -> bool:
    """A dash standing between words ("Syria - Authorities"), not one inside a word."""
    return (
        tok.text in DASHES
        and tok.i > 0
        and bool(tok.doc[tok.i - 1].whitespace_)
        and bool(tok.whitespace_)
    )


def split_span(span: Span) -> Iterator[Span]:
    """Split at line breaks (any label), brackets and spaced dashes (names) and, for places,
    at commas and semicolons: "Bilasuvar (Bilasuvar, Azerbaijan)" is three names. After a
    dateline's dash ("QAMISHLI, Syria - Authorities said") the story begins: words there that
    are no proper nouns are no name."""
    name = span.label_ in NAME_LABELS
    cuts = [
        tok.i
        for tok in span
        if ("\n" in tok.text and tok.is_space)
        or (span.label_ in _PLACE_LABELS and tok.text in (",", ";"))
        or (name and (tok.text in ("(", ")") or _spaced_dash(tok)))
    ]
    if not cuts:
        yield span
        return
    doc = span.doc
    start = span.start
    for cut in [*cuts, span.end]:
        part = doc[start:cut]
        after_dash = start > span.start and _spaced_dash(doc[start - 1])
        if cut > start and not (after_dash and all(t.pos_ != "PROPN" for t in part)):
            yield Span(doc, start, cut, label=span.label, span_id=span.id)
        start = cut + 1


def _unbalanced(span: Span) -> bool:
    """A bracket opened or closed inside the span and not the other: the NER ran across it."""
    opened = sum(t.text == "(" for t in span)
    return opened != sum(t.text == ")" for t in span)


def clean_entity_spans(doc: Doc) -> Doc:
    """Rewrite ``doc.ents`` with split and trimmed spans (a spaCy component function)."""
    cleaned = []
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS and _unbalanced(ent):
            continue  # "Hays (Hays, Al Hudaydah" tagged a work of art: a run of names, mis-tagged
        for part in split_span(ent):
            trimmed = trim_span(part)
            if trimmed is not None:
                cleaned.append(trimmed)
    doc.ents = filter_spans(cleaned)
    return doc
