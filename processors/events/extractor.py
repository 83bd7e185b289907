"""Events: who did what to whom, where, when, and how many were killed, hurt, held or arrested.

Per sentence, trigger words from the taxonomy (config/events.yaml) propose event types; the
most specific proposal wins, then context refines it:

- a killing or attack whose victims are armed (soldiers, a patrol, militants) is a battle, and
  one by a crowd of locals is mob violence; otherwise it is violence against civilians;
- a protest that meets violence (stones, fires, clashes) is a violent demonstration, one the
  police break up an intervention, one met with live fire excessive force;
- a negated trigger ("there was no armed clash") proposes nothing.

Actors come from the parse (subject or "by X" for actor1, object, "on X" or "with X" for
actor2), named by their canonical entity where one is inside. The place is the sentence's most
specific literal place (else the article's primary location). Counts come from the parse around
death, injury, arrest, surrender, escape and holding words ("the toll climbed to some 40
villagers and 3 guards" gives 43 dead). Sentences that only add counts
lend them to the most salient event they fit. Mentions of the same type at the same place
merge; the most salient event comes first. Dates are resolved against ``published_at`` by
``finalize_events``, since the article's metadata is not part of the Doc.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from processors.errors import ConfigurationError
from processors.events.casualties import (
    CARED,
    CasualtyVocabulary,
    Statement,
    detains_others,
    is_person,
    recorded,
    statements,
)
from processors.events.dates import resolve_date
from processors.events.numbers import count_of
from processors.places.resolve import SPECIFICITY
from processors.vocabulary import read_yaml, word_list

__all__ = ["EventExtractor", "EventType", "Taxonomy", "finalize_events"]

COUNT_FIELDS = (
    "fatalities",
    "injured",
    "arrested",
    "surrendered",
    "escaped",
    "held",
    "missing",
    "displaced",
    "evacuated",
)
DISASTER = "Disaster"  # newsmon's family of events without violence (config/events.yaml)
_SEVERITY = {
    DISASTER: 2.5,
    "Explosions/Remote violence": 3.0,
    "Battles": 3.0,
    "Violence against civilians": 3.0,
    "Riots": 2.0,
    "Protests": 1.5,
    "Strategic developments": 1.0,
}
_VIOLENT = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}
_COMPATIBLE = {  # which events a count-only sentence may lend its counts to
    "fatalities": {*_VIOLENT, DISASTER},
    "shot": {*_VIOLENT, DISASTER},
    "missing": {*_VIOLENT, DISASTER, "Strategic developments"},
    "displaced": {*_VIOLENT, DISASTER},
    "evacuated": {*_VIOLENT, DISASTER},
    "injured": {*_VIOLENT, DISASTER, "Protests"},
    CARED: {*_VIOLENT, DISASTER, "Protests"},
    "surrendered": {"Battles", "Strategic developments"},
    "escaped": {"Strategic developments", "Battles"},
    "arrested": {"Strategic developments", "Protests", "Riots"},
    "held": {"Strategic developments", "Battles", "Violence against civilians"},
}
_NONE_RE = re.compile(
    r"\b(no (?:one|people|person|persons|casualties|fatalities|deaths|injuries)\b|"
    r"(?:did not|didn't) result in any (?:fatalities|casualties|deaths)|"
    r"without (?:any )?(?:casualties|fatalities))",
    re.IGNORECASE,
)
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "LAW"})
_PROTEST_TYPES = (
    "peaceful_protest",
    "protest_with_intervention",
    "excessive_force_against_protesters",
)
_PROTESTS = frozenset(_PROTEST_TYPES)
_VIOLENT_TRIGGERS = ("attack", "armed_clash")


# the word lists of config/events.yaml, by the attribute each fills (all required, checked)
_TAXONOMY_LISTS = {
    **{key: key for key in (
        "armed_actors", "protest_violence", "protest_intervention", "protest_excessive_force",
        "mob_actors", "non_event_heads", "background_frames", "object_verbs",
        "aftermath_places", "wound_nouns", "harm_verbs",
    )},
    "noun_only": "noun_only_triggers",
}  # fmt: skip
_CASUALTY_LISTS = {
    "people": "people_nouns", "perpetrators": "perpetrator_nouns", "not_counted": "not_counted",
    "gunfire": "gunfire_nouns", "care_verbs": "care_verbs", "care_places": "care_places",
    "recordings": "recording_nouns", "nouns": "casualty_nouns", "transitive": "casualty_verbs",
    "charges": "charge_verbs", "not_agents": "not_agent_nouns",
    "displacing": "displacing_verbs", "homes": "home_nouns", "wounds": "wound_nouns",
}  # fmt: skip


@dataclass(frozen=True)
class EventType:
    name: str
    acled_type: str
    acled_sub_type: str
    priority: int
    triggers: tuple[str, ...]
    # "verb preposition object" lemmas, however far apart the verb and its preposition stand:
    # "fired with heavy guns on the hilltop positions of ..." is "fire on position"
    governed: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """The event types of config/events.yaml and the word lists that refine them."""

    types: dict[str, EventType]
    armed_actors: frozenset[str]
    protest_violence: frozenset[str]
    protest_intervention: frozenset[str]
    protest_excessive_force: frozenset[str]
    mob_actors: frozenset[str]
    non_event_heads: frozenset[str]
    background_frames: frozenset[str]
    object_verbs: frozenset[str]
    noun_only: frozenset[str]
    intransitive: frozenset[str]
    aftermath_places: frozenset[str]
    wound_nouns: frozenset[str]  # what the harmed bear: "suffered gunshot wounds"
    harm_verbs: frozenset[str]  # with these, armed victims make a clash
    casualties: CasualtyVocabulary

    @classmethod
    def load(cls, path: Path) -> Taxonomy:
        data = read_yaml(path)
        types = {}
        for name, spec in (data.get("types") or {}).items():
            acled = spec.get("acled") or []
            if len(acled) != 2 or not isinstance(spec.get("priority"), int):
                raise ConfigurationError(
                    f"{path}: type {name!r} needs `acled: [event type, sub-event type]` and an "
                    "integer `priority`"
                )
            triggers = tuple(str(t) for t in spec.get("triggers") or [])
            governed = []
            for phrase in spec.get("governed") or []:
                words = str(phrase).lower().split()
                if len(words) != 3:
                    raise ConfigurationError(
                        f"{path}: type {name!r}: governed trigger {phrase!r} must be three "
                        "lemmas, 'verb preposition object' (such as 'fire on position')"
                    )
                governed.append((words[0], words[1], words[2]))
            types[name] = EventType(
                name, acled[0], acled[1], spec["priority"], triggers, tuple(governed)
            )
        words = {attr: word_list(data, key, path) for attr, key in _TAXONOMY_LISTS.items()}
        words["intransitive"] = word_list(data, "intransitive_triggers", path, required=False)
        fields = data.get("casualty_words") or {}
        if not isinstance(fields, dict):
            raise ConfigurationError(
                f"{path}: casualty_words must map count fields to lists of words "
                f"({', '.join(COUNT_FIELDS)} or shot)"
            )
        unknown = set(fields) - set(COUNT_FIELDS) - {"shot"}
        if unknown:
            raise ConfigurationError(
                f"{path}: casualty_words has unknown count fields {sorted(unknown)}; "
                f"use {', '.join(COUNT_FIELDS)} or shot"
            )
        casualties = CasualtyVocabulary(
            fields={f: word_list(fields, f, path) for f in fields},
            **{attr: word_list(data, key, path) for attr, key in _CASUALTY_LISTS.items()},
        )
        return cls(types=types, **words, casualties=casualties)


@dataclass(frozen=True)
class _Said:
    """One statement of a count, where it was made."""

    sentence: int  # index of the sentence that states it
    field: str
    value: int
    additional: bool  # "two others were also hurt": more people than those already told
    partitive: bool  # "one of them died": some of the people told just before
    headline: bool  # a headline summarises the article: never the base an addition adds to


@dataclass
class _Event:
    type: str
    trigger: Span
    sentence: Span
    actor1: str | None
    actor2: str | None
    place: dict[str, Any] | None
    counts: dict[str, int | None] = field(default_factory=dict)
    mentions: int = 1
    order: int = 0
    said: list[_Said] = field(default_factory=list)
    background: bool = False  # told as something that happened before ("in March", "last year")
    headline: bool = False  # the sentence is the article's headline

    def __post_init__(self) -> None:
        given, self.counts = self.counts, {}
        for fld, value in given.items():
            if value is not None:
                self.add(fld, value, sentence=self.order, headline=self.headline)

    def add(self, fld: str, value: int, *, sentence: int, headline: bool) -> None:
        """One more statement of a count (key ``_also_<field>`` for "was also killed",
        ``_partof_<field>`` for "one of them died")."""
        additional, partitive = fld.startswith("_also_"), fld.startswith("_partof_")
        fld = _field(fld)
        self.said.append(_Said(sentence, fld, value, additional, partitive, headline))
        for name in {fld, "injured"} if fld == "fatalities" else {fld}:  # the dead of the hurt
            if any(s.field == name for s in self.said):
                self.counts[name] = _tally(self.said, name)


def _tally(all_said: Sequence[_Said], fld: str) -> int:
    """The incident's count from its statements: each statement is a candidate value; one of
    more people ("another man also died") adds to the body's statement before it, the total
    replacing that candidate; then the best-supported candidate wins, never a sum of repeats.

    An addition with no earlier statement of its kind in the body is a value of its own: in
    "3 killed, 2 hurt" (headline) then "Two others were also hurt", the others are others
    than the dead, and the headline already counted them.

    The dead told as "one of them" in the sentence of a count of the hurt, or in the next,
    were among those hurt: "Four were wounded. One of them died" leaves three hurt.
    """
    candidates: list[int] = []
    base: int | None = None  # index in ``candidates`` of the body's running total
    for s in sorted((s for s in all_said if s.field == fld), key=lambda s: s.sentence):
        value = s.value
        if fld == "injured" and not s.additional:
            died = sum(
                d.value
                for d in all_said
                if d.field == "fatalities"
                and d.partitive
                and s.sentence <= d.sentence <= s.sentence + 1
            )
            value = value - died if 0 < died <= value else value
        if s.headline:
            candidates.append(value)
        elif s.additional and base is not None:
            candidates[base] += value
        else:
            candidates.append(value)
            base = len(candidates) - 1
    return best_supported(candidates) if candidates else 0


def _key(fld: str, *, additional: bool, partitive: bool) -> str:
    """The counts key of a statement: ``_partof_<field>`` for "one of them died",
    ``_also_<field>`` for "was also killed", else the field (``_Event.add`` reads it back)."""
    return f"_partof_{fld}" if partitive else f"_also_{fld}" if additional else fld


def _name_run(doc: Doc, place: dict[str, Any]) -> str:
    """The place's name and the capitalised words that go on from it: "Sinai" in "Mount
    Sinai Hospital" is the hospital's name, and the words say so."""
    span = doc.char_span(int(place["start"]), int(place["end"]), alignment_mode="expand")
    if span is None:
        return str(place["name"])
    end = span.end
    while end < len(doc) and end < span.end + 4 and doc[end].is_title:
        end += 1
    return doc[span.start : end].text


def _field(key: str) -> str:
    """The field of a counts key (``_also_arrested`` -> ``arrested``)."""
    return key.removeprefix("_also_").removeprefix("_partof_")


def _names(event: _Event, causes: Sequence[_Event]) -> bool:
    """Does the event's doer name one of ``causes`` by its trigger's noun ("Floods kill 3",
    "Fire at a factory kills 17")?"""
    words = set(str(event.actor1 or "").lower().split())
    return any(
        t.lemma_.lower() in words or t.lower_ in words
        for cause in causes
        for t in cause.trigger
        if t.pos_ in ("NOUN", "PROPN")
    )


def _harm_by_strike(trigger: Span, matches: Sequence[tuple[str, Span]]) -> bool:
    """Is the harm done by a "strike" ("a coalition strike killed two", "were killed in a
    strike")? A labour strike kills no one: this one came from the air."""
    verb = trigger.root
    for label, span in matches:
        noun = span.root
        if label not in _PROTEST_TYPES or noun.lemma_.lower() != "strike" or noun.pos_ != "NOUN":
            continue
        if noun.head == verb and noun.dep_ in ("nsubj", "nsubjpass", "agent"):
            return True
        prep = noun.head
        if noun.dep_ == "pobj" and prep.lower_ in ("in", "by") and prep.head == verb:
            return True
    return False


def _take_place(target: _Event, source: _Event) -> None:
    """The most specific place any mention of an incident gives is the incident's."""
    if source.place is not None and (
        target.place is None
        or SPECIFICITY.get(source.place["kind"], 0) > SPECIFICITY.get(target.place["kind"], 0)
    ):
        target.place = source.place


def _carry(source: _Event, target: _Event) -> None:
    """Every count statement of ``source`` becomes one of ``target`` (the same incident)."""
    for s in source.said:
        key = _key(s.field, additional=s.additional, partitive=s.partitive)
        target.add(key, s.value, sentence=s.sentence, headline=s.headline)


def _is_headline(sent: Span) -> bool:
    """In the article's title (``doc._.title_end``, set by the enricher: 0 when untitled)."""
    return sent.start_char < (sent.doc._.title_end or 0)


def best_supported(values: Sequence[int]) -> int:
    """The value stated most often; of equally frequent ones, the largest (a later update of
    a toll is larger, and a partial one, "one of the victims", smaller)."""
    tally: dict[int, int] = {}
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    return max(tally, key=lambda v: (tally[v], v))


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


def _actor_name(phrase: Span | None) -> str | None:
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


def _actors(trigger: Token) -> tuple[Span | None, Span | None]:
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


_VAGUE_NOUNS = frozenset("dozens scores hundreds thousands dozen hundred thousand".split())


def _count_of_phrase(noun: Token) -> int | None:
    """The count a noun phrase states: ["about", "200"] prisoners -> 200; "a man" -> 1."""
    if noun.lower_ in ("one", "another"):
        return 1
    if noun.lower_ in ("no", "none", "nobody"):
        return 0
    if noun.like_num or noun.lower_ in _VAGUE_NOUNS:
        before = [t.text for t in noun.lefts if t.dep_ in ("nummod", "quantmod", "advmod", "amod")]
        return count_of([*before, noun.text])
    modifiers = [
        t.text
        for t in noun.subtree
        if t.i < noun.i
        and t.dep_
        in (
            "nummod",
            "det",
            "quantmod",
            "amod",
            "advmod",
            "prep",
            "pobj",
            "cc",
            "conj",
        )
    ]
    value = count_of(modifiers) if modifiers else None
    if value is None and noun.tag_ in ("NN", "NNP") and noun.lower_ not in ("number",):
        return (
            1
            if any(t.lower_ in ("a", "an", "one", "the", "his", "her") for t in noun.lefts)
            else None
        )
    return value


_TOLL_RE = re.compile(
    r"\b(?:to|at|of|reached|stands at|stood at)\s+((?:(?:about|around|some|nearly|at least|more "
    r"than|over)\s+)?[\w,.-]+\s+[a-z]+(?:\s+of\s+the\s+\w+)?(?:\s*(?:,|and)\s+(?:(?:about|around|"
    r"some|nearly|at least|more than|over)\s+)?[\w,.-]+\s+[a-z]+(?:\s+of\s+the\s+\w+)?)*)",
    re.IGNORECASE,
)


def _toll(word: Token) -> tuple[int | None, set[int]]:
    """ "the toll climbed to some 40 villagers and 3 guards": the sum
    of the counts listed after the toll, and the token indices it used (read from the text: a
    small parser often splits such lists)."""
    doc = word.doc
    sent = word.sent
    tail = doc[word.i + 1 : sent.end]
    match = _TOLL_RE.search(tail.text)
    if match is None:
        return None, set()
    total, used = 0, set()
    for part in re.split(r"\s*(?:,|\band\b)\s+", match.group(1)):
        words = part.split()
        numberish = [w for w in words if not w.isalpha() or w.lower() in _NUMBER_WORDS]
        value = count_of(words[: len(words) - 1]) if len(words) > 1 else None
        if value is None and numberish:
            value = count_of(numberish)
        if value is None:
            break
        total += value
    start = tail.start_char + match.start(1)
    end = tail.start_char + match.end(1)
    used = {t.i for t in doc[word.i :] if start <= t.idx < end}
    return (total if used else None), used


_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "sixty seventy eighty ninety hundred thousand dozen dozens hundreds scores".split()
)


_HURT_FIELDS = frozenset({"injured", "shot", CARED})


def _name_of(tok: Token) -> frozenset[str]:
    """The words of a person's name the parse gives ("Anna Smith"), or nothing for a noun."""
    if tok.pos_ != "PROPN":
        return frozenset()
    return frozenset(
        t.lower_
        for t in (*tok.children, tok)
        if t is tok or (t.dep_ == "compound" and t.pos_ == "PROPN")
    )


def _named_dead(doc: Doc, said: Iterable[Statement]) -> list[frozenset[str]]:
    """The names of the people the article reports dead."""
    return [
        name
        for s in said
        if s.field == "fatalities"
        for i in s.people
        if (name := _name_of(doc[i]))
    ]


def _of_the_dead(doc: Doc, statement: Statement, dead: Sequence[frozenset[str]]) -> bool:
    """Is a statement of the hurt only about people the article names as dead? "She was
    found with a gunshot wound" of a woman who died tells of no one else hurt. A name is the
    same person when its words are among the other's ("Smith" and "Anna Smith"), not when
    they only share a family name ("John Smith" and "Anna Smith")."""
    names = [_name_of(doc[i]) for i in statement.people]
    return bool(names) and all(
        name and any(name <= other or other <= name for other in dead) for name in names
    )


def _sentence_counts(
    sent: Span,
    said: Iterable[Statement],
    dead: Sequence[frozenset[str]] = (),
) -> dict[str, int | None]:
    """The counts one sentence states: casualty statements (processors.events.casualties), a death
    toll ("the toll rose to 40"), and "no casualties" as zeros. A statement of the hurt about
    people named among the dead (``dead``) counts no one more."""
    counts: dict[str, int | None] = {}
    for statement in said:
        if statement.field in _HURT_FIELDS and _of_the_dead(sent.doc, statement, dead):
            continue
        key = _key(statement.field, additional=statement.additional, partitive=statement.partitive)
        counts[key] = statement.value
        if statement.perpetrators:
            counts[f"_perpetrators_{statement.field}"] = statement.perpetrators
    for tok in sent:
        if tok.lemma_.lower() == "toll":
            value, _ = _toll(tok)
            if value is not None:
                counts["fatalities"] = max(counts.get("fatalities") or 0, value)
    if _NONE_RE.search(sent.text):
        lower = sent.text.lower()
        if any(w in lower for w in ("fatalit", "death", "killed", "casualt", "dead")):
            counts.setdefault("fatalities", 0)
        if any(w in lower for w in ("injur", "casualt", "wound")):
            counts.setdefault("injured", 0)
    return counts


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\."
)
# Time adverbials that place a mention before the reported incident: "in March" (a month with
# no day), "in 2014", "between 2010 and 2013", "last year", "two years ago", "earlier this
# month", "since 2010"; at a sentence's start too ("In 2014, ...").
_BACKGROUND_RE = re.compile(
    rf"\b(?:(?:[Ii]n|[Ss]ince|[Dd]uring|[Uu]ntil) (?:early |late |mid-)?"
    rf"(?:{_MONTHS})(?! \d)(?:,? \d{{4}})?"
    r"|(?:[Ii]n|[Ss]ince|[Dd]uring) (?:19|20)\d\d\b"
    rf"|\b(?:[Bb]etween|[Ff]rom) (?:(?:{_MONTHS}) )?(?:19|20)\d\d (?:and|to|through|until)\b"
    r"|(?:last|so far this|this) (?:year|month|summer|winter|spring|fall|autumn|decade)"
    r"|earlier this (?:year|month|summer|spring|fall|winter)"
    r"|\w+ (?:years|months|decades) ago|a (?:year|month|decade) ago"
    r"|(?:previous|prior) (?:incident|shooting|attack)s?)",
)

# An earlier figure the article has since corrected: "police initially said", "had originally
# reported" (not "initial reports indicate", a first figure that may be the only one).
_SUPERSEDED_RE = re.compile(
    r"\b(?:initially|originally|at first|previously) "
    r"(?:said|reported|stated|believed|thought|told|put|listed|identified)\b",
    re.IGNORECASE,
)

# Types one killing or shooting is read as, depending on who it befell ("the gunman killed two
# customers" an attack; "the gunman was also killed" by police, a clash): mentions of them at
# one place are one incident.
_HARM_TYPES = frozenset({"attack", "armed_clash", "mob_violence"})
_DISASTER_TYPES = frozenset(
    {"flood", "earthquake", "storm", "wildfire", "landslide", "drought_famine", "epidemic"}
)


def _mark_other_detainees(told: dict[int, list[Statement]], sentences: Sequence[Span]) -> None:
    """Mark as more (``additional``) the body's statements of detentions that count other
    people than the detentions told before them (``casualties.detains_others``), so an
    operation's "arrested a leader" and "detained two fighters" make three, not two."""
    base: Statement | None = None
    for n in sorted(told):
        if _is_headline(sentences[n]):
            continue  # a headline sums up; the body is what adds up
        for i, statement in enumerate(told[n]):
            if statement.field != "arrested" or statement.partitive or statement.additional:
                continue
            if base is not None and detains_others(sentences[n].doc, base, statement):
                told[n][i] = replace(statement, additional=True)
            else:
                base = statement


def _same_incident(a: _Event, b: _Event) -> bool:
    """Are two mentions one happening? The same type, two readings of one killing, or of one
    protest (peaceful in one sentence, met with force in the next), at the same place (or in
    the same first-level region)."""
    if a.background != b.background:
        return False  # a past incident named for context is not the one reported
    if a.type == b.type and a.type in _DISASTER_TYPES:  # a flood covers a region
        return (
            a.place is None
            or b.place is None
            or (a.place.get("country_code") == b.place.get("country_code"))
        )
    return (
        a.type == b.type or {a.type, b.type} <= _HARM_TYPES or {a.type, b.type} <= _PROTESTS
    ) and _near(a, b)


def _near(a: _Event, b: _Event) -> bool:
    """Same place, the same first-level region, or one inside the other: a headline's
    "central Mali" holds the lead's town in Mali."""
    if a.place is None or b.place is None:
        return True
    if (a.place["lat"], a.place["lon"]) == (b.place["lat"], b.place["lon"]):
        return True
    if bool(a.place.get("admin1")) and a.place.get("admin1") == b.place.get("admin1"):
        return True
    vague = {"country", "region"}
    return (
        (a.place.get("kind") in vague or b.place.get("kind") in vague)
        and bool(a.place.get("country_code"))
        and a.place.get("country_code") == b.place.get("country_code")
    )


class EventExtractor:
    """Finds the events of a Doc (after the places component has run)."""

    def __init__(self, nlp: Language, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        # triggers are written as lemmas: match them on the lemma and on the lower-cased text,
        # with hash-based phrase matchers (a token-pattern Matcher is ten times slower here)
        self.by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        for etype in taxonomy.types.values():
            lower_docs, lemma_docs = [], []
            for trigger in etype.triggers:
                words = [t.text for t in nlp.make_doc(trigger.lower())]
                lower_docs.append(Doc(nlp.vocab, words=words))
                lemma_docs.append(Doc(nlp.vocab, words=words, lemmas=words))
            if lower_docs:
                self.by_lower.add(etype.name, lower_docs)
                self.by_lemma.add(etype.name, lemma_docs)
        self.governed: dict[str, list[tuple[str, str, str]]] = {}
        for etype in taxonomy.types.values():
            for verb, prep, obj in etype.governed:
                self.governed.setdefault(verb, []).append((prep, obj, etype.name))

    def _doc_matches(self, doc: Doc) -> dict[int, list[tuple[str, Span]]]:
        """Trigger matches of the whole Doc (one matcher pass), by sentence start token."""
        found = [
            (doc.vocab.strings[match_id], start, end)
            for match_id, start, end in [*self.by_lower(doc), *self.by_lemma(doc)]
        ]
        found += self._governed_matches(doc)
        spans = []
        triggers = {i for _, start, end in found for i in range(start, end)}
        for label, start, end in found:
            span = Span(doc, start, end, label=label)
            if (
                self._negated(span)
                or self._modifies_thing(span, triggers)
                or self._not_an_incident(span)
            ):
                continue  # negated, a modifier ("detention centres"), no incident of its own
            spans.append(span)
        by_sentence: dict[int, list[tuple[str, Span]]] = {}
        for span in filter_spans(spans):  # longest first: "air strike" over "strike"
            by_sentence.setdefault(span.sent.start, []).append((span.label_, span))
        return by_sentence

    def _governed_matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Verbs whose preposition governs the named object ("fire ... on position")."""
        if not self.governed:
            return []
        out = []
        for tok in doc:
            wanted = self.governed.get(tok.lemma_.lower())
            if not wanted or tok.pos_ != "VERB":
                continue
            for child in tok.children:
                if child.dep_ != "prep":
                    continue
                objects = {g.lemma_.lower() for g in child.children if g.dep_ == "pobj"}
                for prep, obj, name in wanted:
                    if child.lower_ == prep and obj in objects:
                        out.append((name, tok.i, tok.i + 1))
        return out

    def _modifies_thing(self, span: Span, triggers: set[int] = frozenset()) -> bool:
        """A trigger that only modifies a noun names a kind of thing, not an event: "detention
        centres", "a hostage response team", "a patrol car", "a stolen car" (unless the noun
        is itself a trigger: "bomb attack")."""
        root = span.root
        head = root.head
        while root.dep_ == "conj" and head.dep_ in ("compound", "amod", "nmod"):
            root, head = head, head.head  # "drug and kidnapping suspect"
        if root.dep_ not in ("compound", "amod", "nmod") or head is root:
            return False
        if head.lower_ in self.taxonomy.non_event_heads or (
            head.lemma_.lower() in self.taxonomy.non_event_heads
        ):
            return True
        if head.i in triggers:
            return False
        # a participle ("stolen car") or a noun modifier ("patrol car") of a plain noun
        return root.dep_ == "compound" or root.tag_ in ("VBN", "VBG")

    _PATH_DEPS = frozenset(
        {"pobj", "prep", "pcomp", "dobj", "compound", "conj", "amod", "nmod", "appos", "nsubjpass",
         "attr", "acomp", "cc"}
    )  # fmt: skip

    def _governor(self, span: Span, words: frozenset[str]) -> Token | None:
        """The nearest word of ``words`` that governs the trigger through its objects
        ("responsible [for [attacks]]", "found [two [IEDs]]"), if any."""
        tok = span.root
        for _ in range(6):
            if tok.dep_ not in self._PATH_DEPS or tok.head is tok:
                return None
            tok = tok.head
            if tok.lemma_.lower() in words or tok.lower_ in words:
                return tok
        return None

    def _habitual(self, span: Span) -> bool:
        """A trigger in the object of a verb in the simple present with a subject of its own
        ("the leader coordinates bomb attacks", "he conducts attacks in the region") tells
        what someone does, not what happened."""
        tok = span.root
        for _ in range(6):
            if tok.dep_ not in self._PATH_DEPS or tok.head is tok:
                return False
            tok = tok.head
            if tok.pos_ in ("VERB", "AUX"):
                return (
                    tok.tag_ in ("VBZ", "VBP")
                    and not any(c.dep_ in ("aux", "auxpass") for c in tok.children)
                    and any(c.dep_ == "nsubj" and c.pos_ != "PRON" for c in tok.children)
                )
        return False

    def _characterises(self, span: Span) -> bool:
        """A bare plural trigger ("attacks", "roadside bomb attacks": no article, number or
        possessive) in the object of a verb whose subject is one person ("the leader planned
        attacks on convoys", "he conducted IED attacks") says what kind of person that is, in
        any tense; it reports no one incident."""
        root = span.root
        while root.dep_ in ("compound", "amod") and root.head.pos_ == "NOUN":
            root = root.head  # "bomb" in "bomb attacks"
        if root.lemma_.lower() in self.taxonomy.wound_nouns:
            return False  # "found dead with stab wounds": the harm borne, not a deed
        if root.tag_ != "NNS" or any(
            c.dep_ in ("det", "nummod", "poss") or c.like_num for c in root.children
        ):
            return False
        tok = root
        for _ in range(6):
            if tok.dep_ not in self._PATH_DEPS or tok.dep_ == "nsubjpass" or tok.head is tok:
                return False
            tok = tok.head
            if tok.pos_ in ("VERB", "AUX"):
                subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
                return len(subjects) == 1 and self._one_person(subjects[0])
        return False

    def _portrait(self, sent: Span) -> bool:
        """A sentence about what one person already named does or is ("The leader directs
        a cell that carries out bombing attacks", "He is responsible for attacks on
        convoys"): the simple present with that person ("the", "this" or a pronoun) as its
        subject. It reports no incident. Headlines, which tell the past in the present, end
        with no full stop and are not read so; a past "he was charged with assault" tells of
        the incident and stays."""
        root = sent.root
        if root.pos_ not in ("VERB", "AUX") or not sent.text.rstrip().endswith("."):
            return False
        if _is_headline(sent):
            return False
        subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
        if len(subjects) != 1:
            return False
        subject = subjects[0]
        if subject.pos_ == "PRON":
            if subject.lower_ not in ("he", "she"):
                return False
        elif not (
            subject.tag_ in ("NN", "NNP")
            and is_person(subject, self.taxonomy.casualties)
            and not any(c.dep_ == "conj" for c in subject.children)
            and any(
                c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in subject.children
            )
        ):
            return False
        return root.tag_ == "VBZ"

    def _one_person(self, tok: Token) -> bool:
        if tok.pos_ == "PRON":
            return tok.lower_ in ("he", "she")
        people = self.taxonomy.casualties.people | self.taxonomy.casualties.perpetrators
        return (
            tok.tag_ in ("NN", "NNP")
            and (tok.lemma_.lower() in people or tok.ent_type_ == "PERSON")
            and not any(c.dep_ == "conj" for c in tok.children)
        )

    def _not_an_incident(self, span: Span) -> bool:
        """Mentions that report no incident: a characterisation ("is responsible for attacks",
        "coordinated bomb attacks"), a weapon handled ("found two IEDs"), a noun-only trigger
        used as a verb ("struck by gunfire"), a trigger inside a name or a date ("March 3",
        "the March Lane shooting" keeps "shooting" but not "March")."""
        t = self.taxonomy
        if span.root.ent_type_ in _NAME_LABELS and span.root.lemma_.lower() in t.noun_only:
            return True
        if any(tok.ent_type_ in ("DATE", "TIME") for tok in span):
            return True
        if span.root.lemma_.lower() in t.noun_only and span.root.pos_ != "NOUN":
            return True
        if span.root.lemma_.lower() in t.intransitive and any(
            c.dep_ in ("dobj", "ccomp") for c in span.root.children
        ):
            return True  # "it demonstrates the need": shows, nobody demonstrated
        if self._governor(span, t.background_frames) is not None:
            return True
        if self._habitual(span) or self._characterises(span):
            return True
        if recorded(span.root, t.casualties):  # "captured on video": nobody was held
            return True
        acled = t.types[span.label_].acled_type
        if acled != "Explosions/Remote violence":
            return False
        handled = self._governor(span, t.object_verbs)
        # "carried out a strike" conducted it: "carry out" is no carrying
        return handled is not None and not any(
            c.dep_ == "prt" and c.lower_ == "out" for c in handled.children
        )

    @staticmethod
    def _negated(span: Span) -> bool:
        root = span.root
        if any(c.dep_ == "neg" for c in root.children) or any(
            c.dep_ == "neg" for c in root.head.children if root.dep_ in ("dobj", "attr")
        ):
            return True
        if any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in root.children):
            return True  # "there was no armed clash"
        before = span.doc[span.start - 1] if span.start > 0 else None
        return before is not None and before.lower_ in ("no", "without", "denied")

    def _words(self, span: Span) -> set[str]:
        out = set()
        for tok in span:
            out.add(tok.lower_)
            out.add(tok.lemma_.lower())
        text = span.text.lower()
        return out | {phrase for phrase in self._phrases if phrase in text}

    @property
    def _phrases(self) -> set[str]:
        t = self.taxonomy
        return {
            p
            for p in (
                t.protest_violence
                | t.protest_intervention
                | t.protest_excessive_force
                | t.mob_actors
            )
            if " " in p
        }

    def _refine(
        self,
        etype: str,
        trigger: Span,
        sent: Span,
        context: Span,
        a1: Span | None,
        a2: Span | None,
        matches: Sequence[tuple[str, Span]] = (),
    ) -> str:
        t = self.taxonomy
        if etype in _PROTEST_TYPES:
            words = self._words(context)
            if words & t.protest_excessive_force:
                return "excessive_force_against_protesters"
            if words & t.protest_violence:
                return "violent_demonstration"
            if words & t.protest_intervention:
                return "protest_with_intervention"
            return "peaceful_protest"
        if etype in ("ied", "air_strike") and trigger.root.lemma_ == "bomb":
            # a bomb that goes off is an explosive device; bombing from forces is an air strike
            return "air_strike" if trigger.root.pos_ == "VERB" else "ied"
        if etype == "armed_clash" and self._struck_by_gunfire(trigger):
            # "a woman was hit by gunfire": someone fired on her, no battle unless she was armed
            return etype if self._armed_victims(sent, a2) else "attack"
        if etype in _VIOLENT_TRIGGERS:
            if _harm_by_strike(trigger, matches):
                return "air_strike"  # "a coalition strike killed two": no walkout kills
            if self._protest_in(matches):
                return self._refine("peaceful_protest", trigger, sent, context, a1, a2, matches)
            actor_words = self._words(a1) if a1 is not None else set()
            if actor_words & t.mob_actors and not actor_words & t.armed_actors:
                return "mob_violence"
            if etype == "attack" and self._armed_victims(sent, a2):
                return "armed_clash"
        return etype

    def _struck_by_gunfire(self, trigger: Span) -> bool:
        """Is the trigger gunfire that hit someone ("hit by gunfire", "killed by gunshots")?"""
        root = trigger.root
        return (
            root.lemma_.lower() in self.taxonomy.casualties.gunfire
            and root.dep_ == "pobj"
            and root.head.lower_ == "by"
        )

    @staticmethod
    def _protest_in(matches: Sequence[tuple[str, Span]]) -> bool:
        return any(
            label in _PROTEST_TYPES or label == "violent_demonstration" for label, _ in matches
        )

    def _armed_victims(self, sent: Span, a2: Span | None) -> bool:
        """Were the people or things hit armed (soldiers, a convoy, militants)?"""
        armed = self.taxonomy.armed_actors
        if a2 is not None and self._words(a2) & armed:
            return True
        for tok in sent:
            if tok.lemma_ in self.taxonomy.harm_verbs or (  # "opened fire on an army supply column"
                tok.lemma_ == "open" and any(c.lemma_ == "fire" for c in tok.children)
            ):
                for child in tok.children:
                    if (
                        child.dep_ in ("dobj", "nsubjpass")
                        or (child.dep_ == "prep" and child.lower_ in ("on", "at", "against"))
                    ) and self._words(tok.doc[child.left_edge.i : child.right_edge.i + 1]) & armed:
                        return True
        return False

    def __call__(self, doc: Doc) -> list[dict[str, Any]]:
        all_places = doc._.places or []
        places = [p for p in all_places if not p.get("metonymic")]
        fallback = self._fallback_place(doc, all_places)
        sentences = list(doc.sents)
        events: list[_Event] = []
        loose_counts: list[tuple[int, bool, dict[str, int | None]]] = []
        by_sentence = self._doc_matches(doc)
        vocab = self.taxonomy.casualties
        # what the person named does is not what happened; "police had initially said six
        # were shot": a figure since revised counts nothing
        told = {
            n: statements(sent, vocab) if not _SUPERSEDED_RE.search(sent.text) else []
            for n, sent in enumerate(sentences)
            if not self._portrait(sent)
        }
        _mark_other_detainees(told, sentences)
        dead = _named_dead(doc, (s for said in told.values() for s in said))
        for n, sent in enumerate(sentences):
            if n not in told:
                continue
            counts = _sentence_counts(sent, told[n], dead)
            matches = by_sentence.get(sent.start, [])
            background = bool(_BACKGROUND_RE.search(sent.text))
            if not matches:
                if counts and not background:  # a past incident's counts are not this one's
                    loose_counts.append((n, _is_headline(sent), counts))
                continue
            etype, trigger = max(
                matches,
                key=lambda m: (self.taxonomy.types[m[0]].priority, -m[1].start),
            )
            if self.taxonomy.types[etype].acled_type == DISASTER and self._protest_in(matches):
                # people protest over an epidemic or a flood: the protest is what happened
                etype, trigger = next(
                    m for m in matches if m[0] in _PROTEST_TYPES or m[0] == "violent_demonstration"
                )
            a1, a2 = _actors(trigger.root)
            context = doc[sent.start : sentences[n + 1].end] if n + 1 < len(sentences) else sent
            etype = self._refine(etype, trigger, sent, context, a1, a2, matches)
            acled = self.taxonomy.types[etype].acled_type
            foreign = {  # "killed one and detained two others": the detentions lent on
                f: v
                for f, v in counts.items()
                if not _field(f).startswith("_")
                and acled not in _COMPATIBLE.get(_field(f), {acled})
            }
            own = {f: v for f, v in counts.items() if f not in foreign}
            events.append(
                self._event(etype, trigger, sent, n, own, places, background, actors=(a1, a2))
            )
            if foreign:
                second = self._second_event(sent, matches, foreign, counts, n, places, background)
                if second is not None:  # "12 killed and three taken into custody": two events
                    events.append(second)
                else:
                    loose_counts.append((n, _is_headline(sent), foreign))
        events = self._fold_surrenders(self._merge(events))
        events = self._fold_into_remote_violence(self._fold_into_disasters(events))
        events = self._fold_into_demonstrations(events)
        self._lend(events, loose_counts)
        if not events:
            return []
        location = doc._.location
        ordered = sorted(events, key=self._salience, reverse=True)
        return [self._as_dict(e, places, location, fallback) for e in ordered]

    def _second_event(
        self,
        sent: Span,
        matches: Sequence[tuple[str, Span]],
        foreign: dict[str, int | None],
        counts: dict[str, int | None],
        n: int,
        places: Sequence[dict[str, Any]],
        background: bool,
    ) -> _Event | None:
        """A sentence whose counts do not fit its main event ("a clash ... resulting in 12
        killed and three taken into custody") also reports an event they fit when one of its
        own triggers names one: the detentions are an arrests event of their own."""
        # nothing counted ("no one was in custody") is nothing more; nor the getaway of
        # those who did it ("two suspects who fled"), part of their deed
        fields = {
            _field(f)
            for f, v in foreign.items()
            if v and (counts.get(f"_perpetrators_{_field(f)}") or 0) < v
        }
        if not fields:
            return None
        fitting = [
            (etype, trigger)
            for etype, trigger in matches
            if all(
                self.taxonomy.types[etype].acled_type in _COMPATIBLE.get(f, set()) for f in fields
            )
        ]
        if not fitting:
            return None
        etype, trigger = max(
            fitting, key=lambda m: (self.taxonomy.types[m[0]].priority, -m[1].start)
        )
        return self._event(etype, trigger, sent, n, foreign, places, background)

    def _event(
        self,
        etype: str,
        trigger: Span,
        sent: Span,
        n: int,
        counts: dict[str, int | None],
        places: Sequence[dict[str, Any]],
        background: bool,
        actors: tuple[Span | None, Span | None] | None = None,
    ) -> _Event:
        """The event one trigger of sentence ``n`` reports, with the counts it takes
        (``actors``: the trigger's, when the caller has already found them)."""
        a1, a2 = actors if actors is not None else _actors(trigger.root)
        return _Event(
            type=etype,
            trigger=trigger,
            sentence=sent,
            actor1=_actor_name(a1),
            actor2=_actor_name(a2),
            place=self._place(sent, places),
            counts=counts,
            order=n,
            background=background,
            headline=_is_headline(sent),
        )

    def _in_care_name(self, doc: Doc, place: dict[str, Any]) -> bool:
        """Is the place part of a hospital's name ("Sinai" of "Mount Sinai Hospital")?"""
        run = f" {_name_run(doc, place).lower()} "
        return any(f" {care} " in run for care in self.taxonomy.casualties.care_places)

    def _place(self, sent: Span, places: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
        """The sentence's most specific place, earliest first; an origin ("a rocket from the
        Gaza Strip into Israel") only when there is nothing else, a dateline's newsroom only
        when the sentence names no other place below a country. Where the victims were taken
        or the case is heard (a hospital, a court) is not where it happened."""
        after = self.taxonomy.aftermath_places
        inside = [
            p
            for p in places
            if sent.start_char <= p["start"] < sent.end_char
            and not (set(str(p["name"]).lower().split()) & after)
            and not self._in_care_name(sent.doc, p)
        ]
        if any(not p.get("newsroom") and p.get("kind") != "country" for p in inside):
            inside = [p for p in inside if not p.get("newsroom")]  # filed there, told of here
        if not inside:
            return None
        doc = sent.doc

        def origin(p: dict[str, Any]) -> bool:
            tok = doc.char_span(p["start"], p["end"], alignment_mode="expand")
            return bool(tok) and tok.start > 0 and doc[tok.start - 1].lower_ == "from"

        return max(
            inside,
            key=lambda p: (not origin(p), SPECIFICITY.get(p["kind"], 0), -p["start"]),
        )

    def _merge(self, events: list[_Event]) -> list[_Event]:
        merged: list[_Event] = []
        for event in events:
            same = next((m for m in merged if _same_incident(m, event)), None)
            if same is None:
                merged.append(event)
                continue
            same.mentions += 1
            if same.type in _PROTEST_TYPES and event.type in _PROTEST_TYPES:
                # one march, told as peaceful and then as met with force: the force was used
                same.type = max(same.type, event.type, key=_PROTEST_TYPES.index)
            _take_place(same, event)
            same.actor1 = same.actor1 or event.actor1
            same.actor2 = same.actor2 or event.actor2
            _carry(event, same)
        return merged

    def _fold_surrenders(self, events: list[_Event]) -> list[_Event]:
        """A surrender where a battle is fought is part of that battle (as ACLED codes it)."""
        battles = [e for e in events if self.taxonomy.types[e.type].acled_type == "Battles"]
        kept = []
        for event in events:
            battle = next(
                (b for b in battles if event.type == "surrender" and _near(b, event)), None
            )
            if battle is None:
                kept.append(event)
                continue
            battle.mentions += 1
            _carry(event, battle)
        return kept

    _HARM_WITHOUT_AGENT = frozenset({"kill", "killing", "die", "dead", "drown", "injure", "wound"})
    _BEFALL = frozenset({"die", "dead", "drown"})

    def _fold_into_disasters(self, events: list[_Event]) -> list[_Event]:
        """In an article that reports a disaster, deaths and injuries told without anyone
        doing them ("two people were killed", "a child drowned") are its casualties, not an
        attack: no violence is reported where there was none."""
        return self._fold_agentless_harm(events, {DISASTER}, anywhere=True)

    def _fold_into_remote_violence(self, events: list[_Event]) -> list[_Event]:
        """Beside an air strike, shelling or blast, deaths and injuries told without anyone
        doing them at the same place ("22 people were wounded") are its casualties, not a
        second attack by no one."""
        return self._fold_agentless_harm(events, {"Explosions/Remote violence"}, anywhere=False)

    def _fold_into_demonstrations(self, events: list[_Event]) -> list[_Event]:
        """Beside a riot, or a protest met with force, the hurt told without anyone hurting
        them at the same place ("three officers were injured") are its casualties, not a
        battle of their own (the harmed may be armed: officers). A peaceful protest (a vigil
        after a shooting) takes no one's casualties."""
        return self._fold_agentless_harm(
            events,
            {"Riots", "protest_with_intervention", "excessive_force_against_protesters"},
            anywhere=False,
            harmed=frozenset({"Violence against civilians", "Battles"}),
        )

    def _fold_agentless_harm(
        self,
        events: list[_Event],
        causes_of: set[str],
        *,
        anywhere: bool,
        harmed: frozenset[str] = frozenset({"Violence against civilians"}),
    ) -> list[_Event]:
        """Carry harm told without a doer (an event of a ``harmed`` family) into the most
        salient event whose type or family is in ``causes_of``: one near it, unless
        ``anywhere`` (a flood covers a region)."""
        causes = [
            e
            for e in events
            if e.type in causes_of or self.taxonomy.types[e.type].acled_type in causes_of
        ]
        if not causes:
            return events
        kept = []
        for event in events:
            lemma = event.trigger.root.lemma_.lower()
            near = [  # a past strike named for context does not take today's dead
                c
                for c in causes
                if anywhere or (_near(c, event) and c.background == event.background)
            ]
            if (
                near
                and event not in causes
                and self.taxonomy.types[event.type].acled_type in harmed
                # the subject of "drowned" or "died" is who it befell, not who did it; and
                # the fire of "Fire at a factory kills 17" is the disaster, no one's doing
                and (event.actor1 is None or lemma in self._BEFALL or _names(event, near))
                and lemma in self._HARM_WITHOUT_AGENT
            ):
                target = max(near, key=self._salience)
                target.mentions += 1
                if target.place is None:  # "Bus crash" (a headline) placed by its dead; a
                    target.place = event.place  # flood across a region stays the region's
                _carry(event, target)
                continue
            kept.append(event)
        return kept

    def _lend(
        self, events: list[_Event], loose: list[tuple[int, bool, dict[str, int | None]]]
    ) -> None:
        for n, headline, counts in loose:
            for key, value in counts.items():
                fld = _field(key)
                if fld.startswith("_") or value is None:
                    continue
                fits = [
                    e
                    for e in events
                    if self.taxonomy.types[e.type].acled_type in _COMPATIBLE.get(fld, set())
                ]
                if fits:
                    target = max(fits, key=self._salience)
                    target.add(key, value, sentence=n, headline=headline)

    def _salience(self, event: _Event) -> float:
        etype = self.taxonomy.types[event.type]
        harm = (event.counts.get("fatalities") or 0) + 0.3 * (event.counts.get("injured") or 0)
        lead = 2.0 if event.order <= 1 else 1.0 / (1 + event.order)
        return (
            _SEVERITY.get(etype.acled_type, 1.0)
            + 0.8 * math.log1p(harm)
            + 1.5 * min(2, event.mentions - 1)
            + lead
            - (6.0 if event.background else 0.0)  # background ranks below what is reported
        )

    def _fallback_place(self, doc: Doc, places: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
        """Where an event happened when no literal place is named: a place inside a name
        ("the Ministry of Interior in Baghdad"; not a hospital's, "Mount Sinai Hospital",
        where victims are taken), else a town that modifies a noun ("city
        police", "a Durham apartment": local news names its town so). Demonyms and countries
        as modifiers name the actors' side ("Israeli forces", "US aircraft"), not the place,
        so they are not used."""
        embedded = [p for p in places if p.get("role") == "embedded"]
        embedded = [p for p in embedded if not self._in_care_name(doc, p)]
        if embedded:
            return max(embedded, key=lambda p: SPECIFICITY.get(p["kind"], 0))
        towns = [
            p
            for p in places
            if p.get("role") == "modifier"
            and p["kind"] in ("city", "admin2")
            and not self._names_a_force(doc, p)
        ]
        return towns[0] if towns else None

    def _names_a_force(self, doc: Doc, place: dict[str, Any]) -> bool:
        """Does the place name an armed group ("Fano militia", "Wagner forces")? Whose, not
        where: the group fights far from the town it is named after."""
        span = doc.char_span(int(place["start"]), int(place["end"]), alignment_mode="expand")
        if span is None or span.end >= len(doc):
            return False
        after = doc[span.end]
        return (
            after.lower_ in self.taxonomy.armed_actors or after.lemma_ in self.taxonomy.armed_actors
        )

    @staticmethod
    def _within_country(
        country: dict[str, Any],
        places: Sequence[dict[str, Any]],
        location: dict[str, float] | None,
    ) -> dict[str, Any]:
        """ "Several people were injured in Azerbaijan", after a lead about a town there: the
        event is in that town (the article's primary place, else its first) more likely than
        at the middle of the country."""
        inside = [
            p
            for p in places
            if p["country_code"] == country["country_code"]
            and SPECIFICITY.get(p["kind"], 0) > SPECIFICITY["country"]
        ]
        if not inside:
            return country
        return _at(inside, location) or min(inside, key=lambda p: p["start"])

    def _as_dict(
        self,
        event: _Event,
        places: Sequence[dict[str, Any]],
        location: dict[str, float] | None,
        fallback: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        etype = self.taxonomy.types[event.type]
        place = event.place
        if place is None:
            place = _at(places, location)  # the article's primary place
        place = place or (fallback if location is None else None)
        if place is not None and place["kind"] == "country":
            place = self._within_country(place, places, location)
        place = _consistent(place, places, location)
        out_place = (
            {k: place.get(k) for k in ("name", "lat", "lon", "country_code", "admin1")}
            if place
            else (
                {
                    "name": None,
                    "lat": location["lat"],
                    "lon": location["lon"],
                    "country_code": None,
                    "admin1": None,
                }
                if location
                else None
            )
        )
        counts = dict(event.counts)
        fatalities = counts.get("fatalities")
        if fatalities is None:
            fatalities = 0  # no death reported with the event
        shot = counts.get("shot")
        if shot is not None and shot > fatalities:  # shot and not reported dead: hurt
            counts["injured"] = max(counts.get("injured") or 0, shot - fatalities)
        cared = counts.pop(CARED, None)
        apart = any(s.field == CARED and s.additional for s in event.said)
        if cared is not None and counts.get("injured") is None and (cared > fatalities or apart):
            # taken to a hospital, and no count of the hurt given: more taken than died (a
            # victim "taken to a hospital" who "died there" is told in two sentences), or
            # others than the dead ("another man was taken to a hospital")
            counts["injured"] = cared
        perpetrators = {
            f: counts[f"_perpetrators_{f}"]
            for f in COUNT_FIELDS
            if counts.get(f"_perpetrators_{f}")
        }
        return {
            "type": event.type,
            "acled_event_type": etype.acled_type,
            "acled_sub_event_type": etype.acled_sub_type,
            "trigger": event.trigger.text,
            "sentence": event.sentence.text.strip(),
            "start": event.sentence.start_char,
            "end": event.sentence.end_char,
            "actor1": event.actor1,
            "actor2": event.actor2,
            "place": out_place,
            "fatalities": fatalities,
            **{f: counts.get(f) for f in COUNT_FIELDS if f != "fatalities"},
            **({"perpetrators": perpetrators} if perpetrators else {}),
            "date": resolve_date(event.sentence.text),
        }


def _consistent(
    place: dict[str, Any] | None,
    places: Sequence[dict[str, Any]],
    location: dict[str, float] | None,
) -> dict[str, Any] | None:
    """A town in another state than the story's own, that nothing qualifies ("Austin" in a
    Chicago story, "Jackson" in one from Mississippi), is a neighbourhood or a namesake of the
    story's town, not a town elsewhere: the event is placed at the story's town instead. Not
    when the story's place is a national capital: copy filed from one covers the country
    ("TOKYO - A quake struck off Fukushima")."""
    anchor = _at(places, location)
    if (
        place is None
        or anchor is None
        or anchor.get("capital")
        or place["kind"] not in ("city", "landmark")
        or anchor["kind"] not in ("city", "landmark", "admin2")
        or not place.get("admin1")
        or not anchor.get("admin1")
        or place.get("country_code") != anchor.get("country_code")
        or place.get("admin1") == anchor.get("admin1")
    ):
        return place
    qualified = any(
        q["kind"] in ("admin1", "country") and 0 < int(q["start"]) - int(place["end"]) <= 3
        for q in places
    )
    return place if qualified else anchor


def _at(
    places: Sequence[dict[str, Any]], location: dict[str, float] | None
) -> dict[str, Any] | None:
    """The first of ``places`` standing at ``location`` (the article's primary place)."""
    if location is None:
        return None
    point = (location["lat"], location["lon"])
    return next((p for p in places if (p["lat"], p["lon"]) == point), None)


def finalize_events(events: list[dict[str, Any]], text: str, published_at: str | None) -> None:
    """Resolve relative dates against ``published_at`` (in place), sentence by sentence, and
    let events without a date of their own take the article's first stated date."""
    article_date = None
    for event in events:
        sentence = text[event["start"] : event["end"]]
        event["date"] = resolve_date(sentence, published_at) or event.get("date")
        article_date = article_date or event["date"]
    for event in events:
        event["date"] = event["date"] or article_date or (published_at or "")[:10] or None
