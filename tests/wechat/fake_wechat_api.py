"""A fake of WeChat's server API (the one external service we cannot reach from tests).

Implements the calls the channel uses, on 127.0.0.1 with a random port, in its own thread so it
serves an in-process app and a separately started service alike:
  POST /cgi-bin/stable_token  {"grant_type": "client_credential", "appid", "secret", "force_refresh"}
       the current token while it is valid (every caller gets the same one); force_refresh issues a new
       one and leaves the old one valid (WeChat keeps it for 5 minutes)
  GET  /cgi-bin/token?grant_type=client_credential&appid=…&secret=…   (legacy: a new token revokes the
       previous one, which is why several processes must not use it)
  POST /cgi-bin/message/custom/send?access_token=…   {"touser", "msgtype": "text", "text": {"content"}}
Tests script failures: `fail_next(45015)` (also -1 system busy, -2 for a dropped connection),
`expire_tokens()` (→ 42001), `revoke_tokens()` (→ 40001).
"""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

from aiohttp import web


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeWeChatApi:
    def __init__(self, appid: str, secret: str, expires_in: int = 7200, port: int | None = None) -> None:
        self.appid, self.secret, self.expires_in = appid, secret, expires_in
        self.port = port or free_port()
        self._lock = threading.Lock()
        self.token_calls = 0                         # both token endpoints
        self.legacy_token_calls = 0
        self.rejected_tokens = 0                     # sends refused for a bad token
        self.send_calls = 0
        self._current: str | None = None
        self.sent: list[dict[str, Any]] = []         # accepted messages, in order
        self.raw_bodies: list[bytes] = []
        self._valid: dict[str, str] = {}               # token → "ok" | "expired" | "revoked"
        self._script: list[int] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- scripting ------------------------------------------------------------------------------
    def fail_next(self, *errcodes: int) -> None:
        with self._lock:
            self._script.extend(errcodes)

    def expire_tokens(self) -> None:
        with self._lock:
            self._valid = {t: "expired" for t in self._valid}

    def revoke_tokens(self) -> None:
        with self._lock:
            self._valid = {t: "revoked" for t in self._valid}

    def messages_to(self, openid: str) -> list[str]:
        with self._lock:
            return [m["text"]["content"] for m in self.sent if m.get("touser") == openid]

    async def wait_for_messages(self, openid: str, n: int, timeout: float = 30.0) -> list[str]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = self.messages_to(openid)
            if len(got) >= n:
                return got
            await asyncio.sleep(0.05)
        return self.messages_to(openid)

    # --- handlers -------------------------------------------------------------------------------
    def _credentials_error(self, grant: object, appid: object, secret: object) -> web.Response | None:
        if grant != "client_credential":
            return web.json_response({"errcode": 40002, "errmsg": "invalid grant_type"})
        if appid != self.appid or secret != self.secret:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        return None

    def _issue(self) -> str:
        token = f"token-{self.token_calls}"
        self._valid[token] = "ok"
        self._current = token
        return token

    async def _token(self, request: web.Request) -> web.Response:
        q = request.query
        with self._lock:
            self.token_calls += 1
            self.legacy_token_calls += 1
            error = self._credentials_error(q.get("grant_type"), q.get("appid"), q.get("secret"))
            if error is not None:
                return error
            self._valid = {t: "revoked" for t in self._valid}
            token = self._issue()
        return web.json_response({"access_token": token, "expires_in": self.expires_in})

    async def _stable_token(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        with self._lock:
            self.token_calls += 1
            error = self._credentials_error(body.get("grant_type"), body.get("appid"), body.get("secret"))
            if error is not None:
                return error
            current = self._current
            if body.get("force_refresh") or current is None or self._valid.get(current) != "ok":
                current = self._issue()
        return web.json_response({"access_token": current, "expires_in": self.expires_in})

    async def _send(self, request: web.Request) -> web.Response:
        raw = await request.read()
        with self._lock:
            self.send_calls += 1
            self.raw_bodies.append(raw)
            state = self._valid.get(request.query.get("access_token", ""))
            if state is None or state == "revoked":
                self.rejected_tokens += 1
                return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
            if state == "expired":
                self.rejected_tokens += 1
                return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return web.json_response({"errcode": 47001, "errmsg": "data format error"})
            code = self._script.pop(0) if self._script else 0
        if code == -2:                       # a dropped connection: no answer at all
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        with self._lock:
            if code:
                return web.json_response({"errcode": code, "errmsg": f"scripted {code}"})
            content = (body.get("text") or {}).get("content", "")
            if body.get("msgtype") != "text" or not body.get("touser") or not content:
                return web.json_response({"errcode": 40008, "errmsg": "invalid message type"})
            if len(content.encode("utf-8")) > 2048:
                return web.json_response({"errcode": 45002, "errmsg": "content size out of limit"})
            self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> "FakeWeChatApi":
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_get("/cgi-bin/token", self._token)
            app.router.add_post("/cgi-bin/stable_token", self._stable_token)
            app.router.add_post("/cgi-bin/message/custom/send", self._send)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="fake-wechat-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake WeChat API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
