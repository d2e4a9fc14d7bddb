"""The eligibility engine: applies the checked rules files to a resident's facts.

Everything policy-specific (thresholds, amounts, texts, references) lives in policy_kb/rules/*.yaml;
this module only knows how to combine criteria, explain them and rank the questions still open.
"""
from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import re
import string
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo

from bot.errors import ApiError, InvalidInput
from bot.eligibility import logic
from bot.eligibility.loader import Program, RulesError, load_program, rule_files
from bot.eligibility.spans import DateSpan, parse_span
from bot.settings import POLICY_KB

log = logging.getLogger("bot.eligibility")

TZ = ZoneInfo("Asia/Shanghai")
RULES_DIR = POLICY_KB / "rules"
OUTCOMES = ("eligible", "refer_locally", "not_eligible")       # by severity; a criterion result's rank
_RANK = {"met": 0, "refer_locally": 1, "not_met": 2}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_FILLINGS = 4096          # combinations of open facts tried before settling for "needs more info"


def today_shanghai() -> dt.date:
    return dt.datetime.now(TZ).date()


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_day(value: Any, field: str) -> dt.date:
    """A YYYY-MM-DD string (or a date) → date; anything else is invalid input naming the field."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"字段 {field} 应为有效日期，格式 YYYY-MM-DD。", field=field)


# The amount depends on which side of a date the resident's rough date falls (read by the form, which then asks).
MIXED_AMOUNT_NOTE = "具体金额取决于准确日期"

class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "（未知）"


@dataclass
class CriterionResult:
    criterion: dict
    status: str                      # met / not_met / refer_locally / unknown / not_applicable
    possible: set[int]
    tier: Optional[dict] = None
    missing: list[str] = field(default_factory=list)


class EligibilityEngine:
    """Serves the rules in `rules_dir`, reloading changed files and keeping the last good version."""

    def __init__(self, rules_dir: Path = RULES_DIR) -> None:
        self.rules_dir = Path(rules_dir)
        self._lock = threading.Lock()
        self._files: dict[Path, tuple[tuple, Optional[Program]]] = {}
        self._programs: dict[str, Program] = {}
        self.last_errors: list[str] = []

    # ------------------------------------------------------------------ rules
    def warm_up(self) -> None:
        self.reload()
        if not self._programs:
            raise RuntimeError("没有可用的补贴规则文件：" + ("\n".join(self.last_errors) or str(self.rules_dir)))

    def reload(self) -> None:
        """Re-read files whose size or mtime changed; a file that fails the check keeps its last good rules."""
        with self._lock:
            seen: set[Path] = set()
            for path in rule_files(self.rules_dir):
                seen.add(path)
                try:
                    st = path.stat()
                except OSError:
                    continue
                sig = (st.st_mtime_ns, st.st_size)
                old = self._files.get(path)
                if old and old[0] == sig:
                    continue
                try:
                    program = load_program(path)
                except RulesError as exc:
                    self.last_errors = [str(p) for p in exc.problems]
                    log.error("rules file rejected, keeping the last good version:\n%s", exc)
                    self._files[path] = (sig, old[1] if old else None)
                    continue
                self._files[path] = (sig, program)
            for path in list(self._files):
                if path not in seen:
                    del self._files[path]
            self._programs = {prog.id: prog for _, prog in self._files.values() if prog is not None}

    def program(self, program_id: Any) -> Program:
        self.reload()
        if not isinstance(program_id, str) or program_id not in self._programs:
            raise ApiError(404, "unknown_program", "没有这个补贴项目，请检查项目编号。", field="program")
        return self._programs[program_id]

    def program_ids(self) -> list[str]:
        self.reload()
        return list(self._programs)

    def programs(self) -> list[dict[str, Any]]:
        """GET /api/eligibility/programs: ids, Chinese names and fact schemas."""
        self.reload()
        out = []
        for prog in self._programs.values():
            facts = {}
            for name, spec in prog.facts.items():
                schema: dict[str, Any] = {"type": spec["type"], "label": spec["label"],
                                          "question": spec["question"]["resident"],
                                          "question_staff": spec["question"]["staff"],
                                          "unknown_help": spec["unknown_help"]}
                if spec["type"] == "enum":
                    schema["values"] = dict(spec["values"])
                if spec["type"] == "int":
                    schema["min"], schema["max"] = spec["min"], spec["max"]
                facts[name] = schema
            out.append({"id": prog.id, "label": prog.label, "name": prog.label, "summary": prog.data["summary"],
                        "facts": facts, "office_types": list(prog.data["office_types"])})
        return out

    # ------------------------------------------------------------------ facts
    def validate_facts(self, prog: Program, facts: Any, as_of: dt.date) -> dict[str, Any]:
        """Typed facts of this program; None/absent means unknown.

        Facts of other programs are checked too (a chat sends all it knows) but not used; names no
        program knows are ignored.
        """
        if facts is None:
            return {}
        if not isinstance(facts, dict):
            raise InvalidInput("字段 facts 应为 JSON 对象。", field="facts")
        out: dict[str, Any] = {}
        for name, spec in prog.facts.items():
            raw = facts.get(name)
            if raw is None:
                continue
            out[name] = _coerce(name, spec, raw, as_of)
        for other in self._programs.values():
            for name, spec in other.facts.items():
                if name not in prog.facts and facts.get(name) is not None:
                    _coerce(name, spec, facts[name], as_of)
        return out

    # ------------------------------------------------------------------ evaluation
    def _criteria(self, prog: Program, facts: dict, as_of: dt.date) -> list[CriterionResult]:
        results = []
        for crit in prog.criteria:
            ctx = logic.Context(prog, facts, as_of)
            applies = logic.condition(crit["applies_when"], ctx) if "applies_when" in crit else True
            if applies is False:
                results.append(CriterionResult(crit, "not_applicable", {0}))
                continue
            possible: set[int] = {0} if applies is None else set()
            chosen = None
            for tier in crit["tiers"]:
                hit = True if "otherwise" in tier else logic.condition(tier["when"], ctx)
                if hit is False:
                    continue
                possible.add(_RANK[tier["result"]])
                if hit is True:
                    chosen = tier
                    break
            open_facts = ctx.touched | ctx.spanned
            missing = [f for f in dict.fromkeys(crit["facts"]) if f in open_facts]
            missing += [f for f in sorted(open_facts) if f not in missing]
            if len(possible) == 1 and chosen is not None:
                results.append(CriterionResult(crit, tier_status(chosen), possible, chosen, []))
            else:
                results.append(CriterionResult(crit, "unknown", possible, None, missing))
        return results

    @staticmethod
    def _combine(results: list[CriterionResult]) -> set[int]:
        outcomes = {0}
        for r in results:
            outcomes = {max(o, p) for o in outcomes for p in r.possible}
        return outcomes

    def _outcome(self, prog: Program, facts: dict, as_of: dt.date) -> tuple[str, list[CriterionResult]]:
        """The outcome, settled when every way of filling the open facts leads to the same one."""
        results = self._criteria(prog, facts, as_of)
        outcomes = self._combine(results)
        if len(outcomes) > 1:
            # Criteria taken one by one over-approximate (two may share a fact); try the fillings.
            outcomes = self._outcomes_by_filling(prog, facts, as_of, results) or outcomes
        return (OUTCOMES[outcomes.pop()] if len(outcomes) == 1 else "needs_more_info"), results

    def _outcomes_by_filling(self, prog: Program, facts: dict, as_of: dt.date,
                             results: list[CriterionResult]) -> Optional[set[int]]:
        """Outcomes over all combinations of the open facts' boundary values (None when too many)."""
        open_facts = list(dict.fromkeys(f for r in results for f in r.missing))
        choices = [self._candidate_values(prog, f, as_of, facts.get(f)) for f in open_facts]
        if math.prod(len(c) for c in choices) > MAX_FILLINGS:
            return None
        outcomes: set[int] = set()
        for combo in itertools.product(*choices):
            filled = {**facts, **dict(zip(open_facts, combo))}
            outcomes |= self._combine(self._criteria(prog, filled, as_of))
            if len(outcomes) > 1:
                break
        return outcomes

    def evaluate(self, program: Any, facts: Any = None, as_of: Any = None) -> dict[str, Any]:
        """POST /api/eligibility: the contract's response, plus label, hints, office_types and more."""
        prog = self.program(program)
        day = today_shanghai() if as_of is None else parse_day(as_of, "as_of")
        typed = self.validate_facts(prog, facts, day)
        outcome, results = self._outcome(prog, typed, day)
        texts = _Texts(prog, typed, day)
        missing = self._rank_missing(prog, typed, day, results) if outcome == "needs_more_info" else []
        amount, amount_note = self._amount(prog, typed, day, texts, outcome)
        reasons, hints, hint_offices = [], [], []
        for r in results:
            if r.status == "not_applicable":
                continue
            reasons.append(texts.reason(r))
            if r.tier and r.tier.get("hint"):
                hints.append(texts.fill(r.tier["hint"]))
            if r.tier and r.tier.get("hint_office") and r.tier["hint_office"] not in hint_offices:
                hint_offices.append(r.tier["hint_office"])   # where the hint sends the resident (残联 for the 证)
        return {
            "program": prog.id,
            "label": prog.label,
            "as_of": day.isoformat(),
            "outcome": outcome,
            "amount": amount,
            "amount_note": amount_note,
            "reasons": reasons,
            "missing_facts": missing,
            "questions": {f: prog.facts[f]["question"]["resident"] for f in missing},
            "citations": self._citations(prog, results),
            "next_steps": self._next_steps(prog, outcome),
            "hints": hints,
            "hint_offices": hint_offices,
            "office_types": list(prog.data["office_types"]),
            "hotlines": [dict(h) for h in prog.data["hotlines"]],
            "criteria": [{"id": r.criterion["id"], "description": r.criterion["description"], "status": r.status}
                         for r in results],
            "facts": {k: _iso(v) for k, v in typed.items()},
            "assumed": [texts.assumed(name) for name, v in typed.items() if isinstance(v, DateSpan)],
            # Said when it fits the conversation, e.g. an unborn child: when and how to claim after birth.
            "notes": {k: texts.fill(v) for k, v in prog.data["next_steps"].items() if k == "before_birth"},
        }

    # ------------------------------------------------------------------ most decisive first
    def _rank_missing(self, prog: Program, facts: dict, as_of: dt.date,
                      results: list[CriterionResult]) -> list[str]:
        """Open facts, those that could settle the outcome on their own first, then by priority and file order."""
        candidates = list(dict.fromkeys(f for r in results for f in r.missing))
        order = list(prog.facts)

        def settles(name: str) -> bool:
            for value in self._candidate_values(prog, name, as_of, facts.get(name)):
                outcome, _ = self._outcome(prog, {**facts, name: value}, as_of)
                if outcome != "needs_more_info":
                    return True
            return False

        keyed = [(prog.facts[f].get("priority", 0), not settles(f), order.index(f), f) for f in candidates]
        return [k[-1] for k in sorted(keyed)]

    def _candidate_values(self, prog: Program, name: str, as_of: dt.date, current: Any = None) -> list[Any]:
        """Values worth trying for an open fact: every choice, or the boundary days of its conditions.

        A fact known only as a span of days ("2024年3月") is tried at its ends and at the boundaries inside it.
        """
        spec = prog.facts[name]
        kind = spec["type"]
        if kind == "bool":
            return [True, False]
        if kind == "enum":
            return list(spec["values"])
        conds = [c for crit in prog.criteria for c in _conditions_of(crit, name)]
        ctx = logic.Context(prog, {}, as_of)
        if kind == "int":
            lo, hi = spec["min"], spec["max"]
            if hi - lo <= 10:
                return list(range(lo, hi + 1))
            points = {lo}
            for c in conds:
                t = logic.value(c[_op(c)], ctx)
                for v in (t if isinstance(t, list) else [t]):
                    if isinstance(v, int):
                        points |= {v - 1, v, v + 1}
            return sorted(p for p in points if lo <= p <= hi)
        points = {as_of}
        for c in conds:
            target = logic.value(c[_op(c)], ctx)
            if not isinstance(target, dt.date):
                continue
            months = 12 * int(logic.value(c.get("offset_years", 0), ctx)) + int(logic.value(c.get("offset_months", 0), ctx))
            boundary = logic.add_months(target, -months)
            points |= {boundary - dt.timedelta(days=1), boundary, boundary + dt.timedelta(days=1)}
        if spec.get("not_after_as_of"):
            points = {p for p in points if p <= as_of}
        if isinstance(current, DateSpan):
            points = {p for p in points if current.earliest <= p <= current.latest}
            points |= {current.earliest, current.latest}
        return sorted(points)

    # ------------------------------------------------------------------ amount, citations, next steps
    def _amount(self, prog: Program, facts: dict, as_of: dt.date, texts: "_Texts",
                outcome: str) -> tuple[Optional[dict], Optional[str]]:
        spec = prog.data.get("amount") or {}
        none_note = texts.fill(spec["none_note"]) if spec.get("none_note") else None
        if outcome != "eligible":
            return None, none_note if outcome == "refer_locally" else None
        spanned = [k for k, v in facts.items() if isinstance(v, DateSpan)]
        if spanned:
            return self._amount_over_span(prog, facts, as_of, texts, spanned, none_note)
        for rule in spec.get("rules") or []:
            ctx = logic.Context(prog, facts, as_of)
            if logic.condition(rule["when"], ctx) is not True:
                continue
            for var, expr in (rule.get("vars") or {}).items():
                ctx.variables[var] = logic.value(expr, ctx)
            val = logic.value(rule["value"], ctx)
            if val is logic.UNKNOWN:
                continue
            val = int(val) if float(val).is_integer() else float(val)
            note = texts.fill(rule["note"], {**ctx.variables, "amount": val})
            amount: dict[str, Any] = {"value": val, "unit": rule["unit"], "note": note}
            if rule.get("up_to"):
                amount["up_to"] = True
            if any(prog.data["parameters"][p].get("reference_standard") for p in _params_in(rule["value"])):
                amount["reference_standard"] = True
            amount.update({k: v for k, v in ctx.variables.items() if isinstance(v, (int, float))})
            return amount, None
        return None, none_note

    def _amount_over_span(self, prog: Program, facts: dict, as_of: dt.date, texts: "_Texts",
                          spanned: list[str], none_note: Optional[str]) -> tuple[Optional[dict], Optional[str]]:
        """The amount when a date is known only roughly: exact when every day in the span gives the same,
        otherwise the range ("8400至8700元") with the variables that vary written the same way."""
        choices = [self._candidate_values(prog, f, as_of, facts[f]) for f in spanned]
        found: list[tuple[int, dict]] = []
        for combo in itertools.product(*choices):
            filled = {**facts, **dict(zip(spanned, combo))}
            amount, _ = self._amount(prog, filled, as_of, texts, "eligible")
            if amount is None:
                return None, none_note
            found.append((amount["unit"], amount))
        if len({unit for unit, _ in found}) > 1:
            # "前年腊月生的": born on either side of a start date, paid by the year or by the month; each way's
            # figures are said, none is chosen
            ways = []
            for unit in dict.fromkeys(u for u, _ in found):
                vals = sorted({a["value"] for u, a in found if u == unit})
                ways.append(f"{_fmt(vals[0])}{unit}" if len(vals) == 1 else f"{_fmt(vals[0])}至{_fmt(vals[-1])}{unit}")
            return None, f"{MIXED_AMOUNT_NOTE}：可能是{'，也可能是'.join(ways)}，请提供准确日期后再测算。"
        amounts = [a for _, a in found]
        values = sorted({a["value"] for a in amounts})
        variables: dict[str, Any] = {}
        for key in amounts[0]:
            if key in {"value", "unit", "note", "up_to", "reference_standard"}:
                continue
            seen = sorted({a.get(key) for a in amounts if a.get(key) is not None})
            variables[key] = _fmt(seen[0]) if len(seen) == 1 else f"{_fmt(seen[0])}至{_fmt(seen[-1])}"
        label = _fmt(values[0]) if len(values) == 1 else f"{_fmt(values[0])}至{_fmt(values[-1])}"
        template = self._matching_rule(prog, facts, as_of, spanned, choices)["note"]
        result = {**amounts[0], "value": values[0], "note": texts.fill(template, {**variables, "amount": label})}
        if len(values) > 1:
            result["value_max"] = values[-1]
        for key in variables:
            if key in result and len({a.get(key) for a in amounts}) > 1:
                result[key] = min(a[key] for a in amounts)
        return result, None

    def _matching_rule(self, prog: Program, facts: dict, as_of: dt.date, spanned: list[str],
                       choices: list[list[Any]]) -> dict:
        filled = {**facts, **{f: c[0] for f, c in zip(spanned, choices)}}
        ctx = logic.Context(prog, filled, as_of)
        return next(r for r in prog.data["amount"]["rules"] if logic.condition(r["when"], ctx) is True)

    def _citations(self, prog: Program, results: list[CriterionResult]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[tuple] = set()
        for r in results:
            if r.status == "not_applicable":
                continue
            crit = r.criterion
            ref = crit["reference"]
            quote = crit.get("quote")
            item = {"source": prog.source_title(ref["source"]), "section": ref["section"],
                    "quote": quote or crit["description"]}
            if not quote:
                item["paraphrase"] = True
            key = (item["source"], item["section"], item["quote"])
            if key not in seen:
                seen.add(key)
                out.append(item)
        for passage in prog.data["plan_passages"]:
            out.append({"source": prog.source_title("plan"), "section": passage["section"],
                        "quote": passage["quote"]})
        return out

    def _next_steps(self, prog: Program, outcome: str) -> list[str]:
        steps = prog.data["next_steps"]
        hotlines = "、".join(f"{h['number']}{h['name']}" for h in prog.data["hotlines"])
        consult = f"如有疑问，可拨打{hotlines}。"
        if outcome == "not_eligible":
            return [consult]
        out = []
        if outcome == "refer_locally" and steps.get("refer_locally"):
            out.append(steps["refer_locally"])
        out += [steps["where"], steps["bring"], steps["online"]]
        if steps.get("also") and outcome != "needs_more_info":
            out.append(steps["also"])
        out.append(consult)
        return out


def tier_status(tier: dict) -> str:
    return tier["result"]


def _op(cond: dict) -> str:
    return next(k for k in cond if k in logic._OPS)


def _conditions_of(crit: dict, fact: str) -> list[dict]:
    conds = []
    for c in [crit.get("applies_when")] + [t.get("when") for t in crit["tiers"]]:
        conds += [cond for name, cond in logic.condition_facts(c) if name == fact]
    return conds


def _params_in(expr: Any) -> list[str]:
    if isinstance(expr, dict):
        found = [expr["param"]] if "param" in expr else []
        for v in expr.values():
            found += _params_in(v)
        return found
    if isinstance(expr, list):
        return [p for v in expr for p in _params_in(v)]
    return []


def _coerce(name: str, spec: dict, raw: Any, as_of: dt.date) -> Any:
    kind = spec["type"]
    label = spec["label"]
    if kind == "bool":
        if not isinstance(raw, bool):
            raise InvalidInput(f"{label}（{name}）应为 true 或 false。", field=name)
        return raw
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            else:
                raise InvalidInput(f"{label}（{name}）应为整数。", field=name)
        if not spec["min"] <= raw <= spec["max"]:
            raise InvalidInput(f"{label}（{name}）应在 {spec['min']} 到 {spec['max']} 之间。", field=name)
        return raw
    if kind == "enum":
        if not isinstance(raw, str) or raw not in spec["values"]:
            allowed = "、".join(spec["values"])
            raise InvalidInput(f"{label}（{name}）应为以下之一：{allowed}。", field=name)
        return raw
    day = parse_span(raw)
    if day is None:
        raise InvalidInput(f"字段 {name} 应为有效日期，格式 YYYY-MM-DD（只知道年月时可写 YYYY-MM）。", field=name)
    first = day.earliest if isinstance(day, DateSpan) else day
    if spec.get("not_after_as_of") and first > as_of:
        raise InvalidInput(f"{label}（{name}）不能晚于查询日期 {as_of.isoformat()}。", field=name)
    if spec.get("not_after_as_of") and isinstance(day, DateSpan):
        day = day.clip_to(as_of)
    return day


def _iso(value: Any) -> Any:
    if isinstance(value, DateSpan):
        return value.iso()
    return value.isoformat() if isinstance(value, dt.date) else value


class _Texts:
    """Fills the rules files' templates with facts, parameters and derived values."""

    def __init__(self, prog: Program, facts: dict, as_of: dt.date) -> None:
        self.prog = prog
        self.facts = facts
        ctx = logic.Context(prog, facts, as_of)
        values: dict[str, Any] = {"as_of": cn_date(as_of)}
        for name in prog.data["parameters"]:
            values[name] = _fmt(prog.param(name, as_of))
        for name, expr in (prog.data.get("derived") or {}).items():
            v = logic.value(expr, ctx)
            if v is not logic.UNKNOWN:
                values[name] = _fmt(v)
        for name, spec in prog.facts.items():
            if name not in facts:
                continue
            v = facts[name]
            values[name] = _fmt(v)
            labels = spec.get("values") if spec["type"] == "enum" else spec.get("value_labels")
            values[f"{name}_label"] = (labels or {}).get(v, _fmt(v))
        self.values = values

    def assumed(self, name: str) -> str:
        """What the engine took a rough date to be, in the resident's terms."""
        value = self.facts[name]
        label = self.prog.facts[name]["label"]
        if value.precision == "month":
            return f"{label}只说到了月份（{value.cn()}），按月计算，没有假定具体哪一天"
        if value.precision == "year":
            return f"{label}只说到了年份（{value.cn()}），按整年计算，没有假定具体哪一天"
        # (an age, a season or a lunar month: the span of solar dates it allows)
        return f"{label}是按您说的推算的（{value.cn()}），没有假定具体哪一天"

    def fill(self, template: str, extra: Optional[dict] = None) -> str:
        return string.Formatter().vformat(template, (), _Blank({**self.values, **(extra or {})}))

    def describe(self, crit: dict) -> Optional[str]:
        for name in crit["facts"]:
            if name in self.facts:
                d = self.prog.facts[name]["describe"]
                return d["true" if self.facts[name] else "false"] if isinstance(d, dict) else self.fill(d)
        return None

    def reason(self, r: CriterionResult) -> str:
        crit = r.criterion
        threshold = self.fill(crit["threshold"])
        if r.status == "unknown":
            labels = "、".join(self.prog.facts[f]["label"] for f in r.missing) or crit["description"]
            return f"尚不清楚{labels}：需满足“{threshold}”的条件"
        if r.tier and r.tier.get("reason"):
            return self.fill(r.tier["reason"])
        subject = self.describe(crit) or crit["description"]
        if r.status == "met":
            return f"{subject}，满足“{threshold}”的条件"
        if r.status == "refer_locally":
            return f"{subject}，“{threshold}”以当地政策为准"
        return f"{subject}，不满足“{threshold}”的条件"


def _fmt(value: Any) -> str:
    if isinstance(value, DateSpan):
        return value.cn()
    if isinstance(value, dt.date):
        return cn_date(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_fmt(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_engine: Optional[EligibilityEngine] = None
_engine_lock = threading.Lock()


def get_engine() -> EligibilityEngine:
    """The process-wide engine over policy_kb/rules."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = EligibilityEngine()
        return _engine
