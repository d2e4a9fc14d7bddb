"""Specific questions get the statement that answers them, in our own wording (never the blind sets').

Each case names the one statement a correct first reply must contain; the reply is composed through the real
reader and the rules files' `info:` blocks (bot.program_info), exactly as `action_route` composes it.
"""
from __future__ import annotations

import datetime as dt

import re

import pytest

from bot.eligibility.extract import extract_facts
from bot.program_info import program_answer
from bot.textparse.dates import find_dates
from bot.understanding import NOT_IN_SOURCES, PERSONAL_CASE, PROGRAM_INFO, read_line

TODAY = dt.date(2026, 11, 29)


def answer(text: str) -> str:
    r = read_line(text, today=TODAY)
    assert r.programs, f"no program read in {text!r}"
    return program_answer(r.programs, r.aspects, question=r.text)["text"]


@pytest.mark.parametrize("text, must", [
    ("重度残疾人护理补贴里的长期照护，要持续多久才算", "6个月以上"),
    ("残疾人生活补贴哪一年开始有的", "2016年1月1日"),
    ("护理补贴只有旧版残疾证行不行", "第二代"),
    ("家里人能不能替残疾人去申请生活补贴", "委托人"),
    ("技能提升补贴拿了中级证补多少", "1500"),
    ("拿到五级证书，技能补贴给多少钱", "1000"),
    ("技能提升补贴同一个等级能领几回", "只能领一次"),
    ("技能提升补贴证书下来以后多久之内要申请", "12个月内"),
    ("育儿补贴从什么时候开始算", "2025年1月1日"),
    ("双胞胎的育儿补贴是按一份给还是两份", "每个孩子"),
    ("育儿补贴需不需要交税", "免征个人所得税"),
    ("技校高级工班毕业的能算高校毕业生领培训补贴吗", "高级工班"),
    ("职业培训补贴认不认培训合格证", "培训合格证书"),
])
def test_the_statement_that_answers_it_comes_first(text, must):
    reply = answer(text)
    assert must in reply.splitlines()[0] or must in reply, reply


def test_a_level_question_gets_that_level_only():
    reply = answer("考了个四级证，技能提升补贴能补几个钱")
    assert "1500" in reply and "1000" not in reply and "2000" not in reply


def test_technician_level_says_the_sources_have_no_figure():
    reply = answer("高级技师证的技能提升补贴给多少")
    assert "没有这两个等级的补贴金额" in reply
    assert not any(n in reply for n in ("1000", "1500", "2000"))


def test_a_silent_point_stands_alone_without_nearby_figures():
    reply = answer("孩子满三岁以后上了幼儿园，育儿补贴一年给多少")
    assert "满3周岁以后不再发放" in reply and "3600" not in reply


@pytest.mark.parametrize("typed, program", [
    ("育而补贴怎么领", "childcare_subsidy"),
    ("护里补贴是干什么的", "disability_care_allowance"),
    ("技能提升补帖给多少", "skills_upgrade_subsidy"),
])
def test_homophone_program_names_are_read(typed, program):
    assert program in read_line(typed, today=TODAY).members


def test_a_general_question_with_a_fact_in_it_is_answered_not_turned_into_a_form():
    r = read_line("领了育儿补贴，家里的低保会不会受影响", today=TODAY)
    assert r.kind == PROGRAM_INFO and "tax_income" in r.aspects


def test_the_speakers_family_member_makes_it_their_case():
    r = read_line("我闺女智力残疾三级，有证，护理补贴能领不", today=TODAY)
    assert r.kind == PERSONAL_CASE


@pytest.mark.parametrize("text", [
    "育儿补贴一般每年几月份打到卡上",
    "技能提升补贴交上去以后审核要几个工作日",
    "山西自己在育儿补贴上有没有额外加钱",
    "托育机构一个班最多收几个孩子",
    "现在全省两项补贴实际覆盖了多少",
    "生育津贴一个月能拿多少",
    "长期护理保险一个月能报多少",
])
def test_what_no_source_states_is_said_honestly(text):
    assert read_line(text, today=TODAY).kind == NOT_IN_SOURCES


def test_a_plan_target_is_not_mistaken_for_a_current_statistic():
    assert read_line("规划里从业人员持证率要达到多少", today=TODAY).kind != NOT_IN_SOURCES


def test_hukou_elsewhere_is_a_shanxi_case_not_another_provinces_policy():
    r = read_line("我是河北户口，在太原打工，残疾人生活补贴能在这边办不", today=TODAY)
    assert r.other_province is None and r.facts.get("hukou_in_shanxi") is False
    assert read_line("河北的护理补贴比山西给得多吗", today=TODAY).other_province == "河北"


def test_a_place_word_in_the_clause_does_not_override_the_hukou_said_in_words():
    facts = extract_facts("户口不在山西，人在山西住着", TODAY)["facts"]
    assert facts["hukou_in_shanxi"] is False


@pytest.mark.parametrize("text", ["2025年以前生的孩子", "2024年6月之后出生", "2025年1月1日之前"])
def test_a_boundary_is_not_a_date(text):
    assert find_dates(text, TODAY) == []


def test_a_year_is_still_a_date():
    assert [m.precision for m in find_dates("娃是2024年生的", TODAY)] == ["year"]


@pytest.mark.parametrize("line, asking, fact, value", [
    ("失业保险交了七八年了", "unemployment_insurance_months", "unemployment_insurance_months", 84),
    ("证书也考下来了", "obtained_certificate", "obtained_certificate", True),
    ("刚报了名，还没学", "obtained_certificate", "obtained_certificate", False),
    ("我在单位上班，是正式工", "person_category", "person_category", "other"),
    ("我妈是视力残疾，有证的", None, "has_disability_certificate", True),
    ("街道给评了低收入", "household_low_income", "household_low_income", True),
])
def test_answers_in_residents_words_fill_the_fact(line, asking, fact, value):
    assert extract_facts(line, TODAY, asking=asking)["facts"].get(fact) == value


def test_a_bare_have_a_certificate_needs_the_disability_topic():
    assert "has_disability_certificate" not in extract_facts("有证，中级工", TODAY)["facts"]


def test_a_vague_contribution_period_is_flagged_for_checking():
    read = extract_facts("交了三四年", TODAY, asking="unemployment_insurance_months")
    assert read["facts"]["unemployment_insurance_months"] == 36
    assert "unemployment_insurance_months" in read["hedged"]


def test_a_hotline_question_gets_the_hotline_without_asking_for_a_place():
    from actions.service_points import hotline_reply

    assert "12333" in hotline_reply("社保方面的咨询电话是多少")
    assert "12385" in hotline_reply("残疾人有事打哪个热线")
    assert hotline_reply("残联在哪") == ""


def test_asking_for_the_place_names_the_office_that_handles_it():
    from actions.service_points import which_office
    from bot.service_points import office_types_from_text

    types = office_types_from_text("做残疾鉴定去哪")
    assert types == ["disability_federation"]
    assert "残疾人联合会" in which_office(types)


def test_office_details_not_on_record_are_said_plainly():
    from actions.service_points import missing_details

    points = [{"name": "某县残疾人联合会", "hours": None, "phone": None, "address": None}]
    assert missing_details("残联周六上班不", points) == "办公时间"
    assert missing_details("残联周六上班不", [{**points[0], "hours": "周一至周五"}]) == ""


def test_several_programs_named_at_once_settle_what_they_can_then_ask_the_next_question():
    """No "please choose one" dead end: the settled program is reported, the other one's form starts."""
    from tests.blind.offline import first_reply

    reply = first_reply("孩子2025年3月生的，有残疾证，家里是低保户，育儿补贴和残疾人生活补贴都能领吗")
    assert "育儿补贴：符合申领条件" in reply
    assert "下面先帮您看困难残疾人生活补贴" in reply and "[表单：disability_living_allowance]" in reply
    assert "选择其中一项" not in reply


@pytest.mark.parametrize("text", ["考电工证的报名费要多少钱", "去做残疾鉴定要交钱吗", "想开个托儿所要办什么手续",
                                  "中级证的补贴标准今年往上调了没有"])
def test_fees_business_and_changes_are_honest_unknowns_even_with_facts(text):
    assert read_line(text, today=TODAY).kind == NOT_IN_SOURCES


def test_claiming_again_is_not_a_local_top_up():
    assert read_line("家里吃低保，再领育儿补贴会不会受影响", today=TODAY).kind != NOT_IN_SOURCES


@pytest.mark.parametrize("text", ["我上个月交的申请，现在审到哪一步了", "辞职了，领过的技能提升补贴要退回去吗",
                                  "育儿补贴能打到孩子奶奶的卡上不", "这个月几号打钱"])
def test_status_refunds_and_payment_details_are_honest_unknowns(text):
    assert read_line(text, today=TODAY).kind == NOT_IN_SOURCES


def test_an_unanswerable_personal_question_gets_an_honest_answer_not_a_questionnaire():
    from tests.blind.offline import first_reply

    reply = first_reply("孩子户口在河南老家，我们在太原打工，育儿补贴该在哪边领")
    assert "没有写明" in reply and "[表单" not in reply


def test_a_space_between_chinese_words_is_a_pause():
    from bot.textparse import pauses_to_commas

    assert pauses_to_commas("有残疾证 肢体三级 想问问") == "有残疾证，肢体三级，想问问"
    assert pauses_to_commas("交了 2 年") == "交了 2 年"
    r = read_line("考了个电工初级证 技能补贴能申请不", today=TODAY)
    assert r.kind == PERSONAL_CASE and r.facts.get("certificate_level") == "basic"


def test_a_family_members_disability_is_their_case_without_saying_me():
    assert read_line("弟弟精神残疾证是四级的 能不能领护理补贴", today=TODAY).kind == PERSONAL_CASE


def test_saying_you_have_the_certificate_does_not_bring_the_no_certificate_answer():
    from tests.blind.offline import first_reply

    reply = first_reply("我有残疾证，家里吃低保，户口在太原，生活补贴能领不")
    assert "还没有证" not in reply


@pytest.mark.parametrize("line, asking, fact, value", [
    ("以前是，去年退了", "household_dibao", "household_dibao", False),
    ("孩子有爹有妈的", "receives_orphan_allowance", "receives_orphan_allowance", False),
    ("他自己能动，不用人管", "needs_long_term_care", "needs_long_term_care", False),
    ("证上写的三级", "disability_level", "disability_level", 3),
    ("从2023年开始交的", "unemployment_insurance_months", "unemployment_insurance_months", 46),
    ("考上了，焊工证", "obtained_certificate", "obtained_certificate", True),
])
def test_more_answers_in_residents_words(line, asking, fact, value):
    assert extract_facts(line, TODAY, asking=asking)["facts"].get(fact) == value


def test_several_childrens_birth_dates_in_one_answer_are_each_read():
    read = extract_facts("老大2023年9月12号，老二2026年4月3号", TODAY, asking="child_birth_date")
    assert read["children"]["birth_dates"] == ["2023-09-12", "2026-04-03"]


def test_the_family_can_claim_when_one_child_qualifies():
    from actions.eligibility import family_results

    first = [{"program": "childcare_subsidy", "outcome": "not_eligible", "amount": None}]
    out = family_results(first, {"child_birth_date": "2021-05"}, {"count": 2, "birth_dates": ["2021-05", "2025-10"]})
    assert out[0]["outcome"] == "eligible"


@pytest.mark.parametrize("text, aspect", [
    ("育儿补贴是去卫健局办还是去民政局办", "where"), ("在村里能办技能补贴吗", "where"),
    ("护理补贴发到人多大年纪", "duration"), ("生活补贴是不是非得有残疾证才给", "who"),
])
def test_aspects_in_other_words(text, aspect):
    assert aspect in read_line(text, today=TODAY).aspects


def test_a_can_i_that_needs_more_questions_gets_the_rule_first():
    """"我儿子二级智力残疾，能领护理补贴吗": who qualifies (长期照护) first, then the form's questions."""
    from tests.blind.offline import first_reply

    reply = first_reply("我儿子二级智力残疾，能领护理补贴吗")
    assert "长期照护" in reply and "[表单：disability_care_allowance]" in reply


@pytest.mark.parametrize("text, expected", [("国家给养娃发的那个钱 折成一个月是多少", "折合每月300元"),
                                            ("技能提升补贴是每个月发吗", "只能领一次"),
                                            ("想领残疾补贴 残疾证在哪办", "残联")])
def test_the_specific_point_answers_the_question(text, expected):
    from tests.blind.offline import first_reply

    assert expected in first_reply(text).split("依据")[0]


@pytest.mark.parametrize("text", ["全省到现在一共多少娃领上育儿补贴了", "娃上托育园，能不能拿育儿补贴直接顶学费",
                                  "残疾人养老保险代缴补助 俺们岚县搞了没有", "灵活就业自己交的社保，能不能领技能提升补贴",
                                  "俺的技能提升补贴都审核通过了 钱啥时候打过来", "培训机构说育婴师证包过 交三千八 靠谱不",
                                  "十四五都过完了，两项补贴最后到底覆盖到多少了", "义务教育阶段的营养餐补助一天多少钱"])
def test_more_kinds_of_questions_no_source_answers(text):
    reading = read_line(text, today=TODAY)
    assert reading.kind == NOT_IN_SOURCES or reading.other_benefit


def test_an_unknown_comes_first_and_what_follows_is_labelled_related():
    from bot.program_info import program_answer

    answer = program_answer(["childcare_subsidy"], ["combine", "amount"],
                            question="个税里那个3岁以下婴幼儿照护专项附加扣除一个月扣多少 跟育儿补贴能一起享受不")
    first, second = answer["text"].split("\n")[:2]
    assert "没有写明" in first and second.startswith("相关内容：") and "2000元" in second
    assert "3600" not in answer["text"]        # the monthly subsidy words were about the deduction (ask_not)


def test_an_unknown_combination_of_two_programs_is_not_followed_by_their_figures():
    from bot.program_info import program_answer

    text = program_answer(["skills_upgrade_subsidy", "vocational_training_subsidy"], ["combine"])["text"]
    assert "没有说明" in text and "12个月" not in text


def test_a_mountain_named_after_a_city_is_not_the_city():
    from bot.service_points import find_places

    assert not find_places("吕梁山护工的培训去哪报名")
    assert find_places("我在吕梁，育儿补贴去哪办")[0].candidates[0].name == "吕梁市"


@pytest.mark.parametrize("text, expected", [
    ("五级证是初级还是中级", "初级"),
    ("以前不是要交满三年失业保险吗 现在还是三年吗", "12个月"),
    ("换过好几个单位 失业保险断断续续的 能累计算吗", "累计"),
    ("老早办的那种旧残疾证还能用不 是不是得换成第二代的", "第二代"),
    ("补贴按月折算的话一个月按多少算", "300"),
    ("23年生的娃现在才申请育儿补贴晚不晚", "尽早"),
    ("农村出来打工的 去学个电焊 能有补贴不", "证书"),
    ("人在外省 老家山西的残疾人生活补贴能跨省办吗", "跨省通办"),
    ("育儿补贴是一次性给还是年年都给", "3周岁"),
    ("灵活就业自己交养老保险的能领技能提升补贴吗", "失业保险"),
])
def test_terms_rumours_and_special_cases_get_their_answer(text, expected):
    from tests.blind.offline import first_reply

    assert expected in first_reply(text)


@pytest.mark.parametrize("text", ["技能提升补贴能不能让我爱人替我领", "太原哪家托育园是普惠的 离小店近的",
                                  "冬天取暖有没有补贴 农村烧煤的", "今年山西技能提升补贴申报截止到几月几号"])
def test_proxies_named_providers_heating_and_calendar_deadlines_are_honest_unknowns(text):
    from tests.blind.offline import first_reply

    reply = first_reply(text)
    assert re.search(r"没有写明|没有相关|没有找到|不能给您不准确", reply), reply


@pytest.mark.parametrize("text, content", [
    ("你好", False), ("您好，請問一下", False), ("谢谢你啊", False), ("你是机器人吗", False), ("再见", False),
    ("你好，残疾证到期了换证咋弄", True), ("山西育儿假现在有几天", True), ("残疾人辅具是免费给的吗 轮椅能发不", True),
    ("娃娃出生了上户口要带啥东西 去派出所还是哪", True),
])
def test_a_greeting_or_thanks_carries_content_only_beyond_the_pleasantries(text, content):
    """The NLU model files some questions under greet, bot_challenge or share_location: those are read and
    answered; a bare pleasantry gets its short reply (actions/understanding.ActionRoute)."""
    from actions.understanding import carries_content

    assert carries_content(read_line(text, today=TODAY), social=True) is content


@pytest.mark.parametrize("text", ["护理补贴申请被驳回了 找哪里复议", "晋中的电子培训券在哪领 能抵多少钱",
                                  "残疾证到期换证去哪换 要钱不", "工伤的伤残津贴跟重度残疾人护理补贴能一起拿不",
                                  "育儿补贴的钱会不会被法院冻结扣走", "临汾育儿补贴是不是已经开始发了 俺们村咋没人领到"])
def test_appeals_vouchers_renewals_and_other_combinations_are_honest_unknowns(text):
    assert read_line(text, today=TODAY).kind == NOT_IN_SOURCES


def test_the_word_community_is_not_a_place():
    from bot.service_points import find_places

    assert [r.candidates[0].name for r in find_places("在万柏林区社区登记了失业")] == ["万柏林区"]


@pytest.mark.parametrize("text, aspect", [("俺在临县，残疾人生活补贴跟谁申请去", "where"),
                                          ("领了生活补贴 护理补贴就不能领了吧", "combine")])
def test_who_to_apply_to_and_losing_one_for_the_other(text, aspect):
    assert aspect in read_line(text, today=TODAY).aspects


def test_whether_subsidy_and_deduction_combine_gives_both_figures_as_related():
    from bot.program_info import program_answer

    q = "育儿补贴和个税里的婴幼儿照护扣除能同时享受吗"
    answer = program_answer(["childcare_subsidy"], ["combine"], question=q)
    first = answer["text"].split("\n")[0]
    assert "没有写明" in first                                    # whether they combine: unknown, said first
    assert "相关内容：育儿补贴是现金补贴，每孩每年3600元" in answer["text"] and "每月2000元" in answer["text"]
    assert "国发〔2023〕13号" in answer["text"]                   # the deduction's figure is cited


@pytest.mark.parametrize("text, reason", [
    ("技能提升补贴，中级证真能拿到1500吗，会不会少给", "actual_payment"),
    ("护理补贴能不能用来雇护工", "allowance_use"),
    ("村里的网格员管不管帮俺报生活补贴", "village_staff"),
    ("给娃评残疾证得交钱吗", "fees"),
])
def test_full_payment_uses_of_the_money_village_workers_and_fees_are_unstated(text, reason):
    r = read_line(text, today=TODAY)
    assert r.not_in_sources and r.not_in_sources[0] == reason, r


def test_asking_for_a_certificate_is_not_a_use_of_the_money():
    r = read_line("职业资格证能拿来申请培训补贴不", today=TODAY)
    assert not r.not_in_sources, r


@pytest.mark.parametrize("text, aspect", [
    ("孙子下礼拜就满三岁了，育儿补贴得赶紧去办吧", "deadline"),
    ("领着生活补贴，护理补贴是不是就没了", "combine"),
    ("护理补贴一级和二级发的钱是一样的吗", "amount"),
    ("生活补贴和低保金哪个多", "amount"),
    ("残疾人生活补贴咋整", "how_to_apply"),
    ("电工证是专项能力的，培训补贴认不认", "who"),
    ("原来技能补贴失业保险得交三年，现在改成几个月了", "who"),
    ("技能提生补贴和职业培训补贴是一个东西吗", "difference"),
    ("育儿补贴怎么计发", "amount"),
])
def test_aspects_said_in_everyday_words(text, aspect):
    assert aspect in read_line(text, today=TODAY).aspects


def test_a_name_typed_by_sound_beside_a_name_typed_right_is_both_programs():
    assert read_line("技能提生补贴和培训补贴有啥不一样", today=TODAY).programs == \
        ["skills_upgrade_subsidy", "vocational_training_subsidy"]


def test_a_total_for_the_residents_own_child_is_no_statistic():
    r = read_line("闺女前年五月二号生的，育儿补贴一共能给多少", today=TODAY)
    assert r.kind == PERSONAL_CASE and not r.not_in_sources, r
    assert read_line("全省一共发了多少育儿补贴", today=TODAY).not_in_sources   # a count no source gives
    r = read_line("我有二级残疾证，生活补贴一年能给几个钱", today=TODAY)
    assert not r.not_in_sources and "amount" in r.aspects, r


def test_no_certificate_yet_and_an_orphan_in_a_welfare_home_are_read():
    assert read_line("俺爹腿不行了，还没办过证，生活补贴能领吗", today=TODAY).facts.get("has_disability_certificate") is False
    r = read_line("俺家残疾娃在福利院养着，每月有基本生活保障，还能领残疾人生活补贴吗", today=TODAY)
    assert r.facts.get("receives_orphan_allowance") is True, r.facts
    assert "孤儿" in answer("福利院里养的孩子，每月有基本生活保障，能领残疾人生活补贴吗")


@pytest.mark.parametrize("line", ["户口就在我们村", "户口在咱村里", "在呢，我们县的户口"])
def test_a_hukou_in_our_own_village_is_in_shanxi(line):
    assert read_line(line, today=TODAY, asking="hukou_in_shanxi").facts.get("hukou_in_shanxi") is True


@pytest.mark.parametrize("text, must", [
    ("照护的开销得持续多长时间才算长期", "6个月"),
    ("培训补贴申请要准备什么", "专项职业能力证书"),
    ("技能提升补贴失业保险缴费改成一年，是哪个文件规定的", "国办发〔2019〕24号"),
])
def test_care_costs_training_documents_and_the_rule_the_question_names(text, must):
    assert must in answer(text)


def test_asking_the_conditions_with_facts_that_leave_the_case_open_gets_the_rule_first():
    from tests.blind.offline import first_reply

    reply = first_reply("来电人父亲肢体一级残疾，长年卧床，想了解护理补贴的条件和办理地点")
    assert "一级或二级" in reply and "乡镇" in reply


def test_a_child_of_about_two_gets_the_standard_with_the_range():
    from tests.blind.offline import first_reply

    reply = first_reply("孩子快两岁了，育儿补贴能领不")
    assert "3600" in reply and "3周岁" in reply


def test_an_online_way_is_said_when_a_resident_asks_if_they_must_go_in_person():
    from tests.blind.offline import first_reply

    assert "全程网办" in first_reply("护理补贴一定要去乡政府跑一趟才能办吗")


def test_two_programs_settled_at_once_each_say_where_to_apply():
    from tests.blind.offline import first_reply

    reply = first_reply("我今年6月大专毕业，娃去年3月生的，培训了电工也拿了证，育儿补贴和培训补贴都想问问")
    assert "育儿补贴：符合申领条件" in reply and "职业培训补贴：符合申领条件" in reply, reply
    assert "卫生健康" in reply and "人力资源" in reply, reply


@pytest.mark.parametrize("text, must", [
    ("孩子今年刚生，育儿补贴前前后后一共能拿多少", "10800"),                 # 3600 × 3, from the parameters
    ("育儿补贴领到孩子满三岁一共是不是一万多块", "10800"),
    ("孩子满三岁以后就没啦？", "满3周岁以后不再发放"),
    ("八个月的孩子能送托吗，进哪个班", "乳儿班"),
    ("低保家的残疾人是不是自动就有生活补贴了，还用申请不", "提出申请"),
    ("技能提升补贴最早是哪个文件规定的", "人社部发〔2017〕40号"),
    ("老板让我去培训，这能算职业培训补贴不", "企业在职职工"),
    ("国发2015年52号文讲的是啥", "护理补贴"),
])
def test_totals_ages_documents_and_whether_it_counts(text, must):
    assert must in answer(text)


def test_the_grandchilds_money_is_not_the_parents_training_subsidy():
    text = ("我是娃他奶奶 俺儿子儿媳妇都在外头打工 娃跟着我在村里 听村里人说国家给小娃娃发钱一年好几千 "
            "到底是个甚补贴 发给多大的娃 俺们该去哪问")
    r = read_line(text, today=TODAY)
    assert r.programs == ["childcare_subsidy"] and "person_category" not in r.facts
    reply = answer(text)
    assert "3600" in reply and "卫生健康" in reply   # the village question's unknown does not hide the rest


@pytest.mark.parametrize("text", ["怀娃的时候有没有啥补贴", "娃过了三岁到上小学之前还有啥补贴没"])
def test_a_benefit_before_birth_or_after_three_is_an_unknown_that_leads(text):
    first = answer(text).split("\n")[0]
    assert "没有写明" in first and not re.search(r"\d", first.replace("12345", ""))


@pytest.mark.parametrize("text", ["职业技能等级认定在太原哪几个地方能考", "电工证的考点在哪"])
def test_exam_venues_are_an_honest_unknown(text):
    assert read_line(text, today=TODAY).kind == NOT_IN_SOURCES


@pytest.mark.parametrize("text, plan", [("普惠托育政府给啥支持", True), ("十三五山西职业技能培训搞了多少人次", True),
                                        ("普惠性技能培训是给谁的", True), ("职业培训补贴是给谁的", False)])
def test_plan_measures_named_in_program_words_go_to_the_plan(text, plan):
    assert (read_line(text, today=TODAY).kind == "plan_question") is plan


@pytest.mark.parametrize("line, fact, value", [
    ("23年阳历7月生的，哪天记不清了，反正是7月", "child_birth_date", "2023-07"),
    ("二〇二一年阳历十二月三十号生的", "child_birth_date", "2021-12-30"),
    ("孩子是22年农历八月十五生的", "child_birth_date", "2022-08-01/2022-10-31"),   # a lunar month: three solar ones
    ("哦我说错了，我家不是低保，是低收入户，低保申请了没批下来", "household_dibao", False),
    ("低保申请了还没下来", "household_dibao", False),
])
def test_calendar_words_and_a_dibao_not_yet_granted(line, fact, value):
    facts = extract_facts(line, TODAY, asking=None)["facts"]
    assert str(facts.get(fact)) == str(value) if not isinstance(value, bool) else facts.get(fact) is value


def test_which_subsidies_for_a_level_without_dibao_gives_the_care_rule_beside_the_local_one():
    reply = answer("一级残疾没吃低保，能领啥补贴")
    assert "以当地政策为准" in reply and "长期照护" in reply


@pytest.mark.parametrize("text, must", [
    ("孩子要上托儿所才给育儿补贴吗", "没有要求孩子上托儿所"),
    ("职业培训补贴对培训的种类有要求吗", "创业培训"),
    ("职训补贴，谁管", "人力资源和社会保障"),
    ("一样等级一样工种的证再考一次还能领补贴吗", "只能领一次"),
])
def test_conditions_kinds_of_training_and_short_names(text, must):
    assert must in answer(text)


def test_a_nanny_course_is_a_trade_learnt_not_care_needed():
    r = read_line("天镇保姆培训在哪报名", today=TODAY)
    assert "needs_long_term_care" not in r.facts and r.programs == ["vocational_training_subsidy"]
    assert extract_facts("我爹瘫了，家里请了个保姆", TODAY, asking=None)["facts"].get("needs_long_term_care") is True


def test_an_employer_run_nursery_is_the_plans_measure():
    assert read_line("单位能不能自己办个托儿所给职工带娃 政策上咋说", today=TODAY).kind == "plan_question"


@pytest.mark.parametrize("line, context, facts", [
    ("哎呀说错了 不是21年 是22年11月 22年11月5号", ["childcare_subsidy"], {"child_birth_date": "2022-11"}),
    ("等一下 俺又翻出证看了 写的是一级 前年重新评的", ["disability_care_allowance"],
     {"disability_level": 1, "has_disability_certificate": True}),
    ("哦对了，去年又重新评了一回，新证上写的是二级了，他现在下不了地，得人一直伺候着", ["disability_care_allowance"],
     {"disability_level": 2, "has_disability_certificate": True, "needs_long_term_care": True}),
])
def test_a_correction_in_a_conversation_updates_the_programs_own_facts(line, context, facts):
    r = read_line(line, today=TODAY, context_programs=context)
    assert {k: (str(v) if k.endswith("date") else v) for k, v in r.facts.items()} == facts


@pytest.mark.parametrize("line, programs", [("俺孙子那个补贴 能领不", ["childcare_subsidy"]),
                                            ("俺孙子考了个电工证 有补贴没", ["skills_upgrade_subsidy"]),
                                            ("我外孙是前年腊月里生下的，我闺女在外头打工顾不上，这孩子有补贴没啦",
                                             ["childcare_subsidy"])])
def test_a_grandchild_is_the_childcare_subsidys_unless_a_certificate_is_said(line, programs):
    assert read_line(line, today=TODAY).programs == programs


@pytest.mark.parametrize("line, asking, facts", [
    ("七十多的人了 哪是孤儿", "receives_orphan_allowance", {"receives_orphan_allowance": False}),
    ("持证", "has_disability_certificate", {"has_disability_certificate": True}),
])
def test_a_rhetorical_no_and_a_hotline_notes_short_yes(line, asking, facts):
    assert extract_facts(line, TODAY, asking=asking)["facts"] == facts


def test_a_dibao_granted_since_is_a_fact_not_a_question_about_an_application():
    r = read_line("等下 刚问了我嫂子 今年秋天低保批下来了 现在是低保户", today=TODAY,
                  context_programs=["disability_living_allowance"])
    assert r.kind == PERSONAL_CASE and r.facts == {"household_dibao": True}


def test_a_hotline_note_packs_every_fact_of_the_care_allowance():
    r = read_line("来电人反映：其子精神残疾四级，持证，户籍万柏林区，长期服药需家人看护，询问能否申请重度残疾人护理补贴",
                  today=TODAY)
    assert r.facts == {"disability_type": "mental", "has_disability_certificate": True, "needs_long_term_care": True,
                       "disability_level": 4, "hukou_in_shanxi": True}


@pytest.mark.parametrize("text, must", [
    ("育儿补贴看不看家里收入 俺两口子都在国企上班工资还行 是不是就没俺们的", "不看家庭收入"),
    ("育儿补贴和低保能一起拿吗", "不计入低保"),
    ("有没有残疾人服务专线 想问补贴的事", "12385"),
    ("没评上一二级 护理补贴是不是就没戏了", "智力、精神"),
    ("证拿了都一年半了 才知道有这个补贴 还能申请不", "12个月"),
    ("技能提升補貼 是在戶口所在地申請還是在參保地申請", "参保地"),
    ("来电人为应届初中毕业生家长，咨询孩子不上高中参加技能培训有无补贴", "未继续升学"),
])
def test_dev16_wordings(text, must):
    assert must in answer(text)
