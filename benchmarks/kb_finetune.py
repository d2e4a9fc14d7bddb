"""Base vs plan-fine-tuned embedding model (bot/build/finetune.py) on the KB's answer-quality sets.

    .venv/bin/python -m benchmarks.kb_finetune [--model DIR] [--base DIR] [--finetune-seconds S] [--out NAME]

For each model: a KB of the built-in documents built with it, then benchmarks.kb_quality's scores (hybrid
retrieval and answers as served) plus dense-only Recall@1/MRR on every set, and the top passage's cosine
for answerable vs unanswerable golden-tuning questions. The null threshold's dense range (answer.py
DENSE_FLOOR/CEIL) was calibrated on the base model's cosines, so the fine-tuned model is also scored with
that range mapped onto its own scale: the same quantiles of the top-passage cosines of the tuning sets'
question texts (no labels used). Sets are labelled: tuned on (golden_tune, kb_round1…4) or held out (golden_heldout,
kb_round5); the decision is taken on the held-out ones. Blind sets: aggregates only.
Saves benchmarks/results/<out>.json (default kb_finetune) and prints a table.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import kb_quality as kq  # noqa: E402

BLIND = [ROOT / "tests" / "blind" / f"kb_round{i}.yml" for i in range(1, 6)]
TUNING = ("golden_tune", "blind:kb_round1", "blind:kb_round2", "blind:kb_round3", "blind:kb_round4")
HELDOUT = ("golden_heldout", "blind:kb_round5")
SHOWN = ("recall_at_1", "recall_at_3", "mrr", "right_answer", "wrong_type", "honest_null",
         "dense_recall_at_1", "dense_mrr")


def dense_only(kb, qset: dict) -> dict:
    """Recall@1 and MRR of the dense index alone (what fine-tuning changes most directly)."""
    state = kb._require()
    ranks = []
    for q in qset["questions"]:
        text = kb_query(q["question"])
        hits = state.index.search(text, kb._query_vector(state, text), top_k=kq.TOP_K, mode="dense")
        results = [state.index.chunks[h.idx] for h in hits]
        ranks.append(next((i + 1 for i, r in enumerate(results) if kq.is_hit(r, q["sections"])), None))
    n = len(ranks) or 1
    return {"dense_recall_at_1": round(sum(1 for r in ranks if r == 1) / n, 3),
            "dense_mrr": round(sum(1 / r for r in ranks if r) / n, 3)}


def kb_query(question: str) -> str:
    from bot.text_normalize import normalize

    return normalize(question)


def top_cosines(kb, qset: dict) -> dict:
    """Cosine of the best passage: answerable vs unanswerable (how the model's score scale sits)."""
    state = kb._require()

    def best(question: str) -> float:
        text = kb_query(question)
        hits = state.index.search(text, kb._query_vector(state, text), top_k=1, mode="dense")
        return hits[0].dense if hits else 0.0

    ans = [best(q["question"]) for q in qset["questions"]]
    una = [best(u["question"]) for u in qset["unanswerable"]]
    r = lambda xs: round(statistics.median(xs), 4) if xs else None  # noqa: E731
    return {"answerable_median": r(ans), "unanswerable_median": r(una),
            "unanswerable_max": round(max(una), 4) if una else None}


def tuning_cosines(kb, sets: dict) -> list[float]:
    """Top-passage cosine of every question text of the tuning sets (answerable and not; no labels used)."""
    state = kb._require()
    texts = [kb_query(q["question"]) for name in TUNING if name in sets
             for q in sets[name]["questions"] + sets[name]["unanswerable"]]
    out = []
    for t in texts:
        hits = state.index.search(t, kb._query_vector(state, t), top_k=1, mode="dense")
        out.append(hits[0].dense if hits else 0.0)
    return out


def mapped_range(base_cos: list[float], ft_cos: list[float]) -> tuple[float, float]:
    """The fine-tuned model's DENSE_FLOOR/CEIL: the same quantiles of its cosines on the tuning questions
    as the base model's calibrated range has of the base's (answer.py calibrated 0.84/0.90 on e5)."""
    import numpy as np

    from bot.kb import answer as ans

    b = np.asarray(base_cos)
    qf, qc = float((b <= ans.DENSE_FLOOR).mean()), float((b <= ans.DENSE_CEIL).mean())
    f = np.asarray(ft_cos)
    return round(float(np.quantile(f, qf)), 4), round(float(np.quantile(f, qc)), 4)


def measure(folder: Path, blind: list[Path], base_cos: list[float] | None = None) -> dict:
    """Scores with `folder`; with base_cos, the dense range is first mapped onto this model's scale."""
    from bot.kb import answer as ans
    from bot.kb.embedding import Embedder

    emb = Embedder(folder)
    emb.warm_up()
    kb = kq.build_kb(emb)
    sets = kq.load_golden() | {f"blind:{p.stem}": kq.load_blind(p) for p in blind if p.exists()}
    cos = tuning_cosines(kb, sets)
    t = time.perf_counter()
    out = {"model_id": emb.model_id, "kb_version": kb.version,
           "cosines_golden_tune": top_cosines(kb, sets["golden_tune"])}
    runs = [("as_is", None)] + ([("mapped_range", mapped_range(base_cos, cos))] if base_cos else [])
    saved = ans.DENSE_FLOOR, ans.DENSE_CEIL
    try:
        for label, rng in runs:
            if rng:
                ans.DENSE_FLOOR, ans.DENSE_CEIL = rng
                out["dense_range"] = list(rng)
            kb.clear_query_cache()
            scores = kq.score_sets(kb, blind)
            for name, qset in sets.items():
                scores[name].update(dense_only(kb, qset))
            out["scores" if label == "as_is" else "scores_mapped_range"] = scores
    finally:
        ans.DENSE_FLOOR, ans.DENSE_CEIL = saved
    out["seconds"] = round(time.perf_counter() - t, 1)
    return out, cos


def print_table(result: dict) -> None:
    from benchmarks.common import table

    base, ft = result["base"]["scores"], result["finetuned"]["scores"]
    ftm = result["finetuned"].get("scores_mapped_range") or {}
    rows = []
    for name in (*HELDOUT, *TUNING):
        if name not in base:
            continue
        label = f"{name}{' (held out)' if name in HELDOUT else ''}"
        for m in SHOWN:
            b, f = base[name].get(m), ft[name].get(m)
            delta = "" if b is None or f is None else f"{f - b:+.3f}".rstrip("0").rstrip(".") if m != "wrong_type" else f"{f - b:+d}"
            fm = (ftm.get(name) or {}).get(m, "—")
            rows.append([label, m, b, f, fm, delta])
            label = ""
    rng = result["finetuned"].get("dense_range")
    print(table(rows, ["set", "metric", "base", "fine-tuned", f"fine-tuned, range {rng}", "Δ (as is)"]))
    for k in ("base", "finetuned"):
        print(f"{k}: {result[k]['model_id']}  top cosine (golden tune): {result[k]['cosines_golden_tune']}")


def main(argv: list[str]) -> int:
    from bot.build.finetune import DEFAULT_OUT, INFO_FILE
    from bot.settings import DEFAULT_EMBEDDING_MODEL

    p = argparse.ArgumentParser(prog="python -m benchmarks.kb_finetune")
    p.add_argument("--model", type=Path, default=DEFAULT_OUT, help="the fine-tuned folder")
    p.add_argument("--base", type=Path, default=DEFAULT_EMBEDDING_MODEL, help="the base folder")
    p.add_argument("--finetune-seconds", type=float, default=None, help="measured wall time of the fine-tune")
    p.add_argument("--note", default="", help="what this run is (recorded in the JSON)")
    p.add_argument("--out", default="kb_finetune")
    args = p.parse_args(argv)
    info_path = args.model / INFO_FILE
    result = {"what": "KB quality with the base vs the plan-fine-tuned embedding model",
              "tuning_sets": list(TUNING), "heldout_sets": list(HELDOUT), "note": args.note,
              "finetune": json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else None,
              "finetune_seconds": args.finetune_seconds,
              }
    result["base"], base_cos = measure(args.base, BLIND)
    result["finetuned"], _ = measure(args.model, BLIND, base_cos)
    from benchmarks.common import save

    path = save(args.out, result)
    print_table(result)
    print(f"\nsaved {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
