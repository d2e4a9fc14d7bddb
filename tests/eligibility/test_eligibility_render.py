"""Chat messages: plain outcome, reasons, amount with its note, 文号, next steps or the next question."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.eligibility.engine import get_engine
from bot.eligibility.render import fact_question, render_result, render_summary, unknown_help

TODAY = dt.date(2026, 11, 28)


def _eval(program, facts):
    return get_engine().evaluate(program, facts, TODAY)


def test_eligible_skills_message():
    text = render_result(_eval("skills_upgrade_subsidy", {
        "unemployment_insurance_months": 24, "certificate_level": "intermediate",
        "certificate_issue_date": "2026-10-01", "claimed_same_level_before": False}))
    assert text.startswith("【技能提升补贴】")
    assert "您符合" in text
    assert "失业保险累计缴费24个月，满足“累计缴费满12个月”的条件" in text
    assert "不超过1500元" in text and "参考标准" in text and "以山西省及当地最新公布标准为准" in text
    assert "人社部发〔2017〕40号" in text
    assert "掌上12333" in text


def test_childcare_message_has_total_and_document():
    text = render_result(_eval("childcare_subsidy", {"child_birth_date": "2024-03-01"}))
    assert "7800元" in text and "26个月" in text
    assert "育儿补贴制度实施方案" in text


def test_not_eligible_message_has_hint_and_hotline_but_no_open_questions():
    text = render_result(_eval("disability_care_allowance", {
        "has_disability_certificate": True, "disability_level": 3, "disability_type": "physical"}))
    assert "暂不符合" in text
    assert "如果残疾等级被评定为一级或二级，且需要长期照护，可申请护理补贴" in text
    assert "国发〔2015〕52号" in text and "12385" in text
    assert "尚不清楚" not in text


def test_no_amount_is_invented_for_disability_programs():
    text = render_result(_eval("disability_living_allowance", {
        "has_disability_certificate": True, "household_dibao": True,
        "receives_orphan_allowance": False, "hukou_in_shanxi": True}))
    assert "省级人民政府确定" in text
    assert "元" not in text.replace("单元", "")


def test_needs_more_info_asks_most_decisive_question():
    result = _eval("skills_upgrade_subsidy", {"unemployment_insurance_months": 24,
                                              "certificate_level": "intermediate",
                                              "certificate_issue_date": "2026-10-01"})
    text = render_result(result)
    assert text.endswith(fact_question("skills_upgrade_subsidy", "claimed_same_level_before"))


def test_summary_lists_each_program():
    facts = {"has_disability_certificate": True, "disability_level": 2, "needs_long_term_care": True,
             "disability_type": "physical", "household_dibao": True, "hukou_in_shanxi": True,
             "receives_orphan_allowance": False, "child_birth_date": "2025-02-01"}
    results = [_eval(p, facts) for p in ("disability_living_allowance", "disability_care_allowance", "childcare_subsidy")]
    text = render_summary(results)
    assert "困难残疾人生活补贴：符合申领条件" in text
    assert "重度残疾人护理补贴：符合申领条件" in text
    assert "育儿补贴：符合申领条件（每孩每年3600元" in text
    partial = render_summary([_eval("disability_living_allowance", {"has_disability_certificate": True})])
    assert "请先告诉我：是否为低保家庭" in partial


def test_questions_for_resident_and_staff_differ():
    resident = fact_question("disability_care_allowance", "disability_level")
    staff = fact_question("disability_care_allowance", "disability_level", audience="staff")
    assert resident != staff and "级" in resident and "级" in staff
    with pytest.raises(KeyError):
        fact_question("disability_care_allowance", "child_birth_date")


def test_unknown_help_says_how_to_find_out():
    assert "残疾人证" in unknown_help("disability_level") and "残联" in unknown_help("disability_level")
    assert "12333" in unknown_help("unemployment_insurance_months")


def test_unknown_facts_are_not_asked_again_and_best_partial_result_is_given():
    from bot.eligibility.render import next_fact
    result = _eval("disability_care_allowance", {"has_disability_certificate": True, "needs_long_term_care": True,
                                                  "hukou_in_shanxi": True})
    assert next_fact(result) == "disability_level"
    assert next_fact(result, skip=["disability_level"]) == "disability_type"
    text = render_result(result, skip=["disability_level", "disability_type"])
    assert "目前还无法确定" in text
    assert unknown_help("disability_level") in text
    assert fact_question("disability_care_allowance", "disability_level") not in text


def test_suggestions_line_uses_chinese_names():
    from bot.eligibility.render import render_suggestions
    assert render_suggestions([]) == ""
    line = render_suggestions(["childcare_subsidy", "disability_living_allowance"])
    assert "育儿补贴、困难残疾人生活补贴" in line and "childcare_subsidy" not in line


# ---------------------------------------------------------------- forms that follow the resident
from bot.eligibility.render import render_results  # noqa: E402

AS_OF = "2026-11-28"


def _childcare(facts):
    from bot.eligibility.engine import get_engine
    return [get_engine().evaluate("childcare_subsidy", facts, AS_OF)]


def test_twins_get_the_amount_per_child_and_in_total():
    facts = {"child_birth_date": "2025-03"}
    text = render_results(_childcare(facts), facts, children={"count": 2, "birth_dates": ["2025-03"]}, as_of=AS_OF)
    assert "您家有2个孩子" in text
    assert text.count("3600元/年") >= 2 and "合计：7200元/年" in text


def test_two_children_with_different_birth_months_are_each_counted():
    facts = {"child_birth_date": "2023-05"}
    text = render_results(_childcare(facts), facts, children={"count": 2, "birth_dates": ["2023-05", "2025-03"]},
                          as_of=AS_OF)
    assert "第1个孩子（出生于2023年5月）：符合申领条件，4800元" in text
    assert "第2个孩子（出生于2025年3月）：符合申领条件，3600元/年" in text
    assert "合计：4800元，另加3600元/年" in text


def test_unborn_child_is_told_when_and_how_after_birth():
    text = render_results(_childcare({}), {}, unborn=True, as_of=AS_OF)
    assert "还没有出生，现在还不能申领" in text
    assert "出生后" in text and "卫生健康部门" in text and "3600" in text
    assert "请问宝宝是哪年哪月哪日出生的" not in text


def test_hedged_answer_is_shown_as_to_be_checked():
    from bot.eligibility.engine import get_engine
    facts = {"has_disability_certificate": True, "disability_level": 3, "disability_type": "mental",
             "needs_long_term_care": True, "hukou_in_shanxi": True}
    result = get_engine().evaluate("disability_care_allowance", facts, AS_OF)
    text = render_results([result], facts, hedged={"disability_level": "好像是三级"}, as_of=AS_OF)
    assert "（您说好像是三级，请以残疾人证上评定的等级为准）" in text
    plain = render_results([result], facts, as_of=AS_OF)
    assert "您说" not in plain


def test_month_precision_says_which_months_were_counted():
    facts = {"child_birth_date": "2024-03"}
    text = render_results(_childcare(facts), facts, as_of=AS_OF)
    assert "2025年1月至2027年2月，共26个月" in text and "7800元" in text
    assert "只说到了月份（2024年3月）" in text
    assert "2024年3月1日" not in text
