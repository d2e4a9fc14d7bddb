"""Impact reports: how a candidate (KB version and/or curated set) changes answers, question by question.

The questions are the KB's golden set, the recent unanswered questions and the curated questions; each
is answered by the serving state and by the candidate, and the report lists the ones whose answer or
citations changed (before → after), so an editor sees the effect before a publisher publishes.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.admin.curated import CuratedAnswers
from bot.kb.service import KnowledgeBase, Loaded
from bot.settings import ROOT

GOLDEN = ROOT / "tests" / "kb" / "golden.yml"
MAX_QUESTIONS = 200


class PinnedKB(KnowledgeBase):
    """A KnowledgeBase that serves one given version and curated set, whatever CURRENT says."""

    def __init__(self, base: KnowledgeBase, version: str, curated_items: list[dict[str, Any]]) -> None:
        super().__init__(base.root, base.embedding_model, embedder=base.embedder)
        self._embedder_failed = base.embedder is None
        self._state = self._load(version)
        self._qcache = base._qcache  # same embedder: share the query vectors (impact reports ask the same questions)
        self.curated = CuratedAnswers(base.root, items=curated_items)

    def _maybe_reload(self) -> Optional[Loaded]:
        return self._state


class Pinned:
    """A few recently used pinned KBs (loading a version reads its FAISS and BM25 files)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._cache: OrderedDict[str, PinnedKB] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, base: KnowledgeBase, version: str, items: list[dict[str, Any]]) -> PinnedKB:
        key = version + ":" + hashlib.sha1(json.dumps(items, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
        with self._lock:
            kb = self._cache.get(key)
            if kb is not None:
                self._cache.move_to_end(key)
                return kb
        kb = PinnedKB(base, version, items)
        with self._lock:
            self._cache[key] = kb
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return kb


def golden_questions(path: Path = GOLDEN) -> list[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    out = [q["q"] for q in data.get("questions", []) if isinstance(q, dict) and q.get("q")]
    out += [q if isinstance(q, str) else q.get("q", "") for q in data.get("unanswerable", []) or []]
    return [q for q in out if q]


def _brief(result: dict[str, Any]) -> dict[str, Any]:
    cites = [{"doc_id": c.get("doc_id", ""), "section": c.get("section", ""), "quote": (c.get("quote") or "")[:160]}
             for c in result.get("citations") or []]
    return {"answer": result.get("answer"), "citations": cites, "kind": result.get("kind"),
            "source_label": result.get("source_label"), "confidence": result.get("confidence", 0.0)}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["answer"] == b["answer"] and [c["doc_id"] + c["section"] for c in a["citations"]] == \
        [c["doc_id"] + c["section"] for c in b["citations"]]


_before_cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_before_lock = threading.Lock()


def _serving_answer(kb: KnowledgeBase, question: str) -> dict[str, Any]:
    """The serving state's answer, remembered per (KB version, curated set): every report asks the golden set."""
    key = (kb.version, kb.curated.store.pointer(), question)
    with _before_lock:
        hit = _before_cache.get(key)
    if hit is None:
        hit = _brief(kb.answer(question))
        with _before_lock:
            _before_cache[key] = hit
            while len(_before_cache) > 5000:
                _before_cache.popitem(last=False)
    return hit


def report(before: KnowledgeBase, after: KnowledgeBase, groups: dict[str, list[str]],
           before_version: Optional[str], after_version: str) -> dict[str, Any]:
    """{"before_version", "after_version", "checked", "changed": [...], "groups": {name: {...}}}."""
    seen: dict[str, str] = {}
    for group, questions in groups.items():
        for q in questions:
            if q and q not in seen and len(seen) < MAX_QUESTIONS:
                seen[q] = group
    rows, summary = [], {g: {"checked": 0, "changed": 0, "answered_before": 0, "answered_after": 0} for g in groups}
    for q, group in seen.items():
        a = _serving_answer(before, q)
        b = _brief(after.answer(q))
        s = summary[group]
        s["checked"] += 1
        s["answered_before"] += a["answer"] is not None
        s["answered_after"] += b["answer"] is not None
        if not _same(a, b):
            s["changed"] += 1
            rows.append({"question": q, "group": group, "before": a, "after": b})
    return {"before_version": before_version, "after_version": after_version, "checked": len(seen),
            "changed": rows, "groups": summary}
