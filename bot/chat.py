"""The conversation core every channel shares: normalise, forward to Rasa, map replies to Messages."""
from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import re
import time
from typing import Any, Callable, Optional, Sequence, Union

import aiohttp
import yaml

from bot.errors import ApiError
from bot.privacy import mask_text
from bot.settings import ROOT
from bot.text_normalize import read_line

log = logging.getLogger("bot.chat")

RASA_DOWN_MESSAGE = "对话服务暂时不可用，请稍后再试；如有急事，请拨打12345政务服务便民热线。"
# Rasa answered the turn with no message at all. A question it did not understand still gets the fallback
# reply from the dialogue, so an empty answer means a part behind it failed (the action webhook, the lock
# store): say that, not "I did not understand you".
NO_REPLY_MESSAGE = "抱歉，您的问题暂时无法处理，请稍后再试；如有急事，请拨打12345政务服务便民热线。"
_MESSAGE_KEYS = ("buttons", "citations", "service_points")
UNANSWERED_REASONS = ("fallback", "not_in_sources", "low_confidence", "handoff", "no_reply")
# observer(sender_id, masked text, messages, unanswered reason or None), called after every turn
TurnObserver = Callable[[str, str, list[dict[str, Any]], Optional[str]], None]


def unanswered_reason(raw: dict[str, Any]) -> Optional[str]:
    """The actions' `unanswered` mark on a Rasa output message (kept out of the public Message)."""
    custom = raw.get("custom")
    value = custom.get("unanswered") if isinstance(custom, dict) else None
    return value if value in UNANSWERED_REASONS else None


_PAYLOAD = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)(\{.*\})?$", re.S)


@functools.lru_cache(maxsize=1)
def domain_intents() -> frozenset[str]:
    """The intents a button payload may name (domain.yml)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    return frozenset(i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or [])


def payload_intent(text: str) -> Optional[str]:
    """The intent of a known button payload (`/intent` or `/intent{json object}`), else None."""
    m = _PAYLOAD.match(text.strip())
    if not m or m.group(1) not in domain_intents():
        return None
    if m.group(2):
        try:
            if not isinstance(json.loads(m.group(2)), dict):
                return None
        except ValueError:
            return None
    return m.group(1)


def prepare_text(text: str) -> tuple[str, Optional[str]]:
    """(what Rasa gets, payload intent). Always masked; only a known payload keeps its leading "/"
    (anything else starting with "/" is ordinary text, so Rasa never reads it as an intent)."""
    intent = payload_intent(text)
    if intent is not None:
        return mask_text(text.strip()), intent
    return mask_text(read_line(text.lstrip().lstrip("/")).strip() or "?"), None


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
    """Talks to Rasa's REST webhook; one instance per process, sharing an HTTP session.

    With several Rasa workers, each sender goes to one worker chosen by rendezvous hashing (stable while the
    workers stay the same; when one is down only its senders move). A worker that refuses the connection is
    skipped for `down_for_s` and the turn goes to the sender's next worker; nothing was delivered, so nothing
    is sent twice. Timeouts and 5xx are not retried: the turn may have run. Rasa's Redis lock store keeps one
    sender's turns in order across workers. A worker that drops the connection mid-turn (it died) is treated
    the same way: the turn goes to the next worker, which waits for the dead worker's lock to expire; the turn
    is run twice only if the worker died after storing it and before answering (benchmarks/load.py fault
    runs count duplicates from the tracker store). Every call carries Rasa's per-start --auth-token.
    """

    def __init__(self, rasa_url: Union[str, Sequence[str]], timeout_s: float = 10.0, token: str = "",
                 down_for_s: float = 3.0) -> None:
        urls = [rasa_url] if isinstance(rasa_url, str) else list(rasa_url)
        if not urls:
            raise ValueError("at least one Rasa URL")
        self.rasa_urls = [u.rstrip("/") for u in urls]
        self.rasa_url = self.rasa_urls[0]
        self.timeout_s = timeout_s
        self.down_for_s = down_for_s
        self._down_until: dict[str, float] = {}
        self._auth = {"token": token} if token else {}   # Rasa's --auth-token, random per start
        self._session: Optional[aiohttp.ClientSession] = None
        self.turn_observers: list[TurnObserver] = []  # e.g. the admins' unanswered-question log

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                connector=aiohttp.TCPConnector(limit=64 * len(self.rasa_urls)),
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def workers_for(self, key: str) -> list[str]:
        """Every worker in this key's preference order (rendezvous hashing); workers marked down go last."""
        def score(url: str) -> int:
            return int.from_bytes(hashlib.blake2b(f"{url}|{key}".encode(), digest_size=8).digest(), "big")

        ranked = sorted(self.rasa_urls, key=score, reverse=True)
        now = time.monotonic()
        return [u for u in ranked if self._down_until.get(u, 0) <= now] + \
               [u for u in ranked if self._down_until.get(u, 0) > now]

    async def _post(self, key: str, path: str, payload: dict[str, Any]) -> Any:
        """POST to the key's worker, failing over when it refuses or drops the connection; JSON or ApiError 503."""
        await self.start()
        assert self._session is not None
        urls = self.workers_for(key)
        if len(urls) == 1:
            urls = urls * 2  # one worker: a dropped keep-alive connection is worth one more try
        for url in urls:
            try:
                async with self._session.post(f"{url}{path}", params=self._auth, json=payload) as resp:
                    if resp.status != 200:
                        log.warning("rasa answered %s", resp.status, extra={"rasa_worker": url})
                        raise ApiError(503, "rasa_unavailable", RASA_DOWN_MESSAGE)
                    self._down_until.pop(url, None)
                    return await resp.json(content_type=None)
            except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError):
                self._down_until[url] = time.monotonic() + self.down_for_s
                log.warning("rasa worker down, trying the next one", extra={"rasa_worker": url})
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                raise ApiError(503, "rasa_unavailable", RASA_DOWN_MESSAGE)
        raise ApiError(503, "rasa_unavailable", RASA_DOWN_MESSAGE)

    async def send(self, sender_id: str, text: str, metadata: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
        # Masked before Rasa sees it, so the tracker store never holds ID-card, phone or bank numbers.
        clean, intent = prepare_text(text)
        payload = {"sender": sender_id, "message": clean, "metadata": metadata or {}}
        log.info("chat turn", extra={"sender": sender_id, "payload_intent": intent, "chars": len(clean)})
        raw = await self._post(sender_id, "/webhooks/rest/webhook", payload)
        raw = [r for r in raw or [] if isinstance(r, dict)]
        messages = [m for m in (to_message(r) for r in raw) if m]
        unanswered = next((u for u in map(unanswered_reason, raw) if u), None)
        log.info("chat reply", extra={"sender": sender_id, "messages": len(messages)})
        if not messages:
            messages = [{"text": NO_REPLY_MESSAGE}]
            unanswered = "no_reply"
        for observe in self.turn_observers:
            try:
                observe(sender_id, clean, messages, unanswered)
            except Exception:  # the resident still gets the answer
                log.exception("turn observer failed")
        return messages

    async def rasa_ok(self) -> bool:
        """True when at least one Rasa worker answers (the service can still hold conversations)."""
        await self.start()
        assert self._session is not None

        async def one(url: str) -> bool:
            try:
                async with self._session.get(f"{url}/", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    return resp.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                return False

        return any(await asyncio.gather(*(one(u) for u in self.rasa_urls)))

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa NLU only (/model/parse): no dialogue turn, no tracker touched (used by agent assist)."""
        return await self._post(text, "/model/parse", {"text": read_line(text)})
