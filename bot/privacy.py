"""Mask ID-card and phone numbers before anything is logged or stored."""
from __future__ import annotations

import re
from typing import Any

# 18-digit resident ID (last may be X), 15-digit legacy ID, mainland mobile, landline with area code.
_ID18 = re.compile(r"(?<!\d)([1-9]\d{5})(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}([\dXx])(?!\d)")
_ID15 = re.compile(r"(?<!\d)([1-9]\d{5})\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)")

_HOTLINES = {"12345", "12333", "12385", "12320"}


def mask_text(text: str) -> str:
    if not text:
        return text
    text = _ID18.sub(lambda m: f"{m.group(1)}********{'*' * 3}{m.group(2)}", text)
    text = _ID15.sub(lambda m: f"{m.group(1)}*********", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
    return text


def mask_obj(obj: Any) -> Any:
    """Mask every string inside a JSON-like structure."""
    if isinstance(obj, str):
        return mask_text(obj)
    if isinstance(obj, dict):
        return {k: mask_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [mask_obj(v) for v in obj]
    return obj
