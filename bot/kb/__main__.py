"""Admin CLI of the policy knowledge base.

    python -m bot.kb ensure                 # Makefile build step: build + publish the plan if missing/stale
    python -m bot.kb add FILE --title T [--issuer I --doc-number N --date YYYY-MM-DD]
                                            # build a candidate version with FILE, print the impact report
    python -m bot.kb publish                # serve the candidate (the running service picks it up)
    python -m bot.kb remove DOC_ID          # candidate without DOC_ID (then publish)
    python -m bot.kb list | rebuild | search QUERY | answer QUESTION
Exit codes: 0 ok, 1 refused input (message says why), 2 environment problem (e.g. no embedding model).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from bot import buildstamp
from bot.kb import build, store
from bot.kb.build import DocSpec, DocumentError
from bot.settings import ROOT

GOLDEN = ROOT / "tests" / "kb" / "golden.yml"


def stamp_name(root: Path) -> str:
    """One build stamp per KB root, so a build elsewhere (tests, KB_ROOT) never marks var/kb fresh."""
    import hashlib

    return "kb-" + hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:10]


def _say(msg: str) -> None:
    print(msg, flush=True)


def _embedder(model: str | None):
    from bot.kb.embedding import Embedder

    emb = Embedder(model)
    emb.warm_up()
    return emb


def _model_path(model: str | None) -> Path:
    from bot.kb.embedding import default_model_path

    return Path(model) if model else default_model_path()


def current_docs(root: Path) -> list[DocSpec]:
    return build.docs_of_version(root, store.read_pointer(root))


def impact_report(root: Path, old: str | None, new: str, emb) -> list[str]:
    """Golden questions whose top-3 sections changed between two versions."""
    from bot.kb.index import HybridIndex
    from bot.text_normalize import normalize

    if not GOLDEN.exists():
        return ["（没有找到 tests/kb/golden.yml，跳过影响报告）"]
    questions = [q["q"] for q in (yaml.safe_load(GOLDEN.read_text(encoding="utf-8")) or {}).get("questions", [])]
    idx_new = HybridIndex.load(root / new, emb.model_id)
    idx_old = HybridIndex.load(root / old, emb.model_id) if old else None
    lines = []
    for q in questions:
        nq = normalize(q)
        vec = emb.embed_queries([nq])[0]

        def top3(idx):
            return [f"{idx.chunks[h.idx]['doc_id']}:{idx.chunks[h.idx]['title'][:24]}" for h in idx.search(nq, vec, 3)]

        after = top3(idx_new)
        before = top3(idx_old) if idx_old else []
        if before != after:
            lines.append(f"- {q}\n    之前：{' | '.join(before) or '（无）'}\n    之后：{' | '.join(after)}")
    return lines


def _build_candidate(root: Path, docs: list[DocSpec], emb, note: str) -> str:
    version = build.build_version(docs, emb, root, progress=_say, note=note)
    store.set_pointer(root, version, "CANDIDATE")
    changed = impact_report(root, store.read_pointer(root), version, emb)
    _say(f"\n影响报告（黄金问题集前3条结果有变化的问题：{len(changed)} 个）")
    for line in changed:
        _say(line)
    _say(f"\n候选版本 {version} 已就绪。确认无误后运行：python -m bot.kb publish")
    return version


def cmd_ensure(args) -> int:
    root = store.kb_root(args.kb_root)
    model_dir = _model_path(args.model)
    inputs = [*build.build_inputs(), model_dir]
    current = store.read_pointer(root)
    if current and not args.force and buildstamp.is_fresh(stamp_name(root), inputs, [root / current / "manifest.json"]):
        _say(f"知识库已是最新：{current}")
        return 0
    _say("知识库需要构建（首次构建或输入有变化）…")
    emb = _embedder(args.model)
    builtin = build.builtin_documents()
    ids = {d.doc_id for d in builtin}
    added = [d for d in current_docs(root) if not d.builtin and d.doc_id not in ids]
    version = build.build_version(builtin + added, emb, root, progress=_say, note="ensure")
    store.set_pointer(root, version)
    store.gc_versions(root)
    buildstamp.mark(stamp_name(root), inputs)
    _say(f"已发布：{version}")
    return 0


def cmd_add(args) -> int:
    root = store.kb_root(args.kb_root)
    path = Path(args.path)
    text = build.decode_document(path)
    docs = current_docs(root) or build.builtin_documents()
    import hashlib

    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for d in docs:
        if (d.sha256 or hashlib.sha256(d.read().encode("utf-8")).hexdigest()) == sha:
            raise DocumentError(f"这份文件与已收录的“{d.title or d.doc_id}”（{d.doc_id}）完全相同，未重复添加。")
    src, sha = store.store_source(root, text)
    doc_id = args.doc_id or build.make_doc_id(args.title, sha)
    if any(d.doc_id == doc_id for d in docs):
        raise DocumentError(f"文档编号 {doc_id} 已存在，请换一个 --doc-id。")
    spec = DocSpec(doc_id=doc_id, path=src, title=args.title or path.stem, issuer=args.issuer or "",
                   doc_number=args.doc_number or "", date=args.date or "", sha256=sha)
    emb = _embedder(args.model)
    _build_candidate(root, docs + [spec], emb, note=f"add {doc_id}")
    return 0


def cmd_remove(args) -> int:
    root = store.kb_root(args.kb_root)
    docs = current_docs(root)
    keep = [d for d in docs if d.doc_id != args.doc_id]
    if len(keep) == len(docs):
        raise DocumentError(f"当前版本中没有文档 {args.doc_id}（用 list 查看）。")
    if not keep:
        raise DocumentError("不能删除最后一份文档：知识库不能为空。")
    emb = _embedder(args.model)
    _build_candidate(root, keep, emb, note=f"remove {args.doc_id}")
    return 0


def cmd_publish(args) -> int:
    root = store.kb_root(args.kb_root)
    cand = store.read_pointer(root, "CANDIDATE")
    if not cand:
        raise DocumentError("没有待发布的候选版本（先运行 add 或 remove）。")
    store.set_pointer(root, cand)
    store.set_pointer(root, None, "CANDIDATE")
    store.gc_versions(root)
    _say(f"已发布：{cand}（运行中的服务会自动切换，无需重启）")
    return 0


def cmd_rebuild(args) -> int:
    root = store.kb_root(args.kb_root)
    docs = current_docs(root) or build.builtin_documents()
    emb = _embedder(args.model)
    version = build.build_version(docs, emb, root, progress=_say, note="rebuild")
    store.set_pointer(root, version)
    store.gc_versions(root)
    _say(f"已发布：{version}")
    return 0


def cmd_list(args) -> int:
    root = store.kb_root(args.kb_root)
    cur, cand = store.read_pointer(root), store.read_pointer(root, "CANDIDATE")
    for v in store.list_versions(root):
        m = store.read_manifest(root, v)
        mark = "*" if v == cur else ("c" if v == cand else " ")
        _say(f"{mark} {v}  文档 {m['counts']['documents']}  片段 {m['counts']['chunks']}  {m.get('note', '')}")
    if cur:
        _say("\n当前版本的文档：")
        for d in store.read_manifest(root, cur)["documents"]:
            _say(f"  {d['doc_id']}  {d.get('title', '')}  {d.get('doc_number', '')}  {d.get('date', '')}")
    else:
        _say("还没有发布的版本：运行 python -m bot.kb ensure")
    return 0


def _kb(args):
    from bot.kb.service import KnowledgeBase

    return KnowledgeBase(store.kb_root(args.kb_root), args.model).warm_up()


def cmd_search(args) -> int:
    print(json.dumps(_kb(args).search(args.query, args.top_k), ensure_ascii=False, indent=1))
    return 0


def cmd_answer(args) -> int:
    print(json.dumps(_kb(args).answer(args.question), ensure_ascii=False, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.kb", description="政策知识库管理")
    p.add_argument("--kb-root", default=None, help="知识库目录（默认 var/kb，或环境变量 KB_ROOT）")
    p.add_argument("--model", default=None, help="embedding 模型目录（默认 EMBEDDING_MODEL 或 var/models/…）")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("ensure", help="首次或输入变化时构建并发布")
    s.add_argument("--force", action="store_true")
    s.set_defaults(func=cmd_ensure)
    s = sub.add_parser("add", help="加入文件，生成候选版本和影响报告")
    s.add_argument("path")
    s.add_argument("--title", default="")
    s.add_argument("--issuer", default="")
    s.add_argument("--doc-number", default="")
    s.add_argument("--date", default="")
    s.add_argument("--doc-id", default="")
    s.set_defaults(func=cmd_add)
    sub.add_parser("publish", help="发布候选版本").set_defaults(func=cmd_publish)
    s = sub.add_parser("remove", help="删除文档，生成候选版本")
    s.add_argument("doc_id")
    s.set_defaults(func=cmd_remove)
    sub.add_parser("list", help="列出版本和文档").set_defaults(func=cmd_list)
    sub.add_parser("rebuild", help="用当前文档重建并发布").set_defaults(func=cmd_rebuild)
    s = sub.add_parser("search")
    s.add_argument("query")
    s.add_argument("--top-k", type=int, default=5)
    s.set_defaults(func=cmd_search)
    s = sub.add_parser("answer")
    s.add_argument("question")
    s.set_defaults(func=cmd_answer)
    args = p.parse_args(argv)
    try:
        return args.func(args)
    except DocumentError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except store.BuildBusy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from bot.kb.embedding import EmbeddingModelError

        if isinstance(exc, EmbeddingModelError):
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
