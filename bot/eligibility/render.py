"""Chat messages for eligibility results: plain polite words, reasons, amount, 文号, next steps.

Everything policy-specific comes from the engine's result (and so from the rules files); this module
only arranges it into a short message.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from bot.eligibility.engine import EligibilityEngine, cn_date, get_engine
from bot.eligibility.spans import DateSpan, parse_span

_HEADLINE = {
    "eligible": "根据您提供的情况，您符合{label}的申领条件。",
    "not_eligible": "根据您提供的情况，您暂不符合{label}的申领条件。",
    "refer_locally": "您的情况能否申领{label}，需要按当地政策确定，建议向当地经办机构咨询。",
    "needs_more_info": "要判断能否申领{label}，还需要了解一些情况。",
}
_SHORT = {
    "eligible": "符合申领条件",
    "not_eligible": "暂不符合条件",
    "refer_locally": "需按当地政策确定",
    "needs_more_info": "还需要了解更多情况",
}
MAX_STEPS = 3


def _documents(result: dict[str, Any]) -> list[str]:
    """Distinct cited documents (title and 文号), national documents before the provincial plan."""
    sources = list(dict.fromkeys(c["source"] for c in result.get("citations", [])))
    plan = [s for s in sources if "规划" in s]
    return [s for s in sources if s not in plan] + plan


def amount_text(result: dict[str, Any]) -> Optional[str]:
    amount = result.get("amount")
    if amount:
        return f"补贴金额：{amount['note']}"
    if result.get("amount_note") and result["outcome"] in {"eligible", "refer_locally"}:
        return f"补贴金额：{result['amount_note']}"
    return None


def next_fact(result: dict[str, Any], skip: Iterable[str] = ()) -> Optional[str]:
    """The most decisive fact still worth asking (facts the resident said they do not know are skipped)."""
    skip = set(skip)
    return next((f for f in result.get("missing_facts") or [] if f not in skip), None)


def check_note(program: str, fact: str, said: str, engine: Optional[EligibilityEngine] = None) -> str:
    """ "（您说好像是三级，请以残疾人证上评定的等级为准）": a hedged answer was taken, and should be checked."""
    engine = engine or get_engine()
    spec = engine.program(program).facts.get(fact) or {}
    return f"（您说{said}，{spec.get('check_with') or '请以相关证件和当地认定为准'}）"


def render_result(result: dict[str, Any], engine: Optional[EligibilityEngine] = None,
                  skip: Iterable[str] = (), hedged: Optional[dict[str, str]] = None) -> str:
    """The chat message for one program's result; `skip` are facts the resident does not know,
    `hedged` maps facts the resident was unsure of ("好像是三级") to what they said."""
    skip = set(skip)
    label = result.get("label") or result["program"]
    lines = [f"【{label}】" + _HEADLINE[result["outcome"]].format(label=label)]
    # Open criteria are covered by the next question (or did not matter for a settled outcome).
    reasons = [r for r in result.get("reasons") or [] if not r.startswith("尚不清楚")]
    if reasons:
        lines.append("判断依据：")
        lines += [f"· {r}" for r in reasons]
    for note in result.get("assumed") or []:
        lines.append(f"说明：{note}。")
    for fact, said in (hedged or {}).items():
        if fact in (result.get("facts") or {}):
            lines.append(check_note(result["program"], fact, said, engine=engine))
    money = amount_text(result)
    if money:
        lines.append(money)
    for hint in result.get("hints") or []:
        lines.append(f"提示：{hint}")
    docs = _documents(result)
    if docs:
        lines.append("政策依据：" + "；".join(docs))
    open_facts = [f for f in result.get("missing_facts") or [] if f not in skip]
    if result["outcome"] == "needs_more_info" and open_facts:
        lines.append(fact_question(result["program"], open_facts[0], engine=engine))
    elif result["outcome"] == "needs_more_info":
        # Everything still open is something the resident does not know: say how to find out, no loop.
        lines.append("目前还无法确定结果。您可以这样了解缺少的情况：")
        lines += [f"· {unknown_help(f, engine=engine)}" for f in result.get("missing_facts") or []]
        lines += [f"· {s}" for s in (result.get("next_steps") or [])[:1]]
    else:
        steps = result.get("next_steps") or []
        if steps:
            lines.append("下一步：")
            lines += [f"· {s}" for s in steps[:MAX_STEPS]]
    return "\n".join(lines)


def render_summary(results: list[dict[str, Any]], engine: Optional[EligibilityEngine] = None,
                   closing: str = "想看某一项的详细理由，或查办理地点，请点下面的按钮或直接告诉我。") -> str:
    """Several programs at once ("我家情况这样，能领什么补贴？"), one line each."""
    engine = engine or get_engine()
    if not results:
        return "根据您提供的情况，暂时没有对应的补贴项目。您可以告诉我家里有没有残疾人、3岁以下的孩子，或者参保和考证的情况。"
    lines = ["根据您提供的情况，各项补贴的初步结果如下："]
    for r in results:
        label = r.get("label") or r["program"]
        line = f"· {label}：{_SHORT[r['outcome']]}"
        if r.get("amount"):
            line += f"（{r['amount']['note']}）"
        elif r["outcome"] == "needs_more_info" and r.get("missing_facts"):
            line += "，请先告诉我：" + engine.program(r["program"]).facts[r["missing_facts"][0]]["label"]
        lines.append(line)
        if r["outcome"] in ("eligible", "refer_locally") and r.get("next_steps"):
            lines.append(f"  办理：{r['next_steps'][0]}")   # where to apply, so nobody must ask again
    if closing:
        lines.append(closing)
    return "\n".join(lines)


def fact_question(program: str, fact: str, audience: str = "resident",
                  engine: Optional[EligibilityEngine] = None) -> str:
    """The question for one fact, worded for a resident or for hotline staff to read to a caller."""
    engine = engine or get_engine()
    spec = engine.program(program).facts.get(fact)
    if spec is None:
        raise KeyError(f"{program} has no fact {fact}")
    return spec["question"]["staff" if audience == "staff" else "resident"]


def unknown_help(fact: str, engine: Optional[EligibilityEngine] = None) -> str:
    """How a resident can find out a fact they do not know (e.g. 残疾等级看残疾人证)."""
    engine = engine or get_engine()
    for pid in engine.program_ids():
        spec = engine.program(pid).facts.get(fact)
        if spec:
            return spec["unknown_help"]
    raise KeyError(fact)


def render_suggestions(program_ids: list[str], engine: Optional[EligibilityEngine] = None) -> str:
    """One line offering the programs from cross_suggestions (ids → Chinese names); '' when none."""
    if not program_ids:
        return ""
    engine = engine or get_engine()
    labels = "、".join(engine.program(p).label for p in program_ids)
    return f"根据您提到的情况，您还可以了解：{labels}。需要的话请告诉我，我帮您测算。"


def render_unborn(result: dict[str, Any]) -> str:
    """A child not born yet: nothing can be claimed now; when and how after birth (from the rules file)."""
    label = result.get("label") or result["program"]
    lines = [f"【{label}】宝宝还没有出生，现在还不能申领。"]
    note = (result.get("notes") or {}).get("before_birth")
    if note:
        lines.append(note)
    docs = _documents(result)
    if docs:
        lines.append("政策依据：" + "；".join(docs))
    steps = result.get("next_steps") or []
    lines += [f"· {s}" for s in steps[-1:]]
    return "\n".join(lines)


def _money(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def render_children(results: list[dict[str, Any]], count: int, birth_dates: list[str]) -> str:
    """Several children: the result for each child and the total ("每个孩子…，合计…").

    `results` holds one result per distinct birth date; twins (one date, count 2) share one result.
    """
    if not results:
        return ""
    label = results[0].get("label") or results[0]["program"]
    lines = [f"【{label}】您家有{count}个孩子，育儿补贴按每个孩子分别计算："]
    totals: dict[str, float] = {}
    per_child = [results[0]] * count if len(results) == 1 else results
    for i, result in enumerate(per_child, 1):
        facts = result.get("facts") or {}
        born = parse_span(next(iter(facts.values()), None))
        shown = born.cn() if isinstance(born, DateSpan) else (cn_date(born) if born else None)
        said = f"（出生于{shown}）" if shown and len(results) > 1 else ""
        amount = result.get("amount")
        if result["outcome"] == "eligible" and amount:
            value = amount["value"]
            top = amount.get("value_max")
            money = f"{_money(value)}至{_money(top)}" if top and top != value else _money(value)
            lines.append(f"· 第{i}个孩子{said}：{_SHORT['eligible']}，{money}{amount['unit']}")
            totals[amount["unit"]] = totals.get(amount["unit"], 0) + value
        elif result["outcome"] == "eligible" and result.get("amount_note"):
            lines.append(f"· 第{i}个孩子{said}：{_SHORT['eligible']}，{result['amount_note']}")
        else:
            lines.append(f"· 第{i}个孩子{said}：{_SHORT[result['outcome']]}")
    if totals:
        parts = [f"{_money(v)}{unit}" for unit, v in totals.items()]
        ranged = any((r.get("amount") or {}).get("value_max") for r in per_child)
        lines.append("合计：" + "，另加".join(parts) + ("起（具体以出生日期为准）" if ranged else "") + "。")
    if len(results) == 1 and results[0].get("amount"):
        lines.append("每个孩子：" + results[0]["amount"]["note"])
    return "\n".join(lines)


def render_results(results: list[dict[str, Any]], facts: dict[str, Any], skip: Iterable[str] = (),
                   hedged: Optional[dict[str, str]] = None, children: Optional[dict[str, Any]] = None,
                   unborn: bool = False, as_of: Any = None, engine: Optional[EligibilityEngine] = None) -> str:
    """The result message of a finished form: each program, with what the resident was unsure of, an
    unborn child (when and how after birth) and several children (each one and the total)."""
    engine = engine or get_engine()
    parts = []
    for result in results:
        program = result["program"]
        if program == "childcare_subsidy" and unborn and "child_birth_date" not in facts:
            parts.append(render_unborn(result))
            continue
        parts.append(render_result(result, engine=engine, skip=skip, hedged=hedged))
        if program == "childcare_subsidy" and children and (children.get("count") or 0) > 1 \
                and "child_birth_date" in facts:
            dates = children.get("birth_dates") or [facts["child_birth_date"]]
            per_child = [engine.evaluate(program, {**facts, "child_birth_date": d}, as_of) for d in dates]
            parts.append(render_children(per_child, max(children["count"], len(dates)), dates))
        if program == "childcare_subsidy" and unborn and "child_birth_date" in facts:
            note = (result.get("notes") or {}).get("before_birth")
            if note:
                parts.append("还没出生的宝宝：" + note)
    return "\n\n".join(parts)
