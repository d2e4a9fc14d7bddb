"""Cost of one turn as a conversation grows: turn 5, 50 and 200 of one sender, with the tracker session
bounded (the service's configuration: TRACKER_MAX_EVENTS, bot/rasa_tracker_store.py) and unbounded (Rasa's
stock SQL tracker store), each on its own freshly started stack, same messages in the same order.

Cost of turn k = mean over turns k-4..k (one cycle of the five messages, so every k sees the same mix):
Rasa CPU ms per turn (robust on a shared machine) and wall-clock latency through /api/chat.

    .venv/bin/python benchmarks/conversation_growth.py [--turns 200] [--configs bounded,unbounded]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from common import cpu_seconds, save, start, table

from bot.settings import Settings

TURNS = ["你好", "残疾人两项补贴是什么", "太原市小店区的残联在哪里", "2025年每千人口托位数目标是多少", "谢谢"]
CONFIGS = {"bounded": Settings().tracker_max_events, "unbounded": 0}  # bounded: what the service runs
POINTS = (5, 50, 200)


async def one_conversation(base: str, rasa_pid: int, turns: int) -> list[dict]:
    sender = f"growth-{uuid.uuid4().hex[:8]}"
    rows = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for i in range(1, turns + 1):
            text = TURNS[(i - 1) % len(TURNS)]
            cpu0, t0 = cpu_seconds(rasa_pid), time.perf_counter()
            async with session.post(f"{base}/api/chat", json={"sender_id": sender, "text": text}) as resp:
                await resp.read()
                status = resp.status
            rows.append({"turn": i, "status": status, "ms": (time.perf_counter() - t0) * 1000,
                         "rasa_cpu_ms": (cpu_seconds(rasa_pid) - cpu0) * 1000})
    return rows


def cost_at(rows: list[dict], k: int) -> dict:
    window = [r for r in rows if k - 4 <= r["turn"] <= k]
    return {"rasa_cpu_ms": round(statistics.fmean(r["rasa_cpu_ms"] for r in window), 1),
            "latency_ms": round(statistics.fmean(r["ms"] for r in window), 1)}


async def measure(max_events: int, turns: int) -> dict:
    stack, base, _ = start(Path(tempfile.mkdtemp(prefix="bench-growth-")), tracker_max_events=max_events)
    try:
        rasa_pid = stack.pid("rasa")
        async with aiohttp.ClientSession() as session:  # warm-up on another sender
            for text in TURNS:
                async with session.post(f"{base}/api/chat", json={"sender_id": "warmup", "text": text}) as r:
                    await r.read()
        rows = await one_conversation(base, rasa_pid, turns)
    finally:
        stack.stop()
    points = {str(k): cost_at(rows, k) for k in POINTS if k <= turns}
    errors = sum(1 for r in rows if r["status"] != 200)
    return {"tracker_max_events": max_events, "errors": errors, "cost": points,
            "per_turn": [{k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()} for r in rows]}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--configs", default="bounded,unbounded")
    parser.add_argument("--name", default="conversation_growth")
    args = parser.parse_args()
    results = {}
    for name in args.configs.split(","):
        results[name] = await measure(CONFIGS[name], args.turns)
    for r in results.values():
        last = str(max(k for k in POINTS if k <= args.turns))
        r["ratio_last_to_turn5_cpu"] = round(r["cost"][last]["rasa_cpu_ms"] / r["cost"]["5"]["rasa_cpu_ms"], 2)
        r["ratio_last_to_turn5_latency"] = round(r["cost"][last]["latency_ms"] / r["cost"]["5"]["latency_ms"], 2)
    path = save(args.name, {"turn_messages": TURNS, "turns": args.turns, "results": results,
                            "method": "one sender, sequential, /api/chat; cost of turn k = mean of turns k-4..k",
                            "target": "turn 200 within 20% of turn 5"})
    rows = [[name, k, c["rasa_cpu_ms"], c["latency_ms"], r["errors"]]
            for name, r in results.items() for k, c in r["cost"].items()]
    print(table(rows, ["tracker session", "turn", "Rasa CPU ms", "latency ms", "errors"]))
    print(table([[n, r["ratio_last_to_turn5_cpu"], r["ratio_last_to_turn5_latency"]] for n, r in results.items()],
                ["tracker session", "last/turn5 CPU", "last/turn5 latency"]))
    print(f"saved {path}")


if __name__ == "__main__":
    asyncio.run(main())
