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
- the state and the wounds of the hurt (processors.events.wounds): "in critical condition",
  "recovering from gunshot wounds", "suffered gunshot wounds" are hurt;
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
from processors.events.people import (
    QUANTIFIERS,
    QUANTITY_NOUNS,
    REFLEXIVES,
    CasualtyVocabulary,
    antecedent,
    count_people,
    is_age_or_unit,
    is_person,
    joined,
    lives_lost,
    nominal_age,
    with_conjuncts,
)
from processors.events.wounds import bearers, in_condition, negated, recovering

__all__ = [
    "CARED",
    "Statement",
    "detains_others",
    "recorded",
    "statements",
]


@dataclass(frozen=True)
class Statement:
    """One field of one sentence: the count and the tokens of the people it counts."""

    field: str
    value: int
    people: tuple[int, ...]
    perpetrators: int = 0  # of ``value``, how many are named as the perpetrators
    additional: bool = False  # "was also killed", "another man died": more, not a restatement
    partitive: bool = False  # "one of them died", "two of whom fatally": of people told before
    individual: bool = False  # one person told by who they are: "Jane Doe", "the boy", "he"


CARED = "cared"  # taken to a hospital: a weak "injured", read where nothing else is stated


_FATAL_ADVERBS = frozenset({"fatally", "mortally"})


_DEATH_COMPLEMENTS = frozenset({"dead", "death"})  # "shot dead", "beaten to death"


_FATAL_ADJECTIVES = frozenset({"fatal", "mortal", "deadly", "lethal"})  # "fatal injuries"


_PARTITIVE_RE = re.compile(
    r"\b(\w+(?:-\w+)?|\d+) of (?:them|whom|the victims|those)(?: \w+){0,2}? "
    r"(?:(fatally|mortally|died|dead|killed)|(?:critically |seriously |slightly )?"
    r"(injured|wounded|hurt))"
    # "five people were shot, two fatally": the number right after the shooting's comma
    r"|\bshot, (\w+(?:-\w+)?|\d+) (fatally|mortally)\b",
    re.IGNORECASE,
)


def _borne_by_one_known(word: Token, noun: Token, fields: list[str]) -> list[str]:
    """ "The victim suffered from gunshot wounds": wounds borne by someone already told of
    (a definite singular or a pronoun) may be the dead victim's, so they count as "shot"
    does: hurt unless reported dead. Not "another man suffered wounds", nor "a woman"."""
    if fields != ["injured"] or word.pos_ != "NOUN" or _told_apart(word, noun):
        return fields
    return ["shot"] if _identified(noun) else fields


# the fields whose statements about one identified person are details of a count told apart
# (detentions add up over an operation instead: processors.events.counts)
_HARMED = frozenset({"fatalities", "injured", "shot", CARED})


def _identified(noun: Token) -> bool:
    """One person told by who they are: a pronoun, a name, a definite singular ("the boy",
    "the fourth victim", "the 13-year-old"); not "a man", "one person", "another"."""
    if noun.pos_ == "PRON":
        return noun.lower_ in ("he", "she", "him", "her")
    if noun.pos_ == "PROPN" and noun.ent_type_ == "PERSON":
        return True
    return (noun.tag_ == "NN" or nominal_age(noun)) and any(
        c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children
    )


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
    if not numbers or is_age_or_unit(numbers[0], vocab):
        return False
    value = count_of([numbers[0].text])
    after = tok.doc[tok.i + 1 : tok.i + 3]
    return value is not None and (
        value >= 2 or (len(after) == 2 and after[0].text == "," and after[1].like_num)
    )


def _people_of(word: Token, vocab: CasualtyVocabulary) -> list[Token]:
    """The nouns naming the people a casualty word is about (see the module docstring)."""
    lemma = word.lemma_.lower()
    borne = bearers(word, vocab)
    if borne is not None:
        return borne
    if word.pos_ in ("NOUN", "PROPN") and lemma in vocab.nouns:
        of = next((c for c in word.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = next((g for g in of.children if g.dep_ == "pobj"), None) if of is not None else None
        if obj is not None:
            return with_conjuncts([obj])
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
        and not (word.tag_ == "VBG" and lemma in vocab.transitive)
    ):
        # "27 people killed" (not "a shooting that killed four people", nor "men killing")
        return _listed_before(word.head, vocab)
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
        nouns = [antecedent(c, verb) for c in verb.children if c.dep_ == dep]
        if dep == "dobj":  # "fled their villages", "suffered wounds and died": not whom it befell
            nouns = [n for n in nouns if n.lemma_.lower() not in vocab.homes | vocab.wounds]
        if dep == "dobj" and nouns:  # "killed a commander and one more fighter", the second
            nouns += _second_objects(verb, vocab)
            # "killed his wife and then himself": a small parser joins the doer to the verb
            nouns += [c for c in verb.children if c.dep_ == "conj" and c.lower_ in REFLEXIVES]
        if dep == "nsubj" and lemma in vocab.transitive and verb is word:
            if not _elided_passive(word, nouns, vocab):
                continue  # the subject of "killed" is the killer
            return with_conjuncts(nouns, verb)  # "Mother, son shot": a headline's list
        if len(nouns) > 1:  # "a boy younger than 10 was shot": the age is no second subject
            nouns = [n for n in nouns if not (n.like_num and is_age_or_unit(n, vocab))] or nouns
        if len(nouns) > 1 and dep != "dobj" and not joined(nouns):
            nouns = [min(nouns, key=lambda n: abs(verb.i - n.i))]  # one subject: the nearest
        if nouns:
            return with_conjuncts(nouns, verb)
    own = [
        c
        for c in word.children
        if c.like_num
        and not is_age_or_unit(c, vocab)
        and not any(_fields_of(g, vocab) for g in c.children)  # "1 killed, 4 injured"
    ]
    if own:
        return own  # "nine were hurt and one killed": the conjunct's own number
    if word.dep_ == "pobj" and word.head.dep_ == "prep":  # "taken into custody"
        holder = word.head.head
        if holder.lemma_.lower() in vocab.charges and (
            word.head.lower_ in ("with", "for", "of")
            or (word.head.lower_ == "in" and lemma not in vocab.fields.get("arrested", ()))
        ):  # "charged with murder", "arrested for murder", "charged in a killing": the crime,
            return []  # not a victim (but "held in custody" is a detention)
        if holder.dep_ == "acl" and holder.head.pos_ in ("NOUN", "PROPN", "NUM"):
            return with_conjuncts([holder.head])  # "two men taken into custody"
        for dep in ("nsubjpass", "dobj", "nsubj"):
            nouns = [c for c in holder.children if c.dep_ == dep]
            if nouns:
                return with_conjuncts(nouns)
    if word.dep_ == "conj" and word.head.pos_ in ("VERB", "ADJ"):
        return _people_of(word.head, vocab)  # "were shot and killed"
    return []


def _second_objects(verb: Token, vocab: CasualtyVocabulary) -> list[Token]:
    """The nouns a small parser joins to the verb after its object ("killed a commander and
    one more fighter"); not one with a casualty word of its own ("left a driver dead and his
    passenger hurt")."""
    return [
        c
        for c in verb.children
        if c.dep_ == "conj"
        and c.pos_ in ("NOUN", "PROPN")
        and not any(_fields_of(g, vocab) for g in c.subtree if g is not c)
    ]


def _listed_before(noun: Token, vocab: CasualtyVocabulary) -> list[Token]:
    """ "left two men and a woman wounded": a participle after the last of a list of objects
    is about the whole list (a small parser hangs it on the last one); the list's first noun
    and its conjuncts. Not when the list says what befell the others ("left a driver dead
    and his passenger hurt")."""
    first = noun
    while first.dep_ == "conj" and first.head.pos_ in ("NOUN", "PROPN", "NUM", "PRON"):
        first = first.head
    if first is noun or first.dep_ != "dobj":
        return [noun]
    between = noun.doc[first.i : noun.i]
    if any(_fields_of(t, vocab) for t in between) or any(
        c.dep_ in ("oprd", "acomp", "xcomp") for c in first.head.children
    ):
        return [noun]
    return with_conjuncts([first])


def _elided_passive(verb: Token, subjects: list[Token], vocab: CasualtyVocabulary) -> bool:
    """A headline's "Two teens shot near school": a transitive casualty verb with a subject
    but no object, auxiliary or target ("shot at officers") is a passive whose "were" was
    left out, so the subject is who it befell; not when the subject is the one who does it
    ("gunman", "police"), nor an "-ing" form ("two men killing": they did it)."""
    if verb.tag_ == "VBG" or any(
        c.dep_ in ("dobj", "aux", "auxpass", "agent", "ccomp", "xcomp")
        or (c.dep_ == "prep" and c.lower_ in ("at", "on", "into", "toward", "towards"))
        for c in verb.children
    ):
        return False
    if any(  # "two teens shot and killed a clerk": the verbs share the object
        c.dep_ == "conj" and c.pos_ == "VERB" and any(g.dep_ == "dobj" for g in c.children)
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


def _fields_of(tok: Token, vocab: CasualtyVocabulary) -> list[str]:
    lemma, lower = tok.lemma_.lower(), tok.lower_
    found = [f for f, words in vocab.fields.items() if lemma in words or lower in words]
    if (
        tok.pos_ in ("NOUN", "PROPN")
        and lemma in vocab.wounds
        and any(
            c.dep_ == "amod" and c.lower_ in _FATAL_ADJECTIVES and not negated(c)
            for c in tok.children
        )
    ):
        return ["fatalities"]  # "suffered fatal injuries", "died of mortal wounds"
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
    if not found and tok.pos_ == "VERB" and lives_lost(tok):
        return ["fatalities"]  # "three lives were lost", "the fire claimed two lives"
    if not found and tok.pos_ == "VERB" and lemma in _STRUCK and _by_gunfire(tok, vocab):
        return ["shot"]  # "were hit by gunfire", "struck by a stray bullet"
    if not found and (
        in_condition(tok, vocab)
        or (tok.pos_ == "VERB" and lemma in vocab.recovering and recovering(tok, vocab))
    ):
        return ["injured"]  # "two men were in critical condition", "recovering from wounds"
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
            and not in_condition(tok, vocab)
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
            value = count_people(noun, vocab)
            if value is None:
                continue
            own_hand = noun.lower_ in REFLEXIVES  # "then killed himself"
            perpetrator = noun.lemma_.lower() in vocab.perpetrators or own_hand
            words = (_phrase(noun), tok.lower_)
            if words in said:
                continue  # a headline pasted twice ("Girl, 6, hurt in shooting News Girl, 6, ...")
            said.add(words)
            for fld in _borne_by_one_known(tok, noun, fields):
                if own_hand and fld != "fatalities":
                    continue  # "shot himself": whether he lived, the sentence does not say
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
    _drop_parts(people, part_of)
    _own_hand_apart(people, sent.doc)
    doc = sent.doc
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
            _individual(doc, fld, found, more_of.get(fld, set()) | others_of.get(fld, set())),
        )
        for fld, found in people.items()
        if found
    ]
    return _partitives(sent, out)


def _own_hand_apart(people: dict[str, dict[int, tuple[int, bool]]], doc: Doc) -> None:
    """The doer's own death counts with the deaths they caused told in the same breath, the
    objects of the killing ("killed his wife and then himself", "shot four relatives before
    killing himself"). Else it counts no one: the boy who "died after he fatally shot
    himself" is the one dead, and a killer's suicide told apart from the toll may be in it
    ("five died in a murder-suicide")."""
    dead = people.get("fatalities", {})
    own = [i for i in dead if doc[i].lower_ in REFLEXIVES]
    if own and not any(_killed_object(doc[i]) for i in dead if i not in own):
        for i in own:
            del dead[i]


def _killed_object(noun: Token) -> bool:
    """Is the noun the object of a killing ("killed his wife", "his wife and son")?"""
    while noun.dep_ == "conj" and noun.head is not noun:
        noun = noun.head
    return noun.dep_ == "dobj"


def _drop_parts(
    people: dict[str, dict[int, tuple[int, bool]]], part_of: dict[str, set[int]]
) -> None:
    """ "Two others were hurt, one of which critically": the part is among the others."""
    for fld, found in people.items():
        parts = part_of.get(fld, set()) & set(found)
        if parts and len(parts) < len(found):
            for i in parts:
                del found[i]


def _individual(doc: Doc, fld: str, found: dict[int, tuple[int, bool]], apart: set[int]) -> bool:
    """Is a statement of harm about one person told by who they are, and not told apart from
    others ("another", "also")?"""
    return (
        fld in _HARMED
        and len(found) == 1
        and sum(v for v, _ in found.values()) == 1
        and not set(found) & apart
        and _identified(doc[next(iter(found))])
    )


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


_ANTECEDENTS = frozenset({"them", "whom", "which", "those", "victim", "victims"})


def _of_them(noun: Token) -> bool:
    """ "one of them", "two of the victims": a part of people already counted."""
    return any(
        c.dep_ == "prep"
        and c.lower_ == "of"
        and any(g.dep_ == "pobj" and g.lower_ in _ANTECEDENTS for g in c.children)
        for c in noun.children
    )


_VAGUE_WORDS = QUANTIFIERS | QUANTITY_NOUNS | {"some", "many"}


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
