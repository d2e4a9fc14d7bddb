"""Persistent WeChat channel state: dedupe of pushed messages, last numbered options per user, and
answers that could not be delivered (kept for staff instead of being lost).

SQLAlchemy Core over Settings.sqlite_url("wechat") (var/wechat.db) or DATABASE_URL. Calls are short
and synchronous; the service runs them in a worker thread (see WeChatStore.run).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.db import engine_for

T = TypeVar("T")

metadata = sa.MetaData()

inbound = sa.Table(
    "wechat_inbound", metadata,
    sa.Column("dedupe_key", sa.String(200), primary_key=True),
    sa.Column("openid", sa.String(128), nullable=False),
    # pending → replied (passive) | pushed | undelivered
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("chunks", sa.Text, nullable=True),   # JSON list of reply texts
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

options = sa.Table(
    "wechat_options", metadata,
    sa.Column("openid", sa.String(128), primary_key=True),
    sa.Column("options", sa.Text, nullable=False),  # JSON [{"title","payload"}]
    sa.Column("updated_at", sa.Float, nullable=False),
)

undelivered = sa.Table(
    "wechat_undelivered", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("openid", sa.String(128), nullable=False),
    sa.Column("dedupe_key", sa.String(200), nullable=False),
    sa.Column("chunks", sa.Text, nullable=False),
    sa.Column("errcode", sa.Integer, nullable=False),
    sa.Column("errmsg", sa.String(500), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

nonces = sa.Table(
    "wechat_nonces", metadata,
    sa.Column("nonce", sa.String(200), primary_key=True),      # timestamp:nonce of a verified push
    sa.Column("dedupe_key", sa.String(200), nullable=False),   # the message it carried
    sa.Column("created_at", sa.Float, nullable=False, index=True),
)

meta = sa.Table(
    "wechat_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

PENDING, REPLIED, PUSHED, UNDELIVERED = "pending", "replied", "pushed", "undelivered"
DEDUPE_KEEP_S = 3 * 24 * 3600     # WeChat retries within seconds; a few days of keys is plenty
OPTIONS_TTL_S = 24 * 3600


@dataclass
class InboundRow:
    dedupe_key: str
    openid: str
    status: str
    chunks: list[str]
    created_at: float


class WeChatStore:
    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)
        metadata.create_all(self.engine)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Keep the event loop free while the database works (the database pool, apart from model work)."""
        from bot.pools import run_db

        return await run_db(fn, *args)

    def close(self) -> None:
        self.engine.dispose()

    # --- dedupe ---------------------------------------------------------------------------------
    def claim(self, dedupe_key: str, openid: str) -> InboundRow | None:
        """Insert a pending row; None when we own the message now, else the existing row."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                conn.execute(inbound.insert().values(dedupe_key=dedupe_key, openid=openid, status=PENDING,
                                                     chunks=None, created_at=now, updated_at=now))
            return None
        except IntegrityError:
            row = self.get(dedupe_key)
            if row is None:  # deleted between the two statements (pruning): claim again
                return self.claim(dedupe_key, openid)
            return row

    def get(self, dedupe_key: str) -> InboundRow | None:
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(inbound).where(inbound.c.dedupe_key == dedupe_key)).mappings().first()
        if r is None:
            return None
        return InboundRow(r["dedupe_key"], r["openid"], r["status"], json.loads(r["chunks"] or "[]"),
                          r["created_at"])

    def finish(self, dedupe_key: str, status: str, chunks: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(inbound.update().where(inbound.c.dedupe_key == dedupe_key).values(
                status=status, chunks=json.dumps(chunks, ensure_ascii=False), updated_at=time.time()))

    def prune(self, retention_s: float = 30 * 86400.0, nonce_window_s: float = 300.0) -> int:
        """Drop what is past its use or the retention period: dedupe keys (a few days at most), stale
        numbered options, undelivered answers older than the retention, and nonces past twice the window."""
        now = time.time()
        with self.engine.begin() as conn:
            n = conn.execute(inbound.delete().where(inbound.c.created_at < now - min(DEDUPE_KEEP_S, retention_s))).rowcount
            n += conn.execute(options.delete().where(options.c.updated_at < now - min(OPTIONS_TTL_S, retention_s))).rowcount
            n += conn.execute(undelivered.delete().where(undelivered.c.created_at < now - retention_s)).rowcount
            n += conn.execute(nonces.delete().where(nonces.c.created_at < now - 2 * nonce_window_s)).rowcount
        return n

    # --- replay protection ----------------------------------------------------------------------
    def claim_nonce(self, nonce: str, timestamp: str, dedupe_key: str, window_s: float = 300.0) -> bool:
        """False when this timestamp+nonce already carried another message (a replayed, re-bodied URL)."""
        key = f"{timestamp}:{nonce}"[:200]
        try:
            with self.engine.begin() as conn:
                conn.execute(nonces.insert().values(nonce=key, dedupe_key=dedupe_key[:200], created_at=time.time()))
            return True
        except IntegrityError:
            with self.engine.connect() as conn:
                seen = conn.execute(sa.select(nonces.c.dedupe_key).where(nonces.c.nonce == key)).scalar()
            return seen == dedupe_key[:200]

    def check_account(self, account: str) -> bool:
        """The Official Account's id (ToUserName) is learnt from the first verified push; others are refused."""
        account = account[:200]
        with self.engine.connect() as conn:
            known = conn.execute(sa.select(meta.c.value).where(meta.c.key == "account")).scalar()
        if known is not None:
            return known == account
        try:
            with self.engine.begin() as conn:
                conn.execute(meta.insert().values(key="account", value=account))
            return True
        except IntegrityError:          # another process learnt it first
            return self.check_account(account)

    # --- numbered options -----------------------------------------------------------------------
    def get_options(self, openid: str, max_age_s: float = OPTIONS_TTL_S) -> list[dict[str, str]]:
        """The last numbered options, unless so old that a bare digit more likely means something else."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(options.c.options).where(
                options.c.openid == openid, options.c.updated_at >= time.time() - max_age_s)).scalar()
        return json.loads(value) if value else []

    def set_options(self, openid: str, opts: list[dict[str, str]]) -> None:
        with self.engine.begin() as conn:
            conn.execute(options.delete().where(options.c.openid == openid))
            if opts:
                conn.execute(options.insert().values(openid=openid, options=json.dumps(opts, ensure_ascii=False),
                                                     updated_at=time.time()))

    # --- undelivered answers --------------------------------------------------------------------
    def add_undelivered(self, openid: str, dedupe_key: str, chunks: list[str], errcode: int, errmsg: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(undelivered.insert().values(
                openid=openid, dedupe_key=dedupe_key, chunks=json.dumps(chunks, ensure_ascii=False),
                errcode=errcode, errmsg=errmsg[:500], created_at=time.time()))
            return int(result.inserted_primary_key[0])

    def list_undelivered(self, limit: int = 50, openid: str | None = None) -> list[dict[str, Any]]:
        q = sa.select(undelivered).order_by(undelivered.c.id.desc()).limit(limit)
        if openid:
            q = q.where(undelivered.c.openid == openid)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return [{"id": r["id"], "openid": r["openid"], "dedupe_key": r["dedupe_key"],
                 "texts": json.loads(r["chunks"]), "errcode": r["errcode"], "errmsg": r["errmsg"],
                 "created_at": r["created_at"]} for r in rows]
