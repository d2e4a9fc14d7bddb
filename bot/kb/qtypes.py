"""What a question asks for (an amount, a rate, a target year's value, a list, a place…) and what a sentence states.

The answer step uses both: it quotes only sentences (or indicator rows) that state the asked kind of thing,
and says honestly that the sources do not say when none does.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.text_normalize import normalize

FIGURE_KINDS = ("amount", "rate", "count", "area", "date")
_NUM = r"\d+(?:\.\d+)?"
_CN_NUM = "零一二三四五六七八九十百千万两"

# ---------------------------------------------------------------------------------- question side
POINTS_ASKED = r"(?:几|多少)个?(?:百分)?点"   # "涨几个点": a rate asked, never a topic word
_Q = {
    "document": re.compile(r"(?:规划|文件|通知)[^，。？?]{0,8}(?:哪天|哪一天|什么时候|啥时候|多会儿|何时|哪年|哪一年|几月|几号)"
                           r"(?:发|印发|公布|发布|出台|下发|印)|落款|文号|发文|发的文|字号|主送|抄送|发给了?哪些单位|哪个单位发|发文机关|哪个文件|什么文件|印发|哪个部门发|谁发的|发布时间|成文|这个规划是|规划全称|文件名|"
                           r"(?:规划|文件|通知)[^，。？?]{0,12}(?:哪个|啥|什么|甚)(?:衙门|机关|单位|部门)(?:发|印|下)|哪个办公厅|办公厅[^，。？?]{0,4}印"),
    "amount": re.compile(r"多少钱|缴费档次|缴费标准|[缴交]费.{0,4}多少|缴纳.{0,4}多少|[缴交]多少|[几多少]个?[千百万亿]块|多少个亿|几个亿|[各能]?给多少|(?<!哪)几块|多少块|多少元|几元|多少万元|多少亿|几亿|几万元|万元|亿元|投资多少|资金多少|金额|钱数|给多少钱|发多少|补多少|补贴多少|补助多少|"
                         r"标准是多少|标准多少|每月多少|每年多少|一个月多少|一年多少|每人多少|报销多少|费用|花多少|"
                         r"多少补贴|多少补助|工资多少|收入多少钱|多少工资|奖励多少|拿多少|补贴有多少|补助有多少|补贴.{0,4}多少|补助.{0,4}多少|领(?:取)?多少(?![人个名家所项])|(?<![有])多钱|几个钱|收入多少|收入线|标准线|[要得需]交钱|交钱[吗不没]|掏钱|"
                         r"津贴.{0,4}多少|多少津贴|租金.{0,4}多少|收费.{0,4}多少|价格|票价|学费|多贵|收费吗|要钱吗|免费吗|"
                         r"花钱吗|收不收费|要不要钱|收钱吗|自费吗|给钱吗|免费不|收费不|要钱不|花钱不|收钱不|多少收入"),
    "rate": re.compile(r"比例|占比|比重|百分之|百分比|[%％]|率|增速|增长多少|涨幅|几成|多大比例|几折|打折|折扣|全覆盖|全部覆盖|覆盖全|" + POINTS_ASKED),
    "area": re.compile(r"面积|多少平|几平|平方|亩|多大地方|多大的?房"),
    "count": re.compile(r"几个|多少个|多少人|多少名|多少所|多少家|多少张|多少座|多少条|多少次|几次|几所|几家|几座|几张|"
                        r"多少万|数量|几岁|多少岁|多少项|几项|多少户|多少村|几天|多少天|多少公里|多少床|多少位|几名|人数|"
                        r"托位数|床位数|多少处|几处|多少支|多少批|多少场|多少部|多少种|多少本|多少册|多少台|多少辆|几分钟|多少分钟|几小时|多少小时"),
    "date": re.compile(r"什么时候|何时|多会儿|甚会儿|啥会儿|哪一?年|几月|几号|哪天|截止|期限|多久|多长时间|日期|时间表|时限|啥时候|到什么时候|"
                       r"几年内|哪年起|从哪年|什么时间|哪几天|哪些天|哪一天|星期几|礼拜几|周几|几点|什么日子"),
    "list": re.compile(r"有哪些|哪些|哪几|包括|包含|都有啥|有啥|有什么|什么措施|啥措施|哪几个|举措|内容是|几大|几方面|"
                       r"什么项目|哪些项目|重点工程|怎么做|怎么办|如何|咋办|做什么|干什么|什么工程|怎么发展|怎么提高|"
                       r"怎么保障|怎么建设|怎么改|怎么推进|怎么帮"),
    "definition": re.compile(r"干啥的|弄啥的|干啥用|干什么用|有啥用|有什么用|做什么的|做啥的|管啥的|是什么|是啥|什么是|啥是|指什么|指的是|什么意思|啥意思|含义|定义|是指|叫什么"),
    "where": re.compile(r"在哪|哪里|哪儿|去哪|什么地方|哪个地方|地址|哪些地方|哪个市|哪个县|哪些城市|哪些市|哪些县|选址|"
                        r"哪个城市|哪座城|哪个区|哪个镇|哪个乡|哪个村|哪个(?:开发区|园区|片区|景区)"),
    "who": re.compile(r"谁|哪个部门|哪些部门|什么部门|什么人|哪些人|哪类人|什么单位|哪个单位|负责部门|牵头|主体|对象"),
}
# "基本原则有几条", "主要目标分成几块", "保障房有几种": the number of kinds, said by naming them (a plan lists
# its principles or kinds; it rarely states their count).
KINDS_COUNTED = re.compile(r"几(?:条(?![线路街河道])|种|类|样|篇|大[类块项]|个方面|个[“\"])|分[成为]?几|几个(?:方面|部分|板块)")
TARGET = re.compile(r"要涨|能涨|要降|每年要|目标|打算|准备|到20[2-3]\d|20[2-3]\d年|要达到|达到多少|提高到|要到|预期|力争|计划|规划要|十四五|以后|将来|"
                    r"未来|今后|会到|能到|指标|要控制|控制在|要建|要增加|会增加|要提高|[二三四五两\d]年(?:以|之)?后|到时候|届时")
BASELINE = re.compile(r"20(?:1\d|20)年|十三五|现在|目前|原来|过去|以前|现有|已经|基期|去年|当时|取得|成效|成果")
INDICATOR_WORDS = re.compile(r"指标|能活|目标值|约束性|预期性|覆盖率|参保率|普及率|持证率|失业率|达标率|占比|比例|比重|增速|"
                             r"寿命|托位数|床位占比|森林覆盖|优良天数|阅读率|出游次数|体育人口|健康素养|住房面积|"
                             r"医院数量|三级医院|外转率|收入比|中等收入群体|文明城市")


@dataclass
class Asked:
    """What the question asks for. `figure` is one of FIGURE_KINDS or ''; `year` is 'target'/'baseline'/''."""
    figure: str = ""
    year: str = ""
    year_value: str = ""  # a year the question names ("2030年…"): only text stating that year answers
    shape: str = ""  # list | definition | where | who | document | ''
    kinds: set[str] = field(default_factory=set)  # every figure kind the wording allows
    wants_indicator: bool = False
    current: bool = False  # "今年/去年/最新/实际…": an actual figure of a recent year, which a plan does not state
    place: str = ""  # a Shanxi city or "全国" the question asks a figure of: only text naming it answers
    pair: bool = False  # "城镇和农村分别…": two values are asked
    change: bool = False  # "每年要涨多少": a growth or a cut is asked, not a level or a rank
    admin_place: bool = False  # "在哪个市/县/区": a named city, county or district answers
    attribute: bool = False  # "这个指标是约束性还是预期性的": the indicator's attribute, not its figures
    unit: str = ""  # the unit a count is asked in ("几个月" → 月): a figure in another unit does not answer
    levels: frozenset = frozenset()  # administrative levels named ("国家级…"): a figure of another level does not answer
    numbered: str = ""  # "几孩", "几新": a name with a number in it is asked ("三孩", "六新"), not a quantity
    kinds_counted: bool = False  # "有几条/分成几块/几种方式": how many kinds, which the items' list answers too
    percent: bool = False        # "报销百分之多少": a number with %, which 全覆盖 is not


    @property
    def label(self) -> str:
        if self.year == "target" and self.figure:
            return "target"
        if self.year == "baseline" and self.figure:
            return "baseline"
        return self.figure or self.shape or "text"


# "农村居民收入增速跟城里比咋样", "快还是慢": a comparison, which the plan says in words ("快于城镇居民").
COMPARE = re.compile(r"(?:跟|和|与|同)[^，。？?]{1,8}比(?:起来)?(?:要|会|能|得)?(?:咋样|怎么样|如何|谁|哪个)|"
                     r"(?:快|高|多|大|好)还是(?:慢|低|少|小|差)|比[^，。？?]{1,8}(?:快不快|高不高|多不多)")
# Money named in so many words: an income to spend, more earned than others, income added over the years.
_MONEY_SPENT = r"(?:能花|到手|挣|赚|拿到手|能支配|可支配|能用)的钱(?:是|有)?(?:多少|几)"
_MONEY_MORE = r"(?:多挣|多赚|多拿|少挣|少拿)"
_MONEY_ADDED = r"(?:收入|工资)[^，。？?比率速]{0,8}(?:增|长|多|涨)了(?:多少|几)(?![倍成%])"
MONEY_LEVEL = re.compile(rf"{_MONEY_SPENT}|{_MONEY_MORE}(?:了)?(?:多少|几)|"   # "一年到手能花的钱是多少": an income
                         r"(?:收入|工资|补贴|补助|养老金|退休金|低保金|津贴|奖金|费用|房租|租金)(?:标准)?"
                         r"(?:到底|究竟|具体|大约|大概)?(?:是|有|能有|能到|要到|达到|到了|大概|一般)?(?:多少|几)|"
                         # "收入2020年到多少了", "收入十三五末是多少": a time between the money word and 多少
                         r"(?:收入|工资)(?:到|在|截至|截止到?)?(?:20\d\d年|十三五末?|十四五末?|[去今前]年|那年|年底|末)[^，。？?排第老]{0,4}?(?:多少|几)(?![人个家次户项所位名])|(?:收入|工资)[^，。？?]{0,6}差距(?:是|有)?(?:多大|多少)|"
                         # "收入那五年增了多少", "五年里长了多少": money added (the plan says 增长8965元)
                         + _MONEY_ADDED)
# Money asked in so many words, whatever else the question compares ("城里人比乡下人一年多挣多少", "收入涨了多少").
_MONEY_SAID = re.compile(rf"{_MONEY_MORE}|的钱(?:是|有)?(?:多少|几)|{_MONEY_ADDED}|"
                         r"多少钱|多少块|几块钱|多少元|(?:差|差距)[^，。？?]{0,4}多少钱")
CHANGE = re.compile(r"(?:涨|增长|增加|提高|提升|上调|降低|下降|减少|缩小)了?(?:多少|几|百分之几)|每年(?:要|能|得|会)?(?:涨|增|提)|"
                    r"增速|增幅|涨幅")
# The clause of a figure that states a change ("年均增长8%以上", "提高到…", "缩小至…").
CHANGE_S = re.compile(r"增|涨|提高|提升|上调|降|减|缩小|缩减|年均|翻")
ATTRIBUTE = re.compile(r"约束性|预期性|硬性|软性|硬指标|软指标|必须完成的|考核硬")

# A figure of this or last year, or the latest/actual one: a plan written in 2021 states targets and its
# 2020 baseline, not these (an admin's dated notice may: then the sentence must name that year).
CURRENT = re.compile(r"今年|去年|前年|年时|头年|本年度|这个月|本月|上个月|最新|实际(?:有|是|达到|完成|发放|发了|多少|几|上)|眼下实际|"
                     # "新闻说寿命涨了 现在是多少": the figure after a reported rise, which no plan states
                     r"(?:涨|提高|提升|增加|上升|降|下降)了[^。？?]{0,8}(?:现在|目前|如今|眼下)")
ACHIEVED_ASKED = re.compile(r"(?:达到|达标|完成|实现)了?(?:没|吗)|达没达|完没完成|到没到|成没成")
_RELATIVE_YEAR = {"今年": 0, "本年度": 0, "这个月": 0, "本月": 0, "上个月": 0, "去年": -1, "年时": -1, "头年": -1,
                  "前年": -2}  # 年时, 头年: Shanxi words for last year
# Clock times ("几点开门"): no plan sentence states one unless it has "9:00" or "8点".
_Q_TIME = re.compile(r"几点|开放时间|营业时间|上班时间|办公时间|开门时间|关门|(?<!放)开到几")
_S_TIME = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*(?:点|时)(?:\s*\d{1,2}\s*分)?(?:至|到|—|-)")


_CN_DIGIT = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
             "六": "6", "七": "7", "八": "8", "九": "9"}


def year_digits(q: str) -> str:
    """"二〇年", "二零二五年", "二五年" written as 2020年, 2025年: the years residents say in words."""
    q = re.sub(r"[二两][〇零○]([一二两三四五])([〇零○一二三四五六七八九])年",
               lambda m: f"20{_CN_DIGIT[m.group(1)]}{_CN_DIGIT[m.group(2)]}年", q)   # "二〇三五年": 2035年
    q = re.sub(r"(?<![〇零○一二三四五六七八九十百千万\d])二([〇零○一二三四五])年",
               lambda m: f"202{_CN_DIGIT[m.group(1)]}年", q)
    q = re.sub(r"(?<=[到至在])三五年(?![内里以来])", "2035年", q)   # "到三五年": 2035, not "three to five years"
    # "20年是多少", "到25年": a two-digit year of the plan's span where a year stands (not "干了20年")
    return re.sub(r"(?<![\d.了过满近有干交缴费作龄续累计共第前后几多每隔再够足达])(1[6-9]|2\d|3[05])年(?![以之内来里多前后])",
                  r"20\1年", q)


def classify(question: str, this_year: int | None = None) -> Asked:
    """`this_year` (Asia/Shanghai) turns "今年/去年" into the year a sentence must name."""
    q = year_digits(normalize(question))
    a = Asked()
    if _Q["document"].search(q) and not (
            # "规划是哪个厅牵头负责的": who carries the plan out, which the notice (issued by 省人民政府) does not say
            re.search(r"牵头|负责|编制|编写|编的|起草|执行|落实|督办|考核", q)
            and not re.search(r"印发|发文|落款|文号|发的|发给|下发|签发|抄送|主送|通知", q)):
        a.shape = "document"
    kinds = [k for k in ("amount", "area", "rate", "count", "date") if _Q[k].search(q)]
    if "date" in kinds and "rate" in kinds and not re.search(r"率|百分|比例|占比|[%％]|多少|几成", q):
        kinds.remove("rate")  # "全覆盖是哪年完成" asks a year; 全覆盖 is no rate asked
    if "amount" in kinds and "rate" in kinds:
        if re.search(r"比例|占比|比重|[%％]|率", q) is None:
            kinds.remove("rate")  # "增长多少" of an amount
        else:
            kinds.remove("amount")  # "补贴覆盖率达到多少" asks a rate
    if "rate" in kinds and re.fullmatch(r".*率.*", q) and not re.search(r"多少|几|比例|占比|百分|怎么样|达到|目标|到", q) \
            and not re.fullmatch(r"[\u4e00-\u9fff]{2,16}率", q):
        kinds.remove("rate")  # "就业率怎么提高" asks for measures, not a figure; a bare "…覆盖率" asks the figure
    if "amount" in kinds and re.search(r"覆盖|普及|参保|持证", q) and not re.search(r"钱|元|块", q):
        kinds = [k for k in kinds if k != "amount"] + ([] if "rate" in kinds else ["rate"])  # "两项补贴覆盖了多少"
    if "amount" in kinds and "area" in kinds and not re.search(r"钱|元|块|费|价|租金|补贴|补助", q):
        kinds.remove("amount")  # "按每人多少平米配": an area, not money
    if "date" in kinds and re.search(r"几年内|多少年", q) and len(kinds) > 1:
        kinds.remove("date")
    if "amount" in kinds and "count" in kinds and re.search(r"个亿|[千百万亿]块|给多少", q):
        kinds.remove("count")  # "多少个亿" is money
    if re.search(r"哪几|哪些|(?:几个|几项|几条|几类)[^，。？?]{0,6}(?:都是|分别是|是)(?:啥|什么|甚|哪)", q) and not re.search(r"多少", q):
        kinds = [k for k in kinds if k not in ("count", "rate")]  # "有哪几种" asks for the items, not a number
    if _Q_TIME.search(q):
        kinds = ["time"]
    # "多少/几" without a unit: a figure of some kind (a count unless a rate/amount word says otherwise)
    if not kinds and re.search(rf"多少|几[{_CN_NUM}]?[个人岁次]?|多高|多大|多长|多远", q.replace("哪几", "")) \
            and not _Q["definition"].search(q) and not re.search(r"多少年前|几句|几点", q):
        kinds = ["count", "rate", "area"]  # "有多少达到…" may be a number or a share; a count is preferred
        if MONEY_LEVEL.search(q) and (_MONEY_SAID.search(q) or not re.search(r"比|率|增速|增长|增幅|占|涨|几倍|覆盖|普及", q)):
            kinds = ["amount"]  # "收入是多少": money, whose figure is in 元
        if INDICATOR_WORDS.search(q) and re.search(r"率|比|占", q):
            kinds = ["rate"]
    if re.search(r"(?:保持|维持)[^，。？?]{0,3}(?:啥|什么|甚|个啥)?(?:样的)?比例|比例(?:是)?(?:啥|什么|甚)关系", q):
        kinds = []   # "普高跟中职规模保持个啥比例": a relation (大体相当), not a share
    # "居民健康素养水平2025年目标", "森林覆盖率的指标值": an indicator's value asked without 多少
    if not kinds and re.search(r"(?:20[12]\d年|十四五末?|十三五末?)?的?(?:目标值?|指标值|基数|数值)(?:是|为)?[？?。\s]*$", q) and \
            INDICATOR_WORDS.search(q) and not _Q["definition"].search(q):
        kinds = ["count", "rate", "area"]
    if a.shape == "document":
        kinds = [k for k in kinds if k == "date"]
    a.kinds = set(kinds)
    if "amount" in a.kinds and _Q_FEE.search(q) and not re.search(r"多少|几", q):
        a.kinds.add("fee")  # "…收费吗": "免费" answers it as well as an amount does
    years = re.findall(r"(?<!\d)(20[0-4]\d)(?!\d)", q)
    a.year_value = years[0] if years else ""
    cur = CURRENT.search(q)
    # "今年实际有几个了 25年那个目标达到没有": the plan's year is named, the figure asked is this year's
    if cur and (not years or re.search(r"实际|今年|眼下", cur.group(0)) and ACHIEVED_ASKED.search(q)):
        a.current = True
        if this_year and cur.group(0) in _RELATIVE_YEAR and not years:
            a.year_value = str(this_year + _RELATIVE_YEAR[cur.group(0)])
    a.figure = kinds[0] if kinds else ""
    units = _Q_UNIT.findall(re.sub(r"[这那前近头]几年|这些年|几年来|几年了?里", " ", q))
    a.unit = units[-1] if units else ""
    if not a.unit and _Q_AGE.search(q):
        a.unit = "岁"       # "多大岁数的人": an age, which "25-60岁" states
    a.kinds_counted = bool(KINDS_COUNTED.search(q))
    a.percent = "rate" in kinds and bool(re.search(r"百分之|百分比|[%％]|几成|(?:几|多少)个?点", q))
    named = re.search(r"(?<![哪多])几([\u4e00-\u9fff])", q)
    if named and named.group(1) not in _COUNTERS:
        a.numbered = named.group(1)
    rank = re.search(r"第几([\u4e00-\u9fff]?)|排第?几|排老几|排名|排(?:到|在)[^，。？?]{0,4}(?:啥|什么|甚|哪)(?:个)?(?:位置|名次|水平)?|"
                     r"(?:啥|什么|甚)位置", q)
    if rank and not re.search(r"第几|排第?几|排老几", q):
        a.kinds, a.figure = {"count"}, "count"   # "排到全国啥位置": a standing, whatever the row measures
    if rank:  # "排第几名": a place in a ranking ("第27位"), "第几届" an ordinal, not a head count
        counter = rank.group(1) if rank.lastindex and rank.group(1) else "名"
        a.unit = "rank:" + ("位|名" if counter in "位名" else counter)
    if a.figure == "date" and _Q_DURATION.search(q):
        a.kinds.add("duration")  # "多长时间": "1小时", "一年内" answer as well as a date does
    a.levels = frozenset(re.findall(r"(国家|省|市|县|乡|村)级", q))
    a.place = asked_place(q)
    a.pair = bool(re.search(r"分别|各(?:是|为|给|有|自|要)?多少|各自|各给|各占", q) and re.search(r"和|与|及|、|跟", q))
    a.change = bool(CHANGE.search(q))
    a.admin_place = bool(re.search(r"哪个(?:市|县|区)|哪几个(?:市|县|区|城市)|哪些(?:市|县|区|城市)|哪座城|"
                                   r"(?:城市|市|县|区)(?:是|有|都有|包括)?(?:哪些|哪几个)", q))
    if a.figure and {"2020", "2025"} <= set(years) and re.search(r"起点|起步|基数|基期|起始|基准|当初|原来", q):
        a.year, a.year_value = "baseline", "2020"   # "2025年…达标率的起点2020年是多少"
    elif a.figure and a.current:
        a.year = "current"
    elif a.figure:
        if re.search(r"20(?:1\d|20)年|十三五|原来|以前|过去|现在|目前|如今|眼下|已经|到了|多少了|这些年|这几年|前几年|那几年|"
                     r"那些年|那会儿|五年里|这五年", q) \
                and not re.search(r"202[1-9]|203\d|目标|要达到|提高到|将|以后|要到|要提|要达|今后|将来|未来|十四五|打算|计划|准备", q):
            a.year = "baseline"
        elif TARGET.search(q):
            a.year = "target"  # an indicator word alone ("覆盖率有多少") names no year: either may answer
    if not a.shape:
        for shape in ("definition", "where", "who", "list"):
            if _Q[shape].search(q):
                a.shape = shape
                break
        if a.admin_place and a.shape in ("list", "who", "") and not a.figure:
            a.shape = "where"  # "试点城市有哪几个": named cities answer
        if a.shape == "who" and a.figure:  # "多少人" is a count
            a.shape = ""
        if a.shape in ("list", "definition") and a.figure:
            a.shape = ""
    if COMPARE.search(q) and not re.search(r"多少|几|百分", q):
        a.figure, a.kinds, a.year = "", set(), ""  # "跟城里比咋样": how the two compare, said in words
        a.shape = a.shape if a.shape in ("definition", "list") else "definition"
    a.attribute = bool(ATTRIBUTE.search(q))
    if a.attribute:
        a.figure, a.kinds, a.year, a.shape = "", set(), "", "attribute"
    # A rate, count or area may be an indicator's value whether or not the question names a year; the row
    # still has to be about the question (answer.row_candidates).
    a.wants_indicator = not a.current and bool(a.figure and a.figure not in ("date", "amount", "time")) or \
        a.attribute
    return a


# ---------------------------------------------------------------------------------- sentence side
_S_AMOUNT = re.compile(rf"{_NUM}\s*(?:万|亿|千)?\s*元|[{_CN_NUM}]+\s*(?:万|亿)?元")
_S_FEE = re.compile(r"免费|不收费|免收|无偿")
_Q_FEE = re.compile(r"免费不|收费不|要钱不|花钱不|收钱不|收费吗|要钱吗|免费吗|花钱吗|收不收费|要不要钱|收钱吗|自费吗|给钱吗|交钱[吗不没]|要交钱|得交钱|掏钱[吗不]")
_S_RATE = re.compile(rf"{_NUM}\s*[%％]|百分之|[{_CN_NUM}]成|[{_CN_NUM}\d]折|全覆盖")  # 全覆盖: all of them
_S_AREA = re.compile(rf"{_NUM}\s*(?:万|千)?\s*(?:平方米|平方公里|平米|亩|公顷|㎡)")
_S_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年(?:底|前|末|起|内|\s*\d{1,2}\s*月)?|\d{1,2}\s*月\s*\d{1,2}\s*日|"
                     r"十[三四五]五(?:时期|期间|末)?|每年|年底前|年内")
_S_COUNT = re.compile(rf"{_NUM}\s*大(?=[\u4e00-\u9fff])|{_NUM}\s*(?:万|千|百|亿)?\s*(?:个|人|名|所|家|张|座|条|次|项|户|村|床|位|处|支|批|场|部|种|本|册|"
                      rf"台|辆|岁|天|公里|千米|米|套|间|亿|万|个百分点|倍|类|级|条|人次|县|市|区|乡镇|镇|街道|分钟|小时|周|年)|"
                      rf"(?:每个|至少|不少于|建成|建设|打造|培育|新增|实施)\s*(?!一批)[{_CN_NUM}\d]+\s*(?:个|所|家|座|条|处|批|项)")


# A length of time: "1小时通勤交通圈", "15分钟", "一年内", "3个月以内" (a bare "2025年" is a date, not this).
_S_DURATION = re.compile(rf"(?<![\d.])(?:\d{{1,3}}|[{_CN_NUM}半]+)\s*(?:个)?\s*(?:小时|分钟)|"
                         rf"(?<![\d.])(?:\d{{1,3}}|[{_CN_NUM}半]+)\s*(?:个)?\s*(?:天|日|周|月|年)(?:内|以内|之内)")
_S_CN_COUNT = re.compile(r"(?:[二三四五六七八九十两][一二三四五六七八九十百千万]*|十[一二三四五六七八九]?|[一二三四五六七八九]十[一二三四五六七八九]?)"
                         r"(?:个|次|连涨|连调|项|所|家|条|座|支|大|年|届|级(?!医院|甲|乙|综合|专科|公立))")


def sentence_kinds(text: str) -> frozenset[str]:
    """The kinds of figures a sentence states (memoised: answers look at the same source clauses again)."""
    return _sentence_kinds(text)


@lru_cache(maxsize=65536)
def _sentence_kinds(text: str) -> frozenset[str]:
    t = normalize(text)
    out = set()
    if _S_AMOUNT.search(t):
        out.add("amount")
    if _S_FEE.search(t):
        out.add("fee")
    if _S_RATE.search(t):
        out.add("rate")
    if _S_AREA.search(t):
        out.add("area")
    if _S_DATE.search(t):
        out.add("date")
    if _S_TIME.search(t):
        out.add("time")
    if _S_DURATION.search(t):
        out.add("duration")
    if _S_COUNT.search(_S_AREA.sub(" ", _S_RATE.sub(" ", _S_AMOUNT.sub(" ", t)))) or _S_CN_COUNT.search(t):
        out.add("count")
    return frozenset(out)


def row_kind(row: dict) -> str:
    """The figure kind of an indicator row, from its unit."""
    unit = row.get("unit", "")
    if "%" in unit:
        return "rate"
    if "元" in unit:
        return "amount"
    if "平方" in unit:
        return "area"
    if "农村居民" in row.get("raw_name", ""):
        return "rate"
    return "count"


# Counters: "几个/几项/几岁" ask a quantity; any other word after 几 names a numbered thing ("几孩" → 三孩).
_COUNTERS = set("个项条类种所家座位名人岁次年月天日周回趟批处支张床户村本册台辆套间倍成分")


def names_numbered(text: str, asked: Asked) -> bool:
    """"三孩生育政策" answers "几孩": the numbered name the question asks about."""
    return bool(asked.numbered) and bool(re.search(rf"(?:\d+|[{_CN_NUM}]+)[“”\"]?{asked.numbered}", normalize(text)))


def states(text: str, asked: Asked) -> bool:
    """The text states the asked kind of figure (any figure of the allowed kinds)."""
    if not asked.figure:
        return True
    if names_numbered(text, asked):
        return True
    if asked.unit.startswith("rank:") and has_count_unit(text, asked.unit):
        return True   # a standing ("步入全国前列") answers "排到啥位置" as "第27位" does
    return bool(sentence_kinds(text) & (asked.kinds or {asked.figure}))


# ---------------------------------------------------------------------------------- scope
PROVINCES = ("北京", "天津", "河北", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
             "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
             "青海", "宁夏", "新疆", "台湾", "香港", "澳门")
CITIES = ("石家庄", "唐山", "保定", "邯郸", "张家口", "邢台", "沧州", "廊坊", "承德", "衡水", "秦皇岛", "呼和浩特", "包头",
          "鄂尔多斯", "乌兰察布", "沈阳", "大连", "长春", "哈尔滨", "南京", "苏州", "无锡", "杭州", "宁波", "温州", "合肥",
          "福州", "厦门", "南昌", "济南", "青岛", "烟台", "郑州", "洛阳", "开封", "安阳", "三门峡", "焦作", "新乡", "武汉",
          "长沙", "广州", "深圳", "东莞", "佛山", "珠海", "南宁", "海口", "三亚", "成都", "贵阳", "昆明", "拉萨", "西安",
          "咸阳", "宝鸡", "延安", "榆林", "渭南", "兰州", "西宁", "银川", "乌鲁木齐", "天津市", "北京市", "上海市", "重庆市")
_PLACE = re.compile("|".join(sorted(set(PROVINCES + CITIES), key=len, reverse=True)))
_SHANXI = re.compile(r"山西|我省|全省|省内|晋|太原|大同|阳泉|长治|晋城|朔州|晋中|运城|忻州|临汾|吕梁")


SHANXI_CITIES = ("太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁")
_CITY = re.compile("|".join(SHANXI_CITIES))
GAZETTEER = Path(__file__).resolve().parents[2] / "policy_kb" / "service_points" / "gazetteer.json"
_GENERIC_COUNTY_SHORT = {"城区", "郊区", "矿区", "和顺", "平定", "古县", "尖草坪", "小店", "迎泽", "杏花岭", "万柏林", "晋源"}


@lru_cache(maxsize=1)
def shanxi_counties() -> tuple[frozenset[str], frozenset[str]]:
    """(full names "平遥县", short names "平遥") of Shanxi's counties, county-level cities and districts."""
    try:
        data = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset(), frozenset()
    full = {c["name"] for c in data.get("counties", []) if c.get("name")}
    short = {c.get("short", "") for c in data.get("counties", [])}
    return frozenset(full), frozenset(x for x in short if len(x) >= 2 and x not in _GENERIC_COUNTY_SHORT)


def shanxi_places_in(text: str) -> set[str]:
    """Shanxi cities and counties a text names."""
    full, short = shanxi_counties()
    out = set(_CITY.findall(text))
    out |= {n for n in full if n in text}
    out |= {n for n in short if n in text}
    return out


def named_places(text: str) -> set[str]:
    """The Shanxi places a text names, each once: a name inside a longer one ("岚县" in "岢岚县", "岢岚" in
    "岢岚县") is the longer one."""
    return _outermost(shanxi_places_in(text))


def _outermost(names: set[str]) -> set[str]:
    return {n for n in names if not any(n != o and n in o for o in names)}


_RANK_IN_NATION = re.compile(r"(?:排|排名|名次|位置|位次)[^，。？?]{0,6}全国|全国[^，。？?]{0,4}(?:排|排名|第几|前列|啥位置|什么位置|哪个位置)")


_CLAUSE_BREAK = re.compile(r"[\s，,。？?！!；;：:]+|(?=规划里?说|听说|听人说|想问问|想问一下|想知道|问一下|请问)|"
                           r"(?<=[\u4e00-\u9fff])(?=俺们|俺家|俺是|俺在|我们|咱们|我家|我是|我在)")
_CLAUSE_ASKS = re.compile(r"多少|(?<!好)几|(?<![跑有了过来去])好几|啥|什么|甚|哪|[吗么]$|咋|怎|如何|目标|要到|达到|分到|分了|分给|是不是|有没有|[不没]$")
# "每个县镇至少办好一所": a rule for every county, which answers for the resident's own as well
_EVERY = re.compile(r"每个?(?:县|镇|乡|村|市|区)|至少|起码|最少|都要|都得")
# a place that is part of a name: "太原及周边“1+30”", "运城市中心医院"
_PLACE_IN_NAME = re.compile(r"(?:市|县)?(?:及|和|跟)?周边|(?:市|县)?(?:中心|人民|第[一二三四五六七八九十]人民|妇幼保健)?医院")


def _only_context(question: str, place: str) -> bool:
    """The place is only where the resident is from ("俺们繁峙县医院太破了", "俺在临县种地"), in a clause that asks
    nothing, while another clause asks the province's figure: the question is not about that place."""
    i = question.find(place)
    if i >= 0 and _PLACE_IN_NAME.match(question, i + len(place)):
        return True
    clauses = [c for c in _CLAUSE_BREAK.split(question) if c]
    asking = [c for c in clauses if _CLAUSE_ASKS.search(c)]
    return bool(asking) and all(_EVERY.search(c) for c in asking if place in c)


def asked_place(question: str) -> str:
    """One Shanxi city, or 全国, that a question asks about: the plan's province-wide figures are not theirs."""
    q = normalize(question)
    if _RANK_IN_NATION.search(q):
        return ""   # "阅读率排到全国啥位置": Shanxi's standing among the provinces, the plan's own figure
    if re.search(r"全国", q) and not re.search(r"全省|山西|我省|省里|省内|咱省|本省", q):
        return "全国"
    # "全国人均预期寿命是多少岁 山西比全国高还是低": the clause asking the figure asks the nation's
    if any(re.search(r"全国", c) and re.search(r"多少|几", c) and not re.search(r"全省|山西|我省|省里|省内|咱省|本省|[比跟和与同]全国|全国[^，]{0,2}比", c)
           for c in re.split(r"[\s，,。？?；;]+", q)):
        return "全国"
    cities = set(_CITY.findall(q)) | {n for n in shanxi_counties()[0] if n in q}
    cities = {c for c in _outermost(cities) if not _only_context(q, c)}   # "岢岚县" holds "岚县"
    if len(cities) == 1 and not re.search(r"全省|各市|都市圈|哪个市|哪些市", q):
        return cities.pop()
    return ""


_FIG_BY_KIND = {"amount": _S_AMOUNT, "rate": _S_RATE, "area": _S_AREA, "count": _S_COUNT, "date": _S_DATE}


_UNITS = "回|趟|月|年|天|周|人次|人|名|户|家|所|座|张|床|次|级|岁|项|条|处|届|倍|公里|小时|分钟|辆|台|套|间|场|支|批|村|部|种"
_Q_UNIT = re.compile(rf"(?:多少|几)(?:个)?(?:万|千|百)?({_UNITS})")
_Q_AGE = re.compile(r"多大(?:岁数|年龄|年纪|的人|的孩子|的娃)|岁数|年龄|年纪|从多大到多大")
_Q_DURATION = re.compile(r"多久|多长时间|多长|多少时间|多少天|几天|几个月|多少个月|几年内|多少年内")
# Things counted in 条/项/座… are also counted with the general classifier 个 ("三个一号旅游公路"); 家/所 are
# not: "10个…基地" does not count 企业 or 医院.
_THING_UNITS = ("条", "座", "处", "项", "支", "批", "种")
_SAME_UNIT = {**{u: f"{u}|个" for u in _THING_UNITS}, "人": "人|名|人次", "名": "人|名", "人次": "人次|人",
              "床": "床|张", "张": "张|床", "年": "年|连涨|连调", "次": "次|连涨|连调",
              "回": "次|回|趟|连涨|连调", "趟": "次|回|趟"}  # 几回/几趟: 次 in the sources


def has_count_unit(text: str, unit: str) -> bool:
    """The text counts something in the asked unit ("3个月", "四级", "120万户")."""
    if unit.startswith("rank:"):   # "第27位", or a standing in words ("步入全国前列")
        return bool(re.search(rf"第\s*(?:\d+|[{_CN_NUM}]+)\s*(?:{unit[5:]})|前列|前茅|第一方阵", normalize(text)))
    units = _SAME_UNIT.get(unit, unit)
    return bool(re.search(rf"(?:\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(?:万|千|百)?\s*(?:个)?\s*[\u4e00-\u9fff]{{0,3}}?(?:{units})",
                          normalize(text)))


def figure_count(text: str, kinds: set[str]) -> int:
    """How many figures of the given kinds a text states ("34793元和13878元" → 2)."""
    t = normalize(text)
    n = 0
    for k in kinds:
        rx = _FIG_BY_KIND.get(k)
        if rx is not None:
            n = max(n, len(rx.findall(t)) + (len(re.findall(rf"{_NUM}\s*(?:和|、)\s*(?={_NUM})", t)) if k != "date" else 0))
    return n


_VERSUS = re.compile(r"不一样|区别|差别|差异|不同|相比|对比|比较|哪个好|谁好|谁高|谁多|哪个(?:高|多|低|少|强)|哪边(?:高|多|低|少)|比[^，。？?]{0,6}(?:高|多|低|少|强|差)|一样不|一样吗|一样么")


def other_place(question: str) -> str:
    """The other province or non-Shanxi city a question is about, or ''."""
    q = normalize(question)
    m = _PLACE.search(q)
    if not m:
        return ""
    if _SHANXI.search(q.replace("陕西", "")) and not _VERSUS.search(q):
        return ""  # "河南的规划跟山西有啥不一样" asks about 河南's side too, which the sources lack
    return m.group(0)
