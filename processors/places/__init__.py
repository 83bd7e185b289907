"""Places: which places an article names, and which place each name means.

``gazetteer`` is the index every name is looked up in (``build`` makes it once); ``mentions``
finds the names in a parsed Doc, with ``names`` (is a span a place name), ``context`` (what the
words around it say), ``datelines`` and ``words`` (the vocabulary of config/place_words.yaml);
``resolve`` picks each name's place; ``summary`` gives the article its places, countries,
regions and primary location; ``sports`` tells a sports report (where places name teams) and
``addresses`` the streets and ordinary words no town is.
"""

from processors.places.gazetteer import Gazetteer, Place, notable
from processors.places.mentions import PlaceSpan, find_place_spans
from processors.places.resolve import Mention, ResolvedPlace, haversine_km, resolve_mentions
from processors.places.sports import is_sports_report
from processors.places.summary import SPECIFICITY, place_dict, summarize_places
from processors.text.normalise import place_key

__all__ = [
    "SPECIFICITY",
    "Gazetteer",
    "Mention",
    "Place",
    "PlaceSpan",
    "ResolvedPlace",
    "find_place_spans",
    "haversine_km",
    "is_sports_report",
    "notable",
    "place_dict",
    "place_key",
    "resolve_mentions",
    "summarize_places",
]
