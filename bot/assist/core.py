"""What a call has learned, line by line, and the staff view built from it.

Only caller lines feed facts, programs and place; staff lines are only recorded. The view (facts,
eligibility with checklist, answers, offices, script, summary) is recomputed from the stored state, so
GET and POST show the same thing and a restart loses nothing.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

from bot.dialogue_domain import COMBINED
from bot.eligibility.engine import EligibilityEngine, get_engine, today_shanghai
from bot.eligibility.extract import programs_touched
from bot.eligibility.render import fact_question, unknown_help
from bot.errors import ApiError
from bot.privacy import mask_text
from bot.program_info import program_answer
from bot.service_points import office_types_for_program
from bot.understanding import OFFICE_LOOKUP, PLAN_QUESTION, PROGRAM_INFO, read_line

MAX_TRANSCRIPT = 400
MAX_ANSWERS = 5
# Words that make a caller line a question worth a KB answer (a line of facts only is not asked).
_QUESTION = re.compile(r"[？?]|吗|怎么|怎样|如何|什么|哪些|哪里|哪儿|多少|几个|能不能|可不可以|是不是|有没有|是否|啥|咋")
QUESTION_INTENTS = {"ask_policy"}
_DOC_NUMBER = re.compile(r"[（(]([^（）()]*〔\d{4}〕\d+号)[）)]")


def new_state(call_id: str, staff_id: str) -> dict[str, Any]:
    return {"call_id": call_id, "staff_id": staff_id, "transcript": [], "facts": {}, "unknown": [],
            "programs": [], "place": {}, "asking": None, "understanding": None, "answers": [],
            "office_types": [], "intents": [], "questions": []}


def doc_number(source: str) -> Optional[str]:
    """The 文号 inside a citation source title, e.g. 国发〔2015〕52号."""
    m = _DOC_NUMBER.search(source or "")
    return m.group(1) if m else None


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION.search(text))


def is_question(text: str, intent: Optional[str]) -> bool:
    return intent in QUESTION_INTENTS or looks_like_question(text)


def _expand(programs: list[str], engine: EligibilityEngine) -> list[str]:
    """Known program ids, with the other members of a combined group (两项补贴) brought along."""
    out: list[str] = []
    known = set(engine.program_ids())
    for p in programs:
        members = COMBINED.get(p, [p])
        for m in members:
            if m in known and m not in out:
                out.append(m)
        for group in COMBINED.values():
            if p in group:
                out += [m for m in group if m in known and m not in out]
    return out


def add_line(state: dict[str, Any], role: str, text: str, parse: Optional[dict[str, Any]],
             today: Optional[dt.date] = None, engine: Optional[EligibilityEngine] = None) -> dict[str, Any]:
    """Record one line; a caller line updates facts, programs, place and (for questions) the pending KB query.

    Returns what this line contributed: {"question": bool, "facts": {...}}.
    """
    engine = engine or get_engine()
    today = today or today_shanghai()
    state["transcript"].append({"role": role, "text": mask_text(text), "at": dt.datetime.now(dt.timezone.utc)
                                .isoformat(timespec="seconds")})
    del state["transcript"][:-MAX_TRANSCRIPT]
    if role != "caller":
        return {"question": False, "facts": {}}
    intent = ((parse or {}).get("intent") or {}).get("name")
    entities = (parse or {}).get("entities") or []
    if parse is not None:
        state["understanding"] = {"text": mask_text(text), "intent": (parse.get("intent") or None),
                                  "entities": [{k: e.get(k) for k in ("entity", "value", "start", "end",
                                                                      "confidence_entity", "extractor")
                                                if e.get(k) is not None} for e in entities]}
        if intent and intent not in state["intents"]:
            state["intents"].append(intent)
    reading = read_line(text, today=today, asking=state.get("asking"), context_programs=state["programs"],
                        intent=intent, engine=engine)
    new_facts = reading.facts
    state["facts"].update(new_facts)
    state["unknown"] = [f for f in state["unknown"] if f not in new_facts] + \
        [f for f in reading.unknown if f not in state["unknown"]]
    named = [e["value"] for e in entities if e.get("entity") == "program" and isinstance(e.get("value"), str)]
    in_play = _expand(state["programs"] + reading.members + named + programs_touched(state["facts"], engine), engine)
    state["programs"] = in_play
    for t in reading.office_types + [e["value"] for e in entities if e.get("entity") == "office_type"]:
        if t not in state["office_types"]:
            state["office_types"].append(t)
    if reading.place.get("city"):
        state["place"] = {k: reading.place.get(k) for k in ("city", "county", "town")}
    elif reading.place_ambiguous:
        state["place"] = {**(state.get("place") or {}), "ambiguous": reading.place_ambiguous}
    question = reading.kind in (PROGRAM_INFO, PLAN_QUESTION, OFFICE_LOOKUP) or (
        is_question(text, intent) and not (new_facts and not looks_like_question(text)))
    if reading.kind == PROGRAM_INFO and reading.programs:
        info = program_answer(reading.programs, reading.aspects, audience="staff", question=reading.text)
        add_answer(state, text, {"answer": info["text"], "citations": info.get("citations") or [],
                                 "confidence": None, "kb_version": None, "source": "program_info"})
    return {"question": question and reading.kind != PROGRAM_INFO, "facts": new_facts, "kind": reading.kind}


def add_answer(state: dict[str, Any], question: str, answer: dict[str, Any]) -> None:
    if not answer.get("answer"):
        return
    item = {"question": mask_text(question), "answer": answer["answer"], "citations": answer.get("citations") or [],
            "confidence": answer.get("confidence"), "kb_version": answer.get("kb_version"),
            "source": answer.get("source", "kb")}
    if answer.get("note"):
        item["note"] = answer["note"]      # "没有现在的实际数字": what the answer is not, for the staff to say
    state["answers"] = [item] + [a for a in state["answers"] if a["question"] != item["question"]][:MAX_ANSWERS - 1]


# ---------------------------------------------------------------------- eligibility and checklist
OUTCOME_TEXT = {"eligible": "符合条件", "not_eligible": "暂不符合条件", "needs_more_info": "待补充情况",
                "refer_locally": "需按当地政策确定"}


def _program_facts(state: dict[str, Any], pid: str, engine: EligibilityEngine) -> dict[str, Any]:
    names = engine.program(pid).facts
    return {k: v for k, v in state["facts"].items() if k in names}


def evaluate(state: dict[str, Any], engine: Optional[EligibilityEngine] = None) -> list[dict[str, Any]]:
    """Each program in play: outcome, reasons, citations with 文号, and the checklist of missing facts."""
    engine = engine or get_engine()
    out = []
    for pid in state["programs"]:
        facts = _program_facts(state, pid, engine)
        try:
            result = engine.evaluate(pid, facts)
        except ApiError as exc:  # a value out of range for this program: leave it out and ask again
            facts.pop(exc.field or "", None)
            result = engine.evaluate(pid, facts)
        prog = engine.program(pid)
        checklist = []
        for fact in result["missing_facts"]:
            item = {"fact": fact, "label": prog.facts[fact]["label"],
                    "question": fact_question(pid, fact, audience="staff", engine=engine)}
            if fact in state["unknown"]:
                item.update(unknown=True, help=unknown_help(fact, engine=engine))
            checklist.append(item)
        checklist.sort(key=lambda i: bool(i.get("unknown")))
        citations = [{**c, "doc_number": doc_number(c["source"])} for c in result["citations"]]
        eligible_if = _eligible_if(engine, pid, facts, result)
        out.append({
            "program": pid, "label": result["label"], "outcome": result["outcome"],
            "outcome_text": OUTCOME_TEXT[result["outcome"]], "amount": result["amount"],
            "amount_note": result.get("amount_note"), "reasons": result["reasons"],
            "criteria": result["criteria"], "hints": result["hints"], "citations": citations,
            "documents": list(dict.fromkeys(c["source"] for c in result["citations"])),
            "doc_numbers": list(dict.fromkeys(n for n in (c["doc_number"] for c in citations) if n)),
            "checklist": checklist, "next_steps": result["next_steps"], "hotlines": result["hotlines"],
            "facts": result["facts"], "eligible_if": eligible_if,
        })
    return out


def _eligible_if(engine: EligibilityEngine, pid: str, facts: dict[str, Any],
                 result: dict[str, Any]) -> Optional[dict[str, Any]]:
    """When one yes/no fact is all that is open: the answer that would make the caller eligible, in the
    rules file's words ("没有享受孤儿基本生活保障政策"), so staff can say it conditionally."""
    missing = result["missing_facts"]
    if result["outcome"] != "needs_more_info" or len(missing) != 1:
        return None
    fact = missing[0]
    spec = engine.program(pid).facts[fact]
    if spec["type"] != "bool" or not isinstance(spec.get("describe"), dict):
        return None
    wins = [v for v in (True, False) if engine.evaluate(pid, {**facts, fact: v})["outcome"] == "eligible"]
    if len(wins) != 1:
        return None
    return {"fact": fact, "value": wins[0], "text": spec["describe"]["true" if wins[0] else "false"]}


def merged_checklist(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One list for the call: each fact once (with the programs it decides), most decisive first."""
    merged: dict[str, dict[str, Any]] = {}
    for order, r in enumerate(results):
        for rank, item in enumerate(r["checklist"]):
            entry = merged.get(item["fact"])
            if entry is None:
                merged[item["fact"]] = entry = {**item, "programs": [], "_key": (rank, order)}
            entry["programs"].append(r["program"])
            entry["_key"] = min(entry["_key"], (rank, order))
    items = sorted(merged.values(), key=lambda e: (bool(e.get("unknown")), e["_key"]))
    return [{k: v for k, v in e.items() if k != "_key"} for e in items]


def next_asking(checklist: list[dict[str, Any]]) -> Optional[str]:
    """The fact a bare 有/没有 from the caller most likely answers: the top of the checklist."""
    return next((i["fact"] for i in checklist if not i.get("unknown")), None)


def facts_by_program(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["program"]: r["facts"] for r in results}


def wanted_office_types(state: dict[str, Any]) -> list[str]:
    types: list[str] = []
    for pid in state["programs"]:
        types += [t for t in office_types_for_program(pid) if t not in types]
    return types + [t for t in state["office_types"] if t not in types]
