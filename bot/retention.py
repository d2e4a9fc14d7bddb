"""Retention: residents' conversations are kept RETENTION_DAYS (default 30), the staff audit log
AUDIT_RETENTION_DAYS (default 180); older rows are deleted at startup and every 6 hours.

What is pruned: Rasa's tracker events (SQL tracker store, table `events`), the WeChat tables (dedupe
keys, numbered options, undelivered answers, nonces), agent-assist calls (also purged after
ASSIST_IDLE_MINUTES idle) and the audit log. `python -m bot.retention` runs one pass (e.g. from cron).
"""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp import web

from bot.settings import Settings

log = logging.getLogger("bot.retention")
EVERY_S = 6 * 3600


def tracker_url(settings: Settings) -> str:
    """Where Rasa's tracker store is (bot.db decides, as it does for the launcher's endpoints file)."""
    from bot.db import tracker_store_config

    cfg = tracker_store_config(settings.database_url, settings.var_dir)
    return f"sqlite:///{cfg['db']}" if cfg.get("dialect") == "sqlite" else settings.database_url


def prune_trackers(url: str, older_than_s: float, now: float | None = None) -> int:
    """Delete tracker events older than the retention (conversations idle that long start afresh)."""
    from bot.db import engine_for

    if url.startswith("sqlite:///") and not Path(url.split(":///", 1)[1]).exists():
        return 0
    engine = engine_for(url)
    if not sa.inspect(engine).has_table("events"):
        return 0
    events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        cutoff = (now or time.time()) - older_than_s
        return conn.execute(events.delete().where(events.c.timestamp < cutoff)).rowcount or 0


def run_once(settings: Settings) -> dict[str, Any]:
    from bot import audit
    from bot.assist.store import CallStore
    from bot.channels.wechat_store import WeChatStore

    counts: dict[str, Any] = {}
    counts["tracker_events"] = prune_trackers(tracker_url(settings), settings.retention_s)
    wechat = WeChatStore(settings.sqlite_url("wechat"))
    counts["wechat_rows"] = wechat.prune(settings.retention_s, settings.wechat_timestamp_window_s)
    assist_url = settings.sqlite_url("assist")
    counts["assist_calls"] = CallStore(assist_url, settings.assist_idle_minutes).purge_expired()
    counts["audit_rows"] = audit.prune(assist_url, settings.audit_retention_s)
    return counts


async def _loop(app: web.Application) -> None:
    from bot.pools import run_db

    while True:
        try:
            counts = await run_db(run_once, app["settings"])
            log.info("retention pass", extra={"deleted": counts})
        except Exception:
            log.exception("retention pass failed")
        await asyncio.sleep(EVERY_S)


async def _start(app: web.Application) -> None:
    app["retention_task"] = asyncio.get_running_loop().create_task(_loop(app))


async def _stop(app: web.Application) -> None:
    task = app.get("retention_task")
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def setup(app: web.Application) -> None:
    app.on_startup.append(_start)
    app.on_shutdown.append(_stop)


def main() -> int:
    settings = Settings.from_env()
    counts = run_once(settings)
    print(f"已按保留期限删除（会话 {settings.retention_days} 天，审计 {settings.audit_retention_days} 天）：{counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
