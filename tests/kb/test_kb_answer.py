"""Extractive answers: verbatim quotes, the structured indicator answer, and no unsupported figure."""
from __future__ import annotations

import re

import pytest

from bot.kb import answer as ans
from bot.kb import build
from bot.kb.textproc import figures


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_indicator_answer_is_structured(kb):
    res = kb.answer("托位数到2025年要达到多少")
    assert res["kind"] == "indicator"
    assert res["answer"] == "2025年目标：每千人口拥有3岁以下婴幼儿托位数4.5个（2020年为1.5个，预期性指标）"
    assert res["citations"][0]["section"] == "二、“十四五”高品质生活建设的总体思路 > （三）主要目标"
    assert 0 < res["confidence"] <= 1


def test_indicator_with_2018_baseline_cites_the_note(kb):
    res = kb.answer("人均预期寿命目标是多少岁")
    assert res["answer"] == "2025年目标：人均预期寿命78.1岁（2020年为77.3岁（2018年数据），预期性指标）"
    assert any("2018年数据" in c["quote"] for c in res["citations"])


def test_city_and_county_rows_are_separate(kb):
    res = kb.answer("县级文明城市占比2025年目标")
    assert "（县级）72.5%" in res["answer"] and "50.5%" in res["answer"]


def test_text_answer_quotes_the_source_verbatim(kb, plan_raw):
    res = kb.answer("残疾人两项补贴标准会调整吗")
    assert res["kind"] == "text"
    assert "两项补贴" in res["answer"] and "标准动态调整机制" in res["answer"]
    assert res["citations"][0]["section"].endswith("（二）筑实重点人群保障网底")
    for c in res["citations"]:
        assert squash(c["quote"]) in squash(plan_raw)
    assert res["passages"] and res["passages"][0]["chunk_id"]
    assert res["passages"][0]["doc_title"] == "山西省“十四五”高品质生活建设规划"
    assert res["passages"][0]["title"] == "健全残疾人权益保障制度"
    assert kb.get_chunk(res["passages"][0]["chunk_id"])["text"] == res["passages"][0]["text"]


def test_no_answer_states_a_figure_its_citations_lack(golden_answers):
    raws = {d.doc_id: d.read() for d in build.builtin_documents()}   # each quote is checked in the doc it cites
    for q, res in golden_answers:
        if res["answer"] is None:
            continue
        quoted = set().union(*(figures(c["quote"]) for c in res["citations"]))
        assert figures(res["answer"]) <= quoted, q["q"]
        for c in res["citations"]:
            raw = raws[c["doc_id"]]
            assert squash(c["quote"]) in squash(raw) or all(
                squash(line) in squash(raw) for line in c["quote"].split("\n")) or \
                all(cell in raw for cell in c["quote"].split()), (q["q"], c["quote"])


def test_figure_guard_rejects_an_invented_number():
    cites = [{"doc_id": "d", "section": "s", "quote": "2025年目标为4.5个"}]
    assert ans.supported("2025年目标：4.5个", cites)
    assert not ans.supported("2025年目标：5个", cites)
    assert not ans.supported("到2030年达到4.5个", cites)


def test_answer_withheld_when_the_guard_fails(kb, monkeypatch):
    # If the template ever produced a figure absent from the table row, nothing is answered.
    monkeypatch.setattr(ans, "indicator_answer", lambda row: "2025年目标：托位数9.9个")
    res = kb.answer("托位数2025年目标是多少")
    assert res["answer"] is None and res["citations"] == []


def test_out_of_scope_is_null(kb):
    res = kb.answer("怎么办理护照")
    assert res["answer"] is None and res["citations"] == []
    assert res["confidence"] < ans.CONFIDENCE_THRESHOLD


@pytest.mark.parametrize("q", ["殘疾人兩項補貼覆蓋率", "托位数目标"])
def test_traditional_and_short_queries(kb, q):
    res = kb.search(q, top_k=3)
    assert res["results"][0]["section"] == "二、“十四五”高品质生活建设的总体思路 > （三）主要目标"


def test_format_value():
    assert ans.format_value(">50", "%") == "超过50%"
    assert ans.format_value("≥85", "%") == "不低于85%"
    assert ans.format_value("城市7.4; 农村11.7", "%") == "城市7.4%、农村11.7%"
    assert ans.format_value("完成国家考核目标", "%") == "完成国家考核目标"
