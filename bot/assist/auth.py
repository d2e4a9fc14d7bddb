"""Staff tokens: STAFF_TOKEN holds one bare token or several `staff_id:token` pairs, comma-separated.

    STAFF_TOKEN=s3cret                      → every request is staff id "staff"
    STAFF_TOKEN=wang01:tok-a,li02:tok-b     → the audit log says who (wang01 / li02)

A staff id is 1-64 characters of [A-Za-z0-9_.-]; an entry whose part before the first ":" is not such an
id is read as a bare token. A single entry with ":" is read as a pair, and the log says so at startup
(a bare token that contains ":" is written `staff:<token>`, so it is never cut in two unnoticed). Unset (or only blanks) means agent assist is not configured: the API answers
503, it is never open.
"""
from __future__ import annotations

import hmac
import logging
import re
from typing import Optional

from aiohttp import web

from bot.errors import ApiError

log = logging.getLogger("bot.assist.auth")

DEFAULT_STAFF_ID = "staff"
_STAFF_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

NOT_CONFIGURED = ApiError(503, "assist_not_configured", "坐席辅助未配置：请管理员设置 STAFF_TOKEN 后重试。")


def parse_tokens(raw: str) -> dict[str, str]:
    """token → staff id; empty entries are ignored."""
    tokens: dict[str, str] = {}
    entries = [e.strip() for e in (raw or "").split(",") if e.strip()]
    for entry in entries:
        staff_id, sep, token = entry.partition(":")
        if sep and token.strip() and _STAFF_ID.match(staff_id.strip()):
            tokens[token.strip()] = staff_id.strip()
            if len(entries) == 1 and staff_id.strip() != DEFAULT_STAFF_ID:
                log.warning("STAFF_TOKEN has one entry with ':' and is read as staff id %r with its token. "
                            "If ':' is part of one bare token, write STAFF_TOKEN=staff:<token> / "
                            "STAFF_TOKEN 含有冒号，已按“坐席编号:令牌”读取；若冒号属于令牌本身，请写成 staff:<令牌>",
                            staff_id.strip())
        else:
            tokens[entry] = DEFAULT_STAFF_ID
    return tokens


def bearer(request: web.Request) -> Optional[str]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def staff_for(tokens: dict[str, str], presented: Optional[str]) -> Optional[str]:
    """The staff id for a presented token, comparing every configured token in constant time."""
    if not presented:
        return None
    found = None
    given = presented.encode("utf-8")
    for token, staff_id in tokens.items():
        if hmac.compare_digest(token.encode("utf-8"), given):
            found = staff_id
    return found


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "未授权：请使用有效的坐席令牌登录。")
