"""Normalise resident text before NLU and retrieval: traditional → simplified, full-width → half-width.

Residents write in traditional characters, with full-width digits and stray spaces; every layer
(Rasa NLU, KB retrieval, fact extraction) sees the same normalised text.
"""
from __future__ import annotations

import re
import unicodedata

import zhconv

_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")

# Chinese punctuation stays Chinese; only letters, digits and ASCII symbols are folded.
_KEEP_FULLWIDTH = set("，。！？；：（）【】「」『』、《》“”‘’")


def to_halfwidth(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _KEEP_FULLWIDTH:
            out.append(ch)
        elif code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    return zhconv.convert(text, "zh-cn")


def has_control_chars(text: str) -> bool:
    return bool(_CONTROL.search(text))


def normalize(text: str) -> str:
    """The one normalisation every layer applies (idempotent)."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = to_halfwidth(text)
    text = to_simplified(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    return text.strip()


def read_line(text: str) -> str:
    """A resident's line as every reader sees it: normalised, and Shanxi dialect words in standard form
    (夜来 → 昨天, 俺 → 我; bot/textparse/dialect.yml). Documents and KB text use plain normalize()."""
    from bot.textparse.dialect import to_standard

    return to_standard(normalize(text))
