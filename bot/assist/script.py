"""答复口径 and the 12345 ticket summary, assembled by templates only from the engine's results, the KB's
cited answers and the office records: nothing here states a rule, amount or address of its own.
"""
from __future__ import annotations

from typing import Any, Optional

from bot.eligibility.engine import EligibilityEngine, _Texts, get_engine, today_shanghai
from bot.service_points import OFFICE_TYPES

HOTLINE_SELF = "12345"
# A KB answer is read out only when it is a strong match; weaker ones stay on the 政策解答 card for staff to judge.
SCRIPT_MIN_CONFIDENCE = 0.7
_HOW_TO_APPLY = ("申请", "办理", "怎么办", "去哪", "到哪", "在哪")


def _join(items: list[str], sep: str = "、") -> str:
    return sep.join(i for i in items if i)


def _cite(result: dict[str, Any]) -> str:
    """How a program's basis is read out: its national 文号, else the first cited document."""
    national = [n for n in result["doc_numbers"] if "晋政" not in n]
    if national:
        return f"{national[0]}文件"
    return result["documents"][0] if result["documents"] else ""


def _first_reason(result: dict[str, Any], status: str) -> Optional[str]:
    shown = [c for c in result["criteria"] if c["status"] != "not_applicable"]
    for crit, reason in zip(shown, result["reasons"]):
        if crit["status"] == status:
            return reason
    return None


def _offices_sentence(points: list[dict[str, Any]], place: dict[str, Any]) -> list[str]:
    towns = [p["name"] for p in points if p["type"] == "town_service_center"]
    others = [p for p in points if p["type"] != "town_service_center"]
    lines = []
    if towns:
        where = place.get("town") or place.get("county") or place.get("city") or ""
        if place.get("town"):
            lines.append(f"办理地点是{towns[0]}。")
        else:
            lines.append(f"在{where}，可以到户籍所在乡镇（街道）的便民服务中心办理，比如{_join(towns[:2])}。")
    for p in others:
        t = OFFICE_TYPES.get(p["type"])
        lines.append(f"{t.handles.split('，')[0]}可以找{p['name']}。" if t else f"也可以到{p['name']}咨询。")
    if points and not any(p.get("address") for p in points):
        lines.append("具体地址和办公时间，建议出发前再电话核实一下。")
    return lines


def build_script(state: dict[str, Any], results: list[dict[str, Any]], checklist: list[dict[str, Any]],
                 points: list[dict[str, Any]]) -> str:
    """Short spoken reply: outcomes with their 文号, the next question, where to go, cited answers."""
    lines: list[str] = []
    for answer in [a for a in state["answers"][:1] if (a.get("confidence") or 0) >= SCRIPT_MIN_CONFIDENCE]:
        lines.append(f"关于您问的情况，政策原文是这样说的：{answer['answer']}")
    groups: dict[tuple[str, str], list[str]] = {}
    for r in results:
        groups.setdefault((r["outcome"], _cite(r)), []).append(r["label"])
    for (outcome, basis), labels in groups.items():
        names = _join(labels)
        if outcome == "eligible":
            lines.append(f"按您说的情况，符合{names}的申领条件" + (f"，依据是{basis}。" if basis else "。"))
        elif outcome == "not_eligible":
            lines.append(f"按您说的情况，暂时不符合{names}的条件" + (f"，依据是{basis}。" if basis else "。"))
    for r in results:
        if r.get("eligible_if"):
            lines.append(f"如果{r['eligible_if']['text']}，就符合{r['label']}的申领条件。")
        if r["outcome"] == "not_eligible":
            reason = _first_reason(r, "not_met")
            if reason:
                lines.append(f"{r['label']}：{reason}。")
            lines += [f"{h}" for h in r["hints"][:1]]
        elif r["outcome"] == "refer_locally":
            reason = _first_reason(r, "refer_locally")
            lines.append(f"{r['label']}要按当地政策确定" + (f"：{reason}。" if reason else "。"))
        if r["outcome"] in {"eligible", "refer_locally"}:
            if r["amount"]:
                lines.append(f"{r['label']}的标准：{r['amount']['note']}")
            elif r["amount_note"]:
                lines.append(r["amount_note"])
    open_items = [i for i in checklist if not i.get("unknown")]
    if open_items:
        lines.append(f"还需要跟您确认一下：{open_items[0]['question']}")
    for item in [i for i in checklist if i.get("unknown")][:1]:
        lines.append(item["help"])
    applying = [r for r in results if r["outcome"] in {"eligible", "refer_locally"}]
    asked_how = any(w in q for q in state["questions"] for w in _HOW_TO_APPLY)
    if not applying and asked_how:
        applying = [r for r in results if r["outcome"] == "needs_more_info"]
    if applying and applying[0]["next_steps"]:
        lines.append(applying[0]["next_steps"][0])
    lines += _offices_sentence(points, state.get("place") or {})
    if results and not points and not (state.get("place") or {}).get("county"):
        lines.append("请问户口在哪个县（区）？我帮您查具体的办理地点。")
    hotlines = [h for r in results for h in r["hotlines"] if h["number"] != HOTLINE_SELF]
    if hotlines and (applying or not open_items):
        lines.append(f"如有疑问，也可以拨打{hotlines[0]['number']}{hotlines[0]['name']}。")
    return "".join(dict.fromkeys(lines))


def describe_facts(state: dict[str, Any], results: list[dict[str, Any]],
                   engine: Optional[EligibilityEngine] = None) -> list[str]:
    """The caller's situation in the rules files' own words (残疾等级为二级、户籍在山西省 …)."""
    engine = engine or get_engine()
    out: list[str] = []
    day = today_shanghai()
    for r in results:
        prog = engine.program(r["program"])
        typed = engine.validate_facts(prog, r["facts"], day)
        texts = _Texts(prog, typed, day)
        for name in typed:
            text = texts.describe({"facts": [name]})
            if text and text not in out:
                out.append(text)
    return out


def departments(points: list[dict[str, Any]], place: dict[str, Any], types: list[str]) -> str:
    towns = [p["name"] for p in points if p["type"] == "town_service_center"]
    names = [p["name"] for p in points if p["type"] != "town_service_center"]
    if towns:
        if place.get("town"):
            names.insert(0, towns[0])
        else:
            where = place.get("county") or place.get("city") or ""
            names.insert(0, f"{where}户籍所在乡镇（街道）便民服务中心（如{_join(towns)}）")
    if names:
        return _join(names, "；")
    labels = [OFFICE_TYPES[t].label for t in types if t in OFFICE_TYPES]
    return (_join(labels) + "（来电人所在地未明确）") if labels else "无"


def build_summary(state: dict[str, Any], results: list[dict[str, Any]], checklist: list[dict[str, Any]],
                  points: list[dict[str, Any]], script: str, types: list[str]) -> dict[str, Any]:
    """12345 ticket: 来电诉求 / 涉及政策 / 答复口径 / 办理部门 / 是否需转办, for the whole call so far."""
    place = state.get("place") or {}
    labels = [r["label"] for r in results]
    parts = []
    if labels:
        asked_place = points or state["office_types"] or place.get("county")
        parts.append(f"来电人咨询{_join(labels)}的申领条件" + ("及办理地点" if asked_place else ""))
    elif points:
        parts.append("来电人咨询办理地点")
    if state["questions"]:
        parts.append("询问：" + "；".join(q.rstrip("？?。！!") for q in state["questions"][-3:]))
    situation = describe_facts(state, results)
    if situation:
        parts.append("来电人反映：" + "，".join(situation))
    where = "".join(p for p in (place.get("city"), place.get("county"), place.get("town")) if p)
    if where:
        parts.append(f"所在地/户籍地：{where}")
    if not parts:
        first = next((t["text"] for t in state["transcript"] if t["role"] == "caller"), "")
        parts.append(f"来电人表示：{first[:80]}" if first else "（尚无来电内容）")
    request = "。".join(parts) + "。"
    policies = "；".join(f"{r['label']}（{_join(r['doc_numbers']) or _join(r['documents'])}）：{r['outcome_text']}"
                        for r in results)
    cited = list(dict.fromkeys(c["doc_id"] for a in state["answers"] for c in a["citations"] if c.get("doc_id")))
    if cited:
        policies = _join([policies, "知识库引用：" + _join(cited)], "；")
    refer = [r for r in results if r["outcome"] == "refer_locally"]
    unknown = [i for i in checklist if i.get("unknown")]
    if refer:
        transfer = {"needed": True, "text": "是：" + _join([r["label"] for r in refer]) + "需按当地政策确定，建议转"
                    + (departments(points, place, types) if points else "属地经办部门") + "核实。"}
    elif unknown:
        transfer = {"needed": False, "text": "否：来电人尚不清楚" + _join([i["label"] for i in unknown])
                    + "，已告知查询方式，可待其确认后再来电。"}
    elif any(r["outcome"] == "needs_more_info" for r in results):
        transfer = {"needed": False, "text": "否：尚待来电人补充情况。"}
    else:
        transfer = {"needed": False, "text": "否：已当场答复并告知办理渠道。"}
    summary = {"request": request, "policies": policies or "无", "reply": script or "无",
               "departments": departments(points, place, types), "transfer": transfer}
    summary["text"] = "\n".join([f"来电诉求：{summary['request']}", f"涉及政策：{summary['policies']}",
                                 f"答复口径：{summary['reply']}", f"办理部门：{summary['departments']}",
                                 f"是否需转办：{transfer['text']}"])
    return summary
