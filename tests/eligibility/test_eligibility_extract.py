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
    assert result["unknown"] == case.get("unknown", [])


def test_programs_mentioned():
    assert extract_facts("我家宝宝2024年3月出生，能领育儿补贴吗", TODAY)["programs"] == ["childcare_subsidy"]
    both = extract_facts("残疾人两项补贴怎么申请", TODAY)["programs"]
    assert set(both) == {"disability_living_allowance", "disability_care_allowance"}
    assert extract_facts("今天天气怎么样", TODAY) == {"facts": {}, "unknown": [], "programs": [], "correction": False,
                                               "approximate": [], "hedged": {}, "children": None, "unborn": False}


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
    ("孩子两岁半了，能领育儿补贴吗", "2024-04-29/2024-05-28"),
    ("宝宝8个月大", "2026-03-01/2026-03-28"),
    ("我家娃1岁8个月", "2025-03-01/2025-03-28"),
    ("娃4岁了", "2021-11-29/2022-11-28"),
    ("宝宝2024年3月出生", "2024-03"),
    ("孩子2023年生的", "2023"),
])
def test_child_age_or_month_is_a_span_never_an_invented_day(text, birth):
    result = extract_facts(text, TODAY)
    assert result["facts"] == {"child_birth_date": birth}
    assert result["approximate"] == ["child_birth_date"]


def test_month_precision_is_counted_by_month_in_the_engine():
    facts = extract_facts("宝宝2024年3月出生", TODAY)["facts"]
    result = get_engine().evaluate("childcare_subsidy", facts, TODAY)
    assert result["amount"]["value"] == 7800
    assert "2025年1月至2027年2月" in result["amount"]["note"]
    assert any("只说到了月份" in a for a in result["assumed"])


def test_age_four_cannot_be_decided_and_asks_the_date():
    facts = extract_facts("娃4岁了，能领育儿补贴吗", TODAY)["facts"]
    result = get_engine().evaluate("childcare_subsidy", facts, TODAY)
    assert result["outcome"] == "needs_more_info"
    assert result["missing_facts"] == ["child_birth_date"]
    assert any("按您说的推算" in a and "之间" in a for a in result["assumed"])   # a span, no day assumed


@pytest.mark.parametrize("text,asking,fact,said", [
    ("好像是三级", "disability_level", "disability_level", "好像是三级"),
    ("大概两年吧", "unemployment_insurance_months", "unemployment_insurance_months", "大概两年吧"),
    ("有残疾证，应该是二级", None, "disability_level", "应该是二级"),
])
def test_hedges_take_the_value_and_are_kept(text, asking, fact, said):
    result = extract_facts(text, TODAY, asking)
    assert fact in result["facts"]
    assert result["hedged"] == {fact: said}
    assert result["unknown"] == []


def test_no_hedge_no_flag():
    assert extract_facts("三级", TODAY, "disability_level")["hedged"] == {}


@pytest.mark.parametrize("text,count", [("双胞胎，2025年3月出生的", 2), ("家里两个娃，都是2024年生的", 2),
                                        ("大的2023年5月，小的2025年3月出生", 2), ("我家宝宝2024年3月出生", None)])
def test_several_children(text, count):
    children = extract_facts(text, TODAY)["children"]
    assert (children or {}).get("count") == count


def test_two_birth_dates_are_both_kept():
    children = extract_facts("大的2023年5月出生，小的2025年3月出生", TODAY)["children"]
    assert children["birth_dates"] == ["2023-05", "2025-03"]


@pytest.mark.parametrize("text,unborn", [("还没生呢，预产期是明年3月", True), ("我怀孕了，生了以后能领吗", True),
                                         ("孩子去年生的", False)])
def test_unborn_child(text, unborn):
    result = extract_facts(text, TODAY)
    assert result["unborn"] is unborn
    assert "child_birth_date" not in result["facts"] or not unborn


def test_exact_birth_date_is_not_approximate():
    assert extract_facts("孩子2024年3月15日出生", TODAY)["approximate"] == []


def test_age_without_child_context_is_ignored():
    assert extract_facts("我今年三十岁", TODAY)["facts"] == {}


@pytest.mark.parametrize("text", ["两个都问问", "都问问吧", "两项都帮我测测", "两个都想了解一下", "两项补贴"])
def test_both_disability_allowances(text):
    assert set(extract_facts(text, TODAY)["programs"]) == {"disability_living_allowance", "disability_care_allowance"}


@pytest.mark.parametrize("text", ["两个都能领吗", "育儿补贴和技能提升补贴两个都问问"])
def test_both_is_not_a_combination_question_or_other_programs(text):
    programs = set(extract_facts(text, TODAY)["programs"])
    assert programs != {"disability_living_allowance", "disability_care_allowance"}


def test_two_children_by_age_are_both_kept():
    children = extract_facts("两个娃，一个3岁一个1岁", TODAY)["children"]
    assert children == {"count": 2, "birth_dates": ["2022-11-29/2023-11-28", "2024-11-29/2025-11-28"]}


def test_still_receiving_counts_for_the_orphan_allowance_only_when_it_is_the_topic():
    """"低保领着" is about 低保; "领着呢" answers the orphan question only when asked or when 孤儿 is said."""
    assert "receives_orphan_allowance" not in extract_facts("低保领着还能再拿生活补贴吗", TODAY)["facts"]
    assert extract_facts("领着呢", TODAY, asking="receives_orphan_allowance")["facts"] == \
        {"receives_orphan_allowance": True}
    assert extract_facts("孤儿的钱一直领着", TODAY)["facts"]["receives_orphan_allowance"] is True


def test_a_certificate_named_in_passing_answers_the_certificate_question():
    """"考了个中级电工证" answers "是否已经取得证书" when asked, or beside 培训; alone it is only the level."""
    assert extract_facts("考了个中级电工证", TODAY, asking="obtained_certificate")["facts"]["obtained_certificate"] is True
    assert "obtained_certificate" not in extract_facts("交了两年失业保险，考了个中级证", TODAY)["facts"]


@pytest.mark.parametrize("text, birth", [("闺女今年六月刚满三岁", "2023-06"), ("闺女去年8月满的两岁", "2023-08"),
                                         ("娃今年3月满周岁", "2025-03"),
                                         ("俺娃这个月3号刚满三岁", "2023-11-03"), ("娃上个月刚满两岁", "2024-10")])
def test_the_month_of_a_birthday_is_not_the_birth_month(text, birth):
    """"今年六月刚满三岁" was read as born in June this year: the birthday gives the birth month N years back."""
    assert extract_facts(text, dt.date(2026, 11, 30))["facts"]["child_birth_date"] == birth


@pytest.mark.parametrize("text", ["一个娃从生下来到三岁能领多少育儿补贴", "育儿补贴领到三岁吗"])
def test_an_age_limit_is_not_the_childs_age(text):
    assert "child_birth_date" not in extract_facts(text, dt.date(2026, 11, 30))["facts"]


@pytest.mark.parametrize("text", ["夜来听邻居说娃满了月就能领育儿补贴", "昨天看到新闻说娃的补贴涨了", "俺前天打电话问了 娃的补贴还没批"])
def test_the_day_of_hearing_is_no_birth_date(text):
    """"夜来听邻居说…": the day the resident heard it, not the day a child was born."""
    assert "child_birth_date" not in extract_facts(text, dt.date(2026, 11, 30))["facts"]
    assert extract_facts("娃夜来生的", dt.date(2026, 11, 30))["facts"]["child_birth_date"] == "2026-11-29"


@pytest.mark.parametrize("text, need", [("出门做饭都得老伴帮着，好多年了", True), ("瘫在床上全靠老伴伺候", True),
                                        ("一直得老汉照顾，两三年了", True),
                                        ("吃着药呢，平时稳当，自己能出门赶集，不用专门有人看", False), ("他不用有人看着", False)])
def test_care_said_in_a_residents_words(text, need):
    facts = extract_facts(text, dt.date(2026, 11, 30), asking="needs_long_term_care")["facts"]
    assert facts["needs_long_term_care"] is need


@pytest.mark.parametrize("text,asking,name", [
    ("俺爹前年出车祸少了一条腿，没去办过残疾证，能领残疾人补贴不", None, "has_disability_certificate"),
    ("别的都能自己弄，就是说不了话，不用专门有人照顾", "needs_long_term_care", "needs_long_term_care"),
])
def test_a_no_with_a_verb_or_adverb_between_still_denies(text, asking, name):
    """"没去办过", "不用专门有人…": the no stands a word or two before the yes-word and still denies it."""
    facts = extract_facts(text, dt.date(2026, 11, 30), asking=asking)["facts"]
    assert facts[name] is False


def test_an_age_said_of_this_year_is_no_second_birth():
    # "今年快五岁了": the year of the age; the one child was born on the day given
    out = extract_facts("我外孙女是二零二一年十二月二十号生的今年快五岁了听人说有三千六的补贴我们能不能领",
                        today=dt.date(2026, 12, 1))
    assert out["facts"]["child_birth_date"] == "2021-12-20" and out["children"] is None


def test_the_date_of_a_birthday_of_an_age_gives_the_birth_that_many_years_before():
    out = extract_facts("闺女三岁生日是24年年底，就差那么几天到25年，育儿补贴还能沾上边不", today=dt.date(2026, 12, 1))
    assert out["facts"]["child_birth_date"] == "2021-12" and out["children"] is None
    out = extract_facts("娃3岁生日是2025年3月5号", today=dt.date(2026, 12, 1))
    assert out["facts"]["child_birth_date"] == "2022-03-05"


def test_a_new_certificate_after_another_level_was_claimed_keeps_its_own_level_and_date():
    out = extract_facts("之前中级证领过补贴，今年7月又考了三级，这回还能领不", today=dt.date(2026, 12, 1))["facts"]
    assert out == {"certificate_issue_date": "2026-07", "claimed_same_level_before": False,
                   "certificate_level": "advanced"}
    out = extract_facts("前年拿初级证时领过一次补贴，今年又考了中级，还能领不？", today=dt.date(2026, 12, 1))["facts"]
    assert out["certificate_issue_date"] == "2026" and out["certificate_level"] == "intermediate"


def test_a_place_said_before_the_hukou_clause_is_where_one_lives_not_the_hukou():
    out = extract_facts("俺嫁到阳城好多年了户口还在河北，有残疾证，那边是低保", today=dt.date(2026, 12, 1))["facts"]
    assert out["hukou_in_shanxi"] is False
    assert extract_facts("河北邢台户口在太原打工", today=dt.date(2026, 12, 1))["facts"]["hukou_in_shanxi"] is False


@pytest.mark.parametrize("text", ["俺开个小饭馆，学了厨师证，培训的钱国家给报不", "个体户学手艺有培训补贴吗"])
def test_the_self_employed_are_none_of_the_five_categories(text):
    assert extract_facts(text, today=dt.date(2026, 12, 1))["facts"].get("person_category") == "other"


def test_a_shop_one_means_to_open_is_no_kind_of_person_yet():
    assert "person_category" not in extract_facts("想在芮城开个小店，参加创业培训有补贴不",
                                                  today=dt.date(2026, 12, 1))["facts"]
