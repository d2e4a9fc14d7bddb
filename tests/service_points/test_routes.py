"""GET /api/service-points per contract."""
from __future__ import annotations

import pytest

from bot.service_points.gazetteer import load_gazetteer

GAZ = load_gazetteer()
FIELDS = {"id", "name", "type", "province", "city", "county", "town", "address", "phone", "hours", "lat",
          "lng", "location_precision", "distance_km", "source"}


async def _get(client, **params):
    resp = await client.get("/api/service-points", params=params)
    return resp.status, await resp.json()


async def test_civil_affairs_for_all_117_counties(client):
    for c in GAZ.counties:
        status, body = await _get(client, type="civil_affairs", city=c.city, county=c.name)
        assert status == 200
        assert len(body["results"]) == 1, c.name
        r = body["results"][0]
        assert FIELDS <= set(r)
        assert (r["type"], r["city"], r["county"], r["province"]) == ("civil_affairs", c.city, c.name, "山西省")
        assert r["address"] is None and r["phone"] is None and r["distance_km"] is None


async def test_short_names_accepted(client):
    status, body = await _get(client, type="disability_federation", city="太原", county="小店")
    assert status == 200 and body["results"][0]["name"] == "太原市小店区残疾人联合会"
    assert body["results"][0]["hotline"] == "12385"


async def test_nearest_from_taiyuan(client):
    status, body = await _get(client, lat="37.8706", lng="112.5489", limit="8")
    assert status == 200
    rows = body["results"]
    assert len(rows) == 8 and all(r["city"] == "太原市" for r in rows)
    assert all(isinstance(r["distance_km"], (int, float)) for r in rows)
    assert [r["distance_km"] for r in rows] == sorted(r["distance_km"] for r in rows)
    status, body = await _get(client, type="hrss", lat="37.8706", lng="112.5489", limit="3")
    assert [r["city"] for r in body["results"]] == ["太原市"] * 3


@pytest.mark.parametrize("params, field", [
    ({"type": "police"}, "type"), ({"type": "民政局"}, "type"),
    ({"lat": "abc", "lng": "112.5"}, "lat"), ({"lat": "91", "lng": "112.5"}, "lat"),
    ({"lat": "37.8", "lng": "-181"}, "lng"), ({"lat": "nan", "lng": "112.5"}, "lat"),
    ({"lat": "37.8", "lng": "inf"}, "lng"), ({"lat": "37.8"}, "lng"), ({"lng": "112.5"}, "lat"),
    ({"limit": "0"}, "limit"), ({"limit": "51"}, "limit"), ({"limit": "five"}, "limit"),
])
async def test_bad_input_is_400_with_contract_body(client, params, field):
    status, body = await _get(client, **params)
    assert status == 400
    assert body["error"]["code"] == "invalid_input" and body["error"]["field"] == field
    assert body["error"]["message"]


@pytest.mark.parametrize("params", [
    {"county": "'; DROP TABLE service_points; --"}, {"city": "1 OR 1=1"}, {"city": "北京市"},
    {"county": "不存在县"}, {"town": "<script>alert(1)</script>"}, {"county": "小店" * 200},
    {"city": "太原", "county": "尧都区"},
])
async def test_unknown_or_injection_like_places_give_empty_200(client, params):
    status, body = await _get(client, **params)
    assert status == 200 and body == {"results": []}
    status, body = await _get(client, type="civil_affairs", city="太原市", county="小店区")
    assert len(body["results"]) == 1  # and the data is still there


async def test_wgs84_positions_are_converted(client):
    from bot.service_points.gazetteer import wgs84_to_gcj02

    lat, lng = wgs84_to_gcj02(37.8706, 112.5489)
    assert 0.1 < abs(lat - 37.8706) * 111 + abs(lng - 112.5489) * 88 < 1.5  # GCJ-02 shifts a few hundred m
    _, gcj = await _get(client, type="hrss", lat=str(lat), lng=str(lng), limit="3")
    _, wgs = await _get(client, type="hrss", lat="37.8706", lng="112.5489", datum="wgs84", limit="3")
    assert gcj == wgs
    status, body = await _get(client, lat="37.8", lng="112.5", datum="bd09")
    assert status == 400 and body["error"]["field"] == "datum"
