"""POST/GET/DELETE /api/assist against the real stack (Rasa /model/parse, rules, gazetteer, offices, KB)."""
from __future__ import annotations

import uuid

import pytest

from assist_helpers import OTHER_TOKEN, TOKEN

pytestmark = pytest.mark.stack

SCRIPTED_CALL = ["我妈妈是二级肢体残疾", "有证，瘫在床上好几年了，家里是低保户", "她户口在太原小店区"]
DISABILITY = {"disability_care_allowance", "disability_living_allowance"}
DOC_NUMBER = "国发〔2015〕52号"


def new_call() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def by_program(view: dict) -> dict[str, dict]:
    return {r["program"]: r for r in view["eligibility"]}


@pytest.fixture(scope="module")
def scripted(assist_stack):
    call_id = new_call()
    views = [assist_stack.line(call_id, text) for text in SCRIPTED_CALL]
    return call_id, views


def test_line_one_checklist_asks_certificate_long_term_care_and_dibao(scripted):
    _, (view, _, _) = scripted
    assert set(by_program(view)) == DISABILITY
    asked = [item["fact"] for item in view["checklist"]]
    for fact in ("has_disability_certificate", "needs_long_term_care", "household_dibao"):
        assert fact in asked
    assert asked[0] == "has_disability_certificate"
    questions = " ".join(item["question"] for item in view["checklist"])
    assert "残疾人证" in questions and "照顾" in questions and "低保" in questions
    assert view["facts"]["disability_care_allowance"] == {"disability_level": 2, "disability_type": "physical"}
    assert view["understanding"]["intent"]["name"]
    assert view["answers"] == []  # a line of facts is not a policy question
    assert view["service_points"] == [] and "哪个县（区）" in view["script"]


def test_line_two_fills_certificate_care_and_dibao_with_citations(scripted):
    _, (_, view, _) = scripted
    facts = view["facts"]
    assert facts["disability_care_allowance"]["has_disability_certificate"] is True  # "有证" answers the question asked
    assert facts["disability_care_allowance"]["needs_long_term_care"] is True
    assert facts["disability_living_allowance"]["household_dibao"] is True
    for result in view["eligibility"]:
        assert DOC_NUMBER in result["doc_numbers"]
        assert any(c["doc_number"] == DOC_NUMBER and c["quote"] for c in result["citations"])
        statuses = {c["id"]: c["status"] for c in result["criteria"]}
        assert statuses["certificate"] == "met"
    assert not {"has_disability_certificate", "needs_long_term_care", "household_dibao"} & \
        {item["fact"] for item in view["checklist"]}


def test_line_three_offices_script_and_summary(scripted):
    _, (_, _, view) = scripted
    care = by_program(view)["disability_care_allowance"]
    assert care["outcome"] == "eligible" and DOC_NUMBER in care["doc_numbers"]
    assert view["place"] == {"city": "太原市", "county": "小店区"}
    points = view["service_points"]
    assert points and all(p["county"] == "小店区" for p in points)
    types = [p["type"] for p in points]
    assert "town_service_center" in types and "disability_federation" in types
    town_center = next(p for p in points if p["type"] == "town_service_center")
    assert town_center["town"] and town_center["name"].endswith("便民服务中心")
    script = view["script"]
    eligible_sentence = next(s for s in script.split("。") if "申领条件" in s)
    assert eligible_sentence.startswith("按您说的情况，符合") and DOC_NUMBER in script
    assert "重度残疾人护理补贴" in eligible_sentence and "困难残疾人生活补贴" in eligible_sentence
    assert town_center["name"] in script and "小店区" in script
    summary = view["summary"]
    for label in ("重度残疾人护理补贴", "困难残疾人生活补贴"):
        assert label in summary["request"] and label in summary["policies"]
    assert town_center["name"] in summary["departments"]
    assert summary["text"].splitlines()[0].startswith("来电诉求：")
    assert [line.split("：")[0] for line in summary["text"].splitlines()] == \
        ["来电诉求", "涉及政策", "答复口径", "办理部门", "是否需转办"]


def test_acceptance_both_disability_programs_eligible_at_end(scripted):
    _, (_, _, view) = scripted
    assert {r["outcome"] for r in view["eligibility"]} == {"eligible"}


def test_living_allowance_condition_is_spoken_not_assumed(assist_stack):
    # Nothing in these lines says who the disabled person is, so the orphan-allowance question stays open:
    # staff must say the condition, not assume it ("我妈妈…" in the scripted call settles it as "no").
    call_id = new_call()
    assist_stack.line(call_id, "二级肢体残疾，有残疾证，瘫在床上好几年了，家里是低保户")
    view = assist_stack.line(call_id, "户口在太原小店区")
    living = by_program(view)["disability_living_allowance"]
    assert living["outcome"] == "needs_more_info"
    assert living["eligible_if"]["fact"] == "receives_orphan_allowance"
    assert living["eligible_if"]["value"] is False
    assert "如果没有享受孤儿基本生活保障政策，就符合困难残疾人生活补贴的申领条件" in view["script"]


def test_scripted_call_settles_the_orphan_question_from_the_relation(scripted):
    _, (_, _, view) = scripted
    living = by_program(view)["disability_living_allowance"]
    assert living["outcome"] == "eligible" and living["eligible_if"] is None


def test_get_returns_the_call_and_delete_closes_it(assist_stack, scripted):
    call_id, (_, _, last) = scripted
    status, view = assist_stack.call("GET", f"/api/assist/{call_id}")
    assert status == 200
    assert view["transcript"] == last["transcript"] and view["summary"] == last["summary"]
    other = new_call()
    assist_stack.line(other, "我想问问残疾人补贴")
    assert assist_stack.call("DELETE", f"/api/assist/{other}")[0] == 200
    status, body = assist_stack.call("GET", f"/api/assist/{other}")
    assert status == 404 and body["error"]["code"] == "call_not_found"
    assert assist_stack.call("DELETE", f"/api/assist/{other}")[0] == 404


def test_staff_lines_are_recorded_but_feed_no_facts(assist_stack):
    call_id = new_call()
    view = assist_stack.line(call_id, "请问您家是低保户吗？户口在太原小店区吗？", role="staff")
    assert view["transcript"][-1]["role"] == "staff"
    assert view["facts"] == {} and view["eligibility"] == [] and view["place"] == {}
    view = assist_stack.line(call_id, "没有低保")
    assert view["facts"]["disability_living_allowance"]["household_dibao"] is False
    assert [t["role"] for t in view["transcript"]] == ["staff", "caller"]


def test_town_named_gives_its_own_center(assist_stack):
    view = assist_stack.line(new_call(), "我是二级肢体残疾，户口在小店区北格镇，有残疾证")
    towns = [p for p in view["service_points"] if p["type"] == "town_service_center"]
    assert [p["town"] for p in towns] == ["北格镇"]
    assert view["place"]["town"] == "北格镇"


def test_policy_question_gets_cited_kb_answer(assist_stack):
    view = assist_stack.line(new_call(), "困难残疾人生活补贴和重度残疾人护理补贴覆盖率目标是多少？")
    assert view["answers"], "the KB gave no answer"
    answer = view["answers"][0]
    assert answer["citations"] and all(c["quote"] for c in answer["citations"])
    assert answer["answer"] in view["script"]


def test_tokens_name_the_staff_member_in_the_audit_log(assist_stack):
    call_id = new_call()
    assist_stack.line(call_id, "我的身份证号是140105198805061234，电话13912345678", token=OTHER_TOKEN)
    view = assist_stack.line(call_id, "我妈妈有残疾证", token=TOKEN)
    assert "140105198805061234" not in str(view) and "13912345678" not in str(view)
    log = assist_stack.audit("--call", call_id)
    lines = log.strip().splitlines()
    assert len(lines) == 2
    assert "li02" in lines[0] and "wang01" in lines[1]
    assert "140105198805061234" not in log and "13912345678" not in log
    assert "139****5678" in log
    assert assist_stack.audit("--call", call_id, "--staff", "wang01").count("\n") == 1
    assert assist_stack.audit("--call", call_id, "--since", "2000-01-01").count("\n") == 2
    assert assist_stack.audit("--call", call_id, "--since", "1h").count("\n") == 2


@pytest.mark.parametrize("headers,token", [({}, None), ({}, "wrong-token"), ({"Authorization": "Basic abc"}, None),
                                           ({}, "")])
def test_without_a_valid_token_401(assist_stack, headers, token):
    for method, path, body in [("POST", "/api/assist", {"call_id": "x", "utterance": "你好"}),
                               ("GET", "/api/assist/x", None), ("DELETE", "/api/assist/x", None)]:
        status, data = assist_stack.call(method, path, body, token=token, headers=headers)
        assert status == 401, (method, data)
        assert data["error"]["code"] == "unauthorized" and data["error"]["message"]


BAD_BODIES = [
    (b"", "invalid_json"), (b"not json", "invalid_json"), (b"[1,2]", "invalid_json"),
    ({"utterance": "你好"}, "call_id"), ({"call_id": "", "utterance": "你好"}, "call_id"),
    ({"call_id": "a b", "utterance": "你好"}, "call_id"), ({"call_id": "x" * 129, "utterance": "你好"}, "call_id"),
    ({"call_id": 12, "utterance": "你好"}, "call_id"), ({"call_id": "ok"}, "utterance"),
    ({"call_id": "ok", "utterance": "   "}, "utterance"), ({"call_id": "ok", "utterance": "字" * 2001}, "utterance"),
    ({"call_id": "ok", "utterance": 5}, "utterance"), ({"call_id": "ok", "utterance": "a\x00b"}, "utterance"),
    ({"call_id": "ok", "utterance": "你好", "role": "robot"}, "role"),
    ({"call_id": "ok", "utterance": "你好", "role": None}, "role"),
    (b'{"call_id": "ok", "utterance": "\\ud800"}', "utterance"),
]


@pytest.mark.parametrize("body,expect", BAD_BODIES, ids=[str(i) for i in range(len(BAD_BODIES))])
def test_bad_input_is_4xx_and_changes_nothing(assist_stack, body, expect):
    call_id = new_call()
    assist_stack.line(call_id, "我是二级肢体残疾")
    before = assist_stack.call("GET", f"/api/assist/{call_id}")[1]
    if isinstance(body, dict) and body.get("call_id") == "ok":
        body = {**body, "call_id": call_id}
    raw = body.replace(b'"ok"', f'"{call_id}"'.encode()) if isinstance(body, bytes) else None
    status, data = assist_stack.call("POST", "/api/assist", None if raw is not None else body, raw=raw)
    assert 400 <= status < 500, data
    err = data["error"]
    assert err["message"] and (err.get("field") == expect or err["code"] == expect)
    after = assist_stack.call("GET", f"/api/assist/{call_id}")[1]
    assert after["transcript"] == before["transcript"] and after["facts"] == before["facts"]


def test_bad_call_id_in_path_is_400(assist_stack):
    status, data = assist_stack.call("GET", "/api/assist/" + "a%20b")
    assert status == 400 and data["error"]["field"] == "call_id"


def test_console_page_is_served_with_local_assets(assist_stack):
    import urllib.request

    with urllib.request.urlopen(assist_stack.base_url + "/assist", timeout=10) as resp:
        html = resp.read().decode()
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "/assist/static/assist.js?v=" in html and "http" not in html.split("<body>")[1].split("</body>")[0]


def test_get_api_assist_names_the_staff_member_of_the_token(assist_stack):
    status, body = assist_stack.call("GET", "/api/assist")
    assert status == 200 and body == {"staff_id": "wang01", "idle_minutes": 120}
    status, body = assist_stack.call("GET", "/api/assist", token=OTHER_TOKEN)
    assert status == 200 and body["staff_id"] == "li02"


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_get_api_assist_without_a_valid_token_is_401(assist_stack, token):
    status, body = assist_stack.call("GET", "/api/assist", token=token)
    assert status == 401
    assert body["error"]["code"] and body["error"]["message"]


def test_general_program_question_gets_the_same_program_answer_as_chat(assist_stack):
    from bot.program_info import program_answer

    view = assist_stack.line(new_call(), "育儿补贴一直领到娃多大？")
    assert view["answers"], view
    answer = view["answers"][0]
    expected = program_answer(["childcare_subsidy"], ["duration"], audience="staff")
    assert answer["answer"] == expected["text"] and answer["source"] == "program_info"
    assert "3周岁" in answer["answer"] and answer["citations"]
