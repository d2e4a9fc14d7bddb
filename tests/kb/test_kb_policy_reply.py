"""The chat form of KB answers (actions/policy.py): 出处 with 文号; an honest "not found" with 相关内容 labelled."""
from __future__ import annotations

from actions.policy import answer_message, not_found_message


def test_answer_cites_title_and_doc_number(kb):
    msg = answer_message(kb.answer("托位数到2025年要达到多少"))
    assert "4.5个" in msg["text"]
    assert "出处：《山西省“十四五”高品质生活建设规划》（晋政发〔2021〕46号）" in msg["text"]
    assert msg["citations"] and msg["buttons"][0]["title"] == "查看原文"


def test_not_found_shows_related_passage_labelled_not_as_the_answer(kb):
    result = kb.answer("残疾人两项补贴每个月发多少钱")
    assert answer_message(result) is None
    msg = not_found_message(result)
    head, related = msg["text"].split("相关内容", 1)
    assert "12345" in head and "金额" in head
    assert related.startswith("（仅供参考，不是对您问题的回答）")
    assert "citations" not in msg


def test_other_region_says_the_kb_holds_shanxi_policies(kb):
    msg = not_found_message(kb.answer("北京的托位数目标是多少"))
    assert "山西省" in msg["text"] and "北京" in msg["text"] and "4.5" not in msg["text"]
