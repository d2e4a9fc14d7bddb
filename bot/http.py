"""Request parsing and validation shared by every JSON endpoint: bad input is a 4xx, never a 5xx.

Bodies are read whole (a network delivers them in pieces), up to a cap and within a deadline; JSON is
parsed with bounds on number length and nesting, so hostile input is a 400 and never a 500.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Optional, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.errors import ApiError, InvalidInput
from bot.text_normalize import has_control_chars

MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_S = 30.0          # a client that trickles a body slower than this is cut off (slowloris)
MAX_NUMBER_CHARS = 40          # longer number literals are not data anyone sends us
MAX_JSON_DEPTH = 32
JSON_TYPES = ("application/json",)

M = TypeVar("M", bound=BaseModel)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"请求内容过大（上限 {max(1, max_bytes // 1024)} KB），请缩短后再试。")


async def read_body(request: web.Request, max_bytes: int = MAX_BODY_BYTES,
                    timeout_s: Optional[float] = None) -> bytes:
    """The whole body, however many pieces it arrives in; 413 past `max_bytes`, 408 past `timeout_s`."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    total = 0

    async def pump() -> None:
        nonlocal total
        while True:
            chunk = await request.content.read(64 * 1024)   # b"" only at the end of the body
            if not chunk:
                return
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(max_bytes)
            chunks.append(chunk)

    try:
        await asyncio.wait_for(pump(), BODY_TIMEOUT_S if timeout_s is None else timeout_s)
    except asyncio.TimeoutError:
        raise ApiError(408, "request_timeout", "请求内容传输超时，请检查网络后重试。") from None
    except ApiError:
        raise
    except Exception:  # client went away mid-body
        raise InvalidInput("请求内容无法读取，请重试。", code="bad_request") from None
    return b"".join(chunks)


def require_json_type(request: web.Request) -> None:
    """JSON endpoints take `Content-Type: application/json` only (no form posts from other sites)."""
    if request.content_type not in JSON_TYPES:
        raise ApiError(415, "unsupported_media_type", "请求格式不受支持：请以 Content-Type: application/json 发送 JSON。")


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_CHARS:
        raise ValueError("number too long")
    return int(literal)


def _bounded_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS + 10:
        raise ValueError("number too long")
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth_ok(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def parse_json(raw: bytes) -> Any:
    """json.loads with bounded numbers and nesting: ValueError for anything hostile or malformed."""
    if raw.count(b"[") + raw.count(b"{") > 10_000 and not _shallow(raw):
        raise ValueError("nested too deeply")
    try:
        value = json.loads(raw.decode("utf-8"), parse_int=_bounded_int, parse_float=_bounded_float,
                           parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not _depth_ok(value):
        raise ValueError("nested too deeply")
    return value


def _shallow(raw: bytes) -> bool:
    """A cheap bracket count (ignoring strings) before the parser recurses into a bracket bomb."""
    depth = 0
    in_str = escaped = False
    for b in raw:
        if in_str:
            if escaped:
                escaped = False
            elif b == 0x5C:
                escaped = True
            elif b == 0x22:
                in_str = False
        elif b == 0x22:
            in_str = True
        elif b in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif b in (0x5D, 0x7D):
            depth -= 1
    return True


async def read_json_object(request: web.Request, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    require_json_type(request)
    raw = await read_body(request, max_bytes)
    if not raw.strip():
        raise InvalidInput("请求体为空，请发送 JSON 对象。", code="invalid_json")
    try:
        body = parse_json(raw)
    except (UnicodeDecodeError, ValueError):  # JSONDecodeError is a ValueError
        raise InvalidInput("请求体不是有效的 JSON（UTF-8），或数字过长、嵌套过深，请检查格式。", code="invalid_json")
    if not isinstance(body, dict):
        raise InvalidInput("请求体应为 JSON 对象。", code="invalid_json")
    return body


# --- pydantic models → the contract's error body ----------------------------------------------------
_MESSAGES = {
    "missing": "缺少必填字段 {label}。",
    "string_type": "字段 {label} 应为字符串。",
    "string_too_short": "字段 {label} 不能为空。",
    "string_too_long": "字段 {label} 过长（最多 {max_length} 个字符）。",
    "int_type": "字段 {label} 应为整数。",
    "int_parsing": "字段 {label} 应为整数。",
    "float_type": "字段 {label} 应为数字。",
    "float_parsing": "字段 {label} 应为数字。",
    "finite_number": "字段 {label} 应为有限的数字。",
    "bool_type": "字段 {label} 应为 true 或 false。",
    "dict_type": "字段 {label} 应为 JSON 对象。",
    "model_type": "字段 {label} 应为 JSON 对象。",
    "list_type": "字段 {label} 应为数组。",
    "greater_than_equal": "字段 {label} 应不小于 {ge}。",
    "less_than_equal": "字段 {label} 应不大于 {le}。",
    "greater_than": "字段 {label} 应大于 {gt}。",
    "less_than": "字段 {label} 应小于 {lt}。",
    "literal_error": "字段 {label} 的取值无效，可选：{expected}。",
    "enum": "字段 {label} 的取值无效，可选：{expected}。",
    "date_from_datetime_parsing": "字段 {label} 应为日期，格式 YYYY-MM-DD。",
    "date_parsing": "字段 {label} 应为日期，格式 YYYY-MM-DD。",
    "date_type": "字段 {label} 应为日期，格式 YYYY-MM-DD。",
}


def validation_error(exc: ValidationError, prefix: str = "") -> InvalidInput:
    """The first pydantic error as a Chinese 400 whose `field` is its path (`metadata.location.lat`)."""
    err = exc.errors(include_url=False)[0]
    field = ".".join([prefix] * bool(prefix) + [str(p) for p in err.get("loc", ())])
    label = field or "请求体"
    kind = err.get("type", "")
    if kind.startswith("text_"):          # our own validators (bot.openapi_models) say what is wrong
        message = f"字段 {label} {err.get('msg', '')}"
    else:
        try:
            message = _MESSAGES.get(kind, "字段 {label} 的取值无效。").format(label=label, **(err.get("ctx") or {}))
        except (KeyError, IndexError, ValueError):
            message = f"字段 {label} 的取值无效。"
    return InvalidInput(message, field=field or None)


def validate(model: type[M], data: Any, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, prefix) from None


async def read_model(request: web.Request, model: type[M], max_bytes: int = MAX_BODY_BYTES) -> M:
    """Read, parse and validate a JSON body against the model the OpenAPI description is built from."""
    return validate(model, await read_json_object(request, max_bytes))


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
