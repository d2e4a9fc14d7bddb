"""WeChat message-push signatures and safe-mode (AES) crypto, per the Official Account spec.

Signatures: sha1 over the sorted concatenation of token, timestamp, nonce (and, in safe mode, the
Encrypt field). Safe mode: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = key[:16], PKCS#7
padding to 32 bytes; plaintext = 16 random bytes + 4-byte big-endian length + XML + appid.
Own code (strict length/padding checks so a bad packet is a clean error, never a 5xx), cross-checked
in tests against wechatpy's implementation and its published vectors.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from Crypto.Cipher import AES

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(Exception):
    """The packet cannot be decrypted (garbage, wrong key, bad padding)."""


class AppIdMismatch(CryptoError):
    """Decrypted fine but was meant for another account: treat as forged."""


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(signature: str | None, *parts: str | None) -> bool:
    """Constant-time comparison; any missing part fails."""
    if not signature or any(p is None for p in parts):
        return False
    return hmac.compare_digest(sign(*parts).encode(), signature.strip().lower().encode())


def decode_aes_key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey") from exc
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey")
    return key


class WeChatCipher:
    def __init__(self, encoding_aes_key: str, appid: str) -> None:
        self.key = decode_aes_key(encoding_aes_key)
        self.appid = appid

    def _aes(self):
        return AES.new(self.key, AES.MODE_CBC, self.key[:16])

    def encrypt(self, xml: str, random_prefix: bytes | None = None) -> str:
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        if len(prefix) != 16:
            raise ValueError("random prefix must be 16 bytes")
        body = xml.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self.appid.encode("utf-8")
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        return base64.b64encode(self._aes().encrypt(plain)).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("not base64") from exc
        if not raw or len(raw) % 16:
            raise CryptoError("ciphertext length is not a multiple of the AES block")
        plain = self._aes().decrypt(raw)
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise CryptoError("too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise CryptoError("bad length")
        try:
            xml = plain[20:20 + length].decode("utf-8")
            appid = plain[20 + length:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError("not UTF-8") from exc
        if not hmac.compare_digest(appid.encode(), self.appid.encode()):
            raise AppIdMismatch("appid mismatch")
        return xml


def encrypted_envelope(cipher: WeChatCipher, token: str, xml: str, timestamp: str, nonce: str,
                       random_prefix: bytes | None = None) -> str:
    """The safe-mode passive reply: Encrypt + MsgSignature + TimeStamp + Nonce."""
    encrypt = cipher.encrypt(xml, random_prefix)
    signature = sign(token, timestamp, nonce, encrypt)
    return ("<xml>\n"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
            f"<TimeStamp>{timestamp}</TimeStamp>\n"
            f"<Nonce><![CDATA[{nonce}]]></Nonce>\n"
            "</xml>")
