"""A WeChat server as seen by our endpoint: builds signed (and, in safe mode, encrypted) pushes and
reads our replies. Crypto here is wechatpy's, independent of bot/channels/wechat_crypto.py, so every
round trip cross-checks the two implementations.
"""
from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from typing import Any

import xmltodict
from wechatpy.crypto import WeChatCrypto

TOKEN = "shanxi_minsheng_test_token"
APPID = "wx0123456789abcdef"
SECRET = "test-app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"   # 43 characters, as WeChat issues them
ADMIN_TOKEN = "admin-secret-for-tests"
ACCOUNT = "gh_test_account"

_msg_ids = itertools.count(int(time.time() * 1000))


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def next_msg_id() -> str:
    return str(next(_msg_ids))


def xml_of(fields: dict[str, Any]) -> str:
    inner = "".join(
        f"<{k}>{v}</{k}>" if isinstance(v, (int, float)) else f"<{k}><![CDATA[{v}]]></{k}>"
        for k, v in fields.items())
    return f"<xml>{inner}</xml>"


def text_msg(openid: str, content: str, msg_id: str | None = None, create_time: int | None = None) -> str:
    return xml_of({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": create_time or int(time.time()),
                   "MsgType": "text", "Content": content, "MsgId": int(msg_id or next_msg_id())})


def voice_msg(openid: str, recognition: str, msg_id: str | None = None) -> str:
    return xml_of({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(time.time()),
                   "MsgType": "voice", "MediaId": "media123", "Format": "amr", "Recognition": recognition,
                   "MsgId": int(msg_id or next_msg_id())})


def location_msg(openid: str, lat: float, lng: float, label: str = "", msg_id: str | None = None) -> str:
    return xml_of({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(time.time()),
                   "MsgType": "location", "Location_X": lat, "Location_Y": lng, "Scale": 15, "Label": label,
                   "MsgId": int(msg_id or next_msg_id())})


def image_msg(openid: str) -> str:
    return xml_of({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(time.time()),
                   "MsgType": "image", "PicUrl": "http://example.invalid/a.jpg", "MediaId": "m1",
                   "MsgId": int(next_msg_id())})


def event_msg(openid: str, event: str, create_time: int | None = None, **extra: Any) -> str:
    return xml_of({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": create_time or int(time.time()),
                   "MsgType": "event", "Event": event, **extra})


class Peer:
    def __init__(self, token: str = TOKEN, appid: str = APPID, aes_key: str = AES_KEY) -> None:
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, appid)

    def signed_query(self, timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:
        """A fresh nonce per request, as WeChat sends them (the service refuses a nonce re-used for another message)."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        return {"signature": sha1_sorted(self.token, timestamp, nonce), "timestamp": timestamp,
                "nonce": nonce, "openid": "ignored"}

    def plain(self, xml: str) -> tuple[dict[str, str], bytes]:
        return self.signed_query(), xml.encode("utf-8")

    def safe(self, xml: str) -> tuple[dict[str, str], bytes]:
        """Safe mode as WeChat sends it: the URL carries signature and msg_signature."""
        query = self.signed_query()
        envelope = self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
        fields = xmltodict.parse(envelope)["xml"]
        query.update(encrypt_type="aes", msg_signature=fields["MsgSignature"])
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
        return query, body.encode("utf-8")

    def read_reply(self, text: str, safe: bool) -> dict[str, str]:
        """Our passive reply as WeChat would read it (signature checked and decrypted in safe mode)."""
        if safe:
            outer = xmltodict.parse(text)["xml"]
            text = self.crypto.decrypt_message(text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return xmltodict.parse(text)["xml"]


async def push(client: Any, peer: Peer, xml: str, safe: bool = False, path: str = "/wechat") -> tuple[int, str]:
    """POST one push through an aiohttp client (test client or a session with an absolute URL)."""
    query, body = peer.safe(xml) if safe else peer.plain(xml)
    async with client.post(path, params=query, data=body, headers={"Content-Type": "text/xml"}) as resp:
        return resp.status, await resp.text()


async def ask(client: Any, peer: Peer, xml: str, safe: bool = False, path: str = "/wechat") -> str | None:
    """The Content of the passive reply, or None when the endpoint answered "success"."""
    status, text = await push(client, peer, xml, safe, path)
    assert status == 200, (status, text)
    if text in ("success", ""):
        return None
    reply = peer.read_reply(text, safe)
    assert reply["MsgType"] == "text"
    assert reply["FromUserName"] == ACCOUNT
    return reply["Content"]
