"""Shared test set-up: where the shared fixtures live, and settings isolated from the host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = Settings().shared_dir  # ../shared, or NEWSMON_SHARED_DIR
SEED_PATH = SHARED / "fixtures" / "hasakah-prison.json"


@pytest.fixture(scope="session")
def seed_article() -> dict:
    """The seed article, read from ../shared at test time (never copied into the repo)."""
    if not SEED_PATH.is_file():
        pytest.fail(
            f"{SEED_PATH} is missing: the tests read the seed article from ../shared "
            "(or the folder NEWSMON_SHARED_DIR names)"
        )
    return json.loads(SEED_PATH.read_text())
