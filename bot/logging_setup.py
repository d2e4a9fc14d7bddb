"""Structured (JSON-lines) logs with personal numbers masked and invisible characters removed.

Residents' words are personal data: below WARNING, a field that carries their text (`text`, `utterance`,
`question`, `query`) is logged as its length only; intents, codes and counts are logged as they are.
"""
from __future__ import annotations

import json
import logging
import sys
import time

from bot.privacy import mask_obj, mask_text

_RESERVED = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
RESIDENT_TEXT_FIELDS = {"text", "utterance", "question", "query", "content"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask_text(record.getMessage()),     # also drops zero-width and bidi controls
        }
        for key, value in vars(record).items():
            if key in _RESERVED or key.startswith("_"):
                continue
            if key in RESIDENT_TEXT_FIELDS and record.levelno < logging.WARNING:
                entry[f"{key}_chars"] = len(value) if isinstance(value, str) else None
                continue
            entry[key] = mask_obj(value)
        if record.exc_info:
            entry["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp.access", "sentence_transformers", "jieba", "faiss", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
