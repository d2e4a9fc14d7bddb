"""GET /api/service-points (contract): filter by type and place, or nearest to lat/lng.

Addition to the contract: optional `datum` = `gcj02` (default; WeChat and AMap) or `wgs84` (GPS,
browser geolocation), since the stored coordinates are GCJ-02.
"""
from __future__ import annotations

import asyncio
import math
from typing import Optional

from aiohttp import web

from bot.errors import InvalidInput
from bot.http import json_response, query_int, validate
from bot.openapi import api
from bot.openapi_models import ServicePointsQuery, ServicePointsResponse
from bot.pools import run_db
from bot.service_points import get_store, lookup
from bot.service_points.gazetteer import wgs84_to_gcj02
from bot.service_points.offices import OFFICE_TYPES

DATUMS = ("gcj02", "wgs84")  # our coordinates are GCJ-02; `datum=wgs84` converts GPS/browser positions
MAX_PLACE_LEN = 100  # longer "place names" cannot match anything: answered as no match


def _coordinate(request: web.Request, name: str, lo: float, hi: float, label: str) -> Optional[float]:
    raw = request.query.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(f"请提供数字形式的{label}（参数 {name}）。", field=name)
    if not math.isfinite(value) or not lo <= value <= hi:
        raise InvalidInput(f"{label}（参数 {name}）应在 {lo:g} 到 {hi:g} 之间，请检查后重试。", field=name)
    return value


@api("查找办事地点（按类型、地区或距离）", query=ServicePointsQuery, response=ServicePointsResponse,
     tags=["service_points"])
async def service_points(request: web.Request) -> web.Response:
    q = request.query
    validate(ServicePointsQuery, dict(q))       # the described schema; the checks below add the Chinese wording
    type_id = q.get("type") or None
    if type_id is not None and type_id not in OFFICE_TYPES:
        raise InvalidInput("抱歉，没有这种办理地点类型。请使用：" + "、".join(OFFICE_TYPES) + "。", field="type")
    lat = _coordinate(request, "lat", -90, 90, "纬度")
    lng = _coordinate(request, "lng", -180, 180, "经度")
    if (lat is None) != (lng is None):
        raise InvalidInput("请同时提供纬度 lat 和经度 lng。", field="lng" if lng is None else "lat")
    datum = (q.get("datum") or "gcj02").lower()
    if datum not in DATUMS:
        raise InvalidInput("参数 datum 应为 gcj02（默认，微信/高德）或 wgs84（GPS/浏览器定位）。", field="datum")
    if lat is not None and datum == "wgs84":
        lat, lng = wgs84_to_gcj02(lat, lng)
    limit = query_int(request, "limit", 5, 1, 50)
    places = {k: (q.get(k) or "").strip() or None for k in ("city", "county", "town")}
    if any(v is not None and len(v) > MAX_PLACE_LEN for v in places.values()):
        return json_response({"results": []})
    store = request.app["service_points_store"]
    results = await run_db(lambda: lookup(type=type_id, lat=lat, lng=lng, limit=limit, store=store, **places))
    return json_response({"results": results})


async def _startup(app: web.Application) -> None:
    settings = app["settings"]
    url = settings.sqlite_url("service_points")
    app["service_points_store"] = await asyncio.get_running_loop().run_in_executor(None, get_store, url)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/service-points", service_points)
    app.on_startup.append(_startup)
