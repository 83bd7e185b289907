"""The curated names of config/entities.yaml and config/places.yaml, as data and as patterns.

``AliasTable`` maps every alias to its canonical entity; ``ruler_patterns`` turns both files
into spaCy EntityRuler token patterns. The ruler runs before the statistical NER, so curated
names are recognised whole and with their label ("ISIL" is the Islamic State, an ORG; "Guyana
al-Hasakah prison" is one landmark, not a person in Guyana), and the NER tags around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language

from processors.errors import ConfigurationError
from processors.text.normalise import place_key
from processors.vocabulary import read_yaml

__all__ = ["CURATED", "AliasTable", "CanonicalEntity", "load_entities", "ruler_patterns"]

CURATED = "curated"
"""The ``ent_id_`` of entities the ruler found: later components never relabel them."""

_PLACE_LABELS = {"landmark": "FAC", "region": "LOC"}


@dataclass(frozen=True)
class CanonicalEntity:
    canonical: str
    label: str
    aliases: tuple[str, ...]


def load_entities(path: Path) -> list[CanonicalEntity]:
    """Read and check config/entities.yaml; every problem names the entry and the field."""
    data = read_yaml(path)
    out = []
    for n, entry in enumerate(data.get("entities") or [], 1):
        where = f"{path}: entity #{n}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{where} must be a mapping with canonical, label, aliases")
        problems = [
            f"'{k}' is missing" for k in ("canonical", "label", "aliases") if k not in entry
        ]
        if "aliases" in entry and not (
            isinstance(entry["aliases"], list) and all(isinstance(a, str) for a in entry["aliases"])
        ):
            problems.append("'aliases' must be a list of names")
        if problems:
            raise ConfigurationError(
                f"{where} ({entry.get('canonical', '?')}): " + "; ".join(problems)
            )
        out.append(CanonicalEntity(entry["canonical"], entry["label"], tuple(entry["aliases"])))
    return out


class AliasTable:
    """Alias -> canonical entity, matched on the folded form (case-sensitive for acronyms)."""

    def __init__(self, entities: list[CanonicalEntity]) -> None:
        self._folded: dict[str, CanonicalEntity] = {}
        self._exact: dict[str, CanonicalEntity] = {}
        for entity in entities:
            for alias in (*entity.aliases, entity.canonical):
                if _acronym(alias):
                    self._exact[alias] = entity
                else:
                    self._folded.setdefault(place_key(alias), entity)

    def lookup(self, text: str) -> CanonicalEntity | None:
        return self._exact.get(text) or self._folded.get(place_key(text))


def _acronym(alias: str) -> bool:
    letters = alias.replace(".", "")
    return letters.isupper() and len(letters) <= 5


def _pattern(nlp: Language, alias: str) -> str | list[dict[str, Any]]:
    """The alias itself, matched without case by the ruler's PhraseMatcher, unless one of its
    words is an acronym, which must match as written ("US", not "us"): then a token pattern.

    Phrase patterns cost a hash lookup per token; token patterns step every pattern's state
    machine over every token, which made the ruler a twentieth of the enrichment's time."""
    tokens = list(nlp.make_doc(alias))
    if not any(_acronym(tok.text) and any(ch.isalpha() for ch in tok.text) for tok in tokens):
        return alias
    pattern = []
    for tok in tokens:
        if _acronym(tok.text) and any(ch.isalpha() for ch in tok.text):
            pattern.append({"ORTH": tok.text})
        else:
            pattern.append({"LOWER": tok.text.lower()})
    return pattern


def ruler_patterns(
    nlp: Language, entities: list[CanonicalEntity], places_path: Path
) -> list[dict[str, Any]]:
    """EntityRuler patterns for every curated entity alias and curated place name, for a ruler
    whose ``phrase_matcher_attr`` is ``LOWER``."""
    patterns = []
    for entity in entities:
        for alias in dict.fromkeys((*entity.aliases, entity.canonical)):
            patterns.append({"label": entity.label, "pattern": _pattern(nlp, alias), "id": CURATED})
    places = (yaml.safe_load(places_path.read_text(encoding="utf-8")) or {}).get("places") or []
    for place in places:
        label = _PLACE_LABELS.get(place.get("kind", ""), "GPE")
        for name in dict.fromkeys((place["name"], *place.get("aliases", []))):
            patterns.append({"label": label, "pattern": _pattern(nlp, name), "id": CURATED})
    return patterns
