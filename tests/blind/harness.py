"""Scores the blind sets of issue 10 against a running assistant, through /api/chat only.

The sets are written by people who never saw the code, the training data or the tests; this harness only reads
their format (tests/blind/README.md) and plays them:

- program_questions.yml: one line each, fresh sender; right when the first reply contains one string of every
  `expect` group.
- unanswerable.yml: right when the first reply says honestly that the sources do not answer it, and states no
  figure of its own outside a part labelled 相关内容 (hotlines, 文号 and figures the question itself gave aside).
- conversations.yml: the opening line, then each question the assistant asks is answered with the persona's
  line for that fact (or 不知道); right when the final outcomes match, the office (when expected) is in the
  expected county and of the expected type, and every `reply_contains` group appears in some reply.

    python -m tests.blind.harness tests/blind/round1 --url http://127.0.0.1:8000 [--label before]
    python -m tests.blind.harness tests/blind/round1 --start      # starts its own stack (bot.launcher)

Writes benchmarks/results/blind_<set>_<label>.json and prints a table.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Optional

import yaml

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
HOTLINES = ("12345", "12385", "12333", "12320")
# "We do not know" in the words an honest answer uses; any one of them is enough.
HONEST = re.compile(r"没有找到|没有(?:查到|检索到|相关|具体|这方面|这项|该项|明确|公布|写明|列明|说明|登记)|未(?:找到|查到|收录|规定|明确|公布)|暂(?:无|未|时没有)"
                    r"|无法(?:回答|提供|确定|查到|给出)|不在(?:我的|本|知识库|资料)|超出了?我|只(?:有|能|收录)[^。]{0,12}山西"
                    r"|资料(?:中|里)?(?:没有|未)|以当地[^。]{0,10}为准|请(?:您)?(?:拨打|咨询)[^。]{0,20}12345|不清楚")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DOC_NO = re.compile(r"〔\d{4}〕\d+号|\d{4}年\d{1,2}月\d{1,2}日起实施|\d{4}〔\d+〕")


class Chat:
    """A resident on /api/chat."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, sender: str, text: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender_id": sender, "text": text, "metadata": {"channel": "web"}}).encode()
        req = urllib.request.Request(f"{self.base_url}/api/chat", data=body,
                                     headers={"Content-Type": "application/json"})
        for attempt in range(3):
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read())["messages"]
            except urllib.error.HTTPError as exc:
                if exc.code in (429, 502, 503) and attempt < 2:
                    time.sleep(3)
                    continue
                raise
        return []


def reply_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def groups_met(text: str, groups: list) -> bool:
    squashed = text.replace(",", "").replace("，", "") if text else ""
    for group in groups or []:
        alts = [str(a) for a in (group if isinstance(group, list) else [group])]
        if not any(a in text or a.replace(",", "") in squashed for a in alts):
            return False
    return True


def invented_figures(question: str, reply: str, tempting: list[str]) -> list[str]:
    """Figures the reply states as its own answer (not hotlines, 文号, the question's own numbers, nor a
    part labelled 相关内容)."""
    own = reply.split("相关内容")[0]
    own = _DOC_NO.sub("", own)
    asked = set(_NUMBER.findall(question))
    found = []
    for num in _NUMBER.findall(own):
        if num in HOTLINES or num in asked:
            continue
        found.append(num)
    bare = own
    for hotline in HOTLINES:
        bare = bare.replace(hotline, " ")     # "12" is not stated by pointing to 12345
    for t in tempting or []:
        t = str(t)
        stated = re.search(rf"(?<![\d.]){re.escape(t)}(?![\d.])", bare) if re.match(r"^[\d.]+$", t) else t in bare
        if stated and t not in found and t not in question:
            found.append(t)
    return found


def score_question(chat: Chat, item: dict[str, Any]) -> dict[str, Any]:
    sender = f"blind-{uuid.uuid4().hex[:12]}"
    msgs = chat.send(sender, item["text"])
    text = reply_text(msgs)
    return {"id": item["id"], "ok": groups_met(text, item.get("expect") or []), "program": item.get("program"),
            "aspect": item.get("aspect"), "reply": text[:600]}


def score_unanswerable(chat: Chat, item: dict[str, Any]) -> dict[str, Any]:
    sender = f"blind-{uuid.uuid4().hex[:12]}"
    text = reply_text(chat.send(sender, item["text"]))
    honest = bool(HONEST.search(text))
    invented = invented_figures(item["text"], text, item.get("tempting_figures") or [])
    return {"id": item["id"], "ok": honest and not invented, "honest": honest, "invented": invented,
            "reply": text[:600]}


class FactQuestions:
    """Which fact a reply asks for: the rules files' own question texts (the data the assistant asks with)."""

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT))
        from bot.eligibility.engine import get_engine

        engine = get_engine()
        self.pairs: list[tuple[str, str]] = []
        for pid in engine.program_ids():
            for fact, spec in engine.program(pid).facts.items():
                q = (spec.get("question") or {}).get("resident")
                if q:
                    self.pairs.append((q.split("（")[0].strip("？? "), fact))
        self.pairs.sort(key=lambda p: -len(p[0]))

    def asked(self, text: str) -> Optional[str]:
        last = None
        best = -1
        for q, fact in self.pairs:
            pos = text.rfind(q)
            if pos > best:
                best, last = pos, fact
        return last


def score_conversation(chat: Chat, item: dict[str, Any], facts: FactQuestions, max_turns: int = 16) -> dict[str, Any]:
    sender = f"blind-{uuid.uuid4().hex[:12]}"
    answers = item.get("answers") or {}
    transcript: list[tuple[str, str]] = []
    outcomes: dict[str, str] = {}
    points: list[dict[str, Any]] = []
    asked_count: dict[str, int] = {}

    def turn(line: str) -> list[dict[str, Any]]:
        msgs = chat.send(sender, line)
        transcript.append((line, reply_text(msgs)))
        for m in msgs:
            for r in m.get("eligibility") or []:
                if isinstance(r, dict) and r.get("program"):
                    outcomes[r["program"]] = r.get("outcome")
            points.extend(m.get("service_points") or [])
        return msgs

    msgs = turn(item["opening"])
    expected = (item.get("expect") or {}).get("outcomes") or {}
    for _ in range(max_turns):
        if expected and all(p in outcomes for p in expected):
            break
        fact = facts.asked(reply_text(msgs))
        if fact is None:
            break
        asked_count[fact] = asked_count.get(fact, 0) + 1
        if asked_count[fact] > 2:
            break
        msgs = turn(str(answers.get(fact, "不知道")))
    for line in item.get("followups") or []:
        turn(line)
    expect = item.get("expect") or {}
    problems = []
    for program, outcome in (expect.get("outcomes") or {}).items():
        if outcomes.get(program) != outcome:
            problems.append(f"{program}: {outcomes.get(program)} ≠ {outcome}")
    office = expect.get("office")
    if office:
        hit = [p for p in points if (not office.get("county") or p.get("county") == office["county"]
                                     or p.get("city") == office["county"])
               and (not office.get("type") or p.get("type") == office["type"])]
        if not hit:
            problems.append(f"office {office} not offered")
    all_text = "\n".join(r for _, r in transcript)
    # Writers put `reply_contains` under `expect` or beside `followups` (the brief allowed both readings).
    if not groups_met(all_text, expect.get("reply_contains") or item.get("reply_contains") or []):
        problems.append("reply_contains not met")
    return {"id": item["id"], "ok": not problems, "problems": problems, "outcomes": outcomes,
            "turns": len(transcript), "transcript": [{"user": u, "bot": b[:400]} for u, b in transcript]}


def run(set_dir: Path, base_url: str, workers: int = 3) -> dict[str, Any]:
    chat = Chat(base_url)
    out: dict[str, Any] = {}
    facts = FactQuestions()
    jobs = []
    for name, fn, key in (("program_questions", score_question, "questions"),
                          ("unanswerable", score_unanswerable, "questions"),
                          ("conversations", None, "conversations")):
        path = set_dir / f"{name}.yml"
        if not path.exists():
            continue
        items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(key) or []
        jobs.append((name, fn, items))
    with cf.ThreadPoolExecutor(workers) as pool:
        for name, fn, items in jobs:
            if fn is None:
                results = list(pool.map(lambda it: score_conversation(chat, it, facts), items))
            else:
                results = list(pool.map(lambda it, fn=fn: fn(chat, it), items))
            out[name] = {"n": len(results), "right": sum(r["ok"] for r in results),
                         "share": round(sum(r["ok"] for r in results) / max(1, len(results)), 3),
                         "items": results}
            if name == "unanswerable":
                out[name]["invented"] = sum(1 for r in results if r["invented"])
    return out


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--label", default="now")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--quiet", action="store_true", help="aggregate figures only (no failing ids)")
    args = ap.parse_args(argv)
    started = time.time()
    result = run(args.set_dir, args.url, args.workers)
    report = {"set": args.set_dir.name, "label": args.label, "commit": git_commit(),
              "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "seconds": round(time.time() - started, 1), **result}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"blind_{args.set_dir.name}_{args.label}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{'set':<20} {'right':>6} {'n':>5} {'share':>7}")
    for name in ("program_questions", "conversations", "unanswerable"):
        if name in result:
            r = result[name]
            extra = f"  invented figures in {r['invented']}" if "invented" in r else ""
            print(f"{name:<20} {r['right']:>6} {r['n']:>5} {r['share']:>7.1%}{extra}")
    print(f"→ {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
