"""General program answers composed from the rules files' info blocks: the sourced fact, ≤5 lines, the button."""
from __future__ import annotations

import json

import pytest

from bot.eligibility.engine import get_engine
from bot.program_info import ASPECTS, program_answer

PROGRAMS = ["disability_living_allowance", "disability_care_allowance", "childcare_subsidy",
            "skills_upgrade_subsidy", "vocational_training_subsidy"]

# What each program × aspect answer must state (from the reference sheet), beyond the button and the limit.
EXPECTED: dict[tuple[str, str], list[str]] = {
    ("childcare_subsidy", "what"): ["3周岁以下", "2025年1月1日"],
    ("childcare_subsidy", "who"): ["未满3周岁", "折算"],
    ("childcare_subsidy", "amount"): ["3600", "300", "满3周岁"],
    ("childcare_subsidy", "duration"): ["满3周岁", "满3周岁前的月份"],
    ("childcare_subsidy", "how_to_apply"): ["卫生健康部门", "12320"],
    ("childcare_subsidy", "where"): ["卫生健康部门"],
    ("childcare_subsidy", "documents"): ["没有列明", "12320"],
    ("childcare_subsidy", "deadline"): ["当地规定", "尽早"],
    ("childcare_subsidy", "combine"): ["每个孩子分别计发"],
    ("childcare_subsidy", "difference"): ["专项附加扣除"],
    ("childcare_subsidy", "tax_income"): ["免征个人所得税", "不计入低保等家庭收入"],
    ("childcare_subsidy", "related"): ["每月2000元", "乳儿班（6至12个月）", "托小班（12至24个月）",
                                       "托大班（24至36个月）", "2至3岁"],
    ("disability_living_allowance", "what"): ["低保家庭"],
    ("disability_living_allowance", "who"): ["第二代《中华人民共和国残疾人证》", "低保家庭", "低收入", "孤儿"],
    ("disability_living_allowance", "amount"): ["省级人民政府确定", "以山西省及当地公布为准"],
    ("disability_living_allowance", "duration"): ["没有写明", "12385"],
    ("disability_living_allowance", "how_to_apply"): ["户籍所在地乡镇人民政府（街道办事处）", "全程网办", "跨省通办"],
    ("disability_living_allowance", "where"): ["户籍所在地乡镇人民政府（街道办事处）", "残联"],
    ("disability_living_allowance", "documents"): ["第二代残疾人证", "没有列明", "12385"],
    ("disability_living_allowance", "deadline"): ["没有规定统一的申请期限", "12385"],
    ("disability_living_allowance", "combine"): ["同时申领"],
    ("disability_living_allowance", "difference"): ["低保家庭"],
    ("disability_living_allowance", "tax_income"): ["没有说明", "12345"],
    ("disability_living_allowance", "related"): ["相关政策"],
    ("disability_care_allowance", "what"): ["一级、二级", "长期照护"],
    ("disability_care_allowance", "who"): ["一级或二级", "6个月以上", "智力、精神"],
    ("disability_care_allowance", "amount"): ["省级人民政府确定"],
    ("disability_care_allowance", "duration"): ["没有写明", "12385"],
    ("disability_care_allowance", "how_to_apply"): ["户籍所在地乡镇人民政府（街道办事处）", "全程网办"],
    ("disability_care_allowance", "where"): ["户籍所在地乡镇人民政府（街道办事处）"],
    ("disability_care_allowance", "documents"): ["没有列明", "12385"],
    ("disability_care_allowance", "deadline"): ["12385"],
    ("disability_care_allowance", "combine"): ["同时申领"],
    ("disability_care_allowance", "difference"): ["一级、二级"],
    ("disability_care_allowance", "tax_income"): ["没有说明"],
    ("disability_care_allowance", "related"): ["相关政策"],
    ("skills_upgrade_subsidy", "what"): ["失业保险", "职业技能等级证书"],
    ("skills_upgrade_subsidy", "who"): ["12个月", "初级（五级）", "只能申领一次"],
    ("skills_upgrade_subsidy", "amount"): ["1000", "1500", "2000", "不超过", "以山西省及当地最新公布标准为准"],
    ("skills_upgrade_subsidy", "duration"): ["只能领一次"],
    ("skills_upgrade_subsidy", "how_to_apply"): ["参保地失业保险经办机构", "国家社会保险公共服务平台", "掌上12333"],
    ("skills_upgrade_subsidy", "where"): ["参保地失业保险经办机构"],
    ("skills_upgrade_subsidy", "documents"): ["没有列明", "12333"],
    ("skills_upgrade_subsidy", "deadline"): ["12个月内"],
    ("skills_upgrade_subsidy", "combine"): ["只能申领一次"],
    ("skills_upgrade_subsidy", "difference"): ["失业保险"],
    ("skills_upgrade_subsidy", "tax_income"): ["没有说明", "12333"],
    ("skills_upgrade_subsidy", "related"): ["相关政策"],
    ("vocational_training_subsidy", "what"): ["五类人员", "证书"],
    ("vocational_training_subsidy", "who"): ["农村转移就业劳动者", "城镇登记失业人员", "培训合格证书"],
    ("vocational_training_subsidy", "amount"): ["山西省及当地确定", "12333"],
    ("vocational_training_subsidy", "duration"): ["没有写明", "12333"],
    ("vocational_training_subsidy", "how_to_apply"): ["县级人力资源和社会保障部门", "公共就业服务机构"],
    ("vocational_training_subsidy", "where"): ["县级人力资源和社会保障部门"],
    ("vocational_training_subsidy", "documents"): ["没有列明", "12333"],
    ("vocational_training_subsidy", "deadline"): ["没有写明", "12333"],
    ("vocational_training_subsidy", "combine"): ["技能提升补贴"],
    ("vocational_training_subsidy", "difference"): ["五类人员"],
    ("vocational_training_subsidy", "tax_income"): ["没有说明"],
    ("vocational_training_subsidy", "related"): ["相关政策", "电子培训券"],
}


def _check_button(answer: dict, program: str) -> None:
    payloads = [b["payload"] for b in answer["buttons"]]
    titles = [b["title"] for b in answer["buttons"]]
    assert "测一测我能不能领" in titles
    assert "/ask_eligibility" + json.dumps({"program": program}, ensure_ascii=False) in payloads


def test_every_program_and_aspect_is_expected():
    assert set(EXPECTED) == {(p, a) for p in PROGRAMS for a in ASPECTS}


@pytest.mark.parametrize("program,aspect", sorted(EXPECTED))
def test_answer_states_the_sourced_fact(program, aspect):
    answer = program_answer([program], [aspect])
    text = answer["text"]
    for needle in EXPECTED[(program, aspect)]:
        assert needle in text, (needle, text)
    assert len(text.splitlines()) <= 5, text
    assert all(line.strip() for line in text.splitlines())
    _check_button(answer, program)
    assert answer["programs"] == [program] and answer["aspects"] == [aspect]
    for c in answer["citations"]:
        assert set(c) >= {"doc_id", "section", "quote"} and all(c[k] for k in ("doc_id", "section", "quote"))
    if answer["citations"]:
        assert "依据：《" in text
    if aspect in {"where", "how_to_apply"}:
        assert {"title": "查找办理地点", "payload": "/find_service_point"} in answer["buttons"]
    else:
        assert all(b["payload"] != "/find_service_point" for b in answer["buttons"])


@pytest.mark.parametrize("program", PROGRAMS)
def test_overview_without_aspect_is_what_amount_and_how(program):
    answer = program_answer([program], [])
    assert answer["aspects"] == ["what", "amount", "how_to_apply"]
    assert len(answer["text"].splitlines()) <= 5
    _check_button(answer, program)


@pytest.mark.parametrize("program,aspect", [("childcare_subsidy", "amount"), ("skills_upgrade_subsidy", "deadline"),
                                            ("disability_care_allowance", "who")])
def test_asked_aspect_comes_first(program, aspect):
    first = program_answer([program], [aspect, "what"])["text"].splitlines()[0]
    alone = program_answer([program], [aspect])["text"].splitlines()[0]
    assert first.split("】")[-1].split("：", 1)[-1][:8] in alone


def test_childcare_amount_is_read_from_the_parameter(monkeypatch):
    """Change the parameter and the answer changes: the figure is not written a second time."""
    prog = get_engine().program("childcare_subsidy")
    values = prog.data["parameters"]["annual_amount"]["values"]
    monkeypatch.setitem(values[0], "value", 4800)
    text = program_answer(["childcare_subsidy"], ["amount"])["text"]
    assert "4800" in text and "3600" not in text


def test_disability_both_answers_both_allowances_once():
    answer = program_answer(["disability_both"], ["amount"])
    assert answer["programs"] == ["disability_living_allowance", "disability_care_allowance"]
    assert answer["text"].count("省级人民政府确定") == 1       # identical statements are given once
    assert "两项补贴" in answer["text"]
    _check_button(answer, "disability_both")


def test_combine_two_disability_allowances():
    answer = program_answer(["disability_living_allowance", "disability_care_allowance"], ["combine"])
    assert answer["text"].splitlines()[0].startswith("符合条件的残疾人可以同时申领")
    assert any(c["quote"] == "符合条件的残疾人可同时申领两项补贴" for c in answer["citations"])
    assert len(answer["text"].splitlines()) <= 5


def test_combine_without_a_source_says_so():
    answer = program_answer(["childcare_subsidy", "skills_upgrade_subsidy"], ["combine"])
    first = answer["text"].splitlines()[0]
    assert "没有说明" in first and "12333" in first and "12320" in first
    assert len(answer["text"].splitlines()) <= 5
    assert {b["payload"] for b in answer["buttons"]} >= {
        '/ask_eligibility{"program": "childcare_subsidy"}', '/ask_eligibility{"program": "skills_upgrade_subsidy"}'}


def test_difference_compares_both_programs():
    answer = program_answer(["skills_upgrade_subsidy", "vocational_training_subsidy"], ["difference"])
    lines = answer["text"].splitlines()
    assert lines[0].startswith("技能提升补贴") and "失业保险" in lines[0]
    assert lines[1].startswith("职业培训补贴") and "五类人员" in lines[1]
    assert len(lines) <= 5


def test_where_with_place_and_office_types_from_rules():
    answer = program_answer(["childcare_subsidy"], ["where"], place={"county": "小店区", "city": "太原市"})
    assert "小店区" in answer["text"] and "查找办理地点" in answer["text"]
    assert answer["office_types"] == get_engine().program("childcare_subsidy").data["office_types"]
    assert len(answer["text"].splitlines()) <= 5


def test_staff_wording_same_facts_with_hotline():
    resident = program_answer(["skills_upgrade_subsidy"], ["amount"])
    staff = program_answer(["skills_upgrade_subsidy"], ["amount"], audience="staff")
    for figure in ("1000", "1500", "2000"):
        assert figure in staff["text"] and figure in resident["text"]
    assert staff["text"] != resident["text"]
    assert "咨询热线：12333" in staff["text"] and "测一测" not in staff["text"]
    assert len(staff["text"].splitlines()) <= 5


def test_five_programs_still_fit_five_lines():
    answer = program_answer(PROGRAMS, ["amount"])
    assert len(answer["text"].splitlines()) <= 5
    for label in ("育儿补贴", "残疾人两项补贴", "技能提升补贴", "职业培训补贴"):
        assert label in answer["text"]


@pytest.mark.parametrize("programs,aspects", [(["no_such_program"], []), (["childcare_subsidy"], ["price"]), ([], [])])
def test_bad_arguments_raise(programs, aspects):
    with pytest.raises(ValueError):
        program_answer(programs, aspects)


def test_a_child_past_three_is_told_the_rule_and_other_benefits_are_unknown():
    from bot.understanding import read_line
    r = read_line("我家小子都上幼儿园小班了 那个育儿补贴还有他的份没")
    a = program_answer(r.programs, r.aspects, question=r.text)
    assert "满3周岁以后不再发放" in a["text"] and not a["unanswered"]
    r = read_line("三岁以上上幼儿园的娃有没有补贴，一年多少")
    assert program_answer(r.programs, r.aspects, question=r.text)["unanswered"]


def test_a_combination_no_source_states_is_said_alone():
    """"育儿补贴跟残疾人补贴能一块领不": the honest line only, not the twins rule or the disability pair's line."""
    answer = program_answer(["disability_both", "childcare_subsidy"], ["combine"],
                            question="双胞胎里一个是残疾娃 育儿补贴跟残疾人补贴能一块领不")
    assert answer["unanswered"] and "没有说明" in answer["text"], answer
    assert not any(ch.isdigit() for ch in answer["text"].replace("12385", "").replace("12345", "").replace("12320", ""))
    both = program_answer(["disability_both"], ["combine"], question="两项补贴能一块领不")
    assert not both["unanswered"] and "可以同时申领" in both["text"]


@pytest.mark.parametrize("line, program, title", [
    ("育兒補貼是哪個部門發的文件", "childcare_subsidy", "育儿补贴制度实施方案"),
    ("技能提升补贴的政策依据是啥", "skills_upgrade_subsidy", "人社部发〔2017〕40号"),
    ("护理补贴是谁定的政策", "disability_care_allowance", "国发〔2015〕52号"),
])
def test_which_document_a_program_rests_on(line, program, title):
    """"哪个部门发的文件": the first line names the program's own document, and it is cited."""
    from bot.understanding.reader import read_line
    r = read_line(line)
    assert program in r.programs
    answer = program_answer(r.programs, r.aspects, question=r.text)
    first = answer["text"].splitlines()[0]
    assert "政策依据" in first and title in first, answer["text"]
    assert answer["citations"], answer


def test_who_issued_the_scheme_and_when():
    """"那个方案是谁发的，多会儿出的": the document and its date, not where to apply."""
    from bot.understanding.reader import read_line
    r = read_line("育儿补贴那个方案是谁发的，多会儿出的")
    assert "where" not in r.aspects, r
    first = program_answer(r.programs, r.aspects, question=r.text)["text"].splitlines()[0]
    assert "中共中央办公厅" in first and "2025年7月" in first, first


def test_a_plain_where_question_names_no_document():
    answer = program_answer(["childcare_subsidy"], ["where"], question="育儿补贴去哪办")
    assert "政策依据" not in answer["text"]


def test_long_term_care_insurance_is_linked_not_the_same():
    """"护理补贴跟长护险是一回事吗": the plan's 衔接 line, then what the allowance itself is (一级、二级)."""
    from bot.understanding.reader import read_line
    r = read_line("护理补贴跟长护险是不是一回事")
    text = program_answer(r.programs, r.aspects, question=r.text)["text"]
    assert "衔接" in text and "一级、二级" in text, text


def test_an_aspect_no_source_settles_leads_and_the_other_is_related_content():
    """"补领最晚能补到哪年哪月" asks duration and deadline: the deadline, which no source settles, comes first;
    how long the subsidy runs follows only as related content, so no figure stands as the answer."""
    lines = program_answer(["childcare_subsidy"], ["duration", "deadline"],
                           question="山西育儿补贴补领最晚能补到哪年哪月")["text"].splitlines()
    assert "没有统一期限" in lines[0] and not any(ch.isdigit() for ch in lines[0].replace("12320", "").replace("12345", ""))
    assert lines[1].startswith("相关内容")


def test_a_child_already_three_asking_to_claim_late_gets_the_months_before_the_birthday():
    text = program_answer(["childcare_subsidy"], ["deadline"], question="娃前年就满三岁了 还能补领吗")["text"]
    assert "满3周岁前的月份" in text and "卫生健康部门" in text, text


def test_the_age_it_is_paid_until_is_no_time_limit_to_apply():
    from bot.understanding import find_aspects
    assert find_aspects("育儿补贴几岁截止") == ["duration"]
    text = program_answer(["childcare_subsidy"], ["duration"], question="育儿补贴几岁截止")["text"]
    assert "3周岁" in text and "申领时限" not in text, text


def test_when_a_programs_document_was_issued_is_answered_from_its_source():
    text = program_answer(["childcare_subsidy"], ["what"], question="育儿补贴的文件是啥时候发的")["text"]
    assert "发布于2025年7月" in text, text
    assert "2025年7月" not in program_answer(["childcare_subsidy"], ["what"])["text"]   # not in every citation
