"""KB documents for the console: versions, upload → candidate, remove → candidate, publish, roll back.

Builds go through the KB's own build path (bot.kb.build.build_version, all or nothing, one at a time);
only a complete build becomes the CANDIDATE, and only publish or rollback move CURRENT, so a failed
build leaves the serving version as it was.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Optional

from bot.kb import build, store
from bot.kb.build import DocSpec, DocumentError

DOC_FIELDS = ("doc_id", "title", "issuer", "doc_number", "date", "effective_date", "builtin", "sha256", "chunks")


def _doc_view(meta: dict[str, Any]) -> dict[str, Any]:
    out = {k: meta.get(k, "") for k in DOC_FIELDS}
    out["effective_date"] = meta.get("effective_date") or (meta.get("extra") or {}).get("effective_date", "")
    out["builtin"] = bool(meta.get("builtin"))
    return out


def versions(root: Path) -> dict[str, Any]:
    current, candidate = store.read_pointer(root), store.read_pointer(root, "CANDIDATE")
    out = []
    for v in reversed(store.list_versions(root)):
        try:
            m = store.read_manifest(root, v)
        except (OSError, ValueError):
            continue
        out.append({"version": v, "created_at": m.get("created_at"), "note": m.get("note", ""),
                    "current": v == current, "candidate": v == candidate,
                    "counts": m.get("counts", {}), "documents": [_doc_view(d) for d in m.get("documents", [])]})
    return {"current": current, "candidate": candidate, "versions": out}


def _docs(root: Path, version: Optional[str]) -> list[DocSpec]:
    docs = build.docs_of_version(root, version)
    if version:  # keep the effective date and other extra metadata across rebuilds
        metas = {m["doc_id"]: m for m in store.read_manifest(root, version)["documents"]}
        for d in docs:
            d.extra = dict(metas.get(d.doc_id, {}).get("extra") or {})
    return docs


def base_docs(root: Path) -> list[DocSpec]:
    """What a new candidate starts from: the pending candidate if any (edits accumulate), else the serving one."""
    version = store.read_pointer(root, "CANDIDATE") or store.read_pointer(root)
    return _docs(root, version) if version else build.builtin_documents()


def add_document(root: Path, text: str, meta: dict[str, str], embedder, note: str) -> tuple[str, str]:
    """Build a candidate with one more document; returns (candidate version, doc_id)."""
    docs = base_docs(root)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for d in docs:
        if (d.sha256 or hashlib.sha256(d.read().encode("utf-8")).hexdigest()) == sha:
            raise DocumentError(f"这份文件与已收录的“{d.title or d.doc_id}”完全相同，未重复添加。")
        if meta.get("doc_number") and d.doc_number and _norm_number(d.doc_number) == _norm_number(meta["doc_number"]):
            raise DocumentError(f"文号“{meta['doc_number']}”已被“{d.title or d.doc_id}”使用：如要替换，请先删除旧文件。")
    path, sha = store.store_source(root, text)
    doc_id = build.make_doc_id(meta.get("title", ""), sha)
    spec = DocSpec(doc_id=doc_id, path=path, title=meta.get("title", ""), issuer=meta.get("issuer", ""),
                   doc_number=meta.get("doc_number", ""), date=meta.get("date", ""), sha256=sha,
                   extra={"effective_date": meta.get("effective_date", "")})
    version = build.build_version(docs + [spec], embedder, root, note=note)
    store.set_pointer(root, version, "CANDIDATE")
    return version, doc_id


def remove_document(root: Path, doc_id: str, embedder, note: str) -> str:
    docs = base_docs(root)
    keep = [d for d in docs if d.doc_id != doc_id]
    if len(keep) == len(docs):
        raise LookupError(doc_id)
    if not keep:
        raise DocumentError("不能删除最后一份文档：知识库不能为空。")
    version = build.build_version(keep, embedder, root, note=note)
    store.set_pointer(root, version, "CANDIDATE")
    return version


def publish(root: Path) -> tuple[Optional[str], str]:
    candidate = store.read_pointer(root, "CANDIDATE")
    if not candidate:
        raise LookupError("candidate")
    before = store.read_pointer(root)
    store.set_pointer(root, candidate)
    store.set_pointer(root, None, "CANDIDATE")
    store.gc_versions(root)
    return before, candidate


def rollback(root: Path, version: str) -> tuple[Optional[str], str]:
    if version not in store.list_versions(root):
        raise LookupError(version)
    before = store.read_pointer(root)
    store.set_pointer(root, version)
    return before, version


def discard(root: Path) -> Optional[str]:
    candidate = store.read_pointer(root, "CANDIDATE")
    store.set_pointer(root, None, "CANDIDATE")
    return candidate


def _norm_number(text: str) -> str:
    return re.sub(r"[\s〔〕\[\]()（）【】]", "", text)
