"""Rasa's own tracker and lock stores as the launcher configures them: SQLite in every run, PostgreSQL and the
Redis lock store when DATABASE_URL / REDIS_URL point at them (CI's second run, after scripts/services.sh)."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from bot.db import is_postgres
from bot.launcher import write_endpoints
from bot.settings import ROOT, Settings

RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
MAX_EVENTS = 40  # small, so the probe's 80 turns cross the bound several times


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    if not RASA_PY.exists():
        pytest.fail("Rasa venv missing: run `make venvs`")
    tmp = tmp_path_factory.mktemp("rasa_stores")
    url = os.environ.get("DATABASE_URL", "")
    settings = Settings(var_dir=tmp, database_url=url if is_postgres(url) else "", tracker_max_events=MAX_EVENTS)
    endpoints = write_endpoints(settings, os.environ.get("REDIS_URL", ""))
    proc = subprocess.run([str(RASA_PY), str(ROOT / "tests" / "scale" / "rasa_store_probe.py"), str(endpoints),
                           str(ROOT / "domain.yml")], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT)))
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE ")), None)
    assert proc.returncode == 0 and line, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(line[len("PROBE "):])


def test_the_bounded_sql_store_is_the_one_rasa_loads(probe):
    # Rasa silently falls back to an in-memory store when a custom class cannot be imported.
    assert probe["tracker_store"] == "BoundedSQLTrackerStore"
    expected = "postgresql" if is_postgres(os.environ.get("DATABASE_URL", "")) else "sqlite"
    assert probe["dialect"] == expected


def test_a_tracker_round_trips(probe):
    assert probe["round_trip_slot"] == "太原市"
    assert probe["round_trip_active_loop"] == "childcare_subsidy_form"
    assert probe["round_trip_events"][0] == probe["round_trip_events"][1]


def test_a_long_conversation_stays_bounded_and_keeps_its_state(probe):
    assert probe["max_events"] == MAX_EVENTS
    # Bounded: never much more than the bound (one turn's events on top), although 80 turns were stored.
    assert probe["session_lengths_max"] <= MAX_EVENTS + 10
    assert probe["last_slot"] == "太原市"
    assert probe["last_active_loop"] == "childcare_subsidy_form"
    assert probe["last_requested_slot"] == "child_birth_date"
    assert probe["last_user_texts"] == ["第77句", "第78句", "第79句"]
    texts = probe["last_session_user_texts"]
    assert len(texts) == len(set(texts)), "a turn was carried twice"
    numbers = [int(t[1:-1]) for t in texts]
    assert numbers == list(range(numbers[0], 80)), "turns missing or out of order in the live session"


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_the_redis_lock_keeps_one_senders_turns_in_order_across_workers(probe):
    assert probe["lock_store"] == "RedisLockStore"
    assert probe["order"] == ["a:start", "a:end", "b:start", "b:end"]
