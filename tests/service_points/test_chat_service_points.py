"""Finding offices in chat, end to end (real Rasa + actions)."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.stack


def sender() -> str:
    return f"sp-{uuid.uuid4().hex[:10]}"


def points(messages: list[dict]) -> list[dict]:
    return [p for m in messages for p in m.get("service_points", [])]


def test_xiaodian_disability_federation(live_stack):
    found = points(live_stack.chat("太原市小店区的残联在哪里", sender()))
    assert found and found[0]["name"] == "太原市小店区残疾人联合会"


def test_yingze_hrss_phone(live_stack):
    messages = live_stack.chat("迎泽区人社局电话", sender())
    found = points(messages)
    assert found and found[0]["county"] == "迎泽区" and found[0]["type"] == "hrss"
    assert "12333" in "\n".join(m["text"] for m in messages)


def test_two_subsidies_in_yaodu_gives_town_centers(live_stack):
    messages = live_stack.chat("我在尧都区，哪里能办两项补贴", sender())
    found = points(messages)
    assert found and {p["county"] for p in found} == {"尧都区"}
    assert found[0]["type"] == "town_service_center"


def test_ambiguous_chengqu_asks_which_city_then_answers(live_stack):
    sid = sender()
    question = "\n".join(m["text"] for m in live_stack.chat("城区民政局在哪", sid))
    assert "阳泉市" in question and "晋城市" in question
    found = points(live_stack.chat("阳泉市", sid))
    assert found and found[0]["city"] == "阳泉市" and found[0]["county"] == "城区" and found[0]["type"] == "civil_affairs"


def test_shared_location_in_taiyuan_gives_nearest_offices(live_stack):
    found = points(live_stack.chat("/share_location", sender(),
                                   {"location": {"lat": 37.8706, "lng": 112.5489, "datum": "gcj02"}}))
    assert found and all(p["city"] == "太原市" for p in found)
    assert all(p.get("distance_km") is not None for p in found)
