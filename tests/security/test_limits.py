"""Limits: per-IP and per-resident 429s, concurrency caps, separate model and database pools, JSON-only
endpoints, no-store on every API answer, and the KB version read off the event loop."""
from __future__ import annotations

import asyncio
import threading

import pytest
from aiohttp import web

from bot import pools
from bot.app import create_app
from bot.settings import Settings
from tests.conftest import free_port


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def make(tmp_path, features=("bot.chat_routes", "bot.eligibility.routes"), **over):
    base = dict(rasa_url=f"http://127.0.0.1:{free_port()}", var_dir=tmp_path, rasa_timeout_s=2)
    return create_app(Settings(**(base | over)), features=list(features))


async def test_an_ip_over_its_limit_gets_a_chinese_429(aiohttp_client, tmp_path):
    client = await aiohttp_client(make(tmp_path, rate_limit_ip_per_min=5))
    statuses = [(await client.get("/api/eligibility/programs")).status for _ in range(5)]
    assert statuses == [200] * 5
    resp = await client.get("/api/eligibility/programs")
    body = await resp.json()
    assert resp.status == 429 and body["error"]["code"] == "rate_limited" and _chinese(body["error"]["message"])
    assert int(resp.headers["Retry-After"]) >= 1


async def test_a_sender_over_its_limit_gets_429_while_others_go_on(aiohttp_client, tmp_path):
    client = await aiohttp_client(make(tmp_path, rate_limit_sender_per_min=3))
    codes = []
    for _ in range(4):
        resp = await client.post("/api/chat", json={"sender_id": "busy", "text": "你好"})
        codes.append((await resp.json())["error"]["code"])
    assert codes == ["rasa_unavailable"] * 3 + ["rate_limited"]       # Rasa is not running in this test
    other = await client.post("/api/chat", json={"sender_id": "calm", "text": "你好"})
    assert (await other.json())["error"]["code"] == "rasa_unavailable"


async def test_concurrency_is_capped_per_endpoint_group(aiohttp_client, tmp_path):
    app = make(tmp_path, features=(), max_concurrent_other=2, concurrency_wait_s=0.2)
    release = asyncio.Event()

    async def slow(request):
        await release.wait()
        return web.json_response({"ok": True})

    app.router.add_get("/api/slow", slow)
    client = await aiohttp_client(app)
    held = [asyncio.ensure_future(client.get("/api/slow")) for _ in range(2)]
    await asyncio.sleep(0.1)
    resp = await client.get("/api/slow")
    body = await resp.json()
    assert resp.status == 503 and body["error"]["code"] == "busy" and _chinese(body["error"]["message"])
    release.set()
    assert [r.status for r in await asyncio.gather(*held)] == [200, 200]


async def test_kb_work_runs_on_the_model_pool_and_store_work_on_the_db_pool(aiohttp_client, shared_var,
                                                                          monkeypatch):
    seen: dict[str, str] = {}
    app = make(shared_var, features=["bot.kb.routes"])
    client = await aiohttp_client(app)
    kb = app["kb"]["kb"]                                   # the real, warmed knowledge base
    assert kb is not None
    real_search = kb.search

    def search(query, top_k):                              # the real search, noting which thread runs it
        seen["search"] = threading.current_thread().name
        return real_search(query, top_k)

    monkeypatch.setattr(kb, "search", search)
    resp = await client.post("/api/kb/search", json={"query": "托育"})
    assert resp.status == 200 and (await resp.json())["results"]
    assert seen["search"].startswith("model-pool")

    from bot.channels.wechat_store import WeChatStore
    store = WeChatStore(f"sqlite:///{shared_var / 'pool-test.db'}")
    assert (await store.run(threading.current_thread)).name.startswith("db-pool")


async def test_a_flood_on_the_model_pool_does_not_delay_database_work():
    """Every model thread is held; database work still runs (one shared pool would wait for the gate)."""
    gate = threading.Event()
    flood = [asyncio.ensure_future(pools.run_model(gate.wait, 30)) for _ in range(20)]
    try:
        assert await asyncio.wait_for(pools.run_db(lambda: "done"), 20) == "done"
        assert not gate.is_set() and not any(f.done() for f in flood)
    finally:
        gate.set()
    await asyncio.gather(*flood)


@pytest.mark.parametrize("path, body", [("/api/chat", '{"sender_id": "a", "text": "你好"}'),
                                        ("/api/eligibility", '{"program": "childcare_subsidy"}')])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_json_endpoints_take_application_json_only(aiohttp_client, tmp_path, path, body, content_type):
    client = await aiohttp_client(make(tmp_path))
    headers = {"Content-Type": content_type} if content_type else {}
    resp = await client.post(path, data=body.encode(), headers=headers,
                             skip_auto_headers=() if content_type else ("Content-Type",))
    answer = await resp.json()
    assert resp.status == 415 and answer["error"]["code"] == "unsupported_media_type"
    assert _chinese(answer["error"]["message"])


async def test_every_api_answer_is_no_store(aiohttp_client, tmp_path):
    client = await aiohttp_client(make(tmp_path, features=("bot.chat_routes", "bot.eligibility.routes",
                                                           "bot.web.routes")))
    for method, path, kw in [("GET", "/api/eligibility/programs", {}), ("GET", "/api/nope", {}),
                             ("POST", "/api/chat", {"json": {"sender_id": "x"}}),
                             ("POST", "/api/eligibility", {"json": {"program": "free_money"}})]:
        resp = await client.request(method, path, **kw)
        assert resp.headers.get("Cache-Control") == "no-store", (path, resp.status)
    page = await client.get("/")
    assert page.headers["Cache-Control"] != "no-store"                # the page itself may be revalidated


async def test_healthz_reads_the_kb_version_off_the_event_loop(aiohttp_client, shared_var):
    app = make(shared_var, features=["bot.chat_routes", "bot.kb.routes"])
    client = await aiohttp_client(app)
    real = app["kb_version"]                       # may load a newly published version: seconds of work
    where: list[str] = []

    def kb_version() -> str:
        where.append(threading.current_thread().name)
        return real()

    app["kb_version"] = kb_version
    resp = await client.get("/healthz")
    assert (await resp.json())["kb_version"]
    assert where and where[0].startswith("model-pool")


async def test_behind_the_reverse_proxy_each_client_has_its_own_limit(aiohttp_client, tmp_path):
    """deploy/nginx forwards every resident from 127.0.0.1: the limit follows X-Forwarded-For from a trusted
    proxy, and a client cannot dodge it by sending its own X-Forwarded-For from elsewhere."""
    client = await aiohttp_client(make(tmp_path, rate_limit_ip_per_min=2))
    a = {"X-Forwarded-For": "203.0.113.7"}
    assert [(await client.get("/api/eligibility/programs", headers=a)).status for _ in range(3)] == [200, 200, 429]
    b = {"X-Forwarded-For": "198.51.100.9, 203.0.113.8"}          # nginx appends the peer it saw
    assert (await client.get("/api/eligibility/programs", headers=b)).status == 200
    untrusted = make(tmp_path, rate_limit_ip_per_min=2, trusted_proxies="")
    direct = await aiohttp_client(untrusted)
    statuses = [(await direct.get("/api/eligibility/programs", headers={"X-Forwarded-For": f"10.0.0.{i}"})).status
                for i in range(3)]
    assert statuses == [200, 200, 429]
