"""GET /openapi.json: an OpenAPI 3.1 description generated from the routes and the models that validate them.

A handler says what it takes with `@api(summary=…, body=Model, query=Model, response=Model, auth=…)`;
the generator walks the app's router, so any route added later (admin, …) appears by itself; a route
without `@api` is still listed, with its path parameters and the error body.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from aiohttp import web
from pydantic import BaseModel

from bot.http import json_response
from bot.openapi_models import ErrorBody

TITLE = "山西民生政策助手 API"
VERSION = "1.0"
PUBLIC_PREFIXES = ("/api/", "/healthz", "/wechat", "/openapi.json")
_PATH_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
_REF = "#/components/schemas/{model}"
_ERROR_STATUSES = {"400": "输入有误", "401": "未授权", "403": "无权访问", "404": "不存在", "408": "传输超时",
                   "413": "内容过大", "415": "格式不受支持", "429": "请求过于频繁", "503": "依赖服务暂不可用"}


@dataclass
class Operation:
    summary: str
    body: Optional[type[BaseModel]] = None
    query: Optional[type[BaseModel]] = None
    response: Optional[type[BaseModel]] = None
    auth: Optional[str] = None                # "staff" | "admin" | None
    tags: list[str] = field(default_factory=list)
    content_type: str = "application/json"    # of the request body
    response_type: str = "application/json"
    description: str = ""


def api(summary: str, **kw: Any) -> Callable:
    """Attach the description (and the validating models) to a handler."""
    def wrap(handler: Callable) -> Callable:
        handler.__openapi__ = Operation(summary, **kw)  # type: ignore[attr-defined]
        return handler
    return wrap


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, model: type[BaseModel]) -> dict[str, Any]:
        name = model.__name__
        if name not in self.components:
            schema = model.model_json_schema(ref_template=_REF, mode="validation")
            for def_name, definition in schema.pop("$defs", {}).items():
                self.components.setdefault(def_name, definition)
            self.components[name] = schema
        return {"$ref": _REF.format(model=name)}

    def properties(self, model: type[BaseModel]) -> tuple[dict[str, Any], set[str]]:
        schema = model.model_json_schema(ref_template=_REF, mode="validation")
        for def_name, definition in schema.pop("$defs", {}).items():
            self.components.setdefault(def_name, definition)
        return schema.get("properties", {}), set(schema.get("required", []))


def _operation(method: str, path: str, handler: Callable, schemas: _Schemas) -> dict[str, Any]:
    op: Optional[Operation] = getattr(handler, "__openapi__", None)
    doc = (handler.__doc__ or "").strip().splitlines()
    out: dict[str, Any] = {"summary": op.summary if op else (doc[0] if doc else f"{method} {path}"),
                           "operationId": f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}"}
    if op and op.tags:
        out["tags"] = op.tags
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in _PATH_PARAM.findall(path)]
    if op and op.query is not None:
        props, required = schemas.properties(op.query)
        params += [{"name": name, "in": "query", "required": name in required, "schema": schema}
                   for name, schema in props.items()]
    if params:
        out["parameters"] = params
    if op and op.body is not None:
        out["requestBody"] = {"required": True, "content": {op.content_type: {"schema": schemas.ref(op.body)}}}
    elif op and op.content_type != "application/json":
        out["requestBody"] = {"required": True, "content": {op.content_type: {"schema": {"type": "string"}}}}
    if op and op.response is not None:
        ok = {"description": "成功", "content": {op.response_type: {"schema": schemas.ref(op.response)}}}
    else:
        ok = {"description": "成功", "content": {(op.response_type if op else "application/json"): {"schema": {}}}}
    error = {"content": {"application/json": {"schema": schemas.ref(ErrorBody)}}}
    out["responses"] = {"200": ok, **{code: {"description": text, **error} for code, text in _ERROR_STATUSES.items()}}
    auth = (op.auth if op else None) or ("admin" if path.startswith("/api/admin") else None)
    if auth:
        out["security"] = [{f"{auth}_token": []}]
    return out


def build(app: web.Application) -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        info = route.get_info()
        path = info.get("path") or info.get("formatter")
        if not path or route.method in ("HEAD", "*") or not path.startswith(PUBLIC_PREFIXES):
            continue
        path = _PATH_PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route.method, path, route.handler, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "错误一律返回 {\"error\": {\"code\", \"message\"（中文）, \"field\"?}}。"},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {
                "staff_token": {"type": "http", "scheme": "bearer", "description": "STAFF_TOKEN（坐席辅助）"},
                "admin_token": {"type": "http", "scheme": "bearer", "description": "ADMIN_TOKEN 或 role:name:token"},
            },
        },
    }


@api("本服务的 OpenAPI 3 描述", response_type="application/json")
async def openapi_json(request: web.Request) -> web.Response:
    return json_response(build(request.app))


def setup(app: web.Application) -> None:
    app.router.add_get("/openapi.json", openapi_json)
