"""The KB's copy of the program knowledge: rendered from the rules, listed in documents.yml, found by a free question."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from bot.kb import build, store
from bot.program_info import kb_doc
from bot.settings import POLICY_KB, ROOT

NUMBER = re.compile(r"\d+(?:\.\d+)?")
SOURCES = ((POLICY_KB / "reference" / "eligibility_rules.md").read_text(encoding="utf-8")
           + (POLICY_KB / "shanxi-14th-fyp-high-quality-life.txt").read_text(encoding="utf-8"))


def test_committed_document_matches_the_rules():
    out = subprocess.run([sys.executable, "-m", "bot.program_info", "render", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_listed_in_documents_yml_with_metadata():
    docs = yaml.safe_load((POLICY_KB / "documents.yml").read_text(encoding="utf-8"))["documents"]
    entry = next(d for d in docs if d["doc_id"] == "program-info")
    assert (ROOT / entry["path"]).resolve() == kb_doc.DOC_PATH.resolve()
    assert entry["title"] == kb_doc.TITLE and entry["issuer"] and entry["date"]
    assert any(d.doc_id == "program-info" for d in build.builtin_documents())


def test_a_rules_edit_changes_the_document(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(POLICY_KB / "rules", rules)
    doc = tmp_path / "program_info.txt"
    assert kb_doc.write(doc, rules) and not kb_doc.write(doc, rules)     # written once, then unchanged
    assert kb_doc.is_current(doc, rules)
    path = rules / "childcare_subsidy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 3600}", "value: 4800}"), encoding="utf-8")
    assert not kb_doc.is_current(doc, rules)
    kb_doc.write(doc, rules)
    text = doc.read_text(encoding="utf-8")
    assert "每孩每年4800元" in text and "3600" not in text


def test_every_statement_names_its_program_and_source_and_every_figure_is_sourced():
    text = kb_doc.DOC_PATH.read_text(encoding="utf-8")
    labels = [p.label for p in kb_doc.programs()]
    body = [ln for ln in text.splitlines() if ln.startswith(tuple(labels))]
    assert len(body) >= 10
    for line in body:
        assert "（依据：" in line, line
    stray = set(NUMBER.findall(text)) - set(NUMBER.findall(SOURCES))
    assert not stray, stray


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    from bot.kb.embedding import Embedder
    from bot.kb.service import KnowledgeBase

    emb = Embedder()
    emb.warm_up()
    root = tmp_path_factory.mktemp("kb_program_info")
    store.set_pointer(root, build.build_version(build.builtin_documents(), emb, root))
    return KnowledgeBase(root, embedder=emb).warm_up()


@pytest.mark.parametrize("question,figures", [
    ("育儿补贴每年多少钱", ["3600"]),
    ("技能提升补贴最多给多少钱", ["1000", "1500", "2000"]),
])
def test_free_question_finds_the_program_knowledge(kb, question, figures):
    res = kb.answer(question)
    assert res["answer"] and all(f in res["answer"] for f in figures), res
    assert res["citations"][0]["doc_id"] == "program-info"
    assert res["citations"][0]["quote"] in kb_doc.DOC_PATH.read_text(encoding="utf-8")
