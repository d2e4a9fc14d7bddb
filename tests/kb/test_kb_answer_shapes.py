"""Answer shapes added for issue 11: question frames, ordinals, lengths of time, growth, the notice's date."""
from __future__ import annotations

from bot.kb import qtypes
from bot.kb.textproc import tokenize


def test_a_not_a_frame_is_no_topic_word():
    assert "不能" not in tokenize("幼儿园能不能开托班")
    assert "不会" not in tokenize("低保标准会不会跟着调")
    assert "幼儿园" in tokenize("幼儿园能不能开托班")


def test_dialect_question_words_are_no_topic_words():
    assert tokenize("农村六乱是指甚") == ["农村", "六乱"]


def test_when_a_document_was_issued_is_a_document_question():
    assert qtypes.classify("这个高品质生活规划是哪天发的").shape == "document"
    assert qtypes.classify("这个规划是多会儿发的").shape == "document"
    assert qtypes.classify("养老金什么时候发").shape != "document"
    assert qtypes.classify("大同到太原城际铁路多会儿通车").figure == "date"


def test_general_classifier_counts_things_but_not_institutions():
    assert qtypes.has_count_unit("推进黄河、长城、太行三个一号旅游公路建设", "条")
    assert not qtypes.has_count_unit("建设10个左右产教融合实训基地", "家")


def test_ordinal_questions_need_an_ordinal():
    a = qtypes.classify("2020年山西城镇居民收入全国排第几名")
    assert qtypes.has_count_unit("分别排在全国第27位和第26位", a.unit)
    assert not qtypes.has_count_unit("城镇新增就业累计达到257.5万人", a.unit)
    b = qtypes.classify("慈善事业算第几次分配")
    assert qtypes.has_count_unit("慈善事业在第三次分配中的作用", b.unit)
    assert not qtypes.has_count_unit("培训300万人次以上", b.unit)


def test_length_of_time_answers_how_long():
    a = qtypes.classify("太原都市圈通勤圈是多长时间")
    assert "duration" in a.kinds
    assert "duration" in qtypes.sentence_kinds("打造都市圈1小时通勤交通圈")
    assert "duration" in qtypes.sentence_kinds("新任儿童主任一年内完成培训")
    assert "duration" not in qtypes.sentence_kinds("到2025年基本建成")


def test_growth_question_flags_change():
    assert qtypes.classify("居民人均可支配收入每年要涨多少").change
    assert not qtypes.classify("居民人均可支配收入是多少").change


def test_growth_is_not_answered_by_a_rank(kb):
    res = kb.answer("居民人均可支配收入每年要涨多少")
    assert res["answer"] and "8%" in res["answer"] and "第27位" not in res["answer"]


def test_ordinal_answered_by_the_ranking_sentence(kb):
    res = kb.answer("2020年山西城镇居民收入全国排第几名")
    assert res["answer"] and "第27位" in res["answer"]


def test_issue_date_from_the_notice(kb):
    assert kb.answer("这个高品质生活规划是哪天发的")["answer"] == "2021年12月28日"


def test_baseline_dated_2018_stays_in_the_2020_column(kb):
    res = kb.answer("咱山西人均预期寿命现在多少岁")
    assert res["answer"] == "2020年：人均预期寿命77.3岁（2018年数据；2025年目标为78.1岁，预期性指标）"


def test_yes_no_frame_does_not_hide_the_answer(kb):
    res = kb.answer("低保标准会不会跟着调")
    assert res["answer"] and "动态调整" in res["answer"]


def test_how_long_answered_by_a_duration(kb):
    res = kb.answer("太原都市圈通勤圈是多长时间")
    assert res["answer"] and "1小时" in res["answer"]
