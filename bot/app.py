"""The assistant service: the only public surface (contract: GET /healthz, POST /api/chat, …).

Each feature package adds its routes through `setup(app)`; this module wires them, the error
middleware and the lifecycle.
"""
from __future__ import annotations

import importlib
import logging
from typing import Awaitable, Callable

from aiohttp import web

from bot import pools
from bot.errors import ApiError
from bot.http import json_response
from bot.limits import LIMITS_KEY, Limits, limits_middleware
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
    "bot.retention",
    "bot.openapi",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_CODES = {
    400: ("bad_request", "请求有误，请检查后重试。"),
    401: ("unauthorized", "未授权：请提供有效的令牌。"),
    403: ("forbidden", "无权访问。"),
    404: ("not_found", "没有找到这个地址。"),
    405: ("method_not_allowed", "不支持这种请求方法。"),
    408: ("request_timeout", "请求超时，请重试。"),
    413: ("payload_too_large", "请求内容过大，请缩短后再试。"),
    415: ("unsupported_media_type", "请求格式不受支持。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
}


def _error(status: int, code: str, message: str, field: str | None = None) -> web.Response:
    return json_response(ApiError(status, code, message, field).body(), status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        resp = json_response(exc.body(), status=exc.status)
        resp.headers.update(exc.headers)
        return resp
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith(("/api", "/healthz")):
            raise
        code, message = _HTTP_CODES.get(exc.status, ("http_error", "请求未能处理。"))
        return _error(exc.status, code, message)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal_error", "服务暂时出现问题，请稍后再试，或拨打12345政务服务便民热线。")


async def _no_store(request: web.Request, response: web.StreamResponse) -> None:
    """API answers carry residents' data: never kept by a browser or a proxy."""
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"


def _private_caches(settings: Settings) -> None:
    """jieba's dictionary cache goes to var/jieba (this user only), not a shared /tmp file."""
    import jieba

    folder = settings.var_dir / "jieba"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    jieba.dt.tmp_dir = str(folder)


def create_app(settings: Settings | None = None, features: list[str] | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    app = web.Application(middlewares=[error_middleware, limits_middleware], client_max_size=1024 * 1024)
    app["settings"] = settings
    app[LIMITS_KEY] = Limits.from_settings(settings)
    app.on_response_prepare.append(_no_store)
    pools.configure(settings.model_threads, settings.db_threads)
    _private_caches(settings)
    for name in FEATURES if features is None else features:
        importlib.import_module(name).setup(app)
    return app
