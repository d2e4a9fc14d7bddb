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
    assert "育儿补贴" in text and "元" in text
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
    assert "重度残疾人护理补贴" in text
    assert "符合" in text and "二级" in text


def test_stop_halfway(live_stack):
    sid = sender()
    live_stack.chat("职业培训补贴我能申请吗", sid)
    assert "停止" in text_of(live_stack.chat("算了，不问了", sid))


def test_policy_question_mid_form_is_answered_and_the_form_resumes(live_stack):
    sid = sender()
    live_stack.chat("护理补贴我能领吗", sid)
    messages = live_stack.chat("两项补贴覆盖率2025年的目标是多少", sid)
    assert any(m.get("citations") for m in messages)
    assert "残疾人证" in messages[-1]["text"]  # back to the form's question
