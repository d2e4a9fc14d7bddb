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
    traditional = all_text(live_stack.chat("我家寶寶2024年3月出生，能領育兒補貼嗎", new_sender()))
    # The real answer, not a fallback: the amount for 26 months (2025年1月 up to the 3rd birthday in 2027年3月).
    assert "7800元" in traditional and "共26个月" in traditional
    simplified = all_text(live_stack.chat("我家宝宝2024年3月出生，能领育儿补贴吗", new_sender()))
    assert traditional == simplified


def test_policy_question_gets_a_cited_answer(live_stack):
    # A question about the plan itself (a general question about a program gets the program's answer instead).
    messages = live_stack.chat("两项补贴覆盖率2025年的目标是多少", new_sender())
    cited = [m for m in messages if m.get("citations")]
    assert cited, messages
    assert "出处" in cited[0]["text"] and "100%" in cited[0]["text"]
    assert any(b["title"] == "查看原文" for b in cited[0].get("buttons", []))


def test_general_program_question_gets_the_program_answer_not_a_form(live_stack):
    messages = live_stack.chat("残疾人两项补贴是什么", new_sender())
    text = all_text(messages)
    assert [m for m in messages if m.get("citations")], messages
    assert "国发〔2015〕52号" in text and "护理补贴" in text and "生活补贴" in text
    # answered, not a questionnaire: the check is only offered, in a message of its own after the answer
    assert "是否持有" not in messages[0]["text"], messages
    assert all(m["text"].startswith("想知道您") for m in messages[1:] if "是否持有" in m["text"]), messages


def test_childcare_question_in_one_message(live_stack):
    messages = live_stack.chat("我家宝宝2024年3月出生，能领育儿补贴吗", new_sender())
    text = all_text(messages)
    assert "您符合育儿补贴的申领条件" in text
    assert "补贴月份为2025年1月至2027年2月，共26个月" in text and "合计7800元" in text
    assert "2024年3月1日" not in text   # a month without a day is never turned into the 1st
    # The rich message carries the machine-readable result (contract addition: `eligibility`).
    results = [r for m in messages for r in m.get("eligibility", [])]
    assert results == [{"program": "childcare_subsidy", "outcome": "eligible",
                        "amount": results[0]["amount"]}]
    assert results[0]["amount"]["value"] == 7800 and results[0]["amount"]["unit"] == "元"


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


def _tracker(live_stack, rasa_sender: str) -> dict:
    return live_stack.rasa_get(f"/conversations/{rasa_sender}/tracker")


def test_web_channel_senders_are_namespaced(live_stack):
    sender = new_sender()
    live_stack.chat("你好", sender, metadata={"channel": "web"})
    web = _tracker(live_stack, f"web:{sender}")
    assert [e for e in web["events"] if e.get("event") == "user"], "no turn under web:<id>"
    api = _tracker(live_stack, f"api:{sender}")
    assert not [e for e in api["events"] if e.get("event") == "user"], "web turn leaked into api:<id>"
    other = new_sender()
    live_stack.chat("你好", other)
    assert [e for e in _tracker(live_stack, f"api:{other}")["events"] if e.get("event") == "user"]


def test_id_card_and_phone_are_masked_in_the_log_lines(live_stack):
    sender = new_sender()
    live_stack.chat("我的身份证号14010519850312001X，电话13912345678，想问问残疾人补贴", sender)
    logs = "".join(p.read_text(errors="replace") for p in live_stack.log_dir.glob("*.out"))
    turns = [json.loads(line) for line in logs.splitlines()
             if line.startswith("{") and f"api:{sender}" in line and '"chat turn"' in line]
    assert turns, "the chat turn was not logged at all"
    assert "14010519850312001X" not in logs and "13912345678" not in logs
    assert "14010519850312001X" not in json.dumps(turns, ensure_ascii=False)


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of sockets listening on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.append(addr)
    return found


def test_rasa_listens_on_loopback_only(live_stack):
    port = int(live_stack.rasa_url.rsplit(":", 1)[1])
    addresses = _listening(port)
    assert addresses, f"nothing listens on Rasa's port {port}"
    loopback = {"0100007F", "00000000000000000000000001000000"}   # 127.0.0.1, ::1
    assert set(addresses) <= loopback, addresses
    action_port = int(live_stack.env["ACTION_PORT"])
    assert set(_listening(action_port)) <= loopback


def test_dialect_words_reach_rasa_in_standard_form(live_stack):
    sender = new_sender()
    live_stack.chat("俺家娃年时三月生的，能领甚补贴", sender)
    user = [e for e in _tracker(live_stack, f"api:{sender}")["events"] if e.get("event") == "user"]
    assert user[0]["text"] == "我家孩子去年三月生的，能领什么补贴"
