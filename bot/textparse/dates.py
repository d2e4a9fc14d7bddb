"""Dates mentioned by residents, absolute or relative to a given today.

Precision tells how much the resident actually said; the engine decides what to do with it:
- "day":   the exact day (2024年3月15日, 2024-03-15, 昨天, 上个月15号, 三天前);
- "month": the date lies somewhere in that month and resolves to its 1st (2024年3月, 去年5月, 上个月,
           三个月前, 半年前, 两年前, 2023年底 = December, 年初 = January);
- "year":  the date lies somewhere in that year and resolves to 1 January (去年, 前年, 2023年);
- "season" / "half": somewhere in the three or six months from the date (21年冬天 = 2021-12 to 2022-02,
           去年下半年 = July to December); the resident said no month, so none is chosen for them.
A month or day without a year ("3月15号", "5月份") is the most recent one not after today, because
residents report past events (birth, certificate). Invalid calendar dates (2023年2月29日) are no date;
neither are a bare day ("15号", often a house number), a bare two-digit year ("24年", often a
duration), lunar months (腊月) or years more than five years ahead (plan targets such as 2035年).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator

from . import dialect
from ._chars import NUM, NUM_CHARS, cn_to_int, fold, is_digit_string
from .durations import scan_durations

_SP = r"[ \t]*"
_NB = rf"(?<![{NUM_CHARS}\d])"  # a number token starts here
_Y = rf"(?P<y>{NUM}{{2,7}})"
_M = rf"(?P<m>{NUM}{{1,3}})"
_D = rf"(?P<d>{NUM}{{1,4}})"
_DAY = rf"(?:{_SP}{_D}{_SP}(?:[日号]|(?![{NUM_CHARS}\d个天岁年月])))"
_MONTH = rf"{_M}{_SP}月(?:份)?"
_POS = r"(?P<pos>年底|年末|年初(?![中一二三])|年头|底|末|初(?![中一二三]))"  # not 初中, 初一–初三 (school years)
# Seasons and half years: (first month, months covered, precision). Winter runs into the next year.
_SEASONS = {"春天": (3, 3), "春季": (3, 3), "开春": (3, 3), "夏天": (6, 3), "夏季": (6, 3), "秋天": (9, 3),
            "秋季": (9, 3), "冬天": (12, 3), "冬季": (12, 3), "上半年": (1, 6), "前半年": (1, 6),
            "下半年": (7, 6), "后半年": (7, 6)}
_SEASON = rf"(?P<season>{'|'.join(sorted(_SEASONS, key=len, reverse=True))})"
_REL_YEARS = {"大前年": -3, "前年": -2, "去年": -1, "今年": 0, "明年": 1, "后年": 2}
_REL_MONTHS = {"上上个月": -2, "上上月": -2, "上个月": -1, "上月": -1, "这个月": 0, "这月": 0,
               "本月": 0, "下个月": 1, "下月": 1}
_REL_DAYS = {"大前天": -3, "前天": -2, "前儿": -2, "昨天": -1, "昨日": -1, "昨儿": -1,
             "今天": 0, "今日": 0, "今儿": 0}


# Shanxi (Jin) relative-date words from the dialect glossary (年时 = 去年, 夜来 = 昨天), with their sources there.
for _word, _std in dialect.date_words().items():
    for _table in (_REL_YEARS, _REL_MONTHS, _REL_DAYS):
        if _std in _table:
            _table[_word] = _table[_std]


def _alt(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# "2025年以前/之后", "2025年1月1日之前", "2025年元旦前" name a boundary, not a date: nobody was born "in" it. Such spans are
# blanked before the date patterns run.
_BOUNDARY = re.compile(rf"{_NB}{NUM}{{4}}{_SP}年(?:{_SP}(?:的{_SP})?元旦|{_SP}{NUM}{{1,3}}{_SP}月(?:份)?(?:{_SP}{NUM}{{1,4}}{_SP}[日号])?)?"
                       rf"{_SP}(?:以前|之前|以后|之后|以来|前|后)(?!半)")

_ORDINAL_CHILD = re.compile(r"老[大二三四五六幺]")

# Holidays on a fixed day of the solar calendar (month, day); longest names first via _alt
_HOLIDAYS = {"圣诞节": (12, 25), "圣诞": (12, 25), "平安夜": (12, 24), "国庆节": (10, 1), "国庆": (10, 1),
             "劳动节": (5, 1), "儿童节": (6, 1), "情人节": (2, 14), "妇女节": (3, 8), "三八节": (3, 8),
             "教师节": (9, 10), "植树节": (3, 12), "建党节": (7, 1), "建军节": (8, 1),
             # "22年双十一生的": the shopping days named by their date
             "双十一": (11, 11), "双11": (11, 11), "双十二": (12, 12), "双12": (12, 12)}

HOLIDAYS = _HOLIDAYS   # (public: a birthday said by its holiday, "情人节满的三岁")

# Lunar months said by their own names ("前年腊月里生的"): 腊月 is the twelfth lunar month, 冬月 the eleventh,
# 正月 the first; read, like any lunar month, as the three solar months it may fall in.
_LUNAR_MONTHS = {"腊": 12, "冬": 11, "正": 1}
_LUNAR_MONTH = r"(?P<lm>腊|冬|正)月(?!份?[0-9一二三四五六七八九十])"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ylunar", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?{_LUNAR_MONTH}")),
    ("rellunar", re.compile(rf"(?P<rel>{_alt(_REL_YEARS)}){_SP}(?:的{_SP})?{_LUNAR_MONTH}")),
    ("ymd", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?{_MONTH}{_DAY}?")),
    # "前年冬天生的，十一月": a season, then the month itself (the month settles it; 冬天 runs into the next year)
    ("yseasonm", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?{_SEASON}(?:[生出]?[的哩滴了])?[，,\s]{{0,2}}(?:是|在)?{_MONTH}{_DAY}?")),
    ("relseasonm", re.compile(rf"(?P<rel>{_alt(_REL_YEARS)}){_SP}(?:的{_SP})?{_SEASON}(?:[生出]?[的哩滴了])?[，,\s]{{0,2}}(?:是|在)?"
                              rf"{_MONTH}{_DAY}?")),
    ("yseason", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?{_SEASON}")),
    ("relseason", re.compile(rf"(?P<rel>{_alt(_REL_YEARS)}){_SP}(?:的{_SP})?{_SEASON}")),
    ("ypos", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?{_POS}")),
    # "22年元旦那天生的": New Year's Day, 1 January of that year (a day, not only a month)
    ("ynewyear", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?(?:元旦|第一天|头一天)")),
    ("relnewyear", re.compile(rf"(?P<rel>{_alt(_REL_YEARS)}){_SP}(?:的{_SP})?(?:元旦|第一天|头一天)")),
    # "21年圣诞节那天生的", "去年国庆生的": a fixed-date (solar) holiday of that year; lunar ones move, so not read
    ("yholiday", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?(?P<hol>{_alt(_HOLIDAYS)})")),
    ("relholiday", re.compile(rf"(?P<rel>{_alt(_REL_YEARS)}){_SP}(?:的{_SP})?(?P<hol>{_alt(_HOLIDAYS)})")),
    # "24年最后一天生的": 31 December of that year
    ("ylastday", re.compile(rf"{_NB}{_Y}{_SP}年{_SP}(?:的{_SP})?(?:最后一天|最后那天|最末一天)")),
    ("rellastday", re.compile(rf"(?P<rel>{_alt(_REL_YEARS)}){_SP}(?:的{_SP})?(?:最后一天|最后那天|最末一天)")),
    ("y", re.compile(rf"{_NB}{_Y}{_SP}年")),
    ("iso", re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d\d)(?P<sep>[-./])(?P<m>\d{1,2})"
                       r"(?:(?P=sep)(?P<d>\d{1,2}))?(?![\d]|\.\d)")),
    ("compact", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")),
    ("md", re.compile(rf"(?<![{NUM_CHARS}\d年个])(?<!年 ){_MONTH}{_DAY}?")),
    ("rely", re.compile(rf"(?P<rel>{_alt(_REL_YEARS)}){_SP}(?:的{_SP})?(?:{_MONTH}{_DAY}?|{_POS})?"
                        rf"(?!{_SP}{NUM}+{_SP}岁)")),
    ("relm", re.compile(rf"(?P<rel>{_alt(_REL_MONTHS)}){_SP}(?:的{_SP})?(?:{_D}{_SP}[日号]|(?P<pos>初|底|末))?")),
    ("reld", re.compile(rf"(?P<rel>{_alt(_REL_DAYS)})")),
    ("days_ago", re.compile(rf"{_NB}(?P<n>{NUM}+){_SP}天{_SP}(?:以前|之前|前)")),
]


@dataclass(frozen=True)
class DateMention:
    """A date found in text: the resolved date, how precise the resident was, and where it was said."""

    date: dt.date
    precision: str  # "day" | "month" | "year" | "season" | "half"
    span: tuple[int, int]
    text: str

    @property
    def last(self) -> dt.date:
        """The last day the mention allows (the date itself for a day)."""
        months = {"month": 1, "season": 3, "half": 6, "year": 12}.get(self.precision)
        return add_months(self.date, months) - dt.timedelta(days=1) if months else self.date


class _Invalid(Exception):
    """The match is date-shaped but not a real date; nothing inside its span is a date either."""


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping the day (2024-03-31 minus 1 month → 2024-02-29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = _month_length(year, month0 + 1)
    return dt.date(year, month0 + 1, min(day.day, last))


def _month_length(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def _year(token: str, today: dt.date, with_month: bool) -> int:
    token = fold(token)
    value = cn_to_int(token)
    if value is None:
        raise _Invalid
    if len(token) == 2 and (is_digit_string(token) or all(c in "〇零一二三四五六七八九" for c in token)):
        if not with_month:
            raise _Invalid  # "24年" alone is more likely a duration
        value += 2000 if value <= today.year % 100 + 5 else 1900   # "二一年年底", "24年3月"
    elif len(token) == 2 or value < 1900:
        raise _Invalid
    if not 1900 <= value <= today.year + 5:
        raise _Invalid
    return value


def _month(token: str) -> int:
    token = fold(token)
    if any(c in "两俩仨" for c in token):
        raise _Invalid  # "两月" is two months, never February
    value = cn_to_int(token)
    if value is None or not 1 <= value <= 12:
        raise _Invalid
    return value


def _day_of(token: str) -> int:
    value = cn_to_int(token)
    if value is None or not 1 <= value <= 31:
        raise _Invalid
    return value


def _make(year: int, month: int, day: int | None) -> tuple[dt.date, str]:
    if day is None:
        return dt.date(year, month, 1), "month"
    try:
        return dt.date(year, month, day), "day"
    except ValueError:
        raise _Invalid from None


def _with_pos(year: int, pos: str) -> tuple[dt.date, str]:
    return dt.date(year, 12 if pos in ("年底", "年末", "底", "末") else 1, 1), "month"


def _resolve(kind: str, m: re.Match[str], today: dt.date) -> tuple[dt.date, str] | None:
    g = m.groupdict()
    day = _day_of(g["d"]) if g.get("d") else None
    if kind in ("ymd", "iso", "compact"):
        return _make(_year(g["y"], today, True), _month(g["m"]), day)
    if kind in ("ylunar", "rellunar"):
        year = _year(g["y"], today, True) if kind == "ylunar" else today.year + _REL_YEARS[g["rel"]]
        return dt.date(year, _LUNAR_MONTHS[g["lm"]], 1), "season"
    if kind in ("yseasonm", "relseasonm"):
        year = _year(g["y"], today, True) if kind == "yseasonm" else today.year + _REL_YEARS[g["rel"]]
        first, months = _SEASONS[g["season"]]
        month = _month(g["m"])
        if first + months > 13 and month <= first + months - 13:
            year += 1          # 冬天 of 2024 with 一月: January 2025
        return _make(year, month, day)
    if kind in ("yseason", "relseason"):
        year = _year(g["y"], today, True) if kind == "yseason" else today.year + _REL_YEARS[g["rel"]]
        first, months = _SEASONS[g["season"]]
        return dt.date(year, first, 1), "half" if months == 6 else "season"
    if kind == "ypos":
        return _with_pos(_year(g["y"], today, True), g["pos"])   # "24年底": a position in a year is a date
    if kind == "y":
        return dt.date(_year(g["y"], today, False), 1, 1), "year"
    if kind == "ynewyear":
        return dt.date(_year(g["y"], today, True), 1, 1), "day"
    if kind == "relnewyear":
        return dt.date(today.year + _REL_YEARS[g["rel"]], 1, 1), "day"
    if kind in ("yholiday", "relholiday"):
        year = _year(g["y"], today, True) if kind == "yholiday" else today.year + _REL_YEARS[g["rel"]]
        month, day_of = _HOLIDAYS[g["hol"]]
        return dt.date(year, month, day_of), "day"
    if kind == "ylastday":
        return dt.date(_year(g["y"], today, True), 12, 31), "day"
    if kind == "rellastday":
        return dt.date(today.year + _REL_YEARS[g["rel"]], 12, 31), "day"
    if kind == "md":
        return _most_recent(today, _month(g["m"]), day)
    if kind == "rely":
        year = today.year + _REL_YEARS[g["rel"]]
        if g.get("m"):
            return _make(year, _month(g["m"]), day)
        if g.get("pos"):
            return _with_pos(year, g["pos"])
        return dt.date(year, 1, 1), "year"
    if kind == "relm":
        first = add_months(today.replace(day=1), _REL_MONTHS[g["rel"]])
        return _make(first.year, first.month, day)
    if kind == "reld":
        return today + dt.timedelta(days=_REL_DAYS[g["rel"]]), "day"
    if kind == "days_ago":
        n = cn_to_int(g["n"])
        if n is None or n > 3660:
            raise _Invalid
        return today - dt.timedelta(days=n), "day"
    raise AssertionError(kind)


def _most_recent(today: dt.date, month: int, day: int | None) -> tuple[dt.date, str]:
    if day is not None and not 1 <= day <= _month_length(2000, month):  # 2000 is a leap year
        raise _Invalid
    year = today.year if (month, day or 1) <= (today.month, today.day) else today.year - 1
    while day is not None and day > _month_length(year, month):
        year -= 1  # 2月29日 without a year: the most recent leap year
    return _make(year, month, day)


def _candidates(text: str, today: dt.date) -> Iterator[tuple[int, int, dt.date, str]]:
    folded = fold(text)
    poisoned: list[tuple[int, int]] = []
    found: list[tuple[int, int, dt.date, str]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            end = m.end()
            while end > m.start() and folded[end - 1] in " \t":
                end -= 1
            try:
                resolved = _resolve(kind, m, today)
            except _Invalid:
                if kind in ("ymd", "iso", "compact") and m.group("m"):
                    poisoned.append((m.start(), end))
                continue
            if resolved:
                found.append((m.start(), end, *resolved))
    for raw in scan_durations(folded):
        if raw.tail == "ago":
            months = int(raw.months + 1e-9)
            first = add_months(today.replace(day=1), -months)
            found.append((raw.start, raw.end, first, "month"))
    for cand in found:
        if not any(p0 <= cand[0] and cand[1] <= p1 for p0, p1 in poisoned):
            yield cand


# "23年阳历7月": the calendar named between the parts of a date. A solar month is the month itself; a lunar
# month M falls between about the 21st of solar month M and the 19th of M+2 (leap months aside), so it is
# read as those three solar months, never as one of them.
_SOLAR = re.compile(r"(?:阳历|公历|新历|国历)(?:的)?")
_LUNAR = re.compile(r"(?:农历|阴历|老历|旧历)(?:的)?")


def _lunar(mention: DateMention, lunar_at: list[tuple[int, int]]) -> DateMention:
    if mention.precision not in ("day", "month") or \
            not any(mention.span[0] - 2 <= s and e <= mention.span[1] for s, e in lunar_at):
        return mention
    return DateMention(mention.date.replace(day=1), "season", mention.span, mention.text)


def find_dates(text: str, today: dt.date) -> list[DateMention]:
    """All non-overlapping date mentions, left to right (the longest wins where two start together)."""
    solar = _SOLAR.search(text)
    lunar_at = [] if solar else [m.span() for m in _LUNAR.finditer(text)]
    text_scan = _LUNAR.sub(lambda m: " " * len(m.group(0)), _SOLAR.sub(lambda m: " " * len(m.group(0)), text))
    if solar:   # "腊月二十三，阳历是2025年1月22号": the solar date given beside it is the date
        text_scan = re.sub(r"[腊冬正]月", "  ", text_scan)
    text_scan = _BOUNDARY.sub(lambda m: " " * len(m.group(0)), text_scan)
    text_scan = _ORDINAL_CHILD.sub("  ", text_scan)   # "老二2026年4月3号": 老二 is a child, not a numeral
    cands = sorted(_candidates(text_scan, today), key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[DateMention] = []
    pos = 0
    for start, end, date, precision in cands:
        if start >= pos:
            out.append(_lunar(DateMention(date, precision, (start, end), text[start:end]), lunar_at))
            pos = end
    return out


def parse_date(text: str, today: dt.date) -> DateMention | None:
    """The first date mentioned in text, resolved against today (see the module doc for precision)."""
    found = find_dates(text, today)
    return found[0] if found else None


