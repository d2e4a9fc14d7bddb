"""Audit log of agent-assist requests: who (staff id), when, which call, what; ID-card/phone numbers masked.

Stored in the service's database (DATABASE_URL, default var/assist.db). Read it with

    python -m bot.audit [--call CALL_ID] [--staff STAFF_ID] [--since 2026-11-28|2026-11-28T09:00|2h|30m|1d]
                        [--limit N] [--json]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from typing import Any, Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, insert, select

from bot.db import engine_for
from bot.privacy import mask_text

metadata = MetaData()
audit_log = Table(
    "assist_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("staff_id", String(64), nullable=False),
    Column("call_id", String(128), index=True),
    Column("action", String(32), nullable=False),
    Column("status", Integer, nullable=False),
    Column("detail", Text),
)
_ready: set[int] = set()


def _engine(url: str):
    engine = engine_for(url)
    if id(engine) not in _ready:
        metadata.create_all(engine)
        _ready.add(id(engine))
    return engine


def record(url: str, staff_id: str, call_id: Optional[str], action: str, status: int,
           detail: str = "") -> None:
    """One audit row; the detail (and the call id) are masked before they reach the database."""
    with _engine(url).begin() as conn:
        conn.execute(insert(audit_log).values(
            at=time.time(), staff_id=staff_id, call_id=mask_text(call_id) if call_id else None,
            action=action, status=status, detail=mask_text(detail)[:4000]))


def prune(url: str, older_than_s: float, now: Optional[float] = None) -> int:
    """Delete audit rows past the retention period (AUDIT_RETENTION_DAYS, default 180)."""
    with _engine(url).begin() as conn:
        return conn.execute(delete(audit_log).where(audit_log.c.at < (now or time.time()) - older_than_s)).rowcount or 0


def read(url: str, call_id: Optional[str] = None, staff_id: Optional[str] = None,
         since: Optional[float] = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Rows oldest first; a call id is looked up as stored, i.e. masked (a caller's phone used as the id)."""
    query = select(audit_log).order_by(audit_log.c.at, audit_log.c.id)
    if call_id:
        query = query.where(audit_log.c.call_id == mask_text(call_id))
    if staff_id:
        query = query.where(audit_log.c.staff_id == staff_id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    with _engine(url).connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return rows[-limit:] if limit else rows


_RELATIVE = re.compile(r"^(\d+)\s*([mhd])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400}
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def parse_since(value: str, now: Optional[float] = None) -> float:
    """'2h' / '30m' / '1d' ago, or an ISO date or date-time (Asia/Shanghai unless it says otherwise)."""
    value = value.strip()
    m = _RELATIVE.match(value)
    if m:
        return (now or time.time()) - int(m.group(1)) * _UNITS[m.group(2)]
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"无法识别的时间：{value}（例如 2026-11-28、2026-11-28T09:00、2h、30m、1d）")
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=SHANGHAI)
    return stamp.timestamp()


def _when(at: float) -> str:
    return dt.datetime.fromtimestamp(at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def main(argv: Optional[list[str]] = None) -> int:
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bot.audit", description="查看坐席辅助的审计日志（证件号、手机号已脱敏）。")
    parser.add_argument("--call", help="只看这个通话（call_id）")
    parser.add_argument("--staff", help="只看这个坐席（staff id）")
    parser.add_argument("--since", type=parse_since, help="起始时间：2026-11-28、2026-11-28T09:00（北京时间）或 2h/30m/1d")
    parser.add_argument("--limit", type=int, default=1000, help="最多显示最近多少条（默认 1000）")
    parser.add_argument("--json", action="store_true", help="每行输出一条 JSON")
    args = parser.parse_args(argv)
    url = Settings.from_env().sqlite_url("assist")
    rows = read(url, call_id=args.call, staff_id=args.staff, since=args.since, limit=args.limit)
    for r in rows:
        if args.json:
            print(json.dumps({**r, "time": _when(r["at"])}, ensure_ascii=False))
        else:
            print(f"{_when(r['at'])}  {r['staff_id']:<12} {r['call_id'] or '-':<24} {r['action']:<10} "
                  f"{r['status']}  {r['detail'] or ''}")
    if not rows and not args.json:
        print("（没有符合条件的审计记录）", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
