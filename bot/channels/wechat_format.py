"""Turn the conversation core's Messages into WeChat plain text (pure functions).

WeChat shows plain text only: citations become one compact 出处 line, service points a short
numbered list, buttons numbered options the resident answers with a digit. A text message must stay
under WeChat's 2048-byte limit (passive reply and customer-service text alike), so long answers are
split on paragraph/line boundaries into several messages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from bot.text_normalize import normalize

MAX_TEXT_BYTES = 2000          # below WeChat's 2048-byte text limit, with margin
MAX_CITATIONS = 3
MAX_SECTION_CHARS = 40
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MD_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_HAS_SOURCE_LINE = re.compile(r"^\s*(?:出处|依据)[：:]", re.MULTILINE)   # KB answers say 出处, program answers 依据
_DIGITS = re.compile(r"^\s*(\d{1,2})\s*[.。、)）]?\s*$")


@dataclass
class Formatted:
    text: str
    options: list[dict[str, str]] = field(default_factory=list)   # [{"title", "payload"}], numbered from 1


def plain(text: str) -> str:
    """Strip the little Markdown a bot reply may carry; WeChat would show the asterisks."""
    text = _MD_LINK.sub(lambda m: f"{m.group(1)}（{m.group(2)}）", text or "")
    text = _MD_BOLD.sub(lambda m: m.group(2), text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def citation_line(citations: Iterable[dict[str, Any]]) -> str:
    """One compact line: 出处：《文件》章节；… (the last level of the section path is enough to find it)."""
    labels: list[str] = []
    for c in citations or []:
        if not isinstance(c, dict):
            continue
        doc = str(c.get("doc_id") or c.get("source") or "").strip()
        section = str(c.get("section") or "").strip()
        section = section.split(">")[-1].strip() if section else ""
        doc_label = f"《{_short(doc, 30)}》" if doc and _CJK.search(doc) else ""
        label = doc_label + _short(section, MAX_SECTION_CHARS) if section else (doc_label or _short(doc, 30))
        if label and label not in labels:
            labels.append(label)
    if not labels:
        return ""
    return "出处：" + "；".join(labels[:MAX_CITATIONS])


def _distance(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"（约{value:.1f}公里）" if value >= 0.1 else "（不足0.1公里）"
    return ""


def service_points_block(points: Iterable[dict[str, Any]]) -> str:
    lines: list[str] = []
    for i, p in enumerate([p for p in points or [] if isinstance(p, dict)], 1):
        name = str(p.get("name") or "").strip()
        if not name:
            continue
        lines.append(f"{i}. {name}{_distance(p.get('distance_km'))}")
        for label, key in (("地址", "address"), ("电话", "phone"), ("时间", "hours")):
            value = p.get(key)
            if value not in (None, ""):
                lines.append(f"   {label}：{_short(value, 80)}")
    return "\n".join(lines)


def format_messages(messages: list[dict[str, Any]]) -> Formatted:
    """All Messages of one turn as one text (split later) plus the numbered options."""
    parts: list[str] = []
    options: list[dict[str, str]] = []
    for m in messages or []:
        if not isinstance(m, dict):
            continue
        text = plain(str(m.get("text") or ""))
        # The dialogue often lists the points in its text already: add only those it does not name.
        points = [p for p in m.get("service_points") or []
                  if isinstance(p, dict) and str(p.get("name") or "").strip() not in text]
        block = [text, service_points_block(points)]
        if not _HAS_SOURCE_LINE.search(text):  # text-only answers may carry their 出处 line already
            block.append(citation_line(m.get("citations") or []))
        text = "\n".join(b for b in block if b)
        if text:
            parts.append(text)
        for b in m.get("buttons") or []:
            if isinstance(b, dict) and str(b.get("title") or "").strip() and str(b.get("payload") or "").strip():
                options.append({"title": str(b["title"]).strip(), "payload": str(b["payload"]).strip()})
    if options:
        parts.append("回复数字选择：\n" + "\n".join(f"{i}. {o['title']}" for i, o in enumerate(options, 1)))
    return Formatted(text="\n\n".join(parts), options=options)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_split(text: str, max_bytes: int) -> list[str]:
    out, cur, size = [], [], 0
    for ch in text:
        n = _utf8_len(ch)
        if size + n > max_bytes and cur:
            out.append("".join(cur))
            cur, size = [], 0
        cur.append(ch)
        size += n
    if cur:
        out.append("".join(cur))
    return out


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """Pieces of at most max_bytes UTF-8 bytes, cut at paragraph, then line, then character."""
    text = text.strip()
    if not text:
        return []
    if _utf8_len(text) <= max_bytes:
        return [text]
    for sep in ("\n\n", "\n"):
        units = text.split(sep)
        if len(units) > 1:
            break
    else:
        return _hard_split(text, max_bytes)
    chunks: list[str] = []
    cur = ""
    for unit in units:
        candidate = f"{cur}{sep}{unit}" if cur else unit
        if _utf8_len(candidate) <= max_bytes:
            cur = candidate
            continue
        if cur:
            chunks.append(cur)
        if _utf8_len(unit) <= max_bytes:
            cur = unit
        else:
            pieces = split_text(unit, max_bytes)
            chunks.extend(pieces[:-1])
            cur = pieces[-1] if pieces else ""
    if cur:
        chunks.append(cur)
    return [c.strip() for c in chunks if c.strip()]


def pick_option(text: str, options: list[dict[str, str]]) -> str | None:
    """A bare digit ("2", "２", "2.") that numbers one of the last options → that button's payload."""
    if not options:
        return None
    m = _DIGITS.match(normalize(text or "") if text else "")
    if not m:
        return None
    n = int(m.group(1))
    return options[n - 1]["payload"] if 1 <= n <= len(options) else None
