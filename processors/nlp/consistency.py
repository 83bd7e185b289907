"""Document-level consistency of entity labels: one name, one kind of thing, per article.

A statistical tagger decides each mention alone, so "Shearer" is a person in one sentence and an
organisation in the next. A reader knows better, and so do these rules:

- a name written as an initial and a surname ("H. Morris", "T. O'Gorman") is a person;
- once a person is named in full ("Alan Shearer"), their surname alone is that person, whether
  the tagger labelled it otherwise or missed it;
- an exact name the article labels one way at least twice as often as any other takes that label
  everywhere (curated names from the entity ruler are never relabelled).
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

__all__ = ["make_names_consistent"]

_INITIAL_RE = re.compile(r"^[A-Z]\.$|^[A-Z]\.[A-Z]'?[A-Za-z]+$")
_RELABEL = frozenset({"ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC", "PERSON"})
_NOT_SURNAMES = frozenset("the a an of and in on at for to by with mr mrs ms dr".split())


def _initial_name(span: Span) -> bool:
    if _INITIAL_RE.match(span[0].text) is None:
        return False
    if len(span) == 1:
        return "." in span[0].text[2:]  # "T.O'Gorman" in one token
    return all(tok.is_title or tok.text[:2] == "O'" or tok.is_upper for tok in span[1:])


def make_names_consistent(doc: Doc, curated_id: str) -> Doc:
    """Relabel and add entities as described above; entities whose ``ent_id_`` is
    ``curated_id`` (found by the entity ruler) are left as they are."""
    curated = {(e.start, e.end) for e in doc.ents if e.ent_id_ == curated_id}
    ents = list(doc.ents)
    fixed = []
    for ent in ents:
        if (ent.start, ent.end) not in curated and ent.label_ != "PERSON" and _initial_name(ent):
            ent = Span(doc, ent.start, ent.end, label="PERSON")
        fixed.append(ent)

    surnames = {
        ent[-1].text.lower(): ent for ent in fixed if ent.label_ == "PERSON" and len(ent) > 1
    }
    out = []
    for ent in fixed:
        if (ent.start, ent.end) in curated or ent.label_ == "PERSON":
            out.append(ent)
            continue
        if len(ent) == 1 and ent.text.lower() in surnames and ent.label_ in _RELABEL:
            ent = Span(doc, ent.start, ent.end, label="PERSON")
        out.append(ent)

    # surnames the tagger missed altogether
    taken = {i for ent in out for i in range(ent.start, ent.end)}
    for tok in doc:
        key = tok.text.lower()
        if (
            tok.i not in taken
            and key in surnames
            and key not in _NOT_SURNAMES
            and (tok.is_title or tok.is_upper)
            and tok.pos_ in ("PROPN", "NOUN", "X")
        ):
            out.append(Span(doc, tok.i, tok.i + 1, label="PERSON"))

    # majority label per exact name
    votes: dict[str, Counter[str]] = {}
    for ent in out:
        votes.setdefault(ent.text.lower(), Counter())[ent.label_] += 1
    final = []
    for ent in out:
        counts = votes[ent.text.lower()]
        (label, n), *rest = counts.most_common(2) + [("", 0)]
        runner_up = rest[0][1] if rest else 0
        if (
            label != ent.label_
            and (ent.start, ent.end) not in curated
            and ent.label_ in _RELABEL
            and label in _RELABEL
            and n >= 2 * max(1, runner_up)
        ):
            ent = Span(doc, ent.start, ent.end, label=label)
        final.append(ent)
    doc.ents = filter_spans(final)
    return doc
