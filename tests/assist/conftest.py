"""Agent assist runs against the real stack: Rasa (for /model/parse) and the assistant service started
with the STAFF_TOKEN in assist_helpers (live_stack_factory from tests/conftest.py).

While developing, ASSIST_TEST_BASE_URL (+ ASSIST_TEST_VAR_DIR for the audit CLI) points the tests at a
service already running with that STAFF_TOKEN.
"""
from __future__ import annotations

import os

import pytest

from assist_helpers import ASSIST_ENV, AssistStack


@pytest.fixture(scope="session")
def assist_stack(request):
    if os.environ.get("ASSIST_TEST_BASE_URL"):
        env = dict(os.environ, **ASSIST_ENV)
        env["VAR_DIR"] = os.environ.get("ASSIST_TEST_VAR_DIR", env.get("VAR_DIR", ""))
        return AssistStack(os.environ["ASSIST_TEST_BASE_URL"].rstrip("/"), env)
    live = request.getfixturevalue("live_stack_factory")(ASSIST_ENV)
    return AssistStack(live.base_url, live.env)
