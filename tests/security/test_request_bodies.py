"""Request bodies over a real network: sent in pieces with pauses they are read whole; hostile JSON is a 400.

A raw TCP client writes the HTTP request in 1,400-byte pieces (one Ethernet segment's worth) with pauses,
as a phone network delivers it. Before the fix, `content.read(n)` returned the first piece only.
"""
from __future__ import annotations

import asyncio
import json

import pytest

from bot import http as bot_http
from bot.app import create_app
from bot.settings import Settings
from tests.conftest import free_port

PIECE = 1400


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def send_in_pieces(port: int, path: str, body: bytes, content_type: str = "application/json",
                         pause_s: float = 0.05, query: str = "") -> tuple[int, bytes]:
    """One HTTP/1.1 POST over a socket, the body written in PIECE-byte pieces with pauses."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST {path}{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    writer.write(head)
    await writer.drain()
    for i in range(0, len(body), PIECE):
        await asyncio.sleep(pause_s)
        writer.write(body[i:i + PIECE])
        await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1])
    return status, raw.split(b"\r\n\r\n", 1)[1]


@pytest.fixture
async def server(aiohttp_server, tmp_path):
    settings = Settings(rasa_url=f"http://127.0.0.1:{free_port()}", var_dir=tmp_path, rasa_timeout_s=2)
    return await aiohttp_server(create_app(settings, features=["bot.chat_routes", "bot.eligibility.routes"]))


async def test_a_5kb_chat_message_in_pieces_is_read_whole(server):
    text = "我想问一下残疾人两项补贴怎么申请，" * 110            # about 5.6 KB of UTF-8, under 2,000 characters
    assert len(text) <= 2000
    body = json.dumps({"sender_id": "pieces", "text": text}, ensure_ascii=False).encode()
    assert 5000 < len(body) < 16 * 1024
    status, answer = await send_in_pieces(server.port, "/api/chat", body)
    # Parsed and validated: the turn reaches the (stopped) Rasa → 503 rasa_unavailable, not 400 invalid_json.
    assert status == 503, answer
    assert json.loads(answer)["error"]["code"] == "rasa_unavailable"


async def test_eligibility_body_in_pieces_gets_its_answer(server):
    facts = {"child_birth_date": "2025-03-01"}
    padding = {f"note_{i}": "这是一段补充说明，" * 5 for i in range(60)}   # unknown facts are not errors
    body = json.dumps({"program": "childcare_subsidy", "facts": {**facts, **padding}, "as_of": "2026-11-28"},
                      ensure_ascii=False).encode()
    assert len(body) > 4 * PIECE
    status, answer = await send_in_pieces(server.port, "/api/eligibility", body)
    assert status == 200, answer
    assert json.loads(answer)["program"] == "childcare_subsidy"


async def test_a_body_trickled_past_the_deadline_is_408(server, monkeypatch):
    monkeypatch.setattr(bot_http, "BODY_TIMEOUT_S", 0.3)
    body = json.dumps({"sender_id": "slow", "text": "补" * 1500}, ensure_ascii=False).encode()
    status, answer = await send_in_pieces(server.port, "/api/chat", body, pause_s=0.2)
    assert status == 408 and json.loads(answer)["error"]["code"] == "request_timeout"


HOSTILE = {
    "5000_digit_number": b'{"sender_id": "h", "text": "hi", "metadata": {"n": ' + b"9" * 5000 + b"}}",
    "5000_digit_float": b'{"sender_id": "h", "text": "hi", "top_k": 1.' + b"5" * 5000 + b"}",
    "deep_arrays": b'{"sender_id": "h", "text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "deep_objects": b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    "moderately_deep": b'{"sender_id": "h", "text": "hi", "metadata": ' + b'{"a": ' * 100 + b"1" + b"}" * 101,
    "infinity": b'{"sender_id": "h", "text": "hi", "metadata": {"x": Infinity}}',
    "nan": b'{"query": "x", "top_k": NaN}',
    "huge_exponent": b'{"query": "x", "top_k": 1e999}',
}
ENDPOINTS = ["/api/chat", "/api/kb/search", "/api/kb/answer", "/api/eligibility"]


@pytest.fixture
async def all_json_client(aiohttp_client, shared_var):
    settings = Settings(rasa_url=f"http://127.0.0.1:{free_port()}", var_dir=shared_var, rasa_timeout_s=2,
                        staff_token="hostile-staff-token")
    app = create_app(settings, features=["bot.chat_routes", "bot.kb.routes", "bot.eligibility.routes",
                                         "bot.assist.routes"])
    return await aiohttp_client(app)


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("path", ENDPOINTS + ["/api/assist"])
async def test_hostile_json_is_400_with_the_error_body(all_json_client, path, name):
    headers = {"Content-Type": "application/json", "Authorization": "Bearer hostile-staff-token"}
    resp = await all_json_client.post(path, data=HOSTILE[name], headers=headers)
    body = await resp.json()
    assert resp.status in (400, 413), (resp.status, body)
    assert set(body) == {"error"} and body["error"]["code"] and _chinese(body["error"]["message"])


def test_parse_json_bounds_numbers_and_depth():
    with pytest.raises(ValueError):
        bot_http.parse_json(b"9" * 5000)
    with pytest.raises(ValueError):
        bot_http.parse_json(b"[" * 40 + b"]" * 40)
    assert bot_http.parse_json(b'{"a": [[1, 2.5]], "b": "[[[[ inside a string"}') == {
        "a": [[1, 2.5]], "b": "[[[[ inside a string"}
