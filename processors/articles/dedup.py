"""Near-duplicate articles: the same story filed twice (one wire report on two feeds, a re-post
under a new headline) is marked ``duplicate_of`` the first copy, so a desk can hide the copies.

Two articles are near-duplicates when the word 4-grams of their clean texts overlap by at least
``THRESHOLD`` (Jaccard similarity). A MinHash signature of ``HASHES`` numbers estimates that
overlap without the texts; locality-sensitive hashing cuts the signature into ``BANDS`` bands
whose hashes are plain keywords, so the earlier copies of an article are found with one terms
query on the index: two articles share a band with probability 1 - (1 - s^4)^16 for similarity
s, that is 0.999 at s = 0.8 and 0.12 at s = 0.3; the signatures then decide.

Everything here is deterministic across processes and machines (no salted ``hash()``), so a
replay computes the same fingerprint and finds the same first copy.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from processors.text.normalise import fold

__all__ = [
    "BANDS",
    "HASHES",
    "THRESHOLD",
    "Copy",
    "fingerprint",
    "first_copy",
    "minhash",
    "similarity",
]

HASHES = 64
BANDS = 16
THRESHOLD = 0.8
_ROWS = HASHES // BANDS
_SHINGLE = 4
_MIN_WORDS = 12  # a headline alone is too little to call two articles the same story
_PRIME = (1 << 31) - 1
_rng = random.Random(20261124)  # fixed: the coefficients must never change between runs
_A = np.array([_rng.randrange(1, _PRIME) for _ in range(HASHES)], dtype=np.uint64)
_B = np.array([_rng.randrange(0, _PRIME) for _ in range(HASHES)], dtype=np.uint64)
_WORD = re.compile(r"[0-9a-z]+")


def _shingles(text: str) -> np.ndarray:
    words = _WORD.findall(fold(text).lower())
    if len(words) < _MIN_WORDS:
        return np.empty(0, dtype=np.uint64)
    grams = {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
    return np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))


def fingerprint(text: str) -> dict[str, list[Any]] | None:
    """``{"minhash": [64 ints], "bands": [16 keywords]}`` of a clean text, or ``None`` when it
    is too short to compare."""
    shingles = _shingles(text)
    if not shingles.size:
        return None
    signature = minhash(shingles)
    bands = [
        f"{band}:{zlib.crc32(repr(signature[band * _ROWS : (band + 1) * _ROWS]).encode()):08x}"
        for band in range(BANDS)
    ]
    return {"minhash": signature, "bands": bands}


def minhash(hashes: np.ndarray) -> list[int]:
    """The ``HASHES`` MinHash values of a non-empty set of 32-bit hashes: one universal hash
    per row, (a*x + b) mod p, minimised over the set; a < 2^31 and x < 2^32, so a*x + b stays
    below 2^64. Two sets' signatures agree in a share of rows that estimates their Jaccard
    similarity (``similarity``)."""
    return [int(v) for v in ((_A[:, None] * hashes[None, :] + _B[:, None]) % _PRIME).min(axis=1)]


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two texts from their MinHash signatures."""
    if len(a) != HASHES or len(b) != HASHES:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / HASHES


@dataclass(frozen=True)
class Copy:
    """An article seen before that may be the first copy of a story."""

    id: str
    first_seen: str  # ISO 8601, UTC: when newsmon first enriched it
    minhash: Sequence[int]


def first_copy(
    own_id: str, own_seen: str, minhash: Sequence[int], others: Iterable[Copy]
) -> str | None:
    """The id of the earliest article (by ``first_seen``, then id) that ``own_id`` nearly
    duplicates, or ``None``. Only articles seen before this one count, so the first copy of a
    story is never marked a copy of a later one, whatever order they are indexed in."""
    matches = [
        c
        for c in others
        if c.id != own_id
        and (c.first_seen, c.id) < (own_seen, own_id)
        and similarity(minhash, c.minhash) >= THRESHOLD
    ]
    return min(matches, key=lambda c: (c.first_seen, c.id)).id if matches else None
