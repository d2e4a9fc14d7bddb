"""HTTP routes: POST /api/eligibility and GET /api/eligibility/programs (contract)."""
from __future__ import annotations

from aiohttp import web

from bot.errors import InvalidInput
from bot.eligibility.engine import EligibilityEngine, get_engine
from bot.http import json_response, read_json_object

ENGINE = web.AppKey("eligibility_engine", EligibilityEngine)


async def evaluate(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    program = body.get("program")
    if program is None:
        raise InvalidInput("缺少必填字段 program（补贴项目编号）。", field="program")
    if not isinstance(program, str):
        raise InvalidInput("字段 program 应为字符串。", field="program")
    facts = body.get("facts", {})
    if facts is not None and not isinstance(facts, dict):
        raise InvalidInput("字段 facts 应为 JSON 对象。", field="facts")
    as_of = body.get("as_of")
    if as_of is not None and not isinstance(as_of, str):
        raise InvalidInput("字段 as_of 应为日期字符串，格式 YYYY-MM-DD。", field="as_of")
    return json_response(request.app[ENGINE].evaluate(program, facts or {}, as_of))


async def programs(request: web.Request) -> web.Response:
    return json_response({"programs": request.app[ENGINE].programs()})


async def _warm_up(app: web.Application) -> None:
    app[ENGINE].warm_up()


def setup(app: web.Application) -> None:
    app[ENGINE] = get_engine()
    app.on_startup.append(_warm_up)
    app.router.add_post("/api/eligibility", evaluate)
    app.router.add_get("/api/eligibility/programs", programs)
