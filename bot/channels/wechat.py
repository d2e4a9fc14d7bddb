"""The WeChat Official Account channel: GET/POST /wechat per WeChat's message-push protocol.

WeChat waits 5 s for a passive reply and then retries the same MsgId twice. We answer within the
reply deadline (WECHAT_REPLY_DEADLINE_S, default 4.5 s) when the conversation core is quick enough;
otherwise we reply "success" and push the answer through the customer-service API. Every pushed
message is claimed once in the store (MsgId, or FromUserName + CreateTime for events), so a retry
joins the turn already running or gets the stored answer: never a second Rasa turn or answer.

Also: GET /api/wechat/undelivered (ADMIN_TOKEN bearer) lists answers WeChat refused to deliver.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import math
import random
import secrets
import time
import weakref
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.wechat_api import NETWORK_ERROR, RETRYABLE, WeChatApi, WeChatApiError
from bot.channels.wechat_crypto import AppIdMismatch, CryptoError, WeChatCipher, check_signature, encrypted_envelope
from bot.channels.wechat_format import format_messages, pick_option, split_text
from bot.channels.wechat_store import PUSHED, REPLIED, UNDELIVERED, WeChatStore
from bot.channels.wechat_xml import Inbound, MalformedXml, parse_inbound, parse_xml_fields, render_text_reply
from bot.errors import ApiError
from bot.http import json_response, query_int, read_body, validate
from bot.limits import LIMITS_KEY, client_ip
from bot.openapi import api
from bot.openapi_models import Location, UndeliveredQuery, WeChatQuery
from bot.privacy import mask_text
from bot.settings import Settings

log = logging.getLogger("bot.channels.wechat")

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 2000          # same cap as POST /api/chat
NOT_CONFIGURED = "公众号通道未配置"
UNSUPPORTED = "抱歉，暂时只支持文字和位置消息。您可以直接输入问题，或发送位置查找附近的办事地点。"
VOICE_UNHEARD = "抱歉，没有听清您的语音。请您打字输入问题。"
FAILED = "抱歉，服务暂时出现问题，请稍后再试；如有急事，请拨打12345政务服务便民热线。"
WELCOME_TEXT = "你好"          # sent through the core so subscribers get the same greeting as everyone
TOO_FAST = "您发送得太快了，请稍等片刻再发。如有急事，请拨打12345政务服务便民热线。"
NOT_CONFIGURED_PUSH = -3      # our own errcode: no appid/secret, so nothing can be pushed


@dataclass
class WeChatConfig:
    token: str
    appid: str
    secret: str
    aes_key: str
    api_base: str
    admin_token: str
    reply_deadline_s: float = 4.5
    continuation_delay_s: float = 1.0
    timestamp_window_s: float = 300.0     # a push further than this from now is refused (and nonces kept as long)
    push_retries: int = 3                 # further attempts of a failed customer-service push
    push_retry_base_s: float = 0.5        # first back-off; doubles, with jitter
    retention_s: float = 30 * 86400.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "WeChatConfig":
        """From the validated settings: a bad value has already stopped startup with its fix."""
        return cls(token=settings.wechat_token, appid=settings.wechat_appid, secret=settings.wechat_appsecret,
                   aes_key=settings.wechat_aes_key, api_base=settings.wechat_api_base,
                   admin_token=settings.admin_token, reply_deadline_s=settings.wechat_reply_deadline_s,
                   continuation_delay_s=settings.wechat_continuation_delay_s,
                   timestamp_window_s=settings.wechat_timestamp_window_s,
                   push_retries=settings.wechat_push_retries, retention_s=settings.retention_s)


@dataclass
class Request:
    """What a resident asked, ready for the core (text + metadata), or a local reply."""
    text: str | None = None
    metadata: dict[str, Any] | None = None
    local_reply: str | None = None
    use_options: bool = False


def interpret(inbound: Inbound) -> Request | None:
    """Map a message kind to a core turn, a local reply, or None (answer "success", say nothing)."""
    f = inbound.fields
    if inbound.msg_type == "text":
        text = f.get("Content", "").strip()[:MAX_TEXT_CHARS]
        return Request(text=text, use_options=True) if text else Request(local_reply=UNSUPPORTED)
    if inbound.msg_type == "voice":
        text = f.get("Recognition", "").strip()[:MAX_TEXT_CHARS]
        return Request(text=text, use_options=True) if text else Request(local_reply=VOICE_UNHEARD)
    if inbound.msg_type == "location":
        try:
            lat, lng = float(f.get("Location_X", "")), float(f.get("Location_Y", ""))
        except ValueError:
            raise MalformedXml("Location_X/Location_Y are not numbers") from None
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
            raise MalformedXml("location out of range")
        # Range-checked above; kept rounded (~100 m), like a location sent to /api/chat.
        return Request(text="/share_location",
                       metadata={"location": Location(lat=lat, lng=lng, datum="gcj02").rounded()})
    if inbound.msg_type == "event":
        if inbound.event == "subscribe":
            return Request(text=WELCOME_TEXT)
        return None  # unsubscribe, menu views, template receipts, auto location reports: nothing to say
    return Request(local_reply=UNSUPPORTED)


class _Turn:
    """One claimed message: the running task, how many WeChat requests wait for it, and the outcome."""

    def __init__(self) -> None:
        self.waiters = 0
        self.decided = asyncio.Event()
        self.mode: str | None = None      # "passive" (answer in the HTTP reply) or "push"
        self.chunks: list[str] = []
        self.task: asyncio.Task | None = None


class WeChatChannel:
    def __init__(self, config: WeChatConfig, store: WeChatStore, chat: Any, api: WeChatApi | None) -> None:
        self.config = config
        self.store = store
        self.chat = chat
        self.api = api
        self._turns: dict[str, _Turn] = {}
        self._user_locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()
        self._background: set[asyncio.Task] = set()
        self._pruner: asyncio.Task | None = None

    # --- the 5-second dance ---------------------------------------------------------------------
    async def respond(self, inbound: Inbound, request: Request, started: float) -> list[str] | None:
        """The passive reply texts (first one is sent) or None for "success" (pushed or nothing to say)."""
        key = inbound.dedupe_key
        turn = self._turns.get(key)
        if turn is None:  # register before any await, so a concurrent retry joins this turn
            turn = self._turns[key] = _Turn()
            turn.task = self._spawn(self._run(key, turn, inbound, request))
        turn.waiters += 1
        try:
            remaining = self.config.reply_deadline_s - (asyncio.get_running_loop().time() - started)
            if remaining > 0 and not turn.decided.is_set():
                try:
                    await asyncio.wait_for(turn.decided.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
        finally:
            turn.waiters -= 1
        # The turn decides synchronously from `waiters`; reading `mode` here is therefore consistent.
        return turn.chunks[:1] if turn.mode == "passive" else None

    def _decide(self, turn: _Turn, chunks: list[str]) -> str:
        turn.chunks = chunks
        turn.mode = "passive" if turn.waiters > 0 else "push"
        turn.decided.set()
        return turn.mode

    async def _run(self, key: str, turn: _Turn, inbound: Inbound, request: Request) -> None:
        try:
            existing = await self.store.run(self.store.claim, key, inbound.openid)
            if existing is not None:
                # Seen before (earlier process, or already answered): replay a passive answer the
                # first request could not deliver; anything pushed or pending elsewhere → "success".
                turn.chunks = existing.chunks if existing.status == REPLIED else []
                turn.mode = "passive" if existing.status == REPLIED and existing.chunks else "push"
                turn.decided.set()
                log.info("wechat duplicate %s (status %s)", key, existing.status)
                return
            chunks = await self._answer(inbound, request)
            if self._decide(turn, chunks) == "passive":
                await self.store.run(self.store.finish, key, REPLIED, chunks)
                if len(chunks) > 1:  # the rest follows the passive reply through the API
                    await asyncio.sleep(self.config.continuation_delay_s)
                    await self._push(inbound.openid, key, chunks[1:])
            else:
                status = await self._push(inbound.openid, key, chunks)
                await self.store.run(self.store.finish, key, status, chunks)
        except Exception:
            log.exception("wechat turn %s failed", key)
            if not turn.decided.is_set():
                self._decide(turn, [FAILED])
        finally:
            if not turn.decided.is_set():  # cancelled at shutdown
                turn.decided.set()
            self._turns.pop(key, None)

    def _user_lock(self, openid: str) -> asyncio.Lock:
        lock = self._user_locks.get(openid)
        if lock is None:
            lock = asyncio.Lock()
            self._user_locks[openid] = lock
        return lock

    async def _answer(self, inbound: Inbound, request: Request) -> list[str]:
        """One core turn per resident at a time, so Rasa sees their messages in order."""
        openid = inbound.openid
        async with self._user_lock(openid):
            text = request.text or ""
            if request.use_options:
                options = await self.store.run(self.store.get_options, openid)
                text = pick_option(text, options) or text
            try:
                messages = await self.chat.send(f"wx:{openid}", text, request.metadata)
            except ApiError as exc:
                log.warning("wechat turn for %s: core unavailable (%s)", openid, exc.code)
                return [exc.message]
            except Exception:
                log.exception("wechat turn for %s failed in the conversation core", openid)
                return [FAILED]
            formatted = format_messages(messages)
            await self.store.run(self.store.set_options, openid, formatted.options)
        return split_text(formatted.text) or [FAILED]

    async def _send_with_retries(self, openid: str, text: str) -> None:
        """One customer-service message; a transient failure (network, system busy) is retried
        `push_retries` times with jittered exponential back-off, so processes do not retry in step."""
        if self.api is None:
            raise WeChatApiError(NOT_CONFIGURED_PUSH, "WECHAT_APPID/WECHAT_APPSECRET not configured")
        attempt = 0
        while True:
            try:
                await self.api.send_text(openid, text)
                return
            except WeChatApiError as exc:
                if exc.errcode not in RETRYABLE or attempt >= self.config.push_retries:
                    raise
                delay = self.config.push_retry_base_s * (2 ** attempt) * random.uniform(0.5, 1.5)
                attempt += 1
                log.info("wechat push to %s failed (%s), attempt %d of %d in %.2f s", openid, exc.errcode,
                         attempt + 1, self.config.push_retries + 1, delay)
                await asyncio.sleep(delay)

    async def _push(self, openid: str, key: str, chunks: list[str]) -> str:
        """Customer-service messages, in order; what WeChat refuses is stored, never dropped silently."""
        for i, chunk in enumerate(chunks):
            try:
                await self._send_with_retries(openid, chunk)
            except WeChatApiError as exc:
                log.warning("wechat push to %s failed (%s %s); kept as undelivered: %s", openid, exc.errcode,
                            mask_text(exc.errmsg), mask_text(" / ".join(chunks[i:]))[:300])
                await self.store.run(self.store.add_undelivered, openid, key, chunks[i:], exc.errcode, exc.errmsg)
                return UNDELIVERED
        return PUSHED

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def start_pruning(self, every_s: float = 3600.0) -> None:
        """Dedupe keys are only needed for WeChat's retries; drop old ones while running for weeks."""
        async def loop() -> None:
            while True:
                await asyncio.sleep(every_s)
                try:
                    await self.store.run(self.store.prune, self.config.retention_s)
                except Exception:
                    log.exception("wechat store pruning failed")
        self._pruner = asyncio.get_running_loop().create_task(loop())

    async def forget_user(self, openid: str) -> None:
        await self.store.run(self.store.set_options, openid, [])

    async def close(self, grace_s: float = 5.0) -> None:
        if self._pruner is not None:
            self._pruner.cancel()
            await asyncio.gather(self._pruner, return_exceptions=True)
        if self._background:
            _, pending = await asyncio.wait(set(self._background), timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


# --- HTTP ------------------------------------------------------------------------------------------
CONFIG_KEY = web.AppKey("wechat_config", WeChatConfig)
CIPHER_KEY = web.AppKey("wechat_cipher", object)          # WeChatCipher | None
STORE_KEY = web.AppKey("wechat_store", WeChatStore)
HTTP_KEY = web.AppKey("wechat_http", aiohttp.ClientSession)
API_KEY = web.AppKey("wechat_api", object)                # WeChatApi | None
CHANNEL_KEY = web.AppKey("wechat_channel", WeChatChannel)


def _config(request: web.Request) -> WeChatConfig:
    config: WeChatConfig = request.app[CONFIG_KEY]
    if not config.token:
        raise ApiError(503, "wechat_not_configured", NOT_CONFIGURED)
    return config


def _check_url_signature(request: web.Request, config: WeChatConfig) -> None:
    """The signature over (token, timestamp, nonce), and a timestamp within the window of now."""
    q = request.query
    if not check_signature(q.get("signature"), config.token, q.get("timestamp"), q.get("nonce")):
        raise ApiError(403, "invalid_signature", "签名校验失败。")
    try:
        skew = abs(time.time() - int(q.get("timestamp", "")))
    except ValueError:
        skew = math.inf
    if not skew <= config.timestamp_window_s:
        raise ApiError(403, "stale_request", "请求时间戳已过期。")


@api("公众号服务器地址验证（回显 echostr）", query=WeChatQuery, response_type="text/plain", tags=["wechat"])
async def verify_url(request: web.Request) -> web.Response:
    """WeChat's server-URL check: echo echostr only when the signature checks."""
    config = _config(request)
    _check_url_signature(request, config)
    echostr = request.query.get("echostr")
    if echostr is None:
        raise ApiError(400, "bad_request", "缺少 echostr 参数。")
    return web.Response(text=echostr, content_type="text/plain")


def _malformed() -> ApiError:
    return ApiError(400, "malformed_xml", "消息格式有误。")


@api("公众号消息推送（明文或安全模式），被动回复 XML", query=WeChatQuery, content_type="text/xml",
     response_type="application/xml", tags=["wechat"])
async def receive(request: web.Request) -> web.Response:
    started = asyncio.get_running_loop().time()
    config = _config(request)
    _check_url_signature(request, config)
    q = request.query
    safe_mode = q.get("encrypt_type", "raw").lower() == "aes"
    if config.aes_key and not safe_mode:  # safe mode configured: a plaintext push is a forgery or a downgrade
        raise ApiError(403, "plaintext_refused", "已启用安全模式，只接受加密消息。")
    raw = await read_body(request, MAX_BODY_BYTES)   # whole, however many pieces it arrives in
    try:
        if safe_mode:
            cipher: WeChatCipher | None = request.app[CIPHER_KEY]
            if cipher is None:
                raise ApiError(503, "wechat_not_configured", NOT_CONFIGURED + "（安全模式需要 WECHAT_AES_KEY 和 WECHAT_APPID）")
            encrypt = parse_xml_fields(raw).get("Encrypt", "").strip()
            if not encrypt:
                raise _malformed()
            if not check_signature(q.get("msg_signature"), config.token, q.get("timestamp"), q.get("nonce"), encrypt):
                raise ApiError(403, "invalid_signature", "签名校验失败。")
            try:
                raw = cipher.decrypt(encrypt).encode("utf-8")
            except AppIdMismatch:
                raise ApiError(403, "invalid_signature", "消息不属于本公众号。") from None
            except CryptoError:
                raise _malformed() from None
        inbound = parse_inbound(raw)
        wanted = interpret(inbound)
    except MalformedXml as exc:
        log.info("wechat malformed xml: %s", mask_text(str(exc))[:200])
        raise _malformed() from None

    channel: WeChatChannel = request.app[CHANNEL_KEY]
    store: WeChatStore = request.app[STORE_KEY]
    # Verified and decrypted: remember the nonce for the window. The plaintext signature does not cover the
    # body, so a captured URL re-used with another message is refused; the same message again is WeChat's own
    # retry (or a harmless replay) and goes to the dedupe below: never a second turn.
    if not await store.run(store.claim_nonce, q.get("nonce", ""), q.get("timestamp", ""), inbound.dedupe_key,
                           config.timestamp_window_s):
        log.warning("wechat replayed nonce with another message refused")
        raise ApiError(403, "replayed_request", "重复的请求。")
    if not await store.run(store.check_account, inbound.account):
        log.warning("wechat push for another account refused", extra={"to_user": inbound.account[:64]})
        raise ApiError(403, "wrong_account", "消息不属于本公众号。")
    if wanted is not None and wanted.local_reply is None and inbound.dedupe_key not in channel._turns:
        limiter = request.app[LIMITS_KEY].sender if LIMITS_KEY in request.app else None
        if limiter is not None and limiter.hit(f"wx:{inbound.openid}") > 0:
            wanted = Request(local_reply=TOO_FAST)
    if wanted is None:
        if inbound.msg_type == "event" and inbound.event == "unsubscribe":
            await channel.forget_user(inbound.openid)
        return web.Response(text="success", content_type="text/plain")
    if wanted.local_reply is not None:
        texts: list[str] | None = [wanted.local_reply]
    else:
        texts = await channel.respond(inbound, wanted, started)
    if not texts:
        return web.Response(text="success", content_type="text/plain")

    xml = render_text_reply(inbound.openid, inbound.account, texts[0])
    if safe_mode:
        timestamp = q.get("timestamp", "")
        timestamp = timestamp if timestamp.isdigit() else str(int(time.time()))
        xml = encrypted_envelope(request.app[CIPHER_KEY], config.token, xml, timestamp,
                                 q.get("nonce") or secrets.token_hex(8))
    return web.Response(text=xml, content_type="application/xml")


@api("公众号未送达的答复（供工作人员跟进）", query=UndeliveredQuery, auth="admin", tags=["wechat"])
async def list_undelivered(request: web.Request) -> web.Response:
    """Answers WeChat refused (48-hour window, reply limit, …) for staff to follow up."""
    admin = request.app[CONFIG_KEY].admin_token
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    guard = request.app[LIMITS_KEY].logins if LIMITS_KEY in request.app else None
    ip = client_ip(request)
    if guard is not None:
        guard.check(ip)
    if not admin or not given or not hmac.compare_digest(given.encode(), admin.encode()):
        if guard is not None:
            guard.failed(ip)
        log.warning("admin login failed", extra={"ip": ip, "path": request.path})
        raise ApiError(401, "unauthorized", "未授权：请提供有效的管理令牌。")
    validate(UndeliveredQuery, dict(request.query))
    limit = query_int(request, "limit", 50, 1, 500)
    openid = request.query.get("openid") or None
    store: WeChatStore = request.app[STORE_KEY]
    return json_response({"results": await store.run(store.list_undelivered, limit, openid)})


async def _startup(app: web.Application) -> None:
    config: WeChatConfig = app[CONFIG_KEY]
    store = WeChatStore(app["settings"].sqlite_url("wechat"))
    app[STORE_KEY] = store
    await store.run(store.prune, config.retention_s)
    wechat_api = None
    if config.appid and config.secret:
        app[HTTP_KEY] = aiohttp.ClientSession()
        wechat_api = WeChatApi(app[HTTP_KEY], config.api_base, config.appid, config.secret)
    app[API_KEY] = wechat_api
    app[CHANNEL_KEY] = channel = WeChatChannel(config, store, app.get("chat"), wechat_api)
    channel.start_pruning()
    if not config.token:
        log.warning("WECHAT_TOKEN is not set: /wechat answers 503 (%s)", NOT_CONFIGURED)


async def _shutdown(app: web.Application) -> None:
    """Let turns in flight finish (answer or push) while the core and API sessions are still open."""
    channel: WeChatChannel | None = app.get(CHANNEL_KEY)
    if channel is not None:
        await channel.close()


async def _cleanup(app: web.Application) -> None:
    session = app.get(HTTP_KEY)
    if session is not None:
        await session.close()
    store = app.get(STORE_KEY)
    if store is not None:
        store.close()


def setup(app: web.Application) -> None:
    config = WeChatConfig.from_settings(app["settings"])
    app[CONFIG_KEY] = config
    if config.reply_deadline_s > 4.8:
        log.warning("WECHAT_REPLY_DEADLINE_S=%.1f exceeds WeChat's 5-second wait: only for tests", config.reply_deadline_s)
    cipher = None
    if config.token and config.aes_key:
        # Misconfigured safe mode answers 503 on encrypted pushes instead of stopping the whole service.
        if not config.appid:
            log.error("WECHAT_AES_KEY is set but WECHAT_APPID is not: safe mode disabled")
        else:
            try:
                cipher = WeChatCipher(config.aes_key, config.appid)
            except ValueError as exc:
                log.error("%s: safe mode disabled", exc)
    app[CIPHER_KEY] = cipher
    app.on_startup.append(_startup)
    app.on_shutdown.append(_shutdown)
    app.on_cleanup.append(_cleanup)
    app.router.add_get("/wechat", verify_url)
    app.router.add_post("/wechat", receive)
    app.router.add_get("/api/wechat/undelivered", list_undelivered)
