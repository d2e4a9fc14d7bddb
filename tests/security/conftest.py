"""Fixtures for the hardening tests: a per-session var/ folder that reads the built KB and office data
(symlinked, read-only use) and keeps everything the tests write (audit log, WeChat tables) to itself."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import VAR


@pytest.fixture(scope="session")
def shared_var(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("security-var")
    for name in ("kb", "models", "service_points.db", "spacy"):
        if (VAR / name).exists():
            (folder / name).symlink_to(VAR / name)
    return folder
