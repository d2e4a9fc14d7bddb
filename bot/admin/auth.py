"""Admin bearer tokens with roles: an editor prepares changes, a publisher publishes and rolls back.

    ADMIN_TOKEN=tok                                   → publisher "admin"
    ADMIN_TOKENS=editor:wang:tok-a,publisher:li:tok-b → editor "wang", publisher "li"

Entries are comma-separated `role:name:token`; a name is 1-64 characters of [A-Za-z0-9_.-]. A malformed
entry is ignored (and logged), never read as a token. With neither variable set the admin API answers 401
to everyone: it is never open.
"""
from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from typing import Optional

from aiohttp import web

from bot.errors import ApiError

log = logging.getLogger("bot.admin")

ROLES = ("editor", "publisher")
_RANK = {"editor": 1, "publisher": 2}
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
ROLE_LABELS = {"editor": "编辑", "publisher": "发布人"}


@dataclass(frozen=True)
class Admin:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """A publisher may do everything an editor may."""
        return _RANK[self.role] >= _RANK[role]


def parse_tokens(admin_token: str, admin_tokens: str) -> dict[str, Admin]:
    """token → Admin."""
    tokens: dict[str, Admin] = {}
    if admin_token and admin_token.strip():
        tokens[admin_token.strip()] = Admin("admin", "publisher")
    for entry in (admin_tokens or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        role, _, rest = entry.partition(":")
        name, _, token = rest.partition(":")
        if role.strip() not in ROLES or not _NAME.match(name.strip()) or not token.strip():
            log.error("ADMIN_TOKENS: ignored an entry that is not role:name:token (role editor or publisher)")
            continue
        tokens[token.strip()] = Admin(name.strip(), role.strip())
    return tokens


def bearer(request: web.Request) -> Optional[str]:
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def find_admin(tokens: dict[str, Admin], presented: Optional[str]) -> Optional[Admin]:
    """Compare with every configured token in constant time."""
    if not presented:
        return None
    given, found = presented.encode("utf-8"), None
    for token, admin in tokens.items():
        if hmac.compare_digest(token.encode("utf-8"), given):
            found = admin
    return found


def authenticate(tokens: dict[str, Admin], request: web.Request, role: str) -> Admin:
    admin = find_admin(tokens, bearer(request))
    if admin is None:
        raise ApiError(401, "unauthorized", "未授权：请使用有效的管理令牌登录。")
    if not admin.can(role):
        raise ApiError(403, "forbidden", f"无权操作：这项操作需要{ROLE_LABELS[role]}权限，您的角色是{ROLE_LABELS[admin.role]}。")
    return admin
