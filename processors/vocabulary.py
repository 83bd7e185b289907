"""Word lists read from config/, checked at load so a bad edit fails at start with its field.

The vocabularies that steer enrichment (trigger words, the nouns that name victims, the words
that make a name a street or a force) are data a user extends for their beat. Each is a YAML
list of words; a missing list, a list that is not one, or an entry that is not a word is a
``ConfigurationError`` naming the file and the field, never a wrong guess at run time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from processors.errors import ConfigurationError

__all__ = ["load_word_lists", "read_yaml", "word_list"]


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping at the top of a YAML file of config/ (``safe_load``: no tags, no objects)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: the file must be a mapping of names to lists")
    return data


def word_list(
    data: Mapping[str, Any], key: str, path: Path, *, required: bool = True
) -> frozenset[str]:
    """``data[key]`` as lower-case words; an absent optional list is empty."""
    value = data.get(key)
    if value is None and not required:
        return frozenset()
    if value is None:
        raise ConfigurationError(f"{path}: `{key}` (a list of words) is missing")
    if not isinstance(value, list) or not value:
        raise ConfigurationError(
            f"{path}: `{key}` must be a non-empty list of words, such as [word, other word]; "
            f"it is {type(value).__name__}"
        )
    bad = [w for w in value if not isinstance(w, str) or not w.strip()]
    if bad:
        raise ConfigurationError(
            f"{path}: `{key}` holds entries that are not words: {bad[:3]!r} (quote numbers "
            "and words YAML reads as true/false, such as 'no' or 'on')"
        )
    return frozenset(w.strip().lower() for w in value)


def load_word_lists(path: Path, keys: Iterable[str]) -> dict[str, frozenset[str]]:
    """Every list of ``keys`` from the file at ``path``, each required and checked."""
    data = read_yaml(path)
    return {key: word_list(data, key, path) for key in keys}
