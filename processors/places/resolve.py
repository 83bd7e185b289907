"""Toponym resolution: which place each place name in an article means.

Input is a list of ``Mention``s (found by the NER and the gazetteer in the spaCy component
``newsmon_places``); output is one ``ResolvedPlace`` per mention that the gazetteer knows. Each
candidate place is scored on evidence a reader would use:

- prominence: population (log scale) and kind (a name that is a country's name nearly always
  means the country; a curated landmark or region was curated for a reason);
- the name itself: a place's main name beats an alternate one;
- the article's geography: candidates in countries and regions the article names (or whose
  demonyms it uses: "Syrian forces") gain, and so do candidates near the other places resolved;
- the explicit pattern "Parkland, Florida" / "Homs (Syria)", which pins a town to a region;
- one sense per article: the same name is resolved the same way throughout.

Resolution runs twice: the first pass's confident picks become context for the second.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from processors.places.gazetteer import Gazetteer, Place, notable
from processors.text.normalise import place_key

__all__ = ["Mention", "ResolvedPlace", "haversine_km", "resolve_mentions"]


_KIND_BONUS = {
    "country": 4.0,
    "continent": 3.0,
    "admin1": 1.0,
    "admin2": 0.5,
    "region": 9.0,  # curated entries were curated for a reason
    "landmark": 9.0,
    "city": 0.0,
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Mention:
    """A place name in the text. ``qualifier`` is the name after it in "Town, Region" or
    "Town (Region)"; ``metonymic`` is decided by the caller from the syntax."""

    text: str
    start: int
    end: int
    qualifier: str | None = None
    metonymic: bool = False
    direction: str | None = None  # "north", "northeast", ... from "northeastern Syria"
    agency: bool = False  # the syntax of an actor: "Washington seeks", "Moscow's plan"
    role: str = "literal"  # or "demonym" ("Russian"), "embedded" ("Texas" in "Texas Rangers"),
    # "team" ("Leicestershire beat Somerset"), "modifier" ("US air force aircraft")
    lookup: str | None = None  # the name to look up when not the text ("Barrow County")
    prefer_admin: bool = False  # "Chui region": a region, not a town
    settlement: bool = False  # "Tsrancha village", "Barangay Poblacion": a populated place
    approximate: bool = False  # unknown name, placed at the place that qualifies it
    fixed: Place | None = None  # known without lookup (the country of a demonym)


@dataclass
class ResolvedPlace:
    mention: Mention
    place: Place
    confidence: float
    alternatives: int = field(default=0)


def _prominence(place: Place) -> float:
    return math.log10(max(place.population, 1) + 1) + _KIND_BONUS.get(place.kind, 0.0)


def _prior(place: Place, weight: float) -> float:
    """A sense's score before any context: how prominent the place, how well the name fits."""
    return _prominence(place) + 3.0 * weight


def _admin1_weight(place: Place) -> float:
    """How much a place vouches for its first-level region: fully when it is the region, half
    when it lies in it, not at all when it only spans it (a country)."""
    if place.kind == "admin1":
        return 1.0
    return 0.5 if place.kind in ("admin2", "city", "landmark") else 0.0


def _sense_score(
    mention: Mention,
    place: Place,
    weight: float,
    gazetteer: Gazetteer,
    qualifier: list[Place],
    countries: Counter[str],
    admin1s: Counter[str],
    anchors: Sequence[Place],
) -> float:
    """``_score`` of one sense of ``mention`` in the given context."""
    return _score(
        place,
        weight,
        capital=gazetteer.is_capital(place),
        agency=mention.agency,
        prefer_admin=mention.prefer_admin,
        countries=countries,
        admin1s=admin1s,
        qualifier=qualifier,
        anchors=anchors,
    )


def _score(
    place: Place,
    weight: float,
    *,
    capital: bool,
    agency: bool,
    prefer_admin: bool,
    countries: Counter[str],
    admin1s: Counter[str],
    qualifier: list[Place],
    anchors: Sequence[Place],
) -> float:
    score = _prior(place, weight)
    if prefer_admin and place.kind in ("admin1", "admin2"):
        score += 4.0
    elif place.kind == "admin2":
        score -= 1.0  # a bare name is its seat town's more often than the division's
    if capital:  # news names capitals far more than their namesakes; actors most of all
        score += 5.0 if agency else 3.5
    if place.country and countries[place.country] > 0:
        score += 2.0 + min(3.0, countries[place.country])
    if place.admin1 and admin1s[place.admin1] > 0:
        # more when the state itself is named (or two of its towns are): a town counts half
        score += 2.5 + (1.0 if admin1s[place.admin1] >= 1 else 0.0)
    for q in qualifier:  # "Parkland, Florida": the town must lie in the qualifier
        if place.id == q.id:
            continue
        if q.kind in ("admin1", "admin2") and place.admin1 == q.admin1:
            score += 8.0
        elif (
            q.kind == "country"
            and place.country == q.country
            or q.kind == "city"
            and haversine_km(place.lat, place.lon, q.lat, q.lon) < 60
        ):
            score += 6.0
    if anchors and place.kind in ("city", "landmark"):
        nearest = min(haversine_km(place.lat, place.lon, a.lat, a.lon) for a in anchors)
        if nearest < 50:
            score += 2.5
        elif nearest < 300:
            score += 1.5
    return score


def _qualifier_places(
    qualifier: str, gazetteer: Gazetteer, named: Counter[str] | None = None
) -> list[Place]:
    """The places a qualifier names, all in the one country most of them agree on
    ("(Dessa|Tillaberi)": Tillaberi region and Dessa town, both in Niger). A name spelled
    otherwise votes less than an exact one, and a country the article names breaks ties
    ("(Ilam district)" in a report from Nepal)."""
    options = [
        [
            (p, w)
            for p, w in gazetteer.lookup(name, variants=True)
            if p.kind in ("admin1", "admin2", "country", "city")
        ][:5]
        for name in qualifier.strip("()").split("|")
    ]
    votes: Counter[str] = Counter()
    for group in options:
        best: dict[str, float] = {}
        for p, w in group:
            if p.country:
                best[p.country] = max(best.get(p.country, 0.0), min(1.0, w))
        for country, w in best.items():  # an exact name (or alias) votes 1, a variant less
            votes[country] += (1.0 if w >= 0.85 else w) + (
                0.5 if named and named[country] > 0 else 0.0
            )
    if not votes:
        return []
    country, _ = max(
        votes.items(),
        key=lambda cv: (
            cv[1],
            sum(p.population for g in options for p, _ in g if p.country == cv[0]),
        ),
    )
    options = [[p for p, _ in group] for group in options]
    chosen = [
        next(p for p in g if p.country == country)
        for g in options
        if any(p.country == country for p in g)
    ]
    return sorted(chosen, key=lambda p: _KIND_RANK.get(p.kind, 9))


_KIND_RANK = {"city": 0, "admin2": 1, "admin1": 2, "country": 3}


def _within(place: Place, qualifier: Place) -> bool:
    if place.id == qualifier.id:
        return False
    if qualifier.kind == "country":
        return place.country == qualifier.country
    if qualifier.kind in ("admin1", "admin2"):
        return (
            place.admin1 == qualifier.admin1
            or place.country == qualifier.country
            and (haversine_km(place.lat, place.lon, qualifier.lat, qualifier.lon) < 150)
        )
    return haversine_km(place.lat, place.lon, qualifier.lat, qualifier.lon) < 60


def _likely_point(region: Place, gazetteer: Gazetteer) -> Place:
    """Where an unknown place inside ``region`` most likely is: near its most populous town,
    since people - and the events reported about them - gather there, rather than at the
    middle of its extent (on the development set, 23 of 31 ACLED events placed this way fall
    within 50 km of the gold point, against 14 of 30 placed at the middle)."""
    if region.kind not in ("admin1", "admin2"):
        return region
    point = gazetteer.main_town(region)
    return replace(region, lat=point[0], lon=point[1]) if point else region


def _plausible(options: list[tuple[Place, float]]) -> list[tuple[Place, float]]:
    """Drop candidates known only by an alternate name when some carry it as their main name
    ("Mexico" is the country; Mexico City merely has it as one of its names)."""
    if any(w >= 0.9 for _, w in options):
        options = [(p, w) for p, w in options if w >= 0.8]
    # a big city beats the region of the same name around it ("New York", "Aleppo")
    regions = {p.admin1 for p, w in options if p.kind == "admin1" and w >= 0.9}
    return [
        (
            p,
            w
            + (
                1.0 if p.kind == "city" and p.admin1 in regions and p.population >= 100_000 else 0.0
            ),
        )
        for p, w in options
    ]


def _context(
    picks: Sequence[Place | None], keys: Sequence[str], hints: Counter[str]
) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """For each name, the countries and regions of the article's *other* places (a name does
    not vouch for itself), plus the demonym and vocabulary hints."""
    countries: dict[str, Counter[str]] = {}
    admin1s: dict[str, Counter[str]] = {}
    for place, key in zip(picks, keys, strict=True):
        if place is None:
            continue
        c, a = countries.setdefault(key, Counter()), admin1s.setdefault(key, Counter())
        if place.country:
            c[place.country] += 1
        if place.admin1 and not a[place.admin1]:
            # a town vouches for its state once, however often it is named: two towns of
            # a state are two witnesses, one town named twice is one
            a[place.admin1] += _admin1_weight(place)
    total_c = sum(countries.values(), Counter()) + hints
    total_a = sum(admin1s.values(), Counter())
    return {
        key: (total_c - countries.get(key, Counter()), total_a - admin1s.get(key, Counter()))
        for key in set(keys)
    }


_SURE_LIKENESS = 0.88  # a sound-alike the article gives no country for must be this alike


_NEAR_LIKENESS = 0.86  # and a village in a country it names, this: "Mankwi" is not "Mouanko"


def _evidence(cands: Sequence[list[tuple[Place, float]]], named: Counter[str]) -> set[str]:
    """The countries an article is about, as far as its known names and demonyms tell."""
    countries = set(named) | {
        max(options, key=lambda pw: _prior(*pw))[0].country or "" for options in cands if options
    }
    countries.discard("")
    return countries


def _believed_variants(
    mention: Mention, gazetteer: Gazetteer, evidence: set[str]
) -> list[tuple[Place, float]]:
    """The spelling variants of an unknown name worth believing. Where the article's places
    say which countries it is about (``evidence``), a sound-alike elsewhere is a false friend;
    where nothing does, only a notable place spelled nearly the same is. "Tsrancha village"
    names a village, so a region is no variant of it."""
    believed = []
    for v in gazetteer.variants(mention.lookup or mention.text):
        if mention.settlement and v.place.kind != "city":
            continue
        if evidence:
            ok = v.place.country in evidence and (notable(v.place) or v.likeness >= _NEAR_LIKENESS)
        else:
            ok = notable(v.place) and v.likeness >= _SURE_LIKENESS
        if ok:
            believed.append((v.place, v.weight))
    return believed


def resolve_mentions(
    mentions: Sequence[Mention], gazetteer: Gazetteer, *, hints: Counter[str] | None = None
) -> list[ResolvedPlace | None]:
    """One resolution (or ``None`` when the gazetteer has no such name) per mention.

    ``hints`` are country evidence that is not a place name: demonyms ("Syrian forces") and
    locale vocabulary ("sheriff", "township").
    """
    hints = hints or Counter()
    keys = [place_key(m.lookup or m.text) for m in mentions]
    cands = [
        [(m.fixed, 1.0)] if m.fixed else _plausible(gazetteer.candidates(m.lookup or m.text))
        for m in mentions
    ]
    named = hints + Counter(
        options[0][0].country
        for options in cands
        if options and options[0][0].kind == "country" and options[0][1] >= 0.9
    )
    evidence = _evidence(cands, named)
    for i, m in enumerate(mentions):  # "Quamishli" is Qamishli spelled otherwise
        if not cands[i]:
            cands[i] = _plausible(_believed_variants(m, gazetteer, evidence))
    quals = [
        _qualifier_places(m.qualifier, gazetteer, named) if m.qualifier else [] for m in mentions
    ]
    for i, m in enumerate(mentions):
        # an unknown name pinned by known ones, or whose namesakes all lie elsewhere
        # ("Famale (Dessa, Tillaberi)" is in Niger, whatever Famale Ethiopia has): use those
        # ... and so is a named unit in a region: "Nawa district, Helmand province"
        strong = bool(m.qualifier) and (m.qualifier.startswith("(") or m.prefer_admin)
        small = m.settlement or all(
            p.kind in ("city", "admin2") and p.population < 100_000 for p, _ in cands[i]
        )  # "Barangay Poblacion, ..., Lanao del Sur": the text says it is a small place
        if (
            quals[i]
            and (strong or small)
            and not any(_within(p, q) for p, _ in cands[i] for q in quals[i])
        ):
            m.approximate = True
            best = max(quals[i], key=lambda q: (q.kind in ("city", "admin2"), q.population))
            cands[i] = [(_likely_point(best, gazetteer), 0.5)]
    # an unknown name placed at a qualifier that the text also names as a place of its own
    # ("Floyd Hospital in Rome"): it follows that name's sense, and is no evidence for it
    qualifier_keys = {
        i: place_key(m.qualifier.strip("()"))
        for i, m in enumerate(mentions)
        if m.approximate and m.qualifier
    }
    echoes = {i: key for i, key in qualifier_keys.items() if key in keys}
    # Two first readings, each settled by context in a few rounds; the more coherent wins
    # (the sum of every name's score, context included). Prominence alone lets the majority
    # of the article's names pull each other together (several towns and counties of one
    # state); easiest first keeps one uncertain name (a county name shared by many states)
    # from dragging a nearly certain one (a town known mostly in one state) away.
    prominent = [
        max(options, key=lambda pw: _prior(*pw))[0] if options else None for options in cands
    ]
    seeds = [prominent]
    easiest = _seed_picks(mentions, cands, quals, gazetteer, hints)
    if easiest != prominent:
        seeds.append(easiest)
    best: tuple[float, list[ResolvedPlace | None]] | None = None
    for seed in seeds:
        coherence, resolved = _settle(
            mentions, list(cands), quals, keys, echoes, seed, gazetteer, hints
        )
        if best is None or coherence > best[0] + 1e-9:
            best = (coherence, resolved)
    assert best is not None
    return best[1]


def _settle(
    mentions: Sequence[Mention],
    cands: list[list[tuple[Place, float]]],
    quals: Sequence[list[Place]],
    keys: Sequence[str],
    echoes: dict[int, str],
    picks: list[Place | None],
    gazetteer: Gazetteer,
    hints: Counter[str],
) -> tuple[float, list[ResolvedPlace | None]]:
    """Resolve every mention in the context of ``picks``, a few rounds over; the resolutions
    and their total score."""
    resolved: list[ResolvedPlace | None] = [None] * len(mentions)
    coherence = 0.0
    for _ in range(3):  # context settles in a few rounds ("Jackson County" after "Georgia")
        context = _context([None if i in echoes else p for i, p in enumerate(picks)], keys, hints)
        anchors = [p for p in picks if p is not None and p.kind in ("city", "landmark")]
        by_key: dict[str, tuple[ResolvedPlace, float]] = {}
        coherence = 0.0
        order = sorted(range(len(mentions)), key=lambda i: mentions[i].qualifier is None)
        for i in order:  # mentions pinned by a qualifier decide the sense of their name
            mention, options = mentions[i], cands[i]
            if not options:
                continue
            key = keys[i]
            countries, admin1s = context[key]
            if key in by_key:  # one sense per article
                first, top = by_key[key]
                resolved[i] = ResolvedPlace(
                    mention, first.place, first.confidence, first.alternatives
                )
                coherence += top
                continue
            others = [a for a in anchors if a is not picks[i]]
            scored = sorted(
                (
                    (
                        _sense_score(
                            mention, p, w, gazetteer, quals[i], countries, admin1s, others
                        ),
                        p,
                    )
                    for p, w in options
                ),
                key=lambda sp: -sp[0],
            )
            top = scored[0][0]
            total = sum(math.exp(s - top) for s, _ in scored)
            resolved[i] = ResolvedPlace(mention, scored[0][1], 1.0 / total, len(scored) - 1)
            by_key[key] = (resolved[i], top)
            coherence += top
        for i, key in echoes.items():
            named = by_key.get(key)
            if named is not None and resolved[i] is not None:
                place = _likely_point(named[0].place, gazetteer)
                cands[i] = [(place, 0.5)]
                resolved[i] = ResolvedPlace(mentions[i], place, named[0].confidence)
        picks = [r.place if r is not None else None for r in resolved]
    return coherence, resolved


def _seed_picks(
    mentions: Sequence[Mention],
    cands: Sequence[list[tuple[Place, float]]],
    quals: Sequence[list[Place]],
    gazetteer: Gazetteer,
    hints: Counter[str],
) -> list[Place | None]:
    """The first sense of every name, easiest first: a name pinned by a qualifier, then the
    name whose best sense leads its rivals by the widest margin, each read in the context of
    those already decided. Deciding all at once from prominence alone lets two ambiguous names
    pull each other the wrong way (a county name whose most populous namesake is in another
    state draws a town away from the county it lies in, and the town the county)."""

    def margin(options: list[tuple[Place, float]]) -> float:
        scores = sorted((_prior(p, w) for p, w in options), reverse=True)
        return scores[0] - scores[1] if len(scores) > 1 else math.inf

    order = sorted(
        (i for i in range(len(mentions)) if cands[i]),
        key=lambda i: (mentions[i].qualifier is None, -margin(cands[i])),
    )
    countries, admin1s = Counter(hints), Counter[str]()
    picks: list[Place | None] = [None] * len(mentions)
    for i in order:
        mention = mentions[i]
        place = max(
            cands[i],
            key=lambda pw: _sense_score(
                mention, *pw, gazetteer, quals[i], countries, admin1s, anchors=()
            ),
        )[0]
        picks[i] = place
        if place.country:
            countries[place.country] += 1
        if place.admin1:
            admin1s[place.admin1] += _admin1_weight(place)
    return picks
