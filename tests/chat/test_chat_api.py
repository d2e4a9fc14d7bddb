"""/api/chat input handling and Rasa-down behaviour, without a running Rasa (the port is closed)."""
from __future__ import annotations

import json

import pytest

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import free_port


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    settings = Settings(rasa_url=f"http://127.0.0.1:{free_port()}", var_dir=tmp_path, rasa_timeout_s=2)
    return await aiohttp_client(create_app(settings, features=["bot.chat_routes"]))


def assert_error_body(body: dict, field: str | None = None) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] and body["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"]), "message must be Chinese"
    if field:
        assert body["error"]["field"] == field


@pytest.mark.parametrize("raw, field", [
    (b"{not json", None),
    (b"", None),
    (b"[1, 2]", None),
    (json.dumps({"sender_id": "t"}).encode(), "text"),
    (json.dumps({"sender_id": "t", "text": ""}).encode(), "text"),
    (json.dumps({"sender_id": "t", "text": "   "}).encode(), "text"),
    (json.dumps({"sender_id": "t", "text": 123}).encode(), "text"),
    (json.dumps({"sender_id": "t", "text": ["你好"]}).encode(), "text"),
    (json.dumps({"sender_id": "t", "text": "你好\u0000\u0007"}).encode(), "text"),
    (json.dumps({"sender_id": "t", "text": "x" * 2001}).encode(), "text"),
    (json.dumps({"text": "你好"}).encode(), "sender_id"),
    (json.dumps({"sender_id": "", "text": "你好"}).encode(), "sender_id"),
    (json.dumps({"sender_id": "s" * 129, "text": "你好"}).encode(), "sender_id"),
    (json.dumps({"sender_id": 5, "text": "你好"}).encode(), "sender_id"),
    (json.dumps({"sender_id": "t", "text": "你好", "metadata": "x"}).encode(), "metadata"),
    ("{\"sender_id\": \"t\", \"text\": \"\udcff\"}".encode("utf-8", "surrogatepass"), None),
    (b'{"sender_id": "t", "text": "\\ud800"}', "text"),
])
async def test_bad_input_is_4xx_with_contract_body(client, raw, field):
    resp = await client.post("/api/chat", data=raw, headers={"Content-Type": "application/json"})
    assert 400 <= resp.status < 500
    assert_error_body(await resp.json(), field)


async def test_200k_characters_is_413(client):
    raw = json.dumps({"sender_id": "t", "text": "补" * 200_000}).encode()
    resp = await client.post("/api/chat", data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == 413
    assert_error_body(await resp.json())


async def test_rasa_down_is_503_in_chinese(client):
    resp = await client.post("/api/chat", json={"sender_id": "t", "text": "你好"})
    assert resp.status == 503
    body = await resp.json()
    assert_error_body(body)
    assert body["error"]["code"] == "rasa_unavailable"
    health = await client.get("/healthz")
    assert health.status == 503
    assert (await health.json())["rasa"] == "down"


async def test_unknown_api_path_and_method_are_json(client):
    resp = await client.get("/api/nope")
    assert resp.status == 404
    assert_error_body(await resp.json())
    resp = await client.get("/api/chat")
    assert resp.status == 405
    assert_error_body(await resp.json())
