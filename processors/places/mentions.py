"""Finding place names in a parsed Doc and describing each one for the resolver.

Sources of mentions, in order of trust:

1. entities the NER labels GPE, LOC or FAC;
2. entities it labels PERSON, ORG or NORP that are places after all: a name the gazetteer knows
   as a prominent place, standing where places stand ("in al-Hasakah", "at Headingley"), and not
   part of a person's name elsewhere in the article; these are relabelled GPE;
3. runs of proper nouns the NER left alone that the gazetteer knows (longest match first).

For each mention it also reads the syntax around it: a qualifier ("Parkland, Florida",
"Jaghuri (Ghazni)"), a direction ("northeastern Syria") and metonymy (a capital or country
standing for its government: "Washington seeks", "Damascus's position", a "Damascus:" headline).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from config import DATA_DIR
from processors.nlp.aliases import CURATED
from processors.nlp.spans import DASHES, doc_text, line_starts
from processors.places.gazetteer import Gazetteer, Place, place_key
from processors.places.resolve import Mention
from processors.places.sports import HOME_NATIONS, is_sports_report
from processors.vocabulary import load_word_lists

__all__ = ["DIRECTIONS", "PlaceSpan", "find_place_spans", "is_source_credit", "mark_newsroom"]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# the vocabulary of config/place_words.yaml, checked at import: a bad edit fails at start
_WORDS = load_word_lists(
    DATA_DIR / "place_words.yaml",
    (
        "titles", "agency_verbs", "agency_nouns", "not_names", "institutions", "admin_units",
        "area_nouns", "place_kind_words", "site_nouns", "settlements", "local_services",
        "county_services", "name_heads", "feasts", "facility_heads",
    ),
)  # fmt: skip
_MAYBE_PLACE = frozenset({"PERSON", "ORG", "NORP"})
_LOCATIVE = frozenset(
    "in at near outside around across from into inside throughout to toward towards via "
    "between within off".split()
)
_TITLES = _WORDS["titles"]
_CONNECTORS = frozenset(
    "of de del da do dos das al el la le upon on at ad as ash bin ibn abu - '".split()
)
# inside a multi-word name only (never to link a chain): "Gracias a Dios", "Trinidad y Tobago",
# and the Arabic and Persian "and" of many district names ("X wa Y", "X va Y")
_NAME_LINKS = _CONNECTORS | frozenset("a y e en sur sul am im wa va".split())
DIRECTIONS = {
    "north": "north",
    "northern": "north",
    "south": "south",
    "southern": "south",
    "east": "east",
    "eastern": "east",
    "west": "west",
    "western": "west",
    "northeast": "northeast",
    "northeastern": "northeast",
    "northwest": "northwest",
    "northwestern": "northwest",
    "southeast": "southeast",
    "southeastern": "southeast",
    "southwest": "southwest",
    "southwestern": "southwest",
    "central": "center",
}
_AGENCY_VERBS = _WORDS["agency_verbs"]
_AGENCY_NOUNS = _WORDS["agency_nouns"]


@dataclass
class PlaceSpan:
    """A mention plus the Doc span it came from and whether the NER had it as a place."""

    mention: Mention
    span: Span
    relabelled: bool = False
    from_gazetteer: bool = False


def _prominent(options: list[tuple[Place, float]]) -> bool:
    return any(
        w >= 0.9
        and (
            p.kind in ("country", "admin1", "admin2", "region", "landmark", "continent")
            or p.population >= 50_000
        )
        for p, w in options
    )


_NOT_NAMES = _WORDS["not_names"]
_INSTITUTIONS = _WORDS["institutions"]


_ARTICLES = frozenset("al el ad ar as at az an ash le la les los las der die".split())


def _team(ent: Span, gazetteer: Gazetteer) -> bool:
    """In a sports report: a town, county or state name standing as a player, not a venue
    ("at Headingley"), a dateline ("LONDON 1996-08-30") or a country."""
    if ent.label_ not in ("GPE", "LOC", "ORG", "PERSON", "NORP") or (
        ent.text.lower() in HOME_NATIONS
    ):
        return False
    options = gazetteer.candidates(ent.text)
    if not options or not _prominent(options):
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


def _namelike(text: str) -> bool:
    """Not a bare direction, generic word or article: "West" names a region of Cameroon and
    "Al" a Norwegian municipality, but in an English article they are neither."""
    words = text.lower().split()
    short = len(text.strip()) < 3 and not text.strip().isupper()  # "US" and "UK" are names
    stripped = text.strip()
    if len(stripped) <= 4 and stripped[1:] != stripped[1:].lower() and not stripped.isupper():
        return False  # "JaS", "HoR": an acronym, not a place
    if not words or short or all(w in _NOT_NAMES for w in words):
        return False
    if not any(c.isupper() for c in stripped):
        return False  # "can." of a quote gone wrong: a name has a capital somewhere
    return not (len(words) == 1 and words[0].strip(".-") in _ARTICLES)


def _numbered_venue(ent: Span) -> bool:
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


def _with_unit_name(ent: Span, in_ents: set[int]) -> Span:
    """ "Calcasieu [Parish Sheriff's Office]": an entity the NER began at an administrative
    unit word lost the name before it; the whole is an organisation named after the unit."""
    doc = ent.doc
    before = doc[ent.start - 1] if ent.start > 0 else None
    if (
        len(ent) > 1
        and ent[0].lower_ in _ADMIN_UNITS
        and ent.label_ in ("PERSON", "ORG")
        and before is not None
        and before.i not in in_ents
        and before.is_title
        and before.is_alpha
        and not before.is_stop  # "The County Sheriff's Office"
    ):
        return Span(doc, ent.start - 1, ent.end, label="ORG")
    return ent


def _regions(text: str, gazetteer: Gazetteer) -> bool:
    return any(p.kind in ("admin1", "admin2") for p, _ in gazetteer.candidates(text))


def _demonym(text: str, gazetteer: Gazetteer) -> str | None:
    return gazetteer.demonym_country(text) or (
        gazetteer.demonym_country(text[:-1]) if text.endswith("s") else None
    )


def _embedded(ent: Span, gazetteer: Gazetteer) -> Span | None:
    """A place named inside an organisation's name: "Texas Department of Transportation",
    "Laurel County Sheriff's Office", "Russian Foreign Ministry". An institution's name
    ("Boise State University") is left alone: it names a campus, not its state."""
    if ent[-1].lower_ in _INSTITUTIONS or ent[0].lower_ in _INSTITUTIONS:
        return None
    for end in range(ent.end - 1, ent.start, -1):  # longest proper prefix first
        prefix = ent.doc[ent.start : end]
        if _hyphenated(ent.doc, end):
            continue  # "Nord" of "Nord-Ouest" names nothing
        if (
            all(tok.is_title or tok.is_upper for tok in prefix)
            and _namelike(prefix.text)
            and (_prominent(gazetteer.candidates(prefix.text)) or _demonym(prefix.text, gazetteer))
        ):
            return prefix
    for tok in ent[:-1]:
        if tok.lower_ in ("of", "in"):
            tail = ent.doc[tok.i + 1 : ent.end]
            if _prominent(gazetteer.candidates(tail.text)):
                return tail
    return None


# the units incident reports name places by, around the world ("Biankouma subdivision",
# "Keerom regency", "Donga LGA", "Myebon township", "Shabelle zone", "Jaghuri district")
_ADMIN_UNITS = _WORDS["admin_units"]
_PLACE_NOUNS = _ADMIN_UNITS | _WORDS["area_nouns"]
_SITE_NOUNS = _WORDS["site_nouns"]


def _locative(span: Span, *, conjuncts: bool = True) -> bool:
    """Does the syntax put ``span`` where places stand? ("in X", "city of X", "X prison"; and
    with ``conjuncts``, "between Raqqa and Hama")"""
    head = _first_conjunct(span.root) if conjuncts else span.root
    if head.dep_ == "pobj" and head.head.lower_ in _LOCATIVE:
        return True
    if _named_place_of(span, conjuncts=conjuncts):
        return True
    return head.dep_ in ("compound", "nmod", "amod") and head.head.lemma_ in _SITE_NOUNS


def _first_conjunct(tok: Token) -> Token:
    while tok.dep_ == "conj" and tok.head is not tok:  # "between Raqqa and Hama"
        tok = tok.head
    return tok


def _named_place_of(span: Span, *, conjuncts: bool = True) -> bool:
    """ "the city of X", "the countryside of X", "40km north of X", "X, a town": whatever the
    NER called X, the words around it say it is a place."""
    head = _first_conjunct(span.root) if conjuncts else span.root
    if head.dep_ == "pobj" and head.head.lower_ == "of":
        noun = head.head.head
        return noun.lemma_ in _PLACE_NOUNS or noun.lower_ in DIRECTIONS
    return head.dep_ == "appos" and head.head.lemma_ in _PLACE_NOUNS


def _person_name_parts(doc: Doc) -> set[str]:
    parts: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            parts.update(tok.lower_ for tok in ent)
    return parts


_QUALIFIER_KINDS = ("admin1", "admin2", "country", "city")


def _capitalised(tok: Token) -> bool:
    """Starts with a capital ("Dar'a" is not str.istitle(), but it is a name), or with a
    one-letter prefix before one ("eThekwini", "iSimangaliso")."""
    text = tok.text
    return text[:1].isupper() or (len(text) > 3 and text[0].islower() and text[1].isupper())


def is_source_credit(span: Span) -> bool:
    """ "(AP) -", "(WAVE) —" after a dateline: the wire or station that filed the story, in
    capitals between brackets before a dash; never a place."""
    doc = span.doc
    return (
        len(span) > 0
        and span.start > 0
        and span.end + 1 < len(doc)
        and doc[span.start - 1].text == "("
        and doc[span.end].text == ")"
        and doc[span.end + 1].text in DASHES
        and span.text.replace(" ", "").isupper()
    )


_POSTAL_COUNTRIES = ("US", "CA")  # two-letter codes of states and provinces: "OH", "ON"


def _postal_code(word: str, gazetteer: Gazetteer) -> str | None:
    """ "Lima, OH": right after a town and a comma, two capitals are a state's postal code
    (its ISO 3166-2 code), even the ones that are words elsewhere ("OH", "IN", "OK", "ME"),
    which are no place on their own."""
    if len(word) != 2 or not word.isupper() or not word.isalpha():
        return None
    for country in _POSTAL_COUNTRIES:
        region = gazetteer.admin1(f"{country}-{word}")
        if region is not None:
            return region.name
    return None


def _qualifier(doc: Doc, end: int, gazetteer: Gazetteer) -> str | None:
    """The places that pin this one down, "|"-joined: "Parkland, Florida" gives "Florida";
    "Gaskinde (Pobe-Mengao, Soum)" gives "(Pobe-Mengao|Soum)" (every known name in the brackets;
    bracketed, or after "in", a town may qualify too, while after a comma only a region or a
    country does: "Damascus, Aleppo and Homs" is a list)."""
    if end < len(doc) and doc[end].lower_ in _PLACE_WORDS:
        end += 1  # "Mora town (Mayo-Sava, Far North)"
    if end >= len(doc) or doc[end].lower_ not in (",", "(", "in"):
        return None
    link = doc[end].lower_
    kinds = _QUALIFIER_KINDS if link != "," else ("admin1", "admin2", "country")
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
        if not _capitalised(doc[i]):
            if doc[i].text in (",", "-", "the") or doc[i].lower_ in ("of", "the"):
                i += 1
                continue
            break
        stop = i
        while (
            stop < limit
            and (
                _capitalised(doc[stop])
                or doc[stop].text == "-"
                or doc[stop].lower_ == "of"
                or (  # "Gracias a Dios"
                    doc[stop].lower_ in _NAME_LINKS
                    and stop + 1 < limit
                    and _capitalised(doc[stop + 1])
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
                and rest[-1].lower_ not in _INSTITUTIONS
                and any(t.lower_ not in _PLACE_NOUNS for t in rest)
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


def _possessor(doc: Doc, start: int, gazetteer: Gazetteer) -> str | None:
    """ "Chicago's Lawndale neighborhood", "Houston's Third Ward": the city whose part this is
    pins it, as "Lawndale, Chicago" would (the name before "'s", when the gazetteer knows it
    as a town or region)."""
    if start < 2 or doc[start - 1].lower_ not in ("'s", "’s"):
        return None
    first = start - 2
    while first > 0 and first > start - 5 and _capitalised(doc[first - 1]):
        first -= 1
    for i in range(first, start - 1):  # the longest known name ending at the "'s"
        text = doc[i : start - 1].text
        if _capitalised(doc[i]) and any(
            p.kind in ("city", "admin1", "admin2")
            for p, _ in gazetteer.lookup(text, variants=False)
        ):
            return text
    return None


def _direction(doc: Doc, start: int) -> tuple[str | None, int]:
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


def _agency(span: Span) -> bool:
    """Does the syntax make ``span`` an actor? ("Washington seeks", "Moscow's plan",
    a "Damascus: ..." headline)"""
    head = span.root
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_ in _AGENCY_VERBS:
        return True
    if head.dep_ == "poss" and head.head.lemma_ in _AGENCY_NOUNS:
        return True
    doc = span.doc
    return span.start == 0 and span.end < len(doc) and doc[span.end].text == ":"


def _metonymic(ps: PlaceSpan, place: Place | None, gazetteer: Gazetteer) -> bool:
    """A capital as an actor stands for its government. (A country as an actor is still the
    country: "Syria's representative" is about Syria.)"""
    return place is not None and ps.mention.agency and gazetteer.is_capital(place)


def _hyphenated(doc: Doc, j: int) -> bool:
    """Is token ``j`` inside a hyphenated word ("ez" and both hyphens of "Deir-ez-Zor")?"""
    if j == 0:
        return False
    glued_before = not doc[j - 1].whitespace_
    if doc[j].text == "-":
        return glued_before and not doc[j].whitespace_ and j + 1 < len(doc) and doc[j + 1].is_alpha
    return glued_before and doc[j - 1].text == "-" and doc[j].is_alpha


def _proper_run(tok: Token) -> bool:
    return tok.pos_ == "PROPN" or (
        tok.is_title and tok.pos_ in ("NOUN", "ADJ") and not tok.is_sent_start
    )


_ADMIN_WORDS = {
    "county": "County",
    "counties": "County",
    "parish": "Parish",
    "parishes": "Parish",
    "township": "Township",
    "townships": "Township",
    "district": "District",
    "districts": "District",
    "province": "Province",
    "provinces": "Province",
    "region": "Region",
    "governorate": "Governorate",
    "municipality": "Municipality",
    "prefecture": "Prefecture",
    "state": "State",
}
_PLACE_WORDS = _ADMIN_UNITS | _WORDS["place_kind_words"]


def _admin_suffix(doc: Doc, end: int) -> str | None:
    """ "District" when the name is one of "Barrow, Jackson and Madison counties" or is followed
    by "district" or "province", so "Ilam" is looked up as "Ilam District"."""
    i = end
    while i < len(doc) and i - end < 8:
        word = doc[i].lower_
        if word in _ADMIN_WORDS:
            plural = word.endswith("s") and word not in ("parishes",)
            return _ADMIN_WORDS[word] if (i == end or plural or word == "parishes") else None
        if not (doc[i].text in (",", "and", "or", "&") or doc[i].is_title):
            return None
        i += 1
    return None


def _place_slot(doc: Doc, start: int, end: int) -> bool:
    """Does the syntax make tokens [start, end) a place name? "in X", "village of X",
    "X (Region)", "X district"."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if before is not None and before.lower_ in _LOCATIVE:
        return True
    if (
        before is not None
        and before.lower_ == "of"
        and start > 1
        and (doc[start - 2].lower_ in _PLACE_WORDS)
    ):
        return True
    if _dateline(doc, start, end):
        return True
    return after is not None and (after.text == "(" or after.lower_ in _PLACE_WORDS)


def _dateline(doc: Doc, start: int, end: int) -> bool:
    """ "BEIRUT, Lebanon --", "QAMISHLI (Reuters) -": a name in capitals opening the text or a
    line, then a comma, bracket or dash, is where the story was filed."""
    opens = start == 0 or (doc[start - 1].is_space and "\n" in doc[start - 1].text)
    after = doc[end] if end < len(doc) else None
    return (
        opens
        and all(tok.is_upper or not tok.is_alpha for tok in doc[start:end])
        and after is not None
        and after.text in (",", "(", "-", "--", "–", "—")
    )


def mark_newsroom(doc: Doc, places: list[dict[str, object]]) -> None:
    """Set ``newsroom`` on a dateline that names its city and country ("KABUL, Afghanistan
    (May 3) -"): the story was filed there by a correspondent or a press office, so it says
    where the newsroom is, not where the story happened. So is a national capital alone
    ("NAIROBI -", "LIMA -"): wire and national copy is filed there about the whole country. A
    dateline of another city alone, or with its state ("SAN ANTONIO -", "RICHMOND, Ind. -"),
    is local news, usually from the place."""
    by_start = {int(p["start"]): p for p in places}
    for place in places:
        span = doc.char_span(int(place["start"]), int(place["end"]), alignment_mode="expand")
        if span is None or not all(t.is_upper or not t.is_alpha for t in span):
            continue
        if place.get("capital") and _dateline(doc, span.start, span.end):
            after = doc[span.end].text if span.end < len(doc) else ""
            if after != ",":  # "WASHINGTON, D.C. -" is local news of the city
                place["newsroom"] = True
                continue
        comma = span.end
        if comma + 1 < len(doc) and doc[comma].text == ",":
            after = by_start.get(doc[comma + 1].idx)
            if after is None or after.get("kind") != "country":
                continue
            country = doc.char_span(int(after["start"]), int(after["end"]), alignment_mode="expand")
            dated = (  # "KABUL, Afghanistan (May 3)" after a page's header, mid-line
                country is not None
                and country.end < len(doc)
                and doc[country.end].text in ("(", *DASHES)
            )
            if _dateline(doc, span.start, span.end) or dated:
                place["newsroom"] = True


def _strong_slot(doc: Doc, start: int, end: int) -> bool:
    """ "in X", "X village": slots that make a name a place even when it is spelled unlike any
    the gazetteer has. A bracket after a name ("Total (nine wickets)") does not."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    return (before is not None and before.lower_ in _LOCATIVE) or (
        after is not None and after.lower_ in _PLACE_WORDS
    )


def _in_place_chain(doc: Doc, start: int, end: int) -> bool:
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
        if tok.text in (",", "(") or named(tok) or tok.lower_ in _CONNECTORS:
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
    return first < start and _place_slot(doc, first, link)


def _split_at_locative(doc: Doc, ents: list[Span]) -> list[Span]:
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
    ents = _dateline_names(doc, _split_at_locative(doc, list(doc.ents)), gazetteer)
    ents = _extend_names(doc, _merge_compound_names(doc, ents, gazetteer), gazetteer)
    ents = filter_spans(ents)
    in_ents = {i for ent in ents for i in range(ent.start, ent.end)}
    for ent in ents:
        finder.entity(_with_unit_name(ent, in_ents))
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
        self.person_parts = _person_name_parts(doc)
        self.found: list[PlaceSpan] = []
        self.new_ents: list[Span] = []

    def entity(self, ent: Span) -> None:
        """One NER entity: a demonym, a team, a place, a name the NER took for something else
        that stands where a place stands, a place inside an organisation's name, or none of
        these (kept as it is)."""
        doc, gazetteer, found, new_ents = self.doc, self.gazetteer, self.found, self.new_ents
        demonym = None
        if ent.label_ == "NORP":
            ent, demonym = self._demonym(ent)
        if self.sports and ent.ent_id_ != CURATED and _team(ent, gazetteer):
            team = Span(doc, ent.start, ent.end, label="ORG")
            found.append(
                PlaceSpan(Mention(ent.text, ent.start_char, ent.end_char, role="team"), team)
            )
            new_ents.append(team)
            return
        if len(ent) == 1 and (
            _addresses(doc, ent.start) or _no_name_alone(doc, ent.start, gazetteer)
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
        if ent.label_ in PLACE_LABELS and _headless(ent):
            whole = Span(doc, ent.start - 1, ent.end, label=ent.label_)
            if not gazetteer.candidates(whole.text):
                new_ents.append(ent)
                return  # "at Mount Sinai" cut to "Sinai": the name is the whole, unknown
            ent = whole
        if ent.label_ in PLACE_LABELS and _inside_facility_name(ent):
            new_ents.append(Span(doc, ent.start, ent.end, label="FAC"))
            return  # "Mount Carmel Hospital": a hospital's name, not the town
        if ent.label_ in PLACE_LABELS and _namelike(ent.text) and not _numbered_venue(ent):
            named = _without_direction(ent, gazetteer)  # the entity stays whole
            found.append(PlaceSpan(_mention_of(named, ent), named))
            new_ents.append(ent)
            return
        if (
            ent.label_ in _MAYBE_PLACE
            and demonym is None
            and ent.ent_id_ != CURATED
            and _namelike(ent.text)
            and self._stands_as_place(ent)
        ):
            relabelled = Span(doc, ent.start, ent.end, label="GPE")
            found.append(PlaceSpan(_mention_of(ent, ent), relabelled, True))
            new_ents.append(relabelled)
            return
        if ent.label_ == "ORG":
            inner = _embedded(ent, gazetteer)
            if inner is not None:
                country = _demonym(inner.text, gazetteer)
                fixed = gazetteer.country(country) if country else None
                mention = Mention(
                    inner.text, inner.start_char, inner.end_char, role="embedded", fixed=fixed
                )
                found.append(PlaceSpan(mention, inner))
        new_ents.append(ent)

    def _demonym(self, ent: Span) -> tuple[Span, Place | None]:
        """A demonym's country ("Syrian"), counted as a hint; not in "Somali region", a region
        of Ethiopia named like Somalia's people (relabelled a place)."""
        doc, gazetteer = self.doc, self.gazetteer
        country = _demonym(ent.text, gazetteer)
        place = gazetteer.country(country) if country else None
        after = doc[ent.end].lower_ if ent.end < len(doc) else ""
        if place is not None and after in _ADMIN_UNITS and _regions(ent.text, gazetteer):
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
        slot = _place_slot(doc, ent.start, ent.end)
        options = gazetteer.lookup(ent.text, variants=_strong_slot(doc, ent.start, ent.end))
        titled = ent.start > 0 and doc[ent.start - 1].lower_ in _TITLES
        is_person_part = (
            ent.label_ == "PERSON"
            and any(tok.lower_ in self.person_parts for tok in ent)
            and len(ent) == 1
        )
        pinned = slot and _qualifier(doc, ent.end, gazetteer) is not None
        return (
            not titled
            and not is_person_part
            and bool(
                (options and _prominent(options) and (ent.label_ == "PERSON" or _locative(ent)))
                or (
                    options
                    and _locative(ent, conjuncts=False)  # "from Portugal and Pedro I"
                    and ent.label_ in ("PERSON", "NORP")
                )
                or (options and _named_place_of(ent))
                or (pinned and ent.label_ != "PERSON" and not options)
                or (pinned and ent.start > 0 and doc[ent.start - 1].lower_ in _LOCATIVE)
                or (options and _in_place_chain(doc, ent.start, ent.end))
                or (options and _dateline(doc, ent.start, ent.end))
                or (
                    options
                    and ent.end < len(doc)
                    and doc[ent.end].lower_ in _PLACE_WORDS | _LOCAL_SERVICES
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
            if i in taken or not _proper_run(doc[i]) or _addresses(doc, i):
                i += 1
                continue
            alone = i + 1 >= len(doc) or i + 1 in taken or not _proper_run(doc[i + 1])
            if alone and _no_name_alone(doc, i, gazetteer):
                i += 1
                continue
            j = _run_end(doc, i, taken)
            for end in range(j, i, -1):  # longest first
                if end < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_:
                    continue  # never half of a hyphenated name ("Nord" of "Nord-Ouest")
                if end - i > 1 and doc[end - 1].lower_ in _NAME_LINKS:
                    continue  # "Bir at" of "Bir at Tutah" is no name
                span = doc[i:end]
                slot = _place_slot(doc, i, end)
                options = gazetteer.lookup(span.text, variants=_strong_slot(doc, i, end))
                known = options and (
                    _prominent(options) or slot or place_key(span.text) in known_names
                )
                pinned = not options and slot and end == j and _qualifier(doc, end, gazetteer)
                if (known or pinned) and _namelike(span.text):
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
        if self.sports and _team(span, self.gazetteer):
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
            _proper_run(doc[j])
            or (doc[j].lower_ in _NAME_LINKS and j + 1 < len(doc) and _proper_run(doc[j + 1]))
            or (j > i and _hyphenated(doc, j))
        )
    ):
        j += 1
    return j


def _describe(ps: PlaceSpan, doc: Doc, gazetteer: Gazetteer) -> None:
    """What the text says around a literal mention, for the resolver: a modifier ("Texas
    law"), an agency ("Moscow said"), a unit suffix ("Harris County"), its qualifier
    ("Parkland, Florida") and a direction ("north of Aleppo")."""
    _peel_place_words(ps, gazetteer)
    if _modifier(ps.span, gazetteer):
        ps.mention.role = "modifier"
        return
    ps.mention.agency = _agency(ps.span)
    suffix = _admin_suffix(doc, ps.span.end)
    if suffix and not ps.mention.text.endswith(suffix):
        with_suffix = f"{ps.mention.text} {suffix}"
        if gazetteer.candidates(with_suffix):
            ps.mention.lookup = with_suffix
        # the text says it is a unit: a qualifier it does not lie in wins over namesakes
        ps.mention.prefer_admin = True
    ps.mention.qualifier = _qualifier(doc, ps.span.end, gazetteer) or _possessor(
        doc, ps.span.start, gazetteer
    )
    direction, start = _direction(doc, ps.span.start)
    if direction:
        ps.mention.direction = direction
        ps.mention.start = doc[start].idx


_SETTLEMENTS = _WORDS["settlements"]


def _peel_place_words(ps: PlaceSpan, gazetteer: Gazetteer) -> None:
    """ "Libreville city", "Barangay Camudlas", "Ilam district": look up the name alone (and
    for "district" or "province" prefer regions). A unit word in or after the name ("Tsrancha
    village", "Quamishli city") also says the place is a settlement."""
    words = ps.span
    doc = words.doc
    after = doc[words.end] if words.end < len(doc) else None
    if after is not None and after.is_lower and after.lower_ in _SETTLEMENTS:
        ps.mention.settlement = True
    if len(words) < 2:
        return
    first, last = words[0].lower_, words[-1].lower_
    text = None
    if last in _PLACE_WORDS and not gazetteer.candidates(words.text):
        text = words[:-1].text
        ps.mention.prefer_admin = last in ("district", "province", "region", "governorate")
    elif first in ("barangay", "village", "town", "city", "district") and not (
        gazetteer.candidates(words.text)
    ):
        text = words[1:].text
    if text:  # the unit word is not part of the name: it says what kind of place this is
        ps.mention.lookup = text
        ps.mention.settlement = (
            ps.mention.settlement or last in _SETTLEMENTS or first in _SETTLEMENTS
        )


def _modifier(span: Span, gazetteer: Gazetteer) -> bool:
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
    serves = _serves(span) or root.head.lemma_ in _LOCAL_SERVICES
    if serves and not _a_country(span.text, gazetteer):
        return False  # "DC police officials": the force of the place, at work there
    return (
        root.dep_ in ("compound", "amod", "nmod")
        and root.head.pos_ == "NOUN"
        and root.head.lemma_ not in _SITE_NOUNS | _PLACE_NOUNS
    )


def _serves(span: Span) -> bool:
    """Does the place name a local force ("Dayton police", "Fresno firefighters", "Cook
    County sheriff's deputies")? A county's force only with the county's word: a bare
    "Caddo coroner" names a parish the bare name would not find."""
    doc = span.doc
    if span.end >= len(doc):
        return False
    word = doc[span.end].lower_
    return word in _LOCAL_SERVICES or (word in _COUNTY_SERVICES and span[-1].lower_ in _ADMIN_WORDS)


def _a_country(text: str, gazetteer: Gazetteer) -> bool:
    """Is the name first of all a country's ("US officers" are a nation's, not local)?"""
    options = gazetteer.candidates(text)
    return bool(options) and options[0][0].kind == "country"


# A place naming a service of its own says where: a local force works where it serves.
_LOCAL_SERVICES = _WORDS["local_services"]
_COUNTY_SERVICES = _WORDS["county_services"]


def _extend_names(doc: Doc, ents: list[Span], gazetteer: Gazetteer) -> list[Span]:
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
            or _place_slot(doc, ent.start, ent.end)
            or _in_place_chain(doc, ent.start, ent.end)
        ):
            for extra in (4, 3, 2, 1):
                end = min(len(doc), ent.end + extra)
                tail = doc[ent.end : end]
                if (
                    not tail
                    or not (tail[0].lower_ in _NAME_LINKS or _capitalised(tail[0]))
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


def _addresses(doc: Doc, i: int) -> bool:
    """A form of address ("Ms.", "Dr.") before a capitalised word: the small model tags "Ms."
    a place now and then, and the gazetteer knows it (Mississippi's postal code); it is none."""
    return doc[i].lower_ in _TITLES and i + 1 < len(doc) and doc[i + 1].is_title


# the first word of many place names, never a name alone ("Mount" of "Mount Carmel Hospital")
_NAME_HEADS = _WORDS["name_heads"]


def _headless(ent: Span) -> bool:
    """Did the NER cut a name's head off ("at Mount Sinai" tagged "Sinai", "Fort Hood" tagged
    "Hood")? The place is the whole name; when the gazetteer does not know the whole, the part
    names something else (a hospital, a base), not the peninsula or town of that word."""
    if ent.start == 0:
        return False
    head = ent.doc[ent.start - 1]
    return head.is_title and head.lower_ in _NAME_HEADS


_UNIT_WORDS = _PLACE_NOUNS | _SETTLEMENTS  # never a place name alone
# feasts that name towns too ("Easter", "Christmas"): a place only when a state pins them
_FEASTS = _WORDS["feasts"]
# capitalised, these end the name of a building or institution
_FACILITY_HEADS = _WORDS["facility_heads"]


def _no_name_alone(doc: Doc, i: int, gazetteer: Gazetteer) -> bool:
    """Token ``i`` alone is no place name: the head of one without the rest ("Mount"), a word
    for a unit or a part of a place ("Kebele", "Province"), or a feast ("an Easter party")
    that no state or country after a comma pins as the town."""
    word = doc[i].lower_
    return (
        word in _NAME_HEADS
        or word in _UNIT_WORDS  # "Kebele", "District" alone: a unit's word
        or (word in _FEASTS and _qualifier(doc, i + 1, gazetteer) is None)
    )


def _mention_of(named: Span, ent: Span) -> Mention:
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


def _without_direction(ent: Span, gazetteer: Gazetteer) -> Span:
    """ "South Florida", "Northern California", "East Texas" tagged whole: a direction opening a
    name the gazetteer does not know whole is the part of the place the rest names, as in
    "southern Texas" (the direction before the name is read as one, ``_direction``). Names
    known whole stay whole ("South Africa", "West Virginia"); the rest must be a notable place
    (a region, or a town of 50,000): "south Grand" is an avenue, not a village called Grand."""
    if len(ent) < 2 or ent[0].lower_ not in DIRECTIONS or gazetteer.candidates(ent.text):
        return ent
    rest = Span(ent.doc, ent.start + 1, ent.end, label=ent.label_)
    return rest if _prominent(gazetteer.candidates(rest.text)) else ent


def _inside_facility_name(ent: Span) -> bool:
    """``ent`` is a later word of a building's name ("Mount Carmel Hospital", "Grace Temple
    Church"): a name before it and a capitalised facility word after it, in one run."""
    doc = ent.doc
    if ent.start == 0 or not doc[ent.start - 1].is_title:
        return False
    for k in range(ent.end, min(len(doc), ent.end + 3)):
        if not doc[k].is_title:
            return False
        if doc[k].lower_ in _FACILITY_HEADS:
            return True
    return False


# the abbreviations that open English place names, as a gazetteer spells them out
_ABBREVIATED = {"st": "Saint", "mt": "Mount", "ft": "Fort"}


def _dateline_run(doc: Doc, start: int) -> int | None:
    """The end of a name in capitals opening a dateline at ``start`` ("ST. LOUIS (AP) -",
    "SALT LAKE CITY -"), with the period of an abbreviation inside it, if one does."""
    end = start
    while end < len(doc) and end - start < 8:
        tok = doc[end]
        capitals = tok.is_alpha and tok.is_upper
        abbreviation = tok.text == "." and end > start and len(doc[end - 1]) <= 3  # "ST." "FT."
        if not (capitals or abbreviation):
            break
        end += 1
    return end if end > start and _dateline(doc, start, end) else None


def _dateline_names(doc: Doc, ents: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """A dateline's name in capitals is one place when the gazetteer knows it whole. The small
    model cuts such names at their capitals ("SALT" an organisation and "LAKE CITY" a place,
    "ST" and "LOUIS" apart), and the pieces then resolve to another town or to none."""
    for start in line_starts(doc):
        end = _dateline_run(doc, start)
        if end is None or end - start < 2:
            continue
        run = doc[start:end]
        if any(e.start == start and e.end == end for e in ents):
            continue
        spelled = " ".join(_ABBREVIATED.get(t.lower_, t.text) for t in run if t.text != ".")
        if not any(
            score >= 1.0
            for name in (run.text, spelled)
            for _, score in gazetteer.candidates(name, limit=5)
        ):
            continue
        ents = [e for e in ents if e.end <= start or e.start >= end]
        ents = sorted([*ents, Span(doc, start, end, label="GPE")], key=lambda e: e.start)
    return ents


def _merge_compound_names(doc: Doc, ents: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """ "Sao Goncalo" + "do" + "Amarante" -> one name, when the gazetteer knows it."""
    out: list[Span] = []
    for ent in ents:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.label_ in PLACE_LABELS
            and ent.label_ in PLACE_LABELS
            and ent.start - prev.end <= 1
            and all(doc[k].lower_ in _CONNECTORS for k in range(prev.end, ent.start))
        ):
            merged = doc[prev.start : ent.end]
            if gazetteer.candidates(merged.text):
                out[-1] = Span(doc, prev.start, ent.end, label=prev.label_)
                continue
        out.append(ent)
    return out


def _label_for(place: Place) -> str:
    if place.kind in ("region", "continent"):
        return "LOC"
    if place.kind == "landmark":
        return "FAC"
    return "GPE"


def mark_metonymy(spans: list[PlaceSpan], places: list[Place | None], gazetteer: Gazetteer) -> None:
    for ps, place in zip(spans, places, strict=True):
        ps.mention.metonymic = _metonymic(ps, place, gazetteer)
