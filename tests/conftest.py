"""Shared fixtures. `live_stack` starts the real Rasa server and assistant service once per session."""
from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import pytest

from bot.launcher import Stack, latest_model, start_stack
from bot.settings import ROOT, Settings

STACK_START_TIMEOUT_S = float(os.environ.get("STACK_START_TIMEOUT_S", "240"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveStack:
    base_url: str
    rasa_url: str
    env: dict[str, str]
    log_dir: Path
    stack: Stack = field(repr=False)

    @property
    def rasa_token(self) -> str:
        """Rasa's per-start --auth-token (its HTTP API and REST channel refuse calls without it)."""
        return self.stack.rasa_token

    def rasa_get(self, path: str, timeout: float = 10) -> dict:
        """GET Rasa's HTTP API with the token (e.g. /conversations/<id>/tracker)."""
        sep = "&" if "?" in path else "?"
        with urllib.request.urlopen(f"{self.rasa_url}{path}{sep}token={self.rasa_token}", timeout=timeout) as resp:
            return json.loads(resp.read())

    def chat(self, text: str, sender_id: str, metadata: Optional[dict] = None) -> list[dict]:
        body = json.dumps({"sender_id": sender_id, "text": text, "metadata": metadata or {}}).encode()
        req = urllib.request.Request(f"{self.base_url}/api/chat", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())["messages"]

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.log_dir.glob("*.out")))


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=3) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def launch(tmp_dir: Path, extra_env: Optional[dict[str, str]] = None,
           rasa_action_port: Optional[int] = None) -> LiveStack:
    """The real stack on free loopback ports. `rasa_action_port` points Rasa at another action port than the one
    the service's webhook listens on (a closed port: the webhook is unreachable for Rasa)."""
    try:
        latest_model()
    except SystemExit as exc:
        pytest.fail(f"{exc} (run `make build` before the stack tests)")
    port, action_port, rasa_port = free_port(), free_port(), free_port()
    # The end-to-end suites send hundreds of turns (and deliberate bad tokens) from 127.0.0.1 within minutes:
    # rate limits and the login throttle off here (tests/security checks them on their own apps).
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), ACTION_PORT=str(action_port),
               RASA_URL=f"http://127.0.0.1:{rasa_port}", RATE_LIMIT_IP_PER_MIN="0", RATE_LIMIT_SENDER_PER_MIN="0",
               LOGIN_FAILURES_PER_MIN="100000",
               **(extra_env or {}))
    # The built artefacts (KB, models, office data) live in var/; only the tracker store is per test session.
    settings = Settings(host="127.0.0.1", port=port, action_port=rasa_action_port or action_port, var_dir=tmp_dir,
                        database_url=env.get("DATABASE_URL", ""))
    tmp_dir.mkdir(parents=True, exist_ok=True)
    stack = start_stack(settings, env, rasa_port=rasa_port, log_dir=tmp_dir)
    live = LiveStack(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{rasa_port}",
                     dict(env, RASA_TOKEN=stack.rasa_token), tmp_dir, stack)
    deadline = time.time() + STACK_START_TIMEOUT_S
    while time.time() < deadline:
        if stack.dead():
            logs = live.logs()
            stack.stop()
            pytest.fail(f"stack process exited: {stack.dead()}\n{logs}")
        if _healthy(live.base_url):
            return live
        time.sleep(1)
    logs = live.logs()
    stack.stop()
    pytest.fail(f"stack not healthy within {STACK_START_TIMEOUT_S:.0f}s\n{logs}")


_stacks: dict[tuple, LiveStack] = {}


@pytest.fixture(scope="session")
def live_stack_factory(tmp_path_factory) -> Iterator:
    """live_stack_factory(extra_env) → a running LiveStack, one per distinct extra_env, stopped at session end."""

    def make(extra_env: Optional[dict[str, str]] = None) -> LiveStack:
        key = tuple(sorted((extra_env or {}).items()))
        if key not in _stacks:
            _stacks[key] = launch(tmp_path_factory.mktemp("stack"), extra_env)
        return _stacks[key]

    yield make
    for live in _stacks.values():
        live.stack.stop()
    _stacks.clear()


@pytest.fixture(scope="session")
def live_stack(live_stack_factory) -> LiveStack:
    return live_stack_factory(None)


# Headless Debian Chromium for the browser tests (web page, admin console); scripts/install_browser.sh installs it.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
async def browser():
    if not CHROMIUM.exists():
        pytest.fail("没有找到 /usr/bin/chromium：请先运行 scripts/install_browser.sh")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()
