"""Curated answers (the hotline's FAQ): versioned sets with a candidate, matched before retrieval.

    <kb_root>/curated/<version>.json   one complete set {"version", "created_at", "note", "items": [...]}
    <kb_root>/curated/CURRENT          the serving set (replaced atomically)
    <kb_root>/curated/CANDIDATE        the set an editor prepared, until a publisher publishes it

An item is {"id", "question", "paraphrases", "answer", "source", "citation", "updated_by", "updated_at"}.
The citation's quote is verbatim source text and every figure of the answer must appear in it, the
same rule as the KB's own answers. `CuratedAnswers.answer()` is what bot.kb.service calls first.
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import numpy as np

from bot.kb import store
from bot.text_normalize import normalize

# A paraphrase counts as the same question when its embedding is this close AND most of its words are
# there (e5-small puts unrelated Chinese questions at 0.80-0.88, so the cosine alone is not enough).
COSINE_MIN = 0.93
TOKEN_F1_MIN = 0.6
EXACT_CONFIDENCE = 1.0
_FILLER = re.compile(r"[\s\W_]+|请问|你好|您好|我想问一下|我想问|想问一下|想问|一下|吗|呢|啊|呀|吧|了")


def canonical(text: str) -> str:
    """Question text without punctuation, spaces and particles, for exact matching."""
    return _FILLER.sub("", normalize(text).lower())


def _tokens(text: str) -> set[str]:
    from bot.kb.textproc import tokenize

    return set(tokenize(text))


def token_f1(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    both = len(a & b)
    if not both:
        return 0.0
    p, r = both / len(a), both / len(b)
    return 2 * p * r / (p + r)


class CuratedStore:
    """Versions and pointers of curated answer sets (files, like the KB's own versions)."""

    def __init__(self, kb_root: Path) -> None:
        self.folder = Path(kb_root) / "curated"

    def _path(self, version: str) -> Path:
        if not re.fullmatch(r"c[0-9A-Za-z-]{1,60}", version or ""):
            raise KeyError(version)
        return self.folder / f"{version}.json"

    def pointer(self, name: str = "CURRENT") -> Optional[str]:
        try:
            value = (self.folder / name).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        try:
            return value if self._path(value).exists() else None
        except KeyError:
            return None

    def set_pointer(self, version: Optional[str], name: str = "CURRENT") -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if version is None:
            (self.folder / name).unlink(missing_ok=True)
            return
        if not self._path(version).exists():
            raise FileNotFoundError(version)
        store.write_atomic(self.folder / name, (version + "\n").encode())

    def stamp(self) -> Optional[tuple]:
        return store.pointer_stamp(self.folder)

    def load(self, version: Optional[str]) -> dict[str, Any]:
        if not version:
            return {"version": None, "items": []}
        return json.loads(self._path(version).read_text(encoding="utf-8"))

    def items(self, name: str = "CURRENT") -> list[dict[str, Any]]:
        return self.load(self.pointer(name))["items"]

    def save(self, items: list[dict[str, Any]], note: str) -> str:
        """Write a new complete set; returns its version id (no pointer moves)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        version = f"c{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"
        body = {"version": version, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "note": note, "items": items}
        store.write_atomic(self._path(version), json.dumps(body, ensure_ascii=False, indent=1).encode())
        return version

    def versions(self) -> list[dict[str, Any]]:
        out = []
        if not self.folder.exists():
            return out
        current, candidate = self.pointer(), self.pointer("CANDIDATE")
        for path in sorted(self.folder.glob("c*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            out.append({"version": data["version"], "created_at": data.get("created_at"), "note": data.get("note", ""),
                        "items": len(data.get("items", [])), "current": data["version"] == current,
                        "candidate": data["version"] == candidate})
        return out

    def working_items(self) -> list[dict[str, Any]]:
        """What an editor edits: the candidate when there is one, else the serving set."""
        return self.items("CANDIDATE") if self.pointer("CANDIDATE") else self.items()


def new_item_id() -> str:
    return "faq-" + uuid.uuid4().hex[:10]


class Matcher:
    """One set's variants (question + paraphrases), their canonical forms, tokens and embeddings."""

    def __init__(self, items: list[dict[str, Any]], embedder=None) -> None:
        self.items = items
        self.variants: list[tuple[int, str]] = [(i, v) for i, it in enumerate(items)
                                                for v in [it["question"], *it.get("paraphrases", [])] if v.strip()]
        self.canon = {canonical(v): i for i, v in self.variants}
        self.tokens = [_tokens(v) for _, v in self.variants]
        self.embedder = embedder
        self.vectors: Optional[np.ndarray] = None
        if embedder is not None and self.variants:
            self.vectors = np.asarray(embedder.embed_queries([normalize(v) for _, v in self.variants]), np.float32)

    def match(self, question: str, query_vector: Optional[np.ndarray] = None) -> Optional[tuple[dict, float]]:
        if not self.variants:
            return None
        i = self.canon.get(canonical(question))
        if i is not None:
            return self.items[i], EXACT_CONFIDENCE
        q_tokens = _tokens(question)
        f1 = np.array([token_f1(q_tokens, t) for t in self.tokens])
        if self.vectors is not None and query_vector is not None:
            cos = self.vectors @ np.asarray(query_vector, np.float32)
            ok = (cos >= COSINE_MIN) & (f1 >= TOKEN_F1_MIN)
            if not ok.any():
                return None
            best = int(np.argmax(np.where(ok, cos + f1, -1)))
            return self.items[self.variants[best][0]], round(float(min(1.0, (cos[best] + f1[best]) / 2)), 3)
        best = int(np.argmax(f1))  # no embedding model: words only, stricter
        if f1[best] >= 0.85:
            return self.items[self.variants[best][0]], round(float(f1[best]), 3)
        return None


def result_for(item: dict[str, Any], confidence: float, kb_version: str) -> dict[str, Any]:
    """The KB answer shape (contract + kind/passages) for a curated answer, with its source line."""
    cite = item["citation"]
    return {"answer": item["answer"], "citations": [cite], "confidence": confidence, "kb_version": kb_version,
            "kind": "curated", "passages": [], "curated_id": item["id"], "source_label": item["source_label"],
            "source": item["source_label"].removeprefix("出处：")}


class CuratedAnswers:
    """The serving set for one KB root, reloaded when CURRENT changes (or a pinned set, for impact reports)."""

    def __init__(self, kb_root: Path, items: Optional[list[dict[str, Any]]] = None) -> None:
        self.store = CuratedStore(kb_root)
        self._pinned = items
        self._matcher: Optional[Matcher] = None
        self._stamp: Any = ("unset",)
        self._lock = threading.Lock()

    def _current(self, embedder) -> Matcher:
        if self._pinned is not None:
            if self._matcher is None:
                self._matcher = Matcher(self._pinned, embedder)
            return self._matcher
        stamp = self.store.stamp()
        if stamp != self._stamp or self._matcher is None:
            with self._lock:
                if stamp != self._stamp or self._matcher is None:
                    try:
                        self._matcher = Matcher(self.store.items(), embedder)
                    except (OSError, ValueError, KeyError):
                        self._matcher = self._matcher or Matcher([], None)
                    self._stamp = stamp
        return self._matcher

    def answer(self, question: str, kb_version: str, embedder=None,
               query_vector: Optional[np.ndarray] = None) -> Optional[dict[str, Any]]:
        matcher = self._current(embedder)
        if not matcher.variants:
            return None
        if query_vector is None and embedder is not None:
            query_vector = embedder.embed_queries([question])[0]
        hit = matcher.match(question, query_vector)
        return result_for(hit[0], hit[1], kb_version) if hit else None


# ---------------------------------------------------------------------------- items from the console
def build_item(data: Any, kb, rules_dir: Path, actor: str, item_id: Optional[str] = None) -> dict[str, Any]:
    """A checked curated item from a CuratedIn; InvalidInput (Chinese, with the field) when the source fails."""
    import yaml

    from bot.errors import InvalidInput
    from bot.kb.answer import supported
    from bot.kb.textproc import figures

    src = data.source
    quote = (src.quote or "").strip()
    if src.type == "kb_passage":
        if not src.chunk_id:
            raise InvalidInput("请填写知识库片段编号（chunk_id）。", field="source.chunk_id")
        chunk = kb.get_chunk(src.chunk_id)
        if chunk is None:
            raise InvalidInput("当前知识库中没有这个片段，请先用“检索”找到它。", field="source.chunk_id")
        if quote and quote not in chunk["text"]:
            raise InvalidInput("原文摘录必须逐字出自这个知识库片段。", field="source.quote")
        quote = quote or chunk["text"]
        number = next((d.get("doc_number", "") for d in (kb._require().manifest.get("documents") or [])
                       if d.get("doc_id") == chunk["doc_id"]), "")
        title = (chunk.get("doc_title") or "").strip("《》")
        citation = {"doc_id": chunk["doc_id"], "section": chunk.get("section", ""), "quote": quote}
        label = f"出处：《{title}》" + (f"（{number}）" if number else "") + (f" {chunk['section']}" if chunk.get("section") else "")
    elif src.type == "rules":
        path = rules_dir / f"{src.program or ''}.yaml"
        if not src.program or not re.fullmatch(r"[a-z][a-z0-9_]*", src.program) or not path.exists():
            raise InvalidInput("没有这个补贴项目的规则文件：出处的 program 应为规则列表中的项目编号。", field="source.program")
        if len(quote) < 4:
            raise InvalidInput("请填写答案所依据的原文摘录（逐字）。", field="source.quote")
        rules = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        sources = rules.get("sources") or {}
        if src.source_key and src.source_key not in sources:
            raise InvalidInput(f"规则文件中没有依据“{src.source_key}”（可用：{'、'.join(sources)}）。", field="source.source_key")
        ref = sources.get(src.source_key) if src.source_key else None
        name = f"《{ref['title']}》" + (f"（{ref.get('doc_number')}）" if ref.get("doc_number") else "") if ref \
            else f"{rules.get('label', src.program)}规则"
        citation = {"doc_id": f"rules:{src.program}", "section": src.section or name, "quote": quote}
        label = f"出处：{name}" + (f" {src.section}" if src.section else "")
    else:
        if not src.title or not src.doc_number:
            raise InvalidInput("文件出处须写明标题和文号。", field="source.doc_number" if src.title else "source.title")
        if len(quote) < 4:
            raise InvalidInput("请填写答案所依据的原文摘录（逐字）。", field="source.quote")
        title = src.title.strip("《》")
        citation = {"doc_id": f"document:{src.doc_number}", "section": src.section or f"《{title}》（{src.doc_number}）",
                    "quote": quote}
        label = f"出处：《{title}》（{src.doc_number}）" + (f" {src.section}" if src.section else "")
    if not supported(data.answer, [citation]):
        missing = "、".join(sorted(figures(data.answer) - figures(quote)))
        raise InvalidInput(f"答案中的数字（{missing}）在出处原文中找不到：答案只能说出处写明的内容。", field="answer")
    return {"id": item_id or new_item_id(), "question": data.question, "paraphrases": data.paraphrases,
            "answer": data.answer, "source": data.source.model_dump(exclude_none=True), "citation": citation,
            "source_label": label, "updated_by": actor,
            "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
