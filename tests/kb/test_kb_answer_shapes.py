"""Answer shapes added for issue 11: question frames, ordinals, lengths of time, growth, the notice's date."""
from __future__ import annotations

import pytest

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


def test_comparison_with_another_province_is_out_of_scope(kb):
    assert qtypes.other_place("河南的高品质生活规划跟山西有啥不一样") == "河南"
    assert qtypes.other_place("山西的托位数比全国多吗") == ""
    res = kb.answer("河南的高品质生活规划跟山西有啥不一样")
    assert res["answer"] is None and res["scope"] == "other_region"


def test_a_person_of_ones_own_village_is_not_in_the_plan(kb):
    res = kb.answer("俺们村的儿童主任是谁")
    assert res["answer"] is None and "村或社区" in res["message"]


def test_a_street_address_needs_an_address(kb):
    assert kb.answer("运城市中心医院在哪条街上")["answer"] is None


def test_a_target_without_a_figure_does_not_answer_for_the_exact_number(kb):
    assert kb.answer("2025年空气优良天数比例具体是百分之多少")["answer"] is None
    res = kb.answer("地级市空气优良天数比例2025年目标是多少")
    assert res["answer"] and "国家考核目标" in res["answer"]


def test_free_or_not_asks_a_fee():
    assert "fee" in qtypes.classify("老年人坐公交免费不").kinds


def test_income_level_is_money_and_not_a_rank(kb):
    assert qtypes.classify("全国居民人均可支配收入是多少").figure == "amount"
    assert qtypes.classify("城乡居民收入绝对差距有多大").figure == "amount"
    assert qtypes.classify("居民人均可支配收入年均增速是多少").figure != "amount"
    assert kb.answer("全国居民人均可支配收入是多少")["answer"] is None


def test_comparison_is_answered_in_words(kb):
    a = qtypes.classify("农村居民收入增速跟城里比咋样")
    assert not a.figure
    res = kb.answer("农村居民收入增速跟城里比咋样")
    assert res["answer"] and "快于城镇居民" in res["answer"] and res["kind"] == "text"


def test_how_to_book_or_sit_an_exam_is_how_to_apply_but_assessment_is_not():
    from bot.kb import answer as ans

    assert ans._HOW_TO_APPLY.search("山西省人民医院咋在网上挂号")
    assert ans._HOW_TO_APPLY.search("社会体育指导员证咋考")
    assert not ans._HOW_TO_APPLY.search("规划的指标咋考核")


def test_a_synonym_covers_a_word_only_whole():
    from bot.kb import answer as ans

    assert ans.covered_share({"最低工资": 1.0}, frozenset({"收入", "城乡"})) == 0.0
    assert ans.covered_share({"低保标准": 1.0}, frozenset({"低保", "平均", "保障", "标准"})) == 1.0


def test_years_and_ordinals_are_not_counts():
    from bot.kb import answer as ans

    asked = qtypes.classify("全省居民收入有多少")
    assert not qtypes.sentence_kinds(ans.figure_clause("2020年", asked, {"count"})) & {"count"}
    assert not qtypes.sentence_kinds(ans.figure_clause("排在全国第27位", asked, {"count"})) & {"count"}
    rank = qtypes.classify("收入在全国排老几")
    assert "count" in qtypes.sentence_kinds(ans.figure_clause("排在全国第27位", rank, {"count"}))


def test_bounds_and_fillers_are_no_topic_words():
    from bot.kb import answer as ans

    idf = lambda t: 2.0  # noqa: E731
    weights = ans.topic_weights("城乡收入比要降到多少以内", idf)
    assert "降到" not in weights and "以内" not in weights and "收入" in weights
    assert "里头" not in ans.topic_weights("2020年干活的人里头有证的占多少", idf)


def test_times_in_words_count_as_times():
    a = qtypes.classify("一年要出去旅游几回")
    assert qtypes.has_count_unit("居民年出游4次", a.unit)
    assert not qtypes.has_count_unit("三大主题旅游板块", a.unit)


def test_colloquial_bound_question_reaches_its_row(kb):
    res = kb.answer("城乡收入比要降到多少以内")
    assert res["kind"] == "indicator" and "2.3" in res["answer"]


def test_those_years_ask_the_past():
    assert qtypes.classify("那几年登记失业率控制在多少以内").year == "baseline"


def test_question_frame_of_a_requirement_is_no_topic(kb):
    from bot.kb import answer as ans

    weights = ans.topic_weights("低保标准往后每年涨多少，有个啥要求", lambda t: 2.0)
    assert not {"涨", "有个", "要求"} & set(weights)
    res = kb.answer("低保标准往后每年涨多少，有个啥要求")
    assert res["answer"] and "不低于" in res["answer"]


def test_what_it_is_for_is_a_definition_without_topic_words():
    from bot.kb import answer as ans

    assert qtypes.classify("劳动力建档立卡是干啥用的").shape == "definition"
    assert set(ans.topic_weights("劳动力建档立卡是干啥用的", lambda t: 2.0)) >= {"劳动力", "建档立卡"}
    assert not {"干", "用"} & set(ans.topic_weights("劳动力建档立卡是干啥用的", lambda t: 2.0))


def test_what_a_named_box_item_is_for_is_the_whole_short_item(kb):
    res = kb.answer("劳动力建档立卡是干啥的")
    assert res["answer"].startswith("劳动力建档立卡工程。") and "就业困难人员" in res["answer"]


@pytest.mark.parametrize("q, phrase", [("未成年人保护要构建几位一体的格局", "六位一体"),
                                       ("社会救助体系是几加一来着", "8+1"),
                                       ("太原及周边大气污染联防联控是几加几", "1+30")])
def test_a_set_phrase_asked_with_its_number(kb, q, phrase):
    res = kb.answer(q)
    assert res["answer"] and phrase in res["answer"]


def test_a_ratio_is_no_set_phrase():
    from bot.kb import answer as ans

    assert ans._TEMPLATE.search("城乡收入差距到2025年要缩到几比一") is None


def test_a_list_question_gets_the_enumerating_sentence_beside_the_one_naming_the_category(kb):
    res = kb.answer("想创业的话有哪些扶持政策")
    assert "创业担保贷款" in res["answer"]


def test_a_list_sentence_that_enumerates_is_not_padded(kb):
    res = kb.answer("灵活引人才有哪些法子")
    assert res["answer"].startswith("深化人才发展体制机制改革")


def test_the_notices_signature_date():
    assert qtypes.classify("高品质生活规划那个通知落款是哪天").shape == "document"


def test_how_long_is_the_asked_aspect_not_a_topic(kb):
    from bot.kb import answer as ans

    assert not {"时间", "长时间"} & set(ans.topic_weights("新上任的儿童主任多长时间内要培训", lambda t: 2.0))
    res = kb.answer("新上任的儿童主任多长时间内要培训")
    assert res["answer"] and "一年内" in res["answer"]


def test_how_to_apply_for_what_the_plan_never_names_is_null(kb):
    from bot.kb import answer as ans

    assert "办理" not in ans.topic_weights("残疾证咋办理", lambda t: 2.0)
    assert kb.answer("残疾证咋办理")["answer"] is None


def test_a_ratio_asked_reaches_the_ratio_row(kb):
    from bot.kb import answer as ans

    assert ans.row_conflict("城里人收入是农村人的几倍", "城乡收入比") == ""
    assert not {"比是", "算", "一"} & set(ans.topic_weights("2020年城乡收入比是多少（农村算1）", lambda t: 2.0))
    res = kb.answer("城里人收入是农村人的几倍，2025年要降到多少以内")
    assert res["kind"] == "indicator" and "2.3" in res["answer"]


def test_whether_something_has_happened_by_now_is_a_status_the_plan_cannot_state(kb):
    res = kb.answer("晋祠现在评上5A了没有")
    assert res["answer"] is None and "5A" not in (res["message"] or "")
    assert res["related"] and "晋祠" in res["related"]["text"]  # the plan's intention, labelled as related


def test_how_one_uses_a_service_is_not_answered_by_its_mention(kb):
    res = kb.answer("时间银行养老咋存时间，咋兑换")
    assert res["answer"] is None


def test_another_kind_of_the_thing_does_not_answer_a_figure(kb):
    res = kb.answer("山西现在常住人口有多少")
    assert res["answer"] is None  # not "329万贫困人口"
    res = kb.answer("老年痴呆抑郁焦虑这些看病的精神卫生机构要建到几级")
    assert res["answer"] and "三级" in res["answer"]  # the same kind named in other words still answers


def test_whether_a_named_county_is_listed_needs_that_county(kb):
    assert kb.answer("我们临猗县有没有全域旅游示范区")["answer"] is None
    res = kb.answer("晋中有没有全域旅游示范区")
    assert res["answer"] and "晋中" in res["answer"]


def test_how_to_apply_needs_most_of_its_topic(kb):
    assert kb.answer("异地就医备案咋办理")["answer"] is None  # 易地搬迁's 便民业务办理 is another matter


def test_search_ranks_the_passage_that_answers_first(kb):
    """The reader reranks retrieval: a target question's indicator row before the review passage that shares
    its words."""
    q = "城乡收入比2025年要降到多少"
    res = kb.answer(q)
    top = kb.search(q, top_k=3)["results"]
    assert res["passages"] and top[0]["chunk_id"] == res["passages"][0]["chunk_id"]
    assert "2.3" in res["answer"]


def test_a_count_in_a_named_city_needs_the_counted_thing_not_only_the_city(kb):
    res = kb.answer("长治的城市书房有几个")
    assert res["answer"] is None  # not "长治市人民医院…1个省级区域医疗中心"


def test_which_department_needs_a_sentence_naming_one(kb):
    assert kb.answer("时间银行是哪个部门管")["answer"] is None
    res = kb.answer("俺们老小区没有养老服务站 这事归谁管 谁给解决")
    assert res["answer"] and "县级政府" in res["answer"]


def test_an_income_level_asked_with_到底_is_an_amount_not_its_growth_rate(kb):
    res = kb.answer("2025年山西城镇居民人均可支配收入到底是多少")
    assert qtypes.classify("2025年山西城镇居民人均可支配收入到底是多少").figure == "amount"
    assert res["answer"] is None or "%" not in res["answer"]


def test_a_bare_rate_name_asks_the_figure(kb):
    res = kb.answer("殘疾人兩項補貼覆蓋率")
    assert res["answer"] and "100%" in res["answer"]


@pytest.mark.parametrize("q", ["规划里说的“六新”是哪六新", "“五湖”是哪五个湖", "“四个不摘”是哪四个不摘"])
def test_what_a_quoted_term_is_made_of_needs_its_list(kb, q):
    res = kb.answer(q)
    assert res["answer"] is None and "没有写明" in res["message"] and res["related"]


@pytest.mark.parametrize("q", ["两工程一机制是啥", "四水四定说的是啥", "8+1社会救助体系 8是啥1是啥", "136兴医工程是咋回事"])
def test_what_a_numbered_slogan_means_needs_its_parts(kb, q):
    """The plan names these without saying what the numbers count: the sentence naming one is no meaning."""
    res = kb.answer(q)
    assert res["answer"] is None and res["related"], res


@pytest.mark.parametrize("q, item", [("农村六乱是指甚", "乱堆乱放"), ("时间银行是个啥", "互助养老")])
def test_a_term_said_with_its_list_or_its_purpose_is_answered(kb, q, item):
    res = kb.answer(q)
    assert res["answer"] and item in res["answer"]


@pytest.mark.parametrize("q", ["三级医院60个现在建够了没有", "壶口瀑布创5A创成了没", "医保现在省级统筹了没",
                               "那50个左右县级医院提升项目有俺们静乐县医院不"])
def test_whether_it_has_happened_or_reached_ones_own_place_is_not_in_a_plan(kb, q):
    assert kb.answer(q)["answer"] is None


@pytest.mark.parametrize("q", ["失业保险能省级统筹吗", "县里精神科门诊要全覆盖吗"])
def test_what_the_plan_aims_at_is_still_answered(kb, q):
    assert kb.answer(q)["answer"]


@pytest.mark.parametrize("q, item", [("三治融合是哪三治", "德治"), ("三个人家民宿是哪三个人家", "太行人家"),
                                     ("1331工程支持哪几个大学率先发展", "中北大学")])
def test_a_term_whose_list_is_there_is_answered(kb, q, item):
    res = kb.answer(q)
    assert res["answer"] and item in res["answer"]


@pytest.mark.parametrize("q", ["长治哪家幼儿园是公办的", "共有产权房在太原哪个小区", "农村宅基地能不能卖给城里人"])
def test_one_named_place_or_what_the_law_allows_is_not_in_a_plan(kb, q):
    assert kb.answer(q)["answer"] is None


def test_an_income_level_reached_is_an_amount_and_a_comparison_is_said_in_words(kb):
    assert qtypes.classify("城乡居民人均可支配收入达到多少了").figure == "amount"
    res = kb.answer("农村居民收入增速跟城镇比要咋样")
    assert res["answer"] and "快于" in res["answer"]
