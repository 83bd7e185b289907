"""Trigger words of the taxonomy, found in a Doc with phrase matchers, and the event type each
proposes, refined by its context: a killing of armed men is a battle, a protest met with force
an intervention; negated, habitual or characterising mentions report no incident."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from processors.events.casualties import recorded
from processors.events.counts import is_headline
from processors.events.people import is_person
from processors.events.taxonomy import PROTEST_TYPES, Taxonomy

__all__ = ["TriggerFinder", "portrayed"]

_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "LAW"})


_VIOLENT_TRIGGERS = ("attack", "armed_clash")


def _harm_by_strike(trigger: Span, matches: Sequence[tuple[str, Span]]) -> bool:
    """Is the harm done by a "strike" ("a coalition strike killed two", "were killed in a
    strike")? A labour strike kills no one: this one came from the air."""
    verb = trigger.root
    for label, span in matches:
        noun = span.root
        if label not in PROTEST_TYPES or noun.lemma_.lower() != "strike" or noun.pos_ != "NOUN":
            continue
        if noun.head == verb and noun.dep_ in ("nsubj", "nsubjpass", "agent"):
            return True
        prep = noun.head
        if noun.dep_ == "pobj" and prep.lower_ in ("in", "by") and prep.head == verb:
            return True
    return False


def portrayed(sent: Span) -> set[int]:
    """The tokens naming what a portrait says its person is ("The woman is his neighbour who
    was shot": neighbour), whose clause may tell what befell them; not the subject itself,
    whose words only recall ("the now-detained leader is ...")."""
    nouns = [c for c in sent.root.children if c.dep_ == "attr"]
    return {t.i for n in nouns for t in (n, *n.conjuncts)}


class TriggerFinder:
    """The taxonomy's triggers of a Doc, by sentence, and the type each one reports."""

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

    def matches(self, doc: Doc) -> dict[int, list[tuple[str, Span]]]:
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

    def portrait(self, sent: Span) -> bool:
        """A sentence about what one person already named does or is ("The leader directs
        a cell that carries out bombing attacks", "He is responsible for attacks on
        convoys"): the simple present with that person ("the", "this" or a pronoun) as its
        subject. It reports no incident. Headlines, which tell the past in the present, end
        with no full stop and are not read so; a past "he was charged with assault" tells of
        the incident and stays."""
        root = sent.root
        if root.pos_ not in ("VERB", "AUX") or not sent.text.rstrip().endswith("."):
            return False
        if is_headline(sent):
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

    def refine(
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
        if etype in PROTEST_TYPES:
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
            if self.protest_in(matches):
                return self.refine("peaceful_protest", trigger, sent, context, a1, a2, matches)
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
    def protest_in(matches: Sequence[tuple[str, Span]]) -> bool:
        return any(
            label in PROTEST_TYPES or label == "violent_demonstration" for label, _ in matches
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
