"""Load-run helpers on locust (as a library): one request log for every run, per-round summaries, the
reference answers a healthy stack gives, tracker checks for lost/duplicated turns, and the stack's processes.

Imported first by benchmarks/load.py so gevent patches the standard library before anything else runs.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Optional  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402

from common import ROOT, cpu_seconds, percentile  # noqa: E402

from bot.chat import ChatCore  # noqa: E402

TURNS = ["你好", "残疾人两项补贴是什么", "太原市小店区的残联在哪里", "2025年每千人口托位数目标是多少", "谢谢"]
TRACE_MARKERS = re.compile(r"Traceback|Exception|Error:|File \"|\bat 0x|stack trace", re.I)


@dataclass
class Req:
    t: float            # wall clock when the request started
    ms: float
    kind: str           # api | rasa
    sender: str
    turn: int           # index in TURNS
    status: int
    text: str           # first message shown (or the error body / exception)
    error: str = ""


@dataclass
class Log:
    rows: list[Req] = field(default_factory=list)

    def add(self, r: Req) -> None:
        self.rows.append(r)


def summarize(rows: list[Req], wall_s: float) -> dict:
    ok = [r.ms for r in rows if r.status == 200 and not r.error]
    return {"n": len(rows), "ok": len(ok), "errors": len(rows) - len(ok),
            "status_5xx": sum(1 for r in rows if r.status >= 500),
            "p50_ms": round(percentile(ok, 0.5), 1), "p95_ms": round(percentile(ok, 0.95), 1),
            "p99_ms": round(percentile(ok, 0.99), 1), "messages_per_s": round(len(ok) / wall_s, 2) if wall_s else None,
            "wall_s": round(wall_s, 2)}


def spread(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2),
            "values": [round(v, 2) for v in values]}


# --- users -----------------------------------------------------------------------------------------
def _first_text(kind: str, body: bytes) -> str:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return (body or b"")[:200].decode("utf-8", "replace")
    if kind == "api":
        if isinstance(data, dict) and data.get("messages"):
            return str(data["messages"][0].get("text", ""))
        if isinstance(data, dict) and "error" in data:
            return str(data["error"].get("message", ""))
        return ""
    if isinstance(data, list) and data:
        first = data[0]
        return str((first.get("custom") or {}).get("text") or first.get("text") or "")
    return ""


class ChatUser(FastHttpUser):
    """One resident: TURNS in order as one conversation (new sender per conversation), then either stops
    (closed loop: `conversations` > 0) or starts another after the think time."""
    abstract = True
    host = "http://127.0.0.1"
    network_timeout = 30.0
    connection_timeout = 5.0
    kind = "api"                      # api → POST /api/chat; rasa → Rasa's REST webhook (the floor)
    base = ""
    rasa_urls: list[str] = []
    rasa_token = ""                   # Rasa's per-start --auth-token (the launcher's Stack.rasa_token)
    conversations = 1                 # 0 = until the runner stops
    log: Log
    wait_time = constant(0)
    senders: Optional[list[str]] = None   # fixed senders (long conversations) taken in order

    def on_start(self) -> None:
        self.done = 0
        self._core = ChatCore(self.rasa_urls) if self.kind == "rasa" else None

    def _sender(self) -> str:
        if self.senders:
            return self.senders.pop()
        return f"load-{uuid.uuid4().hex[:10]}"

    def say(self, sender: str, turn: int) -> None:
        text = TURNS[turn]
        if self.kind == "api":
            url, body = f"{self.base}/api/chat", {"sender_id": sender, "text": text}
        else:
            url = f"{self._core.workers_for(sender)[0]}/webhooks/rest/webhook?token={self.rasa_token}"
            body = {"sender": sender, "message": text}
        t0 = time.time()
        p0 = time.perf_counter()
        status, shown, err = 0, "", ""
        try:
            resp = self.client.post(url, json=body, name=self.kind)
            status = resp.status_code or 0
            shown = _first_text(self.kind, resp.content)
            if status != 200:
                err = f"http {status}"
            elif not shown:
                err = "empty answer"
        except Exception as exc:  # noqa: BLE001 — every failure is counted, none stops the run
            err = type(exc).__name__
        self.log.add(Req(t0, (time.perf_counter() - p0) * 1000, self.kind, sender, turn, status, shown, err))

    @task
    def conversation(self) -> None:
        sender = self._sender()
        for i in range(len(TURNS)):
            self.say(sender, i)
            if i < len(TURNS) - 1 and self.between_turns:
                gevent.sleep(self.between_turns())
        self.done += 1
        if self.conversations and self.done >= self.conversations:
            raise StopUser()

    between_turns: Optional[Callable[[], float]] = None


def user_class(**attrs: Any) -> type:
    if attrs.get("between_turns"):
        attrs["between_turns"] = staticmethod(attrs["between_turns"])
    return type(f"ChatUser_{uuid.uuid4().hex[:6]}", (ChatUser,), {"abstract": False, **attrs})


def run_users(cls: type, users: int, max_s: float, on_tick: Optional[Callable[[float], None]] = None) -> float:
    """Start `users` at once, wait until they all stop (or max_s), return the wall time."""
    env = Environment(user_classes=[cls])
    runner = env.create_local_runner()
    t0 = time.time()
    runner.start(users, spawn_rate=min(users, 100))
    gevent.sleep(0.2)
    while time.time() - t0 < max_s:
        if on_tick:
            on_tick(time.time() - t0)
        if runner.user_count == 0 and time.time() - t0 > 1:
            break
        gevent.sleep(0.2)
    wall = time.time() - t0
    runner.quit()
    return wall


# --- answers and trackers ----------------------------------------------------------------------------
def post_json(url: str, body: dict, timeout: float = 30) -> Any:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def reference_answers(base: str, conversations: int = 3) -> list[set[str]]:
    """What a healthy stack answers at each turn of TURNS (all variants seen over a few conversations)."""
    ref: list[set[str]] = [set() for _ in TURNS]
    for _ in range(conversations):
        sender = f"ref-{uuid.uuid4().hex[:8]}"
        for i, text in enumerate(TURNS):
            msgs = post_json(f"{base}/api/chat", {"sender_id": sender, "text": text})["messages"]
            ref[i].add(msgs[0]["text"])
    return ref


def tracker_user_texts(rasa_url: str, sender: str, token: str = "") -> list[str]:
    url = f"{rasa_url}/conversations/{sender}/tracker?include_events=ALL&token={token}"
    with urllib.request.urlopen(url, timeout=30) as r:
        tracker = json.loads(r.read())
    return [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]


def audit_answers(rows: list[Req], ref: list[set[str]], rasa_url: str, namespace: str = "api", token: str = "") -> dict:
    """Lost, duplicated and wrong answers; what residents saw when it was not a normal answer."""
    shown_other: dict[str, int] = {}
    wrong = 0
    for r in rows:
        if r.status == 200 and not r.error and r.text not in ref[r.turn]:
            wrong += 1
        if r.status != 200 or r.error or r.text not in ref[r.turn]:
            key = r.text or r.error
            shown_other[key] = shown_other.get(key, 0) + 1
    lost = sum(1 for r in rows if r.status != 200 or r.error)
    # Every sender's tracker: each text it sent at most once (a failover must not run a turn twice), and each
    # answered turn present (an answer the resident saw must be in the conversation's history).
    duplicated, missing = 0, 0
    by_sender: dict[str, list[Req]] = {}
    for r in rows:
        by_sender.setdefault(r.sender, []).append(r)
    for sender, reqs in by_sender.items():
        try:
            texts = tracker_user_texts(rasa_url, f"{namespace}:{sender}" if namespace else sender, token)
        except OSError:
            continue
        for i, t in enumerate(TURNS):
            n = texts.count(t)
            duplicated += max(0, n - 1)
            answered = any(q.turn == i and q.status == 200 and not q.error for q in reqs)
            if answered and n == 0:
                missing += 1
    traces = sum(c for k, c in shown_other.items() if TRACE_MARKERS.search(k or ""))
    return {"answers_lost": lost, "answers_duplicated": duplicated, "answers_wrong": wrong,
            "answered_but_missing_from_history": missing, "stack_traces_shown": traces,
            "residents_saw_instead_of_an_answer": dict(sorted(shown_other.items(), key=lambda kv: -kv[1])[:8])}


def recovery_s(rows: list[Req], fault_at: float, until: float, ref: Optional[list[set[str]]] = None) -> Optional[float]:
    """Seconds from the fault until the last request that failed or got other than the healthy answer
    (0: none did)."""
    def bad(r: Req) -> bool:
        return r.status != 200 or bool(r.error) or (ref is not None and r.text not in ref[r.turn])

    failed = [r.t + r.ms / 1000 for r in rows if bad(r) and fault_at - 1 <= r.t <= until]
    return round(max(failed) - fault_at, 1) if failed else 0.0


def stack_cpu(stack) -> float:
    return sum(cpu_seconds(p.pid) for _, p in stack.children if p.poll() is None)


def rss_mb(stack) -> dict[str, float]:
    out = {}
    for name, proc in stack.children:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[name] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
    return out


def think(mean_s: float) -> Callable[[], float]:
    return lambda: random.expovariate(1 / mean_s) if mean_s > 0 else 0.0


__all__ = ["ROOT", "TURNS", "Log", "Req", "summarize", "spread", "user_class", "run_users", "reference_answers",
           "audit_answers", "recovery_s", "stack_cpu", "rss_mb", "think", "post_json", "os"]
