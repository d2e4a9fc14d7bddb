"""The form validation reads a reply as an answer to the question just asked (real actions, rasa_sdk trackers).

No Rasa server: the tracker is rasa_sdk's own Tracker built from the state Rasa would send the action server.
"""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import eligibility as elig


def tracker(text: str, intent: str, requested: str | None, form: str = "disability_care_allowance", **slots) -> Tracker:
    all_slots = {"requested_slot": requested, "unknown_facts": [], **slots}
    return Tracker("t1", all_slots, {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
                   [], False, None, {"name": f"{form}_form"}, "action_listen")


def run(form: str, t: Tracker) -> tuple[list[dict], list[dict]]:
    action = getattr(elig, f"ValidateForm_{form}")()
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return events, dispatcher.messages


def slots(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("text,intent,fact,value", [
    ("有，残联给办的那个新证", "find_service_point", "has_disability_certificate", True),
    ("在山西", "find_service_point", "hukou_in_shanxi", True),
    ("在呢，就是平遥县的", "find_service_point", "hukou_in_shanxi", True),
    ("需要，天天得有人护理", "inform", "needs_long_term_care", True),
    ("没有，还没去残联办", "find_service_point", "has_disability_certificate", False),
    ("吃饭穿衣都得人管，好些年了", "inform", "needs_long_term_care", True),
])
def test_answer_with_office_or_place_words_is_an_answer_not_a_digression(text, intent, fact, value):
    events, _ = run("disability_care_allowance", tracker(text, intent, fact))
    assert events, "the form rejected the answer as a digression"
    assert slots(events)[fact] is value
    assert slots(events)["requested_slot"] != fact


@pytest.mark.parametrize("text,intent,asked", [
    ("残联在哪里", "find_service_point", "has_disability_certificate"),
    ("低保怎么申请", "ask_policy", "hukou_in_shanxi"),
])
def test_a_real_new_question_is_a_digression(text, intent, asked):
    events, _ = run("disability_care_allowance", tracker(text, intent, asked))
    assert events == []   # the form rejects; the digression rule answers, then the form resumes


def test_stop_is_not_an_answer():
    events, _ = run("disability_care_allowance", tracker("算了，不问了", "stop_form", "has_disability_certificate"))
    assert events == []


def test_hedge_is_taken_and_remembered_for_the_result():
    events, messages = run("disability_care_allowance", tracker("好像是三级", "inform", "disability_level",
                                                               has_disability_certificate=True))
    got = slots(events)
    assert got["disability_level"] == 3
    assert got["hedged_facts"] == {"disability_level": "好像是三级"}
    assert not messages   # no "没能识别" complaint


def test_facts_given_earlier_are_not_asked_again():
    events, _ = run("disability_care_allowance", tracker("有", "affirm", "has_disability_certificate",
                                                       disability_level=2, disability_type="physical",
                                                       hukou_in_shanxi=True))
    got = slots(events)
    assert got["requested_slot"] == "needs_long_term_care"


def test_unborn_child_ends_the_form_without_asking_the_birth_date():
    events, _ = run("childcare_subsidy", tracker("还没生呢，预产期明年三月", "inform", "child_birth_date"))
    got = slots(events)
    assert got["child_unborn"] is True
    assert got["requested_slot"] is None


def test_twins_are_remembered():
    events, _ = run("childcare_subsidy", tracker("双胞胎，2025年3月生的", "inform", "child_birth_date"))
    got = slots(events)
    assert got["child_birth_date"] == "2025-03"
    assert got["children"]["count"] == 2


def test_a_year_that_does_not_settle_the_certificate_window_is_asked_again_with_the_reason():
    t = tracker("去年", "inform", "certificate_issue_date", unemployment_insurance_months=24,
                certificate_level="intermediate", claimed_same_level_before=False)
    events, _ = run("skills_upgrade_subsidy", t)
    got = slots(events)
    assert got["certificate_issue_date"] == str(elig.today().year - 1)
    assert got["requested_slot"] == "certificate_issue_date"
    ask = elig.AskFact_certificate_issue_date()
    dispatcher = CollectingDispatcher()
    t = tracker("", "inform", "certificate_issue_date", form="skills_upgrade_subsidy",
                certificate_issue_date=got["certificate_issue_date"])
    asyncio.run(ask.run(dispatcher, t, {}))
    text = dispatcher.messages[0]["custom"]["text"]
    assert text.startswith(f"您说的是{elig.today().year - 1}年，要确定结果还需要更准确的日期。")


@pytest.mark.parametrize("text,asked,fact,said", [
    ("卧床两年了 得有人照顾。对了 两项补贴能同时领吗", "needs_long_term_care", "needs_long_term_care", "同时"),
    ("有的，对了申请要带啥材料", "has_disability_certificate", "has_disability_certificate", "残疾人证"),
    ("在山西，审批要多少天能批下来", "hukou_in_shanxi", "hukou_in_shanxi", "没有"),
])
def test_an_answer_that_also_asks_gets_both_taken(text, asked, fact, said):
    events, messages = run("disability_both", tracker(text, "inform", asked, form="disability_both"))
    assert fact in slots(events), events
    assert any(said in ((m.get("custom") or {}).get("text") or m.get("text") or "") for m in messages), messages


def test_a_plain_answer_gets_no_aside():
    events, messages = run("disability_both", tracker("需要，天天得有人护理", "inform", "needs_long_term_care",
                                                      form="disability_both"))
    assert slots(events)["needs_long_term_care"] is True and messages == []


def test_an_age_that_settles_the_outcome_but_not_the_amount_asks_the_birth_month_once():
    """"两岁多": eligible whatever the month, but the months counted depend on it — ask, never give a range."""
    events, _ = run("childcare_subsidy", tracker("两岁多了", "inform", "child_birth_date"))
    got = slots(events)
    assert "/" in got["child_birth_date"]            # the span of birth dates the age allows
    assert got["requested_slot"] == "child_birth_date"
    ask = elig.AskFact_child_birth_date()
    dispatcher = CollectingDispatcher()
    asyncio.run(ask.run(dispatcher, tracker("", "inform", "child_birth_date", form="childcare_subsidy",
                                            child_birth_date=got["child_birth_date"]), {}))
    text = dispatcher.messages[0]["custom"]["text"]
    assert "可以领取" in text and "至" in text and "元之间" in text and "出生年月" in text
    # Answered again only as an age: the range stands and the form ends (no third ask, no complaint).
    again = tracker("记不太清，反正两岁多", "inform", "child_birth_date", form="childcare_subsidy",
                    child_birth_date=got["child_birth_date"])
    events, messages = run("childcare_subsidy", again)
    got = slots(events)
    assert got["requested_slot"] is None and "child_birth_date" in got["unknown_facts"]
    assert not any("没能从您的回答中识别" in (m.get("text") or "") for m in messages)


def test_a_month_ends_the_form_with_an_exact_amount():
    events, _ = run("childcare_subsidy", tracker("2024年3月", "inform", "child_birth_date",
                                                 form="childcare_subsidy", child_birth_date="2023-12-01/2024-11-30"))
    got = slots(events)
    assert got["child_birth_date"] == "2024-03" and got["requested_slot"] is None
    assert "child_birth_date" not in got["unknown_facts"]
