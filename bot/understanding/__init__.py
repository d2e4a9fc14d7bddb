"""Reading a resident's line, shared by the chat actions and agent assist (one understanding layer)."""
from bot.understanding.reader import (BOTH, NOT_IN_SOURCES, OFFICE_LOOKUP, OTHER, PERSONAL_CASE,  # noqa: F401
                                      PLAN_QUESTION, PROGRAM_INFO, Reading, find_aspects, find_programs,
                                      is_question, named_programs, question_part,
                                      read_line)


def scope_reply(reading: Reading) -> str:
    """Another province or a city outside Shanxi: say what the knowledge base holds, never Shanxi's figure."""
    where = reading.other_province or "外省"
    return (f"抱歉，我这里收录的是山西省的政策资料，没有{where}的相关规定和标准，不能拿山西的数字代替，以免误导您。"
            f"{where}的政策请咨询当地的12345政务服务便民热线或当地主管部门。")


def not_in_sources_reply(reading: Reading) -> str:
    """What no source states (a local price, a future rise, a timetable): say so, point to 12345, no figure."""
    label = reading.not_in_sources[1] if reading.not_in_sources else "这方面的内容"
    return (f"抱歉，关于{label}，我依据的政策资料里没有相关规定或数字，不能给您不准确的说法。"
            "建议您拨打12345政务服务便民热线，或向当地主管部门咨询最新情况。")
