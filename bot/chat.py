"""The conversation core every channel shares: normalise, forward to Rasa, map replies to Messages."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

import aiohttp

from bot.errors import ApiError
from bot.privacy import mask_text
from bot.text_normalize import read_line

log = logging.getLogger("bot.chat")

RASA_DOWN_MESSAGE = "对话服务暂时不可用，请稍后再试；如有急事，请拨打12345政务服务便民热线。"
_MESSAGE_KEYS = ("buttons", "citations", "service_points")


def to_message(raw: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Map one Rasa REST output message to the contract's Message (custom payloads carry the rich parts)."""
    custom = raw.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("text"), str):
        source = custom
    elif raw.get("text"):
        source = raw
    else:
        return None
    message: dict[str, Any] = {"text": source["text"]}
    for key in _MESSAGE_KEYS:
        value = source.get(key)
        if value:
            message[key] = value
    if "buttons" in message:
        message["buttons"] = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                              for b in message["buttons"] if isinstance(b, dict)]
    if source.get("eligibility"):
        message["eligibility"] = source["eligibility"]
    return message


class ChatCore:
    """Talks to Rasa's REST webhook; one instance per process, sharing an HTTP session."""

    def __init__(self, rasa_url: str, timeout_s: float = 10.0) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.timeout_s = timeout_s
        self._session: Optional[aiohttp.ClientSession] = None

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                connector=aiohttp.TCPConnector(limit=64),
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, sender_id: str, text: str, metadata: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
        await self.start()
        assert self._session is not None
        # Masked before Rasa sees it, so the tracker store never holds ID-card or phone numbers.
        clean = text if text.startswith("/") else mask_text(read_line(text))
        payload = {"sender": sender_id, "message": clean, "metadata": metadata or {}}
        log.info("chat turn", extra={"sender": sender_id, "text": clean})
        try:
            async with self._session.post(f"{self.rasa_url}/webhooks/rest/webhook", json=payload) as resp:
                if resp.status != 200:
                    log.warning("rasa answered %s", resp.status)
                    raise ApiError(503, "rasa_unavailable", RASA_DOWN_MESSAGE)
                raw = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            raise ApiError(503, "rasa_unavailable", RASA_DOWN_MESSAGE)
        messages = [m for m in (to_message(r) for r in raw or [] if isinstance(r, dict)) if m]
        if not messages:
            messages = [{"text": "抱歉，我没有理解您的意思。您可以换个说法，或拨打12345政务服务便民热线咨询。"}]
        return messages

    async def rasa_ok(self) -> bool:
        await self.start()
        assert self._session is not None
        try:
            async with self._session.get(f"{self.rasa_url}/", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                return resp.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa NLU only (/model/parse): no dialogue turn, no tracker touched (used by agent assist)."""
        await self.start()
        assert self._session is not None
        try:
            async with self._session.post(f"{self.rasa_url}/model/parse", json={"text": read_line(text)}) as resp:
                if resp.status != 200:
                    raise ApiError(503, "rasa_unavailable", RASA_DOWN_MESSAGE)
                return await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            raise ApiError(503, "rasa_unavailable", RASA_DOWN_MESSAGE)
