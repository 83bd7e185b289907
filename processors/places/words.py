"""The place vocabulary of config/place_words.yaml (checked at import: a bad edit fails at
start) and the word sets the mention finder reads."""

from __future__ import annotations

from config import DATA_DIR
from processors.vocabulary import load_word_lists

__all__ = [
    "ABBREVIATED",
    "ADMIN_UNITS",
    "ADMIN_WORDS",
    "AGENCY_NOUNS",
    "AGENCY_VERBS",
    "ARTICLES",
    "CONNECTORS",
    "COUNTY_SERVICES",
    "DIRECTIONS",
    "FACILITY_HEADS",
    "FEASTS",
    "INSTITUTIONS",
    "LOCAL_SERVICES",
    "LOCATIVE",
    "MAYBE_PLACE",
    "NAME_HEADS",
    "NAME_LINKS",
    "NOT_NAMES",
    "PLACE_LABELS",
    "PLACE_NOUNS",
    "PLACE_WORDS",
    "POSTAL_COUNTRIES",
    "QUALIFIER_KINDS",
    "SETTLEMENTS",
    "SITE_NOUNS",
    "SITTING_BODIES",
    "TITLES",
    "UNIT_WORDS",
]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# the vocabulary of config/place_words.yaml, checked at import: a bad edit fails at start
_WORDS = load_word_lists(
    DATA_DIR / "place_words.yaml",
    (
        "titles", "agency_verbs", "agency_nouns", "not_names", "institutions", "admin_units",
        "area_nouns", "place_kind_words", "site_nouns", "settlements", "local_services",
        "county_services", "name_heads", "feasts", "facility_heads", "sitting_bodies",
    ),
)  # fmt: skip
MAYBE_PLACE = frozenset({"PERSON", "ORG", "NORP"})
LOCATIVE = frozenset(
    "in at near outside around across from into inside throughout to toward towards via "
    "between within off".split()
)
TITLES = _WORDS["titles"]
CONNECTORS = frozenset(
    "of de del da do dos das al el la le upon on at ad as ash bin ibn abu - '".split()
)
# inside a multi-word name only (never to link a chain): "Gracias a Dios", "Trinidad y Tobago",
# and the Arabic and Persian "and" of many district names ("X wa Y", "X va Y")
NAME_LINKS = CONNECTORS | frozenset("a y e en sur sul am im wa va".split())
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
AGENCY_VERBS = _WORDS["agency_verbs"]
AGENCY_NOUNS = _WORDS["agency_nouns"]
NOT_NAMES = _WORDS["not_names"]
INSTITUTIONS = _WORDS["institutions"]
ARTICLES = frozenset("al el ad ar as at az an ash le la les los las der die".split())
# the units incident reports name places by, around the world ("Biankouma subdivision",
# "Keerom regency", "Donga LGA", "Myebon township", "Shabelle zone", "Jaghuri district")
ADMIN_UNITS = _WORDS["admin_units"]
PLACE_NOUNS = ADMIN_UNITS | _WORDS["area_nouns"]
SITE_NOUNS = _WORDS["site_nouns"]
QUALIFIER_KINDS = ("admin1", "admin2", "country", "city")
POSTAL_COUNTRIES = ("US", "CA")  # two-letter codes of states and provinces: "OH", "ON"
ADMIN_WORDS = {
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
PLACE_WORDS = ADMIN_UNITS | _WORDS["place_kind_words"]
SETTLEMENTS = _WORDS["settlements"]
# A place naming a service of its own says where: a local force works where it serves.
LOCAL_SERVICES = _WORDS["local_services"]
COUNTY_SERVICES = _WORDS["county_services"]
# the first word of many place names, never a name alone ("Mount" of "Mount Carmel Hospital")
NAME_HEADS = _WORDS["name_heads"]
UNIT_WORDS = PLACE_NOUNS | SETTLEMENTS  # never a place name alone
# feasts that name towns too ("Easter", "Christmas"): a place only when a state pins them
FEASTS = _WORDS["feasts"]
# capitalised, these end the name of a building or institution
FACILITY_HEADS = _WORDS["facility_heads"]
SITTING_BODIES = _WORDS["sitting_bodies"]
# the abbreviations that open English place names, as a gazetteer spells them out
ABBREVIATED = {"st": "Saint", "mt": "Mount", "ft": "Fort"}
