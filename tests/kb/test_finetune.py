"""The plan fine-tune (bot/build/finetune.py): its pairs really come from the plan, are reproducible, make
clean in-batch negatives, and a short training run moves a trained pair's query towards its passage."""
from __future__ import annotations

import random

import numpy as np
import pytest

from bot.build import finetune as ft
from bot.kb.parser import split_sentences
from bot.settings import DEFAULT_EMBEDDING_MODEL
from bot.text_normalize import normalize


@pytest.fixture(scope="module")
def chunks():
    return ft.plan_chunks()


@pytest.fixture(scope="module")
def groups():
    return ft.load_synonym_groups()


@pytest.fixture(scope="module")
def pairs(chunks, groups):
    return ft.build_pairs(chunks, groups)


def _n(text: str) -> str:
    return normalize(text).replace(" ", "")


def test_pairs_cover_every_kind_within_the_cap(pairs):
    kinds = {p.kind for p in pairs}
    assert kinds == {"heading", "indicator", "cloze", "clause", "synonym", "question"}
    assert 500 <= len(pairs) <= ft.TrainConfig.max_pairs


def test_cloze_query_is_a_sentence_of_its_passage_and_the_rest_is_kept(pairs, chunks):
    by_id = {c["chunk_id"]: c for c in chunks}
    cloze = [p for p in pairs if p.kind in ("cloze", "clause")]
    assert cloze
    removed = 0
    for p in cloze:
        source = _n(by_id[p.chunk_id]["text"])
        assert _n(p.query) in source, p
        # the passage is the same chunk: every other sentence of it is still there
        others = [s for s in split_sentences(by_id[p.chunk_id]["text"]) if _n(p.query) not in _n(s)]
        assert others and all(_n(s) in _n(p.passage) for s in others), p
        removed += _n(p.query) not in _n(p.passage)
    assert removed >= 0.8 * len(cloze)  # inverse cloze: the sentence is usually taken out of its passage


def test_heading_and_indicator_pairs_point_at_their_own_chunk(pairs, chunks):
    by_id = {c["chunk_id"]: c for c in chunks}
    for p in pairs:
        c = by_id[p.chunk_id]
        if p.kind == "heading":
            heads = _n(" ".join([c.get("lead", ""), c.get("box", ""), c.get("section", "")]))
            assert _n(p.query) in heads, p
            assert _n(c["text"])[-20:] in _n(p.passage), p  # the passage is that heading's own text
        elif p.kind == "indicator":
            assert p.query == normalize(c["indicator"]["name"]) and c["kind"] == "indicator"


def test_question_pairs_ask_what_their_passage_states(pairs, chunks):
    by_id = {c["chunk_id"]: c for c in chunks}
    questions = [p for p in pairs if p.kind == "question"]
    assert len(questions) >= 50
    asks = ft._HEADING_ASKS + ft._INDICATOR_ASKS
    for p in questions:
        c = by_id[p.chunk_id]
        heads = " ".join([c.get("lead", ""), c.get("box", ""), c.get("section", "")])
        source = _n(c["text"] + heads if c["kind"] != "indicator" else c["indicator"]["name"])
        core = _n(p.query)
        for ask in sorted(asks, key=len, reverse=True):
            if core.endswith(ask):
                core = core[: -len(ask)]
                break
        else:
            assert "多少" in core, p  # a figure clause with its number asked for
        parts = [x for x in core.split("多少") if x]
        assert parts and all(x in source for x in parts), p


def _swapped_back(query: str, groups) -> set[str]:
    """Every text made from `query` by putting another member of a group for one or all uses of a term."""
    out = set()
    for g in groups:
        for a in g:
            for b in g:
                if a == b or b not in query:
                    continue
                out.add(query.replace(b, a))
                start = query.find(b)
                while start >= 0:
                    out.add(query[:start] + a + query[start + len(b):])
                    start = query.find(b, start + 1)
    return out


def test_synonym_pairs_swap_one_term_of_a_group(pairs, chunks, groups):
    by_id = {c["chunk_id"]: c for c in chunks}
    syn = [p for p in pairs if p.kind == "synonym"]
    assert len(syn) >= 50
    for p in syn:
        source = _n(by_id[p.chunk_id]["text"])
        assert _n(p.query) not in source, p  # it is a rewrite, not a copy
        assert any(q in source for q in _swapped_back(_n(p.query), groups)), p
        assert source[:30] in _n(p.passage) or source[-30:] in _n(p.passage)


def test_pairs_are_deterministic(chunks, groups, pairs):
    assert ft.build_pairs(chunks, groups) == pairs
    assert ft.build_pairs(chunks, groups, seed=ft.SEED + 1) != pairs


def test_batches_never_repeat_a_passage_or_a_query(pairs):
    batches = ft.batches(pairs, 32, random.Random(0))
    assert sum(len(b) for b in batches) >= len(pairs) - 32
    for b in batches:
        assert len({p.chunk_id for p in b}) == len(b)
        assert len({p.query for p in b}) == len(b)


def test_stamp_is_keyed_on_plan_synonyms_base_and_script():
    names = {p.name for p in ft.stamp_inputs(DEFAULT_EMBEDDING_MODEL)}
    assert {"documents.yml", "synonyms.yml", "shanxi-14th-fyp-high-quality-life.txt", "finetune.py",
            "parser.py", DEFAULT_EMBEDDING_MODEL.name} <= names


def _margins(emb, pairs) -> np.ndarray:
    """Per pair: cosine to its own passage minus the mean cosine to the other pairs' passages."""
    q = emb.embed_queries([p.query for p in pairs])
    d = emb.embed_passages([p.passage for p in pairs])
    sims = q @ d.T
    own = np.diag(sims)
    others = (sims.sum(1) - own) / (len(pairs) - 1)
    return own - others


def test_a_short_training_run_pulls_trained_pairs_together_and_the_folder_loads(pairs, tmp_path):
    from bot.kb.embedding import Embedder, read_prompts

    picked, seen = [], set()
    for kind in ("synonym", "cloze"):   # one pair per passage: a batch never holds two pairs of one passage
        fresh = [p for p in pairs if p.kind == kind and p.chunk_id not in seen]
        for p in fresh:
            if p.chunk_id not in seen and len([x for x in picked if x.kind == kind]) < 4:
                picked.append(p)
                seen.add(p.chunk_id)
    assert len(picked) == 8
    base = Embedder(DEFAULT_EMBEDDING_MODEL)
    before = _margins(base, picked)
    cfg = ft.TrainConfig(batch_size=8, epochs=4, lr=1e-4, warmup=0.0, max_query_tokens=32,
                         max_passage_tokens=64)
    out = tmp_path / "tuned"
    stats = ft.finetune_folder(DEFAULT_EMBEDDING_MODEL, picked, out, cfg, progress=lambda m: None)
    assert stats["steps"] == 4
    tuned = Embedder(out)  # loads exactly as the KB loads a model folder
    assert read_prompts(out) == read_prompts(DEFAULT_EMBEDDING_MODEL) == ("query: ", "passage: ")
    assert tuned.dimension == base.dimension
    after = _margins(tuned, picked)
    assert after.mean() > before.mean() + 0.01, (before, after)
    assert tuned.model_id != base.model_id
