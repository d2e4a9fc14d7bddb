"""The residents' web chat page (contract: `GET /`), served with every asset local, no CDN.

The page is static (vanilla HTML/CSS/JS, no build step) and talks to `POST /api/chat`. Assets are read
once at start-up; their URLs carry a content hash so a new release is never served from a stale cache.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/web/static/"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}
_TEXT_SUFFIXES = {".html", ".js", ".css", ".svg", ".json"}

# Everything the page needs is same-origin; inline script and style are refused, which also
# stops any injected markup from running.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

_ASSET_REF = re.compile(r"\{\{asset:([A-Za-z0-9_.-]+)\}\}")


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    charset: str | None
    version: str


def _load_assets(static_dir: Path) -> dict[str, Asset]:
    assets: dict[str, Asset] = {}
    for path in sorted(static_dir.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in CONTENT_TYPES or path.name == "index.html":
            continue
        body = path.read_bytes()
        assets[path.name] = Asset(
            body=body,
            content_type=CONTENT_TYPES[suffix],
            charset="utf-8" if suffix in _TEXT_SUFFIXES else None,
            version=hashlib.sha256(body).hexdigest()[:12],
        )
    return assets


def _render_index(static_dir: Path, assets: dict[str, Asset], prefix: str = STATIC_PREFIX) -> bytes:
    """Replace `{{asset:name}}` with the versioned URL; a missing asset is a packaging bug, so fail loudly."""
    template = (static_dir / "index.html").read_text(encoding="utf-8")

    def url(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in assets:
            raise RuntimeError(f"index.html refers to a missing asset: {name}")
        return f"{prefix}{name}?v={assets[name].version}"

    return _ASSET_REF.sub(url, template).encode("utf-8")


def _response(body: bytes, content_type: str, charset: str | None, cache: str) -> web.Response:
    resp = web.Response(body=body, content_type=content_type, charset=charset)
    resp.headers["Cache-Control"] = cache
    resp.headers.update(SECURITY_HEADERS)
    return resp


def static_site(static_dir: Path, prefix: str) -> tuple[Handler, Handler]:
    """(page, asset) handlers for a folder with index.html: versioned, immutable assets and strict headers.

    Shared by the residents' page and the hotline staff console.
    """
    assets = _load_assets(static_dir)
    index = _render_index(static_dir, assets, prefix)

    async def page(request: web.Request) -> web.Response:
        return _response(index, "text/html", "utf-8", "no-cache")

    async def asset(request: web.Request) -> web.Response:
        found = assets.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound(text="没有找到这个文件。")
        versioned = request.query.get("v") == found.version
        cache = "public, max-age=31536000, immutable" if versioned else "no-cache"
        return _response(found.body, found.content_type, found.charset, cache)

    return page, asset


def setup(app: web.Application) -> None:
    page, asset = static_site(STATIC_DIR, STATIC_PREFIX)
    app.router.add_get("/", page)
    app.router.add_get(STATIC_PREFIX + "{name}", asset)
