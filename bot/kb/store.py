"""On-disk layout of the knowledge base: versions, atomic pointers, the build lock, uploaded sources.

    var/kb/<version>/           chunks.jsonl, dense.faiss, bm25/, manifest.json (complete or absent)
    var/kb/CURRENT              the serving version id (replaced atomically with os.replace)
    var/kb/CANDIDATE            a built but unpublished version (add/remove), until `publish`
    var/kb/.build-<version>/    a build in progress; renamed into place only when complete
    var/kb/sources/<sha>.txt    uploaded documents, decoded to UTF-8, content-addressed
    var/kb/cache/<model_id>/    passage embeddings by text hash, so rebuilds only embed new text, and the
                                embeddings of the questions asked before (bot.kb.precedents, queries.npz)
                                (shared by every KB root of the checkout: content-addressed, so safe)
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from bot.settings import VAR

DEFAULT_ROOT = VAR / "kb"
CACHE_ROOT = VAR / "kb" / "cache"
KEEP_VERSIONS = 5


class BuildBusy(RuntimeError):
    """Another build holds the lock."""


def _settings():
    """KB_ROOT / KB_CACHE come from the one settings object (read now: tests and benchmarks set them late)."""
    from bot.settings import Settings

    return Settings.from_env()


def kb_root(root: str | os.PathLike | None = None) -> Path:
    path = Path(root) if root else Path(_settings().kb_root or DEFAULT_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so readers see the old or the new content, never a torn one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def read_pointer(root: Path, name: str = "CURRENT") -> str | None:
    try:
        value = (root / name).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value if value and (root / value / "manifest.json").exists() else None


def set_pointer(root: Path, version: str | None, name: str = "CURRENT") -> None:
    if version is None:
        (root / name).unlink(missing_ok=True)
        return
    if not (root / version / "manifest.json").exists():
        raise FileNotFoundError(f"version {version} is not a complete build")
    write_atomic(root / name, (version + "\n").encode())


def pointer_stamp(root: Path, name: str = "CURRENT") -> tuple | None:
    """A cheap fingerprint of the pointer file (a replace changes the inode)."""
    try:
        st = os.stat(root / name)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_manifest(root: Path, version: str) -> dict:
    return json.loads((root / version / "manifest.json").read_text(encoding="utf-8"))


def read_chunks(root: Path, version: str) -> list[dict]:
    path = root / version / "chunks.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def list_versions(root: Path) -> list[str]:
    """Complete versions, oldest first."""
    out = [p.name for p in root.iterdir()
           if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").exists()]
    return sorted(out)


@contextmanager
def build_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """One build at a time; stale .build-* folders (from a killed build) are cleared once we hold it."""
    fh = open(root / ".lock", "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BuildBusy("另一个知识库构建正在进行，请稍后再试。") from None
        for stale in root.glob(".build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def new_version_id(root: Path, content_hash: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = f"v{stamp}-{content_hash[:8]}"
    version, n = base, 1
    while (root / version).exists() or (root / f".build-{version}").exists():
        n += 1
        version = f"{base}-{n}"
    return version


def gc_versions(root: Path, keep: int = KEEP_VERSIONS) -> list[str]:
    """Drop old versions, never the current or the candidate one."""
    protected = {read_pointer(root, "CURRENT"), read_pointer(root, "CANDIDATE")}
    versions = list_versions(root)
    removed = []
    for v in versions[:-keep] if len(versions) > keep else []:
        if v not in protected:
            shutil.rmtree(root / v, ignore_errors=True)
            removed.append(v)
    return removed


def store_source(root: Path, text: str) -> tuple[str, str]:
    """Keep an uploaded document (as UTF-8) under sources/; returns (relative path, sha256 of the text)."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    folder = root / "sources"
    folder.mkdir(exist_ok=True)
    path = folder / f"{sha[:20]}.txt"
    if not path.exists():
        write_atomic(path, text.encode("utf-8"))
    return str(path), sha


class EmbeddingCache:
    """Vectors by sha1(text) for one model, saved atomically next to the versions: passages in `vectors.npz`,
    the questions of bot.kb.precedents in `queries.npz` (a query is embedded with its own prefix)."""

    def __init__(self, model_id: str, cache_root: Path | None = None, name: str = "vectors") -> None:
        self.folder = Path(cache_root or _settings().kb_cache or CACHE_ROOT) / model_id
        self.name = name
        self.path = self.folder / f"{name}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):
                self.vectors = {}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        vecs = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
        tmp = self.folder / f".{self.name}.{os.getpid()}.npz"
        with open(tmp, "wb") as fh:
            np.savez(fh, keys=np.array(keys, dtype="<U40"), vectors=vecs.astype(np.float32))
        os.replace(tmp, self.path)
