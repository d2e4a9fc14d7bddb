"""GET /openapi.json: an OpenAPI 3 description of every public endpoint, built from the models that validate
the requests (so a limit changed in a model changes the description and the check together)."""
from __future__ import annotations

import pytest
from aiohttp import web

from bot.app import FEATURES, create_app
from bot.openapi import api, build
from bot.openapi_models import ChatRequest, KbSearchRequest
from bot.settings import Settings

CONTRACT = {
    ("post", "/api/chat"), ("post", "/api/kb/search"), ("post", "/api/kb/answer"), ("post", "/api/eligibility"),
    ("get", "/api/eligibility/programs"), ("get", "/api/service-points"), ("get", "/healthz"),
    ("post", "/api/assist"), ("get", "/api/assist"), ("get", "/api/assist/{call_id}"),
    ("delete", "/api/assist/{call_id}"), ("get", "/wechat"), ("post", "/wechat"), ("get", "/api/wechat/undelivered"),
    ("get", "/openapi.json"),
}


@pytest.fixture(scope="module")
def doc(shared_var):
    """The description of the whole service (every feature's routes registered; nothing started)."""
    return build(create_app(Settings(var_dir=shared_var), features=FEATURES))


async def test_it_is_served_as_json(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(Settings(var_dir=tmp_path), features=["bot.chat_routes", "bot.openapi"]))
    resp = await client.get("/openapi.json")
    assert resp.status == 200 and resp.content_type == "application/json"
    assert "/api/chat" in (await resp.json())["paths"]


def _refs(node, found=None):
    found = set() if found is None else found
    if isinstance(node, dict):
        if "$ref" in node:
            found.add(node["$ref"])
        for v in node.values():
            _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)
    return found


async def test_every_public_endpoint_is_described(doc):
    assert doc["openapi"].startswith("3.")
    ops = {(m, p) for p, methods in doc["paths"].items() for m in methods}
    assert CONTRACT <= ops, CONTRACT - ops
    admin = [p for p in doc["paths"] if p.startswith("/api/admin")]
    if any(f.startswith("bot.admin") for f in FEATURES):
        assert admin, "the admin console's endpoints are missing"


async def test_every_reference_resolves_and_every_error_has_the_error_body(doc):
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            assert op["summary"], (method, path)
            for code in ("400", "429"):
                assert op["responses"][code]["content"]["application/json"]["schema"] == \
                    {"$ref": "#/components/schemas/ErrorBody"}


async def test_the_description_comes_from_the_validating_models(doc):
    chat = doc["paths"]["/api/chat"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert chat == {"$ref": "#/components/schemas/ChatRequest"}
    described = doc["components"]["schemas"]["ChatRequest"]["properties"]["text"]
    assert (described["minLength"], described["maxLength"]) == (1, 2000)
    assert ChatRequest.model_json_schema()["properties"]["text"] == described
    top_k = doc["components"]["schemas"]["KbSearchRequest"]["properties"]["top_k"]
    assert (top_k["minimum"], top_k["maximum"], top_k["default"]) == (1, 50, 5)
    assert KbSearchRequest.model_json_schema()["properties"]["top_k"] == top_k
    params = {p["name"]: p for p in doc["paths"]["/api/service-points"]["get"]["parameters"]}
    assert {"type", "city", "county", "town", "lat", "lng", "limit", "datum"} <= set(params)
    assert doc["paths"]["/api/assist"]["post"]["security"] == [{"staff_token": []}]


async def test_a_route_added_with_a_model_appears_by_itself(aiohttp_client, tmp_path):
    @api("测试用接口", body=KbSearchRequest)
    async def extra(request: web.Request) -> web.Response:
        return web.json_response({})

    app = create_app(Settings(var_dir=tmp_path), features=["bot.openapi"])
    app.router.add_post("/api/admin/example", extra)
    client = await aiohttp_client(app)
    doc = await (await client.get("/openapi.json")).json()
    op = doc["paths"]["/api/admin/example"]["post"]
    assert op["summary"] == "测试用接口" and op["security"] == [{"admin_token": []}]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/KbSearchRequest")
