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

from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from processors.events.actors import actor_name, actors_of
from processors.events.casualties import (
    statements,
)
from processors.events.counts import (
    SUPERSEDED_RE,
    count_field,
    is_headline,
    mark_other_detainees,
    named_dead,
    sentence_counts,
    told_as_past,
)
from processors.events.dates import resolve_date
from processors.events.incidents import ArticleModel, Incident, reported_counts
from processors.events.placing import EventPlacer
from processors.events.taxonomy import COMPATIBLE, COUNT_FIELDS, DISASTER, PROTEST_TYPES, Taxonomy
from processors.events.triggers import TriggerFinder, portrayed

__all__ = ["EventExtractor", "finalize_events"]


class EventExtractor:
    """Finds the events of a Doc (after the places component has run)."""

    def __init__(self, nlp: Language, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.triggers = TriggerFinder(nlp, taxonomy)
        self.incidents = ArticleModel(taxonomy)
        self.placer = EventPlacer(taxonomy)

    def __call__(self, doc: Doc) -> list[dict[str, Any]]:
        all_places = doc._.places or []
        places = [p for p in all_places if not p.get("metonymic")]
        fallback = self.placer.fallback(doc, all_places)
        sentences = list(doc.sents)
        events: list[Incident] = []
        loose_counts: list[tuple[int, bool, dict[str, int | None]]] = []
        by_sentence = self.triggers.matches(doc)
        vocab = self.taxonomy.casualties
        # what the person named does is not what happened; "police had initially said six
        # were shot": a figure since revised counts nothing
        told = {
            n: statements(sent, vocab) if not SUPERSEDED_RE.search(sent.text) else []
            for n, sent in enumerate(sentences)
        }
        # a portrait reports no incident; what it says befell the person it portrays ("the
        # second victim is a cousin of his, wounded in a leg") still counts, not their deeds
        portraits = {n for n, sent in enumerate(sentences) if self.triggers.portrait(sent)}
        for n in portraits:
            told[n] = [s for s in told[n] if set(s.people) <= portrayed(sentences[n])]
        mark_other_detainees(told, sentences)
        dead = named_dead(doc, (s for said in told.values() for s in said))
        for n, sent in enumerate(sentences):
            counts = sentence_counts(sent, told[n], dead)
            matches = by_sentence.get(sent.start, []) if n not in portraits else []
            background = told_as_past(sent.text, doc._.published)
            if not matches:
                if counts and not background:  # a past incident's counts are not this one's
                    loose_counts.append((n, is_headline(sent), counts))
                continue
            etype, trigger = max(
                matches,
                key=lambda m: (self.taxonomy.types[m[0]].priority, -m[1].start),
            )
            disaster = self.taxonomy.types[etype].acled_type == DISASTER
            if disaster and self.triggers.protest_in(matches):
                # people protest over an epidemic or a flood: the protest is what happened
                etype, trigger = next(
                    m for m in matches if m[0] in PROTEST_TYPES or m[0] == "violent_demonstration"
                )
            a1, a2 = actors_of(trigger.root)
            context = doc[sent.start : sentences[n + 1].end] if n + 1 < len(sentences) else sent
            etype = self.triggers.refine(etype, trigger, sent, context, a1, a2, matches)
            acled = self.taxonomy.types[etype].acled_type
            foreign = {  # "killed one and detained two others": the detentions lent on
                f: v
                for f, v in counts.items()
                if not count_field(f).startswith("_")
                and acled not in COMPATIBLE.get(count_field(f), {acled})
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
                    loose_counts.append((n, is_headline(sent), foreign))
        events = self.incidents.fold(events)
        self.incidents.lend(events, loose_counts)
        if not events:
            return []
        location = doc._.location
        ordered = sorted(events, key=self.incidents.salience, reverse=True)
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
    ) -> Incident | None:
        """A sentence whose counts do not fit its main event ("a clash ... resulting in 12
        killed and three taken into custody") also reports an event they fit when one of its
        own triggers names one: the detentions are an arrests event of their own."""
        # nothing counted ("no one was in custody") is nothing more; nor the getaway of
        # those who did it ("two suspects who fled"), part of their deed
        fields = {
            count_field(f)
            for f, v in foreign.items()
            if v and (counts.get(f"_perpetrators_{count_field(f)}") or 0) < v
        }
        if not fields:
            return None
        fitting = [
            (etype, trigger)
            for etype, trigger in matches
            if all(
                self.taxonomy.types[etype].acled_type in COMPATIBLE.get(f, set()) for f in fields
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
    ) -> Incident:
        """The event one trigger of sentence ``n`` reports, with the counts it takes
        (``actors``: the trigger's, when the caller has already found them)."""
        a1, a2 = actors if actors is not None else actors_of(trigger.root)
        return Incident(
            type=etype,
            trigger=trigger,
            sentence=sent,
            actor1=actor_name(a1),
            actor2=actor_name(a2),
            place=self.placer.place(sent, places),
            counts=counts,
            order=n,
            background=background,
            headline=is_headline(sent),
        )

    def _as_dict(
        self,
        event: Incident,
        places: Sequence[dict[str, Any]],
        location: dict[str, float] | None,
        fallback: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        etype = self.taxonomy.types[event.type]
        fatalities, counts, perpetrators = reported_counts(event)
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
            "place": self.placer.where(event.place, places, location, fallback),
            "fatalities": fatalities,
            **{f: counts.get(f) for f in COUNT_FIELDS if f != "fatalities"},
            **({"perpetrators": perpetrators} if perpetrators else {}),
            # told as something that happened before ("in 2010", "last year"): context, not
            # what the article reports (alerts on events pass it by)
            **({"background": True} if event.background else {}),
            "date": resolve_date(event.sentence.text),
        }


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
