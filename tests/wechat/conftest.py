"""Fixtures for the WeChat channel tests: the fake WeChat API (external service) on loopback."""
from __future__ import annotations

import pytest

from fake_wechat_api import FakeWeChatApi
from wechat_peer import APPID, SECRET


@pytest.fixture
def fake_api():
    api = FakeWeChatApi(APPID, SECRET).start()
    yield api
    api.stop()
