"""The `info:` block of a rules file: what residents ask about a program, each statement with its source.

Checked by `python -m bot.rules check` (the rules loader calls `check_info`), so an admin who edits a
statement gets the file, the line and the reason. Amounts are never written twice: a statement names a
parameter (`{annual_amount}`) and the figure is read from `parameters` when the answer is composed.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from typing import Any, Callable, Mapping, Optional

# The aspects a resident asks about, in the order the composer knows them.
ASPECTS = ("what", "who", "amount", "duration", "how_to_apply", "where", "documents", "deadline", "combine",
           "difference", "tax_income", "related")
ASPECT_LABELS = {
    "what": "是什么", "who": "谁能领", "amount": "补贴金额", "duration": "发放期限", "how_to_apply": "怎么申请",
    "where": "在哪办理", "documents": "需要材料", "deadline": "申请时限", "combine": "能否同时申领",
    "difference": "区别", "tax_income": "个税与家庭收入", "related": "相关政策",
}
ITEM_KEYS = {"text", "staff", "reference", "quote", "silent", "with", "ask", "ask_not", "only_if_asked", "covers"}
# Format specs a statement may use on a date parameter: {program_start} → 2025年1月1日, {program_start:month} → 2025年1月.
DATE_SPECS = {"", "month", "year"}
_MONEY = re.compile(r"\d[\d,，.]*\s*元")
_HOTLINE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_WS = re.compile(r"\s+")
_PROGRAM_ID = re.compile(r"^[a-z][a-z0-9_]*$")

Err = Callable[[tuple, str], None]


def param_now(spec: Mapping[str, Any], as_of: Optional[dt.date] = None) -> Any:
    """A parameter's value in force on `as_of` (today by default; the earliest if `as_of` precedes all)."""
    as_of = as_of or dt.date.today()
    values = spec.get("values") or []
    chosen = values[0]["value"] if values else None
    for entry in values:
        start = entry.get("from")
        if isinstance(start, dt.date) and start <= as_of:
            chosen = entry["value"]
    return chosen


def fields_of(text: str) -> list[tuple[str, str]]:
    """(field, format spec) pairs of a statement template; raises ValueError on a malformed template."""
    return [(f, spec or "") for _, f, spec, _ in string.Formatter().parse(text) if f is not None]


def _literal(text: str) -> str:
    """The statement with its placeholders removed: what an admin typed literally."""
    return "".join(lit for lit, _, _, _ in string.Formatter().parse(text))


def check_info(data: Mapping[str, Any], err: Err, plan_text: Optional[str] = None) -> None:
    """Report every problem of `data['info']` through `err(path, message)` (the loader adds file and line).

    `plan_text` (whitespace-normalised) lets quotes of the provincial plan be checked word for word.
    """
    info = data.get("info")
    if info is None:
        err(("info",), "缺少必填项 info（居民常问的项目知识：" + "、".join(ASPECTS) + "）")
        return
    if not isinstance(info, dict):
        err(("info",), "info 应为映射（方面: 条目列表）")
        return
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    hotlines = {str(h.get("number")) for h in data.get("hotlines") or [] if isinstance(h, dict)} | {"12345"}
    for aspect in info:
        if aspect not in ASPECTS:
            err(("info", aspect), f"未知的方面 {aspect!r}（可用：{', '.join(ASPECTS)}）")
    for aspect in ASPECTS:
        items = info.get(aspect)
        p = ("info", aspect)
        if aspect not in info:
            err(("info",), f"缺少方面 {aspect}（{ASPECT_LABELS[aspect]}）；资料没有写明的，也要写一条说明并指明咨询渠道")
            continue
        if not isinstance(items, list) or not items:
            err(p, "应为非空的条目列表")
            continue
        for i, item in enumerate(items):
            _check_item(item, p + (i,), sources, params, hotlines, err)
            quote = item.get("quote") if isinstance(item, dict) else None
            ref = item.get("reference") if isinstance(item, dict) else None
            if (plan_text is not None and isinstance(quote, str) and isinstance(ref, dict)
                    and ref.get("source") == "plan" and _WS.sub(" ", quote) not in plan_text):
                err(p + (i, "quote"), "引文在规划原文中找不到（须逐字引用）")


def _check_item(item: Any, p: tuple, sources: dict, params: dict, hotlines: set[str], err: Err) -> None:
    if not isinstance(item, dict):
        err(p, "条目应为映射（text、reference 等）")
        return
    for key in item:
        if key not in ITEM_KEYS:
            err(p + (key,), f"未知的键 {key!r}（可用：{', '.join(sorted(ITEM_KEYS))}）")
    for key in ("text", "staff"):
        if key not in item and key == "staff":
            continue
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            err(p + (key,) if key in item else p, f"缺少必填项 {key}（一句面向居民的说明）" if key not in item
                else f"{key} 应为非空文字")
            continue
        _check_template(value, p + (key,), params, err)
    ref = item.get("reference")
    if not isinstance(ref, dict):
        err(p + ("reference",) if "reference" in item else p,
            "缺少必填项 reference（来源 source 与章节 section）" if "reference" not in item else "reference 应为映射")
    else:
        src = ref.get("source")
        if not isinstance(src, str) or not src.strip():
            err(p + ("reference",), "缺少必填项 source")
        elif src not in sources:
            err(p + ("reference", "source"), f"未定义的来源 {src!r}（请在 sources 中登记）")
        if not isinstance(ref.get("section"), str) or not ref["section"].strip():
            err(p + ("reference",), "缺少必填项 section")
        for key in ref:
            if key not in {"source", "section"}:
                err(p + ("reference", key), f"未知的键 {key!r}")
    quote = item.get("quote")
    if quote is not None:
        if not isinstance(quote, str) or not quote.strip():
            err(p + ("quote",), "quote 应为非空文字（来源原文）")
    silent = item.get("silent", False)
    if not isinstance(silent, bool):
        err(p + ("silent",), "silent 应为 true 或 false")
    elif silent and isinstance(item.get("text"), str):
        named = set(_HOTLINE.findall(item["text"]))
        if not named & hotlines:
            err(p + ("text",), "资料没有写明时（silent: true），要指明可咨询的热线（" + "、".join(sorted(hotlines)) + "）")
    ask = item.get("ask")
    if ask is not None and (not isinstance(ask, list) or not ask or not all(
            isinstance(g, list) and g and all(isinstance(w, str) and w.strip() for w in g) for g in ask)):
        err(p + ("ask",), "ask 应为词组列表，如 [[长期, 照护], [多久, 多长]]：每组至少出现一个词时，这一条就是对问题的直接回答")
    ask_not = item.get("ask_not", [])
    if not isinstance(ask_not, list) or not all(isinstance(w, str) and w for w in ask_not):
        err(p + ("ask_not",), "ask_not 应为词语列表：问题里出现其中任何一个词时，这一条不算直接回答（如 [扣除, 个税]）")
    only = item.get("only_if_asked", False)
    if not isinstance(only, bool):
        err(p + ("only_if_asked",), "only_if_asked 应为 true 或 false")
    elif only and ask is None:
        err(p + ("only_if_asked",), "only_if_asked: true 的条目要写 ask（在什么问题下回答这一条）")
    covers = item.get("covers", [])
    if not isinstance(covers, list) or not all(c in ASPECTS for c in covers):
        err(p + ("covers",), "covers 应为方面列表（如 [amount]）：这一条回答了这些方面，不再补充它们的一般说明")
    with_ = item.get("with")
    if with_ is not None and (not isinstance(with_, list) or not with_
                              or not all(isinstance(w, str) and _PROGRAM_ID.match(w) for w in with_)):
        err(p + ("with",), "with 应为项目 id 列表（如 [disability_care_allowance]）")


def _check_template(text: str, p: tuple, params: dict, err: Err) -> None:
    try:
        fields = fields_of(text)
    except ValueError as exc:
        err(p, f"模板格式错误：{exc}")
        return
    for name, spec in fields:
        if "*" in name:   # a product of numeric parameters ("{annual_amount*age_limit_years}")
            for part in name.split("*"):
                part = part.strip()
                if part not in params or not isinstance(params[part], dict) or \
                        not isinstance(param_now(params[part]), (int, float)):
                    err(p, f"模板中的 {{{name}}}：{part} 不是本文件 parameters 中的数值参数")
            continue
        base, _, key = name.partition("[")
        key = key.rstrip("]")
        if base not in params or not isinstance(params[base], dict):
            err(p, f"模板中的 {{{name}}} 不是本文件 parameters 中的参数")
            continue
        value = param_now(params[base])
        if key:
            if not isinstance(value, dict) or key not in value:
                err(p, f"参数 {base} 没有键 {key!r}")
                continue
            value = value[key]
        elif isinstance(value, (dict, list)):
            err(p, f"参数 {base} 是列表或映射，请写成 {{{base}[键]}}")
            continue
        if spec and not (isinstance(value, dt.date) and spec in DATE_SPECS):
            err(p, f"{{{name}:{spec}}}：只有日期参数可以用 :month 或 :year")
    money = _MONEY.search(_literal(text))
    if money:
        err(p, f"金额 {money.group()} 直接写在了文字里：请用 parameters 中的参数（如 {{annual_amount}}）引用，不要另写一份数字")
