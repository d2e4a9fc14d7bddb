"""Client for the two WeChat server APIs the channel needs: access_token and customer-service text.

The token comes from the stable-token endpoint (POST /cgi-bin/stable_token): it hands every process the
same token while it is valid, so several service processes sharing one account never invalidate each
other's token (the old /cgi-bin/token did). It is cached and refreshed before it expires; a token WeChat
rejects (40001, 40014, 42001) is fetched again (forcing a new one only if WeChat still hands out the one it
rejected) and the call retried once. Other errors (45015 outside the 48-hour window, 45047 reply limit, …)
surface as WeChatApiError; RETRYABLE lists the transient ones the channel retries with back-off.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable

import aiohttp

log = logging.getLogger("bot.channels.wechat_api")

TOKEN_ERRORS = {40001, 40014, 42001}
OUTSIDE_WINDOW, REPLY_LIMIT = 45015, 45047
NETWORK_ERROR = -2          # our own code: WeChat could not be reached or answered garbage
SYSTEM_BUSY = -1            # WeChat's "system busy, try later"
RETRYABLE = {NETWORK_ERROR, SYSTEM_BUSY, 45009}   # 45009: API frequency limit (passes within seconds)


class WeChatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatApi:
    def __init__(self, session: aiohttp.ClientSession, base: str, appid: str, secret: str,
                 timeout_s: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.base = base.rstrip("/")
        self.appid = appid
        self.secret = secret
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def _json(self, method: str, path: str, params: dict[str, str], body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        try:
            async with self.session.request(method, self.base + path, params=params, data=data,
                                            headers=headers, timeout=self.timeout) as resp:
                payload = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise WeChatApiError(NETWORK_ERROR, f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(payload, dict):
            raise WeChatApiError(NETWORK_ERROR, "answer is not a JSON object")
        return payload

    def _fresh(self) -> bool:
        return self._token is not None and self.clock() < self._expires_at

    async def access_token(self, force: bool = False, stale: str | None = None) -> str:
        """Cached token; `stale` is the token WeChat just rejected (refresh only if still current)."""
        async with self._lock:
            if not force and self._fresh() and self._token != stale:
                return self._token  # type: ignore[return-value]
            token, expires_in = await self._stable_token(force_refresh=force)
            if stale is not None and token == stale:    # WeChat still hands out the rejected one: force a new one
                token, expires_in = await self._stable_token(force_refresh=True)
            margin = min(300.0, expires_in / 5)    # refresh well before WeChat expires it
            self._token, self._expires_at = token, self.clock() + expires_in - margin
            log.info("wechat access_token refreshed, valid for %.0f s", expires_in - margin)
            return token

    async def _stable_token(self, force_refresh: bool) -> tuple[str, float]:
        payload = await self._json("POST", "/cgi-bin/stable_token", {}, {
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
            "force_refresh": force_refresh})
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            code = payload.get("errcode")
            raise WeChatApiError(int(code) if isinstance(code, int) else NETWORK_ERROR,
                                 str(payload.get("errmsg") or "no token"))
        expires_in = payload.get("expires_in")
        return token, float(expires_in) if isinstance(expires_in, (int, float)) and expires_in > 0 else 7200.0

    async def call(self, path: str, body: dict[str, Any]) -> dict:
        """POST with the token; one refresh-and-retry on a token error."""
        token = await self.access_token()
        payload = await self._json("POST", path, {"access_token": token}, body)
        if payload.get("errcode") in TOKEN_ERRORS:
            log.warning("wechat rejected access_token (%s), refreshing", payload.get("errcode"))
            token = await self.access_token(stale=token)
            payload = await self._json("POST", path, {"access_token": token}, body)
        code = payload.get("errcode", 0)
        if code not in (0, None):
            raise WeChatApiError(int(code) if isinstance(code, int) else NETWORK_ERROR, str(payload.get("errmsg") or ""))
        return payload

    async def send_text(self, openid: str, content: str) -> None:
        await self.call("/cgi-bin/message/custom/send",
                        {"touser": openid, "msgtype": "text", "text": {"content": content}})
