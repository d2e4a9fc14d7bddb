"""The questions asked before (bot.kb.precedents): the real embedding model, the plan's KB, small memories."""
from __future__ import annotations

import pytest

from bot.kb import precedents as prec
from bot.kb.service import KnowledgeBase, read_query

POOR_COUNTIES = "58 个贫困县全部摘帽"
ASKED = ["摘掉穷帽子的县有几个", "脱贫摘帽的贫困县一共多少个", "摘帽的贫困县有多少个", "贫困县摘帽了几个"]


def memory(entries, tmp_path, embedder) -> prec.Precedents:
    return prec.Precedents(entries, cache_root=tmp_path / "cache").warm_up(embedder, read_query)


def with_memory(kb_root_session, embedder, mem) -> KnowledgeBase:
    return KnowledgeBase(kb_root_session, embedder=embedder, precedents=mem).warm_up()


@pytest.fixture
def poor_counties(tmp_path, embedder):
    entries = [prec.Precedent(q, "kb_round33", POOR_COUNTIES) for q in ASKED]
    entries.append(prec.Precedent("森林覆盖率到2025年要达到多少", "kb_round2", "森林覆盖率"))
    return memory(entries, tmp_path, embedder)


def test_close_neighbours_that_agree_answer_with_the_plans_own_sentence(kb_root_session, embedder, poor_counties):
    kb = with_memory(kb_root_session, embedder, poor_counties)
    out = kb.answer("咱省摘掉穷帽子的县到底有几个")
    assert "58" in out["answer"] and "贫困县" in out["answer"]
    chunk = kb.get_chunk(out["passages"][0]["chunk_id"])
    assert out["answer"] in chunk["text"]                     # quoted as written, whole sentences
    assert out["citations"][0]["quote"] == out["answer"] and "晋政发〔2021〕46号" in out["source"]


def test_a_set_left_out_does_not_answer(kb_root_session, embedder, poor_counties):
    poor_counties.exclude = frozenset({"kb_round33"})
    kb = with_memory(kb_root_session, embedder, poor_counties)
    plain = KnowledgeBase(kb_root_session, embedder=embedder, precedents=None).warm_up()
    question = "咱省摘掉穷帽子的县到底有几个"
    assert kb.answer(question)["answer"] == plain.answer(question)["answer"]
    assert poor_counties.read(embedder.embed_queries([read_query(question)])[0]) is None


def test_far_questions_get_no_reading(embedder, poor_counties):
    assert poor_counties.read(embedder.embed_queries([read_query("育儿补贴每个月发多少钱")])[0]) is None


def test_a_sentence_no_longer_in_the_documents_cannot_answer(kb_root_session, embedder, tmp_path):
    mem = memory([prec.Precedent(q, "kb_round33", "五十八个县已经全部实现了脱贫目标并且摘帽") for q in ASKED],
                 tmp_path, embedder)
    plain = KnowledgeBase(kb_root_session, embedder=embedder, precedents=None).warm_up()
    question = "咱省摘掉穷帽子的县到底有几个"
    assert with_memory(kb_root_session, embedder, mem).answer(question)["answer"] == plain.answer(question)["answer"]


def test_a_detail_the_plan_leaves_out_stays_unanswered(kb_root_session, embedder, tmp_path):
    sentence = "结合宅基地“三权分置”改革试点"
    mem = memory([prec.Precedent(q, "kb_round2", sentence) for q in
                  ("宅基地三权分置规划提了没", "宅基地“三权分置”规划咋说的", "宅基地三权分置改革有没有", "规划说宅基地三权分置了吗")],
                 tmp_path, embedder)
    out = with_memory(kb_root_session, embedder, mem).answer("宅基地“三权分置”的三权是哪三权")
    assert out["answer"] is None and "没有写明" in out["message"]


def test_neighbours_the_plan_does_not_answer_withhold_an_answer(kb_root_session, embedder, tmp_path):
    question = "森林覆盖率到2025年要达到多少"
    plain = KnowledgeBase(kb_root_session, embedder=embedder, precedents=None).warm_up()
    assert "26" in plain.answer(question)["answer"]
    mem = memory([prec.Precedent(q, "kb_round9", prec.UNANSWERED) for q in
                  (question, "森林覆盖率2025年要达到多少", "到2025年森林覆盖率要达到多少")], tmp_path, embedder)
    out = with_memory(kb_root_session, embedder, mem).answer(question)
    assert out["answer"] is None and out["citations"] == []
    assert out["related"]["label"] == "相关内容" and "森林覆盖率" in out["related"]["text"]


def test_the_query_vectors_are_cached_and_reused(embedder, tmp_path):
    entries = [prec.Precedent(q, "kb_round33", POOR_COUNTIES) for q in ASKED]
    mem = prec.Precedents(entries, cache_root=tmp_path / "cache")
    assert mem.missing(embedder.model_id, read_query) == len(ASKED)
    mem.warm_up(embedder, read_query)
    again = prec.Precedents(list(entries), cache_root=tmp_path / "cache")
    assert again.missing(embedder.model_id, read_query) == 0
    assert (tmp_path / "cache" / embedder.model_id / "queries.npz").is_file()


def test_locate_finds_a_sentence_despite_spaces_and_full_width_digits():
    chunks = [{"kind": "text", "doc_id": "a", "text": "一、总体要求\n全省５８ 个贫困县全部摘帽，7993个贫困村全部出列。其他内容。"},
              {"kind": "indicator", "doc_id": "a", "text": "58 个贫困县全部摘帽"}]
    idx, start, end = prec.locate(POOR_COUNTIES, chunks, lambda c: True)
    assert idx == 0 and chunks[0]["text"][start:end] == "５８ 个贫困县全部摘帽"
    assert prec.locate(POOR_COUNTIES, chunks, lambda c: c["doc_id"] != "a") is None   # not in effect: unusable


def test_only_the_listed_sets_are_read(tmp_path):
    (tmp_path / "kb_round1.yml").write_text(
        "questions:\n- {id: q1, question: 问一, sentence: 句子一}\nunanswerable:\n- {id: u1, question: 问二}\n",
        encoding="utf-8")
    (tmp_path / "kb_round999.yml").write_text("questions:\n- {id: q1, question: 封存的问题, sentence: 句子}\n",
                                              encoding="utf-8")
    entries = prec.load(tmp_path)
    assert [(e.question, e.sentence) for e in entries] == [("问一", "句子一"), ("问二", prec.UNANSWERED)]
    assert "kb_round999" not in prec.OWN_SETS


def test_neighbours_about_another_place_do_not_withhold_shanxis_figure(kb_root_session, embedder, tmp_path):
    mem = memory([prec.Precedent("2020年全国居民人均可支配收入是多少钱", f"kb_round{i}", prec.UNANSWERED)
                  for i in (13, 25, 26, 31, 33)], tmp_path, embedder)
    out = with_memory(kb_root_session, embedder, mem).answer("2020年城镇居民人均可支配收入是多少钱")
    assert out["answer"] and "34793" in out["answer"]
