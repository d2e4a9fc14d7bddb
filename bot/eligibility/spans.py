"""Dates known only roughly: a month ("2024年3月"), a year ("去年") or a period worked out from an age ("4岁").

Residents rarely give an exact day. Turning "2024年3月" into 1 March would invent a fact, so such a date is
kept as the span of days it may be, and the engine decides only what holds for every day in it.
On the API a span is written in ISO 8601: "2024-03" (a month), "2024" (a year) or
"2024-04-29/2024-05-28" (an interval, e.g. from an age).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Optional

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DateSpan:
    """Every day from `earliest` to `latest` (both included) is possible; `precision` says what was said."""

    earliest: dt.date
    latest: dt.date
    precision: str  # "month" | "year" | "range"

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise ValueError("earliest after latest")

    # ------------------------------------------------------------------ construction
    @classmethod
    def month(cls, year: int, month: int) -> "DateSpan":
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), "month")

    @classmethod
    def year(cls, year: int) -> "DateSpan":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    def clip_to(self, last: dt.date) -> "DateSpan | dt.date":
        """Drop the days after `last` (a birth "this month" cannot be later than today)."""
        if self.latest <= last:
            return self
        if self.earliest == last:
            return last
        return DateSpan(self.earliest, last, self.precision)

    def shift(self, fn) -> "DateSpan":
        """Apply a monotone date function (an offset in months) to both ends."""
        lo, hi = fn(self.earliest), fn(self.latest)
        return DateSpan(min(lo, hi), max(lo, hi), self.precision)

    # ------------------------------------------------------------------ text
    def iso(self) -> str:
        if self.precision == "month" and self.earliest.day == 1 and self.latest == DateSpan.month(
                self.earliest.year, self.earliest.month).latest:
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        if self.precision == "year" and (self.earliest.month, self.earliest.day, self.latest.month,
                                         self.latest.day) == (1, 1, 12, 31) and self.earliest.year == self.latest.year:
            return f"{self.earliest.year:04d}"
        return f"{self.earliest.isoformat()}/{self.latest.isoformat()}"

    def cn(self) -> str:
        """Chinese text of what is known: "2024年3月", "2025年", "2024年4月29日至2024年5月28日之间"."""
        lo, hi = self.earliest, self.latest
        if self.precision == "month" and (lo.year, lo.month) == (hi.year, hi.month):
            return f"{lo.year}年{lo.month}月"
        if self.precision == "month":
            months = (hi.year * 12 + hi.month) - (lo.year * 12 + lo.month)
            tail = f"{hi.month}月" if hi.year == lo.year else f"{hi.year}年{hi.month}月"
            return f"{lo.year}年{lo.month}月或{tail}" if months == 1 else f"{lo.year}年{lo.month}月到{tail}间"
        if self.precision == "year" and lo.year == hi.year:
            return f"{lo.year}年"
        return f"{lo.year}年{lo.month}月{lo.day}日至{hi.year}年{hi.month}月{hi.day}日之间"

    def __str__(self) -> str:
        return self.iso()


def parse_span(value: Any) -> Optional["DateSpan | dt.date"]:
    """ "2024-03-15" → date; "2024-03" / "2024" / "a/b" → DateSpan; anything else None (invalid)."""
    if isinstance(value, DateSpan):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        if _DAY.match(value):
            return dt.date.fromisoformat(value)
        m = _MONTH.match(value)
        if m:
            return DateSpan.month(int(m.group(1)), int(m.group(2)))
        m = _YEAR.match(value)
        if m:
            return DateSpan.year(int(m.group(1)))
        if value.count("/") == 1:
            left, right = (parse_span(part) for part in value.split("/"))
            if left is None or right is None or isinstance(left, DateSpan) and left.precision == "range":
                return None
            lo = left.earliest if isinstance(left, DateSpan) else left
            hi = right.latest if isinstance(right, DateSpan) else right
            return DateSpan(lo, hi, "range") if lo < hi else (lo if lo == hi else None)
    except ValueError:
        return None
    return None


def ends(value: Any) -> tuple[Any, Any]:
    """(earliest, latest) of a span, (value, value) for anything else."""
    if isinstance(value, DateSpan):
        return value.earliest, value.latest
    return value, value
