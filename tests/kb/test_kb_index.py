"""Index choice: exact flat scan while small, HNSW past FLAT_MAX (both inner product on unit vectors)."""
from __future__ import annotations

import numpy as np

from bot.kb import index as kb_index


def _unit(n: int, dim: int = 32) -> np.ndarray:
    x = np.random.default_rng(3).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_below_threshold_hnsw_above(monkeypatch):
    x = _unit(300)
    assert type(kb_index.build_faiss(x)).__name__ == "IndexFlatIP"
    monkeypatch.setattr(kb_index, "FLAT_MAX", 100)
    hnsw = kb_index.build_faiss(x)
    assert type(hnsw).__name__ == "IndexHNSWFlat"
    scores, ids = hnsw.search(x[:20], 1)
    assert (ids[:, 0] == np.arange(20)).all()  # each vector finds itself
    assert np.allclose(scores[:, 0], 1.0, atol=1e-4)
