"""Span hygiene and name consistency, on hand-built Docs (no trained model)."""

import spacy
from spacy.tokens import Doc, Span

from processors.nlp.consistency import make_names_consistent
from processors.nlp.spans import clean_entity_spans, doc_text, line_starts

nlp = spacy.blank("en")


def doc_with(words, ents, spaces=None, pos=None):
    doc = Doc(nlp.vocab, words=words, spaces=spaces, pos=pos)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    return doc


def ents_of(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_figures_articles_and_punctuation_are_trimmed_from_names():
    doc = doc_with(
        ["H.", "Morris", "69", "and", "the", "United", "Nations", "'s", "envoy", "in", "1996"],
        [(0, 3, "PERSON"), (4, 8, "ORG"), (10, 11, "DATE")],
    )
    assert ents_of(clean_entity_spans(doc)) == [
        ("H. Morris", "PERSON"),
        ("United Nations", "ORG"),
        ("1996", "DATE"),  # numbers stay in dates
    ]


def test_place_lists_and_line_breaks_are_split():
    doc = doc_with(
        ["Grace", "Road", ",", "Leicestershire", "LEAGUE", "\n", "BOSTON"],
        [(0, 4, "FAC"), (4, 7, "ORG")],
        spaces=[True, False, True, True, False, False, False],
    )
    assert ents_of(clean_entity_spans(doc)) == [
        ("Grace Road", "FAC"),
        ("Leicestershire", "FAC"),
        ("LEAGUE", "ORG"),
        ("BOSTON", "ORG"),
    ]


def test_surnames_of_people_named_in_full_are_people():
    words = ["Alan", "Shearer", "scored", ".", "Shearer", "left", "and", "Shearer", "won"]
    doc = doc_with(
        words,
        [(0, 2, "PERSON"), (4, 5, "ORG")],
        pos=["PROPN"] * 2 + ["VERB", "PUNCT"] + ["PROPN", "VERB", "CCONJ", "PROPN", "VERB"],
    )
    assert ents_of(make_names_consistent(doc, "curated")) == [
        ("Alan Shearer", "PERSON"),
        ("Shearer", "PERSON"),
        ("Shearer", "PERSON"),
    ]


def test_an_initial_and_a_surname_is_a_person_unless_curated():
    doc = doc_with(["P.", "Simmons", "and", "U.N."], [(0, 2, "ORG"), (3, 4, "ORG")])
    assert ents_of(make_names_consistent(doc, "curated"))[0] == ("P. Simmons", "PERSON")


def test_a_spaced_dash_ends_a_name_and_the_story_after_it_is_no_name():
    doc = doc_with(
        [
            "QAMISHLI",
            ",",
            "Syria",
            "-",
            "Authorities",
            "said",
            "Kansas",
            "City",
            "-",
            "St.",
            "Louis",
        ],
        [(2, 5, "ORG"), (6, 11, "GPE")],
        pos=["PROPN", "PUNCT", "PROPN", "PUNCT", "NOUN", "VERB"]
        + ["PROPN", "PROPN", "PUNCT", "PROPN", "PROPN"],
    )
    assert ents_of(clean_entity_spans(doc)) == [
        ("Syria", "ORG"),
        ("Kansas City", "GPE"),
        ("St. Louis", "GPE"),
    ]


def test_a_hyphen_inside_a_word_does_not_split_a_name():
    doc = doc_with(["Deir", "-", "ez", "-", "Zor"], [(0, 5, "GPE")], spaces=[False] * 5)
    assert ents_of(clean_entity_spans(doc)) == [("Deir-ez-Zor", "GPE")]


def test_line_starts_are_the_tokens_after_every_line_break():
    for text in (
        "no break at all",
        "HEADLINE\n\nBAMAKO, Mali - Body  text.\nNext line\n",
        "\nopening break, then one \n mid-line\r\nand a CRLF",
        "ends with a break\n\n",
    ):
        doc = nlp(text)
        naive = [0] + [t.i + 1 for t in doc if t.is_space and "\n" in t.text and t.i + 1 < len(doc)]
        assert line_starts(doc) == naive, text
        assert doc_text(doc) == doc.text == text
