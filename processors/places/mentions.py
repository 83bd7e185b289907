"""Finding place names in a parsed Doc and describing each one for the resolver.

Sources of mentions, in order of trust:

1. entities the NER labels GPE, LOC or FAC;
2. entities it labels PERSON, ORG or NORP that are places after all: a name the gazetteer knows
   as a prominent place, standing where places stand ("in al-Hasakah", "at Headingley"), and not
   part of a person's name elsewhere in the article; these are relabelled GPE (and a name
   given an age anywhere in the article, "Tyler Smith, 15,", is a person's wherever it
   recurs, whatever the NER took it for);
3. runs of proper nouns the NER left alone that the gazetteer knows (longest match first).

For each mention it also reads the syntax around it: a qualifier ("Parkland, Florida",
"Jaghuri (Ghazni)"), a direction ("northeastern Syria") and metonymy (a capital or country
standing for its government: "Washington seeks", "Damascus's position", a "Damascus:" headline).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from processors.nlp.aliases import CURATED
from processors.nlp.spans import doc_text
from processors.places.context import (
    admin_suffix,
    agency,
    direction_of,
    in_place_chain,
    locative,
    modifier,
    named_place_of,
    place_slot,
    possessor,
    qualifier,
    strong_slot,
    town_at_a_time,
)
from processors.places.datelines import dateline, dateline_names
from processors.places.gazetteer import Gazetteer, Place
from processors.places.names import (
    addresses,
    aged_names,
    demonym_country,
    embedded,
    extend_names,
    headless,
    hyphenated,
    inside_facility_name,
    is_team,
    mention_of,
    merge_compound_names,
    namelike,
    no_name_alone,
    numbered_venue,
    person_name_parts,
    prominent,
    proper_run,
    regions,
    split_at_locative,
    with_unit_name,
    without_direction,
)
from processors.places.resolve import Mention
from processors.places.sports import is_sports_report
from processors.places.words import (
    ADMIN_UNITS,
    LOCAL_SERVICES,
    LOCATIVE,
    MAYBE_PLACE,
    NAME_LINKS,
    PLACE_LABELS,
    PLACE_WORDS,
    SETTLEMENTS,
    TITLES,
)
from processors.text.normalise import place_key

__all__ = ["PlaceSpan", "find_place_spans", "locale_hints", "mark_metonymy"]


@dataclass
class PlaceSpan:
    """A mention plus the Doc span it came from and whether the NER had it as a place."""

    mention: Mention
    span: Span
    relabelled: bool = False
    from_gazetteer: bool = False


def _metonymic(ps: PlaceSpan, place: Place | None, gazetteer: Gazetteer) -> bool:
    """A capital as an actor stands for its government. (A country as an actor is still the
    country: "Syria's representative" is about Syria.)"""
    return place is not None and ps.mention.agency and gazetteer.is_capital(place)


def locale_hints(doc: Doc, vocabulary: dict[str, str]) -> Counter[str]:
    """Country evidence from words, not names: "sheriff" and "township" are American."""
    hints: Counter[str] = Counter()
    text = doc_text(doc).lower()
    for phrase, country in vocabulary.items():
        if phrase in text:
            hints[country] += 0.5
    return Counter({c: min(2.0, n) for c, n in hints.items()})


def find_place_spans(
    doc: Doc, gazetteer: Gazetteer, vocabulary: dict[str, str] | None = None
) -> tuple[list[PlaceSpan], Counter[str]]:
    """Every place mention of ``doc`` (relabelling mislabelled entities in ``doc.ents``), and
    country hints that are not places: demonyms ("Syrian") and locale vocabulary.

    Three passes: the entities the NER found (kept, relabelled or read as places), the runs of
    proper nouns it missed that name known places, and, for the resolver, what the text says
    around each literal mention (qualifier, direction, unit suffix, modifier, agency)."""
    finder = _Finder(doc, gazetteer, locale_hints(doc, vocabulary or {}))
    ents = dateline_names(doc, split_at_locative(doc, list(doc.ents)), gazetteer)
    ents = extend_names(doc, merge_compound_names(doc, ents, gazetteer), gazetteer)
    ents = filter_spans(ents)
    in_ents = {i for ent in ents for i in range(ent.start, ent.end)}
    for ent in ents:
        finder.entity(with_unit_name(ent, in_ents))
    finder.missed_runs()
    doc.ents = sorted(finder.new_ents, key=lambda s: s.start)
    finder.found.sort(key=lambda ps: ps.mention.start)
    for ps in finder.found:
        if ps.mention.role == "literal":
            _describe(ps, doc, gazetteer)
    return finder.found, finder.demonyms


class _Finder:
    """One document's pass over its entities and proper-noun runs: the place mentions found,
    the entities as they will be (``new_ents``), and country hints (``demonyms``)."""

    def __init__(self, doc: Doc, gazetteer: Gazetteer, demonyms: Counter[str]) -> None:
        self.doc, self.gazetteer, self.demonyms = doc, gazetteer, demonyms
        self.sports = is_sports_report(doc)
        self.person_parts = person_name_parts(doc)
        self.aged = aged_names(doc)
        self.found: list[PlaceSpan] = []
        self.new_ents: list[Span] = []

    def entity(self, ent: Span) -> None:
        """One NER entity: a demonym, a team, a place, a name the NER took for something else
        that stands where a place stands, a place inside an organisation's name, or none of
        these (kept as it is)."""
        doc, gazetteer, found, new_ents = self.doc, self.gazetteer, self.found, self.new_ents
        demonym = None
        if ent.label_ == "NORP":
            ent, demonym = self._read_demonym(ent)
        if self.sports and ent.ent_id_ != CURATED and is_team(ent, gazetteer):
            team = Span(doc, ent.start, ent.end, label="ORG")
            found.append(
                PlaceSpan(Mention(ent.text, ent.start_char, ent.end_char, role="team"), team)
            )
            new_ents.append(team)
            return
        if len(ent) == 1 and (
            addresses(doc, ent.start) or no_name_alone(doc, ent.start, gazetteer)
        ):
            return  # "Ms. Carter": a form of address, not Mississippi; "an Easter party"
        if (
            ent.label_ == "FAC"
            and ent.ent_id_ != CURATED
            and ent.start > 0
            and doc[ent.start - 1].lower_ == "on"
        ):
            new_ents.append(ent)
            return  # "a shooting on Broadway": a street the NER calls a facility, no town
        if all(tok.lower_ in self.aged for tok in ent):
            new_ents.append(Span(doc, ent.start, ent.end, label="PERSON"))
            return  # "Tyler" of "Tyler Smith, 15,": a boy, not a town
        if ent.label_ in PLACE_LABELS and headless(ent):
            whole = Span(doc, ent.start - 1, ent.end, label=ent.label_)
            if not gazetteer.candidates(whole.text):
                new_ents.append(ent)
                return  # "at Mount Sinai" cut to "Sinai": the name is the whole, unknown
            ent = whole
        if ent.label_ in PLACE_LABELS and inside_facility_name(ent):
            new_ents.append(Span(doc, ent.start, ent.end, label="FAC"))
            return  # "Mount Carmel Hospital": a hospital's name, not the town
        if ent.label_ in PLACE_LABELS and namelike(ent.text) and not numbered_venue(ent):
            named = without_direction(ent, gazetteer)  # the entity stays whole
            found.append(PlaceSpan(mention_of(named, ent), named))
            new_ents.append(ent)
            return
        if (
            ent.label_ in MAYBE_PLACE
            and demonym is None
            and ent.ent_id_ != CURATED
            and namelike(ent.text)
            and self._stands_as_place(ent)
        ):
            relabelled = Span(doc, ent.start, ent.end, label="GPE")
            found.append(PlaceSpan(mention_of(ent, ent), relabelled, True))
            new_ents.append(relabelled)
            return
        if ent.label_ == "ORG":
            inner = embedded(ent, gazetteer)
            if inner is not None:
                country = demonym_country(inner.text, gazetteer)
                fixed = gazetteer.country(country) if country else None
                mention = Mention(
                    inner.text, inner.start_char, inner.end_char, role="embedded", fixed=fixed
                )
                found.append(PlaceSpan(mention, inner))
        new_ents.append(ent)

    def _read_demonym(self, ent: Span) -> tuple[Span, Place | None]:
        """A demonym's country ("Syrian"), counted as a hint; not in "Somali region", a region
        of Ethiopia named like Somalia's people (relabelled a place)."""
        doc, gazetteer = self.doc, self.gazetteer
        country = demonym_country(ent.text, gazetteer)
        place = gazetteer.country(country) if country else None
        after = doc[ent.end].lower_ if ent.end < len(doc) else ""
        if place is not None and after in ADMIN_UNITS and regions(ent.text, gazetteer):
            return Span(doc, ent.start, ent.end, label="GPE"), None
        if place is not None:
            self.demonyms[place.country or ""] += 1
            mention = Mention(ent.text, ent.start_char, ent.end_char, role="demonym", fixed=place)
            self.found.append(PlaceSpan(mention, ent))
        return ent, place

    def _stands_as_place(self, ent: Span) -> bool:
        """Does a name the NER took for a person, a group or something else stand where a place
        stands: a known place after "in" or "from", one pinned by a qualifier ("Gulu,
        Uganda"), in a dateline, beside other places, before "County"? Not after a title
        ("President Jackson") nor a part of a person's name told elsewhere."""
        doc, gazetteer = self.doc, self.gazetteer
        slot = place_slot(doc, ent.start, ent.end)
        options = gazetteer.lookup(ent.text, variants=strong_slot(doc, ent.start, ent.end))
        titled = ent.start > 0 and doc[ent.start - 1].lower_ in TITLES
        is_person_part = (
            ent.label_ == "PERSON"
            and any(tok.lower_ in self.person_parts for tok in ent)
            and len(ent) == 1
        )
        pinned = slot and qualifier(doc, ent.end, gazetteer) is not None
        return (
            not titled
            and not is_person_part
            and bool(
                (options and prominent(options) and (ent.label_ == "PERSON" or locative(ent)))
                or (
                    options
                    and locative(ent, conjuncts=False)  # "from Portugal and Pedro I"
                    and ent.label_ in ("PERSON", "NORP")
                )
                or (options and named_place_of(ent))
                or (pinned and ent.label_ != "PERSON" and not options)
                or (pinned and ent.start > 0 and doc[ent.start - 1].lower_ in LOCATIVE)
                or (options and in_place_chain(doc, ent.start, ent.end))
                or (
                    ent.label_ != "PERSON"  # "confidence in Johnson on Monday": a person
                    and any(p.kind == "city" and w >= 0.9 for p, w in options)
                    and town_at_a_time(doc, ent.start, ent.end)
                )
                or (options and dateline(doc, ent.start, ent.end))
                or (
                    options
                    and ent.end < len(doc)
                    and doc[ent.end].lower_ in PLACE_WORDS | LOCAL_SERVICES
                )
            )
        )

    def missed_runs(self) -> None:
        """Runs of proper nouns the NER missed that name places (any name already found as a
        place counts wherever it recurs: "Parkland is grieving"), longest first."""
        doc, gazetteer = self.doc, self.gazetteer
        known_names = {
            place_key(ps.mention.text) for ps in self.found if ps.mention.role == "literal"
        }
        taken = {i for ent in self.new_ents for i in range(ent.start, ent.end)}
        i = 0
        while i < len(doc):
            if i in taken or not proper_run(doc[i]) or addresses(doc, i):
                i += 1
                continue
            alone = i + 1 >= len(doc) or i + 1 in taken or not proper_run(doc[i + 1])
            if alone and no_name_alone(doc, i, gazetteer):
                i += 1
                continue
            j = _run_end(doc, i, taken)
            for end in range(j, i, -1):  # longest first
                if end < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_:
                    continue  # never half of a hyphenated name ("Nord" of "Nord-Ouest")
                if end - i > 1 and doc[end - 1].lower_ in NAME_LINKS:
                    continue  # "Bir at" of "Bir at Tutah" is no name
                span = doc[i:end]
                slot = place_slot(doc, i, end)
                options = gazetteer.lookup(span.text, variants=strong_slot(doc, i, end))
                known = options and (
                    prominent(options) or slot or place_key(span.text) in known_names
                )
                pinned = not options and slot and end == j and qualifier(doc, end, gazetteer)
                aged = all(t.lower_ in self.aged for t in span)  # a person's name
                if (known or pinned) and namelike(span.text) and not aged:
                    self._run_place(i, end, options[0][0] if options else None)
                    taken.update(range(i, end))
                    i = end
                    break
            else:
                i = j if j > i else i + 1

    def _run_place(self, start: int, end: int, kind: str | None) -> None:
        """A run of proper nouns taken as a place (or, in a sports report, a team)."""
        doc = self.doc
        span = Span(doc, start, end, label=_label_for(kind) if kind else "GPE")
        role = "literal"
        if self.sports and is_team(span, self.gazetteer):
            span, role = Span(doc, start, end, label="ORG"), "team"
        mention = Mention(span.text, span.start_char, span.end_char, role=role)
        self.found.append(PlaceSpan(mention, span, from_gazetteer=True))
        self.new_ents.append(span)


def _run_end(doc: Doc, i: int, taken: set[int]) -> int:
    """Where a run of proper nouns from ``i`` ends (at most five tokens, joined by name links
    such as "al" or "de", or by a hyphen)."""
    j = i
    while (
        j < len(doc)
        and j - i < 5
        and j not in taken
        and (
            proper_run(doc[j])
            or (doc[j].lower_ in NAME_LINKS and j + 1 < len(doc) and proper_run(doc[j + 1]))
            or (j > i and hyphenated(doc, j))
        )
    ):
        j += 1
    return j


def _describe(ps: PlaceSpan, doc: Doc, gazetteer: Gazetteer) -> None:
    """What the text says around a literal mention, for the resolver: a modifier ("Texas
    law"), an agency ("Moscow said"), a unit suffix ("Harris County"), its qualifier
    ("Parkland, Florida") and a direction ("north of Aleppo")."""
    _peel_place_words(ps, gazetteer)
    if modifier(ps.span, gazetteer):
        ps.mention.role = "modifier"
        return
    ps.mention.agency = agency(ps.span)
    suffix = admin_suffix(doc, ps.span.end)
    if suffix and not ps.mention.text.endswith(suffix):
        with_suffix = f"{ps.mention.text} {suffix}"
        if gazetteer.candidates(with_suffix):
            ps.mention.lookup = with_suffix
        # the text says it is a unit: a qualifier it does not lie in wins over namesakes
        ps.mention.prefer_admin = True
    ps.mention.qualifier = qualifier(doc, ps.span.end, gazetteer) or possessor(
        doc, ps.span.start, gazetteer
    )
    direction, start = direction_of(doc, ps.span.start)
    if direction:
        ps.mention.direction = direction
        ps.mention.start = doc[start].idx


def _peel_place_words(ps: PlaceSpan, gazetteer: Gazetteer) -> None:
    """ "Libreville city", "Barangay Camudlas", "Ilam district": look up the name alone (and
    for "district" or "province" prefer regions). A unit word in or after the name ("Tsrancha
    village", "Quamishli city") also says the place is a settlement."""
    words = ps.span
    doc = words.doc
    after = doc[words.end] if words.end < len(doc) else None
    if after is not None and after.is_lower and after.lower_ in SETTLEMENTS:
        ps.mention.settlement = True
    if len(words) < 2:
        return
    first, last = words[0].lower_, words[-1].lower_
    text = None
    if last in PLACE_WORDS and not gazetteer.candidates(words.text):
        text = words[:-1].text
        ps.mention.prefer_admin = last in ("district", "province", "region", "governorate")
    elif first in ("barangay", "village", "town", "city", "district") and not (
        gazetteer.candidates(words.text)
    ):
        text = words[1:].text
    if text:  # the unit word is not part of the name: it says what kind of place this is
        ps.mention.lookup = text
        ps.mention.settlement = ps.mention.settlement or last in SETTLEMENTS or first in SETTLEMENTS


def _label_for(place: Place) -> str:
    if place.kind in ("region", "continent"):
        return "LOC"
    if place.kind == "landmark":
        return "FAC"
    return "GPE"


def mark_metonymy(spans: list[PlaceSpan], places: list[Place | None], gazetteer: Gazetteer) -> None:
    for ps, place in zip(spans, places, strict=True):
        ps.mention.metonymic = _metonymic(ps, place, gazetteer)
