"""Who did it and to whom: the actors of a trigger, from the parse (subject or "by X" for
actor1; object, "on X" or "with X" for actor2), named by the entity inside where there is one."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span, Token

__all__ = ["actor_name", "actors_of"]


def _noun_phrase(tok: Token) -> Span:
    """The phrase a noun heads, without trailing clauses (at most 8 tokens)."""
    left = tok.left_edge.i
    right = tok.i
    for child in tok.rights:
        if child.dep_ in ("compound", "amod", "nummod", "poss", "flat", "appos", "prep"):
            right = max(right, child.right_edge.i if child.dep_ != "prep" else child.i)
        if child.dep_ == "prep" and child.lower_ == "of":
            right = max(right, child.right_edge.i)
    span = tok.doc[left : right + 1]
    if len(span) > 8:
        span = tok.doc[max(left, tok.i - 4) : tok.i + 1]
    while (
        len(span) > 1 and span[0].dep_ in ("det", "cc", "punct") and span[0].lower_ not in ("no",)
    ):
        span = span[1:]
    return span


def actor_name(phrase: Span | None) -> str | None:
    if phrase is None:
        return None
    for ent in phrase.ents:
        if ent.label_ in ("ORG", "NORP", "GPE", "PERSON", "FAC"):
            canonical = ent._.canonical if Span.has_extension("canonical") else None
            return canonical or ent.text
    text = phrase.text.strip()
    return text or None


def _child(tok: Token, deps: Iterable[str]) -> Token | None:
    deps = set(deps)
    return next((c for c in tok.children if c.dep_ in deps), None)


def _prep_object(tok: Token, preps: Iterable[str]) -> Token | None:
    preps = set(preps)
    for child in tok.children:
        if child.dep_ in ("prep", "agent") and child.lower_ in preps:
            obj = _child(child, ("pobj",))
            if obj is not None:
                return obj
    return None


def actors_of(trigger: Token) -> tuple[Span | None, Span | None]:
    """(actor1, actor2) phrases around a trigger word, from the dependency parse."""
    head = trigger
    # a nominal trigger modified by a verb: "launched airstrikes", "staged a protest"
    if (
        trigger.pos_ in ("NOUN", "PROPN")
        and trigger.dep_ in ("dobj", "attr")
        and (trigger.head.pos_ == "VERB")
    ):
        head = trigger.head
    a1 = _child(head, ("nsubj",)) or _prep_object(head, ("by",)) or _prep_object(trigger, ("by",))
    if a1 is None and trigger.pos_ in ("NOUN", "PROPN"):  # "ISIL terrorist attacks"
        a1 = next(
            (
                c
                for c in trigger.lefts
                if c.dep_ in ("compound", "nmod", "amod", "poss")
                and c.ent_type_ in ("ORG", "NORP", "GPE", "PERSON")
            ),
            None,
        )
    a2 = (_child(head, ("dobj", "nsubjpass")) if head is trigger else None) or _prep_object(
        trigger, ("on", "against", "with", "at", "targeting")
    )
    if a2 is None and head is not trigger:
        a2 = _prep_object(head, ("on", "against", "with", "at"))
    between = _prep_object(trigger, ("between",))
    if between is not None:
        prep = between.head
        named = [
            t
            for t in prep.subtree
            if t.ent_type_ in ("ORG", "NORP", "GPE", "PERSON") and t.ent_iob_ == "B"
        ]
        nouns = [between, *between.conjuncts]
        a1 = named[0] if named else between
        a2 = named[1] if len(named) > 1 else next((n for n in nouns if n is not between), a2)
    if a2 is not None and a2.i == trigger.i:
        a2 = None
    if a1 is not None and a1.dep_ == "nsubjpass":
        a1 = None
    return (
        _noun_phrase(a1) if a1 is not None else None,
        _noun_phrase(a2) if a2 is not None else None,
    )
