"""Shanxi (Jin) colloquial words read as standard Mandarin: 夜来 → 昨天, 年时 → 去年, 甚 → 什么, 俺 → 我.

Many callers are elderly and speak 晋语. Every entry comes from a published glossary or dialect study,
recorded with its source in dialect.yml next to this module; nothing here is guessed.

    to_standard("俺家娃年时出生的，能领甚补贴")  == "我家孩子去年出生的，能领什么补贴"
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("dialect.yml")


@dataclass(frozen=True)
class Entry:
    dialect: str
    standard: str
    kind: str          # date | time | word
    source: str
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """The glossary, longest dialect word first; every entry's source must be registered."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    sources = data["sources"]
    out = []
    for item in data["entries"]:
        if item["source"] not in sources:
            raise ValueError(f"dialect.yml: {item['dialect']} cites unknown source {item['source']!r}")
        out.append(Entry(item["dialect"], item["standard"], item["kind"], item["source"],
                         tuple(item.get("not_before") or ()), tuple(item.get("not_after") or ())))
    return tuple(sorted(out, key=lambda e: -len(e.dialect)))


def sources() -> dict[str, dict]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))["sources"]


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    parts = []
    for e in entries():
        before = f"(?<![{''.join(map(re.escape, e.not_after))}])" if e.not_after else ""
        after = f"(?![{''.join(map(re.escape, e.not_before))}])" if e.not_before else ""
        parts.append(f"{before}{re.escape(e.dialect)}{after}")
    return re.compile("|".join(parts))


@functools.lru_cache(maxsize=1)
def _standard() -> dict[str, str]:
    return {e.dialect: e.standard for e in entries()}


_PAUSE = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])")


def pauses_to_commas(text: str) -> str:
    """"有残疾证 肢体三级 想问问": residents typing on a phone (or dictating) separate clauses with spaces;
    between Chinese characters a space is a pause, read as a comma ("交了 2 年" keeps its spaces)."""
    return _PAUSE.sub("，", text or "")


def to_standard(text: str) -> str:
    """The line with each dialect word replaced by its standard form (idempotent; other text unchanged)."""
    if not text:
        return text
    table = _standard()
    return _pattern().sub(lambda m: table[m.group(0)], text)


def date_words() -> dict[str, str]:
    """Dialect relative-date words → the standard word with the same meaning (年时 → 去年)."""
    return {e.dialect: e.standard for e in entries() if e.kind == "date"}
