"""HTTP routes of the knowledge base (contract): POST /api/kb/search, POST /api/kb/answer.

The KB is warmed in a worker thread at startup (loading the embedding model takes seconds) and the
queries run in the default executor, so the event loop never blocks on the model.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.errors import ApiError
from bot.http import json_response, optional_int, read_json_object, require_str
from bot.kb.service import NOT_READY, KnowledgeBase, get_knowledge_base

log = logging.getLogger("bot.kb")

KB_KEY = "kb"
MAX_QUERY = 500


def _kb(request: web.Request) -> KnowledgeBase:
    kb = request.app[KB_KEY].get("kb")
    if kb is None:
        raise ApiError(503, "kb_unavailable", NOT_READY)
    return kb


async def kb_search(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    query = require_str(body, "query", 1, MAX_QUERY, label="query（查询内容）")
    top_k = optional_int(body, "top_k", 5, 1, 50)
    kb = _kb(request)
    result = await asyncio.get_running_loop().run_in_executor(None, kb.search, query, top_k)
    return json_response(result)


async def kb_answer(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    question = require_str(body, "question", 1, MAX_QUERY, label="question（问题）")
    kb = _kb(request)
    result = await asyncio.get_running_loop().run_in_executor(None, kb.answer, question)
    return json_response(result)


async def _warm(app: web.Application) -> None:
    holder = app[KB_KEY]
    if holder.get("kb") is not None:
        return
    try:
        holder["kb"] = await asyncio.get_running_loop().run_in_executor(None, get_knowledge_base, app["settings"])
    except Exception:  # the service still starts; KB endpoints answer 503 and the log says why
        log.exception("knowledge base could not be started")


def setup(app: web.Application) -> None:
    app.router.add_post("/api/kb/search", kb_search)
    app.router.add_post("/api/kb/answer", kb_answer)
    holder: dict[str, KnowledgeBase | None] = {"kb": None}  # filled at startup (the app is frozen by then)
    app[KB_KEY] = holder
    app.on_startup.append(_warm)
    app["kb_version"] = lambda: (holder["kb"].version if holder["kb"] is not None else "")
