"""What reaches Rasa's tracker store, end to end: masked numbers in every form, no "/" text read as an intent,
and metadata cut down to `channel` and a rounded, checked `location`."""
from __future__ import annotations

import json
import uuid

import pytest

pytestmark = pytest.mark.stack


def _user_events(live_stack, sender: str) -> list[dict]:
    tracker = live_stack.rasa_get(f"/conversations/{sender}/tracker")
    return [e for e in tracker["events"] if e.get("event") == "user"]


def test_numbers_in_any_form_never_reach_the_tracker(live_stack):
    sid = f"pii-{uuid.uuid4().hex[:8]}"
    live_stack.chat("身份证１４０１０５ １９８５０３１２ ００１Ｘ，卡号6222 0212 3456 7890，座机(0351)7654321", sid)
    live_stack.chat("/13812345678 我要问补贴", sid)
    stored = json.dumps(_user_events(live_stack, f"api:{sid}"), ensure_ascii=False)
    for secret in ("19850312", "１９８５", "0212 3456", "02123456", "7654321", "12345678"):
        assert secret not in stored, secret
    texts = [e["text"] for e in _user_events(live_stack, f"api:{sid}")]
    assert not texts[-1].startswith("/") and "138****5678" in texts[-1]
    assert all((e.get("parse_data") or {}).get("intent", {}).get("name") != "13812345678"
               for e in _user_events(live_stack, f"api:{sid}"))


def test_metadata_is_restricted_and_location_rounded(live_stack):
    sid = f"meta-{uuid.uuid4().hex[:8]}"
    live_stack.chat("/share_location", sid, {"channel": "web", "id_card": "14010519850312001X", "ua": "Mozilla",
                                              "location": {"lat": 37.870612345, "lng": 112.548912345,
                                                           "datum": "wgs84", "accuracy": 3}})
    [event] = _user_events(live_stack, f"web:{sid}")
    ours = {k: v for k, v in event["metadata"].items() if k not in ("model_id", "assistant_id")}   # Rasa's own
    assert ours == {"channel": "web", "location": {"lat": 37.871, "lng": 112.549, "datum": "wgs84"}}
