"""Request parsing and validation shared by every JSON endpoint: bad input is a 4xx, never a 5xx."""
from __future__ import annotations

import json
from typing import Any, Optional

from aiohttp import web

from bot.errors import ApiError, InvalidInput
from bot.text_normalize import has_control_chars

MAX_BODY_BYTES = 64 * 1024


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def read_json_object(request: web.Request, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "payload_too_large", f"请求内容过大（上限 {max_bytes // 1024} KB），请缩短后再试。")
    try:
        raw = await request.content.read(max_bytes + 1)
    except Exception:  # client went away mid-body
        raise InvalidInput("请求内容无法读取，请重试。", code="bad_request")
    if len(raw) > max_bytes:
        raise ApiError(413, "payload_too_large", f"请求内容过大（上限 {max_bytes // 1024} KB），请缩短后再试。")
    if not raw.strip():
        raise InvalidInput("请求体为空，请发送 JSON 对象。", code="invalid_json")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("请求体不是有效的 JSON（UTF-8），请检查格式。", code="invalid_json")
    if not isinstance(body, dict):
        raise InvalidInput("请求体应为 JSON 对象。", code="invalid_json")
    return body


def require_str(body: dict[str, Any], name: str, min_len: int = 1, max_len: int = 2000,
                label: Optional[str] = None, allow_newlines: bool = True) -> str:
    label = label or name
    if name not in body or body[name] is None:
        raise InvalidInput(f"缺少必填字段 {label}。", field=name)
    value = body[name]
    if not isinstance(value, str):
        raise InvalidInput(f"字段 {label} 应为字符串。", field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800": valid JSON, not text
        raise InvalidInput(f"字段 {label} 含有无效字符。", field=name)
    check = value.replace("\n", "").replace("\r", "").replace("\t", "") if allow_newlines else value
    if has_control_chars(check):
        raise InvalidInput(f"字段 {label} 含有不允许的控制字符。", field=name)
    if len(value.strip()) < min_len:
        raise InvalidInput(f"字段 {label} 不能为空。", field=name)
    if len(value) > max_len:
        raise InvalidInput(f"字段 {label} 过长（最多 {max_len} 个字符）。", field=name)
    return value


def optional_int(body: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    if name not in body or body[name] is None:
        return default
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"字段 {name} 应为 {lo} 到 {hi} 之间的整数。", field=name)
    if not lo <= value <= hi:
        raise InvalidInput(f"字段 {name} 应在 {lo} 到 {hi} 之间。", field=name)
    return value


def query_int(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"参数 {name} 应为 {lo} 到 {hi} 之间的整数。", field=name)
    if not lo <= value <= hi:
        raise InvalidInput(f"参数 {name} 应在 {lo} 到 {hi} 之间。", field=name)
    return value
