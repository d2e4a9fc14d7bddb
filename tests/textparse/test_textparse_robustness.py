"""No parser raises on arbitrary input, and every date mention's span points at its text."""
import datetime as dt
import random

from bot.textparse import (cn_to_int, find_dates, is_correction, is_stop, is_unknown, parse_cert_level,
                           parse_date, parse_duration_months, parse_level, parse_yes_no)

_CHARS = "0123456789一二三四五六七八九十两百千万零〇年月日号个半多前后去今上下大级证工残疾是不没有对算了.-/ 　，的"
TODAY = dt.date(2024, 2, 29)


def test_random_text_never_raises():
    rng = random.Random(20240229)
    for _ in range(3000):
        text = "".join(rng.choice(_CHARS) for _ in range(rng.randint(0, 16)))
        cn_to_int(text)
        parse_date(text, TODAY)
        assert parse_duration_months(text) is None or parse_duration_months(text) >= 0
        assert parse_level(text) in (None, 1, 2, 3, 4)
        parse_cert_level(text)
        assert parse_yes_no(text) in (None, True, False)
        is_unknown(text), is_correction(text), is_stop(text)
        for mention in find_dates(text, TODAY):
            assert text[mention.span[0]:mention.span[1]] == mention.text
            assert mention.precision in ("day", "month", "year")
            if mention.precision != "day":
                assert mention.date.day == 1


def test_issue_examples_fill_several_facts():
    text = "交了两年失业保险，上个月考了中级电工证，有补贴吗"
    assert parse_duration_months(text) == 24
    assert parse_cert_level(text) == "intermediate"
    assert parse_date(text, dt.date(2026, 11, 28)).date == dt.date(2026, 10, 1)
    assert parse_level(text) is None
    assert parse_level("我是二级肢体残疾，有残疾证，家里低保户，需要人长期照顾") == 2
