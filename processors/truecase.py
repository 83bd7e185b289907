"""Give lines written in capitals ordinary case before the NER reads them.

Wire copy puts headlines and datelines in capitals ("SOCCER - SHEARER NAMED AS ENGLAND
CAPTAIN ."), where a small English model tags almost every word or none. Each word of such a line
takes the case the same word has elsewhere in the article ("Shearer"), else title case when it
is a known name (a place in the gazetteer, a curated alias), else lower case. Only the case of
letters changes, never their number, so every offset into the text stays valid: the NER reads
the recased copy and entities are reported against the original text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

__all__ = ["shouting", "truecase"]

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’.][^\W\d_]+)*\.?")
_LINE_RE = re.compile(r"[^\n]*\n?")


def shouting(line: str) -> bool:
    """A line mostly in capitals, with enough letters to tell."""
    cased = [ch for ch in line if ch.isalpha() and ch.lower() != ch.upper()]
    return len(cased) >= 4 and sum(ch.isupper() for ch in cased) >= 0.9 * len(cased)


def _evidence(lines: list[str]) -> dict[str, str]:
    """lower-case word -> its most frequent written form in the ordinary lines."""
    forms: dict[str, Counter[str]] = {}
    for line in lines:
        if shouting(line):
            continue
        for i, match in enumerate(_WORD_RE.finditer(line)):
            word = match.group()
            if i == 0 or line[max(0, match.start() - 2) : match.start()].strip() in (".", '"'):
                continue  # sentence-initial capitals say nothing
            forms.setdefault(word.lower(), Counter())[word] += 1
    return {lower: counts.most_common(1)[0][0] for lower, counts in forms.items()}


def _recase(word: str, first: bool, evidence: dict[str, str], known: Callable[[str], bool]) -> str:
    lower = word.lower()
    form = evidence.get(lower)
    if form is None:
        if known(word):
            form = word[0] + word[1:].lower()
        elif len(word.rstrip(".")) <= 3 and not re.search(r"[AEIOUY]", word):
            form = word  # an acronym such as "NBC" or "U.S."
        else:
            form = word.capitalize() if first else lower
    elif first and form.islower():
        form = form.capitalize()
    return form if len(form) == len(word) else word


def truecase(text: str, known: Callable[[str], bool]) -> str:
    """``text`` with its shouting lines recased; same length, same offsets."""
    lines = _LINE_RE.findall(text)
    if not any(shouting(line) for line in lines):
        return text
    evidence = _evidence(lines)
    out = []
    for line in lines:
        if not shouting(line):
            out.append(line)
            continue
        pieces, cursor = [], 0
        for i, match in enumerate(_WORD_RE.finditer(line)):
            pieces.append(line[cursor : match.start()])
            pieces.append(_recase(match.group(), i == 0, evidence, known))
            cursor = match.end()
        pieces.append(line[cursor:])
        out.append("".join(pieces))
    result = "".join(out)
    return result if len(result) == len(text) else text
