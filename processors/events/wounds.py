"""What news says of the hurt besides the casualty words: the state they are in ("in critical
condition", "recovering from wounds") and the wounds they bear ("suffered gunshot wounds",
"caused injuries to six people"). The words are vocabularies of config/events.yaml
(``condition_words``, ``recovery_verbs``, ``recovered_from``, ``bearing_verbs``,
``inflicting_verbs``); processors.events.casualties counts the people these find."""

from __future__ import annotations

from spacy.tokens import Token

from processors.events.people import CasualtyVocabulary, antecedent, with_conjuncts

__all__ = ["bearers", "harmed_of", "in_condition", "negated", "recovering"]


def bearers(word: Token, vocab: CasualtyVocabulary) -> list[Token] | None:
    """Who is in the state a condition tells, or bears the wounds a noun names ("two men were
    in critical condition", "two teens suffered gunshot wounds", "caused injuries to six
    people"); None when the word is neither."""
    if in_condition(word, vocab):
        holder = word.head.head  # "were in critical condition", "another in ..."
        if holder.pos_ in ("VERB", "AUX"):
            return harmed_of(holder)
        return with_conjuncts([holder]) if holder.pos_ in ("NOUN", "PROPN", "PRON", "NUM") else []
    if word.dep_ != "dobj" or word.lemma_.lower() not in vocab.wounds:
        return None
    verb = word.head.lemma_.lower()
    if verb in vocab.bearing:  # "suffered gunshot wounds"
        return harmed_of(word.head, ("nsubj", "nsubjpass"))
    if verb in vocab.inflicting:  # "caused injuries to six people"
        return with_conjuncts(
            [
                g
                for h in (word.head, word)
                for p in h.children
                if p.dep_ in ("prep", "dative") and p.lower_ in ("to", "on")
                for g in p.children
                if g.dep_ == "pobj"
            ]
        )
    return None


def harmed_of(verb: Token, deps: tuple[str, ...] = ("nsubjpass", "dobj", "nsubj")) -> list[Token]:
    """The people a verb that does not itself say the harm is about: "two men *were* in critical
    condition", "the ambush *left* a driver dead and a guard in grave condition", "two teens
    *suffered* wounds"; a verb joined to another shares its people ("was shot and is in stable
    condition")."""
    for dep in deps:
        nouns = [antecedent(c, verb) for c in verb.children if c.dep_ == dep]
        if nouns:
            return with_conjuncts(nouns, verb)
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return harmed_of(verb.head, deps)
    return []


def negated(word: Token) -> bool:
    """ "non-fatal", "not fatal": the word is denied by what stands just before it."""
    before = word.doc[max(word.i - 2, 0) : word.i].text.replace(" ", "").lower()
    return before.endswith(("non-", "non", "not"))


def in_condition(tok: Token, vocab: CasualtyVocabulary) -> bool:
    """ "in critical condition", "in serious but stable condition": said of the hurt."""
    return (
        tok.lemma_.lower() == "condition"
        and tok.dep_ == "pobj"
        and tok.head.lower_ == "in"
        and any(c.dep_ == "amod" and c.lemma_.lower() in vocab.conditions for c in tok.children)
    )


def recovering(verb: Token, vocab: CasualtyVocabulary) -> bool:
    """ "recovering from gunshot wounds", "recovering after a shooting", "recovering in a
    hospital": what the people recover from is a harm, or they do it in a place of care; not
    "recovered the weapon" (an object), nor "recovering after the fire destroyed their home"."""
    if any(c.dep_ == "dobj" for c in verb.children):
        return False
    for prep in (c for c in verb.children if c.dep_ == "prep"):
        for what in (g for g in prep.children if g.dep_ in ("pobj", "pcomp")):
            words = {what.lemma_.lower(), *(c.lemma_.lower() for c in what.children)}
            if prep.lower_ in ("from", "after") and words & (vocab.recovered_from | vocab.wounds):
                return True
            phrase = what.doc[what.left_edge.i : what.i + 1].text.lower()
            if prep.lower_ in ("in", "at") and any(phrase.endswith(p) for p in vocab.care_places):
                return True
    return False
