"""Call state and audit rows on a real SQLite file (PostgreSQL when DATABASE_URL says so); token parsing;
the API refusing to open when STAFF_TOKEN is unset. No Rasa needed here."""
from __future__ import annotations

import os
import time
import uuid

import pytest

from bot import audit
from bot.app import create_app
from bot.assist.auth import parse_tokens, staff_for
from bot.assist.store import CallStore, calls
from bot.settings import Settings


@pytest.fixture
def db_url(tmp_path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else f"sqlite:///{tmp_path / 'assist.db'}"


def test_state_survives_a_new_store_instance(db_url):
    state = {"call_id": "restart-1", "staff_id": "wang01", "transcript": [{"role": "caller", "text": "你好"}],
             "facts": {"household_dibao": True}}
    CallStore(db_url).save(state)
    again = CallStore(db_url).get("restart-1")  # as after a restart: new engine use, same database
    assert again["facts"] == {"household_dibao": True} and again["transcript"] == state["transcript"]
    assert again["staff_id"] == "wang01" and again["created_at"] <= again["updated_at"]
    CallStore(db_url).delete("restart-1")


def test_idle_calls_expire_and_are_purged(db_url):
    store = CallStore(db_url, idle_minutes=1)
    store.save({"call_id": "idle-1", "staff_id": "s", "transcript": []})
    store.save({"call_id": "fresh-1", "staff_id": "s", "transcript": []})
    with store.engine.begin() as conn:
        conn.execute(calls.update().where(calls.c.call_id == "idle-1").values(updated_at=time.time() - 120))
    assert store.get("idle-1") is None
    assert store.get("fresh-1") is not None
    with store.engine.connect() as conn:
        assert conn.execute(calls.select().where(calls.c.call_id == "idle-1")).first() is None
    store.delete("fresh-1")


def test_audit_rows_are_masked_and_filtered(db_url):
    # Unique call ids: on PostgreSQL the database outlives the test run.
    call_a, call_b = f"call-a-{uuid.uuid4().hex[:8]}", f"call-b-{uuid.uuid4().hex[:8]}"
    audit.record(db_url, "wang01", call_a, "line:caller", 200, "身份证140105198805061234，手机13912345678")
    audit.record(db_url, "li02", call_b, "view", 200)
    rows = audit.read(db_url, call_id=call_a)
    assert [r["staff_id"] for r in rows] == ["wang01"]
    assert "140105198805061234" not in rows[0]["detail"] and "13912345678" not in rows[0]["detail"]
    assert audit.read(db_url, staff_id="li02")[-1]["call_id"] == call_b
    assert audit.read(db_url, call_id=call_a, since=time.time() + 60) == []



def test_a_call_id_that_looks_like_a_phone_is_stored_masked_and_still_found(db_url):
    # Hotline systems may use the caller's number as the call id; a random id can also be all digits.
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    audit.record(db_url, "wang01", phone, "view", 200)
    rows = audit.read(db_url, call_id=phone)
    assert [r["staff_id"] for r in rows] == ["wang01"]
    assert rows[0]["call_id"] != phone and rows[0]["call_id"].endswith(phone[-4:])

def test_parse_since():
    now = 1_800_000_000.0
    assert audit.parse_since("2h", now) == now - 7200
    assert audit.parse_since("30m", now) == now - 1800
    assert audit.parse_since("2026-11-28T00:00+00:00") == 1795824000.0
    assert audit.parse_since("2026-11-28") == 1795824000.0 - 8 * 3600  # Asia/Shanghai by default
    with pytest.raises(Exception):
        audit.parse_since("yesterday")


def test_staff_token_forms():
    tokens = parse_tokens(" wang01:tok-a , li02:tok-b,,bare-token ")
    assert tokens == {"tok-a": "wang01", "tok-b": "li02", "bare-token": "staff"}
    assert staff_for(tokens, "tok-b") == "li02"
    assert staff_for(tokens, "tok") is None and staff_for(tokens, None) is None
    assert parse_tokens("") == {} and parse_tokens(" , ") == {}
    assert parse_tokens("a b:c") == {"a b:c": "staff"}  # not a staff id before ':' → a bare token


async def test_unconfigured_assist_answers_503_never_open(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(Settings(var_dir=tmp_path, staff_token=""),
                                             features=["bot.assist.routes"]))
    for method, path in [("POST", "/api/assist"), ("GET", "/api/assist/x"), ("DELETE", "/api/assist/x")]:
        resp = await client.request(method, path, json={"call_id": "x", "utterance": "你好"},
                                    headers={"Authorization": "Bearer anything"})
        assert resp.status == 503
        body = await resp.json()
        assert body["error"]["code"] == "assist_not_configured" and "坐席辅助未配置" in body["error"]["message"]
    page = await client.get("/assist")
    assert page.status == 200 and "坐席令牌" in await page.text()
