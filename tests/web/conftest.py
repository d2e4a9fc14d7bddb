"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts" / "web"


@pytest.fixture
async def browser():
    if not CHROMIUM.exists():
        pytest.fail("没有找到 /usr/bin/chromium：请先运行 scripts/install_browser.sh")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
