"""Curated answers: checked sources, candidate → impact → publish, matched before retrieval on every path
(/api/kb/answer and the KB the chat actions use), roll back; bad input changes nothing."""
from __future__ import annotations

import pytest

from bot.admin.curated import CuratedStore, canonical
from tests.admin.conftest import EDITOR, PUBLISHER, auth

QUESTION = "残疾人证丢了怎么补办"
PARAPHRASE = "残疾证丢失了如何补办"
ANSWER = "残疾人证遗失的，可向户籍所在地县级残联申请补发。"
QUOTE = "残疾人证遗失的，可向户籍所在地县级残联申请补发。"
DOC_SOURCE = {"type": "document", "title": "残疾人证管理办法（测试样例）", "doc_number": "残联发〔2026〕1号", "quote": QUOTE}


def item(**overrides):
    body = {"question": QUESTION, "paraphrases": [PARAPHRASE], "answer": ANSWER, "source": dict(DOC_SOURCE)}
    body.update(overrides)
    return body


async def kb_answer(client, q):
    return await (await client.post("/api/kb/answer", json={"question": q})).json()


def curated_files(var_dir):
    folder = var_dir / "kb" / "curated"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_add_publish_answer_rollback(client, var_dir):
    before = await kb_answer(client, QUESTION)
    assert before["answer"] != ANSWER and before["kind"] != "curated"
    resp = await client.post("/api/admin/curated", json=item(), headers=auth(EDITOR))
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    rows = {r["question"]: r for r in body["impact"]["changed"]}
    assert rows[QUESTION]["before"]["answer"] == before["answer"] and rows[QUESTION]["after"]["answer"] == ANSWER
    assert (await kb_answer(client, QUESTION))["answer"] == before["answer"]  # not before publish

    resp = await client.post("/api/admin/curated/publish", headers=auth(PUBLISHER))
    assert resp.status == 200
    first = (await resp.json())["current"]
    for q in (QUESTION, PARAPHRASE, "请问残疾人证丢了怎么补办？", "残疾人证丢失了怎么补办"):
        got = await kb_answer(client, q)
        assert got["answer"] == ANSWER, q
        assert got["kind"] == "curated"
        assert got["citations"] == [{"doc_id": "document:残联发〔2026〕1号", "section": "《残疾人证管理办法（测试样例）》（残联发〔2026〕1号）",
                                     "quote": QUOTE}]
        assert "残联发〔2026〕1号" in got["source"]
    # an unrelated question still goes to retrieval
    assert (await kb_answer(client, "托育的托位数目标是多少"))["kind"] != "curated"
    assert (await kb_answer(client, "残疾人两项补贴标准是多少"))["kind"] != "curated"

    # remove it in a new candidate, publish, then roll back to the first set
    resp = await client.delete(f"/api/admin/curated/{body['items'][0]['id']}", headers=auth(EDITOR))
    assert resp.status == 200
    await client.post("/api/admin/curated/publish", headers=auth(PUBLISHER))
    assert (await kb_answer(client, QUESTION))["kind"] != "curated"
    resp = await client.post("/api/admin/curated/rollback", json={"version": first}, headers=auth(PUBLISHER))
    assert resp.status == 200
    assert (await kb_answer(client, QUESTION))["answer"] == ANSWER


async def test_kb_passage_source_quotes_the_passage(client):
    hits = await (await client.get("/api/admin/kb/search", params={"q": "残疾人两项补贴 动态调整"},
                                   headers=auth(EDITOR))).json()
    chunk = hits["results"][0]
    resp = await client.post("/api/admin/curated", json=item(
        question="两项补贴标准会不会涨", paraphrases=[], answer="将建立健全残疾人“两项补贴”标准动态调整机制。",
        source={"type": "kb_passage", "chunk_id": chunk["chunk_id"]}), headers=auth(EDITOR))
    assert resp.status == 200, await resp.text()
    saved = (await resp.json())["items"][0]
    assert saved["citation"]["quote"] == chunk["text"] and "晋政发〔2021〕46号" in saved["source_label"]


async def test_rules_source(client):
    resp = await client.post("/api/admin/curated", json=item(
        question="育儿补贴依据哪个文件", paraphrases=[], answer="依据《育儿补贴制度实施方案》。",
        source={"type": "rules", "program": "childcare_subsidy", "source_key": "childcare_plan_2025",
                "quote": "育儿补贴制度实施方案"}), headers=auth(EDITOR))
    assert resp.status == 200, await resp.text()
    assert "育儿补贴制度实施方案" in (await resp.json())["items"][0]["source_label"]


BAD = [
    ({"question": ""}, "question"),
    ({"question": 12}, "question"),
    ({"answer": None}, "answer"),
    ({"paraphrases": "不是列表"}, "paraphrases"),
    ({"paraphrases": ["好"]}, "paraphrases"),
    ({"source": None}, "source"),
    ({"source": {"type": "web"}}, "source.type"),
    ({"source": {"type": "document", "title": "某文件", "quote": QUOTE}}, "source.doc_number"),
    ({"source": {"type": "document", "title": "某文件", "doc_number": "x〔2026〕1号"}}, "source.quote"),
    ({"source": {"type": "kb_passage", "chunk_id": "no-such-chunk"}}, "source.chunk_id"),
    ({"source": {"type": "kb_passage"}}, "source.chunk_id"),
    ({"source": {"type": "rules", "program": "../etc", "quote": QUOTE}}, "source.program"),
    ({"source": {"type": "rules", "program": "childcare_subsidy", "source_key": "nope", "quote": QUOTE}}, "source.source_key"),
    ({"answer": "每人每年发放5000元。"}, "answer"),  # a figure the quote does not contain
    ({"question": "残疾\u0000证"}, "question"),
    ({"extra": 1}, "extra"),
]


@pytest.mark.parametrize("overrides,field", BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
async def test_bad_curated_input_is_400_and_nothing_stored(client, var_dir, overrides, field):
    files = curated_files(var_dir)
    resp = await client.post("/api/admin/curated", json=item(**overrides), headers=auth(EDITOR))
    assert resp.status == 400, await resp.text()
    err = (await resp.json())["error"]
    assert err["field"] == field and err["code"] == "invalid_input"
    assert curated_files(var_dir) == files


async def test_unknown_items_and_versions(client, var_dir):
    files = curated_files(var_dir)
    assert (await client.put("/api/admin/curated/faq-none", json=item(), headers=auth(EDITOR))).status == 404
    assert (await client.delete("/api/admin/curated/faq-none", headers=auth(EDITOR))).status == 404
    assert (await client.post("/api/admin/curated/publish", headers=auth(PUBLISHER))).status == 404
    assert (await client.delete("/api/admin/curated/candidate", headers=auth(EDITOR))).status == 404
    resp = await client.post("/api/admin/curated/rollback", json={"version": "c2020"}, headers=auth(PUBLISHER))
    assert resp.status == 404
    resp = await client.post("/api/admin/curated", data=b"[1,2]",
                             headers={**auth(EDITOR), "Content-Type": "application/json"})
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_json"
    assert curated_files(var_dir) == files


def test_canonical_ignores_punctuation_and_particles():
    assert canonical("请问，残疾人证丢了怎么补办呢？") == canonical("残疾人证丢了怎么补办")


def test_pointer_rejects_odd_version_names(tmp_path):
    s = CuratedStore(tmp_path)
    (tmp_path / "curated").mkdir()
    (tmp_path / "curated" / "CURRENT").write_text("../../etc/passwd")
    assert s.pointer() is None and s.items() == []
