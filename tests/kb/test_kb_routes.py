"""POST /api/kb/search and /api/kb/answer per contract, with 4xx error bodies for bad input."""
from __future__ import annotations

import pytest

from bot.app import create_app
from bot.settings import Settings


@pytest.fixture
async def client(aiohttp_client, kb, tmp_path):
    app = create_app(Settings(var_dir=tmp_path), features=["bot.kb.routes"])
    app["kb"]["kb"] = kb  # the session's warmed KB; startup then skips loading another model
    c = await aiohttp_client(app)
    c.kb_app = app
    return c


async def test_search_contract_shape(client, kb):
    resp = await client.post("/api/kb/search", json={"query": "残联两项补贴", "top_k": 3})
    assert resp.status == 200
    body = await resp.json()
    assert body["kb_version"] == kb.version
    assert len(body["results"]) == 3
    for r in body["results"]:
        assert set(r) >= {"chunk_id", "doc_id", "section", "title", "text", "score"}
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert client.kb_app["kb_version"]() == kb.version


async def test_search_default_top_k_is_5(client):
    body = await (await client.post("/api/kb/search", json={"query": "托育"})).json()
    assert len(body["results"]) == 5


async def test_answer_contract_shape(client, kb):
    resp = await client.post("/api/kb/answer", json={"question": "每千人口托位数2025年目标是多少"})
    assert resp.status == 200
    body = await resp.json()
    assert body["answer"].startswith("2025年目标：")
    assert body["kb_version"] == kb.version
    assert 0 <= body["confidence"] <= 1
    assert all(set(c) >= {"doc_id", "section", "quote"} for c in body["citations"])


async def test_answer_null_when_not_covered(client):
    body = await (await client.post("/api/kb/answer", json={"question": "驾照扣分怎么查"})).json()
    assert body["answer"] is None and body["citations"] == []


@pytest.mark.parametrize("path,payload,field", [
    ("/api/kb/search", {"query": ""}, "query"),
    ("/api/kb/search", {"query": "   "}, "query"),
    ("/api/kb/search", {"query": "托" * 501}, "query"),
    ("/api/kb/search", {"query": 123}, "query"),
    ("/api/kb/search", {}, "query"),
    ("/api/kb/search", {"query": "托育", "top_k": 0}, "top_k"),
    ("/api/kb/search", {"query": "托育", "top_k": 51}, "top_k"),
    ("/api/kb/search", {"query": "托育", "top_k": "5"}, "top_k"),
    ("/api/kb/search", {"query": "托育", "top_k": True}, "top_k"),
    ("/api/kb/search", {"query": "托育", "top_k": 2.5}, "top_k"),
    ("/api/kb/answer", {"question": ""}, "question"),
    ("/api/kb/answer", {"question": "问" * 501}, "question"),
    ("/api/kb/answer", {"question": ["托育"]}, "question"),
    ("/api/kb/answer", {"query": "托育"}, "question"),
])
async def test_bad_input_is_400_with_contract_body(client, path, payload, field):
    resp = await client.post(path, json=payload)
    assert resp.status == 400
    err = (await resp.json())["error"]
    assert err["code"] == "invalid_input" and err["field"] == field and err["message"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"\xff\xfe"])
async def test_bad_json_is_400(client, raw):
    resp = await client.post("/api/kb/search", data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] in ("invalid_json", "bad_request")


async def test_wrong_method_is_405_with_contract_body(client):
    resp = await client.get("/api/kb/search")
    assert resp.status == 405
    assert "error" in await resp.json()


async def test_kb_not_ready_is_503(aiohttp_client, tmp_path, monkeypatch):
    import bot.kb.routes as routes

    async def no_warm(app):  # a KB that failed to start: endpoints say so, they do not crash
        return None

    monkeypatch.setattr(routes, "_warm", no_warm)
    app = create_app(Settings(var_dir=tmp_path), features=["bot.kb.routes"])
    c = await aiohttp_client(app)
    resp = await c.post("/api/kb/search", json={"query": "托育"})
    assert resp.status == 503
    assert (await resp.json())["error"]["code"] == "kb_unavailable"
    assert app["kb_version"]() == ""
