"""The contract's error body, in one place, so every 4xx/5xx looks the same."""
from __future__ import annotations

import json
from typing import Any, Optional


class ApiError(Exception):
    """An error that is the caller's to fix (or a dependency that is down), with a Chinese message."""

    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None,
                 headers: Optional[dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            err["field"] = self.field
        return {"error": err}


class InvalidInput(ApiError):
    def __init__(self, message: str, field: Optional[str] = None, code: str = "invalid_input") -> None:
        super().__init__(400, code, message, field)


def error_response(status: int, code: str, message: str, field: Optional[str] = None):
    """An aiohttp JSON response with the contract's error body."""
    from aiohttp import web

    return web.json_response(ApiError(status, code, message, field).body(), status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))
