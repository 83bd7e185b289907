"""Who a casualty word counts: the people nouns of a phrase ("two men and a boy", "a
17-year-old", "dozens of villagers", "a commander along with two fighters") and how many they
are; ages, times, addresses and amounts are never people."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from processors.events.numbers import count_of
from processors.nlp.spans import DASHES

__all__ = ["CasualtyVocabulary", "count_people", "is_person", "nominal_age"]


@dataclass(frozen=True)
class CasualtyVocabulary:
    """The word lists of config/events.yaml that casualty counting reads."""

    fields: dict[str, frozenset[str]]  # field -> lemmas that state it
    people: frozenset[str]  # nouns naming people
    perpetrators: frozenset[str]  # nouns naming those who did it
    not_counted: frozenset[str]  # units whose numbers are never counts of people
    gunfire: frozenset[str] = frozenset()  # "hit by <gunfire>": the people were shot
    care_verbs: frozenset[str] = frozenset()  # "rushed to <a care place>": the people were hurt
    care_places: frozenset[str] = frozenset()
    recordings: frozenset[str] = frozenset()  # "captured on <video>": seen, not held
    nouns: frozenset[str] = frozenset()  # casualty nouns that count people: "four deaths"
    transitive: frozenset[str] = frozenset()  # casualty verbs whose subject is the doer
    charges: frozenset[str] = frozenset()  # "charged with murder": the crime, not a victim
    not_agents: frozenset[str] = frozenset()  # "-er" nouns of things: "launcher", "trailer"
    displacing: frozenset[str] = frozenset()  # "forced from their homes": displaced
    homes: frozenset[str] = frozenset()
    wounds: frozenset[str] = frozenset()  # "died of his wounds": the dead had been hurt
    bearing: frozenset[str] = frozenset()  # "suffered <wounds>": the subject was hurt
    inflicting: frozenset[str] = frozenset()  # "caused <injuries> to": those it was done to
    conditions: frozenset[str] = frozenset()  # "in <critical> condition": hurt
    recovering: frozenset[str] = frozenset()  # "<recovering> from <a harm>": hurt
    recovered_from: frozenset[str] = frozenset()


_BREAKS = DASHES | {":"}  # punctuation that ends one phrase and opens another


_AGE_RE = re.compile(r"^\d+-(?:year|month|week|day)s?-old$|^(?:year|month|week|day)s?-old$", re.I)


_NUMBERISH = re.compile(r"^\d[\d,.]*$")


_AGE_COMPARATIVES = frozenset({"younger", "older"})


def is_age_or_unit(tok: Token, vocab: CasualtyVocabulary) -> bool:
    """A number or word that belongs to an age, a time, a place or an amount, not a count."""
    doc = tok.doc
    if _AGE_RE.match(tok.text) or tok.lower_ in ("aged", "age", "ages"):
        return True
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    prev = doc[tok.i - 1] if tok.i > 0 else None
    if nxt is not None and nxt.text == "-" and tok.i + 2 < len(doc):
        nxt = doc[tok.i + 2]  # "9 - year - old" as the tokenizer splits it
    if nxt is not None and (
        nxt.lemma_.lower() in vocab.not_counted or nxt.lower_ in vocab.not_counted
    ):
        return True
    if prev is not None and prev.lower_ in ("aged", "age", "ages", "$", "£", "€", "no.", "#"):
        return True
    if prev is not None and prev.lower_ == "than" and doc[tok.i - 2].lower_ in _AGE_COMPARATIVES:
        return True  # "a boy younger than 12": an age
    head = tok.head
    if (
        head is not tok
        and head.pos_ in ("NOUN", "PROPN", "NUM")  # "10 rounds"; not the verb "shelled"
        and (head.lemma_.lower() in vocab.not_counted or head.lower_ in vocab.not_counted)
    ):
        return True
    if tok.like_num and _NUMBERISH.match(tok.text):
        value = int(float(tok.text.replace(",", ""))) if tok.text[0].isdigit() else 0
        if 1800 <= value <= 2100 and len(tok.text) == 4:
            return True  # a year
        if (
            prev is not None
            and prev.text == ","
            and (prev.i > 0 and doc[prev.i - 1].pos_ == "PROPN")
        ):
            return True  # "Jane Doe, 34," gives her age
        if tok.dep_ == "appos" or (tok.dep_ in ("npadvmod", "nummod") and head.pos_ == "PROPN"):
            return True
    return ":" in tok.text  # "11:30"


def _count_words(noun: Token, vocab: CasualtyVocabulary) -> list[str]:
    """The words before the noun that may give its count; not those before a dash or colon
    ("five people - four men and a girl": the parser may hang the total on "men")."""
    cut = max((t.i for t in noun.subtree if t.i < noun.i and t.text in _BREAKS), default=-1)
    return [
        t.text
        for t in noun.subtree
        if cut < t.i < noun.i
        and t.dep_ in ("nummod", "det", "quantmod", "amod", "advmod", "compound", "npadvmod")
        and not is_age_or_unit(t, vocab)
        and not any(is_age_or_unit(a, vocab) for a in t.ancestors if a.i < noun.i and a != noun)
    ]


_AGENT_SUFFIXES = ("er", "ers", "or", "ors", "ist", "ists", "ant", "ants", "ian", "ians")


def _agentive(noun: Token, vocab: CasualtyVocabulary) -> bool:
    """A noun for someone who does something ("kidnapper", "financier", "associates")."""
    lower = noun.lower_
    return (
        noun.pos_ == "NOUN"
        and lower.endswith(_AGENT_SUFFIXES)
        and lower not in vocab.not_agents
        and len(lower) > 5
    ) or noun.lemma_.lower() in ("associate", "accomplice")


_AGE_UNITS = frozenset({"year", "month", "week", "day"})


_NOUN_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos", "ROOT"})


def _age_start(noun: Token) -> int | None:
    """ "A 19-year-old was wounded", "two 15-year-olds were shot": where an age standing for
    the person begins (the index of its number), or None when the noun is no such age ("a
    17-year-old girl", where it describes her)."""
    doc = noun.doc
    if noun.dep_ not in _NOUN_DEPS:
        return None
    if _AGE_RE.match(noun.text) or _AGE_RE.match(noun.text.removesuffix("s")):
        return noun.i  # kept whole by the tokenizer: "17-year-old"
    if not (
        noun.lower_ in ("old", "olds")
        and noun.i >= 2
        and doc[noun.i - 1].text == "-"
        and doc[noun.i - 2].lemma_.lower() in _AGE_UNITS
    ):
        return None
    start = noun.i - 2  # the unit, then its number, with or without a hyphen
    if start > 0 and doc[start - 1].text == "-":
        start -= 1
    if start > 0 and doc[start - 1].like_num:
        start -= 1
    return start


# "killed his wife and then himself": the doer, harmed by their own hand (one person; the
# number of "themselves" is the subject's, which a sentence may not give)
REFLEXIVES = frozenset({"himself", "herself"})


def nominal_age(noun: Token) -> bool:
    """ "a 19-year-old", "the 13-year-old": an age standing for the person."""
    return _age_start(noun) is not None


def is_person(noun: Token, vocab: CasualtyVocabulary) -> bool:
    """Does the noun name people (a people noun, an agent noun, a name, a pronoun)?"""
    lemma, lower = noun.lemma_.lower(), noun.lower_
    return (
        nominal_age(noun)
        or lemma in vocab.people
        or _agentive(noun, vocab)
        or lower in vocab.people
        or lemma in vocab.perpetrators
        or noun.ent_type_ in ("PERSON", "NORP")
        or noun.pos_ == "PRON"
        and lower in ("he", "she", "him", "her", "i", "we", "they", "them", *REFLEXIVES)
        or (noun.like_num and not is_age_or_unit(noun, vocab))
    )


def _named_by_group(noun: Token, vocab: CasualtyVocabulary) -> Token | None:
    """ "captured an Army of Islam commander": the parser may take the group's name for the
    object and hang the person on its "of"; the person is the noun right after the name."""
    if noun.pos_ != "PROPN" or noun.ent_type_ == "PERSON":
        return None
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            person = next((g for g in prep.children if g.dep_ == "pobj"), None)
            if (
                person is not None
                and person.pos_ == "NOUN"
                and is_person(person, vocab)
                and all(t.pos_ == "PROPN" or t == prep for t in noun.doc[noun.i : person.i])
            ):
                return person
    return None


def count_people(noun: Token, vocab: CasualtyVocabulary) -> int | None:
    """How many people a noun phrase names, or None when it names no countable people."""
    lower = noun.lower_
    if lower == "one" and noun.i > 0 and noun.doc[noun.i - 1].lower_ == "no":
        return None  # "no one was arrested": nobody
    age = _age_start(noun)
    if age is not None:  # "a 17-year-old": one; "two 15-year-olds": two
        words = [
            t.text
            for t in noun.subtree
            if t.i < age and t.dep_ in ("nummod", "det", "quantmod", "advmod")
        ]
        return (count_of(words) if words else None) or 1
    if noun.like_num and not is_age_or_unit(noun, vocab):  # "13 were injured"
        return count_of([*_count_words(noun, vocab), noun.text])
    if lower in ("one", "another"):
        return 1
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    whom = next((g for g in of.children if g.dep_ == "pobj"), None) if of else None
    # "dozens of fighters", "hundreds were displaced"; "several of his aides" (with its "of")
    if lower in QUANTITY_NOUNS or (lower in QUANTIFIERS and whom is not None):
        if whom is None or is_person(whom, vocab):
            return count_of([*_count_words(noun, vocab), noun.text])
        return None
    if noun.lemma_.lower() in _LIVES and lives_lost(noun.head):
        if whom is not None and is_person(whom, vocab):  # "claimed the lives of two men"
            return count_people(whom, vocab)
        words = _count_words(noun, vocab)  # "three lives", "his life"
        return (count_of(words) if words else None) or (1 if noun.lower_ == "life" else None)
    if not is_person(noun, vocab):
        if _named_by_group(noun, vocab) is None:
            return None
        words = _count_words(noun, vocab)  # "an Ansar al-Sharia commander": one
        return (count_of(words) if words else None) or 1
    if noun.pos_ == "PRON":
        return 1 if lower in ("he", "she", "him", "her", "i", *REFLEXIVES) else None
    if noun.ent_type_ == "PERSON" and noun.pos_ == "PROPN":
        return 1
    words = _count_words(noun, vocab)
    value = count_of(words) if words else None
    if value is None and noun.tag_ in ("NN", "NNP"):
        return 1  # "a man", "the victim", "his son"
    return value


def joined(nouns: list[Token]) -> bool:
    """ "A man, 25, and a woman were shot": two subjects the parser gave one verb, an "and"
    hung on the first between them, are one subject of two people; not when the first is
    itself the last of another list ("the toll rose to 200 X and 27 Y, and 550 Z
    surrendered")."""
    first, last = min(nouns, key=lambda n: n.i), max(nouns, key=lambda n: n.i)
    start = first.left_edge.i
    if start > 0 and first.doc[start - 1].lower_ in ("and", "or"):
        return False
    return any(c.dep_ == "cc" and first.i < c.i < last.i for c in first.children)


def antecedent(noun: Token, verb: Token) -> Token:
    """ "a suspect, who was arrested along with two others": the relative pronoun of a
    relative clause stands for the noun the clause is about."""
    if verb.dep_ == "relcl" and noun.tag_ in ("WP", "WDT") and noun.lower_ in ("who", "that"):
        return verb.head
    return noun


QUANTITY_NOUNS = frozenset(
    "dozens scores hundreds thousands dozen hundred thousand couple pair".split()
)


# a quantity that heads an "of" phrase of people: "several of his associates", "a few of them"
QUANTIFIERS = frozenset("several few multiple numerous handful".split())


def with_conjuncts(nouns: list[Token], verb: Token | None = None) -> list[Token]:
    """The nouns and those joined after them ("a man and a woman", "a leader along with two
    fighters"); not a list the noun is itself the last of ("27 members ..., and 550
    prisoners"). ``verb`` is what befell them, when it is not the noun's head (a relative
    clause's verb, for its pronoun's antecedent)."""
    out = []
    for noun in nouns:
        out += [noun, *(c for c in noun.conjuncts if c.i > noun.i), *_along_with(noun, verb)]
        out += _listed_as_appositive(noun)
    return out


def _listed_as_appositive(noun: Token) -> list[Token]:
    """ "a gang boss, his driver and two others": a small parser takes the list's second item
    for an appositive of the first, and hangs the rest on it. In "the suspect, a local man,
    and his brother" the appositive names the suspect again (a comma closes it), and only the
    brother is another. Not a list: an appositive that breaks a number down ("five people -
    four men and a girl"; the noun is plural) or describes one person and ends before the
    verb ("the victim, a mother and a nurse, was shot")."""
    doc = noun.doc
    for appos in (c for c in noun.children if c.dep_ == "appos" and c.i > noun.i):
        ccs = [c for c in appos.children if c.dep_ == "cc" and c.lower_ == "and"]
        conjs = [c for c in appos.children if c.dep_ == "conj" and c.i > appos.i]
        if not ccs or not conjs:
            continue
        if doc[ccs[0].i - 1].text == ",":
            return conjs
        end = max(c.right_edge.i for c in conjs) + 1
        closed = end < len(doc) and (doc[end].text == "," or doc[end].text in _BREAKS)
        if (
            noun.tag_ in ("NN", "NNP")
            and not noun.like_num
            and appos.i > 0
            and doc[appos.left_edge.i - 1].text == ","
            and not closed
        ):
            return [appos, *conjs]
    return []


def _along_with(noun: Token, verb: Token | None = None) -> list[Token]:
    """ "X along with Y", "X together with Y": Y shares what befell X."""
    found = []
    if verb is not None and verb != noun.head:
        holders = [noun, verb]
    else:
        holders = [noun, noun.head] if noun.dep_ in ("dobj", "nsubjpass") else [noun]
    for prep in (c for h in holders for c in h.children):
        if prep.dep_ == "prep" and prep.lower_ in ("along", "together"):
            for with_ in prep.children:
                if with_.dep_ == "prep" and with_.lower_ == "with":
                    found += [g for g in with_.children if g.dep_ == "pobj"]
    return found


_LIFE_VERBS = frozenset({"lose", "claim", "take", "cost"})


_LIVES = frozenset({"life", "lives"})


def lives_lost(verb: Token) -> bool:
    """ "Three lives were lost", "claimed four lives", "lost his life": deaths, each life one."""
    return verb.lemma_.lower() in _LIFE_VERBS and any(
        c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in _LIVES for c in verb.children
    )
