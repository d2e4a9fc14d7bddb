"""Building a KB version: documents → parsed chunks → BM25 + FAISS → var/kb/<version>/, all or nothing.

A build writes into var/kb/.build-<version>/ and renames it into place only once every file is written
and synced, so a killed or failed build leaves nothing half-made; the pointer (CURRENT) moves only after.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import yaml

from bot.kb import store
from bot.kb.index import build_bm25, build_faiss, index_text
from bot.kb.parser import parse_text
from bot.kb.textproc import SYNONYMS_PATH, jieba_dict_files, tokenize
from bot.settings import POLICY_KB, ROOT

DOCUMENTS_YML = POLICY_KB / "documents.yml"
MAX_BYTES = 5 * 1024 * 1024
ALLOWED_SUFFIXES = {".txt", ".md"}
CODE_FILES = ("parser.py", "index.py", "build.py", "textproc.py")

Progress = Callable[[str], None]


class DocumentError(ValueError):
    """A document the KB refuses (empty, binary, undecodable, too large, duplicate); message in Chinese."""


@dataclass
class DocSpec:
    doc_id: str
    path: str  # absolute, or relative to the repository root
    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    effective_date: str = ""  # from when the document applies (YYYY-MM-DD); '' = from its date
    builtin: bool = False
    sha256: str = ""
    extra: dict = field(default_factory=dict)

    def abspath(self) -> Path:
        p = Path(self.path)
        return p if p.is_absolute() else ROOT / p

    def read(self) -> str:
        return self.abspath().read_text(encoding="utf-8")


def builtin_documents(path: Path = DOCUMENTS_YML) -> list[DocSpec]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    docs = []
    for d in data.get("documents", []):
        docs.append(DocSpec(doc_id=d["doc_id"], path=d["path"], title=d.get("title", ""),
                            issuer=d.get("issuer", ""), doc_number=d.get("doc_number", ""),
                            date=str(d.get("date", "")), effective_date=str(d.get("effective_date", "")),
                            builtin=True))
    return docs


def build_inputs() -> list[Path]:
    """What a build depends on besides the embedding model: the stamp's inputs."""
    here = Path(__file__).resolve().parent
    docs = [d.abspath() for d in builtin_documents()]
    return [DOCUMENTS_YML, SYNONYMS_PATH, *jieba_dict_files(), *docs, *(here / f for f in CODE_FILES)]


# ------------------------------------------------------------------------------ ingestion checks
def decode_document(path: Path) -> str:
    """Read an uploaded .txt/.md as UTF-8 or GB18030; refuse what is not a usable text document."""
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        raise DocumentError(f"不支持的文件类型“{path.suffix or '无扩展名'}”：请上传 .txt 或 .md 文本文件。")
    if not path.is_file():
        raise DocumentError(f"找不到文件：{path}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DocumentError(f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 5 MB。")
    return decode_bytes(path.read_bytes())


def decode_bytes(data: bytes, filename: str = "") -> str:
    """An upload's bytes as text (UTF-8 or GB18030), or a DocumentError saying what is wrong with it."""
    if filename and Path(filename).suffix.lower() not in ALLOWED_SUFFIXES:
        suffix = Path(filename).suffix
        raise DocumentError(f"不支持的文件类型“{suffix or '无扩展名'}”：请上传 .txt 或 .md 文本文件。")
    size = len(data)
    if size == 0:
        raise DocumentError("文件是空的，请检查后重新上传。")
    if size > MAX_BYTES:
        raise DocumentError(f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 5 MB。")
    if b"\x00" in data[:8192] or data[:4] in (b"PK\x03\x04", b"%PDF") or data[:2] == b"\xd0\xcf":
        raise DocumentError("这是二进制文件（如 Word/PDF/压缩包），请先另存为 .txt 文本再上传。")
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise DocumentError("无法识别文件编码：请保存为 UTF-8 或 GB18030 编码的文本。")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 200):
        raise DocumentError("文件内容含大量控制字符，不像文本文件，请检查后重新上传。")
    if not re.search(r"[\u4e00-\u9fff]", text) or not text.strip():
        raise DocumentError("文件中没有可用的中文正文，请检查后重新上传。")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def make_doc_id(title: str, sha: str) -> str:
    return f"doc-{sha[:10]}"


# ------------------------------------------------------------------------------ building
def _chunks_for(docs: list[DocSpec], progress: Progress) -> tuple[list[dict], list[dict]]:
    chunks: list[dict] = []
    metas: list[dict] = []
    for spec in docs:
        raw = spec.read()
        parsed = parse_text(raw, spec.doc_id, {"title": spec.title, "issuer": spec.issuer,
                                               "doc_number": spec.doc_number, "date": spec.date})
        sha = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        meta = asdict(spec) | parsed.meta() | {"effective_date": spec.effective_date or parsed.date,
                                                "builtin": spec.builtin} | {"sha256": sha, "chunks": len(parsed.chunks),
                                                "chapters": len(parsed.chapters), "sections": len(parsed.sections),
                                                "boxes": len(parsed.boxes), "indicators": len(parsed.indicators),
                                                "repairs": parsed.repairs}
        metas.append(meta)
        for c in parsed.chunks:
            d = c.to_dict()
            d["doc_title"] = parsed.title
            d["doc_number"] = parsed.doc_number
            chunks.append(d)
        progress(f"  解析 {spec.doc_id}：{len(parsed.chunks)} 个片段，{len(parsed.sections)} 节，"
                 f"{len(parsed.indicators)} 行指标，修复 {len(parsed.repairs)} 处")
    return chunks, metas


def embed_with_cache(texts: list[str], embedder, progress: Progress, batch: int = 32) -> np.ndarray:
    cache = store.EmbeddingCache(embedder.model_id)
    keys = [cache.key(t) for t in texts]
    todo = [i for i, k in enumerate(keys) if k not in cache.vectors]
    if todo:
        progress(f"  向量化 {len(todo)} 个新片段（{len(texts) - len(todo)} 个来自缓存）…")
        for s in range(0, len(todo), batch):
            part = todo[s:s + batch]
            vecs = embedder.embed_passages([texts[i] for i in part])
            for i, v in zip(part, vecs):
                cache.vectors[keys[i]] = v
            progress(f"    {min(s + batch, len(todo))}/{len(todo)}")
        cache.save()
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.stack([cache.vectors[k] for k in keys]).astype(np.float32)


def build_version(docs: list[DocSpec], embedder, root: Path | None = None,
                  progress: Progress = lambda m: None, note: str = "",
                  _after_write: Callable[[Path], None] | None = None) -> str:
    """Build a complete version from `docs`; returns its id. Does not move any pointer."""
    root = store.kb_root(root)
    t0 = time.perf_counter()
    with store.build_lock(root):
        chunks, metas = _chunks_for(docs, progress)
        texts = [index_text(c) for c in chunks]
        for c in chunks:
            c["tokens"] = tokenize(index_text(c))
        model_id = embedder.model_id if embedder is not None else ""
        content = hashlib.sha256(json.dumps([m["sha256"] for m in metas] + [model_id]).encode()).hexdigest()
        version = store.new_version_id(root, content)
        tmp = root / f".build-{version}"
        tmp.mkdir()
        progress(f"构建知识库版本 {version}（{len(docs)} 份文件，{len(chunks)} 个片段）")
        index_type = "none"
        if embedder is not None:
            vectors = embed_with_cache(texts, embedder, progress)
            index = build_faiss(vectors)
            index_type = type(index).__name__
            import faiss

            faiss.write_index(index, str(tmp / "dense.faiss"))
        bm25 = build_bm25([c["tokens"] for c in chunks])
        bm25.save(str(tmp / "bm25"), show_progress=False)
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for c in chunks:
                fh.write(json.dumps(c, ensure_ascii=False) + "\n")
        if _after_write:
            _after_write(tmp)  # tests: simulate a crash between writing and publishing
        manifest = {
            "version": version,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "documents": metas,
            "model_id": model_id,
            "dimension": int(embedder.dimension) if embedder is not None else 0,
            "index_type": index_type,
            "counts": {"documents": len(docs), "chunks": len(chunks),
                       "indicators": sum(1 for c in chunks if c.get("kind") == "indicator")},
            "build_seconds": round(time.perf_counter() - t0, 2),
            "note": note,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        for f in tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        os.rename(tmp, root / version)
        store._fsync_dir(root)
        progress(f"完成：{version}，用时 {manifest['build_seconds']} 秒")
        return version


def docs_of_version(root: Path, version: str | None) -> list[DocSpec]:
    if not version:
        return []
    out = []
    for m in store.read_manifest(root, version)["documents"]:
        fields = {k: m.get(k, "") for k in ("doc_id", "path", "title", "issuer", "doc_number", "date", "sha256",
                                            "effective_date")}
        out.append(DocSpec(**fields, builtin=bool(m.get("builtin"))))
    return out
