"""A quick development loop over a set's single-line items, through the actions only (no Rasa, no HTTP).

The first reply to a line is composed by `action_route` from the reading; Rasa only supplies the intent hint
and, when the action starts a form, the form's first question. This plays program_questions.yml and
unanswerable.yml straight into the action with a neutral intent hint and marks a started form, so a change
to the reader or the rules files can be tried in seconds. It is a development aid for our OWN sets (the
earlier rounds, now seen); reported blind figures always come from `tests.blind.harness` on the live stack.

    python -m tests.blind.offline tests/blind/round1 [--only unanswerable] [--fails]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.blind.harness import HONEST, groups_met, invented_figures


def tracker_for(text: str, intent: str) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [], "metadata": {}}
    return Tracker("offline", {}, latest, [], False, None, {}, "action_listen")


def first_reply(text: str, intent: str = "ask_policy") -> str:
    from actions.understanding import ActionRoute

    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRoute().run(dispatcher, tracker_for(text, intent), {}))
    out = [m.get("custom", {}).get("text") or m.get("text") or "" for m in dispatcher.messages]
    form = next((e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "eligibility_program"
                 and e.get("value") not in (None, "overview")), None)
    if form:
        out.append(f"[表单：{form}]")
    return "\n".join(t for t in out if t)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("--only", choices=["program_questions", "unanswerable"])
    ap.add_argument("--fails", action="store_true", help="print the failing items")
    args = ap.parse_args(argv)
    for name in ("program_questions", "unanswerable"):
        if args.only and name != args.only or not (args.set_dir / f"{name}.yml").exists():
            continue   # (a conversations-only dev set has no program questions)
        items: list[dict[str, Any]] = yaml.safe_load((args.set_dir / f"{name}.yml").read_text("utf-8"))["questions"]
        right = 0
        for it in items:
            reply = first_reply(it["text"])
            if name == "program_questions":
                ok = groups_met(reply, it.get("expect") or [])
            else:
                ok = bool(HONEST.search(reply)) and not invented_figures(it["text"], reply, it.get("tempting_figures") or [])
            right += ok
            if args.fails and not ok:
                print(f"✗ {it['id']} {it['text']}  {it.get('expect', '')}\n   → {reply[:240]}".replace("\n", " | "))
        print(f"{name}: {right}/{len(items)} = {right / max(1, len(items)):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
