"""Durations in whole months ("交了两年" → 24, "一年半" → 18, "一年零三个月" → 15).

Used for facts such as unemployment_insurance_months. A number followed by 年 is a duration only
when it is not a date ("2024年", "24年3月"), not "ago/later" ("两年前" is a date), and not a grade or
age word ("三年级", "80年代").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterator

from ._chars import NUM, NUM_CHARS, cn_to_int, fold, is_digit_string

_SP = r"[ \t]*"
_QTY = rf"(?:{NUM}+(?:\.\d+)?(?:来|几|多)?)"
_DURATION = re.compile(
    rf"(?<![{NUM_CHARS}\d.])"
    rf"(?:"
    rf"(?P<y>{_QTY}|半){_SP}年{_SP}(?P<yhalf>半)?{_SP}(?P<ymore>多)?"
    rf"(?:{_SP}(?:零|又|加)?{_SP}(?P<ym>{_QTY}){_SP}个{_SP}(?P<ymhalf>半)?{_SP}多?{_SP}月)?"
    rf"|(?P<m>{_QTY}|半){_SP}个{_SP}(?P<mhalf>半)?{_SP}多?{_SP}月"
    rf"|(?P<mq>[两俩仨]){_SP}月"
    rf")"
)
_AGO = re.compile(rf"{_SP}(?:以前|之前|前)")
# "不到一年", "还没满两年", "快一年了", "一年不到": less than that, by an amount nobody said. Such a mention is
# no value for the fact; the form asks for the months instead of taking the bound as the number.
_UNDER_BEFORE = re.compile(r"(?:不到|不满|没到|没满|不够|没够|不足|未满|未到|将近|接近|快要?|差不多|差点|(?:没|还没|不)[ \t]*(?:交|缴)[ \t]*(?:满|够|到|足))[ \t]*(?:有[ \t]*)?$")
_UNDER_AFTER = re.compile(rf"{_SP}(?:不到|不满|没到|没满|不够|不足)")
# "快五年了", "将近三年": close to that, so at least a year less for sure; taken as that lower end (hedged by
# the caller) when it is two years or more. "快一年了" stays a bound: the months could be anything under 12.
_NEAR_BEFORE = re.compile(r"(?:将近|接近|快要?|差不多)[ \t]*(?:有[ \t]*)?$")
_LATER = re.compile(rf"{_SP}(?:以后|之后|后)(?!来)")  # "两年后来没交了": 后来 is "then", not "later"
# After "N年": grade, age, era, fiscal year, or a month number (then "24年3月" is a date).
_NOT_A_DURATION = re.compile(rf"{_SP}(?:[级龄纪代度]|{NUM}+{_SP}月(?!份?{_SP}[个]))")
# Ages: "1岁3个月", "18个月大" describe a child, not a contribution period.
_AGE_BEFORE = re.compile(r"岁[ \t]*(?:零|又)?[ \t]*$")
_AGE_AFTER = re.compile(rf"{_SP}(?:大|的(?:娃|孩子|宝宝|婴儿))")
_MAX_YEARS = 80


@dataclass(frozen=True)
class RawDuration:
    """One duration-shaped match: its span, value in months, and what follows it."""

    start: int
    end: int
    months: float
    tail: str | None  # None, "ago" or "later"
    under: bool = False  # "不到一年": below this, by how much was not said


# "五六年", "两三个月": two neighbouring numerals are a range, never 56; the lower end is what was said for sure.
_RANGE = re.compile(r"^(一两|两三|二三|三四|四五|五六|六七|七八|八九)$")
# "十来年", "十几个月", "二十来年": about that many; again the lower end.
_ABOUT = re.compile(r"^(.+?)(来|几|多)$")


def _quantity(token: str | None) -> float | None:
    if token is None:
        return None
    if token == "半":
        return 0.5
    if _RANGE.match(token):
        return cn_to_int(token[0])
    about = _ABOUT.match(token)
    if about and about.group(1) and not about.group(1).isascii():
        base = cn_to_int(about.group(1))
        return base if base is not None and base % 10 == 0 else None
    if "." in token:
        whole, frac = token.split(".", 1)
        base = cn_to_int(whole)
        return None if base is None else base + float("0." + frac)
    return cn_to_int(token)


def scan_durations(text: str) -> Iterator[RawDuration]:
    """Every duration-shaped mention in order, including "ago"/"later" ones (dates use those)."""
    folded = fold(text)
    for m in _DURATION.finditer(folded):
        end = m.end()
        if m.group("y") is not None:
            years = _quantity(m.group("y"))
            token = m.group("y")
            if years is None or years > _MAX_YEARS:
                continue
            if m.group("ym") is None and _NOT_A_DURATION.match(folded, end):
                continue
            if len(token) >= 4 and is_digit_string(token):
                continue  # a calendar year
            months = years * 12 + (6 if m.group("yhalf") else 0)
            if m.group("ym") is not None:
                extra = _quantity(m.group("ym"))
                if extra is None:
                    continue
                months += extra + (0.5 if m.group("ymhalf") else 0)
        elif m.group("m") is not None:
            value = _quantity(m.group("m"))
            if value is None:
                continue
            months = value + (0.5 if m.group("mhalf") else 0)
        else:
            months = float(cn_to_int(m.group("mq")) or 0)
        if _AGE_BEFORE.search(folded, 0, m.start()) or _AGE_AFTER.match(folded, end):
            continue
        under = bool(_UNDER_BEFORE.search(folded, 0, m.start()) or _UNDER_AFTER.match(folded, end))
        if under and months >= 24 and _NEAR_BEFORE.search(folded, 0, m.start()) and not _UNDER_AFTER.match(folded, end):
            months, under = months - 12, False          # "快五年了" → at least four years
        tail = None
        ago = _AGO.match(folded, end)
        if ago:
            tail, end = "ago", ago.end()
        elif _LATER.match(folded, end):
            tail = "later"
        yield RawDuration(m.start(), end, months, tail, under)


# "没交过", "一个月都没交过", "从来没上过失业保险": none at all, which is 0 months (but "没交满一年" is a bound).
_NEVER = re.compile(r"(?:从来|从|根本|一直|压根)?[ \t]*(?:没|没有|未|不曾)[ \t]*(?:给|帮)?[ \t]*(?:我|俺)?[ \t]*"
                    r"(?:交|缴|上|参加|买)[ \t]*(?:过)?(?![ \t]*(?:满|够|到|足|齐|全|几|多少|\d|[一二两三四五六七八九十]))")
_NONE_AFTER = re.compile(rf"{_SP}都{_SP}(?:没|没有|未)")
_UNSURE = re.compile(r"不知道|不清楚|不确定|记不清|说不准|搞不清|(?:交|缴|上)[ \t]*(?:没|没有)[ \t]*(?:交|缴|上)|有没有[ \t]*(?:交|缴|上)")


def parse_duration_months(text: str) -> int | None:
    """Whole months of the first plain duration in text; fractions round down ("两年多" → 24).
    "不到一年" is no value: it bounds the months without saying them; "没交过" is 0."""
    folded = fold(text)
    for raw in scan_durations(text):
        if raw.tail is None and not _NONE_AFTER.match(folded, raw.end):
            return None if raw.under else math.floor(raw.months + 1e-9)
    if _UNSURE.search(folded):
        return None                      # "不知道单位给交没交": not known, never 0
    return 0 if _NEVER.search(folded) else None
