"""Stores on SQLite (always) and PostgreSQL (when DATABASE_URL points at one), plus an app client."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from bot.app import create_app
from bot.service_points.store import ServicePointStore
from bot.settings import Settings

PG_URL = os.environ.get("DATABASE_URL", "")
HAS_PG = PG_URL.startswith("postgres")


def _backends():
    yield pytest.param("sqlite", id="sqlite")
    yield pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not HAS_PG, reason="DATABASE_URL does not point at PostgreSQL")])


@pytest.fixture(params=list(_backends()))
def store(request, tmp_path: Path):
    """A freshly seeded store; on PostgreSQL in throwaway tables so shared data is never touched."""
    if request.param == "sqlite":
        s = ServicePointStore(f"sqlite:///{tmp_path / 'sp.db'}")
    else:
        s = ServicePointStore(PG_URL, table=f"sp_test_{uuid.uuid4().hex[:10]}")
    s.ensure_seeded()
    yield s
    s.drop()


@pytest.fixture
def sqlite_store(tmp_path: Path):
    s = ServicePointStore(f"sqlite:///{tmp_path / 'sp.db'}")
    s.ensure_seeded()
    yield s
    s.drop()


@pytest.fixture(scope="session")
def shared_var(tmp_path_factory) -> Path:
    """One seeded SQLite file for the read-only route tests (get_store() caches it per URL)."""
    return tmp_path_factory.mktemp("sp_var")


@pytest.fixture
async def client(aiohttp_client, shared_var: Path):
    settings = Settings(var_dir=shared_var, database_url="")
    app = create_app(settings, features=["bot.service_points.routes"])
    return await aiohttp_client(app)
