"""GET /healthz and POST /api/chat (contract)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.chat import ChatCore
from bot.errors import InvalidInput
from bot.http import json_response, read_json_object, require_str

CHAT_MAX_BYTES = 16 * 1024
_CHANNELS = {"web": "web", "api": "api"}


def sender_namespace(metadata: dict[str, Any]) -> str:
    return _CHANNELS.get(str(metadata.get("channel", "api")), "api")


async def chat(request: web.Request) -> web.Response:
    body = await read_json_object(request, max_bytes=CHAT_MAX_BYTES)
    sender = require_str(body, "sender_id", 1, 128, allow_newlines=False)
    text = require_str(body, "text", 1, 2000)
    metadata = body.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise InvalidInput("字段 metadata 应为 JSON 对象。", field="metadata")
    namespaced = f"{sender_namespace(metadata)}:{sender}"
    messages = await request.app["chat"].send(namespaced, text, metadata)
    return json_response({"messages": messages})


async def healthz(request: web.Request) -> web.Response:
    rasa_ok = await request.app["chat"].rasa_ok()
    kb_version_fn = request.app.get("kb_version")
    kb_version = kb_version_fn() if kb_version_fn else None
    body = {"status": "ok" if rasa_ok else "degraded", "rasa": "ok" if rasa_ok else "down", "kb_version": kb_version}
    return json_response(body, status=200 if rasa_ok else 503)


async def _start_chat(app: web.Application) -> None:
    await app["chat"].start()


async def _close_chat(app: web.Application) -> None:
    await app["chat"].close()


def setup(app: web.Application) -> None:
    settings = app["settings"]
    app["chat"] = ChatCore(settings.rasa_endpoints(), settings.rasa_timeout_s)
    app.on_startup.append(_start_chat)
    app.on_cleanup.append(_close_chat)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/chat", chat)
