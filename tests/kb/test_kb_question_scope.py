"""What the plan cannot answer gets an honest null (current figures, other regions, single cities, finer
detail, a figure about something else); what it can answer gets the asked kind, from the right year."""
from __future__ import annotations

import pytest

from bot.kb import answer as ans
from bot.kb import qtypes


# ------------------------------------------------------------------------------ question side
def test_recent_year_questions_are_current_and_name_the_year():
    a = qtypes.classify("今年农村低保每人每月发多少钱", this_year=2026)
    assert a.current and a.year == "current" and a.year_value == "2026"
    assert not a.wants_indicator
    assert qtypes.classify("去年全省城镇新增了多少就业", this_year=2026).year_value == "2025"


def test_which_ones_asks_for_items_not_a_number():
    a = qtypes.classify("公租房以外的保障房还有哪几类")
    assert a.figure == "" and a.shape == "list"
    assert qtypes.classify("要建几个区域医疗中心").figure == "count"


def test_money_in_yi_and_kuai_is_an_amount():
    assert qtypes.classify("这个工程一共投多少个亿").kinds == {"amount"}
    assert qtypes.classify("农民人均收入涨了几千块").figure == "amount"


def test_clock_time_pair_attribute_and_place_questions():
    assert qtypes.classify("社区食堂几点开饭").figure == "time"
    assert qtypes.classify("城镇和农村的低保标准分别是多少").pair
    assert not qtypes.classify("农村的低保标准是多少").pair
    attr = qtypes.classify("森林覆盖率算约束性指标还是预期性指标")
    assert attr.attribute and attr.label == "attribute" and attr.wants_indicator and not attr.figure
    assert qtypes.classify("全国的森林覆盖率目标是多少").place == "全国"
    assert qtypes.classify("全省和全国比森林覆盖率怎么样").place == ""
    assert qtypes.classify("忻州市2025年森林覆盖率要到多少").place == "忻州"
    assert qtypes.classify("平遥县的养老床位目标多少").place == "平遥县"
    where = qtypes.classify("儿童友好城市试点放在了哪些城市")
    assert where.admin_place and where.shape == "where"


def test_now_is_the_baseline_and_an_indicator_word_alone_names_no_year():
    assert qtypes.classify("森林覆盖率现在是多少").year == "baseline"
    assert qtypes.classify("森林覆盖率以后要到多少").year == "target"
    assert qtypes.classify("森林覆盖率有多少").year == ""


def test_a_baseline_asked_beside_its_target_year_is_the_baseline():
    a = qtypes.classify("2025年国民体质总体达标率的起点2020年是多少", this_year=2026)
    assert (a.year, a.year_value) == ("baseline", "2020")


def test_the_clause_that_asks_the_figure_decides_whether_the_nation_is_asked():
    assert qtypes.asked_place("全国城乡居民收入比是多少 山西比全国高多少") == "全国"
    assert qtypes.asked_place("全国人均预期寿命是多少岁 山西比全国高还是低") == "全国"
    assert qtypes.asked_place("山西人均收入相当于全国的多少") == ""


def test_a_baseline_the_table_lacks_is_null(kb):
    out = kb.answer("2025年国民体质总体达标率的起点2020年是多少")
    assert out["answer"] is None and "95" not in (out.get("message") or "")


def test_row_conflict_needs_a_qualifier_the_sources_use_for_another_thing():
    corpus = "城镇登记失业率每年控制在4.2%以内。城镇调查失业率"
    assert ans.row_conflict("城镇登记失业率要压到多少", "城镇调查失业率", corpus) == "登记"
    assert ans.row_conflict("城镇登记失业率要压到多少", "城镇调查失业率", "城镇调查失业率") == ""
    assert ans.row_conflict("城镇调查失业率要压到多少", "城镇调查失业率", corpus) == ""


def test_asking_words_are_not_topic_words():
    w = ans.topic_weights("山西全省养老床位这些年涨了几次", lambda t: 2.0)
    assert "床位" in w and "养老" in w
    assert not {"山西", "全省", "几次"} & set(w)


# ------------------------------------------------------------------------------ answers
def _null_with_message(res):
    assert res["answer"] is None, res["answer"]
    assert res["message"] and "12345" in res["message"]


def test_current_year_figure_is_not_taken_from_the_plan(kb):
    res = kb.answer("去年全省城镇一共新增了多少万人就业")
    _null_with_message(res)
    assert "257.5" not in (res["message"] or "")


def test_national_figure_is_not_shanxis(kb):
    res = kb.answer("全国人均预期寿命到2025年的目标是多少岁")
    _null_with_message(res)


def test_single_city_figure_is_not_the_provinces(kb):
    res = kb.answer("长治市到2025年每千人口托位数要到多少")
    _null_with_message(res)
    assert res["related"] and res["related"]["label"] == "相关内容"


def test_target_question_is_not_answered_with_the_review_figure(kb):
    res = kb.answer("十四五这几年全省打算再培训多少人次职业技能")
    assert res["answer"] is None or "300万" not in res["answer"]


def test_other_qualifier_of_an_indicator_is_not_answered_with_the_row(kb):
    res = kb.answer("到2025年城镇登记失业率要控制在多少")
    assert res["answer"] is None or "调查失业率" not in res["answer"]


def test_two_values_asked_and_one_row_value_is_null(kb):
    res = kb.answer("2025年城市和乡村的人均住房面积各是多少")
    _null_with_message(res)


def test_figure_about_another_topic_in_the_passage_is_null(kb):
    res = kb.answer("城乡居民医保个人每年缴多少钱")
    _null_with_message(res)


def test_clock_time_is_never_in_the_plan(kb):
    _null_with_message(kb.answer("社区图书馆每天几点开门"))


def test_attribute_question_gets_the_attribute_without_figures(kb):
    res = kb.answer("森林覆盖率属于约束性还是预期性指标")
    assert res["answer"] and res["kind"] == "indicator"
    assert "约束性" in res["answer"]
    assert "2025年目标" not in res["answer"] and "%" not in res["answer"]


def test_long_colloquial_question_reaches_its_indicator_row(kb):
    res = kb.answer("我爸瘫痪了住在养老院，听说规划要多建专门照护失能老人的那种床位，到2025年这种床位占多大比例")
    assert res["kind"] == "indicator" and "55%" in res["answer"]


def test_which_cities_question_names_cities(kb):
    res = kb.answer("产教融合城市试点选了哪几个城市")
    assert res["answer"] and "太原" in res["answer"] and "大同" in res["answer"]


@pytest.mark.parametrize("question", ["保障性住房有哪几类", "调解矛盾纠纷靠哪几种调解联动"])
def test_which_kinds_questions_are_answered_with_items(kb, question):
    res = kb.answer(question)
    assert res["answer"] and res["kind"] == "text"
    assert ("公共租赁住房" in res["answer"]) or ("人民调解" in res["answer"])


def test_count_unit_must_agree():
    assert qtypes.classify("住院押金最多能退几个月").unit == "月"
    assert qtypes.classify("这几年一共新建了多少所学校").unit == "所"  # "这几年" names no unit
    assert qtypes.has_count_unit("新建幼儿园45所", "所")
    assert qtypes.has_count_unit("现行标准下329万贫困人口全部脱贫", "人")
    assert not qtypes.has_count_unit("全省城镇新增就业累计达到257.5万人", "月")


def test_sentence_kinds_of_plan_wordings():
    assert "rate" in qtypes.sentence_kinds("实现乡镇综合文化站全覆盖。")
    assert "count" in qtypes.sentence_kinds("建设“8大中心”。")
    assert "count" in qtypes.sentence_kinds("做实省、市、县三级储备")
    assert "count" not in qtypes.sentence_kinds("推动县级医院达到三级医院水平")


def test_count_in_another_unit_is_null(kb):
    _null_with_message(kb.answer("失业了领失业保险金最长能领几个月"))


def test_row_sharing_only_a_prefix_is_another_indicator(kb):
    res = kb.answer("每千人口护士数到2025年要达到多少")
    assert res["answer"] is None or "托位" not in res["answer"]


def test_review_sentence_answers_a_2020_question(kb):
    res = kb.answer("2020年农村居民人均可支配收入有多少元")
    assert res["answer"] and "13878" in res["answer"]


@pytest.mark.parametrize("question, expected", [
    ("这份规划是哪个机关发的文", "山西省人民政府"),
    ("这个规划的发文字号是多少", "晋政发〔2021〕46号"),
    ("这个规划的通知下发给了哪些单位", "各市、县人民政府"),
])
def test_document_questions_get_the_notice_line_asked(kb, question, expected):
    res = kb.answer(question)
    assert res["answer"] and expected in res["answer"]
    assert len(res["answer"]) < 40  # the line asked, not the whole notice


def test_item_heading_alone_is_never_the_answer(kb):
    res = kb.answer("尽力而为和量力而行要怎么兼顾")
    assert res["answer"] and res["answer"].strip("—。") != "坚持尽力而为与量力而行相兼顾"


def test_list_question_prefers_the_enumerating_sentence(kb):
    res = kb.answer("要办成国际品牌的体育比赛都有哪些")
    assert res["answer"] and "太原国际马拉松" in res["answer"]


def test_which_tier_question_is_answered_by_a_tier(kb):
    res = kb.answer("失业保险的基金准备放在哪一级统筹")
    assert res["answer"] and "省级统筹" in res["answer"]


def test_where_question_is_answered_by_an_institution_in_a_clause_about_it(kb):
    res = kb.answer("孤寡残疾的优抚对象到哪里接受集中供养")
    assert res["answer"] and "光荣院" in res["answer"]


def test_which_counties_needs_counties_named_for_that_thing(kb):
    _null_with_message(kb.answer("那18个县级全域旅游示范区试点都是哪几个县"))


def test_document_question_ranks_the_notice_first_and_the_notice_has_its_own_title(kb):
    res = kb.search("这份高品质生活规划是哪天印发的", top_k=3)
    first = res["results"][0]
    assert first["section"] == "发文通知"
    assert first["title"].endswith("的通知") and "关于印发" in first["title"]
    assert kb.search("高品质生活规划有哪些主要目标", top_k=3)["results"][0]["section"] != "发文通知"


def test_both_halves_word_covers_each_half():
    weights = {"农村居民": 4.0, "收入": 2.0}
    assert ans.covered_share(weights, frozenset({"城乡居民", "收入"})) == 1.0
    assert ans.covered_share(weights, frozenset({"城镇", "收入"})) < 0.5


def test_contribution_tier_is_money_and_not_a_coverage_rate(kb):
    assert qtypes.classify("城镇职工医保最低缴费档次是多少").kinds == {"amount"}
    res = kb.answer("城乡居民养老保险最低缴费档次是多少")
    assert res["answer"] is None or "参保率" not in res["answer"]


def test_share_question_without_a_year_can_be_an_indicator_row(kb):
    res = kb.answer("国民体质达标的人能占多少")
    assert res["kind"] == "indicator" and "95%" in res["answer"]


def test_null_messages_say_why_a_near_figure_is_not_given(kb):
    national = kb.answer("全国的人均预期寿命目标是多少岁")
    assert "全国" in national["message"] and "不能用山西的数字代替" in national["message"]
    city = kb.answer("长治市到2025年每千人口托位数要到多少")
    assert "长治" in city["message"] and "全省" in city["message"]
    recent = kb.answer("去年全省城镇一共新增了多少万人就业")
    assert "实际" in recent["message"] and "12345" in recent["message"]


def test_attribute_question_is_never_answered_by_a_sentence(kb):
    res = kb.answer("森林覆盖率算不算硬指标")
    assert res["kind"] == "indicator" and res["answer"].endswith("指标。")


def test_figure_of_another_administrative_level_does_not_answer(kb):
    assert qtypes.classify("国家级示范区有几个").levels == {"国家"}
    res = kb.answer("山西一共有多少个国家级全域旅游示范区")
    assert res["answer"] is None or "县级" not in res["answer"]


@pytest.mark.parametrize("question", ["农村居民人均住房面积2025年目标多少", "省级文明城市占比 乡镇一级要达到多少",
                                      "到2025年三甲医院要有多少家"])
def test_a_part_the_row_never_names_is_null(kb, question):
    # rural residents only, a township level, the 三甲 grade: the table's row is the whole, another level or 三级
    _null_with_message(kb.answer(question))


@pytest.mark.parametrize("question, rows_answer", [("2025年人均住房面积目标多少", "38"),
                                                  ("县城评上省级文明城市的比例到2025年要多少", "72.5"),
                                                  ("到2025年三级医院要有多少个", "60")])
def test_the_whole_or_a_named_level_is_still_the_rows(kb, question, rows_answer):
    assert rows_answer in (kb.answer(question)["answer"] or "")


def test_another_province_compared_with_shanxi_is_out_of_scope():
    assert qtypes.other_place("河北的高龄老人补贴标准跟山西比哪个高") == "河北"
    assert qtypes.other_place("俺是河北嫁到山西的，山西托位目标多少") == ""


@pytest.mark.parametrize("question, answers", [
    ("零就业家庭有啥补贴", False), ("山西大医院是不是三甲", False), ("两项补贴是不是约束性指标", True)])
def test_a_subsidy_or_a_yes_no_asked_needs_a_passage_that_names_it(kb, question, answers):
    res = kb.answer(question)
    assert (res["answer"] is not None) is answers, res["answer"]


@pytest.mark.parametrize("question, answers", [
    ("每个县都要建康复辅助器具试验中心吗", False),     # the plan says 各市
    ("乡镇卫生院都要开精神科门诊吗", False),           # the plan says 县级
    ("残疾人保险代缴补助现在哪些县实行了", False),     # how it stands now
    ("规划里说要建三级医院，我们县能不能建一个", False),  # one county's arrangement, whatever neighbours say
    ("各市都要建康复辅助器具试验中心吗", True),
    ("每个县都有未成年人保护平台吗", True)])
def test_every_place_of_a_level_needs_a_rule_of_that_level(kb, question, answers):
    res = kb.answer(question)
    assert (res["answer"] is not None) is answers, res["answer"]
