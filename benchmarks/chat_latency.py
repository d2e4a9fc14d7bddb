"""/api/chat latency (1 user sequential; 20 concurrent users × 5 turns), throughput and peak RSS per process,
with Rasa's bare REST webhook measured on the same stack in alternating rounds as the floor (benchmarks/load.py
closes the same loop with locust). Not a test: prints a table, saves JSON."""
from __future__ import annotations

import asyncio
import statistics
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


ROUNDS = 3


async def main() -> None:
    """Both endpoints on one stack, in alternating rounds (floor first in odd rounds, /api/chat first in even
    ones), so stack-to-stack noise and the tracker store's growth fall on both alike; median and spread."""
    stack, base, rasa_url = start(Path(tempfile.mkdtemp(prefix="bench-chat-")))
    urls = {"rasa_rest_floor": f"{rasa_url}/webhooks/rest/webhook?token={stack.rasa_token}",
            "api_chat": f"{base}/api/chat"}
    procs = dict(stack.children)
    rounds: dict[str, dict[str, list]] = {n: {"single_user": [], "concurrent_20x5": []} for n in urls}
    try:
        for r in range(ROUNDS):
            order = ("rasa_rest_floor", "api_chat") if r % 2 == 0 else ("api_chat", "rasa_rest_floor")
            for name in order:
                for scen, users, reps in (("single_user", 1, 6), ("concurrent_20x5", 20, 1)):
                    before = {p: cpu_seconds(proc.pid) for p, proc in procs.items()}
                    res = await scenario(urls[name], name == "rasa_rest_floor", users, reps)
                    res["cpu_ms_per_message"] = {
                        p: round((cpu_seconds(proc.pid) - before[p]) * 1000 / max(1, res["n"]), 1)
                        for p, proc in procs.items()}
                    rounds[name][scen].append(res)
        rss = {p: peak_rss_mb(proc.pid) for p, proc in procs.items()}
    finally:
        stack.stop()

    def med(xs):
        return {"median": round(statistics.median(xs), 1), "min": round(min(xs), 1), "max": round(max(xs), 1)}

    results = {n: {scen: {"p50_ms": med([x["p50_ms"] for x in rs]), "p95_ms": med([x["p95_ms"] for x in rs]),
                          "messages_per_s": med([x["messages_per_s"] for x in rs]),
                          "errors": sum(x["errors"] for x in rs),
                          "rasa_cpu_ms_per_message": med([x["cpu_ms_per_message"]["rasa"] for x in rs]),
                          "service_cpu_ms_per_message": med([x["cpu_ms_per_message"]["service"] for x in rs]),
                          "rounds": rs}
                   for scen, rs in scens.items()} for n, scens in rounds.items()}
    ratio = {scen: med([a["messages_per_s"] / f["messages_per_s"] for a, f in
                        zip(rounds["api_chat"][scen], rounds["rasa_rest_floor"][scen])]) for scen in rounds["api_chat"]}
    path = save("chat_latency", {"turns": TURNS, "rounds": ROUNDS, "results": results, "peak_rss_mb": rss,
                                 "ratio_api_to_floor_throughput": ratio,
                                 "note": "both endpoints on one stack, alternating rounds; median and range over rounds",
                                 "targets": {"single_p95_ms": 300, "concurrent_p95_ms": 1500}})
    rows = [[name, scen, r["p50_ms"]["median"], r["p95_ms"]["median"], f"{r['p95_ms']['min']}–{r['p95_ms']['max']}",
             r["messages_per_s"]["median"], r["errors"], r["rasa_cpu_ms_per_message"]["median"],
             r["service_cpu_ms_per_message"]["median"]]
            for name, scens in results.items() for scen, r in scens.items()]
    print(table(rows, ["endpoint", "scenario", "p50 ms", "p95 ms", "p95 range", "msg/s", "errors", "rasa CPU ms/msg",
                       "service CPU ms/msg"]))
    print(f"/api/chat ÷ floor throughput: {ratio}")
    print(table([[k, v] for k, v in rss.items()], ["process", "peak RSS MB"]))
    print(f"saved {path}")


if __name__ == "__main__":
    asyncio.run(main())
