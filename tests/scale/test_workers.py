"""Several Rasa workers: how many the launcher starts, the endpoints they share, and how the service picks
a worker per sender (stable, spread, failover only for the missing worker's senders)."""
from __future__ import annotations

import socket
from collections import Counter

import pytest
import yaml

from bot.chat import ChatCore
from bot.errors import ApiError
from bot.launcher import BOUNDED_TRACKER_STORE, rasa_ports, tracker_store_yaml, worker_count
from bot.settings import Settings

PG = "postgresql://bot:pw@127.0.0.1:55432/assistant"
REDIS = "redis://:pw@127.0.0.1:56379/0"
URLS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007"]


def test_one_worker_on_sqlite_and_the_core_count_on_postgres_with_redis(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    for name in ("DATABASE_URL", "REDIS_URL", "RASA_WORKERS"):   # Settings also reads the environment
        monkeypatch.delenv(name, raising=False)
    assert worker_count(Settings()) == 1
    assert worker_count(Settings(database_url=PG)) == 1            # no shared lock store: one worker
    assert worker_count(Settings(database_url=PG, redis_url=REDIS)) == 4
    assert worker_count(Settings(database_url=PG, redis_url=REDIS, rasa_workers=3)) == 3
    assert worker_count(Settings(rasa_workers=1)) == 1
    with pytest.raises(SystemExit, match="PostgreSQL"):
        worker_count(Settings(rasa_workers=2))                       # SQLite tracker store: refused
    assert rasa_ports(5005, 3) == [5005, 5006, 5007]


def test_the_launcher_configures_the_bounded_tracker_store(tmp_path):
    cfg = yaml.safe_load(tracker_store_yaml(PG, tmp_path, max_events=120))["tracker_store"]
    assert cfg["type"] == BOUNDED_TRACKER_STORE and cfg["max_events"] == 120
    assert cfg["dialect"] == "postgresql" and cfg["url"] == "127.0.0.1" and cfg["port"] == 55432
    assert yaml.safe_load(tracker_store_yaml("", tmp_path, max_events=0))["tracker_store"]["type"] == "SQL"


def test_each_sender_has_one_stable_worker_and_the_senders_spread():
    core, again = ChatCore(URLS), ChatCore(list(reversed(URLS)))
    senders = [f"web:{i}" for i in range(600)]
    first = {s: core.workers_for(s)[0] for s in senders}
    assert first == {s: again.workers_for(s)[0] for s in senders}   # order of configuration does not matter
    counts = Counter(first.values())
    assert set(counts) == set(URLS) and min(counts.values()) > 120     # roughly a third each


def test_losing_a_worker_moves_only_its_senders():
    full, reduced = ChatCore(URLS), ChatCore(URLS[:2])
    for s in (f"wx:{i}" for i in range(300)):
        before = full.workers_for(s)[0]
        if before != URLS[2]:
            assert reduced.workers_for(s)[0] == before


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_worker_that_refuses_connections_is_skipped_and_marked_down():
    dead = [f"http://127.0.0.1:{_closed_port()}", f"http://127.0.0.1:{_closed_port()}"]
    core = ChatCore(dead, timeout_s=2)
    try:
        with pytest.raises(ApiError) as err:
            await core.send("web:x", "你好")
        assert err.value.status == 503
        # Both were tried and both are now marked down (each is skipped until down_for_s has passed).
        assert all(u in core._down_until for u in core.rasa_urls)
    finally:
        await core.close()


@pytest.mark.stack
def test_a_turn_reaches_rasa_when_the_senders_first_worker_is_down(live_stack):
    import asyncio

    dead = f"http://127.0.0.1:{_closed_port()}"

    async def run() -> list:
        core = ChatCore([dead, live_stack.rasa_url], timeout_s=30, token=live_stack.rasa_token)
        try:
            sender = next(s for s in (f"api:failover-{i}" for i in range(100)) if core.workers_for(s)[0] == dead)
            return await core.send(sender, "你好")
        finally:
            await core.close()

    messages = asyncio.run(run())
    assert messages and messages[0]["text"]
