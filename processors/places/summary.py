"""From resolved mentions to what the enriched article carries: each place as a dict, stray
namesakes dropped, and the article's countries, regions and primary location."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from processors.places.gazetteer import Gazetteer
from processors.places.resolve import ResolvedPlace

__all__ = ["SPECIFICITY", "drop_stray_namesakes", "place_dict", "summarize_places"]

_DIRECTION_FRACTIONS = {  # (lat, lon) position within a country's box
    "north": (0.78, 0.5),
    "south": (0.22, 0.5),
    "east": (0.5, 0.78),
    "west": (0.5, 0.22),
    "northeast": (0.75, 0.75),
    "northwest": (0.75, 0.25),
    "southeast": (0.25, 0.75),
    "southwest": (0.25, 0.25),
    "center": (0.5, 0.5),
}


SPECIFICITY = {  # how closely a place of each kind pins down where something happened
    "landmark": 5,
    "city": 4,
    "admin2": 3,
    "admin1": 2,
    "region": 2,
    "country": 1,
    "continent": 0,
}


def place_dict(resolved: ResolvedPlace, text: str, gazetteer: Gazetteer) -> dict[str, object]:
    """The ``places[]`` entry of the data contract for one resolved mention."""
    m, p = resolved.mention, resolved.place
    lat, lon, name, geonameid = p.lat, p.lon, text[m.start : m.end], p.geonameid
    box = gazetteer.country_box(p.country) if m.direction and p.kind == "country" else None
    if box and p.country:
        flat, flon = _DIRECTION_FRACTIONS[m.direction or "center"]
        minlon, minlat, maxlon, maxlat = box
        lat, lon = minlat + flat * (maxlat - minlat), minlon + flon * (maxlon - minlon)
        geonameid = None  # a part of the country, not the country itself
    return {
        "name": name,
        "start": m.start,
        "end": m.end,
        "geonameid": geonameid,
        "lat": round(lat, 5),
        "lon": round(lon, 5),
        "country_code": p.country,
        "admin1": p.admin1,
        "admin1_name": p.admin1_name,
        "kind": "region" if box else (m.role if m.role == "demonym" else p.kind),
        "confidence": round(resolved.confidence * (0.5 if m.approximate else 1.0), 3),
        "metonymic": m.metonymic or m.role != "literal",
        "role": m.role,
        **({"approximate": True} if m.approximate else {}),  # at the place that qualifies it
        **({"capital": True} if gazetteer.is_capital(p) else {}),  # a national capital
    }


_STRAY_MAX_POPULATION = 100_000


def drop_stray_namesakes(resolved: list[ResolvedPlace | None]) -> list[ResolvedPlace]:
    """The resolved places, without small places abroad in a story told in one country.

    When at least three literal mentions, and four in five of them, are in one country, a town
    or village of another country that no qualifier pins ("Metro" in a story from Nevada) is
    a namesake of something local, not a second country of the story. Countries, regions and
    large cities abroad stay: a story may well name them."""
    found = [r for r in resolved if r is not None]
    literal = [
        r
        for r in found
        if not r.mention.metonymic and r.mention.role == "literal" and r.place.country
    ]
    tally = Counter(r.place.country for r in literal)
    if not tally:
        return found
    home, count = tally.most_common(1)[0]
    if count < 3 or count < 0.8 * len(literal):
        return found
    return [
        r
        for r in found
        if r.place.country in (home, None)
        or r.place.kind not in ("city", "landmark", "admin2")
        or r.place.population >= _STRAY_MAX_POPULATION
        or r.mention.qualifier
        or r.mention.fixed is not None
    ]


def summarize_places(
    places: Sequence[dict[str, object]],
) -> tuple[list[str], list[str], dict[str, float] | None]:
    """The article's ``countries``, ``regions`` (admin1 codes) and primary ``location``.

    Metonymic mentions (a capital standing for its government) do not make an article be
    *in* a country. The primary location is the most salient literal place: mentioned most,
    most specific, earliest.
    """
    literal = [p for p in places if not p["metonymic"]]
    countries = list(dict.fromkeys(str(p["country_code"]) for p in literal if p["country_code"]))
    regions = list(dict.fromkeys(str(p["admin1"]) for p in literal if p["admin1"]))
    if not literal:
        return countries, regions, None
    told = [  # the newsroom of a dateline is where the story was filed, not where it happened
        p
        for p in literal
        if not p.get("newsroom") and SPECIFICITY.get(str(p["kind"]), 1) > SPECIFICITY["country"]
    ]
    if told:
        literal = [p for p in literal if not p.get("newsroom")]
    # a name placed at its qualifier ("Reid Hospital in Richmond") is no second mention of it
    exact = {(p["lat"], p["lon"]) for p in literal if not p.get("approximate")}
    counts = Counter(
        (p["lat"], p["lon"])
        for p in literal
        if not (p.get("approximate") and (p["lat"], p["lon"]) in exact)
    )
    first = {}
    for n, p in enumerate(literal):
        first.setdefault((p["lat"], p["lon"]), n)

    def salience(p: dict[str, object]) -> tuple[float, int, int]:
        key = (p["lat"], p["lon"])
        return (counts[key], SPECIFICITY.get(str(p["kind"]), 1), -first[key])

    best = max(literal, key=salience)
    return countries, regions, {"lat": float(best["lat"]), "lon": float(best["lon"])}
