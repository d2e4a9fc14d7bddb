"""The retrieval indexes of one KB version: FAISS over normalised embeddings + BM25 over jieba tokens.

Hybrid scoring: both score lists are scaled to [0, 1] per query (BM25 by its best score, dense by its
spread over the candidates) and mixed linearly; synonym expansions add to the lexical side at a lower
weight. Linear fusion of scaled scores keeps the *margin* information that rank fusion (RRF) throws
away, which is what lifts MRR over naive RRF.
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.kb.textproc import get_synonyms, tokenize, wants_indicator

log = logging.getLogger("bot.kb")

# Past this many vectors the exact flat scan gives way to an HNSW graph. Measured (benchmarks/kb.py,
# 384-d, 2 busy cores): flat p50/p95 0.6/8.6 ms at 10k but 33/59 ms at 100k (alone above the 50 ms
# search budget); HNSW 0.2/0.6 ms at 100k with recall@10 1.0 vs flat, at 65 s build; IVF 0.3/4.3 ms,
# 15 s build. Flat grows ~0.33 µs per vector, so past ~20k it eats a noticeable share of the budget.
FLAT_MAX = 20_000
HNSW_M = 32
HNSW_EF_SEARCH = 96

DENSE_WEIGHT = 0.4  # tuned on the golden set: 0.3 → MRR 0.958, 0.4 → 0.969, 0.5 → 0.958
EXPANSION_WEIGHT = 0.5
# Added to indicator rows when the question asks for a figure/target ("…要达到多少"): those answers
# live in the indicator table, while the prose around a topic rarely states the target.
INDICATOR_BOOST = 0.15
CANDIDATES = 100


def index_text(chunk: dict) -> str:
    """What retrieval sees for a chunk: its own text plus the headings that give it context."""
    if chunk.get("kind") == "indicator":
        row = chunk["indicator"]
        parts = [row.get("table", ""), "指标", row.get("domain", ""), row["name"], row.get("unit", ""),
                 row.get("level", ""), f"2020年{row['value_2020']}", f"2025年目标{row['target_2025']}",
                 f"{row['attribute']}指标"]
        return " ".join(p for p in parts if p)
    if chunk.get("kind") == "notice":  # residents ask for the 文号/issuer/date by those words
        return f"发文通知 文号 发文机关 成文日期 印发 {chunk.get('doc_title', '')} {chunk['text']}"
    section = chunk.get("section", "")
    leaf = section.split(" > ")[-1] if section else ""
    parts = [leaf, chunk.get("box", ""), chunk.get("lead", "")]
    head = " ".join(p for p in parts if p and p not in chunk["text"][:60])
    return f"{head} {chunk['text']}".strip()


def build_faiss(vectors: np.ndarray):
    import faiss

    n, dim = vectors.shape
    if n > FLAT_MAX:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def build_bm25(token_lists: list[list[str]]):
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index([toks or ["<empty>"] for toks in token_lists], show_progress=False)
    return retriever


@dataclass
class Hit:
    idx: int
    score: float
    dense: float
    lexical: float


class HybridIndex:
    """Chunks + BM25 + FAISS of one version, loaded read-only; thread-safe for concurrent queries."""

    def __init__(self, chunks: list[dict], bm25, faiss_index, dense_ok: bool) -> None:
        self.chunks = chunks
        self.bm25 = bm25
        self.faiss = faiss_index
        self.dense_ok = dense_ok and faiss_index is not None and faiss_index.ntotal == len(chunks)
        vocab = getattr(bm25, "vocab_dict", None) or {}
        self.vocab = set(vocab.keys())
        self._idf = self._compute_idf()
        self.max_idf = max(self._idf.values(), default=1.0)

    @classmethod
    def load(cls, folder: Path, model_id: str | None) -> "HybridIndex":
        import bm25s
        import faiss

        chunks = [json.loads(line) for line in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
                  if line.strip()]
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        dense_ok = bool(model_id) and manifest.get("model_id") == model_id and (folder / "dense.faiss").exists()
        if model_id and manifest.get("model_id") != model_id:
            log.warning("KB %s was built with %s, the embedder is %s: lexical retrieval only until rebuilt",
                        folder.name, manifest.get("model_id"), model_id)
        index = faiss.read_index(str(folder / "dense.faiss")) if dense_ok else None
        if index is not None and hasattr(index, "hnsw"):
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(chunks, bm25, index, dense_ok)

    def _compute_idf(self) -> dict[str, float]:
        n = len(self.chunks)
        df: dict[str, int] = {}
        for c in self.chunks:
            for t in set(c.get("tokens", ())):
                df[t] = df.get(t, 0) + 1
        return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def idf(self, token: str) -> float:
        return self._idf.get(token, 0.0)

    # ---------------------------------------------------------------- scoring parts
    def lexical_scores(self, tokens: list[str]) -> np.ndarray:
        toks = [t for t in tokens if t in self.vocab]
        if not toks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float32)

    def dense_scores(self, qvec: np.ndarray, k: int) -> dict[int, float]:
        if not self.dense_ok or qvec is None:
            return {}
        k = min(k, self.faiss.ntotal)
        scores, ids = self.faiss.search(np.ascontiguousarray(qvec.reshape(1, -1), dtype=np.float32), k)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}

    def search(self, query: str, qvec: np.ndarray | None, top_k: int = 5,
               dense_weight: float = DENSE_WEIGHT, mode: str = "hybrid",
               indicator_boost: float = INDICATOR_BOOST) -> list[Hit]:
        """Best chunks for a (normalised) query; `mode` is hybrid, bm25 or dense (for benchmarks)."""
        if not self.chunks:
            return []
        tokens = tokenize(query)
        lex = self.lexical_scores(tokens)
        expansions = get_synonyms().expand(query)
        if expansions:
            extra = [t for e in expansions for t in tokenize(e) if t not in tokens]
            if extra:
                lex = lex + EXPANSION_WEIGHT * self.lexical_scores(extra)
        lex_max = float(lex.max()) if lex.size else 0.0
        lex_n = lex / lex_max if lex_max > 0 else lex

        dense = self.dense_scores(qvec, CANDIDATES) if mode != "bm25" else {}
        dense_n: dict[int, float] = {}
        if dense:
            vals = np.fromiter(dense.values(), dtype=np.float32)
            hi, lo = float(vals.max()), float(vals.min())
            span = hi - lo if hi > lo else 1.0
            dense_n = {i: (s - lo) / span for i, s in dense.items()}
        if mode == "dense" or (mode == "hybrid" and not np.any(lex_n) and dense_n):
            w = 1.0
        elif mode == "bm25" or not dense_n:
            w = 0.0
        else:
            w = dense_weight
        cand = set(dense_n) | set(np.argsort(-lex_n)[:CANDIDATES].tolist())
        boost = indicator_boost if mode == "hybrid" and wants_indicator(query) else 0.0
        hits = []
        for i in cand:
            d = dense_n.get(i, 0.0)
            s = w * d + (1 - w) * float(lex_n[i])
            if boost and self.chunks[i].get("kind") == "indicator":
                s += boost
            hits.append(Hit(int(i), s, dense.get(i, 0.0), float(lex_n[i])))
        hits.sort(key=lambda h: (-h.score, h.idx))
        return hits[:top_k]
