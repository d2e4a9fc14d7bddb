"""Resident turns the assistant could not answer well: logged masked, counted per day, grouped into topics.

A turn is logged when the actions marked it `unanswered` (fallback, not_in_sources, low_confidence,
handoff). Every turn, answered or not, is counted per day and channel so the dashboard can show the
unanswered share; those counters are kept in memory and flushed every few seconds, so a chat turn costs
no database write unless it was unanswered.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections import Counter, OrderedDict
from typing import Any, Optional

import numpy as np
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, func, insert, select, update

from bot.admin.db import engine_for
from bot.privacy import mask_text

log = logging.getLogger("bot.admin")

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
REASON_LABELS = {"fallback": "没听懂", "not_in_sources": "资料中没有", "low_confidence": "把握不大",
                 "handoff": "转人工", "no_reply": "暂时无法处理"}
CHANNEL_LABELS = {"web": "网页", "wx": "微信", "api": "接口"}
# Two questions are one topic when their embeddings are this close (e5-small), or, without the model,
# when they share this share of their words.
TOPIC_COSINE = 0.90
TOPIC_JACCARD = 0.4

metadata = MetaData()
entries = Table(
    "admin_unanswered", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("day", String(10), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("question", Text, nullable=False),
    Column("reply", Text),
    Column("kb_version", String(80)),
)
turns = Table(
    "admin_turns", metadata,
    Column("day", String(10), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("count", Integer, nullable=False),
)
outcomes = Table(  # eligibility results the residents got, per day (chat Messages carry `eligibility`)
    "admin_outcomes", metadata,
    Column("day", String(10), primary_key=True),
    Column("program", String(64), primary_key=True),
    Column("outcome", String(32), primary_key=True),
    Column("count", Integer, nullable=False),
)


def day_of(at: float) -> str:
    return dt.datetime.fromtimestamp(at, SHANGHAI).strftime("%Y-%m-%d")


def channel_of(sender_id: str) -> str:
    prefix = sender_id.split(":", 1)[0]
    return prefix if prefix in CHANNEL_LABELS else "api"


class UnansweredLog:
    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)
        metadata.create_all(self.engine)
        self._pending: Counter = Counter()
        self._outcomes: Counter = Counter()
        self._lock = threading.Lock()
        self._last_question: OrderedDict[str, str] = OrderedDict()
        self._writing = 0                      # records handed to a worker thread, not yet committed
        self._written = threading.Condition()

    # ------------------------------------------------------------------ writing
    def record_soon(self, loop: Any, channel: str, reason: str, question: str, reply: str = "",
                    kb_version: str = "") -> None:
        """`record` on a worker thread, so a chat turn never waits on the database; a reader that comes
        after (the admin's list, right after the resident's turn) waits for it, so it is never missed."""
        with self._written:
            self._writing += 1

        def write() -> None:
            try:
                self.record(channel, reason, question, reply, kb_version)
            except Exception:
                log.exception("unanswered question could not be saved")
            finally:
                with self._written:
                    self._writing -= 1
                    self._written.notify_all()

        loop.run_in_executor(None, write)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every record handed off so far is committed (or the timeout passes)."""
        with self._written:
            self._written.wait_for(lambda: self._writing == 0, timeout)

    def count_turn(self, channel: str, results: tuple[tuple[str, str], ...] = (), at: Optional[float] = None) -> None:
        """One resident turn; `results` are the (program, outcome) pairs of eligibility answers in it."""
        day = day_of(at or time.time())
        with self._lock:
            self._pending[(day, channel)] += 1
            for program, outcome in results:
                self._outcomes[(day, program[:64], outcome[:32])] += 1

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            results, self._outcomes = self._outcomes, Counter()
        if not pending and not results:
            return
        with self.engine.begin() as conn:
            for (day, channel), n in pending.items():
                done = conn.execute(update(turns).where(turns.c.day == day, turns.c.channel == channel)
                                    .values(count=turns.c.count + n)).rowcount
                if not done:
                    conn.execute(insert(turns).values(day=day, channel=channel, count=n))
            for (day, program, outcome), n in results.items():
                where = (outcomes.c.day == day, outcomes.c.program == program, outcomes.c.outcome == outcome)
                if not conn.execute(update(outcomes).where(*where).values(count=outcomes.c.count + n)).rowcount:
                    conn.execute(insert(outcomes).values(day=day, program=program, outcome=outcome, count=n))

    def outcome_counts(self, since_day: str) -> dict[str, dict[str, int]]:
        """program → outcome → count."""
        self.flush()
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(select(outcomes).where(outcomes.c.day >= since_day)).mappings():
                prog = out.setdefault(r["program"], {})
                prog[r["outcome"]] = prog.get(r["outcome"], 0) + r["count"]
        return out

    def record(self, channel: str, reason: str, question: str, reply: str = "", kb_version: str = "",
               at: Optional[float] = None) -> None:
        at = at or time.time()
        with self.engine.begin() as conn:
            conn.execute(insert(entries).values(at=at, day=day_of(at), channel=channel, reason=reason,
                                                question=mask_text(question)[:500], reply=mask_text(reply)[:500],
                                                kb_version=kb_version or ""))

    def remember(self, sender_id: str, text: str) -> Optional[str]:
        """The sender's last real question (a 转人工 button press is logged against it)."""
        if not text.startswith("/"):
            self._last_question[sender_id] = text
            self._last_question.move_to_end(sender_id)
            while len(self._last_question) > 10000:
                self._last_question.popitem(last=False)
            return text
        return self._last_question.get(sender_id)

    # ------------------------------------------------------------------ reading
    def list(self, since: float, limit: int = 2000) -> list[dict[str, Any]]:
        self.settle()
        query = select(entries).where(entries.c.at >= since).order_by(entries.c.at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def daily(self, since_day: str) -> dict[str, dict[str, int]]:
        """day → {"turns", "unanswered"} (and per-channel turns under "channels")."""
        self.flush()
        self.settle()
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(select(turns).where(turns.c.day >= since_day)).mappings():
                d = out.setdefault(r["day"], {"turns": 0, "unanswered": 0, "channels": {}})
                d["turns"] += r["count"]
                d["channels"][r["channel"]] = d["channels"].get(r["channel"], 0) + r["count"]
            q = select(entries.c.day, func.count()).where(entries.c.day >= since_day).group_by(entries.c.day)
            for day, n in conn.execute(q):
                out.setdefault(day, {"turns": 0, "unanswered": 0, "channels": {}})["unanswered"] = n
        return dict(sorted(out.items()))


# ---------------------------------------------------------------------------- topics
def _keywords(text: str) -> list[str]:
    from bot.kb.textproc import tokenize

    return [t for t in tokenize(text) if len(t) >= 2 and not t.isdigit() and "*" not in t]


def _label(counts: Counter) -> str:
    """The topic's three most frequent words, longer words first, without sub-words of chosen ones."""
    chosen: list[str] = []
    for word, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
        if any(word in c or c in word for c in chosen):
            continue
        chosen.append(word)
        if len(chosen) == 3:
            break
    return "、".join(chosen)


def group_topics(rows: list[dict[str, Any]], embedder=None, days: int = 14,
                 today: Optional[str] = None, examples: int = 5) -> list[dict[str, Any]]:
    """Greedy single-pass clustering, oldest first; each topic with count, daily trend and examples."""
    rows = sorted(rows, key=lambda r: r["at"])
    if not rows:
        return []
    words = [set(_keywords(r["question"])) for r in rows]
    vecs = None
    if embedder is not None:
        try:
            from bot.text_normalize import normalize

            vecs = np.asarray(embedder.embed_queries([normalize(r["question"]) for r in rows]), np.float32)
        except Exception:
            log.exception("topic embeddings failed; grouping by words")
    clusters: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        best, best_score = None, 0.0
        for c in clusters:
            if vecs is not None:
                centroid = c["sum"] / max(np.linalg.norm(c["sum"]), 1e-9)
                score = float(vecs[i] @ centroid)
                ok = score >= TOPIC_COSINE
            else:
                union = words[i] | c["words"]
                score = len(words[i] & c["words"]) / len(union) if union else 0.0
                ok = score >= TOPIC_JACCARD
            if ok and score > best_score:
                best, best_score = c, score
        if best is None:
            best = {"members": [], "words": set(), "sum": np.zeros(vecs.shape[1], np.float32) if vecs is not None else None}
            clusters.append(best)
        best["members"].append(i)
        best["words"] |= words[i]
        if vecs is not None:
            best["sum"] = best["sum"] + vecs[i]
    today = today or day_of(time.time())
    end = dt.date.fromisoformat(today)
    window = [(end - dt.timedelta(days=k)).isoformat() for k in range(days - 1, -1, -1)]
    topics = []
    for c in clusters:
        members = [rows[i] for i in c["members"]]
        counts = Counter(w for i in c["members"] for w in words[i])
        label = _label(counts) or members[0]["question"][:12]
        per_day = Counter(m["day"] for m in members)
        first = members[0]
        topic_id = "t-" + hashlib.sha1(f"{first['id']}".encode()).hexdigest()[:10]
        latest = sorted(members, key=lambda m: -m["at"])
        seen: set[str] = set()
        ex = []
        for m in latest:
            if m["question"] in seen:
                continue
            seen.add(m["question"])
            ex.append({"question": m["question"], "channel": m["channel"], "reason": m["reason"],
                       "time": dt.datetime.fromtimestamp(m["at"], SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                       "kb_version": m["kb_version"]})
            if len(ex) >= examples:
                break
        topics.append({
            "topic_id": topic_id, "label": label, "count": len(members),
            "channels": dict(Counter(m["channel"] for m in members)),
            "reasons": dict(Counter(m["reason"] for m in members)),
            "last_seen": ex[0]["time"] if ex else "",
            "trend": [{"day": d, "count": per_day.get(d, 0)} for d in window],
            "examples": ex, "questions": sorted({m["question"] for m in members}),
        })
    topics.sort(key=lambda t: (-t["count"], t["label"]))
    return topics
