"""Fill eligibility facts from what a resident types, using the rules files' own words.

One utterance may fill several facts ("我是二级肢体残疾，有残疾证，家里低保户，需要人长期照顾");
`asking` (the fact the form just asked about) lets a bare "有"/"没有"/"不知道"/"2级" answer it.
Generic Chinese parsing (numbers, dates, durations, levels, yes/no) comes from bot.textparse.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

from bot import textparse
from bot.errors import ApiError
from bot.eligibility.engine import EligibilityEngine, get_engine, today_shanghai
from bot.text_normalize import normalize

_CLAUSE = re.compile(r"[，,。；;！!？?\n]")
# "四级" answers whichever level was asked for; it must not also fill the other kind of level.
_LEVEL_PARSERS = {"level", "cert_level"}


def _fact_specs(engine: EligibilityEngine) -> dict[str, dict[str, Any]]:
    """Every fact of every program; a fact shared by two programs merges its word lists."""
    specs: dict[str, dict[str, Any]] = {}
    for pid in engine.program_ids():
        for name, spec in engine.program(pid).facts.items():
            if name not in specs:
                specs[name] = {**spec, "words": dict(spec["words"])}
                continue
            merged = specs[name]["words"]
            for key, words in spec["words"].items():
                if isinstance(words, list):
                    merged[key] = list(dict.fromkeys(merged.get(key, []) + words))
    return specs


def _match_words(text: str, table: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, value) hits, longest words first ("没有残疾证" beats "有残疾证")."""
    hits = []
    for value, words in table.items():
        for word in words:
            for m in re.finditer(re.escape(word), text):
                hits.append((m.start(), m.end(), value))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    taken: list[tuple[int, int, str]] = []
    for h in hits:
        if all(h[1] <= t[0] or h[0] >= t[1] for t in taken):
            taken.append(h)
    return sorted(taken)


def _clause(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
    return text[left:right]


def _word_table(spec: dict) -> dict[str, list[str]]:
    words = {k: v for k, v in spec["words"].items() if isinstance(v, list)}
    if spec["type"] == "bool":
        return {("true" if k == "true" else "false"): v for k, v in words.items()}
    return words


def _from_words(spec: dict, text: str, asking: bool) -> Any:
    table = _word_table(spec)
    if spec["type"] == "enum" and asking:
        for value, label in spec["values"].items():
            table.setdefault(value, []).append(label)
    hits = _match_words(text, table)
    if not hits:
        return None
    value = hits[-1][2]                       # the last mention wins ("不是肢体，是视力")
    if spec["type"] == "bool":
        return value == "true"
    return value


def _parsed(name: str, spec: dict, text: str, today: dt.date, asking: bool) -> Any:
    words = spec["words"]
    parser = words["parse"]
    context = words.get("context") or []
    if parser == "level":
        value = textparse.parse_level(text)
        if value is None and asking:
            value = textparse.cn_to_int(text.strip(" 级的吧啊呀。，"))
        return value if value is not None and spec["min"] <= value <= spec["max"] else None
    if parser == "cert_level":
        return textparse.parse_cert_level(text, expect_cert=asking)
    if parser == "duration_months":
        if not asking and not any(w in text for w in context):
            return None
        value = textparse.parse_duration_months(text)
        if value is None and asking:
            value = textparse.cn_to_int(text.strip(" 个月的吧啊呀。，"))
        return value if value is not None and spec["min"] <= value <= spec["max"] else None
    if parser == "date":
        for mention in textparse.find_dates(text, today):
            clause = _clause(text, *mention.span)
            if (asking or any(w in clause for w in context)) and mention.date <= today:
                return mention.date
        return None
    raise ValueError(f"unknown parser {parser!r} for {name}")


def _extract_one(name: str, spec: dict, text: str, today: dt.date, asking: bool) -> Any:
    if "parse" in spec["words"]:
        return _parsed(name, spec, text, today, asking)
    return _from_words(spec, text, asking)


def mentioned_programs(text: str, engine: Optional[EligibilityEngine] = None) -> list[str]:
    engine = engine or get_engine()
    found = []
    for pid in engine.program_ids():
        prog = engine.program(pid)
        if any(a in text for a in [prog.label] + list(prog.data["aliases"])):
            found.append(pid)
    return found


def extract_facts(text: str, today: Optional[dt.date] = None, asking: Optional[str] = None,
                  engine: Optional[EligibilityEngine] = None) -> dict[str, Any]:
    """{"facts": {fact: value}, "unknown": [fact], "programs": [program id], "correction": bool}.

    Dates come back as YYYY-MM-DD strings, ready for POST /api/eligibility.
    """
    engine = engine or get_engine()
    today = today or today_shanghai()
    text = normalize(text or "")
    specs = _fact_specs(engine)
    correction = textparse.is_correction(text)
    facts: dict[str, Any] = {}
    unknown: list[str] = []
    if asking in specs:
        if textparse.is_unknown(text):
            unknown.append(asking)
        else:
            value = _extract_one(asking, specs[asking], text, today, asking=True)
            if value is not None:
                facts[asking] = value
    asked_parser = specs[asking]["words"].get("parse") if asking in specs else None
    for name, spec in specs.items():
        if name in facts or name in unknown:
            continue
        if asked_parser in _LEVEL_PARSERS and spec["words"].get("parse") in _LEVEL_PARSERS:
            continue
        value = _extract_one(name, spec, text, today, asking=False)
        if value is not None:
            facts[name] = value
    if asking in specs and specs[asking]["type"] == "bool" and asking not in facts \
            and asking not in unknown and not correction:
        # A bare 有/没有 answers the question; with other facts in the sentence only its first clause does.
        first = _CLAUSE.split(text, maxsplit=1)[0]
        answer = textparse.parse_yes_no(text if not facts else first) if (not facts or len(first) <= 4) else None
        if answer is not None:
            facts[asking] = answer
    out_facts = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in facts.items()}
    return {"facts": out_facts, "unknown": unknown, "programs": mentioned_programs(text, engine),
            "correction": correction}


def programs_touched(facts: dict[str, Any], engine: Optional[EligibilityEngine] = None) -> list[str]:
    """Programs that any of the given facts bear on ("我家情况这样，能领什么补贴？")."""
    engine = engine or get_engine()
    known = {k for k, v in facts.items() if v is not None}
    return [pid for pid in engine.program_ids() if known & set(engine.program(pid).facts)]


def cross_suggestions(facts: dict[str, Any], program: str, as_of: Any = None,
                      engine: Optional[EligibilityEngine] = None) -> list[str]:
    """Other programs worth mentioning: touched by the facts and not already ruled out by them."""
    engine = engine or get_engine()
    out = []
    for pid in programs_touched(facts, engine):
        if pid == program:
            continue
        try:
            result = engine.evaluate(pid, facts, as_of)
        except ApiError:  # facts valid for one program may be out of range for another
            continue
        if result["outcome"] != "not_eligible":
            out.append(pid)
    return out
