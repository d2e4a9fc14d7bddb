"""Plain-text formatting for WeChat: citations, service points, numbered options, byte limits."""
from __future__ import annotations

import pytest

from bot.channels.wechat_format import (MAX_TEXT_BYTES, citation_line, format_messages, pick_option, plain,
                                        service_points_block, split_text)

SECTION = "三、实施基本民生补网行动 > （二）筑实重点人群保障网底"


def test_citations_are_one_compact_line_with_the_last_section_level():
    line = citation_line([{"doc_id": "shanxi-14th-fyp", "section": SECTION, "quote": "长长的原文……"},
                          {"doc_id": "shanxi-14th-fyp", "section": SECTION, "quote": "另一段"}])
    assert line == "出处：（二）筑实重点人群保障网底"
    assert "\n" not in line and "原文" not in line


def test_citation_with_a_chinese_source_title_names_the_document():
    line = citation_line([{"source": "困难残疾人生活补贴和重度残疾人护理补贴制度", "section": "二、对象"}])
    assert line.startswith("出处：《困难残疾人生活补贴和重度残疾人护理补贴制度》二、对象")
    assert citation_line([]) == ""


def test_service_points_show_only_known_fields():
    block = service_points_block([
        {"name": "小店区民政局", "address": "某某路1号", "phone": None, "hours": None, "distance_km": 1.26},
        {"name": "太原市残疾人联合会", "address": None, "phone": "0351-1234567", "distance_km": None},
    ])
    assert block.splitlines() == ["1. 小店区民政局（约1.3公里）", "   地址：某某路1号",
                                  "2. 太原市残疾人联合会", "   电话：0351-1234567"]
    assert "None" not in block


def test_buttons_become_numbered_options_across_messages():
    f = format_messages([
        {"text": "请问您想了解哪项补贴？", "buttons": [{"title": "困难残疾人生活补贴", "payload": "/a"},
                                                    {"title": "重度残疾人护理补贴", "payload": "/b"}]},
        {"text": "也可以：", "buttons": [{"title": "找办事地点", "payload": "/c"}, {"title": "", "payload": "/x"}]},
    ])
    assert f.text.endswith("回复数字选择：\n1. 困难残疾人生活补贴\n2. 重度残疾人护理补贴\n3. 找办事地点")
    assert [o["payload"] for o in f.options] == ["/a", "/b", "/c"]


def test_markdown_is_stripped():
    assert plain("**重要**：见[链接](https://example.gov.cn/a)") == "重要：见链接（https://example.gov.cn/a）"


def test_message_parts_in_order():
    f = format_messages([{"text": "答复", "citations": [{"doc_id": "d", "section": "一、总则"}],
                          "service_points": [{"name": "某中心"}]}])
    assert f.text == "答复\n1. 某中心\n出处：一、总则"
    assert f.options == []


@pytest.mark.parametrize("text", [
    "短回答",
    "第一段" * 200 + "\n\n" + "第二段" * 500 + "\n\n" + "尾",
    "\n".join(f"{i}. 一行比较长的说明文字，用来测试按行切分。" for i in range(300)),
    "没有任何换行" * 700,
    "mixed ascii and 中文 " * 400,
])
def test_split_keeps_every_piece_within_the_limit_and_loses_nothing(text):
    pieces = split_text(text)
    assert pieces
    assert all(0 < len(p.encode("utf-8")) <= MAX_TEXT_BYTES for p in pieces)
    squash = lambda s: "".join(s.split())  # noqa: E731
    assert squash("".join(pieces)) == squash(text)


def test_split_prefers_paragraph_boundaries():
    a, b = "甲" * 600, "乙" * 600           # 1800 bytes each: one paragraph per piece
    assert split_text(a + "\n\n" + b) == [a, b]
    assert split_text("") == []


@pytest.mark.parametrize("reply, expected", [("1", "/a"), ("２", "/b"), (" 2 ", "/b"), ("2.", "/b"), ("3", None),
                                             ("0", None), ("12个月", None), ("一", None)])
def test_digit_maps_back_to_the_button_payload(reply, expected):
    options = [{"title": "A", "payload": "/a"}, {"title": "B", "payload": "/b"}]
    assert pick_option(reply, options) == expected
    assert pick_option("1", []) is None


def test_points_the_text_already_lists_are_not_repeated():
    points = [{"name": "太原市迎泽区政务服务中心", "distance_km": 1.5}, {"name": "太原市万柏林区政务服务中心"}]
    f = format_messages([{"text": "您附近的办理地点：\n【太原市迎泽区政务服务中心】\n距离：约1.5公里", "service_points": points}])
    assert f.text.count("迎泽区政务服务中心") == 1
    assert f.text.endswith("1. 太原市万柏林区政务服务中心")


def test_a_text_that_carries_its_source_line_gets_no_second_one():
    text = "到2025年，……。\n出处：《山西省“十四五”高品质生活建设规划》 " + SECTION
    f = format_messages([{"text": text, "citations": [{"doc_id": "plan", "section": SECTION, "quote": "q"}]}])
    assert f.text == text and f.text.count("出处") == 1


def test_a_program_answer_with_its_own_source_line_gets_no_second_one():
    f = format_messages([{"text": "育儿补贴每孩每年3600元。\n依据：《育儿补贴制度实施方案》",
                          "citations": [{"doc_id": "育儿补贴制度实施方案", "section": "补贴对象和标准", "quote": "…"}]}])
    assert "出处" not in f.text and f.text.count("依据：") == 1
