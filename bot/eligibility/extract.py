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
                if key == "in_clause":
                    merged[key] = merged.get(key, []) + [g for g in words if g not in merged.get(key, [])]
                elif isinstance(words, list):
                    merged[key] = list(dict.fromkeys(merged.get(key, []) + words))
    return specs


BARE_ANSWER_MAX = 10  # characters in the first clause of a reply that can be a bare 有/没有


def _clause(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
    return text[left:right]


def _word_hits(text: str, specs: dict[str, dict], asking: Optional[str]) -> dict[str, Any]:
    """Facts filled by the rules files' words, matched longest first across all facts at once.

    Matching across facts keeps "低保边缘户" (low income) from also reading as "低保" (dibao).
    `in_clause` groups count only in a clause that also has one of their context words
    ("户口在太原": 太原 counts because 户口 is in the clause). For the asked enum, its Chinese value
    names count too. The last mention of a fact wins ("不是肢体，是视力").
    """
    table: list[tuple[str, str, Any, tuple[int, int] | None]] = []   # word, fact, value, clause limits

    def add(name: str, spec: dict, key: str, words: list[str], limits=None) -> None:
        value = (key == "true") if spec["type"] == "bool" else key
        table.extend((w, name, value, limits) for w in words)

    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，,。；;！!？?\n]+", text)]
    for name, spec in specs.items():
        words = spec["words"]
        if "parse" in words:
            continue
        for key, items in words.items():
            if key != "in_clause":
                add(name, spec, key, items)
        for group in words.get("in_clause", []):
            for start, end in clauses:
                if any(c in text[start:end] for c in group["context"]):
                    for key, items in group.items():
                        if key != "context":
                            add(name, spec, key, items, (start, end))
        if name == asking and spec["type"] == "enum":
            for value, label in spec["values"].items():
                add(name, spec, value, [label])
    hits = []
    for word, name, value, limits in table:
        lo, hi = limits or (0, len(text))
        for m in re.finditer(re.escape(word), text[lo:hi]):
            hits.append((m.start() + lo, m.end() + lo, name, value))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    taken: list[tuple[int, int, str, Any]] = []
    for h in hits:
        if all(h[1] <= t[0] or h[0] >= t[1] for t in taken):
            taken.append(h)
    return {name: value for _, _, name, value in sorted(taken)}


_CN_NUM = "0-9一二两三四五六七八九十"
_AGE = re.compile(rf"(?:(?P<y>[{_CN_NUM}]+)(?:周岁|岁)(?P<half>半)?(?:零?(?P<ym>[{_CN_NUM}]+)个?月)?"
                  rf"|(?P<m>[{_CN_NUM}]+)个?月大)")


def _age_months(text: str) -> Optional[int]:
    """A child's age said instead of a birth date ("两岁半", "1岁8个月", "8个月大") → months."""
    m = _AGE.search(text)
    if not m:
        return None
    if m.group("m"):
        return textparse.cn_to_int(m.group("m"))
    years = textparse.cn_to_int(m.group("y"))
    if years is None:
        return None
    extra = 6 if m.group("half") else (textparse.cn_to_int(m.group("ym")) or 0 if m.group("ym") else 0)
    return years * 12 + extra


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
                return Approx(mention.date) if mention.precision != "day" else mention.date
        if words.get("age") and (asking or any(w in text for w in context)):
            months = _age_months(text)
            if months is not None:
                return Approx(textparse.add_months(today, -months))
        return None
    raise ValueError(f"unknown parser {parser!r} for {name}")


class Approx:
    """A date known only to the month, year or from an age: usable, but worth confirming."""

    def __init__(self, day: dt.date) -> None:
        self.day = day


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
    """{"facts": {fact: value}, "unknown": [fact], "programs": [program id], "correction": bool,
    "approximate": [fact]}.

    Dates come back as YYYY-MM-DD strings, ready for POST /api/eligibility; "approximate" lists dates
    known only to the month or worked out from an age ("两岁半"), which the dialogue may confirm.
    """
    engine = engine or get_engine()
    today = today or today_shanghai()
    text = normalize(text or "")
    specs = _fact_specs(engine)
    correction = textparse.is_correction(text)
    facts: dict[str, Any] = {}
    unknown: list[str] = []
    if asking in specs and textparse.is_unknown(text):
        unknown.append(asking)
    asked_parser = specs[asking]["words"].get("parse") if asking in specs else None
    if asked_parser and not unknown:
        value = _parsed(asking, specs[asking], text, today, asking=True)
        if value is not None:
            facts[asking] = value
    for name, value in _word_hits(text, specs, None if unknown else asking).items():
        if name not in unknown:
            facts.setdefault(name, value)
    for name, spec in specs.items():
        if name in facts or name in unknown or "parse" not in spec["words"]:
            continue
        if asked_parser in _LEVEL_PARSERS and spec["words"]["parse"] in _LEVEL_PARSERS:
            continue
        value = _parsed(name, spec, text, today, asking=False)
        if value is not None:
            facts[name] = value
    if asking in specs and specs[asking]["type"] == "bool" and asking not in facts \
            and asking not in unknown and not correction:
        # A bare 有/没有 answers the question; with other facts in the sentence only its first clause does.
        # A long sentence is not a bare answer ("…目标是多少" is a question, not 是).
        first = _CLAUSE.split(text, maxsplit=1)[0]
        answer = textparse.parse_yes_no(first) if len(first) <= (4 if facts else BARE_ANSWER_MAX) else None
        if answer is not None:
            facts[asking] = answer
    approximate = [k for k, v in facts.items() if isinstance(v, Approx)]
    facts = {k: (v.day if isinstance(v, Approx) else v) for k, v in facts.items()}
    out_facts = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in facts.items()}
    return {"facts": out_facts, "unknown": unknown, "programs": mentioned_programs(text, engine),
            "correction": correction, "approximate": approximate}


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
