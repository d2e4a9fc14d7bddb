"""Reading a resident's line, shared by the chat actions and agent assist (one understanding layer)."""
import re

from bot.eligibility.engine import get_engine
from bot.understanding.reader import (BOTH, NOT_IN_SOURCES, OFFICE_LOOKUP, OTHER, PERSONAL_CASE,  # noqa: F401
                                      PLAN_QUESTION, PROGRAM_INFO, Reading, find_aspects, find_programs,
                                      is_question, named_programs, question_part,
                                      read_line)


PLAN_TITLE = "山西省“十四五”高品质生活建设规划"


def scope_reply(reading: Reading) -> str:
    """Another province or a city outside Shanxi: say what the knowledge base holds, never Shanxi's figure."""
    where = reading.other_province or "外省"
    return (f"抱歉，我这里收录的是山西省的政策资料，没有{where}的相关规定和标准，不能拿山西的数字代替，以免误导您。"
            f"{where}的政策请咨询当地的12345政务服务便民热线或当地主管部门。")


# A plan sentence that sets a direction of change for a program ("动态调整机制", "调高培训补贴标准").
_DIRECTION = re.compile(r"调整|扩大|调高|提高|提标|放宽")


def plan_direction(programs: list[str]) -> list[dict[str, str]]:
    """The programs' plan passages that say which way they will change, without a figure of their own."""
    engine = get_engine()
    out: list[dict[str, str]] = []
    for pid in programs:
        if pid not in engine.program_ids():
            continue
        for passage in engine.program(pid).data.get("plan_passages") or []:
            quote = passage["quote"]
            if _DIRECTION.search(quote) and not re.search(r"\d", quote) and \
                    all(quote != p["quote"] for p in out):
                out.append({"section": passage["section"], "quote": quote})
    return out


def not_in_sources_answer(reading: Reading) -> dict:
    """{text, citations}: the honest reply, and where the sources answer part of the question (the amount of
    a subsidy asked "是按年发还是按月发"), that part first, with its citation."""
    from bot.program_info import program_answer
    from bot.understanding.reader import load_lexicon

    reason, label = reading.not_in_sources or ("", "这方面的内容")
    aspects = load_lexicon().answered_with.get(reason) or []
    if reason == "unstated_detail":          # (the learned opinion: what the line asked of the program, or what it is)
        aspects = [a for a in reading.aspects if a not in ("who",)] or ["what"]
    if not (aspects and reading.programs):
        direction = plan_direction(reading.members) if reason == "future_change" else []
        citations = [{"doc_id": PLAN_TITLE, "source": PLAN_TITLE, "section": d["section"], "quote": d["quote"]}
                     for d in direction]
        return {"text": _honest_text(label, direction), "citations": citations}
    answer = program_answer(reading.programs, aspects)
    # The unstated part is what was asked: it comes first; what the sources do say follows, labelled.
    text = (f"关于{label}，我依据的政策资料里没有写明，请以当地主管部门的通知为准，"
            f"也可以拨打12345政务服务便民热线咨询。\n相关内容（资料里写明的部分）：\n{answer['text']}")
    return {"text": text, "citations": answer.get("citations") or []}


def not_in_sources_reply(reading: Reading) -> str:
    """What no source states (a local price, a future rise, a timetable): say so, point to 12345, no figure.
    A future change the plan sets a direction for is quoted as that direction, and only that."""
    reason, label = reading.not_in_sources or ("", "这方面的内容")
    return _honest_text(label, plan_direction(reading.members) if reason == "future_change" else [])


def _honest_text(label: str, direction: list[dict[str, str]]) -> str:
    if direction:
        quotes = "；".join(f"“{d['quote']}”" for d in direction)
        return (f"规划只提出了方向：{quotes}（《{PLAN_TITLE}》）。至于具体什么时候调整、调到多少，"
                "我依据的政策资料里没有写明，不能给您不准确的说法。建议您拨打12345政务服务便民热线，"
                "或向当地主管部门咨询最新情况。")
    return (f"抱歉，关于{label}，我依据的政策资料里没有相关规定或数字，不能给您不准确的说法。"
            "建议您拨打12345政务服务便民热线，或向当地主管部门咨询最新情况。")
