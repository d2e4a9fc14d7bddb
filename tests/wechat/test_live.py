"""The WeChat channel against the real conversation core (live Rasa from the `live_stack` fixture).

The app under test is built in-process with the real ChatCore (bot.chat_routes) pointed at the live
Rasa, so each test can set its own reply deadline; only WeChat's server API is faked (fake_wechat_api).
"""
from __future__ import annotations

import re

import asyncio
import itertools
import time
import uuid
from urllib.parse import quote

import aiohttp
import pytest

from bot.app import create_app
from bot.channels.wechat_format import format_messages, split_text
from bot.settings import Settings
from wechat_peer import (ADMIN_TOKEN, AES_KEY, APPID, SECRET, TOKEN, Peer, ask, event_msg, location_msg,
                         next_msg_id, push, text_msg, voice_msg)

pytestmark = pytest.mark.stack

QUESTION = "残疾人两项补贴是什么"
TAIYUAN = (37.8706, 112.5489)     # GCJ-02, central Taiyuan
_seq = itertools.count()


def new_openid() -> str:
    return f"oTest{uuid.uuid4().hex[:20]}"


@pytest.fixture
def make_client(fake_api, live_stack, aiohttp_client, tmp_path, monkeypatch):
    # fake_api first: torn down last, after the app has finished pushing
    async def make(deadline_s: float = 30.0, safe: bool = False):
        """safe=True configures WECHAT_AES_KEY, and then only encrypted pushes are accepted."""
        monkeypatch.setenv("WECHAT_REPLY_DEADLINE_S", str(deadline_s))
        monkeypatch.setenv("WECHAT_CONTINUATION_DELAY_S", "0")
        settings = Settings(wechat_token=TOKEN, wechat_appid=APPID, wechat_appsecret=SECRET,
                            wechat_aes_key=AES_KEY if safe else "", wechat_api_base=fake_api.base_url, admin_token=ADMIN_TOKEN,
                            var_dir=tmp_path / f"var{next(_seq)}", rasa_url=live_stack.rasa_url, rasa_token=live_stack.rasa_token,
                            rasa_timeout_s=60)
        return await aiohttp_client(create_app(settings, features=["bot.chat_routes", "bot.channels.wechat"]))
    return make


async def core_messages(client, text: str, metadata: dict | None = None) -> list[dict]:
    """What the same core answers through /api/chat for a fresh resident."""
    body = {"sender_id": f"ref-{uuid.uuid4().hex[:12]}", "text": text, "metadata": metadata or {}}
    resp = await client.post("/api/chat", json=body)
    assert resp.status == 200, await resp.text()
    return (await resp.json())["messages"]


async def reference(client, text: str, metadata: dict | None = None) -> list[str]:
    """That answer formatted for WeChat: the texts a resident receives, in order."""
    return split_text(format_messages(await core_messages(client, text, metadata)).text)


async def user_turns(live_stack, openid: str) -> list[str]:
    """The user turns Rasa recorded for this resident (to prove a retry made no second turn)."""
    url = f"{live_stack.rasa_url}/conversations/{quote('wx:' + openid, safe='')}/tracker"
    async with aiohttp.ClientSession() as s, s.get(url, params={"token": live_stack.rasa_token}) as resp:
        assert resp.status == 200
        tracker = await resp.json()
    return [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]


@pytest.mark.parametrize("safe", [False, True], ids=["plaintext", "safe_mode"])
async def test_text_question_gets_the_same_answer_as_api_chat(make_client, safe):
    client = await make_client(safe=safe)
    expected = await reference(client, QUESTION)
    got = await ask(client, Peer(), text_msg(new_openid(), QUESTION), safe)
    assert got == expected[0]
    assert len(got.encode("utf-8")) <= 2048


async def test_answer_is_cited_compactly(make_client):
    client = await make_client()
    got = await ask(client, Peer(), text_msg(new_openid(), QUESTION))
    # one compact source line (出处 for a KB answer, 依据 for a program answer), never a repeated one
    assert len(re.findall(r"^(?:出处|依据)：", got, re.MULTILINE)) == 1, got


async def test_voice_recognition_is_used_as_the_text(make_client):
    client = await make_client(safe=True)
    expected = await reference(client, QUESTION)
    assert await ask(client, Peer(), voice_msg(new_openid(), QUESTION), safe=True) == expected[0]


async def test_location_returns_the_nearest_service_points(make_client, fake_api):
    client = await make_client()
    metadata = {"location": {"lat": TAIYUAN[0], "lng": TAIYUAN[1], "datum": "gcj02"}}
    messages = await core_messages(client, "/share_location", metadata)
    expected = split_text(format_messages(messages).text)
    openid = new_openid()
    first = await ask(client, Peer(), location_msg(openid, *TAIYUAN, label="太原市迎泽区"))
    rest = await fake_api.wait_for_messages(openid, len(expected) - 1) if len(expected) > 1 else []
    assert [first, *rest] == expected                     # a long list continues through the push API
    names = [p["name"] for m in messages for p in m.get("service_points", [])]
    distances = [p["distance_km"] for m in messages for p in m.get("service_points", [])]
    assert names and all(name in "".join(expected) for name in names)
    assert distances[0] == min(distances)                 # nearest first
    assert all(len(t.encode("utf-8")) <= 2048 for t in expected)


async def test_subscribe_gets_the_same_welcome_as_hello(make_client):
    client = await make_client()
    expected = await reference(client, "你好")
    assert await ask(client, Peer(), event_msg(new_openid(), "subscribe")) == expected[0]


async def test_digit_reply_sends_that_buttons_payload(make_client, live_stack):
    client = await make_client()
    openid = new_openid()
    welcome = await ask(client, Peer(), text_msg(openid, "你好"))
    assert "回复数字选择：\n1. " in welcome
    from bot.channels.wechat import STORE_KEY
    options = client.app[STORE_KEY].get_options(openid)
    assert options and welcome.endswith("\n".join(f"{i}. {o['title']}" for i, o in enumerate(options, 1)))
    await ask(client, Peer(), text_msg(openid, "１"))      # full-width digit, as phones often type
    turns = await user_turns(live_stack, openid)
    assert turns[-1] == options[0]["payload"]


async def test_concurrent_retries_get_one_answer_and_one_rasa_turn(make_client, live_stack, fake_api):
    client = await make_client(safe=True)
    openid, msg_id = new_openid(), next_msg_id()
    xml = text_msg(openid, QUESTION, msg_id=msg_id)
    answers = await asyncio.gather(*(ask(client, Peer(), xml, safe=True) for i in range(3)))
    assert answers[0] and answers.count(answers[0]) == 3
    assert await ask(client, Peer(), xml, safe=True) == answers[0]   # a late retry replays the stored answer
    assert await user_turns(live_stack, openid) == [QUESTION]
    assert fake_api.messages_to(openid) == []


async def test_event_retry_is_deduplicated_on_sender_and_create_time(make_client, live_stack):
    client = await make_client()
    openid, created = new_openid(), int(time.time())
    first = await ask(client, Peer(), event_msg(openid, "subscribe", create_time=created))
    again = await ask(client, Peer(), event_msg(openid, "subscribe", create_time=created))
    assert first == again
    assert await user_turns(live_stack, openid) == ["你好"]


async def test_slow_answer_is_pushed_through_the_customer_service_api(make_client, live_stack, fake_api):
    client = await make_client(deadline_s=0)
    expected = await reference(client, QUESTION)
    openid, msg_id = new_openid(), next_msg_id()
    assert await push(client, Peer(), text_msg(openid, QUESTION, msg_id=msg_id)) == (200, "success")
    assert await push(client, Peer(), text_msg(openid, QUESTION, msg_id=msg_id)) == (200, "success")  # retry
    assert await fake_api.wait_for_messages(openid, len(expected)) == expected
    await asyncio.sleep(0.5)
    assert fake_api.messages_to(openid) == expected                  # pushed once, not per retry
    assert await user_turns(live_stack, openid) == [QUESTION]


async def test_slow_path_in_safe_mode_replies_success_unencrypted(make_client, fake_api):
    client = await make_client(deadline_s=0, safe=True)
    openid = new_openid()
    assert await push(client, Peer(), text_msg(openid, QUESTION), safe=True) == (200, "success")
    assert await fake_api.wait_for_messages(openid, 1)


@pytest.mark.parametrize("code", [45015, 45047])
async def test_refused_push_is_kept_for_staff(make_client, fake_api, code):
    client = await make_client(deadline_s=0)
    expected = await reference(client, QUESTION)
    openid = new_openid()
    fake_api.fail_next(code)
    assert await push(client, Peer(), text_msg(openid, QUESTION)) == (200, "success")
    rows: list = []
    for _ in range(200):
        resp = await client.get("/api/wechat/undelivered", params={"openid": openid},
                                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        rows = (await resp.json())["results"]
        if rows:
            break
        await asyncio.sleep(0.1)
    assert [(r["errcode"], r["texts"]) for r in rows] == [(code, expected)]
    assert fake_api.messages_to(openid) == []


async def test_expired_token_is_refreshed_during_a_push(make_client, fake_api):
    client = await make_client(deadline_s=0)
    first, second = new_openid(), new_openid()
    await push(client, Peer(), text_msg(first, QUESTION))
    assert await fake_api.wait_for_messages(first, 1)
    fake_api.expire_tokens()                                         # → 42001 on the next send
    await push(client, Peer(), text_msg(second, QUESTION))
    assert await fake_api.wait_for_messages(second, 1)
    assert fake_api.token_calls == 2
