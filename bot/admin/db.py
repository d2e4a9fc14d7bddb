"""The admin tables' database engine: DATABASE_URL, else var/admin.db (one engine per URL per process)."""
from __future__ import annotations

from sqlalchemy.engine import Engine


def engine_for(url: str) -> Engine:
    """The project's shared engine factory (WAL on SQLite, pre-ping on PostgreSQL)."""
    try:
        from bot.db import engine_for as shared  # issue 14's factory, once it is on main
    except ImportError:
        from bot.assist.store import engine_for as shared
    return shared(url)
