"""access_token caching/refresh and customer-service error codes, against the fake WeChat API."""
from __future__ import annotations

import json

import aiohttp
import pytest

from bot.channels.wechat_api import NETWORK_ERROR, WeChatApi, WeChatApiError
from fake_wechat_api import free_port
from wechat_peer import APPID, SECRET


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


async def test_token_is_cached_and_refreshed_before_expiry(fake_api, session):
    clock = Clock()
    api = WeChatApi(session, fake_api.base_url, APPID, SECRET, clock=clock)
    await api.send_text("oA", "一")
    await api.send_text("oA", "二")
    assert fake_api.token_calls == 1
    clock.now += 7200 - 301          # still inside the refresh margin: cached
    await api.send_text("oA", "三")
    assert fake_api.token_calls == 1
    clock.now += 2                   # 299 s before WeChat's expiry: refreshed proactively
    await api.send_text("oA", "四")
    assert fake_api.token_calls == 2
    assert fake_api.messages_to("oA") == ["一", "二", "三", "四"]


@pytest.mark.parametrize("breaker", ["expire_tokens", "revoke_tokens"])   # 42001, 40001
async def test_rejected_token_is_refreshed_and_the_call_retried_once(fake_api, session, breaker):
    api = WeChatApi(session, fake_api.base_url, APPID, SECRET)
    await api.send_text("oA", "第一条")
    getattr(fake_api, breaker)()
    await api.send_text("oA", "第二条")
    assert fake_api.token_calls == 2
    assert fake_api.messages_to("oA") == ["第一条", "第二条"]


async def test_token_error_twice_gives_up_after_one_retry(fake_api, session):
    api = WeChatApi(session, fake_api.base_url, APPID, SECRET)
    fake_api.fail_next(40001, 40001)
    with pytest.raises(WeChatApiError) as err:
        await api.send_text("oA", "x")
    assert err.value.errcode == 40001
    # first token; after the rejection the stable token is asked again (same one) and then forced anew
    assert fake_api.send_calls == 2 and fake_api.token_calls == 3


@pytest.mark.parametrize("code", [45015, 45047])
async def test_window_and_limit_errors_surface_without_retry(fake_api, session, code):
    api = WeChatApi(session, fake_api.base_url, APPID, SECRET)
    fake_api.fail_next(code)
    with pytest.raises(WeChatApiError) as err:
        await api.send_text("oA", "x")
    assert err.value.errcode == code
    assert fake_api.send_calls == 1 and fake_api.messages_to("oA") == []


async def test_wrong_secret_is_an_error_not_a_token(fake_api, session):
    api = WeChatApi(session, fake_api.base_url, APPID, "wrong")
    with pytest.raises(WeChatApiError) as err:
        await api.send_text("oA", "x")
    assert err.value.errcode == 40013


async def test_unreachable_api_is_a_network_error(session):
    api = WeChatApi(session, f"http://127.0.0.1:{free_port()}", APPID, SECRET, timeout_s=2)
    with pytest.raises(WeChatApiError) as err:
        await api.send_text("oA", "x")
    assert err.value.errcode == NETWORK_ERROR


async def test_chinese_is_sent_as_utf8_not_unicode_escapes(fake_api, session):
    await WeChatApi(session, fake_api.base_url, APPID, SECRET).send_text("oA", "育儿补贴")
    raw = fake_api.raw_bodies[-1]
    assert "育儿补贴".encode("utf-8") in raw and b"\\u" not in raw
    assert json.loads(raw) == {"touser": "oA", "msgtype": "text", "text": {"content": "育儿补贴"}}
