"""HTTP routes: POST /api/eligibility and GET /api/eligibility/programs (contract)."""
from __future__ import annotations

from aiohttp import web

from bot.eligibility.engine import EligibilityEngine, get_engine
from bot.http import json_response, read_model
from bot.openapi import api
from bot.openapi_models import EligibilityRequest, EligibilityResponse

ENGINE = web.AppKey("eligibility_engine", EligibilityEngine)


@api("判断是否符合补贴条件", body=EligibilityRequest, response=EligibilityResponse, tags=["eligibility"])
async def evaluate(request: web.Request) -> web.Response:
    req = await read_model(request, EligibilityRequest)
    return json_response(request.app[ENGINE].evaluate(req.program, req.facts or {}, req.as_of))


@api("补贴项目及其所需情况", tags=["eligibility"])
async def programs(request: web.Request) -> web.Response:
    return json_response({"programs": request.app[ENGINE].programs()})


async def _warm_up(app: web.Application) -> None:
    app[ENGINE].warm_up()


def setup(app: web.Application) -> None:
    app[ENGINE] = get_engine()
    app.on_startup.append(_warm_up)
    app.router.add_post("/api/eligibility", evaluate)
    app.router.add_get("/api/eligibility/programs", programs)
