"""The assistant service: the only public surface (contract: GET /healthz, POST /api/chat, …).

Each feature package adds its routes through `setup(app)`; this module wires them, the error
middleware and the lifecycle.
"""
from __future__ import annotations

import importlib
import logging
from typing import Awaitable, Callable

from aiohttp import web

from bot.errors import ApiError
from bot.http import json_response
from bot.settings import Settings

log = logging.getLogger("bot.app")

# Feature modules, each with `setup(app: web.Application) -> None`.
FEATURES: list[str] = [
    "bot.chat_routes",
    "bot.kb.routes",
    "bot.eligibility.routes",
    "bot.service_points.routes",
    "bot.channels.wechat",
    "bot.web.routes",
    "bot.assist.routes",
    "bot.admin.routes",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_CODES = {
    400: ("bad_request", "请求有误，请检查后重试。"),
    401: ("unauthorized", "未授权：请提供有效的令牌。"),
    403: ("forbidden", "无权访问。"),
    404: ("not_found", "没有找到这个地址。"),
    405: ("method_not_allowed", "不支持这种请求方法。"),
    413: ("payload_too_large", "请求内容过大，请缩短后再试。"),
}


def _error(status: int, code: str, message: str, field: str | None = None) -> web.Response:
    return json_response(ApiError(status, code, message, field).body(), status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return json_response(exc.body(), status=exc.status)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith(("/api", "/healthz")):
            raise
        code, message = _HTTP_CODES.get(exc.status, ("http_error", "请求未能处理。"))
        return _error(exc.status, code, message)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal_error", "服务暂时出现问题，请稍后再试，或拨打12345政务服务便民热线。")


def create_app(settings: Settings | None = None, features: list[str] | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    app = web.Application(middlewares=[error_middleware], client_max_size=1024 * 1024)
    app["settings"] = settings
    for name in FEATURES if features is None else features:
        importlib.import_module(name).setup(app)
    return app
