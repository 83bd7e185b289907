"""Is a span a place name, and which part of it: name-likeness, teams of sports reports, a
place inside an organisation's or a facility's name, units and directions that belong to the
name ("Harris County", "South Florida"), demonyms, forms of address that are no places."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from processors.nlp.spans import doc_text
from processors.places.context import (
    capitalised,
    in_place_chain,
    place_slot,
    qualifier,
)
from processors.places.gazetteer import Gazetteer, Place
from processors.places.resolve import Mention
from processors.places.sports import HOME_NATIONS
from processors.places.words import (
    ADMIN_UNITS,
    ARTICLES,
    CONNECTORS,
    DIRECTIONS,
    FACILITY_HEADS,
    FEASTS,
    INSTITUTIONS,
    NAME_HEADS,
    NAME_LINKS,
    NOT_NAMES,
    PLACE_LABELS,
    TITLES,
    UNIT_WORDS,
)

__all__ = [
    "addresses",
    "demonym_country",
    "embedded",
    "extend_names",
    "headless",
    "hyphenated",
    "inside_facility_name",
    "is_team",
    "mention_of",
    "merge_compound_names",
    "namelike",
    "no_name_alone",
    "numbered_venue",
    "aged_names",
    "person_name_parts",
    "prominent",
    "proper_run",
    "regions",
    "split_at_locative",
    "with_unit_name",
    "without_direction",
]


def prominent(options: list[tuple[Place, float]]) -> bool:
    return any(
        w >= 0.9
        and (
            p.kind in ("country", "admin1", "admin2", "region", "landmark", "continent")
            or p.population >= 50_000
        )
        for p, w in options
    )


def is_team(ent: Span, gazetteer: Gazetteer) -> bool:
    """In a sports report: a town, county or state name standing as a player, not a venue
    ("at Headingley"), a dateline ("LONDON 1996-08-30") or a country."""
    if ent.label_ not in ("GPE", "LOC", "ORG", "PERSON", "NORP") or (
        ent.text.lower() in HOME_NATIONS
    ):
        return False
    options = gazetteer.candidates(ent.text)
    if not options or not prominent(options):
        return False
    best = max(options, key=lambda pw: (pw[1], pw[0].population))[0]
    if best.kind not in ("city", "admin1", "admin2"):
        return False
    doc = ent.doc
    before = doc[ent.start - 1] if ent.start > 0 else None
    if before is not None and before.lower_ in ("at", "in", "near", "from", "to", "of"):
        return False  # a venue or a home town
    at_line_start = ent.start == 0 or "\n" in doc[ent.start - 1].text_with_ws
    after = doc[ent.end] if ent.end < len(doc) else None
    return not (at_line_start and after is not None and after.like_num and "-" in after.text)


def namelike(text: str) -> bool:
    """Not a bare direction, generic word or article: "West" names a region of Cameroon and
    "Al" a Norwegian municipality, but in an English article they are neither."""
    words = text.lower().split()
    short = len(text.strip()) < 3 and not text.strip().isupper()  # "US" and "UK" are names
    stripped = text.strip()
    if len(stripped) <= 4 and stripped[1:] != stripped[1:].lower() and not stripped.isupper():
        return False  # "JaS", "HoR": an acronym, not a place
    if not words or short or all(w in NOT_NAMES for w in words):
        return False
    if not any(c.isupper() for c in stripped):
        return False  # "can." of a quote gone wrong: a name has a capital somewhere
    return not (len(words) == 1 and words[0].strip(".-") in ARTICLES)


def numbered_venue(ent: Span) -> bool:
    """ "Club 21", "Cafe 54", "Studio 9": one word and the number right after it name a
    venue (the NER often keeps only the word), not a town called Club."""
    doc = ent.doc
    after = doc[ent.end] if ent.end < len(doc) else None
    return (
        len(ent) == 1
        and ent[0].is_title
        and ent.label_ == "FAC"
        and after is not None
        and after.like_num
        and ent[0].whitespace_ != ""  # "Club 21", not "Club21"
        and not (len(after.text) == 4 and after.text.isdigit())  # a year: "Mosul 2017"
    )


def with_unit_name(ent: Span, in_ents: set[int]) -> Span:
    """ "Calcasieu [Parish Sheriff's Office]": an entity the NER began at an administrative
    unit word lost the name before it; the whole is an organisation named after the unit."""
    doc = ent.doc
    before = doc[ent.start - 1] if ent.start > 0 else None
    if (
        len(ent) > 1
        and ent[0].lower_ in ADMIN_UNITS
        and ent.label_ in ("PERSON", "ORG")
        and before is not None
        and before.i not in in_ents
        and before.is_title
        and before.is_alpha
        and not before.is_stop  # "The County Sheriff's Office"
    ):
        return Span(doc, ent.start - 1, ent.end, label="ORG")
    return ent


def regions(text: str, gazetteer: Gazetteer) -> bool:
    return any(p.kind in ("admin1", "admin2") for p, _ in gazetteer.candidates(text))


def demonym_country(text: str, gazetteer: Gazetteer) -> str | None:
    return gazetteer.demonym_country(text) or (
        gazetteer.demonym_country(text[:-1]) if text.endswith("s") else None
    )


def embedded(ent: Span, gazetteer: Gazetteer) -> Span | None:
    """A place named inside an organisation's name: "Texas Department of Transportation",
    "Laurel County Sheriff's Office", "Russian Foreign Ministry". An institution's name
    ("Boise State University") is left alone: it names a campus, not its state."""
    if ent[-1].lower_ in INSTITUTIONS or ent[0].lower_ in INSTITUTIONS:
        return None
    for end in range(ent.end - 1, ent.start, -1):  # longest proper prefix first
        prefix = ent.doc[ent.start : end]
        if hyphenated(ent.doc, end):
            continue  # "Nord" of "Nord-Ouest" names nothing
        if (
            all(tok.is_title or tok.is_upper for tok in prefix)
            and namelike(prefix.text)
            and (
                prominent(gazetteer.candidates(prefix.text))
                or demonym_country(prefix.text, gazetteer)
            )
        ):
            return prefix
    for tok in ent[:-1]:
        if tok.lower_ in ("of", "in"):
            tail = ent.doc[tok.i + 1 : ent.end]
            if prominent(gazetteer.candidates(tail.text)):
                return tail
    return None


def person_name_parts(doc: Doc) -> set[str]:
    parts: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            parts.update(tok.lower_ for tok in ent)
    return parts


def aged_names(doc: Doc) -> set[str]:
    """The words of the names news gives an age after ("Tyler Smith, 15, was shot"; "Tyler,
    15,"): people, wherever else the article names them, whatever the NER took them for. A
    place is never followed by an age between commas."""
    names: set[str] = set()
    for match in _AGE_RE.finditer(doc_text(doc)):
        if not 0 < int(match.group(1)) <= 110:
            continue
        comma = doc.char_span(match.start(), match.start() + 1)
        number = doc.char_span(match.start(1), match.end(1))
        if comma is None or number is None or len(number) != 1:
            continue  # not "2,000,": the number is a word of its own
        i = comma.start - 1
        while i >= 0 and comma.start - 1 - i < 3 and doc[i].pos_ == "PROPN" and doc[i].is_title:
            names.add(doc[i].lower_)
            i -= 1
    return names


_AGE_RE = re.compile(r",\s*(\d{1,3})\s*,")


def hyphenated(doc: Doc, j: int) -> bool:
    """Is token ``j`` inside a hyphenated word ("ez" and both hyphens of "Deir-ez-Zor")?"""
    if j == 0:
        return False
    glued_before = not doc[j - 1].whitespace_
    if doc[j].text == "-":
        return glued_before and not doc[j].whitespace_ and j + 1 < len(doc) and doc[j + 1].is_alpha
    return glued_before and doc[j - 1].text == "-" and doc[j].is_alpha


def proper_run(tok: Token) -> bool:
    return tok.pos_ == "PROPN" or (
        tok.is_title and tok.pos_ in ("NOUN", "ADJ") and not tok.is_sent_start
    )


def split_at_locative(doc: Doc, ents: list[Span]) -> list[Span]:
    """ "Kelly in Idleb" taken as one name becomes "Kelly" and "Idleb": a lower-case locative
    inside a name is where one name ends and the next place begins."""
    out = []
    for ent in ents:
        cut = next(
            (
                t.i
                for t in ent[1:-1]
                if t.lower_ in ("in", "near", "outside") and t.is_lower and ent.label_ != "DATE"
            ),
            None,
        )
        if cut is None:
            out.append(ent)
            continue
        out += [Span(doc, ent.start, cut, ent.label_), Span(doc, cut + 1, ent.end, ent.label_)]
    return out


def extend_names(doc: Doc, ents: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """ "Sao Goncalo" followed by "do Amarante" (tagged something else) -> the known town
    "Sao Goncalo do Amarante", and "Kafr" (tagged alone) followed by "Qaddum" -> "Kafr Qaddum":
    extend a place to the longest known name it starts."""
    out: list[Span] = []
    skip_until = -1
    for ent in ents:
        if ent.start < skip_until:
            continue
        if (
            ent.label_ in PLACE_LABELS
            or place_slot(doc, ent.start, ent.end)
            or in_place_chain(doc, ent.start, ent.end)
        ):
            for extra in (4, 3, 2, 1):
                end = min(len(doc), ent.end + extra)
                tail = doc[ent.end : end]
                if (
                    not tail
                    or not (tail[0].lower_ in NAME_LINKS or capitalised(tail[0]))
                    or any(t.is_punct and t.text != "-" for t in tail)
                    or not tail[-1].is_alpha  # "FRANCE -" of a results line is "FRANCE"
                ):
                    continue
                longer = doc[ent.start : end]
                if any(w >= 0.9 for _, w in gazetteer.candidates(longer.text)):
                    ent = Span(doc, ent.start, end, label="GPE")
                    skip_until = end
                    break
        out.append(ent)
    return [e for e in out if e.start >= 0]


def addresses(doc: Doc, i: int) -> bool:
    """A form of address ("Ms.", "Dr.") before a capitalised word: the small model tags "Ms."
    a place now and then, and the gazetteer knows it (Mississippi's postal code); it is none."""
    return doc[i].lower_ in TITLES and i + 1 < len(doc) and doc[i + 1].is_title


def headless(ent: Span) -> bool:
    """Did the NER cut a name's head off ("at Mount Sinai" tagged "Sinai", "Fort Hood" tagged
    "Hood")? The place is the whole name; when the gazetteer does not know the whole, the part
    names something else (a hospital, a base), not the peninsula or town of that word."""
    if ent.start == 0:
        return False
    head = ent.doc[ent.start - 1]
    return head.is_title and head.lower_ in NAME_HEADS


def no_name_alone(doc: Doc, i: int, gazetteer: Gazetteer) -> bool:
    """Token ``i`` alone is no place name: the head of one without the rest ("Mount"), a word
    for a unit or a part of a place ("Kebele", "Province"), or a feast ("an Easter party")
    that no state or country after a comma pins as the town."""
    word = doc[i].lower_
    return (
        word in NAME_HEADS
        or word in UNIT_WORDS  # "Kebele", "District" alone: a unit's word
        or (word in FEASTS and qualifier(doc, i + 1, gazetteer) is None)
    )


def mention_of(named: Span, ent: Span) -> Mention:
    """The mention of the place ``named`` in the entity ``ent``: inside a name when the entity
    is a station's brand."""
    role = "embedded" if _station_brand(ent) else "literal"
    return Mention(named.text, named.start_char, named.end_char, role=role)


def _station_brand(ent: Span) -> bool:
    """ "KXAN 36 Austin", "WXYZ 7 Detroit": a broadcaster's call letters and channel before
    the name make it the station's brand (a place inside a name), not a place the story tells
    of."""
    doc = ent.doc
    if ent.start < 2 or not doc[ent.start - 1].like_num:
        return False
    call = doc[ent.start - 2]  # recased when unknown: the NER reads "KXAN" as "Kxan"
    if "DATE" in (call.ent_type_, doc[ent.start - 1].ent_type_):
        return False  # "On June 5 Dallas police said": a date, then the town
    return call.is_alpha and (call.is_upper or call.is_title) and 2 <= len(call) <= 5


def without_direction(ent: Span, gazetteer: Gazetteer) -> Span:
    """ "South Florida", "Northern California", "East Texas" tagged whole: a direction opening a
    name the gazetteer does not know whole is the part of the place the rest names, as in
    "southern Texas" (the direction before the name is read as one, ``direction_of``). Names
    known whole stay whole ("South Africa", "West Virginia"); the rest must be a notable place
    (a region, or a town of 50,000): "south Grand" is an avenue, not a village called Grand."""
    if len(ent) < 2 or ent[0].lower_ not in DIRECTIONS or gazetteer.candidates(ent.text):
        return ent
    rest = Span(ent.doc, ent.start + 1, ent.end, label=ent.label_)
    return rest if prominent(gazetteer.candidates(rest.text)) else ent


def inside_facility_name(ent: Span) -> bool:
    """``ent`` is a later word of a building's name ("Mount Carmel Hospital", "Grace Temple
    Church"): a name before it and a capitalised facility word after it, in one run."""
    doc = ent.doc
    if ent.start == 0 or not doc[ent.start - 1].is_title:
        return False
    for k in range(ent.end, min(len(doc), ent.end + 3)):
        if not doc[k].is_title:
            return False
        if doc[k].lower_ in FACILITY_HEADS:
            return True
    return False


def merge_compound_names(doc: Doc, ents: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """ "Sao Goncalo" + "do" + "Amarante" -> one name, when the gazetteer knows it."""
    out: list[Span] = []
    for ent in ents:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.label_ in PLACE_LABELS
            and ent.label_ in PLACE_LABELS
            and ent.start - prev.end <= 1
            and all(doc[k].lower_ in CONNECTORS for k in range(prev.end, ent.start))
        ):
            merged = doc[prev.start : ent.end]
            if gazetteer.candidates(merged.text):
                out[-1] = Span(doc, prev.start, ent.end, label=prev.label_)
                continue
        out.append(ent)
    return out
