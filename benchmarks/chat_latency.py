"""/api/chat latency (1 user sequential; 20 concurrent users × 5 turns), throughput and peak RSS per process,
with Rasa's bare REST webhook measured in the same run as the floor. Not a test: prints a table, saves JSON."""
from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from common import cpu_seconds, peak_rss_mb, save, start, summary_ms, table

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


async def measure(name: str, rasa: bool) -> tuple[dict, dict]:
    """One endpoint on a fresh stack: a long-running Rasa gets slower per message as its tracker store grows,
    so whichever endpoint ran second on a shared stack would look worse."""
    stack, base, rasa_url = start(Path(tempfile.mkdtemp(prefix="bench-chat-")))
    url = f"{rasa_url}/webhooks/rest/webhook?token={stack.rasa_token}" if rasa else f"{base}/api/chat"
    procs = dict(stack.children)
    out: dict = {}
    try:
        for scen, users, rounds in (("single_user", 1, 6), ("concurrent_20x5", 20, 1)):
            before = {p: cpu_seconds(proc.pid) for p, proc in procs.items()}
            out[scen] = await scenario(url, rasa, users, rounds)
            out[scen]["cpu_ms_per_message"] = {
                p: round((cpu_seconds(proc.pid) - before[p]) * 1000 / max(1, out[scen]["n"]), 1)
                for p, proc in procs.items()}
        rss = {p: peak_rss_mb(proc.pid) for p, proc in procs.items()}
    finally:
        stack.stop()
    return out, rss


async def main() -> None:
    results, rss = {}, {}
    for name, rasa in (("rasa_rest_floor", True), ("api_chat", False)):
        results[name], rss = await measure(name, rasa)
    path = save("chat_latency", {"turns": TURNS, "results": results, "peak_rss_mb": rss,
                                 "note": "each endpoint measured on a freshly started stack; RSS from the api_chat run",
                                 "targets": {"single_p95_ms": 300, "concurrent_p95_ms": 1500}})
    rows = [[name, scen, r["n"], r["p50_ms"], r["p95_ms"], r["messages_per_s"], r["errors"],
             r["cpu_ms_per_message"].get("rasa"), r["cpu_ms_per_message"].get("service")]
            for name, scens in results.items() for scen, r in scens.items()]
    print(table(rows, ["endpoint", "scenario", "n", "p50 ms", "p95 ms", "msg/s", "errors", "rasa CPU ms/msg",
                       "service CPU ms/msg"]))
    print(table([[k, v] for k, v in rss.items()], ["process", "peak RSS MB"]))
    print(f"saved {path}")


if __name__ == "__main__":
    asyncio.run(main())
