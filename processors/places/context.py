"""What the words around a place name say: a qualifier ("Parkland, Florida"), a direction
("north of Aleppo"), a unit suffix ("Harris County"), a slot where places stand ("in X"),
an agency ("Moscow said"), a possessor ("Syria's Idlib")."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from processors.places.datelines import dateline, is_source_credit
from processors.places.gazetteer import Gazetteer
from processors.places.words import (
    ADMIN_WORDS,
    AGENCY_NOUNS,
    AGENCY_VERBS,
    CONNECTORS,
    COUNTY_SERVICES,
    DIRECTIONS,
    INSTITUTIONS,
    LOCAL_SERVICES,
    LOCATIVE,
    NAME_LINKS,
    PLACE_NOUNS,
    PLACE_WORDS,
    POSTAL_COUNTRIES,
    QUALIFIER_KINDS,
    SITE_NOUNS,
    SITTING_BODIES,
)

__all__ = [
    "admin_suffix",
    "agency",
    "capitalised",
    "direction_of",
    "in_place_chain",
    "locative",
    "modifier",
    "named_place_of",
    "place_slot",
    "possessor",
    "qualifier",
    "strong_slot",
    "town_at_a_time",
]


def locative(span: Span, *, conjuncts: bool = True) -> bool:
    """Does the syntax put ``span`` where places stand? ("in X", "city of X", "X prison"; and
    with ``conjuncts``, "between Raqqa and Hama")"""
    head = _first_conjunct(span.root) if conjuncts else span.root
    if head.dep_ == "pobj" and head.head.lower_ in LOCATIVE:
        return True
    if named_place_of(span, conjuncts=conjuncts):
        return True
    return head.dep_ in ("compound", "nmod", "amod") and head.head.lemma_ in SITE_NOUNS


def _first_conjunct(tok: Token) -> Token:
    while tok.dep_ == "conj" and tok.head is not tok:  # "between Raqqa and Hama"
        tok = tok.head
    return tok


def named_place_of(span: Span, *, conjuncts: bool = True) -> bool:
    """ "the city of X", "the countryside of X", "40km north of X", "X, a town": whatever the
    NER called X, the words around it say it is a place."""
    head = _first_conjunct(span.root) if conjuncts else span.root
    if head.dep_ == "pobj" and head.head.lower_ == "of":
        noun = head.head.head
        return noun.lemma_ in PLACE_NOUNS or noun.lower_ in DIRECTIONS
    return head.dep_ == "appos" and head.head.lemma_ in PLACE_NOUNS


def capitalised(tok: Token) -> bool:
    """Starts with a capital ("Dar'a" is not str.istitle(), but it is a name), or with a
    one-letter prefix before one ("eThekwini", "iSimangaliso")."""
    text = tok.text
    return text[:1].isupper() or (len(text) > 3 and text[0].islower() and text[1].isupper())


def _postal_code(word: str, gazetteer: Gazetteer) -> str | None:
    """ "Lima, OH": right after a town and a comma, two capitals are a state's postal code
    (its ISO 3166-2 code), even the ones that are words elsewhere ("OH", "IN", "OK", "ME"),
    which are no place on their own."""
    if len(word) != 2 or not word.isupper() or not word.isalpha():
        return None
    for country in POSTAL_COUNTRIES:
        region = gazetteer.admin1(f"{country}-{word}")
        if region is not None:
            return region.name
    return None


def qualifier(doc: Doc, end: int, gazetteer: Gazetteer) -> str | None:
    """The places that pin this one down, "|"-joined: "Parkland, Florida" gives "Florida";
    "Gaskinde (Pobe-Mengao, Soum)" gives "(Pobe-Mengao|Soum)" (every known name in the brackets;
    bracketed, or after "in", a town may qualify too, while after a comma only a region or a
    country does: "Damascus, Aleppo and Homs" is a list)."""
    if end < len(doc) and doc[end].lower_ in PLACE_WORDS:
        end += 1  # "Mora town (Mayo-Sava, Far North)"
    if end >= len(doc) or doc[end].lower_ not in (",", "(", "in"):
        return None
    link = doc[end].lower_
    kinds = QUALIFIER_KINDS if link != "," else ("admin1", "admin2", "country")
    i = end + 1
    close = len(doc)
    if link == "(":
        close = next((k for k in range(i, min(len(doc), i + 12)) if doc[k].text == ")"), i)
    limit = min(close, i + 8, len(doc))
    if link == "(" and any(t.ent_type_ in ("DATE", "TIME") or t.like_num for t in doc[i:close]):
        return None  # "KABUL, Afghanistan (May 3)": a date, not a place that pins it
    if link == "(" and is_source_credit(doc[i:close]):
        return None  # "LOUISVILLE, KY (WAVE) -": the station that filed it, not a place
    if link == "," and i < len(doc):
        state = _postal_code(doc[i].text, gazetteer)
        if state is not None:
            return state
    names: list[str] = []
    while i < limit and not doc[i].is_sent_start:
        if doc[i].ent_type_ in ("DATE", "TIME"):
            break  # "moved to West Virginia in May": a month, not the town of May
        if not capitalised(doc[i]):
            if doc[i].text in (",", "-", "the") or doc[i].lower_ in ("of", "the"):
                i += 1
                continue
            break
        stop = i
        while (
            stop < limit
            and (
                capitalised(doc[stop])
                or doc[stop].text == "-"
                or doc[stop].lower_ == "of"
                or (  # "Gracias a Dios"
                    doc[stop].lower_ in NAME_LINKS
                    and stop + 1 < limit
                    and capitalised(doc[stop + 1])
                )
                or (
                    stop > i
                    and not doc[stop - 1].whitespace_
                    and doc[stop].is_alpha is False
                    and doc[stop].text[:1] in "'’-"
                )
                or (stop > i and not doc[stop - 1].whitespace_ and doc[stop].text[:1] in "'’")
            )
        ):
            stop += 1
        while stop > i + 1 and doc[stop - 1].text == "-":
            stop -= 1
        for last in range(stop, i, -1):  # the longest known name
            rest = doc[last:stop]
            if (
                rest
                and not rest[0].is_stop  # "Parkland, Florida The ...": a sentence glued on
                and rest[-1].lower_ not in INSTITUTIONS
                and any(t.lower_ not in PLACE_NOUNS for t in rest)
            ):
                continue  # a part only before a unit word ("Kandahar Province") or in an
                # institution's name ("Boise State University"): "Bulo" of an unknown
                # "Bulo Burto" is some other place
            text = doc[i:last].text
            if any(p.kind in kinds for p, _ in gazetteer.lookup(text, variants=link == "(")):
                names.append(text)
                break
        if link != "(" and names:
            break
        i = max(stop, i + 1)
    if not names:
        return None
    joined = "|".join(names)
    return joined if link == "," else f"({joined})"


def possessor(doc: Doc, start: int, gazetteer: Gazetteer) -> str | None:
    """ "Chicago's Lawndale neighborhood", "Houston's Third Ward": the city whose part this is
    pins it, as "Lawndale, Chicago" would (the name before "'s", when the gazetteer knows it
    as a town or region)."""
    if start < 2 or doc[start - 1].lower_ not in ("'s", "’s"):
        return None
    first = start - 2
    while first > 0 and first > start - 5 and capitalised(doc[first - 1]):
        first -= 1
    for i in range(first, start - 1):  # the longest known name ending at the "'s"
        text = doc[i : start - 1].text
        if capitalised(doc[i]) and any(
            p.kind in ("city", "admin1", "admin2")
            for p, _ in gazetteer.lookup(text, variants=False)
        ):
            return text
    return None


def direction_of(doc: Doc, start: int) -> tuple[str | None, int]:
    """("northeast", new start) for "northeastern Syria" / "north-eastern Syria"."""
    if start == 0:
        return None, start
    prev = doc[start - 1].lower_
    if prev in DIRECTIONS:
        if (
            start >= 3
            and doc[start - 2].text == "-"
            and doc[start - 3].lower_
            in (
                "north",
                "south",
            )
        ):
            combined = doc[start - 3].lower_ + prev.removesuffix("ern")
            return DIRECTIONS.get(combined, DIRECTIONS[prev]), start - 3
        return DIRECTIONS[prev], start - 1
    return None, start


def agency(span: Span) -> bool:
    """Does the syntax make ``span`` an actor? ("Washington seeks", "Moscow's plan",
    a "Damascus: ..." headline)"""
    head = span.root
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_ in AGENCY_VERBS:
        return True
    if head.dep_ == "poss" and head.head.lemma_ in AGENCY_NOUNS:
        return True
    doc = span.doc
    return span.start == 0 and span.end < len(doc) and doc[span.end].text == ":"


def admin_suffix(doc: Doc, end: int) -> str | None:
    """ "District" when the name is one of "Barrow, Jackson and Madison counties" or is followed
    by "district" or "province", so "Ilam" is looked up as "Ilam District"."""
    i = end
    while i < len(doc) and i - end < 8:
        word = doc[i].lower_
        if word in ADMIN_WORDS:
            plural = word.endswith("s") and word not in ("parishes",)
            return ADMIN_WORDS[word] if (i == end or plural or word == "parishes") else None
        if not (doc[i].text in (",", "and", "or", "&") or doc[i].is_title):
            return None
        i += 1
    return None


def place_slot(doc: Doc, start: int, end: int) -> bool:
    """Does the syntax make tokens [start, end) a place name? "in X", "village of X",
    "X (Region)", "X district"."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if before is not None and before.lower_ in LOCATIVE:
        return True
    if (
        before is not None
        and before.lower_ == "of"
        and start > 1
        and (doc[start - 2].lower_ in PLACE_WORDS)
    ):
        return True
    if dateline(doc, start, end):
        return True
    return after is not None and (after.text == "(" or after.lower_ in PLACE_WORDS)


_TIME_LINKS = frozenset({"on", "at", "early", "late", "last", "this", "overnight"})


def town_at_a_time(doc: Doc, start: int, end: int) -> bool:
    """ "shot in Humble on Monday", "in Hope late Sunday": a one-word name between "in" and
    a time is where it happened, whatever the NER made of it (it takes small towns named by
    ordinary words for organisations). Not a body that sits ("in Congress on Monday")."""
    if end - start != 1 or start == 0 or doc[start - 1].lower_ != "in":
        return False
    name = doc[start]
    if not name.is_title or name.lower_ in SITTING_BODIES:
        return False
    i = end
    while i < len(doc) and i < end + 2 and doc[i].lower_ in _TIME_LINKS:
        i += 1
    return i < len(doc) and doc[i].ent_type_ in ("DATE", "TIME")


def strong_slot(doc: Doc, start: int, end: int) -> bool:
    """ "in X", "X village": slots that make a name a place even when it is spelled unlike any
    the gazetteer has. A bracket after a name ("Total (nine wickets)") does not."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    return (before is not None and before.lower_ in LOCATIVE) or (
        after is not None and after.lower_ in PLACE_WORDS
    )


def in_place_chain(doc: Doc, start: int, end: int) -> bool:
    """Is [start, end) a later link of a chain of places - "in Barangay Poblacion, Marawi,
    Lanao del Sur", "the area of Umlazi (eThekwini, KwaZulu-Natal)" - whose first link
    stands where places stand? Wire copy and incident reports name a place by its chain of
    larger units, and the NER often takes the later links for people or organisations."""
    after = doc[end] if end < len(doc) else None
    if after is not None and after.text not in (",", ")", ".", ";", "(") and after.pos_ == "VERB":
        return False  # "in Washington, Smith said": a name, not the next link
    i = start - 1
    if i < 0 or doc[i].text not in (",", "("):
        return False

    def named(tok: Token) -> bool:  # "Marawi", and "eThekwini" too
        return any(c.isupper() for c in tok.text)

    while i >= 0 and start - i <= 12:
        tok = doc[i]
        if tok.text in (",", "(") or named(tok) or tok.lower_ in CONNECTORS:
            i -= 1
            continue
        break
    if start - i > 12:
        return False
    first = i + 1  # the chain's first link: after "in", or the text's opening ("BEIRUT, ...")
    while first < start and not named(doc[first]):  # "of" in "area of X"
        first += 1
    link = first + 1
    while link < start and doc[link].text not in (",", "("):  # "Kafr Qaddum, ..."
        link += 1
    return first < start and place_slot(doc, first, link)


def modifier(span: Span, gazetteer: Gazetteer) -> bool:
    """A country or region name modifying a noun ("US air force aircraft", "Syrian-backed")
    says whose, not where; a modified site ("Hasakah prison") stays a place."""
    root = span.root
    doc = span.doc
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.text in ("(", ","):
        return False  # "Tokabangou (Markoye, Oudalan)": a qualified place, whatever the parse
    nxt = (
        doc[span.end + 1]
        if after is not None and after.text == "-" and span.end + 1 < len(doc)
        else after
    )
    if nxt is not None and nxt.lemma_ in ("back", "lead", "support", "base", "sponsor", "run"):
        return True  # "a Turkey-backed faction", "US-led invasion"
    serves = _serves(span) or root.head.lemma_ in LOCAL_SERVICES
    if serves and not _a_country(span.text, gazetteer):
        return False  # "DC police officials": the force of the place, at work there
    return (
        root.dep_ in ("compound", "amod", "nmod")
        and root.head.pos_ == "NOUN"
        and root.head.lemma_ not in SITE_NOUNS | PLACE_NOUNS
    )


def _serves(span: Span) -> bool:
    """Does the place name a local force ("Dayton police", "Fresno firefighters", "Cook
    County sheriff's deputies")? A county's force only with the county's word: a bare
    "Caddo coroner" names a parish the bare name would not find."""
    doc = span.doc
    if span.end >= len(doc):
        return False
    word = doc[span.end].lower_
    return word in LOCAL_SERVICES or (word in COUNTY_SERVICES and span[-1].lower_ in ADMIN_WORDS)


def _a_country(text: str, gazetteer: Gazetteer) -> bool:
    """Is the name first of all a country's ("US officers" are a nation's, not local)?"""
    options = gazetteer.candidates(text)
    return bool(options) and options[0][0].kind == "country"
