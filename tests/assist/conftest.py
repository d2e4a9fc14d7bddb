"""Agent assist runs against the real stack: Rasa (for /model/parse) and the assistant service with a
STAFF_TOKEN. Until bot.assist.routes is in bot/app.py FEATURES, a second service process is started next
to the live stack with the feature added (same Rasa, same var dir); after that the stack itself serves it.

While developing, ASSIST_TEST_BASE_URL (+ ASSIST_TEST_VAR_DIR for the audit CLI) points the tests at a
service already running with the STAFF_TOKEN below.
"""
from __future__ import annotations

import os
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import bot.app
from assist_helpers import ASSIST_ENV, AssistStack
from bot.launcher import APP_PYTHON, Stack

STACK_START_TIMEOUT_S = float(os.environ.get("STACK_START_TIMEOUT_S", "240"))

_SERVE = "import bot.app as a; a.FEATURES.append('bot.assist.routes'); from bot.__main__ import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, stack: Stack, log: Path) -> None:
    deadline = time.time() + STACK_START_TIMEOUT_S
    while time.time() < deadline:
        if stack.dead():
            pytest.fail(f"assist service exited:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=3):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail("assist service not up in time")


@pytest.fixture(scope="session")
def assist_stack(request):
    if os.environ.get("ASSIST_TEST_BASE_URL"):
        env = dict(os.environ, **ASSIST_ENV)
        env["VAR_DIR"] = os.environ.get("ASSIST_TEST_VAR_DIR", env.get("VAR_DIR", ""))
        yield AssistStack(os.environ["ASSIST_TEST_BASE_URL"].rstrip("/"), env)
        return
    live = request.getfixturevalue("live_stack_factory")(ASSIST_ENV)
    if "bot.assist.routes" in bot.app.FEATURES:
        yield AssistStack(live.base_url, live.env)
        return
    port, action_port = free_port(), free_port()
    env = dict(live.env, PORT=str(port), ACTION_PORT=str(action_port))
    stack = Stack()
    log = Path(env["VAR_DIR"]) / "assist-service.out"
    stack.start("assist-service", [str(APP_PYTHON), "-c", _SERVE], env, log)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", stack, log)
        yield AssistStack(f"http://127.0.0.1:{port}", env)
    finally:
        stack.stop()
