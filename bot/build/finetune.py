"""Fine-tune the embedding model on the plan itself: pseudo-query → passage pairs, in-batch negatives.

No labelled questions are used (the golden and blind sets stay measurements). The pairs come from the
built-in documents as bot/kb/parser.py cuts them:

- heading → its paragraphs (an item's lead sentence, a 专栏 or section title → the text under it);
- indicator name → its table row;
- inverse cloze: one sentence (or one clause of it) → its passage without that sentence;
- synonym rewrites: a clause with an official term swapped for another member of its policy_kb/synonyms.yml
  group (colloquial ↔ official) → the passage that says it officially.

Queries get the folder's "query: " prompt, passages "passage: " and the text retrieval embeds
(bot.kb.index.index_text). Training is a plain torch loop with MultipleNegativesRankingLoss (cross-entropy
over scaled cosines against the other passages of the batch; no two pairs of a batch share a passage or a
query), embeddings and the lower half of the layers frozen, short sequences and one epoch, so it fits two
CPU cores in a few minutes.

    python -m bot.build.finetune [--out DIR] [--base DIR] [--force]

Deterministic (fixed seeds), idempotent (bot.buildstamp, keyed on the documents, synonyms, the base model
folder, the parser and this script) and atomic (written under a temporary name, then renamed into place).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

from bot import buildstamp
from bot.build.model import swap_into_place
from bot.settings import DEFAULT_EMBEDDING_MODEL, VAR

STAMP_NAME = "embedding_finetune"
DEFAULT_OUT = VAR / "models" / "multilingual-e5-small-plan"
SEED = 20211228  # the plan's date
INFO_FILE = "finetune.json"


@dataclass(frozen=True)
class TrainConfig:
    """Sized for 2 shared CPU cores: ~1.2k pairs, one epoch, about 5 minutes."""

    batch_size: int = 32
    epochs: int = 1
    lr: float = 2e-5
    warmup: float = 0.1
    # MultipleNegativesRankingLoss: cosine × scale → cross-entropy. 20 (sentence-transformers' default) pulled
    # e5's cosines from ~0.89 to ~0.69 and broke the calibrated null threshold; 50 keeps them near 0.82.
    scale: float = 50.0
    max_query_tokens: int = 48
    max_passage_tokens: int = 128
    max_pairs: int = 1200
    # Only the top layers learn: the embeddings and the lower layers stay as e5 made them, so no graph is
    # kept for them and a step costs ~2 forward passes instead of ~3 (about 3.5 s for 32 pairs here).
    frozen_layers: int = 6
    seed: int = SEED
    threads: int = 2


@dataclass(frozen=True)
class Pair:
    query: str  # without the prompt
    passage: str  # without the prompt: what retrieval embeds for the chunk (minus the cloze sentence)
    kind: str  # heading | indicator | cloze | clause | synonym
    chunk_id: str
    source: str  # the chunk's own text (tests check the query comes from it)


Progress = Callable[[str], None]


def _progress(msg: str) -> None:
    print(f"[build.finetune] {msg}", flush=True)


# ------------------------------------------------------------------------------------------ pairs
_END = "。！？；…"
_HEAD_NUM = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十0-9]+[章节部分]+)\s*")
_CLAUSE_SPLIT = re.compile(r"(?<=[，,：:])")
# Question-shaped pseudo-queries: residents ask, the plan states.
_FIGURE = re.compile(r"\d+(?:\.\d+)?(?![\d.Gg])")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_HEADING_ASKS = ("有哪些措施", "是怎么安排的", "具体要做什么", "怎么做", "是什么意思")
_INDICATOR_ASKS = ("目标是多少", "到2025年要达到多少", "2020年是多少", "指标是多少")
MIN_QUERY_CHARS = 6
MAX_QUERY_CHARS = 120


def plan_chunks() -> list[dict]:
    """The built-in documents' chunks exactly as a KB build makes them (bot.kb.build)."""
    from bot.kb import build

    chunks, _ = build._chunks_for(build.builtin_documents(), lambda m: None)
    return chunks


def _heading(text: str) -> str:
    return _HEAD_NUM.sub("", text or "").strip().rstrip(_END)


def _strip(sentence: str) -> str:
    return sentence.strip().rstrip(_END + "”’」』）)").strip() if sentence else ""


def _clauses(sentence: str) -> list[str]:
    return [c.strip().rstrip("，,：:") for c in _CLAUSE_SPLIT.split(_strip(sentence)) if c.strip()]


def _passage(chunk: dict, text: str | None = None) -> str:
    from bot.kb.index import index_text

    return index_text(chunk if text is None else {**chunk, "text": text})


def _synonym_rewrites(text: str, groups: list[list[str]], rng: random.Random) -> list[str]:
    """`text` with one term of each group it mentions replaced by another member of that group."""
    out = []
    for group in groups:
        present = sorted((t for t in group if t in text), key=len, reverse=True)
        if not present:
            continue
        term = present[0]
        # never a member the text already has (教育学校 → 学校学校): the rewrite must read as a sentence
        others = [t for t in group if t != term and t not in term and term not in t and t not in text]
        if others:
            out.append(text.replace(term, rng.choice(others)))
    return out


def build_pairs(chunks: list[dict], synonym_groups: list[list[str]], seed: int = SEED,
                max_pairs: int = TrainConfig.max_pairs) -> list[Pair]:
    """Pseudo-query → passage pairs from the parsed chunks; the same inputs always give the same list."""
    from bot.kb.parser import split_sentences
    from bot.text_normalize import normalize

    rng = random.Random(seed)
    pairs: list[Pair] = []
    seen: set[tuple[str, str]] = set()

    def add(query: str, passage: str, kind: str, chunk: dict) -> None:
        q = normalize(query).strip()
        if not (MIN_QUERY_CHARS <= len(q) <= MAX_QUERY_CHARS) or not passage.strip():
            return
        if (q, chunk["chunk_id"]) in seen:
            return
        seen.add((q, chunk["chunk_id"]))
        pairs.append(Pair(q, passage, kind, chunk["chunk_id"], chunk["text"]))

    by_heading: dict[str, list[dict]] = {}
    for c in chunks:
        if c.get("kind") == "notice":
            continue
        if c.get("kind") == "indicator":
            row = c["indicator"]
            add(row["name"], _passage(c), "indicator", c)
            add(row["name"] + rng.choice(_INDICATOR_ASKS), _passage(c), "question", c)
            continue
        text = c["text"]
        sentences = split_sentences(text)
        lead = c.get("lead") or ""
        # heading → its paragraphs: the lead item's own body, and the 专栏 / section titles above it
        body = text[len(lead):].lstrip(_END + "，, ").strip() if lead and text.startswith(lead) else text
        if lead and body:
            add(_heading(lead), _passage({**c, "lead": ""}, body), "heading", c)
            add(_heading(lead) + rng.choice(_HEADING_ASKS), _passage({**c, "lead": ""}, body), "question", c)
        for h in {c.get("box") or "", (c.get("section") or "").split(" > ")[-1]}:
            if h and _heading(h) and _heading(h) != _heading(lead):
                by_heading.setdefault(_heading(h), []).append(c)
        # inverse cloze: a sentence (or a clause of it) → the passage without that sentence
        if len(sentences) >= 2:
            for s in sentences:
                if lead and s.startswith(lead.rstrip(_END)):
                    continue
                rest = text.replace(s, "", 1).strip()
                keep = rng.random() < 0.1  # as in ICT: now and then the sentence stays, so overlap still counts
                passage = _passage(c, text if keep else rest)
                add(_strip(s), passage, "cloze", c)
                long_clauses = [cl for cl in _clauses(s) if len(cl) >= 8]
                if len(long_clauses) >= 2:
                    add(rng.choice(long_clauses), passage, "clause", c)
        # a figure asked for: the clause that states it, its number put as 多少 → the passage stating it
        for s in sentences:
            for cl in _clauses(s):
                if _FIGURE.search(cl) and not _YEAR.fullmatch(_FIGURE.search(cl).group()):
                    add(_FIGURE.sub("多少", cl, count=1), _passage(c), "question", c)
        # colloquial ↔ official: a clause with a synonym swapped → the passage that states it officially
        for s in sentences:
            for cl in _clauses(s):
                for rewritten in _synonym_rewrites(cl, synonym_groups, rng):
                    add(rewritten, _passage(c), "synonym", c)
    for h in sorted(by_heading):
        group = by_heading[h]
        for c in (group if len(group) <= 3 else rng.sample(group, 3)):
            add(h, _passage({**c, "section": "", "box": ""}), "heading", c)

    if len(pairs) > max_pairs:  # keep every kind represented: sample evenly within each kind
        by_kind: dict[str, list[Pair]] = {}
        for p in pairs:
            by_kind.setdefault(p.kind, []).append(p)
        share = max_pairs / len(pairs)
        kept = []
        for kind in sorted(by_kind):
            group = by_kind[kind]
            kept += rng.sample(group, min(len(group), max(1, round(len(group) * share))))
        pairs = kept[:max_pairs]
    rng.shuffle(pairs)
    return pairs


def load_synonym_groups() -> list[list[str]]:
    from bot.kb.textproc import Synonyms

    return Synonyms.load().groups


def batches(pairs: list[Pair], batch_size: int, rng: random.Random) -> list[list[Pair]]:
    """Shuffled batches in which no passage (chunk) and no query occurs twice: in-batch negatives
    must really be negatives. Pairs that do not fit a batch go to the next one."""
    order = list(pairs)
    rng.shuffle(order)
    out: list[list[Pair]] = []
    pending = order
    while pending:
        batch, used_c, used_q, rest = [], set(), set(), []
        for p in pending:
            if len(batch) < batch_size and p.chunk_id not in used_c and p.query not in used_q:
                batch.append(p)
                used_c.add(p.chunk_id)
                used_q.add(p.query)
            else:
                rest.append(p)
        if len(batch) < 2:  # what is left cannot form a batch with a negative
            break
        out.append(batch)
        pending = rest
    return out


# ------------------------------------------------------------------------------------------ training
def _encode(model, tokenizer, texts: list[str], max_len: int):
    """Mean-pooled, L2-normalised embeddings, as the folder's Pooling(mean) + Normalize modules compute."""
    import torch
    import torch.nn.functional as F

    enc = tokenizer(texts, padding=True, truncation=True, max_length=max_len, return_tensors="pt")
    out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
    pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return F.normalize(pooled, p=2, dim=-1)


def train(st_model, pairs: list[Pair], cfg: TrainConfig, query_prefix: str, passage_prefix: str,
          progress: Progress = _progress) -> dict:
    """One pass of MultipleNegativesRankingLoss over `pairs`, updating `st_model` in place."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    transformer = st_model[0]
    model, tokenizer = transformer.auto_model, transformer.tokenizer
    frozen = [*model.embeddings.parameters(),
              *(p for layer in model.encoder.layer[:cfg.frozen_layers] for p in layer.parameters())]
    for p in frozen:
        p.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    rng = random.Random(cfg.seed)
    plan = [b for _ in range(cfg.epochs) for b in batches(pairs, cfg.batch_size, rng)]
    total = len(plan)
    warm = max(1, int(total * cfg.warmup))
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    model.train()
    losses, t0 = [], time.perf_counter()
    every = max(1, total // 10)
    for step, batch in enumerate(plan):
        q = _encode(model, tokenizer, [query_prefix + p.query for p in batch], cfg.max_query_tokens)
        d = _encode(model, tokenizer, [passage_prefix + p.passage for p in batch], cfg.max_passage_tokens)
        logits = cfg.scale * q @ d.T
        loss = F.cross_entropy(logits, torch.arange(len(batch)))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if (step + 1) % every == 0 or step + 1 == total:
            recent = losses[-every:]
            progress(f"  训练 {step + 1}/{total} 批，损失 {sum(recent) / len(recent):.3f}，"
                     f"已用 {time.perf_counter() - t0:.0f} 秒")
    model.eval()
    for p in frozen:
        p.requires_grad_(True)
    return {"steps": total, "first_loss": round(sum(losses[:every]) / max(1, len(losses[:every])), 4),
            "last_loss": round(sum(losses[-every:]) / max(1, len(losses[-every:])), 4)}


# ------------------------------------------------------------------------------------------ the build
def stamp_inputs(base: Path) -> list[Path]:
    from bot.kb import build
    from bot.kb.textproc import SYNONYMS_PATH

    kb_dir = Path(build.__file__).resolve().parent
    docs = [d.abspath() for d in build.builtin_documents()]
    return [build.DOCUMENTS_YML, *docs, SYNONYMS_PATH, Path(base).resolve(), kb_dir / "parser.py",
            kb_dir / "index.py", Path(__file__).resolve()]


def finetune_folder(base: Path, pairs: list[Pair], dest: Path, cfg: TrainConfig = TrainConfig(),
                    progress: Progress = _progress) -> dict:
    """Load `base`, train on `pairs`, save a sentence-transformers folder at `dest` (prompts kept)."""
    from sentence_transformers import SentenceTransformer

    from bot.kb.embedding import read_prompts

    query_prefix, passage_prefix = read_prompts(base)
    st = SentenceTransformer(str(base), device="cpu", local_files_only=True)
    stats = train(st, pairs, cfg, query_prefix, passage_prefix, progress)
    st.save(str(dest))
    for p in dest.rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    return stats


def build(out: Path = DEFAULT_OUT, base: Path = DEFAULT_EMBEDDING_MODEL, force: bool = False,
          cfg: TrainConfig = TrainConfig()) -> Path:
    """Build the fine-tuned folder unless it is fresh; returns its path."""
    out, base = Path(out).resolve(), Path(base).resolve()
    if not (base / "modules.json").is_file():
        raise RuntimeError(f"基础模型不存在：{base}（先运行 make model）")
    inputs = stamp_inputs(base)
    stamp = f"{STAMP_NAME}-{out.name}"
    if not force and buildstamp.is_fresh(stamp, inputs, [out / "modules.json", out / "model.safetensors"]):
        _progress(f"微调模型已是最新，跳过：{out}")
        return out
    t0 = time.perf_counter()
    chunks = plan_chunks()
    pairs = build_pairs(chunks, load_synonym_groups(), cfg.seed, cfg.max_pairs)
    kinds = {k: sum(1 for p in pairs if p.kind == k) for k in sorted({p.kind for p in pairs})}
    _progress(f"由规划生成 {len(pairs)} 个训练对（{len(chunks)} 个片段）："
              + "，".join(f"{k} {n}" for k, n in kinds.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        _progress(f"微调 {base.name}：{cfg.epochs} 轮，每批 {cfg.batch_size} 对，批内负例，"
                  f"{cfg.threads} 个线程（约数分钟）")
        stats = finetune_folder(base, pairs, work, cfg)
        from bot.kb.embedding import Embedder, folder_content_hash

        info = {"base": base.name, "base_sha256": folder_content_hash(base), "pairs": len(pairs),
                "pair_kinds": kinds, "config": asdict(cfg), **stats}
        (work / INFO_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        emb = Embedder(work)  # the folder must load exactly as the KB will load it
        vec = emb.embed_queries(["托位数目标是多少"])
        if vec.shape != (1, emb.dimension) or not math.isfinite(float(vec.sum())):
            raise RuntimeError("微调后的模型无法正常编码")
        swap_into_place(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    buildstamp.mark(stamp, inputs)
    _progress(f"完成：{out}，用时 {time.perf_counter() - t0:.1f} 秒")
    return out


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.build.finetune", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="target folder")
    ap.add_argument("--base", type=Path, default=DEFAULT_EMBEDDING_MODEL, help="base sentence-transformers folder")
    ap.add_argument("--force", action="store_true", help="rebuild even when the stamp is fresh")
    ap.add_argument("--lr", type=float, default=TrainConfig.lr)
    ap.add_argument("--scale", type=float, default=TrainConfig.scale)
    ap.add_argument("--max-pairs", type=int, default=TrainConfig.max_pairs)
    ap.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    args = ap.parse_args(list(argv) if argv is not None else None)
    cfg = TrainConfig(lr=args.lr, scale=args.scale, max_pairs=args.max_pairs, batch_size=args.batch_size)
    try:
        build(args.out, args.base, force=args.force, cfg=cfg)
    except Exception as exc:  # a build step: say what failed, non-zero exit, the old folder untouched
        print(f"[build.finetune] 失败：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
