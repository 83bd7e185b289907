"""The article model: an article's mentions of one happening are one incident with one set of
counts (the best-supported value, never a sum of repeats); harm told without a doer joins the
disaster, strike or riot beside it; background incidents rank below the one reported."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span

from processors.events.casualties import CARED
from processors.events.counts import count_field, count_key
from processors.events.taxonomy import (
    COMPATIBLE,
    COUNT_FIELDS,
    DISASTER,
    PROTEST_TYPES,
    PROTESTS,
    SEVERITY,
    VIOLENT,
    Taxonomy,
)
from processors.places.summary import SPECIFICITY

__all__ = [
    "DISASTER_TYPES",
    "ArticleModel",
    "Incident",
    "Said",
    "best_supported",
    "carry",
    "close_by",
    "reported_counts",
    "same_incident",
]


@dataclass(frozen=True)
class Said:
    """One statement of a count, where it was made."""

    sentence: int  # index of the sentence that states it
    field: str
    value: int
    additional: bool  # "two others were also hurt": more people than those already told
    partitive: bool  # "one of them died": some of the people told just before
    headline: bool  # a headline summarises the article: never the base an addition adds to
    individual: bool = False  # "Jane Doe was wounded": one of the people, told by who she is


@dataclass
class Incident:
    type: str
    trigger: Span
    sentence: Span
    actor1: str | None
    actor2: str | None
    place: dict[str, Any] | None
    counts: dict[str, int | None] = field(default_factory=dict)
    mentions: int = 1
    order: int = 0
    said: list[Said] = field(default_factory=list)
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
        individual = fld.startswith("_one_")
        fld = count_field(fld)
        self.said.append(Said(sentence, fld, value, additional, partitive, headline, individual))
        for name in {fld, "injured"} if fld == "fatalities" else {fld}:  # the dead of the hurt
            if any(s.field == name for s in self.said):
                self.counts[name] = _tally(self.said, name)


def _tally(all_said: Sequence[Said], fld: str) -> int:
    """The incident's count from its statements: each statement is a candidate value; one of
    more people ("another man also died") adds to the body's statement before it, the total
    replacing that candidate; then the best-supported candidate wins, never a sum of repeats.

    An addition with no earlier statement of its kind in the body is a value of its own: in
    "3 killed, 2 hurt" (headline) then "Two others were also hurt", the others are others
    than the dead, and the headline already counted them.

    The dead told as "one of them" in the sentence of a count of the hurt, or in the next,
    were among those hurt: "Four were wounded. One of them died" leaves three hurt.

    A statement about one person told by who they are ("Jane Doe was wounded", "the boy is in
    critical condition") is a detail of the people counted, not a count, where the incident
    also has a count of a group ("four were wounded"); else it is the count.
    """
    told = [s for s in all_said if s.field == fld]
    if any(s.value > 1 and not (s.individual or s.additional) for s in told):
        told = [s for s in told if not s.individual]
    candidates: list[int] = []
    base: int | None = None  # index in ``candidates`` of the body's running total
    for s in sorted(told, key=lambda s: s.sentence):
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


def best_supported(values: Sequence[int]) -> int:
    """The value stated most often; of equally frequent ones, the largest (a later update of
    a toll is larger, and a partial one, "one of the victims", smaller)."""
    tally: dict[int, int] = {}
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    return max(tally, key=lambda v: (tally[v], v))


def _names(event: Incident, causes: Sequence[Incident]) -> bool:
    """Does the event's doer name one of ``causes`` by its trigger's noun ("Floods kill 3",
    "Fire at a factory kills 17")?"""
    words = set(str(event.actor1 or "").lower().split())
    return any(
        t.lemma_.lower() in words or t.lower_ in words
        for cause in causes
        for t in cause.trigger
        if t.pos_ in ("NOUN", "PROPN")
    )


def _take_place(target: Incident, source: Incident) -> None:
    """The most specific place any mention of an incident gives is the incident's."""
    if source.place is not None and (
        target.place is None
        or SPECIFICITY.get(source.place["kind"], 0) > SPECIFICITY.get(target.place["kind"], 0)
    ):
        target.place = source.place


def carry(source: Incident, target: Incident) -> None:
    """Every count statement of ``source`` becomes one of ``target`` (the same incident)."""
    for s in source.said:
        key = count_key(
            s.field, additional=s.additional, partitive=s.partitive, individual=s.individual
        )
        target.add(key, s.value, sentence=s.sentence, headline=s.headline)


# Types one killing or shooting is read as, depending on who it befell ("the gunman killed two
# customers" an attack; "the gunman was also killed" by police, a clash): mentions of them at
# one place are one incident.
_HARM_TYPES = frozenset({"attack", "armed_clash", "mob_violence"})


# a demonstration that a clash beside it turns violent (one met with deadly force stays so)
_PROTESTS_TURNING = frozenset(
    {"peaceful_protest", "protest_with_intervention", "violent_demonstration"}
)


# a shooting told as an attack ("a girl was shot") and then as the accident it was: one
# incident, an accident ("accidental shootings are accidents, not attacks")
_ONE_SHOOTING = frozenset({"attack", "accidental_shooting"})


# the means of an attack that is no shooting: such an attack beside an accident is another
# happening ("a man was stabbed"; a boy "accidentally shot himself")
_OTHER_MEANS = frozenset(
    "stab stabbing knife machete beat beating strangle bomb bombing blast explosion arson "
    "torch burn".split()
)


def _can_be_shooting(event: Incident) -> bool:
    """Can the mention be a shooting (an accident always is; a stabbing is not)?"""
    return event.type == "accidental_shooting" or not any(
        t.lemma_.lower() in _OTHER_MEANS or t.lower_ in _OTHER_MEANS for t in event.trigger
    )


DISASTER_TYPES = frozenset(
    {"flood", "earthquake", "storm", "wildfire", "landslide", "drought_famine", "epidemic"}
)


def same_incident(a: Incident, b: Incident) -> bool:
    """Are two mentions one happening? The same type, two readings of one killing (or of one
    shooting, as an attack and as the accident it was), or of one protest (peaceful in one
    sentence, met with force in the next), at the same place (or in the same first-level
    region)."""
    if a.background != b.background:
        return False  # a past incident named for context is not the one reported
    if a.type == b.type and a.type in DISASTER_TYPES:  # a flood covers a region
        return (
            a.place is None
            or b.place is None
            or (a.place.get("country_code") == b.place.get("country_code"))
        )
    return (
        a.type == b.type
        or {a.type, b.type} <= _HARM_TYPES
        or {a.type, b.type} <= PROTESTS
        or ({a.type, b.type} == _ONE_SHOOTING and _can_be_shooting(a) and _can_be_shooting(b))
    ) and close_by(a, b)


def close_by(a: Incident, b: Incident) -> bool:
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


def reported_counts(event: Incident) -> tuple[int, dict[str, int | None], dict[str, int]]:
    """The incident's counts as the enriched article gives them: fatalities (0 when no death
    is reported), the other fields (the shot who did not die, and those taken to a hospital
    with no count of the hurt given, are hurt), and the perpetrators among them."""
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
        f: counts[f"_perpetrators_{f}"] for f in COUNT_FIELDS if counts.get(f"_perpetrators_{f}")
    }
    return fatalities, counts, perpetrators


class ArticleModel:
    """Folds an article's events into its incidents and ranks them (config/events.yaml's
    families decide which harm joins which cause)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def fold(self, events: list[Incident]) -> list[Incident]:
        """Mentions of one incident merged, surrenders into their battle, agentless harm into
        the disaster, strike or riot beside it."""
        events = self._fold_surrenders(self._merge(events))
        events = self._fold_flights(self._fold_clashes_into_protests(events))
        events = self._fold_into_remote_violence(self._fold_into_disasters(events))
        return self._fold_into_demonstrations(events)

    def _merge(self, events: list[Incident]) -> list[Incident]:
        merged: list[Incident] = []
        for event in events:
            same = next((m for m in merged if same_incident(m, event)), None)
            if same is None:
                merged.append(event)
                continue
            same.mentions += 1
            if same.type in PROTEST_TYPES and event.type in PROTEST_TYPES:
                # one march, told as peaceful and then as met with force: the force was used
                same.type = max(same.type, event.type, key=PROTEST_TYPES.index)
            if {same.type, event.type} == _ONE_SHOOTING:
                same.type = "accidental_shooting"  # "girl shot", then how: by accident
            _take_place(same, event)
            same.actor1 = same.actor1 or event.actor1
            same.actor2 = same.actor2 or event.actor2
            carry(event, same)
        return merged

    def _fold_surrenders(self, events: list[Incident]) -> list[Incident]:
        """A surrender where a battle is fought is part of that battle (as ACLED codes it)."""
        battles = [e for e in events if self.taxonomy.types[e.type].acled_type == "Battles"]
        kept = []
        for event in events:
            battle = next(
                (b for b in battles if event.type == "surrender" and close_by(b, event)), None
            )
            if battle is None:
                kept.append(event)
                continue
            battle.mentions += 1
            carry(event, battle)
        return kept

    def _fold_beside(
        self,
        events: list[Incident],
        targets: Sequence[Incident],
        part_of: Callable[[Incident], bool],
    ) -> tuple[list[Incident], list[tuple[Incident, Incident]]]:
        """Carry each event that is ``part_of`` a target beside it (close by, both reported or
        both background) into the most salient such target. Returns the events left and the
        (target, event) pairs folded."""
        kept: list[Incident] = []
        folded: list[tuple[Incident, Incident]] = []
        for event in events:
            near = (
                [t for t in targets if close_by(t, event) and t.background == event.background]
                if part_of(event)
                else []
            )
            if not near:
                kept.append(event)
                continue
            target = max(near, key=self.salience)
            target.mentions += 1
            carry(event, target)
            folded.append((target, event))
        return kept, folded

    # where people are held: an escape from one is a development of its own
    _HOLDS = frozenset({"prison", "jail", "custody", "detention", "cell", "cells", "camp"})

    def _fold_flights(self, events: list[Incident]) -> list[Incident]:
        """Beside a violent incident, a flight that is no escape from where people are held
        ("the suspects fled", "one escaped and ran home") is part of that incident, not an
        event of its own: an attacker leaves the scene, a victim runs from it."""
        violent = [e for e in events if self.taxonomy.types[e.type].acled_type in VIOLENT]

        def fled(event: Incident) -> bool:
            return event.type == "escape" and not {t.lower_ for t in event.sentence} & self._HOLDS

        return self._fold_beside(events, violent, fled)[0]

    _SCUFFLES = frozenset({"clash", "fight", "scuffle", "brawl"})

    def _fold_clashes_into_protests(self, events: list[Incident]) -> list[Incident]:
        """Beside a demonstration, a clash with police or troops that names no armed side
        against them ("some of them ... clashed with the policemen", "they threw stones and
        clashed with soldiers") is the demonstration turning violent, not a battle: the
        demonstrators are the other side."""
        armed = self.taxonomy.armed_actors

        def unarmed_side(event: Incident) -> bool:
            sides = [set(str(a or "").lower().split()) for a in (event.actor1, event.actor2)]
            return (
                event.type == "armed_clash"
                and event.trigger.root.lemma_.lower() in self._SCUFFLES
                and not all(side & armed for side in sides)
            )

        protests = [e for e in events if e.type in _PROTESTS_TURNING]
        kept, folded = self._fold_beside(events, protests, unarmed_side)
        for target, event in folded:
            target.type = "violent_demonstration"
            _take_place(target, event)
        return kept

    _HARM_WITHOUT_AGENT = frozenset({"kill", "killing", "die", "dead", "drown", "injure", "wound"})

    _BEFALL = frozenset({"die", "dead", "drown"})

    def _fold_into_disasters(self, events: list[Incident]) -> list[Incident]:
        """In an article that reports a disaster, deaths and injuries told without anyone
        doing them ("two people were killed", "a child drowned") are its casualties, not an
        attack: no violence is reported where there was none."""
        return self._fold_agentless_harm(events, {DISASTER}, anywhere=True)

    def _fold_into_remote_violence(self, events: list[Incident]) -> list[Incident]:
        """Beside an air strike, shelling or blast, deaths and injuries told without anyone
        doing them at the same place ("22 people were wounded") are its casualties, not a
        second attack by no one."""
        return self._fold_agentless_harm(events, {"Explosions/Remote violence"}, anywhere=False)

    def _fold_into_demonstrations(self, events: list[Incident]) -> list[Incident]:
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
        events: list[Incident],
        causes_of: set[str],
        *,
        anywhere: bool,
        harmed: frozenset[str] = frozenset({"Violence against civilians"}),
    ) -> list[Incident]:
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
                if anywhere or (close_by(c, event) and c.background == event.background)
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
                target = max(near, key=self.salience)
                target.mentions += 1
                if target.place is None:  # "Bus crash" (a headline) placed by its dead; a
                    target.place = event.place  # flood across a region stays the region's
                carry(event, target)
                continue
            kept.append(event)
        return kept

    def lend(
        self, events: list[Incident], loose: list[tuple[int, bool, dict[str, int | None]]]
    ) -> None:
        for n, headline, counts in loose:
            for key, value in counts.items():
                fld = count_field(key)
                if fld.startswith("_") or value is None:
                    continue
                fits = [
                    e
                    for e in events
                    if self.taxonomy.types[e.type].acled_type in COMPATIBLE.get(fld, set())
                ]
                if fits:
                    target = max(fits, key=self.salience)
                    target.add(key, value, sentence=n, headline=headline)

    def salience(self, event: Incident) -> float:
        etype = self.taxonomy.types[event.type]
        harm = (event.counts.get("fatalities") or 0) + 0.3 * (event.counts.get("injured") or 0)
        lead = 2.0 if event.order <= 1 else 1.0 / (1 + event.order)
        return (
            SEVERITY.get(etype.acled_type, 1.0)
            + 0.8 * math.log1p(harm)
            + 1.5 * min(2, event.mentions - 1)
            + lead
            - (6.0 if event.background else 0.0)  # background ranks below what is reported
        )
