"""Personal data: every form of ID, phone and bank number is masked; chat metadata is restricted; logs carry
lengths, not residents' words; invisible bidi characters never reach a log line."""
from __future__ import annotations

import json
import logging

import pytest

from bot import audit
from bot.chat import payload_intent, prepare_text
from bot.logging_setup import JsonFormatter
from bot.openapi_models import ChatMetadata
from bot.privacy import mask_text


@pytest.mark.parametrize("raw, secret", [
    ("身份证１４０１０５１９８５０３１２００１Ｘ", "19850312"),                     # full-width, not normalised first
    ("电话１３８１２３４５６７８", "12345678"),
    ("身份证 140105 19850312 001X", "19850312"),
    ("身份证140105-1985-0312-001X", "0312"),
    ("卡号 6222 0212 3456 7890 123", "0212 3456"),
    ("银行卡6217000010012345678", "00001001234"),
    ("座机(0351)7654321", "7654321"),
    ("座机（０３５１）７６５４３２１", "765432"),
    ("座机0351 7654321", "7654321"),
    ("手机+86 138 1234 5678", "1234 5678"),
    ("号码1381234\u202e5678", "1234"),                                           # a bidi control inside
])
def test_every_form_is_masked(raw, secret):
    masked = mask_text(raw)
    assert secret not in masked and secret.replace(" ", "") not in masked.replace(" ", ""), masked
    assert "*" in masked


@pytest.mark.parametrize("text", ["请拨打12345或12385", "2024年3月出生，交了24个月", "晋政发〔2021〕46号",
                                  "每人每月100元", "2024-03-12", "第1 2 3条"])
def test_ordinary_numbers_are_left_alone(text):
    assert mask_text(text) == text


def test_masking_is_idempotent():
    once = mask_text("身份证140105 19850312 001X，卡6222021234567890，电话(0351)7654321")
    assert mask_text(once) == once


def test_slash_text_that_is_not_a_button_payload_is_masked_and_not_an_intent():
    clean, intent = prepare_text("/13812345678 我要投诉")
    assert intent is None and not clean.startswith("/")
    assert "13812345678" not in clean and "138****5678" in clean
    clean, intent = prepare_text("/nlu_fallback{\"x\": 1}")         # not a domain intent
    assert intent is None and not clean.startswith("/")


def test_known_button_payloads_pass_as_payloads():
    assert payload_intent('/ask_eligibility{"program": "childcare_subsidy"}') == "ask_eligibility"
    clean, intent = prepare_text("/share_location")
    assert (clean, intent) == ("/share_location", "share_location")
    clean, intent = prepare_text('/inform{"phone": "13812345678"}') if payload_intent("/inform") else ("", None)
    assert "13812345678" not in clean


def test_chat_metadata_keeps_channel_and_a_rounded_checked_location_only():
    meta = ChatMetadata.model_validate({"channel": "web", "user_agent": "x", "id_card": "14010519850312001X",
                                        "location": {"lat": 37.870612345, "lng": 112.548912345, "datum": "wgs84",
                                                     "accuracy": 5}})
    assert meta.kept() == {"channel": "web", "location": {"lat": 37.871, "lng": 112.549, "datum": "wgs84"}}
    assert ChatMetadata.model_validate({"channel": "wechat"}).kept() == {"channel": "api"}


@pytest.mark.parametrize("location, field", [
    ({"lat": 91, "lng": 112}, "metadata.location.lat"), ({"lat": 37, "lng": 181}, "metadata.location.lng"),
    ({"lat": "north", "lng": 112}, "metadata.location.lat"), ({"lat": 37}, "metadata.location.lng"),
    ({"lat": 37, "lng": 112, "datum": "bd09"}, "metadata.location.datum"),
])
async def test_chat_refuses_an_out_of_range_location(aiohttp_client, tmp_path, location, field):
    from bot.app import create_app
    from bot.settings import Settings
    from tests.conftest import free_port

    app = create_app(Settings(rasa_url=f"http://127.0.0.1:{free_port()}", var_dir=tmp_path),
                     features=["bot.chat_routes"])
    client = await aiohttp_client(app)
    resp = await client.post("/api/chat", json={"sender_id": "loc", "text": "/share_location",
                                                "metadata": {"location": location}})
    body = await resp.json()
    assert resp.status == 400 and body["error"]["field"] == field, body


def _format(level: int, msg: str, **extra) -> dict:
    record = logging.LogRecord("bot.test", level, __file__, 1, msg, (), None)
    for k, v in extra.items():
        setattr(record, k, v)
    return json.loads(JsonFormatter().format(record))


def test_info_logs_carry_lengths_not_residents_words():
    entry = _format(logging.INFO, "chat turn", text="我家孩子残疾二级，低保户", intent="ask_eligibility")
    assert "text" not in entry and entry["text_chars"] == 12 and entry["intent"] == "ask_eligibility"
    warning = _format(logging.WARNING, "odd input", text="电话13812345678")
    assert warning["text"] == "电话138****5678"                    # kept at WARNING, masked


def test_bidi_controls_are_stripped_from_log_lines():
    entry = _format(logging.INFO, "user \u202eexe.txt\u202c said \u2066hi\u2069", detail="a\u200fb")
    assert entry["msg"] == "user exe.txt said hi" and entry["detail"] == "ab"


def test_audit_detail_with_fullwidth_digits_is_masked(tmp_path):
    url = f"sqlite:///{tmp_path / 'assist.db'}"
    audit.record(url, "wang01", "call-1", "line:caller", 200, "我的身份证是１４０１０５１９８５０３１２００１Ｘ")
    [row] = audit.read(url)
    assert "19850312" not in row["detail"] and "１９８５" not in row["detail"]


async def test_chat_core_logs_no_text_at_info(caplog):
    """The INFO line of a chat turn names the payload intent and the length, never the words."""
    from bot.chat import ChatCore
    from bot.errors import ApiError
    from tests.conftest import free_port

    core = ChatCore(f"http://127.0.0.1:{free_port()}", timeout_s=2)
    caplog.set_level(logging.INFO, logger="bot.chat")
    try:
        with pytest.raises(ApiError):
            await core.send("api:log", "我家孩子残疾二级，想问补贴")
    finally:
        await core.close()
    [turn] = [r for r in caplog.records if r.getMessage() == "chat turn"]
    assert not hasattr(turn, "text") and turn.chars == len("我家孩子残疾二级，想问补贴")
    assert "残疾" not in JsonFormatter().format(turn)
