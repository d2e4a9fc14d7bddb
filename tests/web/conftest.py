"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "web"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
