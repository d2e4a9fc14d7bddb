"""End to end: the real Rasa server and assistant service, chatting through /api/chat."""
from __future__ import annotations

import json
import uuid
import urllib.request

import pytest

pytestmark = pytest.mark.stack


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def all_text(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages)


def test_healthz_reports_rasa_and_kb(live_stack):
    with urllib.request.urlopen(f"{live_stack.base_url}/healthz", timeout=10) as resp:
        body = json.loads(resp.read())
    assert body["status"] == "ok" and body["rasa"] == "ok"
    assert body["kb_version"]


def test_greeting_names_what_the_assistant_does(live_stack):
    text = all_text(live_stack.chat("你好", new_sender()))
    assert "您好" in text
    for capability in ("规划", "补贴", "办理地点"):
        assert capability in text


def test_traditional_characters_are_understood(live_stack):
    simplified = live_stack.chat("残疾人补贴", new_sender())
    traditional = live_stack.chat("殘疾人補貼", new_sender())
    assert all_text(traditional) == all_text(simplified)


def test_policy_question_gets_a_cited_answer(live_stack):
    messages = live_stack.chat("残疾人两项补贴是什么", new_sender())
    cited = [m for m in messages if m.get("citations")]
    assert cited, messages
    assert "出处" in cited[0]["text"]
    assert any(b["title"] == "查看原文" for b in cited[0].get("buttons", []))


def test_childcare_question_in_one_message(live_stack):
    text = all_text(live_stack.chat("我家宝宝2024年3月出生，能领育儿补贴吗", new_sender()))
    assert "育儿补贴" in text
    assert "元" in text


def test_office_lookup(live_stack):
    messages = live_stack.chat("太原市小店区的残联在哪里", new_sender())
    points = [p for m in messages for p in m.get("service_points", [])]
    assert points, messages
    assert points[0]["county"] == "小店区" and points[0]["type"] == "disability_federation"


def test_id_card_and_phone_never_reach_the_tracker_store(live_stack):
    sender = new_sender()
    live_stack.chat("我的身份证号14010519850312001X，电话13812345678，想问问残疾人补贴", sender)
    tracker = json.dumps(live_stack.rasa_get(f"/conversations/api:{sender}/tracker"), ensure_ascii=False)
    assert "14010519850312001X" not in tracker and "13812345678" not in tracker
    assert "138****5678" in tracker


def test_gibberish_gets_an_honest_answer_pointing_to_12345(live_stack):
    text = all_text(live_stack.chat("zxqv 咔咔 ##@@ 8817", new_sender()))
    assert "12345" in text
