"""The log lines themselves: ID-card and phone numbers are masked in the message, in extra fields and in
tracebacks, as written by the configured handler (bot.logging_setup)."""
from __future__ import annotations

import io
import json
import logging

from bot import logging_setup

ID = "14010519850312001X"
PHONE = "13912345678"


def _captured(emit) -> list[dict]:
    stream = io.StringIO()
    logging_setup.configure("INFO")
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)
    try:
        emit(logging.getLogger("bot.chat"))
    finally:
        handler.setStream(__import__("sys").stderr)
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_message_extra_fields_and_traceback_are_masked():
    def emit(log: logging.Logger) -> None:
        log.info("chat turn %s", f"身份证{ID}", extra={"sender": "api:x", "text": f"电话{PHONE}",
                                                        "nested": {"ids": [ID]}})
        try:
            raise ValueError(f"bad input {PHONE}")
        except ValueError:
            log.exception("failed for %s", ID)

    lines = _captured(emit)
    raw = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert len(lines) == 2
    assert ID not in raw and PHONE not in raw
    # At INFO a resident's text is logged as its length only (issue 13); the message itself is masked.
    assert "text" not in lines[0] and lines[0]["text_chars"] == len(f"电话{PHONE}")
    assert lines[0]["msg"].startswith("chat turn 身份证140105")
    assert ID not in lines[1]["exc"] and "139****5678" in lines[1]["exc"]
