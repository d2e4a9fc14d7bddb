"""Extractive answers: verbatim quotes, the structured indicator answer, and no unsupported figure."""
from __future__ import annotations

import re

import pytest

from bot.kb import answer as ans
from bot.kb import qtypes
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


def test_no_answer_states_a_figure_its_citations_lack(golden_answers, plan_raw):
    for q, res in golden_answers:
        if res["answer"] is None:
            continue
        quoted = set().union(*(figures(c["quote"]) for c in res["citations"]))
        assert figures(res["answer"]) <= quoted, q["q"]
        for c in res["citations"]:  # verbatim: the whole quote, or each of its lines (table rows, notes)
            assert squash(c["quote"]) in squash(plan_raw) or all(
                squash(line) in squash(plan_raw) for line in c["quote"].split("\n")), (q["q"], c["quote"])


def test_citations_are_never_a_bare_header_or_heading_and_one_per_section(golden_answers, plan):
    header = "领域 指标 2020年 2025年 属性"
    headings = {h.split(" > ")[-1] for h in plan.sections} | set(plan.chapters) | set(plan.boxes) | \
        {b.lead for b in plan.blocks if b.lead}  # an item's lead sentence alone is a heading too
    for q, res in golden_answers:
        labels = [(c["doc_id"], c["section"]) for c in res["citations"]]
        assert len(labels) == len(set(labels)), (q["q"], labels)
        for c in res["citations"]:
            quote = c["quote"].strip()
            assert quote != header and quote.split("\n")[-1].strip() != header, (q["q"], quote)
            assert quote.rstrip("。") not in headings, (q["q"], quote)


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


def test_a_compared_target_quotes_the_tables_own_notation_beside_the_words():
    row = {"name": "从业人员持证率", "unit": "%", "target_2025": ">50", "value_2020": "22.6", "attribute": "预期性"}
    assert ans.indicator_answer(row) == "2025年目标：从业人员持证率超过50%（表中写作“>50”，2020年为22.6%，预期性指标）"
    plain = {"name": "三级医院数量", "unit": "个", "target_2025": "60", "value_2020": "36", "attribute": "预期性"}
    assert "表中写作" not in ans.indicator_answer(plain)


def test_format_value():
    assert ans.format_value(">50", "%") == "超过50%"
    assert ans.format_value("≥85", "%") == "不低于85%"
    assert ans.format_value("城市7.4; 农村11.7", "%") == "城市7.4%、农村11.7%"
    assert ans.format_value("完成国家考核目标", "%") == "完成国家考核目标"


def test_amount_not_in_the_plan_is_an_honest_null_with_related_passage(kb):
    res = kb.answer("残疾人两项补贴每个月发多少钱")  # the plan states a coverage rate, never an amount
    assert res["answer"] is None and res["citations"] == [] and res["answer_type"] == "amount"
    assert "金额" in res["message"] and "12345" in res["message"]
    assert res["related"]["label"] == "相关内容" and res["related"]["text"]


def test_baseline_and_target_are_kept_apart(kb):
    base = kb.answer("残疾人两项补贴覆盖率2020年是多少")
    assert base["answer"].startswith("2020年") and "90%" in base["answer"]
    target = kb.answer("残疾人两项补贴覆盖率要达到多少")
    assert target["answer"].startswith("2025年目标") and "100%" in target["answer"]


def test_both_city_and_county_rows(kb):
    res = kb.answer("文明城市占比要达到多少")
    assert "（市级）90.9%" in res["answer"] and "（县级）72.5%" in res["answer"]
    assert len(res["citations"]) == 1 and "县级" in res["citations"][0]["quote"]


def test_box_item_with_its_own_figures(kb):
    res = kb.answer("县级医院提升拓展项目要搞多少个")
    assert "50个左右县级医院提升拓展项目" in res["answer"]
    assert res["citations"][0]["section"].endswith("（一）健全基本公共服务制度")


def test_area_question_gets_the_asked_standard_not_an_indicator(kb):
    res = kb.answer("新建小区养老服务设施按什么面积配建")
    assert res["kind"] == "text" and "0.1平方米" in res["answer"]


def test_document_question_gets_the_notice_not_a_row(kb):
    res = kb.answer("这个规划是哪个文件 文号是多少")
    assert res["kind"] == "text" and "晋政发〔2021〕46号" in res["answer"]


@pytest.mark.parametrize("q,expected", [("這個文件抄送給了哪些單位", "省人大常委会办公厅"),
                                        ("规划最后是哪个办公厅印发的", "山西省人民政府办公厅"),
                                        ("省里那个通知是下发给哪些单位的？主送谁", "各市、县人民政府")])
def test_the_closing_lines_of_the_document_answer_who_got_a_copy_and_who_printed_it(kb, q, expected):
    res = kb.answer(q)
    assert res["answer"] and expected in res["answer"], res
    assert "抄送" not in res["answer"] or q.startswith("這個文件抄送")   # a 主送 question is not the 抄送 line


@pytest.mark.parametrize("q,place", [("北京的托位数目标是多少", "北京"), ("西安的养老院护理型床位占比", "西安"),
                                     ("陕西的人均预期寿命是多少岁", "陕西")])
def test_other_regions_are_not_given_shanxi_figures(kb, q, place):
    res = kb.answer(q)
    assert res["answer"] is None and res["citations"] == []
    assert "山西省" in res["message"] and place in res["message"] and res.get("scope") == "other_region"


def test_the_same_question_about_shanxi_is_answered(kb):
    assert "4.5" in kb.answer("山西的托位数目标是多少")["answer"]


@pytest.mark.parametrize("q", ["孩子两岁能领育儿补贴吗", "我是二级残疾能领护理补贴吗", "低保户家的残疾人能领生活补贴吗",
                               "考了中级证能拿技能提升补贴吗"])
def test_eligibility_questions_get_no_plan_passage(kb, q):
    """The plan states no eligibility rule: its passages (托位数, 托班…) never back an eligibility decision."""
    res = kb.answer(q)
    assert res["answer"] is None and res["citations"] == [] and res["answer_type"] == "eligibility"


@pytest.mark.parametrize("q,what", [
    ("规划中期评估结果咋样了", "实施结果或最新进展"),      # a plan states intentions, not how they turned out
    ("电子培训券咋申领", "办理方式和材料"),                # it names the voucher, never how to claim it
    ("公租房申请要啥条件", "具体的申领条件"),              # "住房条件" is not a condition of eligibility
])
def test_what_a_plan_cannot_say_is_an_honest_null(kb, q, what):
    res = kb.answer(q)
    assert res["answer"] is None and res["citations"] == [], res
    assert what in res["message"]


def test_last_year_in_shanxi_words_is_a_recent_figure_the_plan_does_not_state(kb):
    res = kb.answer("年时山西人均可支配收入是多少")
    assert res["answer"] is None and "最近的实际" in res["message"], res
    assert kb.answer("2020年城里人人均可支配收入到了多少钱")["answer"]


@pytest.mark.parametrize("q", ["十五五规划里养老有啥新政策", "下一个五年规划托育咋安排的"])
def test_other_plan_periods_get_no_fourteenth_plan_text(kb, q):
    res = kb.answer(q)
    assert res["answer"] is None and res["citations"] == [] and res.get("scope") == "other_period"
    assert "十四五" in res["message"] and "12345" in res["message"]


def test_the_fourteenth_plan_question_is_still_answered(kb):
    assert kb.answer("十四五期间养老服务有啥新政策")["answer"]


@pytest.mark.parametrize("q,items", [
    ("规划里讲了哪几种革命精神", ("太行精神", "吕梁精神", "右玉精神")),
    ("调解有哪几种联动", ("人民调解", "行政调解", "司法调解")),
    ("中医养生保健有哪些项目 药浴算不算", ("药浴", "中药熏蒸")),
    ("规划说要发展哪些产业给居民增收 家政算不算", ("家政服务", "休闲旅游")),
])
def test_which_kinds_questions_get_the_sentence_that_enumerates_them(kb, q, items):
    res = kb.answer(q)
    assert res["answer"] and all(i in res["answer"] for i in items), res
    assert all(i in "".join(c["quote"] for c in res["citations"]) for i in items)


@pytest.mark.parametrize("q,items", [
    ("保障性的房子有几种", ("公共租赁住房", "共有产权住房")),
    ("技能人才的评价分几种", ("职业资格评价", "职业技能等级认定")),
    ("政府跟社会资本合作办养老有几种模式", ("TOT", "ROT")),
])
def test_how_many_kinds_is_answered_by_naming_them(kb, q, items):
    """The plan lists kinds and rarely counts them: "有几种" gets the list rather than "no figure"."""
    assert qtypes.classify(q).kinds_counted
    res = kb.answer(q)
    assert res["answer"] and all(i in res["answer"] for i in items), res


@pytest.mark.parametrize("q,word", [("俺们村里有哪几种庄稼能领补贴", "庄稼"), ("规划里讲了哪几种传统美食", "美食")])
def test_an_enumeration_of_something_else_does_not_answer(kb, q, word):
    res = kb.answer(q)
    assert res["answer"] is None or word in res["answer"], res


def test_receiving_how_much_is_an_amount_and_a_rate_never_answers_it(kb):
    assert qtypes.classify("失业保险金一个月能领多少").figure == "amount"
    res = kb.answer("失业保险金一个月能领多少")
    assert res["answer"] is None or "%" not in res["answer"]


@pytest.mark.parametrize("q", ["家庭医生签约要交钱不", "晋中五龙冰雪小镇门票多钱", "中等收入群体是年收入多少算", "低收入人口认定收入线是多少"])
def test_money_asked_in_other_words_is_never_answered_with_a_rate(kb, q):
    assert qtypes.classify(q).figure == "amount"
    res = kb.answer(q)
    assert res["answer"] is None, res


@pytest.mark.parametrize("q", ["听说规划里提了个电子培训券 是真有这个说法不", "电子培训券是个甚东西"])
def test_a_term_the_plan_quotes_is_answered_by_the_sentence_naming_it(kb, q):
    res = kb.answer(q)
    assert res["answer"] and "电子培训券" in res["answer"] and "电子培训券" in res["citations"][0]["quote"], res


def test_a_quoted_term_alone_does_not_answer_a_figure_question(kb):
    res = kb.answer("电子培训券一张能抵多少钱")
    assert res["answer"] is None, res


@pytest.mark.parametrize("q", [
    "电动车充电桩进小区安装有补贴吗",        # the plan names 充电桩, never a subsidy for them
    "三孩生了有啥奖励补贴",                  # 创业奖励 is another benefit
    "13家实验室分别建在哪",                  # the plan counts them, it does not list where
    "山西现在总人口是多少",                  # not the 体育人口 row
    "城镇化率是多少",                        # an indicator the plan never names is none of its rows
    "蒲县道德银行积分能换甚东西",            # how a service is used
    "晋祠要是评上5A门票会涨价不",            # a future price
    "太原房价明年会不会降",
    "50个县级医院提升项目都是哪些医院",      # named instances the plan does not list
    "那60家三级医院具体都是哪些",
    "“两工程一机制”具体是哪两个工程",
    "太原哪个幼儿园是公办的",
])
def test_near_misses_are_honest_nulls(kb, q):
    res = kb.answer(q)
    assert res["answer"] is None and res["citations"] == [], res


@pytest.mark.parametrize("q, figure", [
    ("森林复盖率2025年要到多少", "26"),      # a typed slip (复盖) is read as the word
    ("国家定的基本公共服务标准，到2025年各市县得落实多少", "100"),   # 各市县 is every 市县, not another kind
    ("国家公交都市创建是哪两个市", "临汾"),                          # named instances the plan does list
    ("国家肿瘤治疗基地是哪两个医院", "省儿童医院"),
    ("咱农民人均可支配收入2020年到多少了", "13878"),                # a time between 收入 and 多少: money
    ("咱省城里人收入2020年全国排第几", "27"),                        # a rank, not money
])
def test_slips_and_distributives_still_answer(kb, q, figure):
    assert figure in (kb.answer(q)["answer"] or "")


def test_whether_ones_own_place_gets_a_project_is_an_honest_null(kb):
    res = kb.answer("规划里说要建三级医院 俺们县能不能建一个")
    assert res["answer"] is None and "具体到某个县" in res["message"]


def test_which_ones_of_several_named_is_a_list_not_a_count(kb):
    res = kb.answer("规划讲的幼有善育学有优教那几个有都是啥")
    assert "老有颐养" in (res["answer"] or "")


@pytest.mark.parametrize("q,named", [("广场舞算不算全民健身活动", "广场舞"), ("养老说的六助是哪六个 助餐算不算", "助餐"),
                                     ("农民住房能拿去抵押贷款不", "住房财产权")])
def test_whether_a_thing_is_among_those_named_is_answered(kb, q, named):
    """"X算不算Y" and "能拿去…不" ask whether the plan names a thing, not who may claim: the sentence naming it
    answers, with no conditions sentence needed."""
    res = kb.answer(q)
    assert res["answer"] and named in res["answer"]


def test_a_sentence_that_never_names_the_kind_does_not_answer_membership(kb):
    """"山西大学算不算双一流": a sentence on 山西大学 that never says 双一流 is no answer."""
    res = kb.answer("山西大学算不算双一流")
    assert res["answer"] is None


@pytest.mark.parametrize("q,year", [("托位那个20年是多少", "2020年"), ("到25年要建多少", "2025年"), ("35年的远景", "2035年")])
def test_a_two_digit_year_is_read_as_the_year(q, year):
    assert year in qtypes.year_digits(q)


@pytest.mark.parametrize("q", ["干了20年能领多少", "缴费15年够不够", "交了20年社保"])
def test_a_count_of_years_is_not_a_year(q):
    assert "20" + q[q.index("年") - 2:q.index("年")] + "年" not in qtypes.year_digits(q)


def test_a_baseline_asked_with_a_short_year_is_not_answered_with_the_target(kb):
    res = kb.answer("国民体质达标率20年的时候是多少")
    assert res["answer"] is None or "2025年目标" not in res["answer"], res


def test_which_year_a_table_value_is_from_comes_from_the_table_note(kb):
    res = kb.answer("指标表上预期寿命写的77.3 是哪一年的数字")
    assert res["answer"] and "2018年" in res["answer"], res
    assert any("2018年数据" in c["quote"] for c in res["citations"])


def test_paired_items_list_a_numbered_term(kb):
    res = kb.answer("规划里农村要治的六乱具体指啥")
    assert res["answer"] and all(w in res["answer"] for w in ("乱搭乱建", "乱堆乱放", "乱扔乱倒")), res


def test_this_years_actual_figure_is_not_the_plans_target(kb):
    res = kb.answer("现在每千人口托位实际是多少 25年的目标达到没")
    assert res["answer"] is None, res


@pytest.mark.parametrize("q,row,conflict", [
    ("城市人均公园绿地面积规划定了多少", "人均住房面积", True),
    ("人均住房面积到时候多大", "人均住房面积", False),
    ("人均预计寿命要到多少", "人均预期寿命", False),   # a slip, not another indicator
    ("山西人平均寿命多少岁", "人均预期寿命", False),    # the same thing in other words
])
def test_another_qualifier_of_a_rows_head_word_is_another_indicator(q, row, conflict):
    assert bool(ans.head_conflict(q, row)) == conflict


def test_an_indicator_the_table_lacks_is_not_answered_by_a_row_with_the_same_unit(kb):
    res = kb.answer("城市人均公园绿地面积规划定了多少平方米")
    assert res["answer"] is None or "住房" not in res["answer"], res


@pytest.mark.parametrize("q", ["到2025年托位达没达到 眼下每千人实际几个", "2025年的目标托位实际上完成了吗",
                               "夜来看新闻说山西人均预期寿命涨了 现在是多少岁"])   # the figure after a reported rise
def test_whether_a_target_was_reached_is_not_answered_with_the_target(kb, q):
    assert qtypes.classify(q).current
    assert kb.answer(q)["answer"] is None


def test_which_indicators_are_binding_lists_every_binding_row(kb):
    res = kb.answer("规划的指标里头哪些算约束性的")
    assert res["answer"] and "森林覆盖率" in res["answer"] and "养老机构护理型床位占比" in res["answer"], res
    assert "人均预期寿命" not in res["answer"]          # 预期性
    assert all(w in res["citations"][0]["quote"] for w in ("森林覆盖率", "约束性"))


def test_one_indicators_attribute_is_still_that_rows_alone(kb):
    res = kb.answer("森林覆盖率那个指标是硬指标不")
    assert res["answer"] and "森林覆盖率" in res["answer"] and "养老机构" not in res["answer"], res


@pytest.mark.parametrize("q,want", [("新盖的小区按每人多少平方米配养老设施", "0.1"), ("到2025年每一千口人能有几个托位", "4.5")])
def test_colloquial_words_for_the_plans_terms(kb, q, want):
    res = kb.answer(q)
    assert res["answer"] and want in res["answer"], res


def test_a_leading_year_dates_every_clause_after_it(kb):
    res = kb.answer("儿童友好社区多会儿能城里乡下都覆盖上")
    assert res["answer"] and "2035" in res["answer"], res


def test_a_leading_year_does_not_date_a_topic_the_sentence_lacks(kb):
    res = kb.answer("15分钟公共服务圈要到哪年全省都建成")
    assert res["answer"] is None or "2035" not in res["answer"], res


def test_by_then_is_the_target_year_not_a_topic(kb):
    res = kb.answer("到时候养老保险参保率要到多少")   # 到时候: when the plan ends, no topic word of its own
    assert res["answer"] and "95" in res["answer"], res


@pytest.mark.parametrize("q", ["主要发展指标一共列了多少项", "十四五高品质生活主要指标一共几项"])
def test_the_size_of_the_indicator_table_is_counted_from_its_rows(kb, q):
    res = kb.answer(q)
    assert res["answer"] and "25项" in res["answer"] and "25 " in res["citations"][0]["quote"], res


def test_the_domains_of_the_indicator_table_are_listed(kb):
    res = kb.answer("指标表分了哪几个领域")
    assert res["answer"] and all(d in res["answer"] for d in ("基本民生", "富民增收", "健康促进")), res


@pytest.mark.parametrize("q, want", [
    ("城镇居民的人均收入 十三五期间一共涨了多少", "8965"),        # money said in so many words: an amount
    ("城里人比乡下人一年多挣多少 绝对差距", "2万元"),
    ("娃初中毕业上普高还是职高 规划说普高跟中职规模保持个啥比例", "大体相当"),   # a relation, not a share
    ("读书这块 规划想让山西排到全国啥位置", "全国前列"),
    ("阅读率在全国要排到啥位置", "全国前列"),     # a standing among provinces is the plan's, not a national figure
    ("企业退休的养老金连着涨了几回了", "十六连涨"),
    ("县一级的实训基地要建几个", "30个县级实训基地"),
    ("夜来听广播说 十三五那五年城里新找着工作的一共有多少人", "257.5"),   # hearsay and 城里 are no topic
    ("前两天听人说免费送戏下乡 当初定了多少场", "一万场"),      # where it was heard, before the topic
    ("农村户厕要新改多少户", "120万户"),                        # "户" + "厕要": the word split by the tokenizer
    ("全省摘帽子的穷县一共几个", "58个贫困县"),                 # 穷县 is the plan's 贫困县
    ("户厕普及率2020年是多少", "63.3"),
    ("城里人均收入每年要涨几个点", ">8"),                       # 几个点: a rate
    ("证书制度试点叫“1加几”", "1+X"),                           # a named "1+X" asked as 1加几
    ("这个高品质生活的规划是哪个衙门发的", "山西省人民政府"),
    ("这规划办公厅是哪天印发下去的", "2021年12月31日印发"),     # the printing date, not the printing office
])
def test_resident_words_reach_the_plans_answer(kb, q, want):
    res = kb.answer(q)
    assert res["answer"] and want in res["answer"].replace(" ", ""), res


@pytest.mark.parametrize("q", ["公租房能住几年", "公租房五年內要建多少套"])
def test_years_or_things_counted_are_no_area_row(kb, q):
    res = kb.answer(q)
    assert res["answer"] is None or "住房面积" not in res["answer"], res


def test_another_indicator_of_the_same_kind_is_no_answer(kb):
    res = kb.answer("农村自来水普及率2025年要到多少")   # 自来水 is not the row's 户用卫生厕所
    assert res["answer"] is None, res


@pytest.mark.parametrize("q,said", [
    ("省级文明城市名单里有没有孝义", "孝义"),                  # whether one named place is among those counted
    ("30个县级实训基地有静乐的没", "静乐"),
    ("50个左右县级医院提升项目里有岢岚县医院吗", "岢岚县"),
    ("国家区域医疗中心是山西哪家医院", "国家区域医疗中心"),    # the plan names the 省级 one only
    ("2020年那36家三级医院里三甲的有几家", "三甲"),            # a part of the counted whole
    ("2020年全省人均预期寿命实际是多少岁", "更早年份"),        # the table's base value is 2018 data
    ("省校合作那12大基地都是啥基地", "12大基地"),              # a term's contents the plan does not list
    ("推广的“三大球”具体是哪三个球", "三大球"),                 # the term is one item of another list
    ("60家三级医院里 三甲要有几家", "三甲"),
])
def test_what_the_plan_names_only_in_part_is_an_honest_null(kb, q, said):
    res = kb.answer(q)
    assert res["answer"] is None and said in res["message"]


@pytest.mark.parametrize("q,figure", [
    ("县级医院提升拓展项目大概搞多少个 俺们繁峙县医院太破了", "50"),   # the county only says where one is from
    ("俺们是长子县的 每个县镇至少办好几所公办中心幼儿园", "1所"),      # a rule for every county answers for one's own
    ("空气优良天数比例十三五末是多少 临汾的空气真不行", "71.9"),
    ("省级区域医疗中心有哪几家", "临汾市人民医院"),
    ("人均预期寿命起点数是多少 是2020年的数不", "77.3"),
])
def test_a_place_or_level_said_in_passing_still_answers(kb, q, figure):
    assert figure in (kb.answer(q)["answer"] or "")


def test_a_county_inside_a_longer_county_name_is_one_place():
    assert qtypes.asked_place("俺们岢岚县农村卫生厕所普及率现在是多少") == "岢岚县"
    assert qtypes.named_places("俺们岢岚县") == {"岢岚县"}


@pytest.mark.parametrize("q", ["高等教育“1331”工程具体包括啥", "太原地铁十四五要修几条线"])
def test_a_code_named_or_lines_counted_that_the_plan_does_not_spell_out_is_an_honest_null(kb, q):
    """"实施“1331”工程，支持山西大学…率先发展": the next clause is another action, not the code's contents;
    "几条线" counts lines, not kinds, so a list of ways to travel is no answer."""
    assert kb.answer(q)["answer"] is None


def test_the_action_the_question_names_is_answered_by_its_clause(kb):
    assert "山西大学" in (kb.answer("1331工程支持哪几个大学率先发展")["answer"] or "")


@pytest.mark.parametrize("q", [
    "托育的托位总共有多少个",           # "3岁以下" names who is cared for; it counts nothing
    "2018年农村卫生厕所普及率多少",     # the table's 2020 column is 2020's, unless its note dates it to 2018
    "看病住院医保报销百分之多少",       # a percentage asked; 全覆盖 is none
    "医保异地就医咋备案",               # how to use a service, which the plan never describes
])
def test_a_figure_of_another_kind_or_year_is_no_answer(kb, q):
    res = kb.answer(q)
    assert res["answer"] is None, res


def test_a_figure_asked_for_now_says_the_plan_has_no_current_figure(kb):
    from actions.policy import answer_message
    res = kb.answer("全省人均住房面积现在有多少平")     # the plan's figure is its 2020 base
    assert res["answer"] and "35" in res["answer"] and res.get("note"), res
    text = answer_message(res)["text"]
    assert text.startswith("资料里没有写明现在的实际数字") and text.index("相关内容") < text.index("35"), text
    assert not kb.answer("2020年人均住房面积多少平").get("note")    # a year named: the plan's own figure


@pytest.mark.parametrize("q, want", [
    ("休假这块规划咋提的", "带薪休假"),          # the topic, not 规划, is what is looked for
    ("重复上访这块规划怎么说", "重复信访"),
])
def test_what_the_plan_says_of_a_short_topic(kb, q, want):
    res = kb.answer(q)
    assert res["answer"] and want in res["answer"], res
