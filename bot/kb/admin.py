"""Document administration of the knowledge base: the Python API under the CLI and the admin console.

    from bot.kb import admin
    res = admin.add_document(path_or_bytes_or_text, {"title": …, "doc_number": "晋民发〔2026〕8号",
                             "issuer": …, "date": "2026-01-10", "effective_date": "2026-01-01"},
                             filename="notice.txt")        # → {"version", "doc_id", "impact"}
    admin.publish(res["version"])                          # serve it (running services pick it up)
    admin.rollback("v2026…")                               # serve an earlier complete version again
    admin.remove_document(doc_id)                          # → candidate without it + impact report
    admin.list_versions(); admin.documents(version=None)   # what exists / what a version holds

Every change goes through a candidate version: nothing serves until `publish`, and a failed build leaves
the serving version untouched. Errors are `DocumentError` (Chinese message; `.field` names the bad
metadata field, for a 400 with `field`) or `store.BuildBusy` (another build runs: a 409).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from bot.kb import build, store
from bot.kb.build import DocSpec, DocumentError
from bot.settings import ROOT

GOLDEN = ROOT / "tests" / "kb" / "golden.yml"
META_FIELDS = {"title": "标题", "doc_number": "文号", "issuer": "发文机关", "date": "成文日期",
               "effective_date": "施行日期"}
RE_DOC_NUMBER = re.compile(r"^\S{1,20}[〔\[［(（](\d{4})[〕\]］)）](\d{1,5})号$")
Progress = Callable[[str], None]


class MetadataError(DocumentError):
    """A missing or malformed metadata field; `field` names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------------------------- metadata
def parse_date(value: Any, field: str) -> str:
    """'2026-01-10', '2026/1/10', '2026年1月10日' or a date → '2026-01-10'."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            pass
    raise MetadataError(f"{META_FIELDS[field]}“{text}”不是有效日期，请写成 2026-01-10 或 2026年1月10日。", field)


def check_metadata(meta: dict | None) -> dict:
    """The five required fields, cleaned; MetadataError naming the first missing or malformed one."""
    meta = dict(meta or {})
    missing = [f for f in META_FIELDS if not str(meta.get(f) or "").strip()]
    if missing:
        names = "、".join(f"{META_FIELDS[f]}（{f}）" for f in missing)
        raise MetadataError(f"缺少文件信息：{names}。请补全标题、文号、发文机关、成文日期和施行日期后再添加。",
                            missing[0])
    out = {f: re.sub(r"\s+", " ", str(meta[f])).strip() for f in ("title", "doc_number", "issuer")}
    out["title"] = out["title"].strip("《》")
    number = re.sub(r"\s+", "", out["doc_number"])
    m = RE_DOC_NUMBER.match(number)
    if not m:
        raise MetadataError(f"文号“{out['doc_number']}”格式不对，应类似“晋政发〔2021〕46号”。", "doc_number")
    out["doc_number"] = re.sub(r"[\[［(（](\d{4})[\]］)）]", r"〔\1〕", number)
    out["date"] = parse_date(meta["date"], "date")
    out["effective_date"] = parse_date(meta["effective_date"], "effective_date")
    if meta.get("doc_id"):
        doc_id = str(meta["doc_id"]).strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}", doc_id):
            raise MetadataError("文档编号只能用字母、数字、点、横线和下划线（2-64位）。", "doc_id")
        out["doc_id"] = doc_id
    return out


# ------------------------------------------------------------------------------------- reading state
def _root(root: str | Path | None) -> Path:
    return store.kb_root(root)


def current_docs(root: Path) -> list[DocSpec]:
    return build.docs_of_version(root, store.read_pointer(root))


def documents(version: str | None = None, root: str | Path | None = None) -> list[dict]:
    """The documents of a version (default: the serving one), with their metadata and chunk counts."""
    root = _root(root)
    version = version or store.read_pointer(root)
    if not version:
        return []
    _require_version(root, version)
    keys = ("doc_id", "title", "doc_number", "issuer", "date", "effective_date", "builtin", "chunks", "sha256")
    return [{k: d.get(k, "") for k in keys} for d in store.read_manifest(root, version)["documents"]]


def list_versions(root: str | Path | None = None) -> list[dict]:
    """Every complete version, newest first, marking the serving (current) and the candidate one."""
    root = _root(root)
    cur, cand = store.read_pointer(root), store.read_pointer(root, "CANDIDATE")
    out = []
    for v in reversed(store.list_versions(root)):
        m = store.read_manifest(root, v)
        out.append({"version": v, "created_at": m.get("created_at", ""), "note": m.get("note", ""),
                    "current": v == cur, "candidate": v == cand, "counts": m.get("counts", {}),
                    "documents": [{k: d.get(k, "") for k in ("doc_id", "title", "doc_number", "effective_date")}
                                  for d in m.get("documents", [])]})
    return out


def _require_version(root: Path, version: str) -> None:
    if not version or "/" in version or version.startswith(".") or not (root / version / "manifest.json").exists():
        raise DocumentError(f"没有找到知识库版本“{version}”（可用 list_versions 查看）。")


# ------------------------------------------------------------------------------------- changes
def _embedder(embedder):
    """The caller's embedder, a warmed one of this process (the service's), or a freshly loaded one."""
    if embedder is not None:
        return embedder
    from bot.kb import service

    for kb in list(service._instances.values()):
        if kb.embedder is not None:
            return kb.embedder
    from bot.kb.embedding import Embedder

    emb = Embedder()
    emb.warm_up()
    return emb


def _read_source(source: str | bytes | Path, filename: str | None) -> tuple[str, str]:
    """(text, display name) of an upload given as a path, raw bytes or text."""
    if isinstance(source, Path):
        return build.decode_document(source), source.name
    if isinstance(source, (bytes, bytearray)):
        return build.decode_bytes(bytes(source), filename or ""), filename or ""
    if isinstance(source, str) and "\n" not in source and len(source) < 4096 and \
            Path(source).suffix.lower() in build.ALLOWED_SUFFIXES and Path(source).exists():
        return build.decode_document(Path(source)), Path(source).name
    if isinstance(source, str):
        return build.decode_bytes(source.encode("utf-8"), filename or ""), filename or ""
    raise DocumentError("无法读取上传的文件。")


def add_document(source: str | bytes | Path, meta: dict, *, filename: str | None = None,
                 root: str | Path | None = None, embedder=None, questions: Iterable[str] = (),
                 progress: Progress = lambda m: None) -> dict:
    """Build a candidate version with one more document; returns {version, doc_id, impact}.

    The file is checked first (type, size, encoding, text), then the metadata; either failure raises
    DocumentError and changes nothing. The candidate serves only after `publish`.
    """
    root = _root(root)
    text, name = _read_source(source, filename)
    meta = check_metadata(meta)
    docs = current_docs(root) or build.builtin_documents()
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for d in docs:
        if (d.sha256 or hashlib.sha256(d.read().encode("utf-8")).hexdigest()) == sha:
            raise DocumentError(f"这份文件与已收录的“{d.title or d.doc_id}”（{d.doc_id}）完全相同，未重复添加。")
        if d.doc_number and d.doc_number == meta["doc_number"]:
            raise MetadataError(f"文号 {meta['doc_number']} 已由“{d.title}”（{d.doc_id}）使用；"
                                f"如要替换，请先删除该文件。", "doc_number")
    src, sha = store.store_source(root, text)
    doc_id = meta.get("doc_id") or build.make_doc_id(meta["title"], sha)
    if any(d.doc_id == doc_id for d in docs):
        raise MetadataError(f"文档编号 {doc_id} 已存在，请换一个。", "doc_id")
    spec = DocSpec(doc_id=doc_id, path=src, title=meta["title"], issuer=meta["issuer"],
                   doc_number=meta["doc_number"], date=meta["date"], effective_date=meta["effective_date"],
                   sha256=sha, extra={"filename": name} if name else {})
    emb = _embedder(embedder)
    version = build.build_version(docs + [spec], emb, root, progress=progress, note=f"add {doc_id}")
    store.set_pointer(root, version, "CANDIDATE")
    impact = impact_report(store.read_pointer(root), version, root=root, embedder=emb, questions=questions)
    return {"version": version, "doc_id": doc_id, "impact": impact}


def remove_document(doc_id: str, *, root: str | Path | None = None, embedder=None,
                    questions: Iterable[str] = (), progress: Progress = lambda m: None) -> dict:
    """Build a candidate version without `doc_id`; returns {version, doc_id, impact}."""
    root = _root(root)
    docs = current_docs(root)
    target = next((d for d in docs if d.doc_id == doc_id), None)
    if target is None:
        raise DocumentError(f"当前版本中没有文档 {doc_id}（可用 documents() 查看）。")
    if target.builtin:
        raise DocumentError(f"“{target.title}”是内置文件（policy_kb/documents.yml），不能在这里删除。")
    keep = [d for d in docs if d.doc_id != doc_id]
    emb = _embedder(embedder)
    version = build.build_version(keep, emb, root, progress=progress, note=f"remove {doc_id}")
    store.set_pointer(root, version, "CANDIDATE")
    impact = impact_report(store.read_pointer(root), version, root=root, embedder=emb, questions=questions)
    return {"version": version, "doc_id": doc_id, "impact": impact}


def publish(version: str | None = None, root: str | Path | None = None) -> str:
    """Serve `version` (default: the candidate); the candidate pointer is cleared once it serves."""
    root = _root(root)
    cand = store.read_pointer(root, "CANDIDATE")
    version = version or cand
    if not version:
        raise DocumentError("没有待发布的候选版本（先添加或删除文件）。")
    _require_version(root, version)
    store.set_pointer(root, version)
    if cand == version:
        store.set_pointer(root, None, "CANDIDATE")
    store.gc_versions(root)
    return version


def rollback(version: str, root: str | Path | None = None) -> str:
    """Serve an earlier complete version again (its documents exactly as they were)."""
    root = _root(root)
    _require_version(root, version)
    if store.read_pointer(root) == version:
        raise DocumentError(f"版本 {version} 已经在使用中。")
    store.set_pointer(root, version)
    return version


# ------------------------------------------------------------------------------------- impact
def golden_questions() -> list[str]:
    if not GOLDEN.exists():
        return []
    data = yaml.safe_load(GOLDEN.read_text(encoding="utf-8")) or {}
    return [q["q"] for q in data.get("questions", [])]


def _doc_questions(root: Path, version: str, doc_ids: set[str]) -> list[str]:
    """Questions a changed document answers: its headings and the sentences that state a figure."""
    from bot.kb.parser import split_sentences

    out: list[str] = []
    chunks = store.read_chunks(root, version) if doc_ids else []
    for c in chunks:
        if c["doc_id"] not in doc_ids or c.get("kind") == "notice":
            continue
        for s in split_sentences(c["text"]):
            if re.search(r"\d", s) and 8 <= len(s) <= 80:
                out.append(re.sub(r"\d+(?:\.\d+)?", "多少", s.strip("。；")) )
        if c.get("title") and c["title"] not in out:
            out.append(c["title"])
    return out[:30]


def _brief(res: dict) -> dict:
    cites = res.get("citations") or []
    return {"answer": res.get("answer"), "source": res.get("source", ""),
            "doc_ids": sorted({c.get("doc_id", "") for c in cites})}


def impact_report(old: str | None, new: str, *, root: str | Path | None = None, embedder=None,
                  questions: Iterable[str] = ()) -> dict:
    """Which answers change between two versions, from what to what.

    Asked: the golden questions, questions drawn from every added or removed document (its headings
    and figure sentences), and the caller's own (e.g. recent unanswered questions).
    """
    from bot.kb.service import KnowledgeBase

    root = _root(root)
    emb = _embedder(embedder)
    old_docs = {d["doc_id"] for d in documents(old, root)} if old else set()
    new_docs = {d["doc_id"] for d in documents(new, root)}
    added, removed = sorted(new_docs - old_docs), sorted(old_docs - new_docs)
    asked = list(dict.fromkeys([*questions, *_doc_questions(root, new, set(added)),
                                *(_doc_questions(root, old, set(removed)) if old else []), *golden_questions()]))
    kb_new = KnowledgeBase(root, embedder=emb, version=new)
    kb_old = KnowledgeBase(root, embedder=emb, version=old) if old else None
    changes = []
    for q in asked:
        after = _brief(kb_new.answer(q))
        before = _brief(kb_old.answer(q)) if kb_old else {"answer": None, "source": "", "doc_ids": []}
        if (before["answer"], before["doc_ids"]) != (after["answer"], after["doc_ids"]):
            changes.append({"question": q, "before": before, "after": after})
    return {"old_version": old, "new_version": new, "added_documents": added, "removed_documents": removed,
            "questions_checked": len(asked), "changed": changes}


def format_impact(report: dict) -> list[str]:
    """The impact report as lines for a terminal."""
    lines = [f"影响报告：检查了 {report['questions_checked']} 个问题，{len(report['changed'])} 个答案有变化"]
    for ch in report["changed"]:
        lines.append(f"- {ch['question']}")
        lines.append(f"    之前：{ch['before']['answer'] or '（无答案）'}")
        lines.append(f"    之后：{ch['after']['answer'] or '（无答案）'}")
    return lines
