"""Inbound XML parsing (malformed and hostile input) and passive reply rendering."""
from __future__ import annotations

import pytest
import xmltodict

from bot.channels.wechat_xml import MalformedXml, parse_inbound, render_text_reply
from wechat_peer import event_msg, location_msg, text_msg


def test_text_message_fields_and_dedupe_key():
    m = parse_inbound(text_msg("oUser1", "残疾人两项补贴是什么", msg_id="1234567890123456"))
    assert (m.openid, m.account, m.msg_type, m.msg_id) == ("oUser1", "gh_test_account", "text", "1234567890123456")
    assert m.fields["Content"] == "残疾人两项补贴是什么"
    assert m.dedupe_key == "msg:1234567890123456"


def test_event_dedupe_key_is_sender_plus_create_time():
    a = parse_inbound(event_msg("oUser1", "subscribe", create_time=1700000000))
    b = parse_inbound(event_msg("oUser1", "subscribe", create_time=1700000000))
    c = parse_inbound(event_msg("oUser1", "subscribe", create_time=1700000001))
    assert a.event == "subscribe" and a.msg_id is None
    assert a.dedupe_key == b.dedupe_key != c.dedupe_key


def test_location_fields_are_kept_as_text():
    m = parse_inbound(location_msg("oUser1", 37.8706, 112.5489))
    assert (m.fields["Location_X"], m.fields["Location_Y"]) == ("37.8706", "112.5489")


@pytest.mark.parametrize("body", [
    b"", b"   ", b"not xml", b"<xml><ToUserName>a</ToUserName>", b"<xml>text only</xml>",
    "<xml><Content>\xff</Content></xml>".encode("latin-1"),
    b'<!DOCTYPE xml [<!ENTITY e "boom">]><xml><ToUserName>&e;</ToUserName></xml>',
    b'<!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><C>&b;</C></xml>',
    b"<other><ToUserName>a</ToUserName></other>",
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime></xml>",
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>x</CreateTime><MsgType>text</MsgType></xml>",
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>",
])
def test_malformed_or_hostile_xml_is_rejected(body):
    with pytest.raises(MalformedXml):
        parse_inbound(body)


def test_reply_escapes_cdata_terminators_and_control_chars():
    content = "答复 ]]> <b>不是标签</b> & \x01结束"
    xml = render_text_reply("oUser1", "gh_test_account", content, now=1700000000)
    parsed = xmltodict.parse(xml)["xml"]
    assert parsed["Content"] == "答复 ]]> <b>不是标签</b> & 结束"
    assert (parsed["ToUserName"], parsed["FromUserName"], parsed["MsgType"], parsed["CreateTime"]) == (
        "oUser1", "gh_test_account", "text", "1700000000")
