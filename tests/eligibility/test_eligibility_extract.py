"""Free-text extraction: several facts from one sentence, answers to the asked fact, 不知道, corrections."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.eligibility.engine import get_engine
from bot.eligibility.extract import cross_suggestions, extract_facts, programs_touched

TODAY = dt.date(2026, 11, 28)


EXTRACTION = yaml.safe_load((Path(__file__).parent / "extraction_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", EXTRACTION["cases"], ids=[c["text"] for c in EXTRACTION["cases"]])
def test_extract(case):
    text, asking, facts = case["text"], case["asking"], case["facts"]
    result = extract_facts(text, TODAY, asking)
    assert result["facts"] == facts
    assert result["unknown"] == []


def test_programs_mentioned():
    assert extract_facts("我家宝宝2024年3月出生，能领育儿补贴吗", TODAY)["programs"] == ["childcare_subsidy"]
    both = extract_facts("残疾人两项补贴怎么申请", TODAY)["programs"]
    assert set(both) == {"disability_living_allowance", "disability_care_allowance"}
    assert extract_facts("今天天气怎么样", TODAY) == {"facts": {}, "unknown": [], "programs": [], "correction": False,
                                               "approximate": []}


@pytest.mark.parametrize("text", ["不知道", "不清楚", "记不清了"])
def test_unknown_marks_the_asked_fact(text):
    result = extract_facts(text, TODAY, asking="disability_level")
    assert result["unknown"] == ["disability_level"]
    assert result["facts"] == {}


def test_correction_updates_level_and_is_flagged():
    result = extract_facts("不对，是三级", TODAY, asking="needs_long_term_care")
    assert result["correction"] is True
    assert result["facts"] == {"disability_level": 3}   # "不对" is not a "no" to the asked question


def test_correction_updates_result():
    engine = get_engine()
    facts = {"has_disability_certificate": True, "disability_level": 2, "needs_long_term_care": True,
             "disability_type": "physical", "hukou_in_shanxi": True}
    assert engine.evaluate("disability_care_allowance", facts, TODAY)["outcome"] == "eligible"
    facts.update(extract_facts("不对，是三级", TODAY)["facts"])
    assert engine.evaluate("disability_care_allowance", facts, TODAY)["outcome"] == "not_eligible"


def test_certificate_words_do_not_leak_into_disability_certificate():
    facts = extract_facts("上个月考了中级电工证", TODAY)["facts"]
    assert "has_disability_certificate" not in facts and "disability_level" not in facts


def test_future_dates_are_not_filled():
    assert "child_birth_date" not in extract_facts("孩子2027年3月出生", TODAY)["facts"]


def test_extracted_facts_evaluate_without_error():
    engine = get_engine()
    facts = extract_facts("交了两年失业保险，上个月考了中级电工证，有补贴吗", TODAY)["facts"]
    result = engine.evaluate("skills_upgrade_subsidy", facts, TODAY)
    assert result["outcome"] == "needs_more_info"
    assert result["missing_facts"] == ["claimed_same_level_before"]
    facts.update(extract_facts("没领过", TODAY, asking="claimed_same_level_before")["facts"])
    result = engine.evaluate("skills_upgrade_subsidy", facts, TODAY)
    assert result["outcome"] == "eligible" and result["amount"]["value"] == 1500


def test_programs_touched_and_cross_suggestions():
    facts = extract_facts("我是二级肢体残疾，有残疾证，家里低保户，需要人长期照顾", TODAY)["facts"]
    assert programs_touched(facts) == ["disability_care_allowance", "disability_living_allowance"]
    facts["child_birth_date"] = "2025-02-01"
    assert "childcare_subsidy" in programs_touched(facts)
    suggestions = cross_suggestions(facts, "disability_care_allowance", TODAY)
    assert suggestions == ["childcare_subsidy", "disability_living_allowance"]
    # a child already 3 is not suggested
    facts["child_birth_date"] = "2020-01-01"
    assert "childcare_subsidy" not in cross_suggestions(facts, "disability_care_allowance", TODAY)


@pytest.mark.parametrize("text,birth", [
    ("孩子两岁半了，能领育儿补贴吗", "2024-05-28"),
    ("宝宝8个月大", "2026-03-28"),
    ("我家娃1岁8个月", "2025-03-28"),
    ("宝宝2024年3月出生", "2024-03-01"),
])
def test_child_age_or_month_is_an_approximate_birth_date(text, birth):
    result = extract_facts(text, TODAY)
    assert result["facts"] == {"child_birth_date": birth}
    assert result["approximate"] == ["child_birth_date"]


def test_exact_birth_date_is_not_approximate():
    assert extract_facts("孩子2024年3月15日出生", TODAY)["approximate"] == []


def test_age_without_child_context_is_ignored():
    assert extract_facts("我今年三十岁", TODAY)["facts"] == {}
