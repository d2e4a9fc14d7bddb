"""One engine factory for every store (bot/db.py), on SQLite always and on PostgreSQL when DATABASE_URL
points at it (CI's second run)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from bot import audit, db
from bot.assist.store import CallStore
from bot.channels.wechat_store import PUSHED, WeChatStore
from bot.service_points.store import ServicePointStore

PG_URL = os.environ.get("DATABASE_URL", "")


def _backends():
    yield pytest.param("sqlite", id="sqlite")
    yield pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not db.is_postgres(PG_URL), reason="DATABASE_URL does not point at PostgreSQL")])


@pytest.fixture(params=list(_backends()))
def url(request, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shared.db'}" if request.param == "sqlite" else PG_URL


def test_every_store_shares_the_one_engine_for_a_url(url):
    sp = ServicePointStore(url, table=f"sp_db_{uuid.uuid4().hex[:8]}")
    try:
        engine = db.engine_for(url)
        assert CallStore(url).engine is engine
        assert WeChatStore(url).engine is engine
        assert sp.engine is engine
        assert audit._engine(url) is engine
    finally:
        sp.drop()


def test_postgres_urls_use_the_installed_driver_and_sqlite_gets_wal(url, tmp_path):
    engine = db.engine_for(url)
    if db.is_postgres(url):
        assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        assert db.engine_for(url.replace("postgresql://", "postgres://", 1)) is engine
    else:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_an_unsupported_database_url_is_refused_with_a_chinese_message():
    with pytest.raises(ValueError, match="不受支持"):
        db.engine_for("mysql://u:p@127.0.0.1/x")
    with pytest.raises(ValueError, match="不受支持"):
        db.tracker_store_config("mysql://u:p@127.0.0.1/x", Path("/tmp"))


def test_wechat_dedupe_on_each_backend(url):
    store = WeChatStore(url)
    key, openid = f"msg:{uuid.uuid4().hex}", f"o{uuid.uuid4().hex[:12]}"
    assert store.claim(key, openid) is None
    store.finish(key, PUSHED, ["答"])
    row = WeChatStore(url).claim(key, openid)   # another process / after a restart
    assert row is not None and (row.status, row.chunks) == (PUSHED, ["答"])
    store.set_options(openid, [{"title": "一", "payload": "/a"}])
    assert store.get_options(openid) == [{"title": "一", "payload": "/a"}]
    store.set_options(openid, [])
