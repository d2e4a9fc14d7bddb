"""/api/chat latency (1 user sequential; 20 concurrent users × 5 turns), throughput and peak RSS per process,
with Rasa's bare REST webhook measured in the same run as the floor. Not a test: prints a table, saves JSON."""
from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from common import peak_rss_mb, save, start, summary_ms, table

TURNS = ["你好", "残疾人两项补贴是什么", "太原市小店区的残联在哪里", "2025年每千人口托位数目标是多少", "谢谢"]
WARMUP = 2


async def run_user(session: aiohttp.ClientSession, url: str, rasa: bool, latencies: list, errors: list) -> None:
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    for text in TURNS:
        body = {"sender": sender, "message": text} if rasa else {"sender_id": sender, "text": text}
        t0 = time.perf_counter()
        try:
            async with session.post(url, json=body) as resp:
                await resp.read()
                if resp.status != 200:
                    errors.append(resp.status)
                    continue
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append(time.perf_counter() - t0)


async def scenario(url: str, rasa: bool, users: int, rounds: int = 1) -> dict:
    latencies: list[float] = []
    errors: list = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60),
                                     connector=aiohttp.TCPConnector(limit=100)) as session:
        for _ in range(WARMUP):
            await run_user(session, url, rasa, [], [])
        t0 = time.perf_counter()
        for _ in range(rounds):
            if users == 1:
                await run_user(session, url, rasa, latencies, errors)
            else:
                await asyncio.gather(*(run_user(session, url, rasa, latencies, errors) for _ in range(users)))
        wall = time.perf_counter() - t0
    return {**summary_ms(latencies), "errors": len(errors), "messages_per_s": round(len(latencies) / wall, 2)}


async def main() -> None:
    stack, base, rasa_url = start(Path(tempfile.mkdtemp(prefix="bench-chat-")))
    try:
        results = {}
        for name, url, rasa in (("rasa_rest_floor", f"{rasa_url}/webhooks/rest/webhook", True),
                                ("api_chat", f"{base}/api/chat", False)):
            results[name] = {"single_user": await scenario(url, rasa, 1, rounds=6),
                             "concurrent_20x5": await scenario(url, rasa, 20)}
        rss = {name: peak_rss_mb(proc.pid) for name, proc in stack.children}
    finally:
        stack.stop()
    path = save("chat_latency", {"turns": TURNS, "results": results, "peak_rss_mb": rss,
                                 "targets": {"single_p95_ms": 300, "concurrent_p95_ms": 1500}})
    rows = [[name, scen, r["n"], r["p50_ms"], r["p95_ms"], r["messages_per_s"], r["errors"]]
            for name, scens in results.items() for scen, r in scens.items()]
    print(table(rows, ["endpoint", "scenario", "n", "p50 ms", "p95 ms", "msg/s", "errors"]))
    print(table([[k, v] for k, v in rss.items()], ["process", "peak RSS MB"]))
    print(f"saved {path}")


if __name__ == "__main__":
    asyncio.run(main())
