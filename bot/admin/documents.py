"""KB documents for the console, on the KB's own document API (bot.kb.admin): versions, upload → candidate
with an impact report, remove → candidate, publish, roll back, discard.

Word and PDF files are turned into text here (bot.admin.uploads); everything else (checks, metadata,
the all-or-nothing build, pointers, the impact report) is bot.kb.admin's, so there is one build path.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Optional

from bot.kb import admin as kb_admin
from bot.kb import store
from bot.kb.build import DocumentError

class RememberingEmbedder:
    """The service's embedder, remembering query vectors: every impact report asks the same golden questions
    of two fresh KnowledgeBase instances, so each question is embedded once per process, not twice per report."""

    def __init__(self, embedder, size: int = 4096) -> None:
        self._embedder = embedder
        self._size = size
        self._vectors: "OrderedDict[str, Any]" = OrderedDict()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def embed_queries(self, texts: list[str]):
        import numpy as np

        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            fresh = self._embedder.embed_queries(missing)
            with self._lock:
                for t, v in zip(missing, fresh):
                    self._vectors[t] = v
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        with self._lock:
            return np.stack([self._vectors[t] for t in texts])


_remembering: dict[int, RememberingEmbedder] = {}


def remembering(embedder) -> Any:
    if embedder is None:
        return None
    key = id(embedder)
    if key not in _remembering:
        _remembering[key] = RememberingEmbedder(embedder)
    return _remembering[key]


DOC_FIELDS = ("doc_id", "title", "issuer", "doc_number", "date", "effective_date", "builtin", "sha256", "chunks")


def versions(root: Path) -> dict[str, Any]:
    out = []
    for v in kb_admin.list_versions(root):
        try:
            docs = kb_admin.documents(v["version"], root)
        except (DocumentError, OSError, ValueError):
            continue
        out.append({**v, "documents": [{k: d.get(k, "") for k in DOC_FIELDS} for d in docs]})
    return {"current": store.read_pointer(root), "candidate": store.read_pointer(root, "CANDIDATE"), "versions": out}


def _report(raw: dict[str, Any], groups: dict[str, list[str]]) -> dict[str, Any]:
    """bot.kb.admin's impact report in the console's shape (question, group, before → after with 出处)."""
    membership = {q: g for g, qs in groups.items() for q in qs}

    def side(s: dict[str, Any]) -> dict[str, Any]:
        return {"answer": s.get("answer"), "source_label": ("出处：" + s["source"]) if s.get("source") else None,
                "citations": [{"doc_id": d, "section": "", "quote": ""} for d in s.get("doc_ids", [])]}

    changed = [{"question": c["question"], "group": membership.get(c["question"], "document"),
                "before": side(c["before"]), "after": side(c["after"])} for c in raw.get("changed", [])]
    summary: dict[str, dict[str, int]] = {}
    for c in changed:
        s = summary.setdefault(c["group"], {"checked": 0, "changed": 0, "answered_before": 0, "answered_after": 0})
        s["changed"] += 1
    return {"before_version": raw.get("old_version"), "after_version": raw.get("new_version"),
            "checked": raw.get("questions_checked", 0), "changed": changed, "groups": summary,
            "added_documents": raw.get("added_documents", []), "removed_documents": raw.get("removed_documents", [])}


def add_document(root: Path, text: str, filename: str, meta: dict[str, str], embedder,
                 unanswered: list[str]) -> dict[str, Any]:
    """Build a candidate with one more document → {"version", "doc_id", "impact"} (console shape)."""
    name = Path(filename).stem + ".txt"  # already text: Word/PDF were extracted by bot.admin.uploads
    res = kb_admin.add_document(text, meta, filename=name, root=root, embedder=remembering(embedder),
                                questions=unanswered)
    return {"version": res["version"], "doc_id": res["doc_id"],
            "impact": _report(res["impact"], {"unanswered": unanswered, "golden": kb_admin.golden_questions()})}


def remove_document(root: Path, doc_id: str, embedder, unanswered: list[str]) -> dict[str, Any]:
    res = kb_admin.remove_document(doc_id, root=root, embedder=remembering(embedder), questions=unanswered)
    return {"version": res["version"], "doc_id": doc_id,
            "impact": _report(res["impact"], {"unanswered": unanswered, "golden": kb_admin.golden_questions()})}


def known_document(root: Path, doc_id: str) -> bool:
    return any(d["doc_id"] == doc_id for d in kb_admin.documents(None, root))


def publish(root: Path) -> tuple[Optional[str], str]:
    before = store.read_pointer(root)
    if not store.read_pointer(root, "CANDIDATE"):
        raise LookupError("candidate")
    return before, kb_admin.publish(None, root)


def rollback(root: Path, version: str) -> tuple[Optional[str], str]:
    if version not in store.list_versions(root):
        raise LookupError(version)
    before = store.read_pointer(root)
    return before, kb_admin.rollback(version, root)


def discard(root: Path) -> Optional[str]:
    candidate = store.read_pointer(root, "CANDIDATE")
    store.set_pointer(root, None, "CANDIDATE")
    return candidate
