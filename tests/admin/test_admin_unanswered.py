"""The unanswered log: every marked turn is stored masked with channel, time and KB version, grouped into
topics with counts, a trend and examples; the chat core strips the mark from public Messages."""
from __future__ import annotations

import asyncio
import time

from bot.admin.routes import observe_turn
from bot.admin.unanswered import UnansweredLog, group_topics
from bot.chat import to_message, unanswered_reason
from tests.admin.conftest import EDITOR, PUBLISHER, auth

ID_NUMBER = "110101199003071234"
PHONE = "13812345678"


def test_mark_is_read_and_kept_out_of_the_public_message():
    raw = {"custom": {"text": "抱歉，没有找到。", "buttons": [{"title": "转人工", "payload": "/human_handoff"}],
                      "unanswered": "not_in_sources"}}
    assert unanswered_reason(raw) == "not_in_sources"
    assert "unanswered" not in to_message(raw)
    assert unanswered_reason({"custom": {"text": "x", "unanswered": "bogus"}}) is None
    assert unanswered_reason({"text": "x"}) is None


async def _turn(app, sender, text, reason, messages=None):
    observe_turn(app)(sender, text, messages or [{"text": "抱歉"}], reason)
    await asyncio.sleep(0)
    for _ in range(50):  # the write runs in a worker thread
        await asyncio.sleep(0.02)


async def test_unanswered_turns_are_masked_grouped_and_counted(client, admin_app):
    app = admin_app
    await _turn(app, "web:a", f"我的身份证{ID_NUMBER}，电话{PHONE}，残疾人证丢了怎么补办", "not_in_sources")
    await _turn(app, "wx:b", "残疾证丢了怎么补办", "fallback")
    await _turn(app, "api:c", "残疾人证丢失了如何补办", "low_confidence")
    await _turn(app, "web:d", "公积金怎么提取", "not_in_sources")
    await _turn(app, "web:d", "/human_handoff", "handoff")  # logged against the resident's last question
    await _turn(app, "web:e", "托育的托位数目标是多少", None)  # answered: counted, not logged
    for _ in range(100):
        data = await (await client.get("/api/admin/unanswered", headers=auth(EDITOR))).json()
        if data["total"] == 5:
            break
        await asyncio.sleep(0.05)
    assert data["total"] == 5
    text = str(data)
    assert ID_NUMBER not in text and PHONE not in text and "138****5678" in text
    topics = data["topics"]
    top = topics[0]
    assert top["count"] == 3 and "补办" in top["label"]
    assert top["channels"] == {"web": 1, "wx": 1, "api": 1}
    assert sum(d["count"] for d in top["trend"]) == 3 and len(top["trend"]) == 30
    ex = top["examples"][0]
    assert set(ex) >= {"question", "channel", "time", "kb_version", "reason"}
    assert ex["kb_version"] == app["kb"]["kb"].version
    fund = next(t for t in topics if "公积金" in t["label"])
    assert fund["count"] == 2 and fund["reasons"] == {"not_in_sources": 1, "handoff": 1}
    st = app["admin"]
    st.unanswered.flush()
    daily = st.unanswered.daily("2000-01-01")
    today = next(iter(daily.values()))
    assert today["turns"] == 6 and today["unanswered"] == 5
    assert today["channels"] == {"web": 4, "wx": 1, "api": 1}


async def test_topic_check_shows_whether_the_candidate_answers(client, admin_app):
    await _turn(admin_app, "web:a", "残疾人证丢了怎么补办", "not_in_sources")
    await _turn(admin_app, "web:b", "残疾证丢了去哪补办", "not_in_sources")
    for _ in range(100):
        data = await (await client.get("/api/admin/unanswered", headers=auth(EDITOR))).json()
        if data["total"] == 2:
            break
        await asyncio.sleep(0.05)
    topic = data["topics"][0]
    quote = "残疾人证遗失的，可向户籍所在地县级残联申请补发。"
    resp = await client.post("/api/admin/curated", headers=auth(EDITOR), json={
        "question": "残疾人证丢了怎么补办", "paraphrases": ["残疾证丢了去哪补办"], "answer": quote,
        "source": {"type": "document", "title": "残疾人证管理办法（测试样例）", "doc_number": "残联发〔2026〕1号", "quote": quote}})
    assert resp.status == 200
    impact = (await resp.json())["impact"]
    assert impact["groups"]["unanswered"]["answered_after"] == 2
    check = await (await client.post("/api/admin/unanswered/check", json={"topic_id": topic["topic_id"]},
                                     headers=auth(EDITOR))).json()
    assert check["answered_candidate"] == 2 and check["questions"][0]["candidate"]["answer"] == quote
    for bad in ({}, {"topic_id": "x"}, {"topic_id": "t-0000000000"}):
        resp = await client.post("/api/admin/unanswered/check", json=bad, headers=auth(EDITOR))
        assert resp.status in (400, 404) and "error" in await resp.json()
    assert (await client.get("/api/admin/unanswered?days=0", headers=auth(EDITOR))).status == 400
    assert (await client.get("/api/admin/unanswered?days=abc", headers=auth(EDITOR))).status == 400


def test_topics_without_the_model_group_by_words():
    now = time.time()
    rows = [{"id": i, "at": now - i, "day": "2026-11-29", "channel": "web", "reason": "fallback",
             "question": q, "kb_version": "v1"} for i, q in enumerate(
        ["养老金怎么领取", "养老金领取需要什么", "公交卡怎么办理", "养老金在哪领取"])]
    topics = group_topics(rows, None, today="2026-11-29")
    assert [t["count"] for t in topics] == [3, 1]
    assert "养老金" in topics[0]["label"]


def test_log_keeps_counts_across_flushes(tmp_path):
    log = UnansweredLog(f"sqlite:///{tmp_path / 'a.db'}")
    log.count_turn("web", (("childcare_subsidy", "eligible"),))
    log.flush()
    log.count_turn("web", (("childcare_subsidy", "eligible"), ("childcare_subsidy", "not_eligible")))
    log.flush()
    assert list(log.daily("2000-01-01").values())[0]["turns"] == 2
    assert log.outcome_counts("2000-01-01") == {"childcare_subsidy": {"eligible": 2, "not_eligible": 1}}


async def test_a_turn_logged_just_before_the_admin_reads_is_listed(tmp_path, monkeypatch):
    """The write runs off the event loop; a reader right after the turn waits for it instead of missing it
    (the admin who opens the list just after a resident's question must see that question)."""
    log = UnansweredLog(f"sqlite:///{tmp_path / 'admin.db'}")
    slow_record = log.record

    def record(*args, **kwargs):
        time.sleep(0.4)                      # a busy database
        slow_record(*args, **kwargs)

    monkeypatch.setattr(log, "record", record)
    log.record_soon(asyncio.get_running_loop(), "web", "not_in_sources", "残疾人证丢了怎么补办")
    rows = await asyncio.to_thread(log.list, time.time() - 60)
    assert [r["question"] for r in rows] == ["残疾人证丢了怎么补办"]
    assert (await asyncio.to_thread(log.daily, "2000-01-01"))
