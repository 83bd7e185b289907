"""How many: the count a news phrase gives for a group of people.

"about 200", "more than 550", "27", "twenty-seven", "1,200", "two dozen", "dozens", "a man",
"one another", "between five and 23" (the lower bound: at least that many). Vague
quantities become conventional lower bounds: "dozens" is 24 (two dozen), "scores" 40,
"hundreds" 200, "several" 3, "numerous" 3, "multiple" 2 (each word's least reading).
``None`` means the text gives no count at all ("an unspecified number of militants").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["count_of", "parse_number"]

_UNITS = {
    "zero": 0, "no": 0, "none": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "couple": 2, "pair": 2,
}  # fmt: skip
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}
_VAGUE = {
    "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "several": 3,
    "few": 3, "a few": 3, "some": None, "many": None, "numerous": 3, "multiple": 2,
    "tens": 20, "handful": 3,
}  # fmt: skip
_DIGITS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")


def parse_number(words: Sequence[str]) -> int | None:
    """The number written by ``words`` ("twenty", "seven"; "1,200"; "two", "hundred")."""
    total, current, seen = 0, 0, False
    for raw in words:
        word = raw.lower().strip(",")
        for part in word.split("-"):  # twenty-seven
            if not part:
                continue
            if _DIGITS_RE.match(part):
                current += int(float(part.replace(",", "")))
                seen = True
            elif part in _UNITS:
                current += _UNITS[part]
                seen = True
            elif part in _SCALES:
                current = max(current, 1) * _SCALES[part]
                if part not in ("hundred", "dozen"):
                    total, current = total + current, 0
                seen = True
            elif part == "and":
                continue
            else:
                return None
    return total + current if seen else None


def count_of(words: Sequence[str]) -> int | None:
    """The count of a noun phrase's modifiers: ["about", "200"] -> 200, ["dozens"] -> 24,
    ["between", "five", "and", "23"] -> 5, ["a"] -> 1."""
    tokens = [w.lower() for w in words if w.strip()]
    if not tokens:
        return None
    joined = " ".join(tokens)
    for vague, value in _VAGUE.items():
        if joined == vague or joined.endswith(" " + vague) or joined.startswith(vague + " of"):
            return value
    if "between" in tokens and "and" in tokens:  # a range: its lower bound
        i = tokens.index("between")
        tokens = tokens[i + 1 : tokens.index("and", i)]
    skip = {"about", "around", "approximately", "nearly", "almost", "some", "roughly", "at",
            "least", "more", "than", "over", "up", "to", "under", "fewer", "less", "only",
            "just", "another", "other", "estimated", "an", "total", "of"}  # fmt: skip
    numeric = [t for t in tokens if t not in skip or t in ("a", "an")]
    for vague in ("several", "few", "a few"):  # "several hundred" -> 300
        if vague in numeric:
            after = numeric[numeric.index(vague) + 1 :]
            if after and after[0] in _SCALES:
                return 3 * _SCALES[after[0]]
    words = [t for t in numeric if _numberish(t)]  # "two suspected ISGS" -> "two"
    vague = next((t for t in numeric if _VAGUE.get(t) is not None), None)
    if not words and vague is not None:
        return _VAGUE[vague]  # "several suspected insurgents" -> 3, "a few suspects" -> 3
    if not words:
        return 1 if any(t in ("a", "an") for t in numeric) else None
    return parse_number(words)


def _numberish(word: str) -> bool:
    return (
        bool(_DIGITS_RE.match(word.strip(",")))
        or all(part in _UNITS or part in _SCALES for part in word.split("-") if part)
        and word not in ("a", "an", "no")
    )
