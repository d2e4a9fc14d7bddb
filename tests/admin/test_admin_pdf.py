"""PDF uploads: a real PDF printed by Chromium (embedded CJK fonts) is read back as Chinese text by pypdf;
a PDF with no text layer (a scan) is refused with a Chinese reason."""
from __future__ import annotations

import html

import pytest

from bot.admin.uploads import extract_text
from bot.kb.build import DocumentError
from bot.text_normalize import normalize
from tests.admin.helpers import NOTICE

pytestmark = pytest.mark.browser


async def _pdf(browser, body: str) -> bytes:
    page = await browser.new_page()
    await page.set_content(f"<html lang='zh-CN'><body style='font-family: Noto Sans CJK SC, sans-serif'>{body}</body></html>")
    data = await page.pdf(format="A4")
    await page.close()
    return data


async def test_printed_pdf_is_read_as_chinese_text(browser):
    lines = NOTICE.read_text(encoding="utf-8").splitlines()
    data = await _pdf(browser, "".join(f"<p>{html.escape(line)}</p>" for line in lines))
    assert data.startswith(b"%PDF")
    text = extract_text("notice.pdf", data)
    # The CJK font shares one glyph between some simplified/traditional pairs (户/戶), so the PDF's own text
    # may name either; the KB reads text normalised the same way (bot.text_normalize), so compare normalised.
    flat = normalize("".join(text.split()))
    for line in lines:
        assert normalize("".join(line.split())) in flat, line
    assert "晋民发〔2026〕99号" in flat and "每人每餐补贴3元" in flat


async def test_pdf_without_text_is_refused(browser):
    data = await _pdf(browser, "<svg width='400' height='300'><rect width='400' height='300' fill='#333'/></svg>")
    with pytest.raises(DocumentError, match="扫描件"):
        extract_text("scan.pdf", data)
