"""Program knowledge from the rules files: general answers (what, who, how much, where…) with citations.

    program_answer(programs, aspects, place=None, audience="resident") -> {text, citations, buttons, ...}
The statements live in each policy_kb/rules/<program>.yaml under `info:` (checked by `python -m bot.rules
check`); this package only composes them.
"""
from bot.program_info.schema import ASPECT_LABELS, ASPECTS  # noqa: F401


def program_answer(*args, **kwargs):  # noqa: ANN002, ANN003 - thin lazy entry point, see compose.program_answer
    """See bot.program_info.compose.program_answer (imported on first use: the rules loader imports schema)."""
    from bot.program_info.compose import program_answer as _answer
    return _answer(*args, **kwargs)
