"""The spaCy pipeline newsmon enriches with: the configured model plus newsmon's components.

``pipeline`` builds it from config/pipeline.toml; ``components`` registers the ``newsmon_*``
factories (imported by ``build_pipeline``, not here: the components use places/ and events/,
which use this package's ``aliases`` and ``spans``). ``spans`` and ``consistency`` keep entity
spans to names and one label per name; ``aliases`` holds the curated names; ``sentences``
the sentence starts a parser cannot see; ``entities`` the dicts the article carries.
"""

from processors.nlp.aliases import CURATED, AliasTable, load_entities
from processors.nlp.entities import entity_dicts
from processors.nlp.pipeline import build_pipeline, cached_pipeline, load_pipeline, model_label
from processors.nlp.spans import doc_text

__all__ = [
    "CURATED",
    "AliasTable",
    "build_pipeline",
    "cached_pipeline",
    "doc_text",
    "entity_dicts",
    "load_entities",
    "load_pipeline",
    "model_label",
]
