"""Settings, logging set-up and the data files (index templates, gazetteer, rules) newsmon reads."""

from pathlib import Path

from config.settings import Settings, default_cache_dir, get_settings, override_settings

DATA_DIR = Path(__file__).resolve().parent
"""Folder of the data files shipped beside the settings (index templates and the like)."""

__all__ = ["DATA_DIR", "Settings", "default_cache_dir", "get_settings", "override_settings"]
