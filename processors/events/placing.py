"""Where an event happened: the sentence's most specific place (not a hospital, a court or the
newsroom of the dateline), else a place inside a name or a town as a modifier, kept in the
story's own state when nothing says otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Span

from processors.events.taxonomy import Taxonomy
from processors.places.summary import SPECIFICITY

__all__ = ["EventPlacer"]


_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "on", "across"})


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


class EventPlacer:
    """Places events with the taxonomy's words for aftermath places and armed actors."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def where(
        self,
        place: dict[str, Any] | None,
        places: Sequence[dict[str, Any]],
        location: dict[str, float] | None,
        fallback: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """The event's place as the enriched article gives it: the sentence's own place, else
        the article's primary place, else (with no primary place) the ``fallback``; a country
        narrowed to the town of the story inside it, a stray namesake to the story's town;
        with no place at all, the article's location without a name."""
        if place is None:
            place = _at(places, location)  # the article's primary place
        place = place or (fallback if location is None else None)
        if place is not None and place["kind"] == "country":
            place = self._within_country(place, places, location)
        place = _consistent(place, places, location)
        if place:
            return {k: place.get(k) for k in ("name", "lat", "lon", "country_code", "admin1")}
        if location:
            return {
                "name": None,
                "lat": location["lat"],
                "lon": location["lon"],
                "country_code": None,
                "admin1": None,
            }
        return None

    def _in_care_name(self, doc: Doc, place: dict[str, Any]) -> bool:
        """Is the place part of a hospital's name ("Sinai" of "Mount Sinai Hospital")?"""
        run = f" {_name_run(doc, place).lower()} "
        return any(f" {care} " in run for care in self.taxonomy.casualties.care_places)

    def place(self, sent: Span, places: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
        """The sentence's most specific place, one put after "in", "at", "near"... first, then
        the earliest; an origin ("shells fired from the West Bank into Jordan") only when
        there is nothing else, a dateline's newsroom only
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

        def before(p: dict[str, Any]) -> str:
            """The word before the place's name and its article ("from the West Bank")."""
            tok = doc.char_span(p["start"], p["end"], alignment_mode="expand")
            i = tok.start - 1 if tok else -1
            while i > 0 and doc[i].lower_ == "the":
                i -= 1
            return doc[i].lower_ if i >= 0 else ""

        # of two places alike, the one the sentence puts something at ("was shot in
        # Dayton") over a name in the subject ("Tyler Smith was shot"): a small model
        # takes some given names for towns
        return max(
            inside,
            key=lambda p: (
                before(p) != "from",
                SPECIFICITY.get(p["kind"], 0),
                before(p) in _LOCATIVE,
                -p["start"],
            ),
        )

    def fallback(self, doc: Doc, places: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
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
