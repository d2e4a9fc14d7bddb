"""Reading a resident's line, shared by the chat actions and agent assist (one understanding layer)."""
from bot.understanding.reader import (BOTH, OFFICE_LOOKUP, OTHER, PERSONAL_CASE, PLAN_QUESTION,  # noqa: F401
                                      PROGRAM_INFO, Reading, find_aspects, find_programs, read_line)


def scope_reply(reading: Reading) -> str:
    """Another province or a city outside Shanxi: say what the knowledge base holds, never Shanxi's figure."""
    where = reading.other_province or "外省"
    return (f"抱歉，我这里收录的是山西省的政策资料，没有{where}的相关规定和标准，不能拿山西的数字代替，以免误导您。"
            f"{where}的政策请咨询当地的12345政务服务便民热线或当地主管部门。")
