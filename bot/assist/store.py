"""Call state in SQLite or PostgreSQL (SQLAlchemy Core), so a restart of the service loses no call.

One row per open call: the state is a JSON document (transcript, facts, programs, place, answers…)
rewritten on every line. Calls idle longer than `idle_minutes` are purged on every access.
"""
from __future__ import annotations

import json
import time
from typing import Any, Optional

from sqlalchemy import Column, Float, MetaData, String, Table, Text, delete, insert, select, update

from bot.db import engine_for

metadata = MetaData()
calls = Table(
    "assist_calls", metadata,
    Column("call_id", String(128), primary_key=True),
    Column("staff_id", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False, index=True),
    Column("state", Text, nullable=False),
)


class CallStore:
    def __init__(self, url: str, idle_minutes: float = 120) -> None:
        self.engine = engine_for(url)
        self.idle_s = idle_minutes * 60
        metadata.create_all(self.engine)

    def purge_expired(self, now: Optional[float] = None) -> int:
        cutoff = (now or time.time()) - self.idle_s
        with self.engine.begin() as conn:
            return conn.execute(delete(calls).where(calls.c.updated_at < cutoff)).rowcount or 0

    def get(self, call_id: str) -> Optional[dict[str, Any]]:
        self.purge_expired()
        with self.engine.connect() as conn:
            row = conn.execute(select(calls).where(calls.c.call_id == call_id)).mappings().first()
        if row is None:
            return None
        state = json.loads(row["state"])
        state.update(call_id=row["call_id"], staff_id=row["staff_id"], created_at=row["created_at"],
                     updated_at=row["updated_at"])
        return state

    def save(self, state: dict[str, Any]) -> None:
        body = {k: v for k, v in state.items() if k not in {"call_id", "created_at", "updated_at"}}
        text = json.dumps(body, ensure_ascii=False)
        now = time.time()
        with self.engine.begin() as conn:
            done = conn.execute(update(calls).where(calls.c.call_id == state["call_id"])
                                .values(staff_id=state["staff_id"], updated_at=now, state=text)).rowcount
            if not done:
                conn.execute(insert(calls).values(call_id=state["call_id"], staff_id=state["staff_id"],
                                                  created_at=state.get("created_at") or now, updated_at=now,
                                                  state=text))
        state["updated_at"] = now
        state.setdefault("created_at", now)

    def delete(self, call_id: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(calls).where(calls.c.call_id == call_id)).rowcount)
