"""Shared test helpers: the sample notice and its upload form."""
from __future__ import annotations

from pathlib import Path

import aiohttp

DATA = Path(__file__).with_name("data")
NOTICE = DATA / "notice.txt"
NOTICE_META = {"title": "关于老年人助餐服务补贴标准的通知（测试样例）", "doc_number": "晋民发〔2026〕99号",
               "issuer": "山西省民政厅", "date": "2026-11-20", "effective_date": "2026-11-25"}
NOTICE_QUESTION = "老年人助餐补贴标准是多少"
NOTICE_ANSWER = "每人每餐补贴3元"


def upload_form(data: bytes, filename: str = "notice.txt", **overrides: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=filename, content_type="application/octet-stream")
    for k, v in {**NOTICE_META, **overrides}.items():
        if v is not None:
            form.add_field(k, v)
    return form
