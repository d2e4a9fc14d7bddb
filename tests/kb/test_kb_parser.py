"""The parser recovers the plan's structure and repairs its extraction noise."""
from __future__ import annotations

import re

from bot.kb.parser import ends_sentence, parse_text

CHAPTERS = [
    "一、新阶段民生社会发展基础和环境",
    "二、“十四五”高品质生活建设的总体思路",
    "三、实施基本民生补网行动，筑牢品质生活安全屏障",
    "四、实施技能富民战略行动，夯实品质生活财富储备",
    "五、实施公共服务升级行动，满足品质生活多样需求",
    "六、实施精神文化点亮行动，提升品质生活时代内涵",
    "七、实施生态宜居创优行动，打造品质生活美丽家园",
    "八、实施全民健康促进行动，厚植品质生活幸福根基",
    "九、汇聚建设合力，确保规划目标任务如期实现",
]
SECTIONS = {
    0: ["（一）“十三五”时期发展回顾", "（二）“十四五”时期面临形势"],
    1: ["（一）指导思想", "（二）基本原则", "（三）主要目标"],
    2: ["（一）健全基本公共服务制度", "（二）筑实重点人群保障网底", "（三）营造安全和谐社会环境"],
    3: ["（一）全面推动技能山西建设", "（二）千方百计稳定扩大就业", "（三）拓宽居民要素收入渠道",
        "（四）促进城乡居民共同富裕"],
    4: ["（一）引进国内外优质资源落地", "（二）打造区域性品质民生高地", "（三）优化跨地域民生资源配置",
        "（四）培育品质生活消费新模式"],
    5: ["（一）提高社会文明程度", "（二）丰富精神文化生活", "（三）打造文旅休闲体验"],
    6: ["（一）改善居住生活条件", "（二）营造美丽宜居环境", "（三）推行绿色生活方式", "（四）打造智慧生活样板"],
    7: ["（一）践行健康生活方式", "（二）扩大全民健身参与", "（三）实施积极生活计划"],
    8: ["（一）坚持党的全面领导", "（二）鼓励社会广泛参与", "（三）持续创优发展环境", "（四）加强规划监测考核"],
}
# 专栏 as printed, duplicated numbers (a second "专栏 1"/"专栏 2" in chapter 四) kept: citations match the print.
BOXES = ["专栏1 基本公共服务重点工程", "专栏2 重点人群保障兜底工程", "专栏3 技术技能人才培养重点工程",
         "专栏1 高质量就业促进工程", "专栏2 科研人员职务科技成果赋权管理试点工程",
         "专栏11 文旅休闲整体建设重点工程", "专栏12 宜居环境建设重点工程", "专栏14 体育服务业重大工程"]
BOX_ITEMS = {
    "专栏1 基本公共服务重点工程": ["公共教育优质普惠工程", "公共卫生提质升级工程", "养老服务设施补短板工程"],
    "专栏2 重点人群保障兜底工程": ["易地扶贫搬迁群众后续扶持工程", "基层儿童福利和保护队伍专业化工程",
                             "残疾康复服务全覆盖工程", "退役军人褒扬优抚设施建设工程"],
    "专栏3 技术技能人才培养重点工程": ["区域特色劳务品牌培育工程", "产教融合实训基地建设工程", "产教融合智慧云平台建设"],
    "专栏1 高质量就业促进工程": ["智慧就业服务平台打造工程", "人力资源市场体系建设工程", "劳动力建档立卡工程"],
    "专栏14 体育服务业重大工程": ["老旧公共体育场馆升级改造工程", "休闲运动产业新业态建设工程",
                             "体育健身休闲运动消费促进工程"],
}
# (number, level, name, unit, 2020, 2025, 属性)
INDICATORS = [
    (1, "", "国家基本公共服务标准市县落实率", "%", "—", "100", "预期性"),
    (2, "", "困难残疾人生活补贴和重度残疾人护理补贴覆盖率", "%", "90", "100", "约束性"),
    (3, "", "基本养老保险参保率", "%", "93.19", "95", "预期性"),
    (4, "", "城乡低保平均保障标准年度增速", "%", "城市7.4; 农村11.7",
     "年均不低于城乡居民5年内人均消费支出平均增速", "预期性"),
    (5, "", "人均预期寿命", "岁", "77.3*", "78.1", "预期性"),
    (6, "", "从业人员持证率", "%", "22.6", ">50", "预期性"),
    (7, "", "全社会劳动力持证率", "%", "—", ">25", "预期性"),
    (8, "", "城镇调查失业率", "%", "6.5左右", "<5.5", "预期性"),
    (9, "", "居民人均可支配收入年均增速", "%", "—", ">8", "预期性"),
    (10, "", "中等收入群体比例", "%", "—", "40", "预期性"),
    (11, "", "城乡收入比", "", "2.51", "<2.3", "预期性"),
    (12, "", "三级医院数量", "个", "36", "60", "预期性"),
    (13, "", "全省患者外转率", "%", "10", "7", "预期性"),
    (14, "", "每千人口拥有3岁以下婴幼儿托位数", "个", "1.5", "4.5", "预期性"),
    (15, "", "养老机构护理型床位占比", "%", "31.7", "55", "约束性"),
    (16, "市级", "省级文明城市占比", "%", "72.7", "90.9", "约束性"),
    (16, "县级", "省级文明城市占比", "%", "50.5", "72.5", "约束性"),
    (17, "", "全民综合阅读率", "%", "—", "95", "预期性"),
    (18, "", "居民年出游次数", "次", "—", "4", "预期性"),
    (19, "", "人均住房面积", "平方米/人", "35", "38", "预期性"),
    (20, "", "森林覆盖率", "%", "23.5", "26", "约束性"),
    (21, "", "地级及以上城市空气质量优良天数比例", "%", "71.9", "完成国家考核目标", "约束性"),
    (22, "", "农村户用卫生厕所普及率", "%", "63.3", "≥85", "预期性"),
    (23, "", "国民体质总体达标率", "%", "—", "95", "预期性"),
    (24, "", "居民健康素养水平", "%", "—", "25", "预期性"),
    (25, "", "体育人口占比", "%", "36.4", "40", "预期性"),
]
DOMAINS = {1: "基本民生", 6: "富民增收", 12: "服务升级", 16: "精神文化", 18: "精神文化", 19: "人居环境", 23: "健康促进"}


def test_front_matter(plan):
    assert plan.title == "山西省“十四五”高品质生活建设规划"
    assert plan.doc_number == "晋政发〔2021〕46号"
    assert plan.issuer == "山西省人民政府"
    assert plan.date == "2021-12-28"
    assert plan.printed_date == "2021-12-31"


def test_nine_chapters_and_every_section(plan):
    assert plan.chapters == CHAPTERS
    expected = [f"{CHAPTERS[i]} > {s}" for i in sorted(SECTIONS) for s in SECTIONS[i]]
    assert plan.sections == expected


def test_every_box_and_its_items(plan):
    assert plan.boxes == BOXES
    assert any("专栏编号重复" in r for r in plan.repairs)
    for box, items in BOX_ITEMS.items():
        leads = [c.lead for c in plan.chunks if c.box == box]
        assert leads == items, box


def test_indicator_rows(plan):
    rows = [(r["number"], r["level"], r["name"], r["unit"], r["value_2020"], r["target_2025"], r["attribute"])
            for r in plan.indicators]
    assert rows == INDICATORS
    by_number = {r["number"]: r for r in plan.indicators}
    for number, domain in DOMAINS.items():
        assert by_number[number]["domain"] == domain
    assert by_number[5]["notes"] == ["2020年值为2018年数据"]
    assert by_number[11]["notes"] == ["农村居民可支配收入=1"]
    indicator_chunks = [c for c in plan.chunks if c.kind == "indicator"]
    assert len(indicator_chunks) == 26  # every row is its own retrievable chunk
    assert all(c.section == f"{CHAPTERS[1]} > （三）主要目标" for c in indicator_chunks)


def test_chunks_are_clean_and_whole(plan):
    texts = [c for c in plan.chunks if c.kind == "text"]
    assert len(texts) > 150
    for c in plan.chunks:
        assert not re.search(r"</?p\s*>", c.text), c.chunk_id
        assert " and " not in c.text, c.chunk_id
        assert c.doc_id == plan.doc_id and c.section and c.title
    for c in texts:
        assert ends_sentence(c.text), (c.chunk_id, c.text[-20:])  # no chunk stops mid-sentence
        assert len(c.text) <= 400 or "。" not in c.text.rstrip("。")[:-1], c.chunk_id
    joined = "\n".join(c.text for c in texts)
    # sentences the source split across blank lines are whole again
    for repaired in ("志愿者等参与社会治理的途径", "建设便民惠民智慧服务圈", "全面落实产假、哺乳假",
                     "按照“五位一体”总体布局和系统观念的要求"):
        assert repaired in joined, repaired


def test_long_items_split_at_sentence_boundaries(plan):
    parts = [c for c in plan.chunks if c.title == "构建养老服务发展示范区"]
    assert len(parts) >= 2
    assert all(len(c.text) <= 400 and ends_sentence(c.text) for c in parts)
    assert parts[0].text.startswith("构建养老服务发展示范区。")


def test_offsets_point_into_the_source(plan, plan_raw):
    squash = lambda s: re.sub(r"\s+|</?p>", "", s)  # noqa: E731
    for c in plan.chunks:
        assert 0 <= c.start < c.end <= len(plan_raw)
        if c.kind == "text" and "和系统观念" not in c.text and "和大众传媒" not in c.text:
            assert squash(c.text) in squash(plan_raw[c.start:c.end]), c.chunk_id


def test_sections_use_the_documents_own_titles(plan):
    c = next(c for c in plan.chunks if c.lead == "健全残疾人权益保障制度")
    assert c.section == "三、实施基本民生补网行动，筑牢品质生活安全屏障 > （二）筑实重点人群保障网底"


def test_generic_document_structure():
    raw = ("关于做好测试工作的通知\n\n第一章 总则\n\n第一节 目的\n\n明确测试目的。这是第一段内容。\n\n"
           "第二章 要求\n\n做好工作。具体要求如下，\n\n请各单位遵照执行。\n")
    doc = parse_text(raw, "t")
    assert doc.chapters == ["第一章 总则", "第二章 要求"]
    assert doc.sections == ["第一章 总则 > 第一节 目的"]
    texts = [c.text for c in doc.chunks]
    assert "做好工作。具体要求如下，请各单位遵照执行。" in texts
