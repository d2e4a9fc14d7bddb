"""Three-valued evaluation of the rules files' conditions and value expressions.

A fact that is absent is UNKNOWN, and a condition touching it is None (unknown) unless the rest
of the condition already settles it; the engine uses that to say which facts still matter.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

from bot.eligibility.loader import Program
from bot.eligibility.spans import DateSpan, ends


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later; a missing day (31st, 29 Feb) falls back to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def calendar_months(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start's month up to (not including) end's month, never negative."""
    return max(0, (end.year * 12 + end.month) - (start.year * 12 + start.month))


@dataclass
class Context:
    program: Program
    facts: dict[str, Any]
    as_of: dt.date
    variables: dict[str, Any] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)      # facts read while missing
    spanned: set[str] = field(default_factory=set)      # facts read while known only as a span of days

    def fact(self, name: str) -> Any:
        if name in self.facts:
            if isinstance(self.facts[name], DateSpan):
                self.spanned.add(name)
            return self.facts[name]
        self.touched.add(name)
        return UNKNOWN

    def param(self, name: str) -> Any:
        return self.program.param(name, self.as_of)


def value(expr: Any, ctx: Context) -> Any:
    """Evaluate a value expression; UNKNOWN when it depends on a missing fact."""
    if not isinstance(expr, dict):
        return expr
    if "param" in expr:
        val = ctx.param(expr["param"])
        if "key" in expr:
            key = value(expr["key"], ctx)
            return UNKNOWN if key is UNKNOWN else val.get(key, UNKNOWN)
        return val
    if "fact" in expr:
        val = ctx.fact(expr["fact"])
        return _offset(val, expr, ctx)
    if "derived" in expr:
        return value(ctx.program.data["derived"][expr["derived"]], ctx)
    if "var" in expr:
        return ctx.variables.get(expr["var"], UNKNOWN)
    if expr.get("as_of") is True:
        return ctx.as_of
    if "mul" in expr:
        result: Any = 1
        for sub in expr["mul"]:
            v = value(sub, ctx)
            if v is UNKNOWN:
                return UNKNOWN
            result *= v
        return result
    if "calendar_months" in expr:
        start = value(expr["calendar_months"]["from"], ctx)
        end = value(expr["calendar_months"]["to"], ctx)
        if start is UNKNOWN or end is UNKNOWN:
            return UNKNOWN
        counts = {calendar_months(a, b) for a in ends(start) for b in ends(end)}
        return counts.pop() if len(counts) == 1 else UNKNOWN
    if "month_of" in expr:
        day = value(expr["month_of"], ctx)
        if day is UNKNOWN:
            return UNKNOWN
        lo, hi = ends(day)
        first, last = DateSpan.month(lo.year, lo.month), DateSpan.month(hi.year, hi.month)
        return DateSpan(first.earliest, last.latest, "month")
    raise ValueError(f"unknown expression {expr!r}")


def _offset(val: Any, expr: dict, ctx: Context) -> Any:
    if val is UNKNOWN:
        return UNKNOWN
    steps = []
    if "offset_years" in expr:
        steps.append(12 * int(value(expr["offset_years"], ctx)))
    if "offset_months" in expr:
        steps.append(int(value(expr["offset_months"], ctx)))
    for months in steps:
        if isinstance(val, DateSpan):
            val = val.shift(lambda d, m=months: add_months(d, m))
        else:
            val = add_months(val, months)
    return val


_OPS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def condition(cond: dict, ctx: Context) -> Optional[bool]:
    """True / False, or None when missing facts leave it open (Kleene logic)."""
    if "all" in cond:
        results = [condition(c, ctx) for c in cond["all"]]
        return False if False in results else (None if None in results else True)
    if "any" in cond:
        results = [condition(c, ctx) for c in cond["any"]]
        return True if True in results else (None if None in results else False)
    if "not" in cond:
        r = condition(cond["not"], ctx)
        return None if r is None else not r
    op = next(k for k in cond if k in _OPS)
    left = ctx.as_of if cond.get("as_of") is True and "fact" not in cond else _offset(ctx.fact(cond["fact"]), cond, ctx)
    right = value(cond[op], ctx)
    if left is UNKNOWN or right is UNKNOWN:
        return None
    # A span of days decides a comparison only when every day in it gives the same answer.
    results = {bool(_OPS[op](a, b)) for a in ends(left) for b in ends(right)}
    return results.pop() if len(results) == 1 else None


def condition_facts(cond: Any) -> list[tuple[str, dict]]:
    """(fact, comparison) pairs inside a condition, for finding boundary values of a fact."""
    if not isinstance(cond, dict):
        return []
    out: list[tuple[str, dict]] = []
    for key in ("all", "any"):
        for sub in cond.get(key, []):
            out.extend(condition_facts(sub))
    if "not" in cond:
        out.extend(condition_facts(cond["not"]))
    if "fact" in cond:
        out.append((cond["fact"], cond))
    return out
