"""Shared test helpers: the sample notice and its upload form."""
from __future__ import annotations

from pathlib import Path

import aiohttp

DATA = Path(__file__).with_name("data")
NOTICE = DATA / "notice.txt"
NOTICE_META = {"title": "关于残疾人两项补贴按月发放时间的通知（测试样例）", "doc_number": "晋残联发〔2026〕99号",
               "issuer": "山西省残疾人联合会", "date": "2026-11-20", "effective_date": "2026-12-01"}
NOTICE_QUESTION = "残疾人两项补贴每月几号发放"
NOTICE_ANSWER = "每月15日前发放"


def upload_form(data: bytes, filename: str = "notice.txt", **overrides: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=filename, content_type="application/octet-stream")
    for k, v in {**NOTICE_META, **overrides}.items():
        if v is not None:
            form.add_field(k, v)
    return form
