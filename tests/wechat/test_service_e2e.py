"""End to end: a real assistant-service process with the WeChat channel configured, the shared live
Rasa, a spec-following peer, and the fake WeChat API on loopback.

With the production deadline (4.5 s) an answer arrives either as the passive reply or, when the core
is slower, through the customer-service push; both count, exactly once.
"""
from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace

import aiohttp
import pytest

from bot.channels.wechat import NOT_CONFIGURED
from bot.launcher import APP_PYTHON, Stack
from bot.channels.wechat_format import format_messages, split_text
from fake_wechat_api import FakeWeChatApi, free_port
from wechat_peer import (ADMIN_TOKEN, AES_KEY, APPID, SECRET, TOKEN, Peer, location_msg, next_msg_id, push,
                         sha1_sorted, text_msg)

pytestmark = pytest.mark.stack

FAKE = FakeWeChatApi(APPID, SECRET)          # its port is picked again when the module's stack starts
WECHAT_ENV = {"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_APPSECRET": SECRET,
              "WECHAT_AES_KEY": AES_KEY, "ADMIN_TOKEN": ADMIN_TOKEN,
              "WECHAT_REPLY_DEADLINE_S": "4.5"}
QUESTION = "残疾人两项补贴是什么"
TAIYUAN = (37.8706, 112.5489)


@pytest.fixture(scope="module")
def wechat_stack(live_stack, tmp_path_factory):
    """A second assistant-service process, configured for WeChat, on the shared live Rasa.

    Started the way the stack fixture starts its service (bot.launcher.Stack, same env), but without a
    second Rasa server: the dialogue, tracker and actions are the shared stack's.
    """
    # A port picked at collection may be taken by the time this module runs (minutes of other tests later).
    FAKE.port = free_port()
    FAKE.start()
    log_dir = tmp_path_factory.mktemp("wechat-service")
    port = free_port()
    env = dict(live_stack.env, PORT=str(port), ACTION_PORT=str(free_port()), WECHAT_API_BASE=FAKE.base_url,
               **WECHAT_ENV)
    stack = Stack()
    stack.start("service", [str(APP_PYTHON), "-m", "bot"], env, log_dir / "service.out")
    service = SimpleNamespace(base_url=f"http://127.0.0.1:{port}", rasa_url=live_stack.rasa_url,
                              rasa_token=live_stack.rasa_token, chat=live_stack.chat)
    try:
        deadline = time.time() + 180
        while not _service_up(service.base_url):
            if stack.dead() or time.time() > deadline:
                pytest.fail("WeChat-configured service did not start:\n"
                            + (log_dir / "service.out").read_text(errors="replace")[-4000:])
            time.sleep(0.5)
        yield service
    finally:
        stack.stop()
        FAKE.stop()


def _service_up(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=3) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def openid() -> str:
    return f"oE2E{uuid.uuid4().hex[:20]}"


async def answer_of(http, stack, xml: str, who: str, safe: bool = False) -> tuple[list[str], float]:
    """The answer texts the resident receives (passive reply, else pushes) and the HTTP reply time."""
    t0 = time.monotonic()
    status, body = await push(http, Peer(), xml, safe, path=f"{stack.base_url}/wechat")
    elapsed = time.monotonic() - t0
    assert status == 200, body
    if body not in ("success", ""):
        return [Peer().read_reply(body, safe)["Content"]], elapsed
    return await FAKE.wait_for_messages(who, 1, timeout=60), elapsed


def expected(stack, text: str, metadata: dict | None = None) -> list[str]:
    messages = stack.chat(text, f"ref-{uuid.uuid4().hex[:10]}", metadata)
    return split_text(format_messages(messages).text)


def test_unconfigured_service_refuses_wechat_in_chinese(live_stack):
    if live_stack.env.get("WECHAT_TOKEN"):
        pytest.skip("the shared stack was started with WECHAT_TOKEN")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{live_stack.base_url}/wechat?signature=x&timestamp=1&nonce=2&echostr=3", timeout=10)
    assert err.value.code == 503
    assert NOT_CONFIGURED in err.value.read().decode("utf-8")


async def test_url_verification_and_forged_pushes(wechat_stack, http):
    q = Peer().signed_query() | {"echostr": "e2e-echo"}
    async with http.get(f"{wechat_stack.base_url}/wechat", params=q) as resp:
        assert (resp.status, await resp.text()) == (200, "e2e-echo")
    query, body = Peer().plain(text_msg(openid(), QUESTION))
    query["signature"] = sha1_sorted("not-our-token", query["timestamp"], query["nonce"])
    async with http.post(f"{wechat_stack.base_url}/wechat", params=query, data=body) as resp:
        assert resp.status == 403


async def test_plaintext_push_is_refused_when_safe_mode_is_configured(wechat_stack, http):
    status, body = await push(http, Peer(), text_msg(openid(), QUESTION), False, path=f"{wechat_stack.base_url}/wechat")
    assert status == 403 and "plaintext_refused" in body


async def test_question_is_answered_within_the_deadline_or_pushed(wechat_stack, http):
    who = openid()
    got, elapsed = await answer_of(http, wechat_stack, text_msg(who, QUESTION), who, True)
    assert elapsed < 5.0                       # WeChat's own limit on the HTTP reply
    assert got[0] == expected(wechat_stack, QUESTION)[0]


async def test_location_returns_the_nearest_offices(wechat_stack, http):
    who = openid()
    got, _ = await answer_of(http, wechat_stack, location_msg(who, *TAIYUAN), who, True)
    metadata = {"location": {"lat": TAIYUAN[0], "lng": TAIYUAN[1], "datum": "gcj02"}}
    points = [p for m in wechat_stack.chat("/share_location", f"ref-{uuid.uuid4().hex[:10]}", metadata)
              for p in m.get("service_points", [])]
    nearest = min(points, key=lambda p: p["distance_km"])["name"]
    assert nearest in got[0]


async def test_a_retried_msgid_gets_one_answer(wechat_stack, http):
    who, msg_id = openid(), next_msg_id()
    xml = text_msg(who, QUESTION, msg_id=msg_id)
    url = f"{wechat_stack.base_url}/wechat"
    replies = await asyncio.gather(push(http, Peer(), xml, True, path=url), push(http, Peer(), xml, True, path=url))
    bodies = {body if body == "success" else Peer().read_reply(body, True)["Content"] for _, body in replies}
    answers = bodies - {"success"}
    if not answers:                            # slower than both deadlines: pushed, once
        await FAKE.wait_for_messages(who, 1, timeout=60)
        await asyncio.sleep(1.0)
        assert len(FAKE.messages_to(who)) == len(expected(wechat_stack, QUESTION))
    else:                                      # the connections still waiting carry the same single answer
        assert len(answers) == 1
        await asyncio.sleep(1.0)
        assert FAKE.messages_to(who) == []
    async with http.get(f"{wechat_stack.rasa_url}/conversations/wx:{who}/tracker",
                        params={"token": wechat_stack.rasa_token}) as resp:
        events = (await resp.json())["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [QUESTION]
