"""Datelines and source credits: "BAMAKO, Mali (AP) --" names where the copy was filed (the
newsroom), which is not where the story happened when the text names another place."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from processors.nlp.spans import DASHES, line_starts
from processors.places.gazetteer import Gazetteer
from processors.places.words import ABBREVIATED

__all__ = ["dateline", "dateline_names", "is_source_credit", "mark_newsroom"]


def is_source_credit(span: Span) -> bool:
    """ "(AP) -", "(WAVE) —" after a dateline: the wire or station that filed the story, in
    capitals between brackets before a dash; never a place."""
    doc = span.doc
    return (
        len(span) > 0
        and span.start > 0
        and span.end + 1 < len(doc)
        and doc[span.start - 1].text == "("
        and doc[span.end].text == ")"
        and doc[span.end + 1].text in DASHES
        and span.text.replace(" ", "").isupper()
    )


def dateline(doc: Doc, start: int, end: int) -> bool:
    """ "BEIRUT, Lebanon --", "QAMISHLI (Reuters) -": a name in capitals opening the text or a
    line, then a comma, bracket or dash, is where the story was filed."""
    opens = start == 0 or (doc[start - 1].is_space and "\n" in doc[start - 1].text)
    after = doc[end] if end < len(doc) else None
    return (
        opens
        and all(tok.is_upper or not tok.is_alpha for tok in doc[start:end])
        and after is not None
        and after.text in (",", "(", "-", "--", "–", "—")
    )


def mark_newsroom(doc: Doc, places: list[dict[str, object]]) -> None:
    """Set ``newsroom`` on a dateline that names its city and country ("KABUL, Afghanistan
    (May 3) -"): the story was filed there by a correspondent or a press office, so it says
    where the newsroom is, not where the story happened. So is a national capital alone
    ("NAIROBI -", "LIMA -"): wire and national copy is filed there about the whole country. A
    dateline of another city alone, or with its state ("SAN ANTONIO -", "RICHMOND, Ind. -"),
    is local news, usually from the place."""
    by_start = {int(p["start"]): p for p in places}
    for place in places:
        span = doc.char_span(int(place["start"]), int(place["end"]), alignment_mode="expand")
        if span is None or not all(t.is_upper or not t.is_alpha for t in span):
            continue
        if place.get("capital") and dateline(doc, span.start, span.end):
            after = doc[span.end].text if span.end < len(doc) else ""
            if after != ",":  # "WASHINGTON, D.C. -" is local news of the city
                place["newsroom"] = True
                continue
        comma = span.end
        if comma + 1 < len(doc) and doc[comma].text == ",":
            after = by_start.get(doc[comma + 1].idx)
            if after is None or after.get("kind") != "country":
                continue
            country = doc.char_span(int(after["start"]), int(after["end"]), alignment_mode="expand")
            dated = (  # "KABUL, Afghanistan (May 3)" after a page's header, mid-line
                country is not None
                and country.end < len(doc)
                and doc[country.end].text in ("(", *DASHES)
            )
            if dateline(doc, span.start, span.end) or dated:
                place["newsroom"] = True


def _dateline_run(doc: Doc, start: int) -> int | None:
    """The end of a name in capitals opening a dateline at ``start`` ("ST. LOUIS (AP) -",
    "SALT LAKE CITY -"), with the period of an abbreviation inside it, if one does."""
    end = start
    while end < len(doc) and end - start < 8:
        tok = doc[end]
        capitals = tok.is_alpha and tok.is_upper
        abbreviation = tok.text == "." and end > start and len(doc[end - 1]) <= 3  # "ST." "FT."
        if not (capitals or abbreviation):
            break
        end += 1
    return end if end > start and dateline(doc, start, end) else None


def dateline_names(doc: Doc, ents: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """A dateline's name in capitals is one place when the gazetteer knows it whole. The small
    model cuts such names at their capitals ("SALT" an organisation and "LAKE CITY" a place,
    "ST" and "LOUIS" apart), and the pieces then resolve to another town or to none."""
    for start in line_starts(doc):
        end = _dateline_run(doc, start)
        if end is None or end - start < 2:
            continue
        run = doc[start:end]
        if any(e.start == start and e.end == end for e in ents):
            continue
        spelled = " ".join(ABBREVIATED.get(t.lower_, t.text) for t in run if t.text != ".")
        if not any(
            score >= 1.0
            for name in (run.text, spelled)
            for _, score in gazetteer.candidates(name, limit=5)
        ):
            continue
        ents = [e for e in ents if e.end <= start or e.start >= end]
        ents = sorted([*ents, Span(doc, start, end, label="GPE")], key=lambda e: e.start)
    return ents
