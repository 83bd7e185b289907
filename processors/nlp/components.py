"""newsmon's spaCy components, registered by name (all here, so one import registers them).

Names carry the ``newsmon_`` prefix so they never shadow spaCy's own. The pipeline is assembled
from ``config/pipeline.toml`` by ``processors.nlp.pipeline.build_pipeline``, which imports this
module.
Doc extensions are declared once, here, at import.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc, Span

from config import DATA_DIR, get_settings
from processors.events.extractor import EventExtractor
from processors.events.taxonomy import Taxonomy
from processors.nlp.aliases import CURATED, AliasTable, load_entities, ruler_patterns
from processors.nlp.consistency import make_names_consistent
from processors.nlp.sentences import mark_sentence_starts
from processors.nlp.spans import clean_entity_spans, doc_text
from processors.places.addresses import (
    is_address,
    is_ordinary_word,
    load_street_words,
    ordinary_words,
)
from processors.places.datelines import is_source_credit, mark_newsroom
from processors.places.gazetteer import Gazetteer, locale_vocabulary
from processors.places.mentions import find_place_spans, mark_metonymy
from processors.places.resolve import resolve_mentions
from processors.places.summary import drop_stray_namesakes, place_dict, summarize_places

__all__ = ["COMPONENTS", "PlaceResolver"]

COMPONENTS = (
    "newsmon_sentence_starts",
    "newsmon_entity_ruler",
    "newsmon_entity_spans",
    "newsmon_name_consistency",
    "newsmon_places",
    "newsmon_canonical",
    "newsmon_events",
)

# title_end: where the body starts in the text (0 when the article has no title); published:
# the article's ``published_at``, when given
for _name, _default in (("places", None), ("countries", None), ("regions", None),
                        ("location", None), ("events", None), ("title_end", 0),
                        ("published", None)):  # fmt: skip
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
if not Span.has_extension("canonical"):
    Span.set_extension("canonical", default=None)


@Language.component("newsmon_sentence_starts", assigns=["token.is_sent_start"])
def sentence_starts(doc: Doc) -> Doc:
    """Headline, paragraphs and dateline as sentences of their own (processors.nlp.sentences)."""
    return mark_sentence_starts(doc)


@Language.factory(
    "newsmon_entity_ruler",
    default_config={
        "entities_path": str(DATA_DIR / "entities.yaml"),
        "places_path": str(DATA_DIR / "places.yaml"),
    },
    assigns=["doc.ents"],
)
def make_entity_ruler(
    nlp: Language, name: str, entities_path: str, places_path: str
) -> EntityRuler:
    """spaCy's EntityRuler loaded with every curated entity alias and curated place name."""
    ruler = EntityRuler(nlp, name=name, overwrite_ents=True, phrase_matcher_attr="LOWER")
    patterns = ruler_patterns(nlp, load_entities(Path(entities_path)), Path(places_path))
    # phrase patterns are tokenised by nlp.pipe: matching on LOWER needs only the tokenizer
    with nlp.select_pipes(disable=nlp.pipe_names):
        ruler.add_patterns(patterns)
    return ruler


@Language.component(
    "newsmon_entity_spans", requires=["doc.ents"], assigns=["doc.ents"], retokenizes=False
)
def newsmon_entity_spans(doc: Doc) -> Doc:
    """Trim figures, articles and punctuation off entity spans; split at line breaks."""
    return clean_entity_spans(doc)


@Language.component(
    "newsmon_name_consistency", requires=["doc.ents", "token.pos"], assigns=["doc.ents"]
)
def newsmon_name_consistency(doc: Doc) -> Doc:
    """One label per name in an article; surnames of people named in full are people."""
    return make_names_consistent(doc, CURATED)


def _in_headline(span: Span, text: str) -> bool:
    """In the article's first line, when it has more than one (the title). ``text`` is the
    doc's text, read once by the caller: spaCy joins every token to make ``Doc.text`` on each
    access, which per mention was a seventh of the enrichment's time."""
    return "\n" in text[span.end_char :] and "\n" not in text[: span.start_char]


class PlaceResolver:
    """Finds place mentions, resolves them against the gazetteer, writes ``doc._.places``."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        vocabulary: dict[str, str],
        street_words: frozenset[str] = frozenset(),
    ) -> None:
        self.gazetteer = gazetteer
        self.vocabulary = vocabulary
        self.street_words = street_words

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        spans, hints = find_place_spans(doc, self.gazetteer, self.vocabulary)
        lower_words = ordinary_words(doc)
        addresses = {id(s) for s in spans if is_address(s.span, self.street_words)}
        # a headline's name that the text gives only as a street is that street ("Shot near
        # Broadway" over "at 12th Street and Broadway"); "Washington" beside "Washington
        # Street" is a place where the text also names it alone
        streets = {s.span.text for s in spans if id(s) in addresses} - {
            s.span.text for s in spans if id(s) not in addresses and not _in_headline(s.span, text)
        }
        spans = [  # streets and ordinary words are no towns (processors.places.addresses)
            s
            for s in spans
            if s.mention.fixed is not None
            or not (
                id(s) in addresses
                or is_source_credit(s.span)
                or (s.span.text in streets and _in_headline(s.span, text))
                or is_ordinary_word(s.span, lower_words)
            )
        ]
        resolved = resolve_mentions([s.mention for s in spans], self.gazetteer, hints=hints)
        mark_metonymy(spans, [r.place if r else None for r in resolved], self.gazetteer)
        places = [place_dict(r, text, self.gazetteer) for r in drop_stray_namesakes(resolved)]
        mark_newsroom(doc, places)
        doc._.places = places
        doc._.countries, doc._.regions, doc._.location = summarize_places(places)
        return doc


class Canonicalizer:
    """Sets ``span._.canonical``: the curated name of an alias; for a person the fullest form
    of the name in the article ("Sabbagh" -> "Bassam Sabbagh"); and for a name in capitals (a
    dateline, a shouted headline) the way the article writes it elsewhere ("QAMISHLI" ->
    "Qamishli"), so facets and rules see one entity, not two."""

    def __init__(self, aliases: AliasTable) -> None:
        self.aliases = aliases

    def __call__(self, doc: Doc) -> Doc:
        people = [ent for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1]
        written = {ent.text.lower(): ent.text for ent in doc.ents if not ent.text.isupper()}
        for ent in doc.ents:
            entity = self.aliases.lookup(ent.text)
            if entity is not None:
                ent._.canonical = entity.canonical
            elif ent.label_ == "PERSON" and len(ent) == 1:
                fuller = [p for p in people if p[-1].lower_ == ent[0].lower_]
                if fuller:
                    ent._.canonical = max(fuller, key=len).text
            if ent._.canonical is None and ent.text.isupper() and ent.text.lower() in written:
                ent._.canonical = written[ent.text.lower()]
        return doc


@Language.factory(
    "newsmon_canonical",
    default_config={"entities_path": str(DATA_DIR / "entities.yaml")},
    requires=["doc.ents"],
)
def make_canonicalizer(nlp: Language, name: str, entities_path: str) -> Canonicalizer:
    return Canonicalizer(AliasTable(load_entities(Path(entities_path))))


@Language.factory(
    "newsmon_places",
    default_config={
        "supplement_path": str(DATA_DIR / "places.yaml"),
        "addresses_path": str(DATA_DIR / "addresses.yaml"),
        "cache_dir": "",
    },
    requires=["doc.ents", "token.dep", "token.pos"],
    assigns=["doc.ents", "doc._.places", "doc._.countries", "doc._.regions", "doc._.location"],
)
def make_place_resolver(
    nlp: Language, name: str, supplement_path: str, addresses_path: str, cache_dir: str
) -> PlaceResolver:
    cache = Path(cache_dir) if cache_dir else get_settings().cache_dir
    supplement = Path(supplement_path)
    return PlaceResolver(
        Gazetteer.open(cache, supplement=supplement),
        locale_vocabulary(supplement),
        load_street_words(Path(addresses_path)),
    )


class EventFinder:
    """Writes ``doc._.events`` (needs the places and canonical names already set)."""

    def __init__(self, extractor: EventExtractor) -> None:
        self.extractor = extractor

    def __call__(self, doc: Doc) -> Doc:
        doc._.events = self.extractor(doc)
        return doc


@Language.factory(
    "newsmon_events",
    default_config={"taxonomy_path": str(DATA_DIR / "events.yaml")},
    requires=["doc.sents", "token.dep", "token.lemma", "doc._.places"],
    assigns=["doc._.events"],
)
def make_event_finder(nlp: Language, name: str, taxonomy_path: str) -> EventFinder:
    return EventFinder(EventExtractor(nlp, Taxonomy.load(Path(taxonomy_path))))
