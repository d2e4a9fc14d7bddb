"""GET /healthz and POST /api/chat (contract)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.chat import ChatCore
from bot.http import json_response, read_model
from bot.limits import check_sender
from bot.openapi import api
from bot.pools import run_model
from bot.openapi_models import ChatRequest, ChatResponse, Health

CHAT_MAX_BYTES = 16 * 1024
_CHANNELS = {"web": "web", "api": "api"}


def sender_namespace(metadata: dict[str, Any]) -> str:
    return _CHANNELS.get(str(metadata.get("channel", "api")), "api")


@api("与助手对话（一轮）", body=ChatRequest, response=ChatResponse, tags=["chat"])
async def chat(request: web.Request) -> web.Response:
    req = await read_model(request, ChatRequest, max_bytes=CHAT_MAX_BYTES)
    # Only `channel` and a range-checked, rounded `location` reach Rasa and its tracker store.
    metadata = req.metadata.kept() if req.metadata else {}
    namespaced = f"{sender_namespace(metadata)}:{req.sender_id}"
    check_sender(request, f"chat:{namespaced}")
    messages = await request.app["chat"].send(namespaced, req.text, metadata)
    return json_response({"messages": messages})


@api("健康检查（Rasa 与知识库版本）", response=Health, tags=["ops"])
async def healthz(request: web.Request) -> web.Response:
    rasa_ok = await request.app["chat"].rasa_ok()
    kb_version_fn = request.app.get("kb_version")
    # May load a newly published KB version (seconds): never on the event loop.
    kb_version = await run_model(kb_version_fn) if kb_version_fn else None
    body = {"status": "ok" if rasa_ok else "degraded", "rasa": "ok" if rasa_ok else "down", "kb_version": kb_version}
    return json_response(body, status=200 if rasa_ok else 503)


async def _start_chat(app: web.Application) -> None:
    await app["chat"].start()


async def _close_chat(app: web.Application) -> None:
    await app["chat"].close()


def setup(app: web.Application) -> None:
    settings = app["settings"]
    app["chat"] = ChatCore(settings.rasa_endpoints(), settings.rasa_timeout_s, settings.rasa_token)
    app.on_startup.append(_start_chat)
    app.on_cleanup.append(_close_chat)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/chat", chat)
