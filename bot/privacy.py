"""Mask ID-card, phone and bank-card numbers before anything is logged or stored.

The masker does not trust its caller to have normalised the text: it folds full-width digits and
separators itself and drops invisible format characters (zero-width, bidi controls) that could split a
number, so `１４０１０５…`, `140105 19850312 001X`, `6222-0212-3456-7890` and `(0351)7654321` are all caught.
"""
from __future__ import annotations

import re
from typing import Any

# Zero-width and bidirectional formatting characters: invisible, and able to reorder what a log shows.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_FOLD = {0x3000: " ", 0xFF08: "(", 0xFF09: ")", 0xFF0D: "-", 0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-",
         0x2014: "-", 0x2212: "-", 0xFF38: "X", 0xFF58: "x", 0xFF0B: "+"}
_FOLD.update({0xFF10 + i: str(i) for i in range(10)})

# A landline written with its area code in brackets: (0351)7654321, （0351） 7654321.
_BRACKET_LANDLINE = re.compile(r"(?<!\d)\((0\d{2,3})\)[ -]?(\d{7,8})(?!\d)")
# A run of digits, possibly grouped by single spaces or dashes, an optional +86 and a final X (ID check digit).
_RUN = re.compile(r"(?<![\dA-Za-z*])(\+?86[ -]?)?\d+(?:[ -]\d+)*[Xx]?(?![\dA-Za-z*])")
_ID18 = re.compile(r"^[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]$")
_ID15 = re.compile(r"^[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0[12]\d|0[3-9]\d{2})(\d{7,8})$")   # 010 and 02x have 3 digits, the rest 4
_LONG_NUMBER = 12           # 12+ digits: bank cards, account and other personal numbers, never a policy figure


def strip_invisible(text: str) -> str:
    """Remove zero-width and bidi control characters (before logging, and before masking)."""
    return _INVISIBLE.sub("", text)


def _fold(text: str) -> str:
    return strip_invisible(text).translate(_FOLD)


def _mask_number(digits: str) -> str | None:
    """The masked form of one compact number, or None when it is not personal."""
    if _ID18.match(digits):
        return digits[:6] + "*" * 11 + digits[-1]
    if _ID15.match(digits):
        return digits[:6] + "*" * 9
    if _MOBILE.match(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    if digits.startswith("86") and _MOBILE.match(digits[2:]):
        return f"{digits[2:5]}****{digits[-4:]}"
    m = _LANDLINE.match(digits)
    if m:
        return f"{m.group(1)}-****{m.group(2)[-2:]}"
    if len(digits) >= _LONG_NUMBER:
        return "*" * (len(digits) - 4) + digits[-4:]
    return None


def _mask_run(m: re.Match[str]) -> str:
    run = m.group(0)
    prefix = m.group(1) or ""
    body = run[len(prefix):]
    groups = re.split(r"[ -]", body)
    # Grouped digits are one number only when every group is a real group (3+ digits): "1 2 3" stays a list.
    if len(groups) > 1 and any(len(g.rstrip("Xx")) < 3 for g in groups[1:-1] + [groups[0]]):
        parts = re.split(r"([ -])", body)
        return prefix + "".join(p if p in (" ", "-") else (_mask_number(p) or p) for p in parts)
    compact = ("86" if prefix else "") + "".join(groups)
    masked = _mask_number(compact)
    return run if masked is None else masked


def mask_text(text: str) -> str:
    if not text:
        return text
    text = _fold(text)
    text = _BRACKET_LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
    return _RUN.sub(_mask_run, text)


def mask_obj(obj: Any) -> Any:
    """Mask every string inside a JSON-like structure."""
    if isinstance(obj, str):
        return mask_text(obj)
    if isinstance(obj, dict):
        return {k: mask_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [mask_obj(v) for v in obj]
    return obj
