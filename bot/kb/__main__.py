"""Admin CLI of the policy knowledge base.

    python -m bot.kb ensure                 # Makefile build step: build + publish the plan if missing/stale
    python -m bot.kb add FILE --title T --doc-number N --issuer I --date YYYY-MM-DD --effective-date YYYY-MM-DD
                                            # build a candidate version with FILE, print the impact report
                                            # (missing metadata is asked for at a terminal, else refused)
    python -m bot.kb publish [VERSION]      # serve the candidate (the running service picks it up)
    python -m bot.kb rollback VERSION       # serve an earlier version again
    python -m bot.kb remove DOC_ID          # candidate without DOC_ID (then publish)
    python -m bot.kb list | rebuild | search QUERY | answer QUESTION
Exit codes: 0 ok, 1 refused input (message says why), 2 environment problem (e.g. no embedding model).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot import buildstamp
from bot.kb import admin, build, store
from bot.kb.build import DocSpec, DocumentError



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
    return admin.current_docs(root)


def _report(res: dict) -> None:
    for line in admin.format_impact(res["impact"]):
        _say(line)
    _say(f"\n候选版本 {res['version']} 已就绪。确认无误后运行：python -m bot.kb publish")


def cmd_ensure(args) -> int:
    root = store.kb_root(args.kb_root)
    model_dir = _model_path(args.model)
    inputs = [*build.build_inputs(), model_dir]
    current = store.read_pointer(root)
    if current and not args.force and buildstamp.is_fresh(stamp_name(root), inputs, [root / current / "manifest.json"]):
        _say(f"知识库已是最新：{current}")
        return _ensure_precedents(args)
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
    return _ensure_precedents(args, emb)


def _ensure_precedents(args, emb=None) -> int:
    """Embed the questions asked before (bot.kb.precedents) that the cache lacks, so serving starts warm."""
    from bot.kb.embedding import Embedder
    from bot.kb.service import read_query, shared_precedents

    memory = shared_precedents()
    model_id = (emb or Embedder(args.model)).model_id
    todo = memory.missing(model_id, read_query)
    if not todo:
        _say(f"往来问句已是最新：{len(memory.entries)} 条")
        return 0
    memory.warm_up(emb or _embedder(args.model), read_query, progress=_say)
    _say(f"往来问句已嵌入：{len(memory.entries)} 条")
    return 0


def _metadata(args) -> dict:
    """The five metadata fields from the options; asked for interactively when missing at a terminal."""
    meta = {f: getattr(args, f, "") or "" for f in admin.META_FIELDS}
    missing = [f for f in admin.META_FIELDS if not meta[f].strip()]
    if missing and sys.stdin.isatty():
        for f in missing:
            meta[f] = input(f"{admin.META_FIELDS[f]}（--{f.replace('_', '-')}）：").strip()
    if args.doc_id:
        meta["doc_id"] = args.doc_id
    return meta


def cmd_add(args) -> int:
    root = store.kb_root(args.kb_root)
    path = Path(args.path)
    build.decode_document(path)  # a bad file is refused before any question is asked
    res = admin.add_document(path, _metadata(args), root=root, embedder=_embedder(args.model), progress=_say)
    _say(f"已加入文档 {res['doc_id']}")
    _report(res)
    return 0


def cmd_remove(args) -> int:
    root = store.kb_root(args.kb_root)
    res = admin.remove_document(args.doc_id, root=root, embedder=_embedder(args.model), progress=_say)
    _report(res)
    return 0


def cmd_publish(args) -> int:
    version = admin.publish(args.version or None, root=args.kb_root)
    _say(f"已发布：{version}（运行中的服务会自动切换，无需重启）")
    return 0


def cmd_rollback(args) -> int:
    version = admin.rollback(args.version, root=args.kb_root)
    _say(f"已回滚到：{version}（运行中的服务会自动切换，无需重启）")
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
    s.add_argument("--date", default="", help="成文日期 YYYY-MM-DD")
    s.add_argument("--effective-date", default="", help="施行日期 YYYY-MM-DD")
    s.add_argument("--doc-id", default="")
    s.set_defaults(func=cmd_add)
    s = sub.add_parser("publish", help="发布候选版本（或指定版本）")
    s.add_argument("version", nargs="?", default="")
    s.set_defaults(func=cmd_publish)
    s = sub.add_parser("rollback", help="回滚到以前的版本")
    s.add_argument("version")
    s.set_defaults(func=cmd_rollback)
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
