"""Embedder works with any local sentence-transformers folder: dimension and prefixes come from the folder."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.kb import embedding
from bot.kb.embedding import Embedder, EmbeddingModelError

TEXTS = ["困难残疾人生活补贴", "重度残疾人护理补贴申请条件", "每千人口拥有3岁以下婴幼儿托位数", "technical skills 技能提升"]
BGE_QUERY = "为这个句子生成表示以用于检索相关文章："


def make_tiny_st_folder(dest: Path, dim: int = 48, prompts: dict[str, str] | None = None, seed: int = 0) -> Path:
    """A random-weight 2-layer BERT wrapped as a sentence-transformers folder, built offline."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules.normalize import Normalize
    from sentence_transformers.base.modules.transformer import Transformer
    from sentence_transformers.sentence_transformer.modules.pooling import Pooling
    from transformers import BertConfig, BertModel, BertTokenizerFast

    hf = dest.parent / f"{dest.name}-hf"
    hf.mkdir(parents=True)
    chars = sorted(set("".join(TEXTS) + BGE_QUERY + "query: passage: abcdefghijklmnopqrstuvwxyz0123456789"))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [c for c in chars if not c.isspace()]
    (hf / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(hf / "vocab.txt")).save_pretrained(str(hf))
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=dim, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=2 * dim, max_position_embeddings=128)
    BertModel(config).save_pretrained(str(hf))
    st = SentenceTransformer(
        modules=[Transformer(str(hf), max_seq_length=128), Pooling(dim, pooling_mode="mean"), Normalize()],
        prompts=prompts, device="cpu",
    )
    st.save(str(dest))
    if prompts is None:  # a folder without any prompts at all, as older sentence-transformers wrote them
        cfg_path = dest / "config_sentence_transformers.json"
        cfg = json.loads(cfg_path.read_text())
        cfg.pop("prompts", None)
        cfg_path.write_text(json.dumps(cfg))
    return dest


@pytest.fixture(scope="module")
def plain_folder(tmp_path_factory):
    return make_tiny_st_folder(tmp_path_factory.mktemp("st") / "tiny-plain", dim=48)


@pytest.fixture(scope="module")
def bge_like_folder(tmp_path_factory):
    prompts = {"query": BGE_QUERY, "passage": ""}
    return make_tiny_st_folder(tmp_path_factory.mktemp("st") / "tiny-bge", dim=64, prompts=prompts, seed=1)


def test_folder_without_prompts_gets_no_prefix(plain_folder):
    emb = Embedder(plain_folder)
    emb.warm_up()
    assert emb.dimension == 48
    assert (emb.query_prefix, emb.passage_prefix) == ("", "")
    q, p = emb.embed_queries(TEXTS), emb.embed_passages(TEXTS)
    assert q.shape == (len(TEXTS), 48) and q.dtype == np.float32
    np.testing.assert_allclose(q, p, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-5)


def test_other_prompts_are_taken_from_the_folder(bge_like_folder):
    emb = Embedder(bge_like_folder)
    assert emb.dimension == 64
    assert emb.query_prefix == BGE_QUERY and emb.passage_prefix == ""
    q = emb.embed_queries(TEXTS)
    # the query prefix is prepended verbatim, the passage side gets none
    np.testing.assert_allclose(q, emb.embed_passages([BGE_QUERY + t for t in TEXTS]), atol=1e-5)
    assert not np.allclose(q, emb.embed_passages(TEXTS), atol=1e-3)


def test_document_prompt_serves_as_passage_prefix(tmp_path):
    folder = make_tiny_st_folder(tmp_path / "tiny-doc", dim=32, prompts={"query": "q: ", "document": "d: "})
    assert embedding.read_prompts(folder) == ("q: ", "d: ")
    emb = Embedder(folder)
    direct = emb.model.encode(["d: 残疾", "q: 残疾"], normalize_embeddings=True, convert_to_numpy=True)
    np.testing.assert_allclose(emb.embed_passages(["残疾"])[0], direct[0], atol=1e-5)
    np.testing.assert_allclose(emb.embed_queries(["残疾"])[0], direct[1], atol=1e-5)


def test_batch_equals_one_by_one(bge_like_folder):
    """Padding in a batch of unequal lengths must not change any vector."""
    emb = Embedder(bge_like_folder)
    batch = emb.embed_passages(TEXTS)
    single = np.vstack([emb.embed_passages([t]) for t in TEXTS])
    np.testing.assert_allclose(batch, single, atol=1e-5)


def test_empty_input_and_single_string(plain_folder):
    emb = Embedder(plain_folder)
    assert emb.embed_queries([]).shape == (0, 48)
    with pytest.raises(TypeError):
        emb.embed_queries("不是列表")


def test_model_id_is_name_plus_content_hash(plain_folder, tmp_path):
    import shutil

    a = Embedder(plain_folder).model_id
    assert a.startswith("tiny-plain-") and len(a.rsplit("-", 1)[1]) == 12
    assert Embedder(plain_folder).model_id == a
    copy = tmp_path / "tiny-plain"
    shutil.copytree(plain_folder, copy)
    assert Embedder(copy).model_id == a  # same content, same id
    cfg = copy / "config_sentence_transformers.json"
    cfg.write_text(cfg.read_text() + "\n")
    assert Embedder(copy).model_id != a


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_missing_or_invalid_folder_says_how_to_fix(tmp_path, make):
    folder = tmp_path / "nope"
    if make == "empty":
        folder.mkdir()
    emb = Embedder(folder)  # cheap: nothing is loaded before warm_up
    with pytest.raises(EmbeddingModelError) as err:
        emb.warm_up()
    assert "make model" in str(err.value) and "EMBEDDING_MODEL" in str(err.value)


def test_corrupt_weights_say_how_to_fix(plain_folder, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(plain_folder, broken)
    (broken / "model.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(EmbeddingModelError, match="make model"):
        Embedder(broken).warm_up()


def test_embedding_model_env_overrides_default(monkeypatch, plain_folder):
    monkeypatch.setenv("EMBEDDING_MODEL", str(plain_folder))
    emb = Embedder()
    assert emb.model_path == plain_folder
    assert emb.dimension == 48
    monkeypatch.delenv("EMBEDDING_MODEL")
    assert Embedder().model_path == embedding.DEFAULT_EMBEDDING_MODEL
