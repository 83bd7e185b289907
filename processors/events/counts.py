"""The counts one sentence states: casualty statements, a death toll, "no casualties"; and
which sentences tell of another time (background) or a superseded figure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from processors.events.casualties import CARED, Statement, detains_others
from processors.events.dates import dated_days, published_day
from processors.events.numbers import count_of

__all__ = [
    "BACKGROUND_RE",
    "told_as_past",
    "HURT_FIELDS",
    "SUPERSEDED_RE",
    "count_field",
    "count_key",
    "is_headline",
    "mark_other_detainees",
    "named_dead",
    "sentence_counts",
]

HURT_FIELDS = frozenset({"injured", "shot", CARED})


_NONE_RE = re.compile(
    r"\b(no (?:one|people|person|persons|casualties|fatalities|deaths|injuries)\b|"
    r"(?:did not|didn't) result in any (?:fatalities|casualties|deaths)|"
    r"without (?:any )?(?:casualties|fatalities))",
    re.IGNORECASE,
)


_TOLL_RE = re.compile(
    r"\b(?:to|at|of|reached|stands at|stood at)\s+((?:(?:about|around|some|nearly|at least|more "
    r"than|over)\s+)?[\w,.-]+\s+[a-z]+(?:\s+of\s+the\s+\w+)?(?:\s*(?:,|and)\s+(?:(?:about|around|"
    r"some|nearly|at least|more than|over)\s+)?[\w,.-]+\s+[a-z]+(?:\s+of\s+the\s+\w+)?)*)",
    re.IGNORECASE,
)


def _toll(word: Token) -> tuple[int | None, set[int]]:
    """ "the toll climbed to some 40 villagers and 3 guards": the sum
    of the counts listed after the toll, and the token indices it used (read from the text: a
    small parser often splits such lists)."""
    doc = word.doc
    sent = word.sent
    tail = doc[word.i + 1 : sent.end]
    match = _TOLL_RE.search(tail.text)
    if match is None:
        return None, set()
    total, used = 0, set()
    for part in re.split(r"\s*(?:,|\band\b)\s+", match.group(1)):
        words = part.split()
        numberish = [w for w in words if not w.isalpha() or w.lower() in _NUMBER_WORDS]
        value = count_of(words[: len(words) - 1]) if len(words) > 1 else None
        if value is None and numberish:
            value = count_of(numberish)
        if value is None:
            break
        total += value
    start = tail.start_char + match.start(1)
    end = tail.start_char + match.end(1)
    used = {t.i for t in doc[word.i :] if start <= t.idx < end}
    return (total if used else None), used


_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "sixty seventy eighty ninety hundred thousand dozen dozens hundreds scores".split()
)


def _name_of(tok: Token) -> frozenset[str]:
    """The words of a person's name the parse gives ("Anna Smith"), or nothing for a noun."""
    if tok.pos_ != "PROPN":
        return frozenset()
    return frozenset(
        t.lower_
        for t in (*tok.children, tok)
        if t is tok or (t.dep_ == "compound" and t.pos_ == "PROPN")
    )


def named_dead(doc: Doc, said: Iterable[Statement]) -> list[frozenset[str]]:
    """The names of the people the article reports dead."""
    return [
        name
        for s in said
        if s.field == "fatalities"
        for i in s.people
        if (name := _name_of(doc[i]))
    ]


def _of_the_dead(doc: Doc, statement: Statement, dead: Sequence[frozenset[str]]) -> bool:
    """Is a statement of the hurt only about people the article names as dead? "She was
    found with a gunshot wound" of a woman who died tells of no one else hurt. A name is the
    same person when its words are among the other's ("Smith" and "Anna Smith"), not when
    they only share a family name ("John Smith" and "Anna Smith")."""
    names = [_name_of(doc[i]) for i in statement.people]
    return bool(names) and all(
        name and any(name <= other or other <= name for other in dead) for name in names
    )


def count_key(fld: str, *, additional: bool, partitive: bool, individual: bool = False) -> str:
    """The counts key of a statement: ``_partof_<field>`` for "one of them died",
    ``_also_<field>`` for "was also killed", ``_one_<field>`` for "Jane Doe was wounded", else
    the field (``Incident.add`` reads it back)."""
    if partitive:
        return f"_partof_{fld}"
    return f"_also_{fld}" if additional else f"_one_{fld}" if individual else fld


def sentence_counts(
    sent: Span,
    said: Iterable[Statement],
    dead: Sequence[frozenset[str]] = (),
) -> dict[str, int | None]:
    """The counts one sentence states: casualty statements (processors.events.casualties), a death
    toll ("the toll rose to 40"), and "no casualties" as zeros. A statement of the hurt about
    people named among the dead (``dead``) counts no one more."""
    counts: dict[str, int | None] = {}
    for statement in said:
        if statement.field in HURT_FIELDS and _of_the_dead(sent.doc, statement, dead):
            continue
        key = count_key(
            statement.field,
            additional=statement.additional,
            partitive=statement.partitive,
            individual=statement.individual,
        )
        counts[key] = statement.value
        if statement.perpetrators:
            counts[f"_perpetrators_{statement.field}"] = statement.perpetrators
    for tok in sent:
        if tok.lemma_.lower() == "toll":
            value, _ = _toll(tok)
            if value is not None:
                counts["fatalities"] = max(counts.get("fatalities") or 0, value)
    if _NONE_RE.search(sent.text):
        lower = sent.text.lower()
        if any(w in lower for w in ("fatalit", "death", "killed", "casualt", "dead")):
            counts.setdefault("fatalities", 0)
        if any(w in lower for w in ("injur", "casualt", "wound")):
            counts.setdefault("injured", 0)
    return counts


def mark_other_detainees(told: dict[int, list[Statement]], sentences: Sequence[Span]) -> None:
    """Mark as more (``additional``) the body's statements of detentions that count other
    people than the detentions told before them (``casualties.detains_others``), so an
    operation's "arrested a leader" and "detained two fighters" make three, not two."""
    base: Statement | None = None
    for n in sorted(told):
        if is_headline(sentences[n]):
            continue  # a headline sums up; the body is what adds up
        for i, statement in enumerate(told[n]):
            if statement.field != "arrested" or statement.partitive or statement.additional:
                continue
            if base is not None and detains_others(sentences[n].doc, base, statement):
                told[n][i] = replace(statement, additional=True)
            else:
                base = statement


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\."
)


# Time adverbials that place a mention before the reported incident: "in March" (a month with
# no day), "in 2014", "between 2010 and 2013", "last year", "two years ago", "earlier this
# month", "since 2010"; at a sentence's start too ("In 2014, ...").
BACKGROUND_RE = re.compile(
    rf"\b(?:(?:[Ii]n|[Ss]ince|[Dd]uring|[Uu]ntil) (?:early |late |mid-)?"
    rf"(?:{_MONTHS})(?! \d)(?:,? \d{{4}})?"
    r"|(?:[Ii]n|[Ss]ince|[Dd]uring) (?:19|20)\d\d\b"
    rf"|\b(?:[Bb]etween|[Ff]rom) (?:(?:{_MONTHS}) )?(?:19|20)\d\d (?:and|to|through|until)\b"
    r"|(?:last|so far this|this) (?:year|month|summer|winter|spring|fall|autumn|decade)"
    r"|earlier this (?:year|month|summer|spring|fall|winter)"
    r"|\w+ (?:years|months|decades) ago|a (?:year|month|decade) ago"
    r"|(?:previous|prior) (?:incident|shooting|attack)s?)",
)


_RECENT_DAYS = 60  # "Dec. 30, 2014" in a story of Jan. 3, 2015 is the news, not the past


def told_as_past(text: str, published: str | None = None) -> bool:
    """Does a sentence tell of an earlier happening than the one reported: a time adverbial
    that places it before (``BACKGROUND_RE``), or a day written with its year (news gives the
    year only of another year than the current one) of an earlier year than the article's,
    more than two months before it?"""
    if BACKGROUND_RE.search(text):
        return True
    today = published_day(published)
    return today is not None and any(
        told.year < today.year and (today - told).days > _RECENT_DAYS for told in dated_days(text)
    )


# An earlier figure the article has since corrected: "police initially said", "had originally
# reported" (not "initial reports indicate", a first figure that may be the only one).
SUPERSEDED_RE = re.compile(
    r"\b(?:initially|originally|at first|previously) "
    r"(?:said|reported|stated|believed|thought|told|put|listed|identified)\b",
    re.IGNORECASE,
)


def count_field(key: str) -> str:
    """The field of a counts key (``_also_arrested`` -> ``arrested``)."""
    return key.removeprefix("_also_").removeprefix("_partof_").removeprefix("_one_")


def is_headline(sent: Span) -> bool:
    """In the article's title (``doc._.title_end``, set by the enricher: 0 when untitled)."""
    return sent.start_char < (sent.doc._.title_end or 0)
