"""HTTP routes of the knowledge base (contract): POST /api/kb/search, POST /api/kb/answer.

The KB is warmed in a worker thread at startup (loading the embedding model takes seconds) and the
queries run in the default executor, so the event loop never blocks on the model.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.errors import ApiError
from bot.http import json_response, read_model
from bot.kb.service import NOT_READY, KnowledgeBase, get_knowledge_base
from bot.openapi import api
from bot.openapi_models import KbAnswerRequest, KbAnswerResponse, KbSearchRequest, KbSearchResponse
from bot.pools import run_model

log = logging.getLogger("bot.kb")

KB_KEY = "kb"
MAX_QUERY = 500


def _kb(request: web.Request) -> KnowledgeBase:
    kb = request.app[KB_KEY].get("kb")
    if kb is None:
        raise ApiError(503, "kb_unavailable", NOT_READY)
    return kb


@api("检索政策知识库", body=KbSearchRequest, response=KbSearchResponse, tags=["kb"])
async def kb_search(request: web.Request) -> web.Response:
    req = await read_model(request, KbSearchRequest)
    kb = _kb(request)
    result = await run_model(kb.search, req.query, req.top_k)   # the model pool, never the event loop
    return json_response(result)


@api("基于知识库的带出处回答", body=KbAnswerRequest, response=KbAnswerResponse, tags=["kb"])
async def kb_answer(request: web.Request) -> web.Response:
    req = await read_model(request, KbAnswerRequest)
    kb = _kb(request)
    result = await run_model(kb.answer, req.question)
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
    # Reading `version` may load a newly published version: callers run it in a worker thread (/healthz does).
    app["kb_version"] = lambda: (holder["kb"].version if holder["kb"] is not None else "")
