"""WeChat hardening: the timestamp window, nonce replay, safe-mode-only, the account check, the stable token
shared by several processes, retried customer-service pushes, and a per-resident rate limit."""
from __future__ import annotations

import time

import aiohttp
import pytest

from bot.app import create_app
from bot.channels.wechat import STORE_KEY, TOO_FAST, UNSUPPORTED, WeChatChannel, WeChatConfig
from bot.channels.wechat_api import WeChatApi
from bot.channels.wechat_store import PUSHED, UNDELIVERED, WeChatStore
from bot.settings import Settings
from wechat_peer import (ADMIN_TOKEN, AES_KEY, APPID, SECRET, TOKEN, Peer, ask, image_msg, push, text_msg, xml_of)


def settings(tmp_path, **over) -> Settings:
    base = dict(wechat_token=TOKEN, wechat_appid=APPID, wechat_appsecret=SECRET, wechat_aes_key="",
                wechat_api_base="http://127.0.0.1:9", admin_token=ADMIN_TOKEN, var_dir=tmp_path,
                rasa_url="http://127.0.0.1:9")
    return Settings(**(base | over))


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(create_app(settings(tmp_path), features=["bot.channels.wechat"]))


def rows(client) -> int:
    import sqlalchemy as sa

    from bot.channels.wechat_store import inbound
    with client.app[STORE_KEY].engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(inbound)).scalar()


@pytest.mark.parametrize("skew", [-301, 320, 3600])   # +320: clear of the rounding of "now"
async def test_a_push_outside_the_300_second_window_is_refused(client, skew):
    query, body = Peer().plain(image_msg("oOld"))
    stale = Peer().signed_query(timestamp=str(int(time.time()) + skew))
    resp = await client.post("/wechat", params=stale, data=body)
    assert resp.status == 403 and (await resp.json())["error"]["code"] == "stale_request"
    echo = await client.get("/wechat", params=stale | {"echostr": "x"})
    assert echo.status == 403
    assert rows(client) == 0


async def test_a_push_inside_the_window_is_accepted(client):
    query = Peer().signed_query(timestamp=str(int(time.time()) - 250))
    resp = await client.post("/wechat", params=query, data=image_msg("oNow").encode())
    assert resp.status == 200


async def test_a_replayed_url_with_another_message_is_refused(client):
    peer = Peer()
    query = peer.signed_query()
    first = await client.post("/wechat", params=query, data=image_msg("oA").encode())
    assert first.status == 200
    forged = await client.post("/wechat", params=query, data=text_msg("oA", "伪造的消息").encode())
    assert forged.status == 403 and (await forged.json())["error"]["code"] == "replayed_request"
    assert rows(client) == 0          # the image is answered locally; the forged text is never claimed


async def test_the_same_message_again_on_the_same_url_makes_no_second_turn(aiohttp_client, tmp_path):
    from bot.chat import RASA_DOWN_MESSAGE
    from fake_wechat_api import free_port
    app = create_app(settings(tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}"),
                     features=["bot.chat_routes", "bot.channels.wechat"])
    client = await aiohttp_client(app)
    query = Peer().signed_query()
    xml = text_msg("oB", "你好").encode()
    for _ in range(2):
        resp = await client.post("/wechat", params=query, data=xml)
        assert resp.status == 200 and RASA_DOWN_MESSAGE in await resp.text()
    assert rows(client) == 1


async def test_plaintext_is_refused_when_the_aes_key_is_set(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(settings(tmp_path, wechat_aes_key=AES_KEY),
                                             features=["bot.channels.wechat"]))
    status, body = await push(client, Peer(), image_msg("oC"))
    assert status == 403 and "plaintext_refused" in body
    assert await ask(client, Peer(), image_msg("oC"), safe=True) == UNSUPPORTED
    raw = Peer().signed_query() | {"encrypt_type": "raw"}
    resp = await client.post("/wechat", params=raw, data=image_msg("oC").encode())
    assert resp.status == 403


async def test_a_push_for_another_account_is_refused_once_ours_is_known(client):
    assert await ask(client, Peer(), image_msg("oD")) == UNSUPPORTED           # learns gh_test_account
    other = xml_of({"ToUserName": "gh_someone_else", "FromUserName": "oD", "CreateTime": int(time.time()),
                    "MsgType": "image", "PicUrl": "http://example.invalid/a.jpg", "MediaId": "m", "MsgId": 77})
    status, body = await push(client, Peer(), other)
    assert status == 403 and "wrong_account" in body
    assert await ask(client, Peer(), image_msg("oD")) == UNSUPPORTED


async def test_the_stable_token_is_shared_by_several_processes(fake_api):
    """Two service processes on one account: neither invalidates the other's token (the old endpoint did)."""
    async with aiohttp.ClientSession() as s1, aiohttp.ClientSession() as s2:
        first = WeChatApi(s1, fake_api.base_url, APPID, SECRET)
        second = WeChatApi(s2, fake_api.base_url, APPID, SECRET)
        await first.send_text("oA", "一")
        await second.send_text("oB", "二")
        await first.send_text("oA", "三")
        assert await first.access_token() == await second.access_token()
    assert fake_api.legacy_token_calls == 0 and fake_api.rejected_tokens == 0
    assert fake_api.messages_to("oA") == ["一", "三"]


def _channel(fake_api, store, session, retries: int = 3) -> WeChatChannel:
    config = WeChatConfig(TOKEN, APPID, SECRET, "", fake_api.base_url, ADMIN_TOKEN, push_retries=retries,
                          push_retry_base_s=0.01)
    return WeChatChannel(config, store, chat=None, api=WeChatApi(session, fake_api.base_url, APPID, SECRET,
                                                                  timeout_s=2))


@pytest.mark.parametrize("failures", [[-1], [-1, -1], [-2, -1, 45009]])
async def test_a_transient_push_failure_is_retried(fake_api, tmp_path, failures):
    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    fake_api.fail_next(*failures)
    async with aiohttp.ClientSession() as session:
        assert await _channel(fake_api, store, session)._push("oR", "msg:r", ["答复"]) == PUSHED
    assert fake_api.messages_to("oR") == ["答复"] and store.list_undelivered() == []


async def test_a_push_still_failing_after_the_retries_is_kept_undelivered(fake_api, tmp_path):
    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    fake_api.fail_next(-1, -1, -1, -1, -1)
    async with aiohttp.ClientSession() as session:
        assert await _channel(fake_api, store, session, retries=3)._push("oF", "msg:f", ["答复"]) == UNDELIVERED
    assert fake_api.send_calls == 4                               # the first attempt and three retries
    assert store.list_undelivered()[0]["errcode"] == -1


async def test_refusals_are_not_retried(fake_api, tmp_path):
    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    fake_api.fail_next(45015)
    async with aiohttp.ClientSession() as session:
        assert await _channel(fake_api, store, session)._push("oW", "msg:w", ["答复"]) == UNDELIVERED
    assert fake_api.send_calls == 1


async def test_retry_delays_are_jittered(fake_api, tmp_path, monkeypatch):
    import asyncio as aio
    delays: list[float] = []
    real_sleep = aio.sleep

    async def record(delay, *a, **k):
        delays.append(delay)
        await real_sleep(0)
    monkeypatch.setattr("bot.channels.wechat.asyncio.sleep", record)
    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    async with aiohttp.ClientSession() as session:
        channel = _channel(fake_api, store, session)
        channel.config.push_retry_base_s = 1.0
        for i in range(4):
            fake_api.fail_next(-1, -1)
            await channel._push(f"oJ{i}", f"msg:j{i}", ["答复"])
    firsts, seconds = delays[0::2], delays[1::2]
    assert all(0.5 <= d <= 1.5 for d in firsts) and all(1.0 <= d <= 3.0 for d in seconds)
    assert len(set(firsts)) > 1                                   # not in step with other processes


async def test_a_resident_sending_too_fast_gets_a_polite_local_reply(aiohttp_client, tmp_path):
    from fake_wechat_api import free_port
    app = create_app(settings(tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}", rate_limit_sender_per_min=2),
                     features=["bot.chat_routes", "bot.channels.wechat"])
    client = await aiohttp_client(app)
    answers = [await ask(client, Peer(), text_msg("oFast", f"问题{i}")) for i in range(4)]
    assert answers[-1] == TOO_FAST and answers[0] != TOO_FAST
    assert rows(client) == 2                                      # the refused ones never reached the core


async def test_a_long_text_in_pieces_is_read_whole(aiohttp_server, tmp_path):
    """A 5 KB WeChat text, delivered in 1,400-byte pieces: answered, not 400 malformed_xml."""
    import asyncio
    from bot.chat import RASA_DOWN_MESSAGE
    from fake_wechat_api import free_port
    app = create_app(settings(tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}"),
                     features=["bot.chat_routes", "bot.channels.wechat"])
    server = await aiohttp_server(app)
    query, body = Peer().plain(text_msg("oLong", "请问残疾人两项补贴的申请条件是什么，" * 100))
    assert len(body) > 4000
    from urllib.parse import urlencode
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write((f"POST /wechat?{urlencode(query)} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
    for i in range(0, len(body), 1400):
        await asyncio.sleep(0.05)
        writer.write(body[i:i + 1400])
        await writer.drain()
    raw = await reader.read()
    writer.close()
    assert raw.startswith(b"HTTP/1.1 200"), raw[:200]
    assert RASA_DOWN_MESSAGE.encode() in raw
