"""/wechat protocol paths that never reach the conversation core: configuration, URL verification,
forged signatures, malformed XML, kinds answered locally, the admin endpoint and the dedupe store."""
from __future__ import annotations

import pytest

from bot.app import create_app
from bot.channels.wechat import NOT_CONFIGURED, STORE_KEY, UNSUPPORTED, VOICE_UNHEARD
from bot.channels.wechat_store import PENDING, PUSHED, WeChatStore
from bot.settings import Settings
from wechat_peer import (ADMIN_TOKEN, AES_KEY, APPID, SECRET, TOKEN, Peer, ask, event_msg, image_msg, push,
                         sha1_sorted, text_msg, voice_msg, xml_of)


def make_settings(tmp_path, safe: bool = False, **over) -> Settings:
    """safe=True configures WECHAT_AES_KEY (then only encrypted pushes are accepted)."""
    base = dict(wechat_token=TOKEN, wechat_appid=APPID, wechat_appsecret=SECRET,
                wechat_aes_key=AES_KEY if safe else "",
                wechat_api_base="http://127.0.0.1:9", admin_token=ADMIN_TOKEN, var_dir=tmp_path,
                rasa_url="http://127.0.0.1:9")
    base.update(over)
    return Settings(**base)


@pytest.fixture
async def client(aiohttp_client, tmp_path, request):
    """Plaintext-configured, or safe mode when the test is parametrised with safe=True."""
    safe = bool(getattr(getattr(request.node, "callspec", None), "params", {}).get("safe"))
    return await aiohttp_client(create_app(make_settings(tmp_path, safe=safe), features=["bot.channels.wechat"]))


@pytest.fixture
async def safe_client(aiohttp_client, tmp_path):
    return await aiohttp_client(create_app(make_settings(tmp_path, safe=True), features=["bot.channels.wechat"]))


def inbound_rows(client) -> int:
    store: WeChatStore = client.app[STORE_KEY]
    import sqlalchemy as sa
    from bot.channels.wechat_store import inbound
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(inbound)).scalar()


async def test_unconfigured_channel_answers_503_in_chinese(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(make_settings(tmp_path, wechat_token=""),
                                             features=["bot.channels.wechat"]))
    for method in ("GET", "POST"):
        resp = await client.request(method, "/wechat", params=Peer().signed_query(), data=b"<xml/>")
        assert resp.status == 503
        assert (await resp.json())["error"]["message"] == NOT_CONFIGURED


async def test_url_verification_echoes_only_with_a_valid_signature(client):
    q = Peer().signed_query() | {"echostr": "5838479218127813673"}
    resp = await client.get("/wechat", params=q)
    assert resp.status == 200 and await resp.text() == "5838479218127813673"
    for bad in ({"signature": "0" * 40}, {"nonce": "other"}, {"timestamp": "1"}):
        resp = await client.get("/wechat", params=q | bad)
        assert resp.status == 403 and "5838479218127813673" not in await resp.text()
    resp = await client.get("/wechat", params={"echostr": "x"})
    assert resp.status == 403
    resp = await client.get("/wechat", params=Peer().signed_query())  # no echostr
    assert resp.status == 400


@pytest.mark.parametrize("safe", [False, True])
async def test_forged_signature_is_403_and_not_processed(client, safe):
    peer = Peer()
    query, body = peer.safe(text_msg("oForged", "你好")) if safe else peer.plain(text_msg("oForged", "你好"))
    forged = dict(query, signature=sha1_sorted("wrong-token", query["timestamp"], query["nonce"]))
    resp = await client.post("/wechat", params=forged, data=body)
    assert resp.status == 403
    if safe:  # right URL signature but a msg_signature made without our token
        resp = await client.post("/wechat", params=dict(query, msg_signature="1" * 40), data=body)
        assert resp.status == 403
        resp = await client.post("/wechat", params={k: v for k, v in query.items() if k != "msg_signature"}, data=body)
        assert resp.status == 403
    assert inbound_rows(client) == 0


async def test_message_for_another_account_is_403(safe_client):
    other = Peer(appid="wx_someone_else")
    status, _ = await push(safe_client, other, text_msg("oX", "你好"), safe=True)
    assert status == 403
    assert inbound_rows(safe_client) == 0


@pytest.mark.parametrize("body", [b"", b"<xml><Content>unclosed", b"{\"json\": true}",
                                  b'<!DOCTYPE x [<!ENTITY e "e">]><xml><A>&e;</A></xml>',
                                  xml_of({"ToUserName": "gh", "FromUserName": "o", "CreateTime": 1,
                                          "MsgType": "location", "Location_X": "north",
                                          "Location_Y": 1, "MsgId": 5}).encode()])
async def test_malformed_xml_is_400(client, body):
    resp = await client.post("/wechat", params=Peer().signed_query(), data=body)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "malformed_xml"
    assert inbound_rows(client) == 0


async def test_malformed_ciphertext_in_safe_mode_is_400(safe_client):
    client = safe_client
    peer = Peer()
    query = peer.signed_query()
    encrypt = "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0IGF0IGFsbA=="
    query.update(encrypt_type="aes", msg_signature=sha1_sorted(TOKEN, query["timestamp"], query["nonce"], encrypt))
    resp = await client.post("/wechat", params=query, data=f"<xml><Encrypt>{encrypt}</Encrypt></xml>".encode())
    assert resp.status == 400


async def test_oversized_body_is_413(client):
    resp = await client.post("/wechat", params=Peer().signed_query(), data=b"<xml>" + b"a" * 70000 + b"</xml>")
    assert resp.status == 413


@pytest.mark.parametrize("safe", [False, True])
async def test_unsupported_kinds_get_a_polite_local_reply(client, safe):
    assert await ask(client, Peer(), image_msg("oUser"), safe) == UNSUPPORTED
    assert "暂时只支持文字和位置" in UNSUPPORTED
    assert await ask(client, Peer(), voice_msg("oUser", ""), safe) == VOICE_UNHEARD


@pytest.mark.parametrize("event", ["unsubscribe", "VIEW", "TEMPLATESENDJOBFINISH"])
async def test_events_with_nothing_to_say_get_success(client, event):
    status, text = await push(client, Peer(), event_msg("oUser", event))
    assert (status, text) == (200, "success")


async def test_unsubscribe_forgets_the_numbered_options(client):
    store: WeChatStore = client.app[STORE_KEY]
    store.set_options("oLeaving", [{"title": "A", "payload": "/a"}])
    await push(client, Peer(), event_msg("oLeaving", "unsubscribe"))
    assert store.get_options("oLeaving") == []


async def test_undelivered_needs_the_admin_bearer(client):
    store: WeChatStore = client.app[STORE_KEY]
    store.add_undelivered("oUser", "msg:1", ["答复一", "答复二"], 45015, "response out of time limit")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN}):
        resp = await client.get("/api/wechat/undelivered", headers=headers)
        assert resp.status == 401
        assert (await resp.json())["error"]["code"] == "unauthorized"
    resp = await client.get("/api/wechat/undelivered", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert resp.status == 200
    [row] = (await resp.json())["results"]
    assert (row["openid"], row["texts"], row["errcode"]) == ("oUser", ["答复一", "答复二"], 45015)
    resp = await client.get("/api/wechat/undelivered", params={"limit": "0"},
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert resp.status == 400


def test_store_claims_each_message_once(tmp_path):
    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    assert store.claim("msg:1", "oA") is None
    again = store.claim("msg:1", "oA")
    assert again is not None and again.status == PENDING
    store.finish("msg:1", PUSHED, ["答"])
    reopened = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")   # survives a restart
    row = reopened.claim("msg:1", "oA")
    assert row is not None and (row.status, row.chunks) == (PUSHED, ["答"])
    assert reopened.prune(retention_s=-1) == 1 and reopened.claim("msg:1", "oA") is None


async def test_push_keeps_what_wechat_refuses(fake_api, tmp_path):
    """A multi-part answer: the part WeChat refuses and everything after it are kept, not dropped."""
    import aiohttp
    from bot.channels.wechat import WeChatChannel, WeChatConfig
    from bot.channels.wechat_api import WeChatApi
    from bot.channels.wechat_store import UNDELIVERED

    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    config = WeChatConfig(TOKEN, APPID, SECRET, AES_KEY, fake_api.base_url, ADMIN_TOKEN)
    async with aiohttp.ClientSession() as session:
        channel = WeChatChannel(config, store, chat=None, api=WeChatApi(session, fake_api.base_url, APPID, SECRET))
        assert await channel._push("oA", "msg:1", ["第一部分", "第二部分"]) == PUSHED
        fake_api.fail_next(0, 45047)
        assert await channel._push("oA", "msg:2", ["一", "二", "三"]) == UNDELIVERED
    assert fake_api.messages_to("oA") == ["第一部分", "第二部分", "一"]
    [row] = store.list_undelivered()
    assert (row["dedupe_key"], row["texts"], row["errcode"]) == ("msg:2", ["二", "三"], 45047)


async def test_push_without_appid_is_kept_too(tmp_path):
    from bot.channels.wechat import NOT_CONFIGURED_PUSH, WeChatChannel, WeChatConfig
    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    channel = WeChatChannel(WeChatConfig(TOKEN, "", "", "", "", ""), store, chat=None, api=None)
    await channel._push("oA", "msg:3", ["答复"])
    assert store.list_undelivered()[0]["errcode"] == NOT_CONFIGURED_PUSH


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "61"])
def test_bad_deadline_setting_stops_startup_naming_the_variable(monkeypatch, value):
    from bot.settings import SettingsError
    monkeypatch.setenv("WECHAT_REPLY_DEADLINE_S", value)
    with pytest.raises(SettingsError) as err:
        Settings.from_env()
    assert "WECHAT_REPLY_DEADLINE_S" in str(err.value) and "0-60" in str(err.value)


def test_good_deadline_setting_is_used(tmp_path, monkeypatch):
    from bot.channels.wechat import CONFIG_KEY
    monkeypatch.setenv("WECHAT_REPLY_DEADLINE_S", "3.5")
    app = create_app(Settings.from_env(var_dir=tmp_path, wechat_token=TOKEN), features=["bot.channels.wechat"])
    assert app[CONFIG_KEY].reply_deadline_s == 3.5


@pytest.mark.parametrize("over", [{"wechat_appid": ""}, {"wechat_aes_key": "too-short"}])
def test_broken_safe_mode_config_stops_startup(tmp_path, over):
    from bot.settings import SettingsError
    with pytest.raises(SettingsError) as err:
        Settings.from_env(**{**dict(wechat_token=TOKEN, wechat_appid=APPID, wechat_aes_key=AES_KEY), **over})
    assert "WECHAT_AES_KEY" in str(err.value) and "43" in str(err.value)


async def test_core_down_gets_a_polite_answer_once(aiohttp_client, tmp_path):
    """The real ChatCore with nothing listening where Rasa should be: an apology, not a 5xx or silence."""
    from bot.chat import RASA_DOWN_MESSAGE
    from fake_wechat_api import free_port
    settings = make_settings(tmp_path, safe=True, rasa_url=f"http://127.0.0.1:{free_port()}")
    client = await aiohttp_client(create_app(settings, features=["bot.chat_routes", "bot.channels.wechat"]))
    xml = text_msg("oUser", "残疾人两项补贴是什么")
    assert await ask(client, Peer(), xml, safe=True) == RASA_DOWN_MESSAGE
    assert await ask(client, Peer(), xml, safe=True) == RASA_DOWN_MESSAGE      # the retry replays it
    assert inbound_rows(client) == 1


def test_stale_options_are_not_used(tmp_path):
    store = WeChatStore(f"sqlite:///{tmp_path / 'w.db'}")
    store.set_options("oA", [{"title": "A", "payload": "/a"}])
    assert store.get_options("oA") == [{"title": "A", "payload": "/a"}]
    assert store.get_options("oA", max_age_s=-1) == []
