"""Give lines written in capitals, or in title case, ordinary case before the NER reads them.

Wire copy puts headlines and datelines in capitals ("SOCCER - SHEARER NAMED AS ENGLAND
CAPTAIN ."), where a small English model tags almost every word or none; many sites write
headlines in title case ("2 Dead, 3 Hurt In Bar Shooting"), where it takes "Dead" and "Hurt" for
names and finds no casualty. Each word of such a line takes the case the same word has
elsewhere in the article ("Shearer", "dead"), else title case when it is a known name (a place
in the gazetteer, a curated alias), else lower case. Only the case of
letters changes, never their number, so every offset into the text stays valid: the NER reads
the recased copy and entities are reported against the original text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

__all__ = ["shouting", "title_cased", "truecase"]

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’.][^\W\d_]+)*\.?")
_LINE_RE = re.compile(r"[^\n]*\n?")


def shouting(line: str) -> bool:
    """A line mostly in capitals, with enough letters to tell.

    At most a tenth of the cased letters may be small, so a line stops being read as soon as
    more than a tenth of its length is small letters: running text is given up on at once."""
    limit = 0.1 * len(line)
    cased = small = 0
    for ch in line:
        if ch.isalpha() and ch.lower() != ch.upper():
            cased += 1
            if not ch.isupper():
                small += 1
                if small > limit:
                    return False
    return cased >= 4 and cased - small >= 0.9 * cased


_WORDS = frozenset(
    "am an as at be by do go he hi if in is it me my no of oh ok on or so to up we".split()
)
_SMALL_WORDS = frozenset(
    "a an and as at by for from in into of off on or over the to with after near amid".split()
)


def _words(line: str) -> list[str]:
    return [m.group() for m in _WORD_RE.finditer(line) if len(m.group()) > 1]


def title_cased(line: str, evidence: dict[str, str]) -> bool:
    """A headline in title case: four words or more, nearly all capitalised, and among them a
    small word ("In", "Of") or two words the article writes in lower case elsewhere."""
    words = _words(line)
    if len(words) < 4 or shouting(line):
        return False
    capital = [w for w in words if w[0].isupper() and not w.isupper()]
    if len(capital) < 0.85 * len(words):
        return False
    small = any(w.lower() in _SMALL_WORDS for w in capital[1:])
    lowered = sum(1 for w in capital if evidence.get(w.lower(), w).islower())
    return small or lowered >= 2


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
        if len(word) == 2 and word.isupper() and word.lower() not in _WORDS and known(word):
            form = word  # a postal or country code: "LOUISVILLE, KY", "US"
        elif known(word):
            form = word[0] + word[1:].lower()
        elif len(word.rstrip(".")) <= 3 and not re.search(r"[AEIOUY]", word):
            form = word  # an acronym such as "NBC" or "U.S."
        else:
            form = word.capitalize() if first else lower
    elif first and form.islower():
        form = form.capitalize()
    return form if len(form) == len(word) else word


def _mostly_capitalised(line: str) -> bool:
    words = _words(line)
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.85 * len(words)


_HEAD_LINES = 3  # a title-case line is a headline: only the first lines are looked at


def truecase(text: str, known: Callable[[str], bool]) -> str:
    """``text`` with its shouting lines and title-case headlines recased; same length, same
    offsets."""
    lines = _LINE_RE.findall(text)
    shouted = {i for i, line in enumerate(lines) if shouting(line)}
    heads = [i for i in range(min(_HEAD_LINES, len(lines))) if _mostly_capitalised(lines[i])]
    if not shouted and not heads:
        return text
    evidence = _evidence([line for i, line in enumerate(lines) if i not in heads])
    shouted |= {i for i in heads if title_cased(lines[i], evidence)}
    if not shouted:
        return text
    out = []
    for n, line in enumerate(lines):
        if n not in shouted:
            out.append(line)
            continue
        pieces, cursor = [], 0
        for match in _WORD_RE.finditer(line):
            pieces.append(line[cursor : match.start()])
            first = not line[: match.start()].strip()  # "2 KILLED": "killed" is not first
            pieces.append(_recase(match.group(), first, evidence, known))
            cursor = match.end()
        pieces.append(line[cursor:])
        out.append("".join(pieces))
    result = "".join(out)
    return result if len(result) == len(text) else text
