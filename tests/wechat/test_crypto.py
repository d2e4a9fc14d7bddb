"""Signatures and safe-mode crypto against published vectors and wechatpy's implementation."""
from __future__ import annotations

import base64
import os

import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from bot.channels.wechat_crypto import (AppIdMismatch, CryptoError, WeChatCipher, check_signature,
                                        decode_aes_key, encrypted_envelope, sign)
from wechat_peer import AES_KEY, APPID, TOKEN, sha1_sorted

# Published vectors (WeChat's sample, as used in wechatpy's own test suite): token, EncodingAESKey, id.
V_TOKEN = "123456"
V_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
V_ID = "wx49f0ab532d5d035a"
V_ENCRYPT = ("RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzx"
             "h6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hI"
             "iOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWY"
             "EvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=")
V_MSG_SIGNATURE, V_TIMESTAMP, V_NONCE = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294"
V_REPLY = """<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>"""
V_REPLY_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObves"
    "El5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrN"
    "rsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJ"
    "z0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3")
V_REPLY_SIGNATURE = "407518b7649e86ef23978113f92d27afa9296533"


def test_url_signature_is_sha1_of_sorted_parts():
    assert sign("b", "a", "c") == sha1_sorted("a", "b", "c")
    assert check_signature(sha1_sorted(TOKEN, "1409304348", "xxxxxx"), TOKEN, "1409304348", "xxxxxx")
    assert check_signature(sha1_sorted(TOKEN, "1409304348", "xxxxxx").upper(), TOKEN, "1409304348", "xxxxxx")
    assert not check_signature(sha1_sorted(TOKEN, "1409304348", "xxxxxy"), TOKEN, "1409304348", "xxxxxx")
    assert not check_signature(None, TOKEN, "1", "2")
    assert not check_signature(sign(TOKEN, "1", "2"), TOKEN, None, "2")


def test_known_vector_decrypts_and_its_signature_checks():
    assert check_signature(V_MSG_SIGNATURE, V_TOKEN, V_TIMESTAMP, V_NONCE, V_ENCRYPT)
    assert not check_signature(V_MSG_SIGNATURE, V_TOKEN, V_TIMESTAMP, "461056295", V_ENCRYPT)
    xml = WeChatCipher(V_KEY, V_ID).decrypt(V_ENCRYPT)
    assert "<Content><![CDATA[test]]></Content>" in xml
    assert "<FromUserName><![CDATA[messense]]></FromUserName>" in xml


def test_known_vector_encrypts_byte_for_byte():
    envelope = encrypted_envelope(WeChatCipher(V_KEY, V_ID), V_TOKEN, V_REPLY, V_TIMESTAMP, V_NONCE,
                                  random_prefix=b"1234567890123456")
    assert f"<Encrypt><![CDATA[{V_REPLY_ENCRYPT}]]></Encrypt>" in envelope
    assert f"<MsgSignature><![CDATA[{V_REPLY_SIGNATURE}]]></MsgSignature>" in envelope
    assert f"<TimeStamp>{V_TIMESTAMP}</TimeStamp>" in envelope


@pytest.mark.parametrize("xml", ["<xml><Content><![CDATA[你好，残疾人补贴]]></Content></xml>", "x", "长" * 5000])
def test_round_trip_with_wechatpy_both_ways(xml):
    ours = WeChatCipher(AES_KEY, APPID)
    theirs = WeChatCrypto(TOKEN, AES_KEY, APPID)
    # ours → wechatpy
    envelope = encrypted_envelope(ours, TOKEN, xml, "1700000000", "nonce1")
    import xmltodict
    fields = xmltodict.parse(envelope)["xml"]
    assert theirs.decrypt_message(envelope, fields["MsgSignature"], "1700000000", "nonce1") == xml
    # wechatpy → ours
    envelope = theirs.encrypt_message(xml, "nonce2", "1700000001")
    fields = xmltodict.parse(envelope)["xml"]
    assert check_signature(fields["MsgSignature"], TOKEN, "1700000001", "nonce2", fields["Encrypt"])
    assert ours.decrypt(fields["Encrypt"]) == xml


def test_wrong_appid_is_rejected():
    encrypt = WeChatCipher(AES_KEY, "wx_someone_else").encrypt("<xml/>")
    with pytest.raises(AppIdMismatch):
        WeChatCipher(AES_KEY, APPID).decrypt(encrypt)


def test_tampered_signature_fails_in_wechatpy_too():
    envelope = encrypted_envelope(WeChatCipher(AES_KEY, APPID), TOKEN, "<xml/>", "1700000000", "n")
    with pytest.raises(InvalidSignatureException):
        WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(envelope, "0" * 40, "1700000000", "n")


@pytest.mark.parametrize("garbage", [
    "not base64 !!", "", base64.b64encode(b"short").decode(), base64.b64encode(os.urandom(64)).decode(),
    base64.b64encode(os.urandom(33)).decode(),
])
def test_garbage_ciphertext_is_a_crypto_error_not_a_crash(garbage):
    with pytest.raises(CryptoError):
        WeChatCipher(AES_KEY, APPID).decrypt(garbage)


def test_another_key_cannot_read_it():
    other = base64.b64encode(os.urandom(32)).decode()[:43]
    encrypt = WeChatCipher(other, APPID).encrypt("<xml>secret</xml>")
    with pytest.raises(CryptoError):
        WeChatCipher(AES_KEY, APPID).decrypt(encrypt)


@pytest.mark.parametrize("bad", ["", "short", "a" * 44, "!" * 43])
def test_aes_key_must_be_43_chars_of_base64(bad):
    with pytest.raises(ValueError):
        decode_aes_key(bad)
