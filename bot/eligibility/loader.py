"""Load a program's rules file with line numbers and check it against the schema.

Admins edit these YAML files by hand, so every rejection names the file, the line and the reason;
the engine only ever serves files that pass this check.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from bot.settings import POLICY_KB

PLAN_PATH = POLICY_KB / "shanxi-14th-fyp-high-quality-life.txt"

FACT_TYPES = {"bool", "int", "enum", "date"}
RESULTS = {"met", "not_met", "refer_locally"}
COMPARE_OPS = {"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}
OFFSETS = {"offset_years", "offset_months"}
# Service-point types fixed by the contract.
OFFICE_TYPES = {"disability_federation", "civil_affairs", "hrss", "health_commission",
                "government_service_center", "town_service_center", "childcare", "training"}
PARSERS = {"level", "date", "duration_months", "cert_level"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_WS = re.compile(r"\s+")


@dataclass
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RulesError(Exception):
    """A rules file that failed the check; `problems` carries file, line and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Program:
    """One checked rules file."""
    id: str
    data: dict[str, Any]
    path: Path
    lines: dict[tuple, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.data["label"]

    @property
    def facts(self) -> dict[str, dict[str, Any]]:
        return self.data["facts"]

    @property
    def criteria(self) -> list[dict[str, Any]]:
        return self.data["criteria"]

    def param(self, name: str, as_of: dt.date) -> Any:
        """The parameter's value in force on `as_of` (the earliest one if `as_of` precedes them all)."""
        values = self.data["parameters"][name]["values"]
        chosen = values[0]["value"]
        for entry in values:
            if _as_date(entry["from"]) <= as_of:
                chosen = entry["value"]
        return chosen

    def source_title(self, key: str) -> str:
        src = self.data["sources"][key]
        title = f"《{src['title']}》"
        return f"{title}（{src['doc_number']}）" if src.get("doc_number") else title


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# --------------------------------------------------------------------------- YAML with line numbers

def _to_python(loader: yaml.SafeLoader, node: yaml.Node, path: tuple, lines: dict[tuple, int],
               problems: list[Problem], fname: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list):
                problems.append(Problem(fname, key_node.start_mark.line + 1, "键不能是列表"))
                continue
            if key in out:
                problems.append(Problem(fname, key_node.start_mark.line + 1, f"重复的键 {key!r}"))
            out[key] = _to_python(loader, value_node, path + (key,), lines, problems, fname)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(loader, child, path + (i,), lines, problems, fname)
                for i, child in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. a date such as 2019-13-01
        problems.append(Problem(fname, node.start_mark.line + 1, f"无效的值 {node.value!r}：{exc}"))
        return None


def parse_yaml(text: str, fname: str) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """YAML → Python objects plus a map from key path to 1-based line number."""
    lines: dict[tuple, int] = {}
    problems: list[Problem] = []
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines, [Problem(fname, 1, "文件为空")]
        data = _to_python(loader, node, (), lines, problems, fname)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, lines, [Problem(fname, line, f"YAML 语法错误：{exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, lines, [Problem(fname, 1, f"YAML 语法错误：{exc}")]
    finally:
        loader.dispose()
    return data, lines, problems


# --------------------------------------------------------------------------- schema check

class _Checker:
    def __init__(self, data: Any, lines: dict[tuple, int], fname: str, plan_text: Optional[str]) -> None:
        self.data = data
        self.lines = lines
        self.fname = fname
        self.plan_text = plan_text
        self.problems: list[Problem] = []

    def err(self, path: tuple, message: str) -> None:
        line = 1
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                line = self.lines[path[:cut]]
                break
        where = ".".join(str(p) for p in path) or "<根>"
        self.problems.append(Problem(self.fname, line, f"{where}: {message}"))

    # small typed getters -------------------------------------------------
    def need(self, obj: Any, key: str, path: tuple, kind: type | tuple, optional: bool = False) -> Any:
        if not isinstance(obj, dict) or key not in obj or obj[key] is None:
            if not optional:
                self.err(path, f"缺少必填项 {key}")
            return None
        value = obj[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.err(path + (key,), f"应为 {names}，实际是 {type(value).__name__}")
            return None
        if isinstance(value, str) and not value.strip():
            self.err(path + (key,), "不能为空")
            return None
        return value

    def text(self, obj: Any, key: str, path: tuple, optional: bool = False) -> Optional[str]:
        return self.need(obj, key, path, str, optional)

    def _known_keys(self, obj: dict, path: tuple, allowed: set[str]) -> None:
        for key in obj:
            if key not in allowed:
                self.err(path + (key,), f"未知的键 {key!r}（可用：{', '.join(sorted(allowed))}）")

    # the file ------------------------------------------------------------
    def run(self, expected_id: Optional[str]) -> None:
        d = self.data
        if not isinstance(d, dict):
            self.err((), "顶层应为映射（键: 值）")
            return
        known = {"id", "label", "summary", "aliases", "cues", "cues_exclude", "terms", "updated", "sources", "plan_passages",
                 "parameters", "facts", "criteria", "derived", "amount", "office_types", "next_steps", "hotlines", "info"}
        for key in d:
            if key not in known:
                self.err((key,), f"未知的顶层键 {key!r}")
        pid = self.text(d, "id", ())
        if pid and not _ID.match(pid):
            self.err(("id",), "id 只能用小写英文字母、数字和下划线")
        if pid and expected_id and pid != expected_id:
            self.err(("id",), f"id {pid!r} 与文件名 {expected_id!r} 不一致")
        self.text(d, "label", ())
        self.text(d, "summary", ())
        aliases = self.need(d, "aliases", (), list) or []
        if not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
            self.err(("aliases",), "aliases 应为非空的说法列表")
        cues = d.get("cues", [])
        if not isinstance(cues, list) or not all(isinstance(g, list) and g and all(isinstance(w, str) and w for w in g)
                                                 for g in cues):
            self.err(("cues",), "cues 应为词组列表，例如 [[残疾, 残联], [护理, 照护]]（每组至少一个词）")
        exclude = d.get("cues_exclude", [])
        if not isinstance(exclude, list) or not all(isinstance(w, str) and w for w in exclude):
            self.err(("cues_exclude",), "cues_exclude 应为词语列表")
        terms = d.get("terms", [])
        if not isinstance(terms, list) or not all(isinstance(w, str) and w for w in terms):
            self.err(("terms",), "terms 应为词语列表（只属于本项目的政策用语，例如 长期照护）")
        self.sources = self.need(d, "sources", (), dict) or {}
        if "plan" not in self.sources:
            self.err(("sources",), "sources 需要登记 plan（山西省“十四五”高品质生活建设规划）")
        for key, src in self.sources.items():
            p = ("sources", key)
            if not isinstance(src, dict):
                self.err(p, "应为映射")
                continue
            self.text(src, "title", p)
            if src.get("doc_number") is not None and not isinstance(src["doc_number"], str):
                self.err(p + ("doc_number",), "应为字符串或 null")
        self._plan_passages()
        self.params = self.need(d, "parameters", (), dict) or {}
        for name, spec in self.params.items():
            self._parameter(name, spec)
        self.facts = self.need(d, "facts", (), dict) or {}
        if not self.facts:
            self.err(("facts",), "至少需要一个事实")
        for name, spec in self.facts.items():
            self._fact(name, spec)
        self.derived = d.get("derived") or {}
        if not isinstance(self.derived, dict):
            self.err(("derived",), "应为映射")
            self.derived = {}
        for name, expr in self.derived.items():
            self._expr(expr, ("derived", name), set())
        self._criteria()
        self._amount()
        offices = self.need(d, "office_types", (), list) or []
        for i, t in enumerate(offices):
            if t not in OFFICE_TYPES:
                self.err(("office_types", i), f"未知的服务网点类型 {t!r}（可用：{', '.join(sorted(OFFICE_TYPES))}）")
        steps = self.need(d, "next_steps", (), dict) or {}
        for key in ("where", "bring", "online"):
            self.text(steps, key, ("next_steps",))
        for key, value in steps.items():
            if key not in {"where", "bring", "online", "refer_locally", "also", "before_birth"}:
                self.err(("next_steps", key), f"未知的键 {key!r}")
            elif not isinstance(value, str):
                self.err(("next_steps", key), "应为字符串")
            elif key == "before_birth":
                self._template(value, ("next_steps", key))
        for i, h in enumerate(self.need(d, "hotlines", (), list) or []):
            p = ("hotlines", i)
            num = self.text(h, "number", p)
            if num and not re.fullmatch(r"\d{5}", num):
                self.err(p + ("number",), "热线号码应为5位数字（用引号括起）")
            self.text(h, "name", p)
        from bot.program_info.schema import check_info  # the info block's own checker (bot/program_info)
        check_info(d, self.err, self.plan_text)

    def _plan_passages(self) -> None:
        passages = self.need(self.data, "plan_passages", (), list) or []
        if not passages:
            self.err(("plan_passages",), "至少引用一段规划原文")
        for i, item in enumerate(passages):
            p = ("plan_passages", i)
            self.text(item, "section", p)
            quote = self.text(item, "quote", p)
            if quote and self.plan_text is not None and _WS.sub(" ", quote) not in self.plan_text:
                self.err(p + ("quote",), "引文在规划原文中找不到（须逐字引用）")

    def _parameter(self, name: str, spec: Any) -> None:
        p = ("parameters", name)
        if not _ID.match(str(name)):
            self.err(p, "参数名只能用小写英文字母、数字和下划线")
        if not isinstance(spec, dict):
            self.err(p, "应为映射")
            return
        self.text(spec, "description", p)
        ref = self.need(spec, "reference", p, dict)
        if ref:
            self._reference(ref, p + ("reference",))
        values = self.need(spec, "values", p, list) or []
        if not values:
            self.err(p + ("values",), "至少需要一个带日期的取值")
        previous = None
        for i, entry in enumerate(values):
            q = p + ("values", i)
            if not isinstance(entry, dict) or "from" not in entry or "value" not in entry:
                self.err(q, "每个取值需要 from（日期）和 value")
                continue
            if not isinstance(entry["from"], dt.date):
                self.err(q + ("from",), "from 应为日期 YYYY-MM-DD")
                continue
            if previous and entry["from"] <= previous:
                self.err(q + ("from",), "取值应按 from 日期升序排列")
            previous = entry["from"]

    def _reference(self, ref: dict, p: tuple) -> None:
        src = self.text(ref, "source", p)
        if src and src not in self.sources:
            self.err(p + ("source",), f"未定义的来源 {src!r}（请在 sources 中登记）")
        self.text(ref, "section", p)

    def _fact(self, name: str, spec: Any) -> None:
        p = ("facts", name)
        if not _ID.match(str(name)):
            self.err(p, "事实名只能用小写英文字母、数字和下划线")
        if not isinstance(spec, dict):
            self.err(p, "应为映射")
            return
        self._known_keys(spec, p, {"type", "label", "describe", "question", "unknown_help", "words", "values",
                                   "value_labels", "min", "max", "priority", "not_after_as_of", "check_with"})
        ftype = self.text(spec, "type", p)
        if ftype and ftype not in FACT_TYPES:
            self.err(p + ("type",), f"未知类型 {ftype!r}（可用：bool、int、enum、date）")
        self.text(spec, "label", p)
        q = self.need(spec, "question", p, dict)
        if q:
            self.text(q, "resident", p + ("question",))
            self.text(q, "staff", p + ("question",))
        self.text(spec, "unknown_help", p)
        self.text(spec, "check_with", p, optional=True)
        self.need(spec, "priority", p, int, optional=True)
        if spec.get("not_after_as_of") is not None and spec.get("type") != "date":
            self.err(p + ("not_after_as_of",), "not_after_as_of 只能用于日期事实")
        describe = spec.get("describe")
        if ftype == "bool":
            if not (isinstance(describe, dict) and set(describe) == {"true", "false"}
                    and all(isinstance(v, str) for v in describe.values())):
                self.err(p + ("describe",), "布尔事实的 describe 应有 \"true\" 和 \"false\" 两条文字")
        elif not isinstance(describe, str):
            self.err(p + ("describe",), "describe 应为文字模板")
        if ftype == "int":
            lo = self.need(spec, "min", p, int)
            hi = self.need(spec, "max", p, int)
            if lo is not None and hi is not None and lo > hi:
                self.err(p + ("min",), "min 不能大于 max")
        if ftype == "enum":
            values = self.need(spec, "values", p, dict) or {}
            if not values:
                self.err(p + ("values",), "枚举至少需要一个取值")
            for key, label in values.items():
                if not isinstance(key, str) or not _ID.match(key):
                    self.err(p + ("values", key), "取值代码只能用小写英文字母、数字和下划线")
                if not isinstance(label, str):
                    self.err(p + ("values", key), "取值的中文名应为字符串")
        words = self.need(spec, "words", p, dict) or {}
        self._words(ftype, spec, words, p + ("words",))

    def _words(self, ftype: Optional[str], spec: dict, words: dict, p: tuple) -> None:
        if "parse" in words:
            if words["parse"] not in PARSERS:
                self.err(p + ("parse",), f"未知的解析器 {words['parse']!r}（可用：{', '.join(sorted(PARSERS))}）")
            self._word_list(words.get("context", []), p + ("context",), optional=True)
            if "age" in words and (words["age"] is not True or words["parse"] != "date"):
                self.err(p + ("age",), "age: true 只能用于 parse: date（允许用年龄推算出生日期）")
            for key in ("events", "other_events"):
                if key in words:
                    if words["parse"] != "date":
                        self.err(p + (key,), f"{key} 只用于日期事实（parse: date）")
                    self._word_list(words[key], p + (key,), optional=True)
            self._known_keys(words, p, {"parse", "context", "age", "events", "other_events"})
            return
        if ftype == "bool":
            allowed = {"true", "false"}
        elif ftype == "enum":
            allowed = set((spec.get("values") or {}).keys())
        else:
            self.err(p, "int/date 事实需要 parse: level|duration_months|date|cert_level")
            return
        for key, items in words.items():
            if key in ("in_clause", "in_text"):
                if not isinstance(items, list) or not items:
                    self.err(p + (key,), f"{key} 应为列表，每项有 context 和取值词表")
                    continue
                for i, group in enumerate(items):
                    q = p + (key, i)
                    if not isinstance(group, dict) or "context" not in group or len(group) < 2:
                        self.err(q, "每组需要 context（同一分句中须出现的词）和至少一个取值词表")
                        continue
                    for k, v in group.items():
                        if k != "context" and k not in allowed:
                            self.err(q + (k,), f"词表的键应为 {sorted(allowed)} 之一")
                        self._word_list(v, q + (k,))
            elif key not in allowed:
                self.err(p + (key,), f"词表的键应为 {sorted(allowed)} 或 in_clause、in_text 之一")
            else:
                self._word_list(items, p + (key,))

    def _word_list(self, items: Any, p: tuple, optional: bool = False) -> None:
        if optional and items == []:
            return
        if not isinstance(items, list) or not items or not all(isinstance(w, str) and w for w in items):
            self.err(p, "应为非空的词语列表")

    # conditions and value expressions ---------------------------------------
    def _operand(self, value: Any, p: tuple, fact: Optional[str]) -> None:
        if isinstance(value, dict):
            self._expr(value, p, set())
        elif fact and fact in self.facts:
            self._literal_fits(fact, value, p)

    def _literal_fits(self, fact: str, value: Any, p: tuple) -> None:
        spec = self.facts[fact]
        items = value if isinstance(value, list) else [value]
        for item in items:
            ftype = spec.get("type")
            ok = {"bool": lambda v: isinstance(v, bool),
                  "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "enum": lambda v: v in (spec.get("values") or {}),
                  "date": lambda v: isinstance(v, dt.date)}.get(ftype, lambda v: True)(item)
            if not ok:
                self.err(p, f"取值 {item!r} 与事实 {fact} 的类型 {ftype} 不符")

    def _condition(self, cond: Any, p: tuple) -> None:
        if not isinstance(cond, dict) or not cond:
            self.err(p, "条件应为映射")
            return
        if set(cond) & {"all", "any"}:
            key = "all" if "all" in cond else "any"
            if len(cond) != 1 or not isinstance(cond[key], list) or not cond[key]:
                self.err(p, f"{key} 应为非空的条件列表，且单独使用")
                return
            for i, sub in enumerate(cond[key]):
                self._condition(sub, p + (key, i))
            return
        if "not" in cond:
            if len(cond) != 1:
                self.err(p, "not 应单独使用")
            self._condition(cond["not"], p + ("not",))
            return
        ops = [k for k in cond if k in COMPARE_OPS]
        if len(ops) != 1:
            self.err(p, f"条件需要且只能有一个比较符（{', '.join(sorted(COMPARE_OPS))}）")
            return
        fact = cond.get("fact")
        if fact is not None:
            if fact not in self.facts:
                self.err(p + ("fact",), f"未定义的事实 {fact!r}")
                fact = None
        elif cond.get("as_of") is not True:
            self.err(p, "条件需要 fact: <事实名> 或 as_of: true")
        for key in cond:
            if key not in COMPARE_OPS | OFFSETS | {"fact", "as_of"}:
                self.err(p + (key,), f"未知的条件键 {key!r}")
        for key in OFFSETS & set(cond):
            self._operand(cond[key], p + (key,), None)
            if fact and self.facts[fact].get("type") != "date":
                self.err(p + (key,), "offset 只能用于日期事实")
        op = ops[0]
        operand = cond[op]
        if op in {"in", "not_in"} and not isinstance(operand, (list, dict)):
            self.err(p + (op,), f"{op} 需要列表或参数")
        self._operand(operand, p + (op,), fact if not (OFFSETS & set(cond)) else None)

    def _expr(self, expr: Any, p: tuple, variables: set[str]) -> None:
        if isinstance(expr, (int, float)) and not isinstance(expr, bool):
            return
        if not isinstance(expr, dict) or not expr:
            self.err(p, "表达式应为数值或映射（param/fact/derived/var/mul/calendar_months/month_of/as_of）")
            return
        if "param" in expr:
            if expr["param"] not in self.params:
                self.err(p + ("param",), f"未定义的参数 {expr['param']!r}")
            if "key" in expr:
                self._expr(expr["key"], p + ("key",), variables)
        elif "fact" in expr:
            if expr["fact"] not in self.facts:
                self.err(p + ("fact",), f"未定义的事实 {expr['fact']!r}")
            for key in OFFSETS & set(expr):
                self._expr(expr[key], p + (key,), variables)
        elif "derived" in expr:
            if expr["derived"] not in (self.data.get("derived") or {}):
                self.err(p + ("derived",), f"未定义的派生量 {expr['derived']!r}")
        elif "var" in expr:
            if expr["var"] not in variables:
                self.err(p + ("var",), f"未定义的变量 {expr['var']!r}")
        elif "mul" in expr:
            if not isinstance(expr["mul"], list) or len(expr["mul"]) < 2:
                self.err(p + ("mul",), "mul 需要至少两个因子")
            else:
                for i, sub in enumerate(expr["mul"]):
                    self._expr(sub, p + ("mul", i), variables)
        elif "calendar_months" in expr:
            spec = expr["calendar_months"]
            if not isinstance(spec, dict) or set(spec) != {"from", "to"}:
                self.err(p + ("calendar_months",), "calendar_months 需要 from 和 to")
            else:
                self._expr(spec["from"], p + ("calendar_months", "from"), variables)
                self._expr(spec["to"], p + ("calendar_months", "to"), variables)
        elif "month_of" in expr:
            self._expr(expr["month_of"], p + ("month_of",), variables)
        elif expr.get("as_of") is True:
            pass
        else:
            self.err(p, f"未知的表达式 {sorted(expr)}")

    def _template(self, text: Any, p: tuple, extra: Iterable[str] = ()) -> None:
        if not isinstance(text, str):
            self.err(p, "应为文字")
            return
        names = set(self.facts) | {f"{f}_label" for f in self.facts} | set(self.params) | set(self.derived)
        names |= {"as_of", "amount"} | set(extra)
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f]
        except ValueError as exc:
            self.err(p, f"模板格式错误：{exc}")
            return
        for f in fields:
            if f not in names:
                self.err(p, f"模板中的 {{{f}}} 不是已定义的事实、参数或派生量")

    def _criteria(self) -> None:
        criteria = self.need(self.data, "criteria", (), list) or []
        if not criteria:
            self.err(("criteria",), "至少需要一条条件")
        seen: set[str] = set()
        for i, crit in enumerate(criteria):
            p = ("criteria", i)
            if not isinstance(crit, dict):
                self.err(p, "应为映射")
                continue
            self._known_keys(crit, p, {"id", "description", "threshold", "facts", "reference", "quote",
                                       "applies_when", "tiers"})
            cid = self.text(crit, "id", p)
            if cid in seen:
                self.err(p + ("id",), f"重复的条件 id {cid!r}")
            seen.add(cid)
            self.text(crit, "description", p)
            threshold = self.text(crit, "threshold", p)
            if threshold:
                self._template(threshold, p + ("threshold",))
            for j, f in enumerate(self.need(crit, "facts", p, list) or []):
                if f not in self.facts:
                    self.err(p + ("facts", j), f"未定义的事实 {f!r}")
            ref = self.need(crit, "reference", p, dict)
            if ref:
                self._reference(ref, p + ("reference",))
            self.text(crit, "quote", p, optional=True)
            if "applies_when" in crit:
                self._condition(crit["applies_when"], p + ("applies_when",))
            tiers = self.need(crit, "tiers", p, list) or []
            if not tiers:
                self.err(p + ("tiers",), "至少需要一个分支")
            for j, tier in enumerate(tiers):
                q = p + ("tiers", j)
                if not isinstance(tier, dict):
                    self.err(q, "应为映射")
                    continue
                last = j == len(tiers) - 1
                if "otherwise" in tier:
                    if not last:
                        self.err(q, "otherwise 只能是最后一个分支")
                    if tier["otherwise"] is not True:
                        self.err(q + ("otherwise",), "otherwise 应写 true")
                elif "when" in tier:
                    self._condition(tier["when"], q + ("when",))
                    if last:
                        self.err(q, "最后一个分支应为 otherwise: true")
                else:
                    self.err(q, "分支需要 when 或 otherwise")
                result = tier.get("result")
                if result not in RESULTS:
                    self.err(q + ("result",), f"result 应为 {', '.join(sorted(RESULTS))} 之一")
                for key in ("reason", "hint"):
                    if key in tier:
                        self._template(tier[key], q + (key,))
                if "hint_office" in tier and tier["hint_office"] not in OFFICE_TYPES:
                    self.err(q + ("hint_office",),
                             f"未知的服务网点类型 {tier['hint_office']!r}（可用：{', '.join(sorted(OFFICE_TYPES))}）")
                for key in tier:
                    if key not in {"when", "otherwise", "result", "reason", "hint", "hint_office"}:
                        self.err(q + (key,), f"未知的分支键 {key!r}")

    def _amount(self) -> None:
        amount = self.need(self.data, "amount", (), dict)
        if not amount:
            return
        if "none_note" in amount:
            self._template(amount["none_note"], ("amount", "none_note"))
        for i, rule in enumerate(amount.get("rules") or []):
            p = ("amount", "rules", i)
            if not isinstance(rule, dict):
                self.err(p, "应为映射")
                continue
            self._condition(rule.get("when"), p + ("when",))
            variables = set((rule.get("vars") or {}).keys())
            for name, expr in (rule.get("vars") or {}).items():
                self._expr(expr, p + ("vars", name), set())
            self._expr(rule.get("value"), p + ("value",), variables)
            unit = self.text(rule, "unit", p)
            if unit and unit not in {"元", "元/年", "元/月"}:
                self.err(p + ("unit",), "unit 应为 元、元/年 或 元/月")
            note = self.text(rule, "note", p)
            if note:
                self._template(note, p + ("note",), variables)
        if not amount.get("rules") and "none_note" not in amount:
            self.err(("amount",), "没有金额规则时需要 none_note 说明标准由谁确定")


def _plan_text() -> Optional[str]:
    try:
        return _WS.sub(" ", PLAN_PATH.read_text(encoding="utf-8"))
    except OSError:
        return None


def check_text(text: str, fname: str, expected_id: Optional[str] = None,
               plan_text: Optional[str] = None) -> tuple[Optional[dict], dict[tuple, int], list[Problem]]:
    data, lines, problems = parse_yaml(text, fname)
    if data is None:
        return None, lines, problems
    checker = _Checker(data, lines, fname, plan_text if plan_text is not None else _plan_text())
    checker.run(expected_id)
    return data, lines, problems + checker.problems


def load_program(path: Path, plan_text: Optional[str] = None) -> Program:
    """Read and check one rules file; raise RulesError (with line numbers) when it fails."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError([Problem(str(path), 1, f"无法读取文件：{exc}")])
    data, lines, problems = check_text(text, str(path), path.stem, plan_text)
    if problems:
        raise RulesError(problems)
    return Program(id=data["id"], data=data, path=path, lines=lines)


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(p for p in rules_dir.glob("*.yaml") if not p.name.startswith((".", "_")))


def check_consistency(programs: list[Program]) -> list[Problem]:
    """A fact shared by several programs must mean the same thing in each (type and values)."""
    problems: list[Problem] = []
    first: dict[str, Program] = {}
    for prog in programs:
        for name, spec in prog.facts.items():
            if name not in first:
                first[name] = prog
                continue
            other = first[name].facts[name]
            for key in ("type", "values", "min", "max"):
                if spec.get(key) != other.get(key):
                    problems.append(Problem(str(prog.path), prog.lines.get(("facts", name), 1),
                                            f"facts.{name}: {key} 与 {first[name].path.name} 中的定义不一致"))
    return problems
