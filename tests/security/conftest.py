"""Fixtures for the hardening tests: a per-session var/ folder with a copy of the built KB (small) and the
office data, models and spaCy pipeline symlinked (read-only use); everything the tests write (audit log,
WeChat tables, any KB change) stays in it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import VAR


@pytest.fixture(scope="session")
def shared_var(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("security-var")
    if (VAR / "kb").exists():
        shutil.copytree(VAR / "kb", folder / "kb", symlinks=True)
    for name in ("models", "service_points.db", "spacy"):
        if (VAR / name).exists():
            (folder / name).symlink_to(VAR / name)
    return folder
