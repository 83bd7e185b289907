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
death, injury, arrest, surrender, escape and holding words ("the death toll has risen to about
200 prisoners and 27 members of the siege" gives 227 dead). Sentences that only add counts
lend them to the most salient event they fit. Mentions of the same type at the same place
merge; the most salient event comes first. Dates are resolved against ``published_at`` by
``finalize_events``, since the article's metadata is not part of the Doc.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from processors.dates import resolve_date
from processors.errors import ConfigurationError
from processors.numbers import count_of
from processors.places import SPECIFICITY

__all__ = ["EventExtractor", "EventType", "Taxonomy", "finalize_events"]

COUNT_FIELDS = ("fatalities", "injured", "arrested", "surrendered", "escaped", "held")
_COUNT_LEMMAS = {
    "fatalities": {
        "kill",
        "die",
        "dead",
        "death",
        "execute",
        "murder",
        "drown",
        "behead",
        "massacre",
        "assassinate",
        "lynch",
        "fatality",
        "toll",
        "body",
        "slay",
    },
    "injured": {"injure", "wound", "hurt", "injury", "injured", "wounded"},
    "arrested": {"arrest", "detain", "apprehend", "detention", "custody"},
    "surrendered": {"surrender"},
    "escaped": {"escape", "flee", "fled"},
    "held": {"hold", "held", "hostage", "captive"},
}
_SEVERITY = {
    "Explosions/Remote violence": 3.0,
    "Battles": 3.0,
    "Violence against civilians": 3.0,
    "Riots": 2.0,
    "Protests": 1.5,
    "Strategic developments": 1.0,
}
_COMPATIBLE = {  # which events a count-only sentence may lend its counts to
    "fatalities": {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"},
    "injured": {
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Riots",
        "Protests",
    },
    "surrendered": {"Battles", "Strategic developments"},
    "escaped": {"Strategic developments", "Battles"},
    "arrested": {"Strategic developments", "Protests", "Riots"},
    "held": {"Strategic developments", "Battles", "Violence against civilians"},
}
_CODED_RE = re.compile(r"fatalities (?:were )?coded as (\d+)", re.IGNORECASE)
_SPLIT_RE = re.compile(
    r"fatalities (?:were )?split (?:between|across|among) (two|three|four|\d+) events",
    re.IGNORECASE,
)
_ANIMALS = frozenset(
    "livestock cattle cow cows goat goats sheep camel camels animal animals dog dogs donkey "
    "donkeys horse horses chicken chickens pig pigs".split()
)
_NONE_RE = re.compile(
    r"\b(no (?:one|people|person|persons|casualties|fatalities|deaths|injuries)\b|"
    r"(?:did not|didn't) result in any (?:fatalities|casualties|deaths)|"
    r"without (?:any )?(?:casualties|fatalities))",
    re.IGNORECASE,
)
_PROTEST_TYPES = (
    "peaceful_protest",
    "protest_with_intervention",
    "excessive_force_against_protesters",
)
_VIOLENT_TRIGGERS = ("attack", "armed_clash")
_HARM_VERBS = frozenset("kill attack shoot target ambush wound injure fire".split())


@dataclass(frozen=True)
class EventType:
    name: str
    acled_type: str
    acled_sub_type: str
    priority: int
    triggers: tuple[str, ...]
    # "verb preposition object" lemmas, however far apart the verb and its preposition stand:
    # "fired with unspecified weapons on the positions of ..." is "fire on position"
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

    @classmethod
    def load(cls, path: Path) -> Taxonomy:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigurationError(f"cannot read the event taxonomy {path}: {exc}") from exc
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
        words = {
            key: frozenset(str(w).lower() for w in data.get(key) or [])
            for key in (
                "armed_actors",
                "protest_violence",
                "protest_intervention",
                "protest_excessive_force",
                "mob_actors",
                "non_event_heads",
            )
        }
        return cls(types=types, **words)


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
    """ "the death toll has risen to about 200 prisoners and 27 members of the siege": the sum
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


def _victims(word: Token) -> list[Token]:
    """The nouns a count word is about: "killed two soldiers", "two soldiers were killed",
    "shot dead", "beaten to death", "the death of the local", "the bodies of five men"."""
    victims = [v for v in _victim_nouns(word) if v.lemma_.lower() not in _ANIMALS]
    if word.head.lemma_ in ("attempt", "try", "plot", "threaten") and word.dep_ == "xcomp":
        return []  # "attempted to kill": nobody died of it
    return victims


def _victim_nouns(word: Token) -> list[Token]:
    if word.lemma_ in ("death", "killing", "body", "corpse", "murder") and word.pos_ == "NOUN":
        of = _prep_object(word, ("of",))
        if of is not None:
            return [of, *of.conjuncts]
        if word.lemma_ in ("body", "corpse"):
            return [word]
    verb = word
    if word.dep_ in ("acomp", "oprd", "xcomp") or (word.dep_ == "pobj" and word.lower_ == "death"):
        verb = word.head if word.dep_ != "pobj" else word.head.head
    elif word.lower_ == "dead" and word.head.pos_ == "VERB":  # "shot dead a teacher"
        verb = word.head
    if word.pos_ in ("ADJ",) and word.dep_ == "amod":  # "two dead soldiers"
        return [word.head]
    if word.dep_ in ("acl", "amod") and word.pos_ == "VERB":  # "27 people killed"
        return [word.head]
    for deps in (("dobj",), ("nsubjpass",), ("nsubj",)):
        nouns = [c for c in verb.children if c.dep_ in deps]
        if nouns:
            if deps == ("nsubj",) and verb.lemma_ in (
                "kill",
                "execute",
                "murder",
                "arrest",
                "detain",
                "injure",
                "wound",
                "hold",
            ):
                continue  # the subject of "killed" is the killer, not the victim
            return [n for noun in nouns for n in (noun, *noun.conjuncts)]
    if word.dep_ == "pobj" and word.head.lower_ == "of" and word.lower_ in ("death",):
        return [word]  # "resulted in the death of the local"
    return []


_FIELDS_OF: dict[str, list[str]] = {}
for _field, _lemmas in _COUNT_LEMMAS.items():
    for _lemma in _lemmas:
        _FIELDS_OF.setdefault(_lemma, []).append(_field)


def _sentence_counts(sent: Span) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    seen: set[int] = set()
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma == "toll":
            value, used = _toll(tok)
            if value is not None:
                counts["fatalities"] = (counts.get("fatalities") or 0) + value
                seen |= used
            continue
        fields = _FIELDS_OF.get(lemma) or _FIELDS_OF.get(tok.lower_) or []
        if not fields and tok.pos_ == "VERB" and any(c.lower_ == "fatally" for c in tok.children):
            fields = ["fatalities"]  # "fatally shot", "fatally stabbed"
        for fld in fields:
            if fld == "held" and not (
                tok.dep_ in ("ROOT", "conj", "advcl", "relcl") and _child(tok, ("nsubjpass",))
            ):
                continue  # "being held" of people, not "held a demonstration"
            for noun in _victims(tok):
                if noun.i in seen:
                    continue
                value = _count_of_phrase(noun)
                if value is not None:
                    seen.add(noun.i)
                    counts[fld] = (counts.get(fld) or 0) + value
    text = sent.text
    if _NONE_RE.search(text):
        lower = text.lower()
        if any(w in lower for w in ("fatalit", "death", "killed", "casualt", "dead")):
            counts.setdefault("fatalities", 0)
        if any(w in lower for w in ("injur", "casualt", "wound")):
            counts.setdefault("injured", 0)
    split = _SPLIT_RE.search(text)
    if split and counts.get("fatalities"):
        parts = count_of([split.group(1)]) or 1
        counts["fatalities"] = (counts["fatalities"] or 0) // parts
    coded = _CODED_RE.search(text)
    if coded:
        counts["fatalities"] = int(coded.group(1))
        counts["_coded"] = 1
    return counts


def _near(a: _Event, b: _Event) -> bool:
    """Same place, or the same first-level region."""
    if a.place is None or b.place is None:
        return True
    if (a.place["lat"], a.place["lon"]) == (b.place["lat"], b.place["lon"]):
        return True
    return bool(a.place.get("admin1")) and a.place.get("admin1") == b.place.get("admin1")


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
        for label, start, end in found:
            span = Span(doc, start, end, label=label)
            if self._negated(span) or self._modifies_thing(span):
                continue  # negated, or a modifier: "detention centres", "kidnapping suspect"
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

    def _modifies_thing(self, span: Span) -> bool:
        root = span.root
        head = root.head
        while root.dep_ == "conj" and head.dep_ in ("compound", "amod", "nmod"):
            root, head = head, head.head  # "drug and kidnapping suspect"
        return root.dep_ in ("compound", "amod", "nmod") and (
            head.lower_ in self.taxonomy.non_event_heads
            or head.lemma_.lower() in self.taxonomy.non_event_heads
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
        if etype in _VIOLENT_TRIGGERS:
            if self._protest_in(matches):
                return self._refine("peaceful_protest", trigger, sent, context, a1, a2, matches)
            actor_words = self._words(a1) if a1 is not None else set()
            if actor_words & t.mob_actors and not actor_words & t.armed_actors:
                return "mob_violence"
            if etype == "attack" and self._armed_victims(sent, a2):
                return "armed_clash"
        return etype

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
            if tok.lemma_ in _HARM_VERBS or (  # "opened fire on a convoy of the 5th Corps"
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
        fallback = self._fallback_place(all_places)
        sentences = list(doc.sents)
        events: list[_Event] = []
        loose_counts: list[tuple[int, dict[str, int | None]]] = []
        by_sentence = self._doc_matches(doc)
        for n, sent in enumerate(sentences):
            counts = _sentence_counts(sent)
            matches = by_sentence.get(sent.start, [])
            if not matches:
                if counts:
                    loose_counts.append((n, counts))
                continue
            etype, trigger = max(
                matches,
                key=lambda m: (self.taxonomy.types[m[0]].priority, -m[1].start),
            )
            a1, a2 = _actors(trigger.root)
            context = doc[sent.start : sentences[n + 1].end] if n + 1 < len(sentences) else sent
            etype = self._refine(etype, trigger, sent, context, a1, a2, matches)
            acled = self.taxonomy.types[etype].acled_type
            foreign = {
                f: v
                for f, v in counts.items()
                if not f.startswith("_") and acled not in _COMPATIBLE.get(f, {acled})
            }
            if foreign:
                loose_counts.append((n, foreign))
                counts = {f: v for f, v in counts.items() if f not in foreign}
            events.append(
                _Event(
                    type=etype,
                    trigger=trigger,
                    sentence=sent,
                    actor1=_actor_name(a1),
                    actor2=_actor_name(a2),
                    place=self._place(sent, places),
                    counts=counts,
                    order=n,
                )
            )
        events = self._fold_surrenders(self._merge(events))
        self._lend(events, loose_counts)
        if not events:
            return []
        location = doc._.location
        ordered = sorted(events, key=self._salience, reverse=True)
        return [self._as_dict(e, places, location, fallback) for e in ordered]

    @staticmethod
    def _place(sent: Span, places: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
        """The sentence's most specific place, earliest first; an origin ("a rocket from the
        Gaza Strip into Israel") only when there is nothing else."""
        inside = [p for p in places if sent.start_char <= p["start"] < sent.end_char]
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
            same = next((m for m in merged if m.type == event.type and _near(m, event)), None)
            if same is None:
                merged.append(event)
                continue
            same.mentions += 1
            if event.place is not None and (
                same.place is None
                or SPECIFICITY.get(event.place["kind"], 0) > SPECIFICITY.get(same.place["kind"], 0)
            ):
                same.place = event.place  # the most specific place any mention gives
            same.actor1 = same.actor1 or event.actor1
            same.actor2 = same.actor2 or event.actor2
            for fld, value in event.counts.items():
                if value is not None:
                    same.counts[fld] = max(same.counts.get(fld) or 0, value)
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
            for fld, value in event.counts.items():
                if value is not None:
                    battle.counts[fld] = max(battle.counts.get(fld) or 0, value)
        return kept

    def _lend(self, events: list[_Event], loose: list[tuple[int, dict[str, int | None]]]) -> None:
        for _, counts in loose:
            for fld, value in counts.items():
                if fld.startswith("_") or value is None:
                    continue
                fits = [
                    e
                    for e in events
                    if self.taxonomy.types[e.type].acled_type in _COMPATIBLE.get(fld, set())
                ]
                if fits:
                    target = max(fits, key=self._salience)
                    if fld == "fatalities" and counts.get("_coded"):
                        target.counts[fld] = value
                    else:
                        target.counts[fld] = max(target.counts.get(fld) or 0, value)

    def _salience(self, event: _Event) -> float:
        etype = self.taxonomy.types[event.type]
        harm = (event.counts.get("fatalities") or 0) + 0.3 * (event.counts.get("injured") or 0)
        lead = 2.0 if event.order <= 1 else 1.0 / (1 + event.order)
        return (
            _SEVERITY.get(etype.acled_type, 1.0)
            + 0.8 * math.log1p(harm)
            + 1.5 * min(2, event.mentions - 1)
            + lead
        )

    @staticmethod
    def _fallback_place(places: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
        """Where an event happened when no literal place is named: a place inside a name
        ("the Cabinet of Ministers in Kyiv"). Demonyms and modifiers name the actors' side
        ("Israeli forces", "US aircraft"), not the place, so they are not used."""
        embedded = [p for p in places if p.get("role") == "embedded"]
        if embedded:
            return max(embedded, key=lambda p: SPECIFICITY.get(p["kind"], 0))
        return None

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
        fatalities = event.counts.get("fatalities")
        if fatalities is None:
            fatalities = 0  # no death reported with the event
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
            **{f: event.counts.get(f) for f in COUNT_FIELDS if f != "fatalities"},
            "date": resolve_date(event.sentence.text),
        }


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
