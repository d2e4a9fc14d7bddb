"""The one database-engine factory: every store (agent assist, audit, WeChat, service points) gets its
SQLAlchemy engine here, and the launcher derives Rasa's tracker-store settings from the same URL.

SQLite (the default, files under var/) and PostgreSQL (DATABASE_URL=postgresql://…) are supported. One
engine per URL per process, so stores sharing a database share one connection pool.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

_engines: dict[str, Engine] = {}
_lock = threading.Lock()

# Pool per process: the service runs store calls in asyncio's default thread pool (≤ 32 threads here).
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 20


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres:"))


def sqlalchemy_url(url: str) -> str:
    """postgres:// and postgresql:// name the psycopg (v3) driver the app venv installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_for(url: str) -> Engine:
    """The process-wide engine for `url` (created on first use)."""
    key = sqlalchemy_url(url)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _create(key)
        return engine


def _create(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql"):
        # pre-ping: a PostgreSQL restart costs one failed checkout, not an error to a resident.
        return create_engine(url, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW,
                             pool_recycle=1800, connect_args={"connect_timeout": 5})
    raise ValueError(f"DATABASE_URL 不受支持：{url.split(':', 1)[0]}（请使用 sqlite:/// 或 postgresql://）")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL with synchronous=NORMAL: a commit is not an fsync, readers never wait for the writer, and a
    crashed or restarted service still finds every committed row."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def dispose_all() -> None:
    """Close every pooled connection (after a fork, or at shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()


def tracker_store_config(database_url: str, var_dir: Path) -> dict[str, Any]:
    """Rasa's SQL tracker store for the same DATABASE_URL: var/tracker.db (beside the other SQLite files)
    by default, the PostgreSQL database when DATABASE_URL names one."""
    if not database_url or database_url.startswith("sqlite"):
        folder = Path(database_url.split(":///", 1)[1]).parent if database_url.startswith("sqlite:///") else var_dir
        return {"type": "SQL", "dialect": "sqlite", "db": str(folder / "tracker.db")}
    if not is_postgres(database_url):
        raise ValueError(f"DATABASE_URL 不受支持：{database_url.split(':', 1)[0]}（请使用 sqlite:/// 或 postgresql://）")
    url = urlparse(database_url)
    cfg: dict[str, Any] = {"type": "SQL", "dialect": "postgresql", "url": url.hostname or "localhost",
                           "port": url.port or 5432, "db": url.path.lstrip("/") or "postgres"}
    if url.username:
        cfg["username"] = unquote(url.username)
    if url.password:
        cfg["password"] = unquote(url.password)
    return cfg
