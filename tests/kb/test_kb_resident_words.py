"""How the reader takes a resident's own words: words about themselves, numbered names, homophone slips."""
from __future__ import annotations

from bot.kb import answer as ans
from bot.kb import qtypes
from bot.kb.homophones import HomophoneSpeller


def test_words_about_the_asker_are_not_what_is_asked():
    assert ans.asked_part("俺是兴县的脱贫户 脱贫攻坚咱全省一共脱了多少万人") == "脱贫攻坚咱全省一共脱了多少万人"
    # a remark after the question is dropped too
    assert ans.asked_part("县级医院提升项目搞多少个 俺们繁峙县医院太破了") == "县级医院提升项目搞多少个"
    # a clause before the question that names the topic stays
    assert "养老服务站" in ans.asked_part("俺们老小区没有养老服务站 这事归谁管 谁给解决")
    # one clause, or no clause that asks: the question is kept whole
    assert ans.asked_part("俺是兴县的") == "俺是兴县的"


def test_numbered_name_is_answered_by_the_name_with_its_number():
    a = qtypes.classify("规划要组织实施的是几孩生育政策")
    assert a.numbered == "孩"
    assert qtypes.states("依法组织实施三孩生育政策，强化配套措施。", a)
    assert not qtypes.states("强化配套措施。", a)
    assert qtypes.classify("规划说聚焦几新突破").numbered == "新"
    assert qtypes.classify("托位有几个").numbered == ""   # 几个 asks a quantity


def test_outlook_in_a_chapter_named_for_the_base_is_not_the_past():
    chunk = {"section": "一、新阶段民生社会发展基础和环境 > （二）“十四五”时期面临形势"}
    assert not ans.is_past_context("未来5—10年是全省高质量发展的窗口期、关键期", chunk)
    review = {"section": "一、新阶段民生社会发展基础和环境 > （一）“十三五”时期发展回顾"}
    assert ans.is_past_context("城镇新增就业累计达到257.5万人", review)


def _speller():
    chunks = [{"tokens": ["医保", "统筹", "返贫", "监测", "物业", "医院", "大一院", "过程", "持证率"],
               "text": "完善基本医保市级统筹。健全防止返贫监测。小区物业全覆盖。山西大一院。实施过程。从业人员持证率"}]
    return HomophoneSpeller.from_chunks(chunks)


def test_homophone_slips_become_the_documents_words():
    sp = _speller()
    assert sp.respell("医宝统筹咋说") == "医保统筹咋说"
    assert sp.respell("防止返频监测") == "防止返贫监测"
    assert sp.respell("新小区都得有物页吗") == "新小区都得有物业吗"
    assert sp.respell("从业人员持正率") == "从业人员持证率"


def test_real_words_are_never_respelt():
    sp = _speller()
    assert sp.respell("省里的大医院") == "省里的大医院"          # 医院 is the documents' own word
    assert sp.respell("医保现在咋样") == "医保现在咋样"          # whole words stay whole
    assert sp.respell("几回") == "几回"                          # a question word is no slip


def test_kb_reads_a_slip_when_nothing_answers_as_typed(kb):
    out = kb.answer("全民阅渎那个活动叫个啥名")
    assert out["answer"] and "书香三晋" in out["answer"]
    out = kb.answer("新小区都得有物页吗")
    assert out["answer"] and "物业" in out["answer"]


def test_a_numbered_slogan_named_without_its_parts_is_not_its_meaning():
    from bot.kb.answer import term_contents_missing
    said = ("坚持市场化、法治化、国际化，把握“三无”“三可”营商环境要求，深化拓展“承诺制+标准地+全代办”改革，"
            "为高品质生活建设打造公平公正的法治环境、高效便捷的政务环境、诚实守信的信用环境")
    assert term_contents_missing("营商环境的三无三可具体指啥", said) == "三无"
    assert term_contents_missing("两下两进两拆到底是拆啥进啥", "深化“两下两进两拆”，重点做好“三延伸两提升”。") == "两下两进两拆"
    # a list further on whose items carry the term's words does list it
    listed = "乡村旅游和“三个人家”民宿建设工程。紧扣“乡恋”这个乡村旅游灵魂，打造乡村旅游产品，建设黄河人家、长城人家、太行人家"
    assert term_contents_missing("三个人家民宿是哪三个人家", listed) == ""


def test_a_slogan_asked_in_other_words_is_still_not_answered_by_its_mention():
    from bot.kb.answer import term_contents_missing
    said = "聚焦“六新”突破创造新就业岗位，深挖战略性新兴产业的就业带动潜能。"
    assert term_contents_missing("“六新”突破是指哪六新", said) == "六新"
    assert term_contents_missing("两下两进两拆是干啥的", "深化“两下两进两拆”，重点做好“三延伸两提升”。") == "两下两进两拆"
    # "改哪五水", "是拆啥": which parts, asked with the slogan's own verb or noun
    said = "强化“四水四定”刚性约束，深化“五水综改”，加强岩溶大泉和湿地保护，涵养“华北水塔”。"
    assert term_contents_missing("五水综改具体改哪五水", said) == "五水综改"
    assert term_contents_missing("两下两进两拆是拆啥", "深化“两下两进两拆”，重点做好“三延伸两提升”。") == "两下两进两拆"
    # "指哪两样下降" is answered by two things joined by 和; "是说啥" asks what it is about
    two = "安全生产形势稳定好转，各类事故起数和死亡人数逐年保持“双下降”。"
    assert term_contents_missing("安全生产那块说事故双下降 指哪两样下降", two) == ""


def test_how_a_kind_of_household_is_recognised_needs_a_condition(kb):
    from bot.kb.answer import criteria_missing
    assert criteria_missing("零就业家庭是咋认定的", "确保零就业家庭至少一人就业。")
    assert not criteria_missing("零就业家庭是咋认定的", "家庭成员均处于失业状态的认定为零就业家庭。")
    assert not criteria_missing("零就业家庭的目标是啥", "确保零就业家庭至少一人就业。")
    out = kb.answer("零就业家庭是咋认定的")
    assert out["answer"] is None and "认定标准" in out["message"] and out["related"]["label"] == "相关内容"


def test_a_slip_or_an_everyday_household_word_is_no_other_indicator():
    from bot.kb.answer import row_conflict
    assert row_conflict("国民体值总体达标率目标多少", "国民体质总体达标率") == ""
    assert row_conflict("农村家里卫生厕所 2020年普及了多少", "农村户用卫生厕所普及率") == ""
    assert row_conflict("城镇登记失业率是多少", "城镇调查失业率") == "登记"


def test_which_city_needs_a_city_in_the_answer(kb):
    from bot.kb.answer import place_missing
    assert place_missing("国家级城市医联体建设试点是哪个城市", "推进国家级城市医联体建设试点。")
    assert not place_missing("健康养老集聚区要放在哪个市", "建设侯马市健康养老集聚区。")
    assert not place_missing("国家级城市医联体建设试点有哪些内容", "推进国家级城市医联体建设试点。")
    out = kb.answer("国家级城市医联体建设试点是哪个城市")
    assert out["answer"] is None and "哪个地方" in out["message"] and out["related"]["label"] == "相关内容"


def test_years_said_in_words_are_years():
    assert qtypes.year_digits("二〇年中等收入群体占多大比例") == "2020年中等收入群体占多大比例"
    assert qtypes.year_digits("到二零二五年托位") == "到2025年托位"
    assert qtypes.classify("二〇年中等收入群体占多大比例").year_value == "2020"
    assert qtypes.classify("到二〇三五年每千人托位要到多少个").year_value == "2035"   # not the 2025 target
    assert qtypes.classify("新建的省疾控中心在哪个区").shape == "where"


def test_a_ratio_written_with_a_colon_stays_in_its_clause(kb):
    # "城乡居民收入比仍高达2.5 : 1，收入绝对差距超过2万元": the ratio's clause names what the gap is between
    out = kb.answer("城里人和农村人收入差了多少钱 绝对数")
    assert out["answer"] and "2万元" in out["answer"].replace(" ", "")


def test_a_synonym_that_names_a_rate_or_count_is_a_word_of_the_plan():
    """Every synonym term becomes a jieba word; one ending in 率/数 that the plan never uses would read as an
    indicator the table lacks ("城镇化率") and turn away the very row it was meant to find."""
    from pathlib import Path
    from bot.kb.textproc import get_synonyms, tokenize
    plan = Path("policy_kb/shanxi-14th-fyp-high-quality-life.txt").read_text(encoding="utf-8")
    tokens = set(tokenize(plan))
    strays = [t for t in get_synonyms().terms() if len(t) >= 3 and t[-1] in "率数" and t not in tokens]
    assert not strays, strays
