"""Versioned, atomic KB builds: add → impact report → publish, hot pick-up, failures keep the old version."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bot.kb.__main__ as cli
from bot.kb import build, store
from bot.kb.service import KnowledgeBase
from bot.settings import ROOT

# Test document: wording taken from the reference sheet (国发〔2015〕52号 as quoted there).
EXCERPT = """国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见（摘录）

国发〔2015〕52号

一、补贴对象

困难残疾人生活补贴的对象为低保家庭中的残疾人，有条件的地方可逐步扩大到低收入残疾人及其他困难残疾人。

重度残疾人护理补贴的对象为残疾等级被评定为一级、二级且需要长期照护的重度残疾人，有条件的地方可扩大到非重度智力、精神残疾人或其他残疾人。

二、申请

残疾人本人（或其法定监护人、委托人）向户籍所在地乡镇人民政府（街道办事处）提出申请。
"""


@pytest.fixture
def same_model(monkeypatch, embedder):
    """The CLI would load the model again; hand it the session's (real) embedder instead."""
    monkeypatch.setattr(cli, "_embedder", lambda model: embedder)


def snapshot(root: Path) -> tuple:
    return (store.read_pointer(root), store.read_pointer(root, "CANDIDATE"), tuple(store.list_versions(root)))


def test_add_impact_report_publish_and_hot_pickup(kb_root, embedder, same_model, tmp_path, capsys):
    serving = KnowledgeBase(kb_root, embedder=embedder).warm_up()
    old = serving.version
    doc = tmp_path / "guofa-2015-52.txt"
    doc.write_bytes(EXCERPT.encode("gb18030"))  # GB18030 uploads are accepted

    rc = cli.main(["--kb-root", str(kb_root), "add", str(doc), "--title", "两项补贴制度意见（摘录）",
                   "--issuer", "国务院", "--doc-number", "国发〔2015〕52号", "--date", "2015-09-22",
                   "--effective-date", "2016-01-01"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "影响报告" in out and "python -m bot.kb publish" in out
    cand = store.read_pointer(kb_root, "CANDIDATE")
    assert cand and cand != old
    assert serving.version == old  # a candidate is not served before publish

    assert cli.main(["--kb-root", str(kb_root), "publish"]) == 0
    assert store.read_pointer(kb_root) == cand and store.read_pointer(kb_root, "CANDIDATE") is None
    # the running instance picks the new version up on its next query, without a restart
    res = serving.search("低保家庭中的残疾人能领生活补贴吗", top_k=3)
    assert res["kb_version"] == cand
    assert any(r["doc_id"].startswith("doc-") for r in res["results"])
    manifest = store.read_manifest(kb_root, cand)
    added = [d for d in manifest["documents"] if d["doc_id"].startswith("doc-")][0]
    assert added["doc_number"] == "国发〔2015〕52号" and added["issuer"] == "国务院"
    assert manifest["counts"]["documents"] == 2 and manifest["model_id"] == embedder.model_id

    assert cli.main(["--kb-root", str(kb_root), "list"]) == 0
    assert added["doc_id"] in capsys.readouterr().out

    assert cli.main(["--kb-root", str(kb_root), "remove", added["doc_id"]]) == 0
    assert cli.main(["--kb-root", str(kb_root), "publish"]) == 0
    assert serving.search("低保家庭中的残疾人", top_k=5)["kb_version"] != cand
    assert all(r["doc_id"] == "shanxi-14th-fyp-high-quality-life"
               for r in serving.search("低保家庭中的残疾人", top_k=5)["results"])


@pytest.mark.parametrize("name,content,needle", [
    ("empty.txt", b"", "空"),
    ("blank.txt", "\n \n".encode(), "中文"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "二进制"),
    ("word.txt", b"PK\x03\x04" + b"\x00" * 64, "二进制"),
    ("garbled.txt", b"\xff\xfe\xfd\xfc" * 50, "编码"),
    ("policy.pdf", "政策文件".encode(), ".txt"),
    ("huge.txt", ("政策" * 1024 * 1024 * 2 + "。").encode("utf-8")[: 5 * 1024 * 1024 + 10], "5 MB"),
])
def test_bad_files_are_refused_and_change_nothing(kb_root, tmp_path, capsys, name, content, needle):
    before = snapshot(kb_root)
    path = tmp_path / name
    path.write_bytes(content)
    assert cli.main(["--kb-root", str(kb_root), "add", str(path), "--title", "t"]) == 1
    err = capsys.readouterr().err
    assert "错误" in err and needle in err
    assert snapshot(kb_root) == before


def test_add_without_metadata_fails_clearly_and_changes_nothing(kb_root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)  # no terminal to ask at: refuse, naming the fields
    before = snapshot(kb_root)
    doc = tmp_path / "notice.txt"
    doc.write_text(EXCERPT, encoding="utf-8")
    assert cli.main(["--kb-root", str(kb_root), "add", str(doc), "--title", "两项补贴制度意见"]) == 1
    err = capsys.readouterr().err
    assert "缺少文件信息" in err and "文号" in err and "施行日期" in err and "发文机关" in err
    assert snapshot(kb_root) == before


def test_add_asks_for_missing_metadata_at_a_terminal(kb_root, tmp_path, capsys, monkeypatch, same_model):
    answers = iter(["国发〔2015〕52号", "国务院", "2015年9月22日", "2016-01-01"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    doc = tmp_path / "notice.txt"
    doc.write_text(EXCERPT, encoding="utf-8")
    assert cli.main(["--kb-root", str(kb_root), "add", str(doc), "--title", "两项补贴制度意见"]) == 0
    cand = store.read_pointer(kb_root, "CANDIDATE")
    added = [d for d in store.read_manifest(kb_root, cand)["documents"] if not d.get("builtin")][0]
    assert (added["doc_number"], added["date"], added["effective_date"]) == ("国发〔2015〕52号", "2015-09-22",
                                                                           "2016-01-01")


def test_exact_duplicate_is_refused(kb_root, tmp_path, capsys, plan_raw):
    before = snapshot(kb_root)
    dup = tmp_path / "copy.md"
    dup.write_text(plan_raw, encoding="utf-8")
    assert cli.main(["--kb-root", str(kb_root), "add", str(dup), "--title", "副本", "--doc-number", "晋政发〔2021〕99号",
                     "--issuer", "山西省人民政府", "--date", "2021-12-28", "--effective-date", "2021-12-28"]) == 1
    assert "完全相同" in capsys.readouterr().err
    assert snapshot(kb_root) == before


def test_failed_build_leaves_the_old_version_serving(kb_root, embedder):
    serving = KnowledgeBase(kb_root, embedder=embedder).warm_up()
    before = snapshot(kb_root)

    def crash(folder: Path):
        raise OSError("disk full (simulated)")

    with pytest.raises(OSError):
        build.build_version(build.builtin_documents(), embedder, kb_root, _after_write=crash)
    assert snapshot(kb_root) == before
    assert serving.version == before[0]
    assert serving.answer("托位数2025年目标是多少")["answer"]


def test_killed_build_leaves_the_old_version_serving(kb_root, embedder):
    """SIGKILL a real build process halfway: nothing half-built is ever visible or served."""
    serving = KnowledgeBase(kb_root, embedder=embedder).warm_up()
    before = snapshot(kb_root)
    flag = kb_root.parent / "halfway"
    code = (
        "import sys, time, pathlib\n"
        "from bot.kb import build\n"
        "flag = pathlib.Path(sys.argv[2])\n"
        "build.build_version(build.builtin_documents(), None, sys.argv[1],\n"
        "    _after_write=lambda p: (flag.touch(), time.sleep(120)))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(kb_root), str(flag)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.time() + 120
        while not flag.exists():
            assert proc.poll() is None, "the build process ended early"
            assert time.time() < deadline, "the build never reached its halfway point"
            time.sleep(0.2)
        assert list(kb_root.glob(".build-*"))  # half-written files exist…
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert snapshot(kb_root) == before  # …but no version, no pointer moved
    assert serving.search("托育", top_k=1)["kb_version"] == before[0]
    # the next build takes the lock, clears the leftovers and completes
    version = build.build_version(build.builtin_documents(), embedder, kb_root)
    assert not list(kb_root.glob(".build-*"))
    store.set_pointer(kb_root, version)
    assert serving.search("托育", top_k=1)["kb_version"] == version


def test_pointer_never_names_an_incomplete_version(kb_root):
    (kb_root / "v-broken").mkdir()
    with pytest.raises(FileNotFoundError):
        store.set_pointer(kb_root, "v-broken")
    (kb_root / "CURRENT").write_text("v-broken\n")  # even if someone writes it by hand
    assert store.read_pointer(kb_root) is None


def test_ensure_builds_once_then_skips(tmp_path, same_model, capsys):
    from bot import buildstamp

    root = tmp_path / "fresh-kb"
    try:
        assert cli.main(["--kb-root", str(root), "ensure"]) == 0
        first = store.read_pointer(root)
        assert first and "已发布" in capsys.readouterr().out
        assert cli.main(["--kb-root", str(root), "ensure"]) == 0
        assert "已是最新" in capsys.readouterr().out
        assert store.read_pointer(root) == first and store.list_versions(root) == [first]
    finally:
        (buildstamp.STAMPS / f"{cli.stamp_name(root)}.sha256").unlink(missing_ok=True)
