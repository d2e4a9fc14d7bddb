"""Rasa's REST input channel behind the same per-start token as Rasa's HTTP API (runs inside Rasa, Py 3.10).

Rasa's `--auth-token` guards /conversations/… and /model/…, but not channel webhooks: without this, any
local process could post into a resident's conversation under their sender id and read the answers. The
launcher writes the token into var/credentials.runtime.yml (mode 0600); the assistant service sends it as
`?token=` on every call.
"""
from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request


class TokenRestInput(RestInput):
    """`rest` channel (same URL, /webhooks/rest/webhook) that refuses calls without the token."""

    def __init__(self, token: Text = "") -> None:
        self.token = token

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TokenRestInput":
        token = str((credentials or {}).get("token") or "")
        if not token:
            raise ValueError("TokenRestInput needs a token (written by bot/launcher.py)")
        return cls(token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def require_token(request: Request):  # noqa: ANN202
            given = request.args.get("token") or ""
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return response.json({"status": "failure", "reason": "NotAuthenticated"}, status=401)
            return None

        return bp
