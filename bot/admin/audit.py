"""Admin audit log: who did what, when, and which versions before and after; text masked (bot.privacy)."""
from __future__ import annotations

import json
import time
from typing import Any, Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert, select

from bot.admin.db import engine_for
from bot.privacy import mask_text

metadata = MetaData()
admin_audit = Table(
    "admin_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(48), nullable=False),
    Column("target", String(300)),
    Column("before", String(200)),
    Column("after", String(200)),
    Column("status", Integer, nullable=False),
    Column("detail", Text),
)


class AuditLog:
    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)
        metadata.create_all(self.engine)

    def record(self, actor: str, role: str, action: str, status: int, target: str = "",
               before: Optional[str] = None, after: Optional[str] = None, detail: Any = "") -> None:
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        with self.engine.begin() as conn:
            conn.execute(insert(admin_audit).values(
                at=time.time(), actor=actor, role=role, action=action, status=status,
                target=mask_text(target or "")[:300], before=(before or None) and mask_text(before)[:200],
                after=(after or None) and mask_text(after)[:200], detail=mask_text(text)[:4000]))

    def read(self, limit: int = 200, action: Optional[str] = None) -> list[dict[str, Any]]:
        query = select(admin_audit).order_by(admin_audit.c.id.desc()).limit(limit)
        if action:
            query = query.where(admin_audit.c.action == action)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
