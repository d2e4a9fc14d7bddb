"""Eligibility in chat, end to end (real Rasa + actions): one-message questions, forms, 不知道, corrections."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.stack


def sender() -> str:
    return f"elig-{uuid.uuid4().hex[:10]}"


def text_of(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages)


def test_childcare_in_one_message_gives_amount_reasons_and_document(live_stack):
    text = text_of(live_stack.chat("我家宝宝2024年3月出生，能领育儿补贴吗", sender()))
    assert "您符合育儿补贴的申领条件" in text
    assert "共26个月" in text and "合计7800元" in text
    assert "育儿补贴制度实施方案" in text
    assert "判断依据" in text


def test_skills_subsidy_in_one_message(live_stack):
    sid = sender()
    text = text_of(live_stack.chat("交了两年失业保险，上个月考了中级电工证，有补贴吗", sid))
    if "领过" in text or "申领过" in text:  # the one fact the message leaves open
        text = text_of(live_stack.chat("没有领过", sid))
    assert "技能提升补贴" in text
    assert "1500" in text and "参考标准" in text
    assert "人社部发" in text


def test_several_facts_at_once_then_unknown_gives_a_partial_result(live_stack):
    sid = sender()
    first = text_of(live_stack.chat("我是二级肢体残疾，有残疾证，家里低保户，需要人长期照顾", sid))
    assert "户口" in first or "户籍" in first  # the only facts left: hukou, then the orphan allowance
    second = text_of(live_stack.chat("户口在太原", sid))
    assert "孤儿" in second
    result = text_of(live_stack.chat("不知道", sid))
    assert "重度残疾人护理补贴" in result and "国发〔2015〕52号" in result
    assert "民政" in result  # how to find out about the orphan allowance, no loop


def test_correction_updates_the_result(live_stack):
    sid = sender()
    live_stack.chat("我想问护理补贴", sid)
    live_stack.chat("有残疾证，三级精神残疾，需要长期照护，户口在山西", sid)
    text = text_of(live_stack.chat("不对，是二级", sid))
    assert "您符合重度残疾人护理补贴的申领条件" in text
    assert "暂不符合" not in text and "残疾等级为二级" in text


def _tracker(live_stack, sid: str) -> dict:
    return live_stack.rasa_get(f"/conversations/api:{sid}/tracker")


def test_stop_halfway(live_stack):
    sid = sender()
    live_stack.chat("职业培训补贴我能申请吗", sid)
    assert _tracker(live_stack, sid)["active_loop"].get("name") == "vocational_training_subsidy_form"
    live_stack.chat("算了，不问了", sid)
    tracker = _tracker(live_stack, sid)
    assert not (tracker.get("active_loop") or {}).get("name"), tracker.get("active_loop")
    assert tracker["slots"].get("requested_slot") is None


def test_policy_question_mid_form_is_answered_and_the_form_resumes(live_stack):
    sid = sender()
    live_stack.chat("护理补贴我能领吗", sid)
    messages = live_stack.chat("两项补贴覆盖率2025年的目标是多少", sid)
    assert any(m.get("citations") for m in messages)
    assert "残疾人证" in messages[-1]["text"]  # back to the form's question


# ---------------------------------------------------------------- forms that follow the resident (issue 10)
def test_office_words_inside_an_answer_do_not_start_an_office_search(live_stack):
    sid = sender()
    first = text_of(live_stack.chat("护理补贴我能领吗", sid))
    assert "残疾人证" in first
    messages = live_stack.chat("有，残联给办的那个新证", sid)
    assert not [p for m in messages for p in m.get("service_points", [])]
    assert _tracker(live_stack, sid)["slots"]["has_disability_certificate"] is True


def test_place_answers_the_hukou_question_and_hedge_is_flagged(live_stack):
    sid = sender()
    live_stack.chat("护理补贴我能领吗，有残疾证，需要人长期照顾", sid)
    live_stack.chat("好像是二级，肢体的", sid)
    text = text_of(live_stack.chat("在呢，就是平遥县的", sid))
    slots = _tracker(live_stack, sid)["slots"]
    assert slots["hukou_in_shanxi"] is True
    assert "您符合重度残疾人护理补贴的申领条件" in text
    assert "（您说好像是二级，请以残疾人证上评定的等级为准）" in text


def test_unborn_child_is_told_how_to_claim_after_birth(live_stack):
    text = text_of(live_stack.chat("我怀孕了，预产期明年三月，育儿补贴能领吗", sender()))
    assert "还没有出生" in text and "出生后" in text and "卫生健康部门" in text
    assert "哪年哪月哪日出生" not in text


def test_unborn_child_outcome_waits_for_the_birth_date(live_stack):
    """The structured result is the engine's for the facts given (no birth date yet: needs_more_info, as
    POST /api/eligibility answers), and the text says nothing can be claimed before birth."""
    messages = live_stack.chat("我怀孕六个月了，育儿补贴现在能先申请上吗", sender())
    results = [e for m in messages for e in (m.get("eligibility") or [])]
    assert [(e["program"], e["outcome"]) for e in results] == [("childcare_subsidy", "needs_more_info")]
    assert results[0]["amount"] is None
    assert "宝宝还没有出生，现在还不能申领" in text_of(messages)


def test_second_program_follows_the_first_result_as_promised(live_stack):
    """"之后再看职业培训补贴" is kept: after the first result its form asks only what is still open."""
    sid = sender()
    first = text_of(live_stack.chat("上个月参加培训考了个中级证，交了五年失业保险，培训补贴和技能提升补贴都能领不", sid))
    assert "下面先帮您看技能提升补贴，之后再看职业培训补贴" in first
    assert "以前领过技能提升补贴吗" in first                    # the skills subsidy's one open fact
    second = live_stack.chat("没领过", sid)
    outcomes = [e for m in second for e in (m.get("eligibility") or [])]
    assert [(e["program"], e["outcome"]) for e in outcomes] == [("skills_upgrade_subsidy", "eligible")]
    assert outcomes[0]["amount"]["value"] == 1500
    assert "接下来帮您看职业培训补贴" in text_of(second)
    assert "属于以下哪一类" in text_of(second)                 # the training subsidy's open fact
    assert "是否已经取得" not in text_of(second)               # the certificate was said: never asked again
    third = live_stack.chat("下岗了，在人社局登记失业了", sid)
    outcomes = [e for m in third for e in (m.get("eligibility") or [])]
    assert [(e["program"], e["outcome"]) for e in outcomes] == [("vocational_training_subsidy", "eligible")]
    assert "您还可以了解：技能提升补贴" not in text_of(third)   # already answered above


def test_twins_get_per_child_and_total(live_stack):
    text = text_of(live_stack.chat("我家是双胞胎，2025年3月出生的，育儿补贴能领多少", sender()))
    assert "您家有2个孩子" in text and "合计：7200元/年" in text


def test_no_certificate_result_asks_the_hukou_county_and_shows_its_federation(live_stack):
    """No 残疾人证: the result's own hint sends the resident to the county 残联 where the 户口 is, so the chat
    asks that county and then shows that 残联 first (the rules file names the office: `hint_office`)."""
    sid = sender()
    messages = live_stack.chat("腿脚不行好些年了 没办过残疾证 也是低保户 能领残疾人补贴不", sid)
    assert "请问您的户口" in text_of(messages) and "残疾人联合会" in text_of(messages)
    messages = live_stack.chat("是的 榆社县的户口", sid)
    points = [p for m in messages for p in (m.get("service_points") or [])]
    assert points and points[0]["type"] == "disability_federation" and points[0]["county"] == "榆社县"
    assert "便民服务中心如下" not in text_of(messages).split("\n")[0]


def test_where_to_get_the_certificate_asks_the_hukou_county(live_stack):
    """The 残疾人证 is issued, and the two subsidies applied for, where the 户口 is: that is the place asked."""
    sid = sender()
    text = text_of(live_stack.chat("残疾证在哪办", sid))
    assert "残疾人联合会" in text and "请问您的户口" in text
    messages = live_stack.chat("左权县的", sid)
    points = [p for m in messages for p in (m.get("service_points") or [])]
    assert points and points[0]["type"] == "disability_federation" and points[0]["county"] == "左权县"


def test_a_place_after_the_office_offer_finds_that_office(live_stack):
    """"需要帮您查找就近的办理地点吗？" then "俺是侯马的": the place for the office, not a plan question."""
    sid = sender()
    assert "办理地点吗" in text_of(live_stack.chat("夜来刚生了个小子，那个三千六的补贴咋申请", sid))
    messages = live_stack.chat("俺是侯马的", sid)
    points = [p for m in messages for p in (m.get("service_points") or [])]
    assert points and points[0]["type"] == "health_commission" and points[0]["county"] == "侯马市"


def test_the_same_month_said_twice_is_what_the_resident_knows_and_the_form_goes_on(live_stack):
    """A certificate month a year ago leaves the 12-month limit open by the day; asked once for the day and
    told the month again, the form takes it as what they know (as with 不知道) instead of asking a third time."""
    from bot.eligibility.engine import today_shanghai

    month = f"去年{today_shanghai().month}月"
    sid = sender()
    first = text_of(live_stack.chat(f"交满一年失业保险了 {month}考的初级证 能领不", sid))
    assert "哪一天核发" in first
    second = text_of(live_stack.chat(month, sid))
    assert "哪一天核发" not in second and "领过技能提升补贴吗" in second
