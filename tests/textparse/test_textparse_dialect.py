"""Shanxi (Jin) words: each read as standard Mandarin, each entry backed by a recorded published source."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.eligibility.extract import extract_facts
from bot.textparse import dialect, find_dates, parse_date, to_standard

TODAY = dt.date(2026, 11, 28)


def test_every_entry_cites_a_registered_source_with_an_address():
    sources = dialect.sources()
    assert dialect.entries()
    for entry in dialect.entries():
        assert entry.source in sources
        assert re.match(r"https?://", sources[entry.source]["url"])
        assert sources[entry.source]["title"].strip()


@pytest.mark.parametrize("text,standard", [
    ("俺家娃年时出生的，能领甚补贴", "我家孩子去年出生的，能领什么补贴"),
    ("夜来刚办的证", "昨天刚办的证"),
    ("两个娃娃", "两个孩子"),
    ("你做甚咧", "你做什么咧"),
    ("咋办理", "怎么办理"),
    ("日子过得恓惶", "日子过得可怜"),
    ("俺是受苦人", "我是农民"),
    ("前晌去的，后晌回来", "上午去的，下午回来"),
    ("今年个五月", "今年五月"),
    ("圪蹴下", "蹲下"),
])
def test_dialect_words_read_as_standard(text, standard):
    assert to_standard(text) == standard


@pytest.mark.parametrize("text", ["甚至连证都没有", "欺人太甚", "这小子", "今天天气好", ""])
def test_standard_words_are_left_alone(text):
    assert to_standard(text) == text


def test_idempotent():
    text = "俺娃年时生的，甚时候能领"
    assert to_standard(to_standard(text)) == to_standard(text)


@pytest.mark.parametrize("word,expected,precision", [
    ("年时", dt.date(2025, 1, 1), "year"),
    ("年时个", dt.date(2025, 1, 1), "year"),
    ("年省", dt.date(2025, 1, 1), "year"),
    ("夜来", dt.date(2026, 11, 27), "day"),
    ("业赖个", dt.date(2026, 11, 27), "day"),
    ("前以个", dt.date(2026, 11, 26), "day"),
    ("今年个", dt.date(2026, 1, 1), "year"),
])
def test_dialect_relative_dates(word, expected, precision):
    found = parse_date(f"{word}办的", TODAY)
    assert (found.date, found.precision) == (expected, precision)


def test_dialect_month_after_relative_year():
    assert find_dates("年时三月生的", TODAY)[0].date == dt.date(2025, 3, 1)


def test_dialect_in_fact_extraction():
    result = extract_facts("俺家娃年时三月生的，能领甚补贴", TODAY)
    assert result["facts"] == {"child_birth_date": "2025-03"}
    assert extract_facts("夜来拿到的中级证", TODAY)["facts"]["certificate_issue_date"] == "2026-11-27"


def test_heldout_evaluation_reads_lines_as_the_service_does(tmp_path):
    from bot.build import nlu_eval
    from bot.text_normalize import read_line
    assert read_line("俺娃年時生的") == "我孩子去年生的"     # traditional 時 normalised first, then dialect
    src, dst = tmp_path / "in.yml", tmp_path / "out.yml"
    src.write_text('version: "3.1"\nnlu:\n- intent: ask_eligibility\n  examples: |\n    - 俺娃年时生的，能领甚补贴\n',
                   encoding="utf-8")
    assert nlu_eval.normalize_file(src, dst) == 0   # exit code
    assert "我孩子去年生的，能领什么补贴" in dst.read_text(encoding="utf-8")
