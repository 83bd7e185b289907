"""Casualty statements: how many people a sentence says were killed, hurt, shot or held.

A count is a number the parse ties to the people an event befell. The words that say what
befell them (``killed``, ``wounded``, ``shot``, ``detained``, ``displaced``, ...) and the
nouns that name people are vocabularies in config/events.yaml; this module reads the parse:

- who: the passive subject ("three men were killed"), the object ("killed three men"), the
  subject of an intransitive ("two people died"), the noun a participle modifies ("27 people
  killed", "two dead soldiers"), the "of" of a noun ("the deaths of five men"), the noun a
  count word itself is ("four deaths", "13 were injured"); a verb joined to another ("were
  shot and killed") shares its people;
- how many: the phrase's number ("at least 12", "twenty-seven", "several" = 3), one for a
  singular person ("a 9-year-old girl", "Jane Doe"), and conjuncts add up ("a man and a
  woman"). Numbers that are not counts of people are never read as counts: ages
  ("9-year-old", "aged 34", "Jane Doe, 34,"), times and dates, years, durations, addresses
  ("the 300 block"), money, calibres, rounds fired, ranks;
- shot: "shot" alone means hurt unless a death is reported; "shot dead", "fatally shot",
  "shot to death" and "shot and killed" are deaths. ``shot`` is kept as its own field so the
  incident can take injured = shot - killed ("four people were shot, one fatally": 1 and 3);
- partitives: "five were shot, two of them fatally" gives 2 killed; a statement about "N of
  them" is marked ``partitive`` so the article model can take the dead from the hurt told just
  before ("four men were found wounded. One of them died": 1 killed, 3 hurt).

``statements(sentence)`` gives one ``Statement`` per field with the people it counted, so the
same people named twice in a sentence are counted once, and the article model can tell which
statements repeat which (processors.events.extractor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from processors.events.numbers import count_of
from processors.nlp.spans import DASHES

__all__ = [
    "CARED",
    "CasualtyVocabulary",
    "Statement",
    "detains_others",
    "is_person",
    "recorded",
    "statements",
]


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


@dataclass(frozen=True)
class Statement:
    """One field of one sentence: the count and the tokens of the people it counts."""

    field: str
    value: int
    people: tuple[int, ...]
    perpetrators: int = 0  # of ``value``, how many are named as the perpetrators
    additional: bool = False  # "was also killed", "another man died": more, not a restatement
    partitive: bool = False  # "one of them died", "two of whom fatally": of people told before


_BREAKS = DASHES | {":"}  # punctuation that ends one phrase and opens another
_AGE_RE = re.compile(r"^\d+-(?:year|month|week|day)s?-old$|^(?:year|month|week|day)s?-old$", re.I)
_NUMBERISH = re.compile(r"^\d[\d,.]*$")
_FATAL_ADVERBS = frozenset({"fatally", "mortally"})
_DEATH_COMPLEMENTS = frozenset({"dead", "death"})  # "shot dead", "beaten to death"
_PARTITIVE_RE = re.compile(
    r"\b(\w+(?:-\w+)?|\d+) of (?:them|whom|the victims|those)(?: \w+){0,2}? "
    r"(?:(fatally|mortally|died|dead|killed)|(?:critically |seriously |slightly )?"
    r"(injured|wounded|hurt))"
    # "five people were shot, two fatally": the number right after the shooting's comma
    r"|\bshot, (\w+(?:-\w+)?|\d+) (fatally|mortally)\b",
    re.IGNORECASE,
)


def _is_age_or_unit(tok: Token, vocab: CasualtyVocabulary) -> bool:
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
        and not _is_age_or_unit(t, vocab)
        and not any(_is_age_or_unit(a, vocab) for a in t.ancestors if a.i < noun.i and a != noun)
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


def _nominal_age(noun: Token) -> bool:
    return _age_start(noun) is not None


def is_person(noun: Token, vocab: CasualtyVocabulary) -> bool:
    """Does the noun name people (a people noun, an agent noun, a name, a pronoun)?"""
    lemma, lower = noun.lemma_.lower(), noun.lower_
    return (
        _nominal_age(noun)
        or lemma in vocab.people
        or _agentive(noun, vocab)
        or lower in vocab.people
        or lemma in vocab.perpetrators
        or noun.ent_type_ in ("PERSON", "NORP")
        or noun.pos_ == "PRON"
        and lower in ("he", "she", "him", "her", "i", "we", "they", "them")
        or (noun.like_num and not _is_age_or_unit(noun, vocab))
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


def _count(noun: Token, vocab: CasualtyVocabulary) -> int | None:
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
    if noun.like_num and not _is_age_or_unit(noun, vocab):  # "13 were injured"
        return count_of([*_count_words(noun, vocab), noun.text])
    if lower in ("one", "another"):
        return 1
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    whom = next((g for g in of.children if g.dep_ == "pobj"), None) if of else None
    # "dozens of fighters", "hundreds were displaced"; "several of his aides" (with its "of")
    if lower in _QUANTITY_NOUNS or (lower in _QUANTIFIERS and whom is not None):
        if whom is None or is_person(whom, vocab):
            return count_of([*_count_words(noun, vocab), noun.text])
        return None
    if noun.lemma_.lower() in _LIVES and _lives_lost(noun.head):
        if whom is not None and is_person(whom, vocab):  # "claimed the lives of two men"
            return _count(whom, vocab)
        words = _count_words(noun, vocab)  # "three lives", "his life"
        return (count_of(words) if words else None) or (1 if noun.lower_ == "life" else None)
    if not is_person(noun, vocab):
        if _named_by_group(noun, vocab) is None:
            return None
        words = _count_words(noun, vocab)  # "an Ansar al-Sharia commander": one
        return (count_of(words) if words else None) or 1
    if noun.pos_ == "PRON":
        return 1 if lower in ("he", "she", "him", "her", "i") else None
    if noun.ent_type_ == "PERSON" and noun.pos_ == "PROPN":
        return 1
    words = _count_words(noun, vocab)
    value = count_of(words) if words else None
    if value is None and noun.tag_ in ("NN", "NNP"):
        return 1  # "a man", "the victim", "his son"
    return value


def _borne_by_one_known(word: Token, noun: Token, fields: list[str]) -> list[str]:
    """ "The victim suffered from gunshot wounds": wounds borne by someone already told of
    (a definite singular or a pronoun) may be the dead victim's, so they count as "shot"
    does: hurt unless reported dead. Not "another man suffered wounds", nor "a woman"."""
    if fields != ["injured"] or word.pos_ != "NOUN" or _told_apart(word, noun):
        return fields
    pronoun = noun.pos_ == "PRON" and noun.lower_ in ("he", "she", "him", "her")
    definite = noun.tag_ == "NN" and any(
        c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children
    )
    return ["shot"] if pronoun or definite else fields


def _counted_shot(tok: Token, vocab: CasualtyVocabulary) -> bool:
    """A headline's "3 shot, 1 dead": a small parser takes "shot" for a noun with a number.
    As a noun, "shot" is counted in the plural ("three shots rang out"), so the singular with
    a count of two or more, or of one followed by another count ("1 shot, 1 dead"), is the
    number of people shot; not "a shot", "his shot", nor a golfer's "2-shot lead"."""
    if tok.lower_ != "shot" or tok.dep_ not in ("ROOT", "conj", "appos"):
        return False
    if any(c.dep_ in ("det", "poss") for c in tok.children):
        return False
    numbers = [
        c
        for c in tok.children
        if c.i < tok.i and c.like_num and c.dep_ in ("nummod", "meta", "nsubj", "npadvmod")
    ]
    if not numbers or _is_age_or_unit(numbers[0], vocab):
        return False
    value = count_of([numbers[0].text])
    after = tok.doc[tok.i + 1 : tok.i + 3]
    return value is not None and (
        value >= 2 or (len(after) == 2 and after[0].text == "," and after[1].like_num)
    )


def _people_of(word: Token, vocab: CasualtyVocabulary) -> list[Token]:
    """The nouns naming the people a casualty word is about (see the module docstring)."""
    lemma = word.lemma_.lower()
    if word.pos_ in ("NOUN", "PROPN") and lemma in vocab.nouns:
        of = next((c for c in word.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = next((g for g in of.children if g.dep_ == "pobj"), None) if of is not None else None
        if obj is not None:
            return _with_conjuncts([obj])
        if any(c.dep_ == "nummod" or c.like_num for c in word.children):
            return [word]  # "four deaths", "13 casualties"
        if word.dep_ != "pobj":
            return []
    if word.dep_ in ("amod",) and word.head.pos_ in ("NOUN", "PROPN"):
        return [word.head]  # "two dead soldiers"
    if (
        word.dep_ in ("acl", "relcl")
        and word.pos_ == "VERB"
        and word.head.pos_ in ("NOUN", "PROPN", "NUM")
        and not any(c.dep_ in ("dobj", "nsubj", "nsubjpass") for c in word.children)
    ):
        return [word.head]  # "27 people killed" (not "a shooting that killed four people")
    verb = word
    if (
        word.dep_ in ("acomp", "oprd", "xcomp", "ccomp")
        and (
            word.lower_ in ("dead", "injured", "wounded", "hurt", "missing")
            or (word.dep_ in ("oprd", "xcomp") and word.tag_ == "VBN")  # "found shot to death"
        )
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in word.children)
    ):
        verb = word.head  # "were found dead", "left two injured" (not "said two were hurt")
    for dep in ("nsubjpass", "dobj", "nsubj"):
        nouns = [_antecedent(c, verb) for c in verb.children if c.dep_ == dep]
        if dep == "dobj":  # "fled their villages": the home left, not whom it befell
            nouns = [n for n in nouns if n.lemma_.lower() not in vocab.homes]
        if dep == "dobj" and nouns:  # "killed a commander and one more fighter", the second
            nouns += [c for c in verb.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN")]
        if dep == "nsubj" and lemma in vocab.transitive and verb is word:
            if not _elided_passive(word, nouns, vocab):
                continue  # the subject of "killed" is the killer
            return _with_conjuncts(nouns, verb)  # "Mother, son shot": a headline's list
        if len(nouns) > 1 and dep != "dobj" and not _joined(nouns):
            nouns = [min(nouns, key=lambda n: abs(verb.i - n.i))]  # one subject: the nearest
        if nouns:
            return _with_conjuncts(nouns, verb)
    own = [
        c
        for c in word.children
        if c.like_num
        and not _is_age_or_unit(c, vocab)
        and not any(_fields_of(g, vocab) for g in c.children)  # "1 killed, 4 injured"
    ]
    if own:
        return own  # "nine were hurt and one killed": the conjunct's own number
    if word.dep_ == "pobj" and word.head.dep_ == "prep":  # "taken into custody"
        holder = word.head.head
        if holder.lemma_.lower() in vocab.charges and word.head.lower_ in ("with", "for", "of"):
            return []  # "charged with murder", "arrested for murder": the crime, not a victim
        if holder.dep_ == "acl" and holder.head.pos_ in ("NOUN", "PROPN", "NUM"):
            return _with_conjuncts([holder.head])  # "two men taken into custody"
        for dep in ("nsubjpass", "dobj", "nsubj"):
            nouns = [c for c in holder.children if c.dep_ == dep]
            if nouns:
                return _with_conjuncts(nouns)
    if word.dep_ == "conj" and word.head.pos_ in ("VERB", "ADJ"):
        return _people_of(word.head, vocab)  # "were shot and killed"
    return []


def _joined(nouns: list[Token]) -> bool:
    """ "A man, 25, and a woman were shot": two subjects the parser gave one verb, an "and"
    hung on the first between them, are one subject of two people; not when the first is
    itself the last of another list ("the toll rose to 200 X and 27 Y, and 550 Z
    surrendered")."""
    first, last = min(nouns, key=lambda n: n.i), max(nouns, key=lambda n: n.i)
    start = first.left_edge.i
    if start > 0 and first.doc[start - 1].lower_ in ("and", "or"):
        return False
    return any(c.dep_ == "cc" and first.i < c.i < last.i for c in first.children)


def _antecedent(noun: Token, verb: Token) -> Token:
    """ "a suspect, who was arrested along with two others": the relative pronoun of a
    relative clause stands for the noun the clause is about."""
    if verb.dep_ == "relcl" and noun.tag_ in ("WP", "WDT") and noun.lower_ in ("who", "that"):
        return verb.head
    return noun


def _elided_passive(verb: Token, subjects: list[Token], vocab: CasualtyVocabulary) -> bool:
    """A headline's "Two teens shot near school": a transitive casualty verb with a subject
    but no object, auxiliary or target ("shot at officers") is a passive whose "were" was
    left out, so the subject is who it befell; not when the subject is the one who does it
    ("gunman", "police")."""
    if any(
        c.dep_ in ("dobj", "aux", "auxpass", "agent", "ccomp", "xcomp")
        or (c.dep_ == "prep" and c.lower_ in ("at", "on", "into", "toward", "towards"))
        for c in verb.children
    ):
        return False
    return bool(subjects) and all(
        n.lemma_.lower() not in vocab.perpetrators
        and n.ent_type_ not in ("ORG", "NORP")
        and n.lower_ not in ("police", "officers", "troops", "forces")
        and is_person(n, vocab)
        for n in subjects
    )


_QUANTITY_NOUNS = frozenset(
    "dozens scores hundreds thousands dozen hundred thousand couple pair".split()
)
# a quantity that heads an "of" phrase of people: "several of his associates", "a few of them"
_QUANTIFIERS = frozenset("several few multiple numerous handful".split())


_MORE = frozenset({"also", "another", "additional", "further", "too"})


def _more(tok: Token) -> bool:
    """A word saying the people are more than those told before: "also", "another", "two
    more men" (not "more than 30"). Not an ordinal: "a second suspect" may be the second
    of the suspects, not the second arrested, and "a second victim died" the first death."""
    if tok.lower_ in _MORE:
        return True
    return (
        tok.lower_ == "more"
        and tok.dep_ == "amod"
        and (tok.i + 1 >= len(tok.doc) or tok.doc[tok.i + 1].lower_ != "than")
    )


def _adds(word: Token, noun: Token, fld: str) -> bool:
    """Does the statement add people to those already counted ("the gunman was also killed",
    "another man died")? Detentions add up over an operation, so "detained two others" (or
    "two other men") are more detainees; among the harmed, "one died and two others were
    hurt" contrasts the hurt with the dead and adds nothing to an earlier count of the hurt."""
    if fld == "arrested":
        return _told_apart(word, noun)
    return any(_more(t) for t in (*word.children, *_modifiers(noun), noun))


def _modifiers(noun: Token) -> list[Token]:
    """The noun's children and those of its count ("several more men", "two more people":
    the parser may hang "more" on "several" or "two")."""
    counts = (c for c in noun.children if c.dep_ in ("amod", "nummod"))
    return [*noun.children, *(g for c in counts for g in c.children)]


_OTHERS = frozenset({"other", "others"})


def _told_apart(word: Token, noun: Token) -> bool:
    """Are the people said to be others than those told before ("another man", "two
    others", "also")? Not the same people, whether or not they add to a count."""
    return any(_more(t) or t.lower_ in _OTHERS for t in (*word.children, *_modifiers(noun), noun))


def _with_conjuncts(nouns: list[Token], verb: Token | None = None) -> list[Token]:
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


def _fields_of(tok: Token, vocab: CasualtyVocabulary) -> list[str]:
    lemma, lower = tok.lemma_.lower(), tok.lower_
    found = [f for f, words in vocab.fields.items() if lemma in words or lower in words]
    if "shot" in found:
        children = {
            c.lower_ for c in tok.children if not any(g.dep_ == "nsubj" for g in c.children)
        } | {g.lower_ for c in tok.children if c.dep_ == "prep" for g in c.children}
        if children & (_FATAL_ADVERBS | _DEATH_COMPLEMENTS):
            return ["fatalities"]  # "fatally shot", "shot dead", "shot to death"
    elif tok.pos_ == "VERB" and any(c.lower_ in _FATAL_ADVERBS for c in tok.children):
        return ["fatalities"]  # "fatally stabbed", "mortally wounded"
    if not found and lemma in _SUCCUMB and _of_wounds(tok, vocab):
        return ["fatalities"]  # "succumbed to his injuries"
    if not found and tok.pos_ == "VERB" and _lives_lost(tok):
        return ["fatalities"]  # "three lives were lost", "the fire claimed two lives"
    if not found and tok.pos_ == "VERB" and lemma in _STRUCK and _by_gunfire(tok, vocab):
        return ["shot"]  # "were hit by gunfire", "struck by a stray bullet"
    if not found and tok.pos_ == "VERB" and lemma in vocab.care_verbs and _to_care(tok, vocab):
        return [CARED]  # "were rushed to a hospital": hurt, unless reported dead
    if (
        found in ([], ["escaped"])
        and tok.pos_ == "VERB"
        and lemma in vocab.displacing
        and _from_home(tok, vocab)
    ):
        return ["displaced"]  # "forced 3,000 residents from their homes", "fled their villages"
    return found


def _from_home(verb: Token, vocab: CasualtyVocabulary) -> bool:
    """Is a home the verb's object, or what its people are driven "from"?"""
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    preps = [
        c
        for h in (verb, *objects)
        for c in h.children
        if c.dep_ == "prep" and c.lower_ in ("from", "out")
    ]
    places = objects + [g for p in preps for g in p.subtree if g.dep_ == "pobj"]
    return any(p.lemma_.lower() in vocab.homes or p.lower_ in vocab.homes for p in places)


_LIFE_VERBS = frozenset({"lose", "claim", "take", "cost"})
_LIVES = frozenset({"life", "lives"})


def _lives_lost(verb: Token) -> bool:
    """ "Three lives were lost", "claimed four lives", "lost his life": deaths, each life one."""
    return verb.lemma_.lower() in _LIFE_VERBS and any(
        c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in _LIVES for c in verb.children
    )


CARED = "cared"  # taken to a hospital: a weak "injured", read where nothing else is stated


_RECORDED_VERBS = frozenset({"capture", "catch", "captured", "caught"})


def recorded(verb: Token, vocab: CasualtyVocabulary) -> bool:
    """ "Captured on video", "caught on camera", "footage captures a man": a recording shows
    someone; nobody was held. The recording is the verb's subject or its "on" phrase."""
    if verb.lemma_.lower() not in _RECORDED_VERBS and verb.lower_ not in _RECORDED_VERBS:
        return False
    for child in verb.children:
        if child.dep_ == "nsubj":
            words = [child, *child.children]  # "surveillance footage captured"
        elif child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ in ("on", "in")):
            words = list(child.subtree)  # "captured by a camera", "caught on video"
        else:
            continue
        if any(w.lemma_.lower() in vocab.recordings or w.lower_ in vocab.recordings for w in words):
            return True
    return False


def _to_care(verb: Token, vocab: CasualtyVocabulary) -> bool:
    """Does the verb take people "to" a place of care ("taken to the hospital")? The "to" may
    hang on the people taken ("sent four women and a man to the hospital")."""
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    holders = [verb, *objects, *(c for o in objects for c in o.conjuncts)]
    for prep in (c for h in holders for c in h.children):
        if prep.dep_ in ("prep", "dative") and prep.lower_ == "to":  # "sent to": a dative
            for place in prep.children:
                if place.dep_ == "pobj":  # "a hospital", "the county medical center"
                    words = place.doc[place.left_edge.i : place.i + 1].text.lower()
                    if any(words.endswith(p) for p in vocab.care_places):
                        return True
    return False


_STRUCK = frozenset({"hit", "strike", "graze", "catch"})


def _by_gunfire(verb: Token, vocab: CasualtyVocabulary) -> bool:
    """Is the verb's "by" (or "in") phrase gunfire: the people it struck were shot?"""
    return any(
        g.lemma_.lower() in vocab.gunfire or g.lower_ in vocab.gunfire
        for c in verb.children
        if c.dep_ in ("agent", "prep") and c.lower_ in ("by", "in")
        for g in c.children
        if g.dep_ == "pobj"
    )


def statements(sent: Span, vocab: CasualtyVocabulary) -> list[Statement]:
    """The casualty statements of one sentence, at most one per field."""
    people: dict[str, dict[int, tuple[int, bool]]] = {}
    more_of: dict[str, set[int]] = {}  # per field, the people said to be more ("also", ...)
    part_of: dict[str, set[int]] = {}  # per field, the people told as "N of them"
    others_of: dict[str, set[int]] = {}  # per field, people told apart from others ("another")
    said: set[tuple[str, str]] = set()  # the words of each statement, to see a repeat
    for tok in sent:
        if tok.pos_ not in ("VERB", "ADJ", "NOUN", "PROPN", "AUX"):
            continue
        if (
            tok.pos_ in ("NOUN", "PROPN")
            and tok.lemma_.lower() not in vocab.nouns
            and not _counted_shot(tok, vocab)
        ):
            continue  # "ten shots were fired": a noun counts people only in its own forms
        fields = _fields_of(tok, vocab)
        if not fields or recorded(tok, vocab):
            continue
        if tok.head.lemma_ in ("attempt", "try", "plot", "threaten", "vow") and tok.dep_ == "xcomp":
            continue  # "attempted to kill": nobody died of it
        if tok.pos_ == "VERB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
            continue  # "a raid to capture a leader": an aim, not a fact
        for noun in _people_of(tok, vocab):
            value = _count(noun, vocab)
            if value is None:
                continue
            perpetrator = noun.lemma_.lower() in vocab.perpetrators
            words = (_phrase(noun), tok.lower_)
            if words in said:
                continue  # a headline pasted twice ("Girl, 6, hurt in shooting News Girl, 6, ...")
            said.add(words)
            for fld in _borne_by_one_known(tok, noun, fields):
                people.setdefault(fld, {})[noun.i] = (value, perpetrator)
                if _adds(tok, noun, fld):
                    more_of.setdefault(fld, set()).add(noun.i)
                if _told_apart(tok, noun):
                    others_of.setdefault(fld, set()).add(noun.i)
                if _of_them(noun) or (fld == "fatalities" and _of_wounds(tok, vocab)):
                    part_of.setdefault(fld, set()).add(noun.i)
    # "shot and killed": the same people, dead; "shot" stands for the hurt only
    shot = people.get("shot", {})
    for i in list(shot):
        if i in people.get("fatalities", {}) or i in people.get("injured", {}):
            del shot[i]
    # "carried to a clinic, where she died": the dead were not only cared for; but those
    # told apart from the dead or the hurt ("one man died and another was taken to a
    # hospital", "three were wounded, two others carried to a clinic") are more hurt
    if people.get("fatalities") or people.get("injured"):
        others = others_of.get(CARED, set())
        cared = {i: v for i, v in people.pop(CARED, {}).items() if i in others}
        people.setdefault("injured", {}).update(cared)
    # "died of a gunshot wound", "was injured and later died": the dead are not the hurt
    hurt = people.get("injured", {})
    for i in list(hurt):
        if i in people.get("fatalities", {}):
            del hurt[i]
    out = [
        Statement(
            fld,
            sum(v for v, _ in found.values()),
            tuple(sorted(found)),
            sum(v for v, p in found.values() if p),
            # "another man died" adds people; "killed a commander and one additional
            # fighter" is more than the commander only, all of them stated here
            set(found) <= more_of.get(fld, set()),
            set(found) <= part_of.get(fld, set()),
        )
        for fld, found in people.items()
        if found
    ]
    return _partitives(sent, out)


def _phrase(noun: Token) -> str:
    """The words naming the people: the noun with what precedes it and its "of" phrase ("1
    member of the army" is not "1 member of the militia")."""
    of = [c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"]
    words = [noun.doc[noun.left_edge.i : noun.i + 1], *(c.subtree for c in of)]
    return " ".join(t.lower_ for part in words for t in part)


def _partitives(sent: Span, found: list[Statement]) -> list[Statement]:
    """ "five were shot, two of them fatally": two of the shot were killed."""
    match = _PARTITIVE_RE.search(sent.text)
    if match is None:
        return found
    value = count_of([match.group(1) or match.group(4)])
    if value is None:
        return found
    fld = "fatalities" if match.group(2) or match.group(5) else "injured"
    kept = [s for s in found if s.field != fld]
    return [*kept, Statement(fld, value, (), partitive=True)]


_SUCCUMB = frozenset({"succumb"})


def _of_wounds(verb: Token, vocab: CasualtyVocabulary) -> bool:
    """ "died of his wounds", "died from her injuries", "succumbed to gunshot wounds": the
    dead are people already told of as hurt, not more casualties."""
    return any(
        c.dep_ == "prep"
        and c.lower_ in ("of", "from", "to")
        and any(g.dep_ == "pobj" and g.lemma_.lower() in vocab.wounds for g in c.children)
        for c in verb.children
    )


_ANTECEDENTS = frozenset({"them", "whom", "those", "victim", "victims"})


def _of_them(noun: Token) -> bool:
    """ "one of them", "two of the victims": a part of people already counted."""
    return any(
        c.dep_ == "prep"
        and c.lower_ == "of"
        and any(g.dep_ == "pobj" and g.lower_ in _ANTECEDENTS for g in c.children)
        for c in noun.children
    )


_VAGUE_WORDS = _QUANTIFIERS | _QUANTITY_NOUNS | {"some", "many"}
_DEFINITE = frozenset({"the", "this", "these", "those", "both"})
_TOTALS_RE = re.compile(r"\b(?:in (?:all|total)|a total of|altogether|including|among)\b", re.I)


def _vague(doc: Doc, statement: Statement) -> bool:
    """Is the count a vague quantity ("several suspects", "dozens of people")?"""
    return any(
        t.lower_ in _VAGUE_WORDS for i in statement.people for t in doc[i].subtree if t.i <= i
    )


def _indefinite(tok: Token) -> bool:
    """People not told before: no "the", "these" or possessive, no pronoun, no name."""
    return not (
        tok.pos_ == "PRON"
        or tok.ent_type_ == "PERSON"
        or any(c.dep_ == "poss" or c.lower_ in _DEFINITE for c in tok.children)
    )


def detains_others(doc: Doc, earlier: Statement, later: Statement) -> bool:
    """Does a later statement of detentions count other people than an earlier one?

    An operation's release names whom it was after, then the rest: "police arrested a gang
    leader" and, further on, "officers detained two suspected accomplices" are three people
    held. The later people are others when they are introduced as new (no "the", "these",
    name or pronoun), named by another noun, and counted differently: "arrested two men" then
    "two suspects were detained" is a restatement, and so is a precise figure after a vague
    one ("several held", then "four men were detained": the four are the several). A sentence
    giving a total ("in all", "including") is never more.
    """
    if earlier.field != "arrested" or later.field != "arrested" or not later.people:
        return False
    if later.value == earlier.value or (_vague(doc, earlier) and not _vague(doc, later)):
        return False
    if _TOTALS_RE.search(doc[later.people[0]].sent.text):
        return False
    # with the people they are listed with: in "both men and several associates" the
    # uncounted "both men" says the associates are told again too
    nouns = [t for i in later.people for t in (doc[i], *doc[i].conjuncts)]
    before = {doc[i].lemma_.lower() for i in earlier.people}
    return all(_indefinite(t) and t.lemma_.lower() not in before for t in nouns)
