"""WeChat channel on the real stack: HTTP reply time (WeChat gives up at 5 s), share of answers that
made the 4.5 s passive deadline vs. went through the customer-service push, and the protocol's own
overhead (a locally answered message, plaintext and safe mode). Not a test: prints a table, saves JSON.
The WeChat server API is the loopback fake from tests/wechat."""
from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from common import ROOT, save, start, summary_ms, table

import sys
sys.path.insert(0, str(ROOT / "tests" / "wechat"))
from fake_wechat_api import FakeWeChatApi  # noqa: E402
from wechat_peer import (ADMIN_TOKEN, AES_KEY, APPID, SECRET, TOKEN, Peer, image_msg, push,  # noqa: E402
                         text_msg)

TURNS = ["你好", "残疾人两项补贴是什么", "太原市小店区的残联在哪里", "2025年每千人口托位数目标是多少", "谢谢"]
DEADLINE_S = 4.5


async def overhead(session: aiohttp.ClientSession, url: str, safe: bool, n: int = 200) -> dict:
    latencies = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, _ = await push(session, Peer(), image_msg("oBench"), safe, path=url)
        assert status == 200
        latencies.append(time.perf_counter() - t0)
    return summary_ms(latencies)


async def conversation(session, url: str, fake: FakeWeChatApi, safe: bool, stats: dict) -> None:
    openid = f"oBench{uuid.uuid4().hex[:16]}"
    for text in TURNS:
        t0 = time.perf_counter()
        status, body = await push(session, Peer(), text_msg(openid, text), safe, path=url)
        stats["reply_s"].append(time.perf_counter() - t0)
        if status != 200:
            stats["errors"] += 1
        elif body == "success":
            before = len(fake.messages_to(openid))
            got = await fake.wait_for_messages(openid, before + 1, timeout=60)
            stats["pushed"] += 1 if len(got) > before else 0
            stats["lost"] += 0 if len(got) > before else 1
        else:
            stats["passive"] += 1


async def scenario(url: str, fake: FakeWeChatApi, users: int, safe: bool) -> dict:
    stats = {"reply_s": [], "passive": 0, "pushed": 0, "lost": 0, "errors": 0}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(conversation(session, url, fake, safe, stats) for _ in range(users)))
    n = stats["passive"] + stats["pushed"] + stats["lost"]
    return {**summary_ms(stats.pop("reply_s")), **stats, "passive_share": round(stats["passive"] / max(n, 1), 3)}


async def main() -> None:
    fake = FakeWeChatApi(APPID, SECRET).start()
    os.environ.update(WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID, WECHAT_APPSECRET=SECRET, WECHAT_AES_KEY=AES_KEY,
                      WECHAT_API_BASE=fake.base_url, ADMIN_TOKEN=ADMIN_TOKEN, WECHAT_REPLY_DEADLINE_S=str(DEADLINE_S))
    stack, base, _ = start(Path(tempfile.mkdtemp(prefix="bench-wechat-")))
    url = f"{base}/wechat"
    try:
        async with aiohttp.ClientSession() as session:
            # With WECHAT_AES_KEY set the service takes safe mode only (plaintext pushes are refused, issue 13).
            results = {"overhead_safe_mode": await overhead(session, url, True)}
        for users in (1, 10):
            results[f"turns_{users}u_safe"] = await scenario(url, fake, users, True)
    finally:
        stack.stop()
        fake.stop()
    path = save("wechat", {"turns": TURNS, "deadline_s": DEADLINE_S, "results": results})
    rows = [[name, r["n"], r["p50_ms"], r["p95_ms"], r["max_ms"], r.get("passive_share", ""), r.get("pushed", ""),
             r.get("lost", ""), r.get("errors", "")] for name, r in results.items()]
    print(table(rows, ["scenario", "n", "p50 ms", "p95 ms", "max ms", "passive share", "pushed", "lost", "errors"]))
    print(f"saved {path}")


if __name__ == "__main__":
    asyncio.run(main())
