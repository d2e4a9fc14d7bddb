"""Extractive answers: the 1–3 best source sentences, or the structured answer for an indicator row.

Nothing is generated: answer text is either verbatim source sentences or the indicator row's own
values placed in a fixed template. `supported()` re-checks every figure of an answer against its
citations before it leaves this module; an answer that fails the check is withheld (null).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kb.parser import split_sentences
from bot.textparse._chars import cn_to_int
from bot.text_normalize import normalize
from bot.kb.textproc import figures, get_synonyms, tokenize, wants_indicator  # noqa: F401

MAX_ANSWER_SENTENCES = 3
MAX_ANSWER_CHARS = 260

# Confidence = 0.6·(IDF-weighted share of the question's words, or their synonyms, in the best passage)
#            + 0.4·(its dense cosine scaled between DENSE_FLOOR and DENSE_CEIL).
# Calibrated on tests/kb/golden.yml with multilingual-e5-small: no unanswerable question reaches the
# threshold (their maximum was 0.34) while 93% of the answerable ones do. benchmarks/kb.py prints the
# distributions ("calibration"); another embedding model needs its own DENSE_FLOOR/CEIL.
DENSE_FLOOR, DENSE_CEIL = 0.84, 0.90
COVERAGE_WEIGHT = 0.6
CONFIDENCE_THRESHOLD = 0.36
# Between this and the threshold the passages are near the topic but share few of its words: an answer is
# given only when the chosen sentence itself carries most of the question's topic (answer_covers_topic).
# Measured on the development sets (rounds 1–15, dev 8–11, golden): below 0.36 lie 49 answerable questions
# and 6 unanswerable ones between 0.30 and 0.36; the topic check keeps the unanswerable ones out.
WEAK_CONFIDENCE_FLOOR = 0.30
WEAK_ANSWER_COVERAGE = 0.4
TYPED_CONFIDENCE_FLOOR = 0.25  # figure/attribute questions: their answer must also pass the typed checks

_UNIT_SUFFIX = {"%": "%", "个": "个", "岁": "岁", "次": "次", "平方米/人": "平方米"}
_CMP = {">": "超过", "<": "低于", "≥": "不低于", "≤": "不高于"}


@dataclass
class Scored:
    sentence: str
    score: float
    chunk: dict
    pos: int


def format_value(value: str, unit: str) -> str:
    suffix = _UNIT_SUFFIX.get(unit, unit)
    m = re.fullmatch(r"([<>≥≤]?)(\d+(?:\.\d+)?)(\*?)", value)
    if m:
        return f"{_CMP.get(m.group(1), '')}{m.group(2)}{suffix}"
    if suffix == "%":  # "城市7.4; 农村11.7" → "城市7.4%、农村11.7%"
        value = re.sub(r"(\d+(?:\.\d+)?)(?=$|;|；)", r"\1%", value)
    return re.sub(r"\s*;\s*", "、", value)


def row_label(row: dict) -> str:
    """An indicator's name with its level when the table splits it: "省级文明城市占比（县级）"."""
    return row["name"] + (f"（{row['level']}）" if row.get("level") else "")


def indicator_answer(row: dict) -> str:
    """'2025年目标：每千人口拥有3岁以下婴幼儿托位数4.5个（2020年为1.5个，预期性指标）'."""
    name = row_label(row)
    target = format_value(row["target_2025"], row.get("unit", ""))
    paren = []
    raw = row["target_2025"].strip()
    if re.match(r"[<>≥≤]", raw):
        paren.append(f"表中写作“{raw}”")   # the table's own notation, quoted beside the words
    base = row.get("value_2020", "")
    if base and base not in ("—", "-", "－"):
        text = f"2020年为{format_value(base, row.get('unit', ''))}"
        if base.endswith("*") and any("2018" in n for n in row.get("notes", [])):
            text += "（2018年数据）"
        paren.append(text)
    if row.get("attribute"):
        paren.append(f"{row['attribute']}指标")
    answer = f"2025年目标：{name}{target}"
    if paren:
        answer += "（" + "，".join(paren) + "）"
    return answer


def supported(answer: str, citations: list[dict]) -> bool:
    """Every figure of the answer appears in some citation quote."""
    quoted = set()
    for c in citations:
        quoted |= figures(c.get("quote", ""))
    return figures(answer) <= quoted


def coverage(query_tokens: list[str], chunk_tokens: set[str], idf, max_idf: float) -> float:
    """IDF-weighted share of the question's words that the passage contains.

    A word the knowledge base has never seen ("护照") weighs as much as the rarest known word: it is
    exactly what makes a question out of scope.
    """
    weights = {t: (idf(t) or max_idf) for t in set(query_tokens)}
    total = sum(weights.values())
    if not total:
        return 0.0
    syn = get_synonyms()

    def covered(t: str) -> bool:  # the word itself, or a synonym of it ("能活" ~ "人均预期寿命")
        return t in chunk_tokens or any(set(tokenize(e)) & chunk_tokens for e in syn.expand(t))

    return sum(w for t, w in weights.items() if covered(t)) / total


def dense_scaled(cos: float) -> float:
    return min(1.0, max(0.0, (cos - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR)))


def confidence_of(cov: float, cos: float, dense_ok: bool) -> float:
    if not dense_ok:
        return round(cov, 3)
    return round(COVERAGE_WEIGHT * cov + (1 - COVERAGE_WEIGHT) * dense_scaled(cos), 3)


_NOTICE_PARTS = (  # what a question about the document asks → the notice line that answers it
    # "办公厅是哪天印出来的": the printing date, asked before the printing office
    (re.compile(r"办公厅[^，。？?]{0,6}(?:哪天|哪一天|日期|什么时候|啥时候|多会儿|何时|几月|几号)|印出来"),
     lambda ln: re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日印发", ln)),
    (re.compile(r"抄送|抄报|抄给"), lambda ln: ln.startswith("抄送")),
    (re.compile(r"办公厅|(最后|末尾|落款)[^，。？?]{0,8}印发|印发(的)?(单位|机关|部门)是"), lambda ln: ln.endswith("办公厅")),
    (re.compile(r"公开|内部|保密|往外"), lambda ln: "公开发布" in ln),
    (re.compile(r"主送|发给|下发给|发到|送给"), lambda ln: ln.endswith(("：", ":"))),
    (re.compile(r"文号|字号|几号文|发文号"), lambda ln: "〔" in ln),
    # (the parts above are the document's own; the date and issuer below a plan's passages also name)
    (re.compile(r"哪天|哪一天|日期|什么时候|啥时候|多会儿|何时|哪年|几月|时间"), lambda ln: re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", ln)),
    (re.compile(r"谁发|哪个单位|哪个部门|什么单位|什么部门|发文机关|发文单位|哪个机关|谁印发|衙门|(?:哪个|啥|什么|甚)机关"),
     lambda ln: len(ln) <= 14 and ln.endswith(("政府", "办公厅", "委员会", "厅", "局", "委"))),
)
_OWN_PARTS = 6   # the first six: parts of the document itself (主送, 抄送, 文号…), not its date or issuer


def names_a_document(question: str, doc_title: str) -> bool:
    """The question points at a document: "这个/这份/该 规划|文件|通知", or most of a document's title."""
    q = normalize(question)
    if re.search(r"(?:这个|这份|这一?个|该|本)[^，。？?]{0,10}(?:规划|文件|通知|政策|办法|方案)", q):
        return True       # ("这个十四五过好日子的规划")
    if re.search(r"规划|文件|通知", q) and any(cue.search(q) for cue, _ in _NOTICE_PARTS[:_OWN_PARTS]):
        return True   # "规划最后是哪个办公厅印发的": a part of the document itself (not its date, which plans also name)
    title_tokens = text_tokens(doc_title)
    own = [t for t in tokenize(q) if len(t) >= 2 and not _ASKING.search(t) and t not in ASK_WORDS]
    return bool(own) and sum(t in title_tokens for t in own) >= max(2, len(own) // 2)


def notice_part(question: str, chunk: dict, closing: tuple = ()) -> tuple[str, list[dict]] | None:
    """The one line of the notice (or of its closing 抄送/印发 block) that a question about the document asks
    for (主送, 抄送, 文号, date, issuer, printing office, whether it is public)."""
    lines = [(ln.strip(), c) for c in (chunk, *closing) for ln in c["text"].split("\n") if ln.strip()]
    for cue, fits in _NOTICE_PARTS:
        if cue.search(question):
            for ln, c in lines:
                if fits(ln):
                    return ln.rstrip("：:"), [{"doc_id": c["doc_id"], "section": c["section"], "quote": ln}]
    return None


def notice_answer(chunk: dict) -> tuple[str, list[dict]]:
    """The 发文通知 block: its title, 文号, issuer and date lines, verbatim."""
    lines = [ln.strip() for ln in chunk["text"].split("\n") if ln.strip()]
    keep = [ln for ln in lines if "通知" in ln or "〔" in ln or re.match(r"^\d{4}年\d{1,2}月\d{1,2}日$", ln)
            or (len(ln) <= 12 and ln.endswith(("政府", "办公厅", "委员会")))]
    keep = keep or lines[:2]
    return "，".join(keep), [{"doc_id": chunk["doc_id"], "section": chunk["section"], "quote": chunk["text"]}]


def pick_sentences(question: str, hits: list, chunks: list[dict], idf) -> list[Scored]:
    """Score each sentence of the top chunks by the question's (expanded) words and the chunk's rank."""
    q_tokens = tokenize(question)
    extra = [t for e in get_synonyms().expand(question) for t in tokenize(e)]
    weights = {t: (idf(t) or 1.0) for t in q_tokens}
    for t in extra:
        weights.setdefault(t, 0.5 * (idf(t) or 1.0))
    total = sum(weights.values()) or 1.0
    best_chunk = hits[0].score if hits else 1.0
    out: list[Scored] = []
    for h in hits[:3]:
        chunk = chunks[h.idx]
        if chunk.get("kind") != "text":
            continue
        rel = h.score / best_chunk if best_chunk > 0 else 0.0
        for pos, sent in enumerate(split_sentences(chunk["text"])):
            toks = set(tokenize(sent))
            overlap = sum(w for t, w in weights.items() if t in toks) / total
            out.append(Scored(sent.strip(), rel * (0.35 + overlap), chunk, pos))
    out.sort(key=lambda s: -s.score)
    return out


def extractive(question: str, hits: list, chunks: list[dict], idf) -> tuple[str | None, list[dict]]:
    """Best sentence(s) from one chunk, in source order, with one citation per contiguous run."""
    scored = pick_sentences(question, hits, chunks, idf)
    if not scored:
        return None, []
    top = scored[0]
    same = [s for s in scored if s.chunk is top.chunk]
    chosen = [top]
    for s in same[1:]:
        if len(chosen) >= MAX_ANSWER_SENTENCES - 1:
            break
        if s.score >= 0.75 * top.score and sum(len(c.sentence) for c in chosen) + len(s.sentence) <= MAX_ANSWER_CHARS:
            chosen.append(s)
    # The item's lead sentence gives the answer its topic ("健全残疾人权益保障制度。").
    lead = top.chunk.get("lead")
    if lead and all(c.pos != 0 for c in chosen) and top.chunk["text"].lstrip("—").startswith(lead):
        first = split_sentences(top.chunk["text"])[0].strip()
        chosen.append(Scored(first, 0.0, top.chunk, 0))
    chosen.sort(key=lambda s: s.pos)
    runs: list[list[Scored]] = []
    for s in chosen:
        if runs and runs[-1][-1].pos + 1 == s.pos:
            runs[-1].append(s)
        else:
            runs.append([s])
    citations = [{"doc_id": top.chunk["doc_id"], "section": top.chunk["section"],
                  "quote": "".join(s.sentence for s in run)} for run in runs]
    answer = "".join(s.sentence for s in chosen)
    return answer, citations


# ====================================================================================== typed answers
# The answer is chosen for what the question asks (bot/kb/qtypes.py): a sentence or indicator row that
# states the asked kind of figure, the target or the baseline as asked, a place for "where"… When no
# retrieved text has it, the answer is null with an honest message and the nearest passage as "相关内容".

from functools import lru_cache  # noqa: E402

from bot.kb import qtypes  # noqa: E402


@lru_cache(maxsize=65536)
def text_tokens(text: str) -> frozenset[str]:
    """Tokens of a source sentence or heading, memoised: the corpus is small and answers reuse them."""
    return frozenset(tokenize(text))


@lru_cache(maxsize=4096)
def _alternatives(token: str) -> tuple[frozenset[str], ...]:
    """Other ways the sources may say a word: its synonyms, or, for a word that holds one ("最低工资" holds 工资),
    the word with that part swapped ("最低收入"), never the bare synonym of the part."""
    out = []
    for group in get_synonyms().groups:
        for member in group:
            if member and member in token:
                out += [text_tokens(token.replace(member, other)) for other in group if other != member and other not in token]
    return tuple(dict.fromkeys(out))

ROW_MIN_COVERAGE = 0.5      # share of the question's topic words an indicator row must carry
ROW_SIDE_MIN_COVERAGE = 0.5  # … or share of the best-ranked row's own name that a long question names
ROW_SIDE_FAR_COVERAGE = 0.6  # … when that row is not among the two best-ranked passages
ROW_SIDE_FLOOR = 0.25        # a row whose own name the question hardly names is another indicator
SENT_MIN_COVERAGE = 0.34    # … and a quoted sentence (with its passage's headings)
# Topic coverage required of a sentence for other questions: measured on the golden tuning half at
# 0 / 0.2 / 0.34 / 0.5 (right answers 0.877 / 0.877 / 0.862 / 0.785, no change in honest nulls): none.
TEXT_MIN_COVERAGE = 0.0
SUPERSEDE_RATIO = 0.6       # a newer document's candidate this close to the best one answers instead
MAX_SPAN_CHARS = 420
# Words that say what kind of answer is wanted, not what it is about: left out of topic coverage.
ASK_WORDS = set("""
目标 多少 几 达到 提高 提高到 要 到 年 2025 2025年 2020 2020年 2035 以后 将来 未来 今后 现在 目前 能 会 是 什么 哪些 有 有啥
怎么 如何 多少钱 钱 标准 每月 每年 一个月 一年 比例 占比 比重 时候 什么时候 哪里 哪儿 谁 部门 措施 政策 规划 指标
情况 怎么样 啥 具体 多大 多高 控制 控制在 增加 建 建设 哪个 数量 个 人 平方 平方米 面积 率 十四五 十三五 期间 时期
占 大 来 了 吗 呢 要占 得 给 发 领 拿 这些 那些 这个 那个 咱 咱们 老百姓 百姓 百分之 百分 山西人
降到 降 降低 以内 以下 以上 里头 里面 上说 出去 回 涨 有个 说法 要求 时间 长时间 多长时间 办理 办 申请 缩到 缩小到 算 比是 我们 我家 附近 家门口 以后 已经
放在 设在 落在 建在 安在 摆在
""".split())
_PLACE_WORDS = re.compile(r"太原|大同|阳泉|长治|晋城|朔州|晋中|运城|忻州|临汾|吕梁|平遥|五台山|云冈|壶口|雁门关|晋祠|"
                          r"京津冀|长三角|珠三角|粤港澳|雄安|中原城市群|关中|呼包鄂榆|黄河流域|"
                          r"[\u4e00-\u9fff]{2,}(?:市|县|区|镇|乡|村|山|河|湖|景区|古城|石窟|基地|园区|中心|黄河|长城|太行|医院|院|馆|站)")
_HOW_TO_APPLY = re.compile(r"哪些材料|什么材料|啥材料|带哪些|要带|下载|注册|怎么登记|去哪登记|怎么申请|如何申请|去哪申请|在哪申请|哪里申请|怎么办理|如何办理|去哪办|在哪办|哪里办|办理流程|申请流程|"
                           r"需要什么材料|要什么材料|带什么|申请条件|申请材料|怎么领|去哪领|在哪领|怎么报名|哪里报名|怎么申报|"
                           r"咋申领|咋申请|咋办理|咋领|咋报名|咋报|在哪报名|去哪报名|哪报名|多会儿报名|什么时候报名|啥时候报名|"
                           r"报名时间|怎么参加|咋参加|咋加入|怎么加入|挂号|(?:咋|怎么|如何|去哪|在哪)考(?![核评察])|"
                           # "时间银行咋存时间，咋兑换": how one uses a service, which a plan never describes
                           r"(?:咋|怎么|怎样|如何|怎么样)(?:个)?(?:存|兑换|兑|预约|开通|绑定|充值|缴费|交费|认证|激活|刷|扫码|线上办|网上办|手机上办|备案|报销|转移|续|挂失|补办)|"
                           r"(?:能|可以)(?:换|兑换|兑)(?:甚|什么|啥|哪些)")
# "有没有补贴", "有啥奖励": whether a benefit exists for something; only a sentence naming one for it answers.
_ASKS_BENEFIT = re.compile(r"(?:有|有没有|给不给|有啥|有什么|有甚|能不能拿|能领)[^，。？?]{0,4}(?:补贴|补助|奖励|奖补|优惠|减免|资助)")
_BENEFIT_WORDS = re.compile(r"补贴|补助|奖励|奖补|优惠|减免|资助|扶持资金|以奖代补")
BENEFIT_MIN_COVERAGE = 0.6
# "那60家三级医院具体都是哪些", "名单", "落在哪家医院": the named instances of something — only a sentence
# that enumerates them answers (see instances_missing).
_ASKS_INSTANCES = re.compile(r"名单|具体(?:都)?是哪(?:些|几|两|三|个|家|所)|都是哪(?:些|几)(?:家|个|所)?(?:医院|学校|幼儿园|工程|项目|单位|企业|县|市)|"
                             r"分别(?:是|在|建在)哪|落在哪(?:家|个)|(?:具体)?是哪(?:两|三|几)个|是哪(?:\d+|[四五六七八九十]+)个(?![字])")
# "13家实验室分别建在哪": which ones of a counted set — only an enumeration answers.
_WHICH_OF_N = re.compile(r"(?:\d+|[两三四五六七八九十百]+)\s*(?:个|家|所|项|座|条|处)(?:左右)?[^，。？?]{0,14}"
                         r"(?:都是|分别|具体|各自|都有)[^，。？?]{0,4}(?:哪|是啥|是什么|是甚|叫啥|叫什么)")
_ASKS_ADDRESS = re.compile(r"哪条街|哪条路|哪个街|哪个路口|门牌|详细地址|具体地址|地址在|地址是")
_ADDRESS = re.compile(r"[\u4e00-\u9fff]{1,8}(?:路|街|巷|大道)\s*\d+\s*号")
_APPLY_WORDS = re.compile(r"申请|办理|材料|流程|窗口|受理|报名|申报|领取")
# How a project or review turned out, or whether it reached one's own street: a plan states intentions,
# not results (its 十三五 review excepted).
_STATUS = re.compile(r"(?:现在|目前|如今|眼下)[^，。？?]{0,10}(?:实行|实施|落实|推行|开展|推开)了|(?:达|到|实现|完成|覆盖)没(?:达到|到|实现|完成|覆盖)|到底(?:达|到)没|达到了?没有?(?![\u4e00-\u9fff])|评估结果|结果咋样|结果怎么样|进展(?:咋样|怎么样|如何)|进度|完成了没|搞得咋样|落实得(?:咋样|怎么样)|"
                     r"建成了没|建好了没|修好了没|开工了没|排上(?:了)?没|轮到(?:我们|俺们)|"
                     # "晋祠现在评上5A了没有", "通了没": whether something has happened by now
                     r"(?:评上|评为|评成|建成|建好|修好|修通|通车|开通|通了|批下来|落地|办成|弄成|搞成|实现|完成|达标|达到|覆盖|够|开起来|开业|投用|用上)[^，。？?\s]{0,6}了(?:没有|没|吗|么|不)(?![\u4e00-\u9fff])|"
                     r"(?:会不会|能不能|要不要|是不是要|会)(?:涨价|降价|提价|变贵|收费)|涨价(?:不|吗|没)|"
                     r"(?:房价|价格|票价|学费|物价|菜价|油价)[^，。？?]{0,6}(?:会不会|能不能|要不要|会)(?:降|涨|跌|便宜|贵)|"
                     r"(?:现在|目前|如今|眼下)(?:是不是|是否)?已经|有没有(?:评上|建成|建好|修好|开通|完成|实现)|"
                     # "三级医院60个现在建够了没有", "壶口瀑布创5A创成了没", "医保现在省级统筹了没"
                     r"(?:建够|创成|创上|批下来|批了|申建成|获批|挂牌|建起来)[^，。？?\s]{0,4}(?:了)?(?:没有|没|吗)[？?]?$|"
                     r"(?:现在|目前|如今|眼下)[^，。？?]{1,14}了(?:没有|没|吗|么)[？?]?$")
# "俺们村的儿童主任是谁": a person or an office of the speaker's own place, which a provincial plan never names.
LOCAL_SPECIFIC = re.compile(r"(?:俺们|我们|咱们|咱|俺|我家|俺家|我)(?:这个?|那个?)?(?:村|社区|小区|街道|乡|镇)[^，。？?]{0,10}"
                            r"(?:是谁|叫什么|叫啥|谁管|电话|在哪)|"
                            # "那50个左右县级医院提升项目有俺们静乐县医院不": one's own place in a list
                            r"(?:有|包括|含|算)(?:没有)?(?:俺们|我们|咱们|俺|咱)[^，。？?]{1,12}(?:不|没|吗|么|没有)[？?]?$|"
                            # "俺们县能不能建一个": whether one's own place gets a project, which a plan never says
                            r"(?:俺们|我们|咱们|咱|俺)(?:这个?|那个?)?(?:村|社区|小区|街道|乡|镇|县|区|市)(?:里|上)?[^，。？?]{0,6}"
                            r"(?:能不能|会不会|有没有|给不给|建不建|轮不轮)[^，。？?]{0,2}(?:建|盖|修|办|开|安排|轮)|"
                            # "长治哪家幼儿园是公办的", "共有产权房在太原哪个小区": one named place, never in a plan
                            r"(?:[市县区]|太原|大同|阳泉|长治|晋城|朔州|晋中|运城|忻州|临汾|吕梁)[^，。？?\s]{0,3}"
                            r"(?:哪家|哪所|哪个小区|哪个村|哪个社区|哪条街|哪个街道|哪个(?:幼儿园|医院|学校|养老院|托育园|公园))")
# "宅基地能不能卖给城里人": what the law allows one to do, which a plan does not settle.
PERMISSION = re.compile(r"(?:能不能|可不可以|能|可以|允许|让不让|准不准)[^，。？?]{0,4}(?:卖给|买卖|转让给|转卖|过户给)")
_CONTACT = re.compile(r"电话|热线号码|联系方式|手机号|咨询电话|网址|网站|公众号|邮箱|微信号")
_PHONE = re.compile(r"\d{3,4}-?\d{7,8}|1\d{10}|12345|http|www\.")
_ELIGIBILITY = re.compile(r"(?:能|可以|可不可以)(?:不能)?(?:领|申请|享受|拿|申领|报销)[^，。？?]{0,14}(?:吗|么|不)|"
                          r"能不能(?:领|申请|享受|拿|申领|报销)|符合条件|什么条件|啥条件|哪些条件|够条件|有资格|够不够|"
                          r"算不算|我能领|我家能领|能领到")
# Asking for the conditions themselves, not whether one thing is among those the plan names ("助餐算不算").
_ASKS_CONDITIONS = re.compile(r"条件|资格|要求|够不够|能领到|(?:能|可以|可不可以|能不能)(?:不能)?(?:领|申请|享受|申领|报销)|能拿[^，。？?]{0,8}(?:补贴|补助|津贴|钱)")
_ELIG_WORDS = re.compile(r"(?:申请|申领|享受|准入|入住|落户|领取|参保|报考)条件|符合|年满|纳入|户籍|(?<!职业)资格(?!评价)|认定为|经认定|对象为|对象是|补贴对象|救助对象|保障对象")
NOT_FOUND_WHAT = {"amount": "具体金额", "time": "具体的开放或办理时间", "rate": "具体比例", "count": "具体数字", "area": "具体面积标准",
                  "date": "具体时间", "where": "具体地点", "who": "具体的负责部门或对象", "apply": "办理方式和材料",
                  "contact": "联系电话或网址", "eligibility": "具体的申领条件", "status": "实施结果或最新进展",
                  "local": "具体到某个县、村或社区的安排、人员和地址", "permission": "具体的法律规定（能不能这样做）"}


@dataclass
class Candidate:
    kind: str           # "row" | "text" | "notice"
    score: float
    chunk: dict
    sentences: list = None  # [(pos, sentence)] for text
    rows: list = None       # indicator rows (both 市级/县级 when the table has them)


# Tokens that ask (几次, 多久, 啥时候, 还是…), only join words, or name the province every document is
# about (山西, 全省): they say nothing about the topic.
_ASKING = re.compile(r"几|多少|多久|多长|多大|多高|啥|什么|哪|怎|咋|吗|呢|吧|还是|起来|一共|总共|到底|是不是|有没有|"
                     r"^(?:山西|山西省|全省|我省|省里|省内|咱省|本省|十三|十四|四五|五|五年|期间|时期|元|户|个|次|年|天|人|块|跟|按|配|前|后|完|新|让|把|被|对|和|与|及|或|就|都|也|还|又|才)$")


_ASKS_PURPOSE = re.compile(r"干啥用|干什么用|有啥用|有什么用|干啥的|弄啥的|做什么的|做啥的|管啥的")


# A clause that asks: a question word, or a yes/no ending ("…贷款不", "…有没有").
_INTERROGATIVE = re.compile(r"多少|几|啥|什么|甚|哪|咋|怎|如何|吗|呢|是否|有没有|能不能|算不算|是不是|多会儿|多久|多大|多高|多远|"
                            r"谁|[不没]$|没有$|没$")
# A clause about the asker ("俺是兴县的脱贫户", "俺们繁峙县医院太破了"): context, not what is asked.
_ABOUT_ASKER = re.compile(r"^(?:俺|我|咱家|咱们家|家里|家里头)")
_ASKER_IS = re.compile(r"^(?:俺|我)们?(?:家)?(?:是|在|住在|老家是|户口在)")
# Where the resident heard it ("夜来听广播说", "前两天看新闻讲"): no topic of the question.
_HEARSAY = re.compile(r"(?:夜来|昨天|昨儿|前两天|前几天|今天|刚才|早上|那天)?(?:俺|我)?(?:听|看|刷)(?:了)?"
                      r"(?:广播|新闻|电视|人|别人|邻居|村里人|大伙|抖音|视频|手机)?(?:里|上)?(?:说|讲|播)?(?:的)?")


def asked_part(question: str) -> str:
    """The clauses that ask, without the resident's words about themselves: "俺是兴县的脱贫户 脱贫攻坚咱全省
    一共脱了多少万人" asks about the province's figure, and 脱贫户 must not count against the passage that
    states it. A question with no clause that asks, or only one clause, is kept whole."""
    question = topic_only(question)
    clauses = [c for c in re.split(r"[\s，,。！!？?；;…]+", question) if c]
    if len(clauses) < 2 or not any(_INTERROGATIVE.search(c) for c in clauses):
        return question
    last = max(i for i, c in enumerate(clauses) if _INTERROGATIVE.search(c))
    # who the asker is, or a remark after the question ("俺们繁峙县医院太破了"); a clause before the question
    # that names the topic ("俺们老小区没有养老服务站 这事归谁管") stays
    kept = [_HEARD_FROM.sub("", c) or c for i, c in enumerate(clauses) if _INTERROGATIVE.search(c) or
            not (_ASKER_IS.match(c) or _HEARSAY.fullmatch(c) or i > last and _ABOUT_ASKER.match(c))]
    return " ".join(kept) if kept else question


# "休假这块规划咋提的", "长护险规划里怎么说": what the plan says of a topic; the words around the topic ask
_WHAT_IT_SAYS = re.compile(r"(?:这一?块|那一?块|这方面|这个方面|方面)?[，,\s]*(?:规划|文件|政策)?(?:里|上|中|里头|里面)?(?:是)?"
                           r"(?:咋|怎么|如何|怎样)(?:个)?(?:说|提|讲|写|规定|安排)(?:的)?(?:呀|啊|呢|嘛)?(?=[？?。\s]*$)")


# "现在多少": today's figure, which a plan written in 2021 never states (its base year is 2020)
NOW_ASKED = re.compile(r"现在|目前|如今|眼下|当前|现如今|这会儿")
PAST_NAMED = re.compile(r"20(?:1\d|20)|十三五|原来|以前|过去|当初|起点|基数")
NOW_NOTE = "资料里没有写明现在的实际数字。以下是规划写明的基期数和目标，仅供参考。"


def topic_only(question: str) -> str:
    """The question without "规划咋说的" around its topic: what retrieval should look for."""
    return _WHAT_IT_SAYS.sub(" ", question).strip() or question


# "夜来听广播说免费送戏…": where it was heard, in front of the topic it was heard about
_HEARD_FROM = re.compile(r"^(?:夜来|昨天|昨儿|前两天|前几天|今天|刚才|早上|那天)?(?:俺|我)?(?:听|看|刷)了?"
                         r"(?:广播|新闻|电视|人|别人|邻居|村里人|大伙|抖音|视频|手机)?(?:里|上)?(?:说|讲|播)的?")


def topic_weights(question: str, idf) -> dict[str, float]:
    """The question's topic words and their weights; a fragment of a longer word that the corpus does not
    know ("里人" of "城里人") is left out, the longer word carries it."""
    question = asked_part(question)
    question = re.sub(r"哪一?级|哪个层级|什么级别", " ", question)  # "在哪一级统筹": the asked tier, not a topic
    question = _ASKS_PURPOSE.sub(" ", question)  # "是干啥用的": what it is for, not a topic
    question = re.sub(r"(?:几|多少)比(?:一|1)|几倍|" + qtypes.POINTS_ASKED, " ", question)  # a ratio or rate asked, not a topic
    question = re.sub(r"分[成为]?(?=几)", " ", question)  # "分几种": how many kinds asked, not a topic
    question = re.sub(r"(?<!\d)(?:19|20)\d{2}\s*年", " ", question)  # a year is asked.year_value's, not a topic ("年全")
    raw = tokenize(question)
    before = {t: raw[j - 1] for j, t in enumerate(raw) if j}
    toks = [t for t in raw if t not in ASK_WORDS and not re.fullmatch(r"\d+(\.\d+)?", t)
            and not _ASKING.search(t)]
    out = {}
    for t in toks:
        if len(t) == 1 and len(before.get(t, "")) >= 3 and idf(before[t][-1] + t):
            t = before[t][-1] + t      # "城里人" + "均": the tokenizer took the 人 of 人均
        if not idf(t) and any(t != u and t in u for u in toks):
            continue
        if not idf(t) and get_synonyms().expand(t):
            out[t] = 3.0   # a resident's word the synonyms name ("找着工作" is 新增就业), though the plan never says it
            continue
        if not idf(t):  # "要涨", "厕要": a modal glued to a word by the tokenizer
            bare = re.sub(r"[要会能得了着过想]", "", t)
            if bare != t:
                if len(bare) >= 2 and idf(bare):
                    out[bare] = idf(bare)
                elif bare and t in before and idf(before[t] + bare):   # "户" + "厕要": the word split around the modal
                    out.pop(before[t], None)
                    out[before[t] + bare] = idf(before[t] + bare)
                continue
        out[t] = idf(t) or 3.0
    return out


# A word the sources use for both halves ("城乡居民…分别增长8965元和4424元" speaks of 城镇 and 农村 alike).
_NAMED_BY = {t: ("城乡", "城乡居民") for t in ("城镇", "农村", "城市", "乡村", "城镇居民", "农村居民", "城里人", "农村人")}
# Everyday words for the plan's (in coverage only: as query expansions they would pull other passages up).
_NAMED_BY.update({"城里": ("城镇", "城市", "城乡"), "乡下": ("农村", "乡村", "城乡", "下乡"), "村里": ("农村", "乡村"),
                  "县里": ("县级", "县域", "县"), "乡里": ("乡镇", "乡", "乡级"), "镇上": ("乡镇", "镇"),
                  "市里": ("市级", "市"), "户厕": ("卫生厕所", "厕所"), "平均": ("人均",)})


def _parts_present(token: str, tokens) -> bool:
    """"低保标准" is there when 低保 and 标准 are ("低保平均保障标准")."""
    parts = text_tokens(token) - {token}
    return len(parts) >= 2 and parts <= tokens


def covered_share(weights: dict[str, float], tokens, whole: bool = True) -> float:
    """IDF-weighted share of `weights` found in `tokens`. A synonym covers a source word only when all of it is
    there ("最低工资" is not covered by 收入 alone); `whole=False` (a row's own name against a colloquial
    question, which names things by halves: 证书 for 持证率 ~ 技能证书) lets one of its words do."""
    total = sum(weights.values())
    if not total:
        return 1.0

    def has(t: str) -> bool:
        return t in tokens or _parts_present(t, tokens) or \
            any(alt and (alt <= tokens if whole else alt & tokens) for alt in _alternatives(t)) or \
            any(w in tokens for w in _NAMED_BY.get(t, ()))

    return sum(w for t, w in weights.items() if has(t)) / total


def in_effect(doc: dict, today: str) -> bool:
    eff = (doc or {}).get("effective_date") or (doc or {}).get("date") or ""
    return not eff or eff <= today


def _heading_tokens(chunk: dict) -> set[str]:
    return text_tokens(" ".join([chunk.get("section", "").split(" > ")[-1], chunk.get("box", ""),
                                  chunk.get("lead", ""), chunk.get("title", "")]))


_CORPUS: dict[int, str] = {}


def corpus_text(chunks: list[dict]) -> str:
    """All passage text of a loaded version, normalised (memoised per version's chunk list)."""
    key = id(chunks)
    if key not in _CORPUS:
        _CORPUS.clear()
        _CORPUS[key] = "\n".join(normalize(c.get("text", "")) for c in chunks)
    return _CORPUS[key]


_HOUSEHOLD_WORDS = {"家里", "家用", "屋里", "自家", "各家", "家家", "户户"}


def row_conflict(question: str, row_name: str, corpus: str = "", idf=None) -> str:
    """The question's own qualifier where the row has another ("城镇登记失业率" vs "城镇调查失业率"), or ''.

    The longest stretch the two share is found; the two characters before it, when they form a word of
    the question that the row lacks while the row has two other characters there, and the sources name
    that qualified thing themselves or the qualifier is a word they never use ("常住人口" vs "体育人口"),
    name a different thing.
    """
    q, r = normalize(question), normalize(row_name)
    best = (0, 0, 0)
    for i in range(len(q)):
        for j in range(len(r)):
            k = 0
            while i + k < len(q) and j + k < len(r) and q[i + k] == r[j + k]:
                k += 1
            if k > best[0]:
                best = (k, i, j)
    k, i, j = best
    if k < 2 or i < 2 or j < 2:
        return ""
    qpre, rpre = q[i - 2:i], r[j - 2:j]
    if qpre == rpre or not re.fullmatch(r"[\u4e00-\u9fff]{2}", qpre) or not re.fullmatch(r"[\u4e00-\u9fff]{2}", rpre):
        return ""
    if qpre not in tokenize(question):
        # "农村自来水普及率" (来水 is no word): the question's word that ends where the shared name begins
        qpre = next((t for t in sorted(tokenize(question), key=len, reverse=True)
                     if len(t) >= 3 and q[max(0, i - len(t)):i] == t), qpre)
    if qpre in r or rpre in q or qpre not in tokenize(question):
        return ""
    if set(qpre) & set(rpre) or qpre in _HOUSEHOLD_WORDS:
        return ""  # "国民体值" is a slip for 体质; "农村家里卫生厕所" says 户用 in everyday words
    if any(qpre in tok and any(rpre in w for w in _NAMED_BY.get(tok, ())) for tok in tokenize(question)):
        return ""  # "城里人" (its fragment 里人) is one half of the row's 城乡
    if any(set(tokenize(e)) & {rpre} for e in get_synonyms().expand(qpre)):
        return ""
    if any(rpre in e for e in get_synonyms().same_as(q[i - 2:i + k])):
        return ""  # "两项补贴" names the row's 生活补贴 and 护理补贴 in one word
    if corpus and q[i - 2:i + k] not in corpus and (idf is None or idf(qpre)):
        return ""  # a qualifier the sources use elsewhere but never with this figure is a colloquial name
    return qpre


def head_conflict(question: str, row_name: str) -> str:
    """The question's qualifier of the row's head word where the row has another: "人均公园绿地面积" is not
    the row "人均住房面积" (both end in 面积; 绿地 ≠ 住房), though they share 人均 too. '' when none."""
    q, r = normalize(question), re.sub(r"[（(][^）)]*[）)]", "", normalize(row_name))
    for k in range(min(len(r) - 2, 4), 1, -1):
        head = r[-k:]
        i = q.find(head)
        if i < 2:
            continue
        qpre, rpre = q[i - 2:i], r[-k - 2:-k]
        if not re.fullmatch(r"[\u4e00-\u9fff]{2}", qpre) or not re.fullmatch(r"[\u4e00-\u9fff]{2}", rpre):
            return ""
        if qpre == rpre or qpre in r or rpre in q or qpre not in tokenize(question) or rpre not in tokenize(row_name):
            return ""
        named = get_synonyms().expand(qpre) + get_synonyms().expand(q[i - 2:i + k])
        if set(qpre) & set(rpre) or any(rpre in e for e in named):
            return ""  # "预计寿命" is a slip for 预期寿命; "平均寿命" names 人均 in other words
        return qpre
    return ""


_TOTAL_ASKED = re.compile(r"一共|总共|总数|总量|合计|加起来|全省[^，。？?]{0,6}(?:有|要有|建|建成|能有)[^，。？?]{0,4}多少(?:个|张|家|所|座)")
_RATIO_ROW = re.compile(r"每[千万百十]|人均|[率比]|占比|覆盖")
_RATIO_ASKED = re.compile(r"每[千万百十一]|人均|平均|[率比]|占比|覆盖|一千人|一万人")


def total_of_ratio(question: str, row_name: str) -> bool:
    """A total asked ("全省托位一共要有多少个") of a row that holds a ratio (每千人口托位数): the table
    does not answer it, and the ratio is no total."""
    q = normalize(question)
    return bool(_TOTAL_ASKED.search(q) and _RATIO_ROW.search(normalize(row_name)) and not _RATIO_ASKED.search(q))


def row_side_coverage(row: dict, question: str, idf) -> float:
    """IDF-weighted share of the row's own name that the question (or a synonym of its words) names."""
    weights = {t: (idf(t) or 3.0) for t in tokenize(row.get("name", "")) if t not in ASK_WORDS}
    q_tokens = set(tokenize(question)) | {t for e in get_synonyms().expand(question) for t in tokenize(e)}
    q_tokens |= {w for t in list(q_tokens) for plan in _NAMED_BY.get(t, ()) for w in tokenize(plan)}   # 户厕 → 卫生厕所
    return covered_share(weights, frozenset(q_tokens), whole=False) if weights else 0.0


def row_candidates(question: str, asked, weights, hits, chunks, all_chunks_by_row, idf) -> list[Candidate]:
    """Indicator rows of the asked kind that the question is about.

    A row qualifies when it carries most of the question's topic words, or, for a long colloquial question,
    when it is the best-ranked indicator and the question names most of the row's own name. A question
    naming another qualifier of the same figure (登记 vs 调查) or an actual figure of a recent year
    (今年/去年) is never answered from the plan's table; neither is a question about another region or a
    single Shanxi city (the table holds the province's figures) nor one asking two values that a row lacks.
    """
    out = []
    if asked.current or getattr(asked, "place", "") or getattr(asked, "unit", "").startswith("rank:"):
        return out   # (a standing among provinces is no value of the table)
    if any(len(t) >= 3 and t[-1] in "率数" and not idf(t) for t in weights):
        return out  # "城镇化率是多少": an indicator the sources never name is none of the table's rows
    first_row = True
    for rank, h in enumerate(hits):
        c = chunks[h.idx]
        if c.get("kind") != "indicator":
            continue
        row = c["indicator"]
        if row_conflict(question, row.get("name", ""), corpus_text(chunks), idf) or \
                head_conflict(question, row.get("name", "")):
            continue  # a row the question names something else of is not "the best-ranked row" either
        is_first, first_row = first_row, False
        kind = qtypes.row_kind(row)
        if asked.figure and kind not in (asked.kinds or {asked.figure}):
            continue
        if kind in ("area", "rate") and asked.unit and asked.unit not in _AREA_OR_RATE_UNITS:
            continue  # "公租房要建多少套", "能住几年": things or years counted, which no area or share answers
        if asked.year == "baseline" and row.get("value_2020", "") in ("", "—", "-", "－"):
            continue
        if asked.year_value and asked.year_value not in ("2018", "2020", "2025"):
            continue  # the table has 2020 and 2025 only
        if asked.year_value == "2018" and not (row.get("value_2020", "").endswith("*")
                                              and any("2018" in n for n in row.get("notes", []))):
            continue  # only a value the table's note dates to 2018 is a 2018 figure
        if asked.figure and (asked.year == "target" or asked.year_value == "2025") and \
                not re.search(r"\d", row.get("target_2025", "")) and _ASKS_NUMBER.search(question):
            continue  # "具体是百分之多少": "完成国家考核目标" states no figure to give
        if total_of_ratio(question, row.get("name", "")):
            continue
        rows = all_chunks_by_row.get(row["number"], [c])
        if _row_scope_missing(question, rows):
            continue  # "农村居民人均住房面积", "乡镇一级", "三甲医院": the row holds another scope's figure
        if getattr(asked, "pair", False) and len(rows) < 2 and not re.search(r"[;；]", row.get("target_2025", "")):
            continue  # "城镇和农村分别…": one value does not answer
        cov = covered_share(weights, set(c.get("tokens", ())))
        if asked.figure and other_kind_of(weights, set(c.get("tokens", ())), row.get("name", "")):
            continue  # "总人口是多少" is not answered by the 体育人口 row
        if cov >= ROW_MIN_COVERAGE and row_side_coverage(row, question, idf) < ROW_SIDE_FLOOR:
            continue  # "每千人口执业医师数" shares 每千人口 with the 托位数 row, and nothing of its own
        if cov < ROW_MIN_COVERAGE:
            # (the row's name said by the question, but most of the question's own topic is not in the row:
            # "人均公园绿地" is not the 人均住房面积 row)
            side = row_side_coverage(row, question, idf) if is_first and cov >= ROW_SIDE_FLOOR else 0.0
            if not (rank <= 1 and side >= ROW_SIDE_MIN_COVERAGE or rank <= 4 and side >= ROW_SIDE_FAR_COVERAGE):
                continue
            cov = ROW_MIN_COVERAGE
        out.append(Candidate("row", cov * (1.0 - 0.04 * rank) + 0.1, c, rows=rows))
    return out


_SCOPE_WORDS = re.compile(r"农村|乡村|城镇")   # (not 城里: "城里人均收入" is said of everyone)
_SCOPE_SAID = {"农村": "农村|乡村|城乡", "乡村": "农村|乡村|城乡", "城镇": "城镇|城市|城乡"}
_LOWER_LEVEL = re.compile(r"(?:乡镇|乡|镇|村|社区|街道)(?:一)?级")
_GRADE = re.compile(r"[一二三]甲")


def _grade_missing(q: str, text: str) -> bool:
    """The question names a hospital grade (三甲, or 二级甲等 said short) the text never gives; "三甲那种三级医院"
    is the resident's own gloss of the 三级医院 row, not another grade."""
    grades = _GRADE.findall(q)
    return bool(grades) and "三级医院" not in q and not any(g in text or f"{g[0]}级甲等" in text for g in grades)


def _row_scope_missing(question: str, rows: list[dict]) -> bool:
    """The question narrows the figure to a part (rural or urban residents, a township level, a 三甲 grade)
    that the row and its variants never name: the province-wide or other-level value is not that part's."""
    text = " ".join(r.get("text", "") + " " + r["indicator"].get("name", "") + " " + r["indicator"].get("level", "")
                    for r in rows)
    q = normalize(question)
    for word in _SCOPE_WORDS.findall(q):
        if not re.search(_SCOPE_SAID[word], text):
            return True
    if _grade_missing(q, text):
        return True
    if _LOWER_LEVEL.search(q) and not _LOWER_LEVEL.search(text) and re.search(r"[市县]级", text):
        return True
    return False


_AREA_OR_RATE_UNITS = {"平方", "平方米", "平米", "平", "亩", "公顷", "%", "个百分点", "成", "倍"}
_ASKS_NUMBER = re.compile(r"具体(?:是|要到|到|为)?(?:多少|百分之|几)|百分之(?:多少|几)|多少[%％]|具体数")
_PAST = re.compile(r"十三五”?(?:时期|期间|以来|末)|^20(?:1\d|20)年[，,]|累计(?:实现|达到|完成|培训)|已经|已(?:建成|实现|达到|完成)")
_FUTURE = re.compile(r"20(?:2[1-9]|3\d)年|十四五|力争|目标|到20\d\d|未来|今后")
_CLAUSE = re.compile(r"[，,；;。]|[：:](?!\s*\d)")   # "2.5 : 1" is a ratio, not a clause break
CLAUSE_MIN_COVERAGE = 0.5   # share of the question's topic words around the figure itself (see figure_fits)
_GENERIC_PLACE = re.compile(r"^(?:城市|县级|市级|省级|社区|小区|城区|地区|园区|景区|示范区|先行区|集聚区|开发区|功能区|"
                            r"山区|农村|乡村|城乡|市县|区县|县区|各市|各县|全县|全市|本市)$")
_ADMIN_PLACE = re.compile(r"(?:" + "|".join(qtypes.SHANXI_CITIES) + r")|(?<=[、，,在和及与])[\u4e00-\u9fff]{2,3}(?:市|县|区)(?![级域位])")


def is_past_context(sentence: str, chunk: dict) -> bool:
    """A sentence about what was achieved by 2020 (the 十三五 review): a baseline, never a target."""
    leaf = chunk.get("section", "").split(">")[-1]  # "（二）“十四五”时期面临形势" sits in a chapter named 发展基础
    if re.search(r"回顾|发展基础|主要成就", leaf) and not _FUTURE.search(sentence):
        return True
    return bool(_PAST.search(sentence)) and not _FUTURE.search(sentence)


_OTHER_YEAR = re.compile(r"20[1-3]\d")
_SURE_KINDS = ("amount", "date", "time", "area", "fee", "duration")


def same_scope(question: str, asked_before: str) -> bool:
    """Two close questions ask about the same place and years: "2020年城镇居民人均可支配收入" is Shanxi's and
    answered, "2020年全国居民人均可支配收入" is not, though they sit at 0.98."""
    mine, theirs = qtypes.classify(question), qtypes.classify(asked_before)
    if (mine.place, qtypes.other_place(question)) != (theirs.place, qtypes.other_place(asked_before)):
        return False
    def years(text: str) -> set[str]:   # 2020 and 2025 are the plan's own base and target years, often left unsaid
        return set(_OTHER_YEAR.findall(qtypes.year_digits(text))) - {"2020", "2025"}
    return years(question) == years(asked_before)


def borrowed_sentence_fits(question: str, asked, sentence: str, chunk: dict, asked_before: str = "") -> bool:
    """A sentence that answered questions asked before (bot.kb.precedents) also answers this one.

    Close questions can differ in the one thing that matters: 多少钱 where the sentence has no amount, 2019 where
    it speaks of 2020, 五年后 where it looks back on 十三五, 全国 where it is Shanxi's, or a named detail the
    plan leaves out ("三权分置的三权是哪三权"), or 谁/哪个部门 where they asked something else. On own KB rounds 25–36 these checks cut the unanswerable questions
    answered from a borrowed sentence from 14 to 3, and cost no right answer.
    """
    kinds = set(asked.kinds or ({asked.figure} if asked.figure else set()))
    if asked.shape == "who" and asked_before and qtypes.classify(asked_before).shape != "who":
        return False     # "时间银行是哪个部门管" is not answered by what 时间银行 is
    if asked.figure in _SURE_KINDS and not (qtypes.sentence_kinds(sentence) & kinds):
        return False
    if any(y not in sentence for y in _OTHER_YEAR.findall(qtypes.year_digits(question)) if y not in ("2020", "2025")):
        return False
    if asked.year == "target" and is_past_context(sentence, chunk):
        return False
    if getattr(asked, "place", "") == "全国" and "全国" not in sentence:
        return False
    return not (unstated_part(question, sentence) or instances_missing(question, sentence))


def figure_fits(sentence: str, chunk: dict, asked, weights) -> bool:
    """The sentence's figure of the asked kind is about what is asked, for the asked time and place.

    The figure's own clause (with the clauses either side, which often hold the subject, and the item's
    heading in a 专栏) must carry most of the question's topic words: a sentence that mentions the topic and
    states some other figure ("收入…增长8965元" for a 医保 question) does not answer.
    """
    kinds = asked.kinds or {asked.figure}
    if asked.year == "target" and is_past_context(sentence, chunk):
        return False
    if asked.current and re.search(r"到20\d\d年|力争|目标", sentence):
        return False
    if getattr(asked, "pair", False) and qtypes.figure_count(sentence, kinds) < 2:
        return False
    unit = getattr(asked, "unit", "")
    if unit and asked.figure == "count" and not qtypes.has_count_unit(sentence, unit):
        return False  # "几个月" is not answered by "257.5万人"
    heads = _heading_tokens(chunk) if chunk.get("box") or chunk.get("lead") else frozenset()
    place = getattr(asked, "place", "")
    if place and place != "全国":  # the place is checked on its own; the topic is what is counted there
        short = re.sub(r"(?:市|县|区)$", "", place)
        weights = {t: w for t, w in weights.items() if short not in t and t not in place} or weights
    best = 0.0
    for part in re.split(r"[；;]", sentence):
        best = max(best, _figure_part_coverage(part, kinds, asked, weights, heads, sentence))
    return best >= CLAUSE_MIN_COVERAGE


_LEADING_YEAR = re.compile(r"(?:力争|争取|计划|预计)?(?:到|至|在)?\s*20\d\d\s*年(?:底|末|前)?")


def _figure_part_coverage(part: str, kinds, asked, weights, heads, sentence: str) -> float:
    clauses = [x for x in _CLAUSE.split(part) if x.strip()]
    best = 0.0
    for i, cl in enumerate(clauses):
        if not (qtypes.sentence_kinds(figure_clause(cl, asked, kinds)) & kinds) and not qtypes.names_numbered(cl, asked) \
                and not (getattr(asked, "unit", "").startswith("rank:") and qtypes.has_count_unit(cl, asked.unit)):
            continue
        windows = ["".join(clauses[max(0, i - 1):i + 2])]
        if i == 0 and "date" in kinds and _LEADING_YEAR.fullmatch(cl.strip()):
            # "力争到2035年，…，老年友好、儿童友好社区覆盖城乡": a leading year governs each clause after it
            windows += [cl + clauses[j] for j in range(2, len(clauses))]
        window = max(windows, key=lambda w: covered_share(weights, text_tokens(w) | heads))
        if getattr(asked, "change", False) and not qtypes.CHANGE_S.search(window):
            continue  # "每年要涨多少" is not answered by a level or a rank ("排在全国第27位")
        if level_conflict(asked, cl):
            continue  # "国家级…示范区有多少个" is not answered by "18个县级…示范区"
        if getattr(asked, "place", "") and asked.place not in window.replace("全省", "") and asked.place not in sentence:
            continue
        best = max(best, covered_share(weights, text_tokens(window) | heads))
    return best


def figure_clause(clause: str, asked, kinds) -> str:
    """The clause without what only looks like a count: "第27位" is a place in a ranking (it answers
    "排第几", not "是多少"), "2020年" a year (it answers "哪年")."""
    if not getattr(asked, "unit", "").startswith("rank"):
        clause = _ORDINAL.sub(" ", clause)
    if "date" not in kinds:
        clause = re.sub(r"(?<!\d)(?:19|20)\d{2}\s*年", " ", clause)
    if getattr(asked, "percent", False):
        clause = clause.replace("全覆盖", " ")
    if getattr(asked, "unit", "") != "岁":   # "3岁以下婴幼儿" names who, it counts nothing ("托位一共多少个")
        clause = re.sub(r"\d+\s*(?:[-—–~～至到]\s*\d+\s*)?周?岁(?:以下|以上|以内|及以上)?", " ", clause)
    return clause


_ORDINAL = re.compile(rf"第\s*(?:\d+|[{qtypes._CN_NUM}]+)\s*[\u4e00-\u9fff]")
_LEVEL = re.compile(r"(国家|省|市|县|乡|村)级")


def level_conflict(asked, clause: str) -> bool:
    """The question names an administrative level (国家级, 省级, 县级…) and the figure's clause names only others."""
    asked_levels = getattr(asked, "levels", frozenset())
    if not asked_levels:
        return False
    levels = set(_LEVEL.findall(clause))
    return bool(levels) and not (levels & asked_levels)


def new_place(sentence: str, question: str, asked, weights=None, heads=frozenset()) -> bool:
    """The sentence names a place the question does not already name (a city for "哪个市", a county for
    "哪些县", 省级 for "哪一级"), in a clause that (with the next one) is about what the question asks."""
    q = normalize(question)
    level = "县" if re.search(r"哪(?:个|些|几个)县", q) else ""
    tier = bool(re.search(r"哪一?级|什么级别|哪个层级", q))  # "在哪一级统筹": 省级/市级… answers
    counties_full, counties_short = qtypes.shanxi_counties()
    clauses = [x for x in _CLAUSE.split(sentence) if x.strip()]
    for i, clause in enumerate(clauses):
        if tier:
            names = set(re.findall(r"[省市县乡镇村]级", clause))
        elif getattr(asked, "admin_place", False):
            names = {m.group(0) for m in _ADMIN_PLACE.finditer(clause)} | qtypes.shanxi_places_in(clause)
            if level:
                names = {n for n in names if n.endswith("县") or n in counties_full or n in counties_short}
        else:
            names = {m.group(0)[-6:] for m in _PLACE_WORDS.finditer(clause)}
        if not any(n not in q and (tier or not _GENERIC_PLACE.match(n)) for n in names):
            continue
        # the clause with the next one ("依托美术馆、…等场所，构建15分钟文化服务圈")
        around = "".join(clauses[i:i + 2])
        if weights is None or covered_share(weights, text_tokens(around) | heads) >= CLAUSE_MIN_COVERAGE:
            return True
    return False


_ASKS_BODY = re.compile(r"哪个部门|哪些部门|什么部门|啥部门|哪个单位|什么单位|谁管|谁负责|归谁管|谁牵头|哪个机构|哪家单位|主管")
_BODY = re.compile(r"部门|厅|局|委员会|委|办公室|政府|机构|协会|组织|单位|企业|社会力量|工会|妇联|团委|残联|红十字会|牵头|负责")
APPLY_MIN_COVERAGE = 0.5  # a how-to-apply question: most of its topic must be in the sentence, not one word of it
_EXISTENCE = re.compile(r"有没有|有吗|有么|有不|是不是|算不算|包不包括|在不在|包括[^，。？?]{0,8}(?:吗|么|不)|"
                        r"(?:列|算|选|评)(?:进|入|上)?[^，。？?]{0,4}(?:了没|了吗|没有)")


def existence_asked(question: str) -> bool:
    """"我们临猗县有没有全域旅游示范区": whether a named place is among those the plan names."""
    return bool(_EXISTENCE.search(question))


def place_named(place: str, text: str) -> bool:
    short = re.sub(r"(?:市|县|区)$", "", place)
    return place in text or (len(short) >= 2 and short in text)


_DISTRIBUTIVE = {"各", "每", "全", "本", "该", "这", "那", "咱", "我"}  # "各市县" is every 市县, not another kind


def other_kind_of(weights: dict[str, float], tokens, text: str = "") -> bool:
    """A qualified topic word ("常住人口") is missing while its bare head ("人口") is there: the sentence
    speaks of another kind of the thing ("贫困人口"), whose figure does not answer. `text` (an indicator's
    short name) is searched too, as its qualified word may not be a token of its own ("体育人口占比")."""
    for t in weights:
        if len(t) < 3 or covered_share({t: 1.0}, tokens):
            continue
        for u in weights:
            if u == t or len(u) < 2 or not t.endswith(u) or u not in tokens:
                continue
            modifier = t[:-len(u)]
            if any(v != u and v.endswith(u) and modifier not in v and not any(ch in v for ch in modifier)
                   for v in tokens):
                return True
            if text and modifier not in _DISTRIBUTIVE and any(not any(ch in m.group(1) for ch in modifier)
                            for m in re.finditer(rf"([\u4e00-\u9fff]{{2}}){re.escape(u)}", text)):
                return True
    return False


_MEMBER = re.compile(r"([\u4e00-\u9fffA-Za-z0-9]{1,12}?)(?:还)?算不算([\u4e00-\u9fffA-Za-z0-9]{0,12})")


def names_member(question: str, text: str) -> bool:
    """For "X算不算Y", the sentence names both the thing and the kind ("广场舞…全民健身"), or the thing alone
    when the kind is left to the question before ("六助是哪六个 助餐算不算"). Other questions pass."""
    m = _MEMBER.search(question)
    if not m:
        return True
    parts = [p for p in (m.group(1), m.group(2)) if p and tokenize(p)]
    return all(any(t in text for t in tokenize(p)) for p in parts)


def text_candidates(question: str, asked, weights, hits, chunks, idf) -> list[Candidate]:
    """Sentences that state what is asked, scored by topic coverage (with the passage's headings) and rank."""
    q_tokens = tokenize(question)
    extra = [t for e in get_synonyms().expand(question) for t in tokenize(e)]
    w_all = {t: (idf(t) or 1.0) for t in q_tokens}
    for t in extra:
        w_all.setdefault(t, 0.5 * (idf(t) or 1.0))
    total = sum(w_all.values()) or 1.0
    best = hits[0].score if hits else 1.0
    out = []
    for rank, h in enumerate(hits[:6]):
        c = chunks[h.idx]
        if c.get("kind") != "text":
            continue
        rel = h.score / best if best > 0 else 0.0
        heads = _heading_tokens(c)
        for pos, sent in enumerate(split_sentences(c["text"])):
            s = sent.strip()
            if len(s) < 6 or (c.get("lead") and s.strip("—-－ 。") == c["lead"].strip("—-－ 。")):
                continue  # an item's lead sentence is its heading: context, never the answer alone
            if asked.figure and not qtypes.states(s, asked):
                continue
            if asked.year_value and asked.year_value not in s.replace(" ", "") and \
                    not (asked.year_value == "2020" and ("十三五" in s or is_past_context(s, c))):
                continue
            if asked.shape == "where" and not new_place(s, question, asked, weights, heads):
                continue
            if asked.shape == "where" and _ASKS_ADDRESS.search(question) and not _ADDRESS.search(s):
                continue  # "在哪条街上": only a street address answers, not the name of the place
            if asked.figure and not figure_fits(s, c, asked, weights):
                continue
            if asked.shape == "apply" and not _APPLY_WORDS.search(s):
                continue
            if asked.shape == "contact" and not _PHONE.search(s):
                continue
            if asked.shape == "eligibility" and _ASKS_CONDITIONS.search(question) and not _ELIG_WORDS.search(s):
                continue  # "光荣院入住要啥条件" needs a sentence that sets conditions; "广场舞算不算全民健身" does not
            if asked.shape == "eligibility" and not names_member(question, s + " " + c.get("section", "")):
                continue  # "山西大学算不算双一流": a sentence on 山西大学 that never says 双一流 does not answer
            toks = text_tokens(s)
            cov = covered_share(weights, toks | heads)
            if cov < SENT_MIN_COVERAGE and (asked.figure or asked.shape in ("where", "apply", "contact",
                                                                              "eligibility")) or \
                    cov < TEXT_MIN_COVERAGE:
                continue  # a figure or place about another topic must never answer
            if asked.shape == "who" and _ASKS_BODY.search(question) and not _BODY.search(s):
                continue  # "时间银行是哪个部门管": a sentence naming no department does not say
            if asked.shape == "apply" and cov < APPLY_MIN_COVERAGE or \
                    asked.shape == "who" and _ASKS_BODY.search(question) and cov < SENT_MIN_COVERAGE:
                continue  # "异地就医备案咋办理" is not answered by 易地搬迁's 便民业务办理
            if asked.figure and other_kind_of(weights, toks | heads):
                continue  # "常住人口有多少" is not answered by "329万贫困人口"
            if _ASKS_BENEFIT.search(question) and (not _BENEFIT_WORDS.search(s) or cov < BENEFIT_MIN_COVERAGE):
                continue  # "充电桩进小区有补贴吗": a sentence naming the thing and no subsidy for it does not say
            if _WHICH_OF_N.search(question) and s.count("、") < 2:
                continue  # "50个县级医院项目都是哪些医院": the plan's count is not the list of them
            if asked.place and existence_asked(question) and not place_named(asked.place, s + c.get("section", "")):
                continue  # "临猗县有没有示范区": a list naming other counties does not say
            overlap = (sum(w for t, w in w_all.items() if t in toks) +
                       0.5 * sum(w for t, w in w_all.items() if t in heads and t not in toks)) / total
            score = rel * (0.35 + overlap) * (0.6 + 0.4 * cov)
            if asked.year == "target" and re.search(r"20[2-3]\d年|十四五|力争|目标|达到|提高到|以上|以内", s):
                score *= 1.15
            if asked.year == "baseline" and re.search(r"十三五|2020|累计|已|实现|取得", s):
                score *= 1.15
            if asked.shape == "list":  # a list is answered by the sentence that enumerates
                score *= 1.0 + 0.08 * min(4, s.count("、") + len(re.findall(r"[一二三四五]是", s)))
            if asked.shape == "definition" and pos == 1 and c.get("lead") and \
                    covered_share(weights, text_tokens(c["lead"])) >= 0.5:
                score *= 1.3  # "X是什么": the sentence that follows the item named X explains it
            if asked.figure and len(asked.kinds) > 1 and asked.figure in qtypes.sentence_kinds(s):
                score *= 1.2  # the first-named kind ("多少" → a count) before the alternative
            out.append(Candidate("text", score, c, sentences=[(pos, s)]))
    return out


ITEM_NAMED_COVERAGE = 0.75  # share of the question's topic words a 专栏 item's own name must carry


def expand_text(cand: Candidate, question: str, asked, idf) -> Candidate:
    """More sentences of the same passage when they answer too (a list, a 专栏 item's own figures)."""
    c = cand.chunk
    sents = [s.strip() for s in split_sentences(c["text"])]
    top_pos, top_sent = cand.sentences[0]
    chosen = [(top_pos, top_sent)]
    q_tokens = set(tokenize(question))
    want_more = asked.shape == "list" or c.get("box")
    if want_more:
        top_ov = len(q_tokens & text_tokens(top_sent)) or 1
        top_lists = bool(_enumeration_spans(top_sent))
        for pos, s in enumerate(sents):
            if pos == top_pos or len(chosen) >= MAX_ANSWER_SENTENCES or len(s) < 6:
                continue
            if asked.figure and not qtypes.states(s, asked):
                continue
            ov = len(q_tokens & text_tokens(s))
            near = abs(pos - top_pos) == 1
            # "有哪些扶持政策": the sentence that names the category rarely lists it; the one enumerating it does
            enumerates = asked.shape == "list" and not top_lists and ov >= 1 and bool(_enumeration_spans(s))
            if (ov >= max(1, 0.75 * top_ov) or (c.get("box") and near and asked.figure) or enumerates) and \
                    sum(len(x) for _, x in chosen) + len(s) <= MAX_ANSWER_CHARS:
                chosen.append((pos, s))
    lead = c.get("lead")
    if asked.shape == "definition" and c.get("box") and lead and sents and sents[0].startswith(lead) and \
            covered_share(topic_weights(question, idf), text_tokens(lead)) >= ITEM_NAMED_COVERAGE:
        # "劳动力建档立卡是干啥的": the 专栏 item the question names, whole when it is short, says what it is for
        whole = [(p, s) for p, s in enumerate(sents)][:MAX_ANSWER_SENTENCES]
        if sum(len(s) for _, s in whole) <= MAX_ANSWER_CHARS and any(p == top_pos for p, _ in whole):
            chosen = whole
    if lead and top_pos == 1 and sents and sents[0].startswith(lead) and all(p != 0 for p, _ in chosen):
        chosen.append((0, sents[0]))  # the item's lead sentence right before the answer gives its topic
    chosen.sort()
    return Candidate("text", cand.score, c, sentences=chosen)


def span_citation(chunk: dict, sentences: list) -> dict:
    """One verbatim quote per document and section: the source from the first chosen sentence to the last."""
    sents = [s.strip() for s in split_sentences(chunk["text"])]
    lo, hi = min(p for p, _ in sentences), max(p for p, _ in sentences)
    quote = "".join(sents[lo:hi + 1])
    if len(quote) > MAX_SPAN_CHARS:
        quote = "".join(s for _, s in sentences) if len(sentences) == 1 else sentences[0][1]
    return {"doc_id": chunk["doc_id"], "section": chunk["section"] or chunk.get("doc_title", ""), "quote": quote}


def rows_answer(asked, rows: list[dict], level_asked: str) -> str:
    """2025 target (or the 2020 baseline when that is asked) of one row, or of its 市级 and 县级 rows."""
    rows = sorted(rows, key=lambda c: (c["indicator"].get("level") != level_asked, c["indicator"].get("level", "")))
    if len(rows) == 1:
        row = rows[0]["indicator"]
        if asked.year == "baseline":
            return baseline_answer(row)
        return indicator_answer(row)
    parts = [indicator_answer(c["indicator"]) for c in rows]
    if asked.year == "baseline":
        parts = [baseline_answer(c["indicator"]) for c in rows]
    return "；".join(parts)


def attribute_answer(rows: list[dict], level_asked: str) -> str:
    """'养老机构护理型床位占比是约束性指标。': what "约束性还是预期性" asks, without the row's figures."""
    rows = sorted(rows, key=lambda c: (c["indicator"].get("level") != level_asked, c["indicator"].get("level", "")))
    parts = []
    for c in rows:
        row = c["indicator"]
        if row.get("attribute"):
            parts.append(f"{row_label(row)}是{row['attribute']}指标")
    return "；".join(parts) + "。" if parts else ""


def row_value_year_answer(question: str, asked, hits, chunks):
    """(answer, citations, passage, kind, superseded) for "表上那个77.3是哪年的数": a value the question quotes
    from an indicator row, asked which year it is; the row's column (and the table's note) says so."""
    if asked.figure != "date":
        return None
    quoted = set(re.findall(r"\d+(?:\.\d+)?", re.sub(r"20\d\d年", " ", normalize(question))))
    if not quoted:
        return None
    for h in hits[:5]:
        c = chunks[h.idx]
        row = c.get("indicator")
        if c.get("kind") != "indicator" or not row:
            continue
        name = row_label(row)
        base = row.get("value_2020", "")
        if base.rstrip("*") in quoted:
            if base.endswith("*") and any("2018" in n for n in row.get("notes", [])):
                text = f"规划主要指标表中{name}的{base.rstrip('*')}是2018年的数据（列在2020年一栏，表注：“*为2018年数据”）。"
            else:
                text = f"规划主要指标表中{name}的{base}是2020年的数值。"
            return text, [rows_citation([c])], c, "text", []
        target = re.sub(r"[^\d.]", "", row.get("target_2025", ""))
        if target in quoted:
            return f"规划主要指标表中{name}的{target}是2025年的目标值。", [rows_citation([c])], c, "text", []
    return None


def baseline_answer(row: dict) -> str:
    """'2020年：困难残疾人…覆盖率90%（2025年目标为100%，约束性指标）'.

    A value the table's note dates to 2018 stays in the 2020 column it is printed in, with the note beside it
    ("2020年：人均预期寿命77.3岁（2018年数据；…）"): the baseline asked is the table's 2020 column."""
    name = row_label(row)
    base = format_value(row["value_2020"], row.get("unit", ""))
    note = "2018年数据；" if row["value_2020"].endswith("*") and any("2018" in n for n in row.get("notes", [])) else ""
    paren = [f"2025年目标为{format_value(row['target_2025'], row.get('unit', ''))}"]
    if row.get("attribute"):
        paren.append(f"{row['attribute']}指标")
    return f"2020年：{name}{base}（{note}" + "，".join(paren) + "）"


def rows_citation(rows: list[dict]) -> dict:
    """The rows' own lines of the table (never its header), with the table's note when a value needs it."""
    last = max(rows, key=lambda c: len(c["indicator"].get("quote", "")))
    row = last["indicator"]
    quote = row.get("quote") or last["text"]
    if row.get("header"):  # the header says which column is 2020 and which 2025: quoted with its row
        quote = row["header"] + "\n" + quote
    if any(c["indicator"].get("note_line") and c["indicator"].get("value_2020", "").endswith("*") for c in rows):
        quote += "\n" + row.get("note_line", "") if row.get("note_line") else ""
    return {"doc_id": last["doc_id"], "section": last["section"], "quote": quote}


def not_found_message(asked) -> str:
    """Honest and specific: what the sources do not state, and why a near figure is not given instead."""
    what = NOT_FOUND_WHAT.get(getattr(asked, "figure", "") or getattr(asked, "shape", ""), "") if asked else ""
    place = getattr(asked, "place", "") if asked else ""
    if what and place == "全国":
        return (f"抱歉，已收录的是山西省的政策文件，没有写明全国的{what}，不能用山西的数字代替。"
                "建议查阅国家有关部门发布的信息，或拨打12345政务服务便民热线咨询。")
    if what and place and getattr(asked, "figure", "") in ("amount", "rate", "count", "area"):
        return (f"抱歉，已收录的规划写的是全省的目标和数字，没有写明{place}的{what}，不能用全省的数字代替。"
                f"建议拨打12345政务服务便民热线，或咨询{place}当地有关部门。")
    if what and getattr(asked, "current", False) and getattr(asked, "figure", "") in ("amount", "rate", "count", "area"):
        return (f"抱歉，已收录的规划写的是“十三五”末的基数和“十四五”的目标，没有写明最近的实际{what}。"
                "建议拨打12345政务服务便民热线咨询最新情况。")
    if what:
        return f"抱歉，已收录的政策文件中没有写明{what}，我不想给您不准确的说法。建议拨打12345政务服务便民热线咨询。"
    return "抱歉，已收录的政策文件中没有找到能回答这个问题的内容。建议拨打12345政务服务便民热线咨询。"


def _doc_date(docs: dict, doc_id: str) -> str:
    d = docs.get(doc_id) or {}
    return d.get("effective_date") or d.get("date") or ""


def _notice_for(asked, hits, chunks) -> dict | None:
    """The 发文通知 block of the document the question is about (the best-ranked one), for a question about
    the document itself; found among all passages, since a notice rarely shares words with the question."""
    if asked.shape != "document":
        return None
    for h in hits[:5]:
        if chunks[h.idx].get("kind") == "notice":
            return chunks[h.idx]
    doc_ids = [chunks[h.idx]["doc_id"] for h in hits[:3]]
    for doc_id in dict.fromkeys(doc_ids):
        for c in chunks:
            if c["doc_id"] == doc_id and c.get("kind") == "notice":
                return c
    return None


def choose(question: str, asked, hits, chunks, idf, rows_by_number: dict, docs: dict):
    """(answer text, citations, passage used, kind, superseded citations) or None when nothing answers."""
    if asked.shape in ("status", "local", "permission"):
        return None               # how it turned out: a plan states intentions, the passage is only related
    notice = _notice_for(asked, hits, chunks)
    if notice is not None:
        closing = tuple(c for c in chunks if c["doc_id"] == notice["doc_id"] and c.get("kind") == "notice"
                        and c is not notice)
        text, cites = notice_part(question, notice, closing) or notice_answer(notice)
        return text, cites, notice, "text", []
    weights = topic_weights(question, idf)
    listed = section_list(asked, weights, hits, chunks)
    if listed is not None:
        return listed
    if asked.attribute and _ASKS_WHICH_ROWS.search(question):
        return rows_with_attribute(question, rows_by_number)  # "哪些是约束性的": the table's rows of that kind
    level = "县级" if "县" in question else ("市级" if re.search(r"市级|地级", question) else "")
    cands: list[Candidate] = []
    if asked.wants_indicator or asked.year in ("target", "baseline"):
        by_number = {}
        for (doc_id, number), cs in rows_by_number.items():
            by_number.setdefault(number, cs)
        cands += row_candidates(question, asked, weights, hits, chunks,
                                {n: rows_by_number.get((chunks[h.idx]["doc_id"], n), []) or cs
                                 for n, cs in by_number.items() for h in hits[:1]}, idf)
    if not asked.attribute:  # 约束性/预期性 is a property of an indicator row, which no sentence states
        cands += text_candidates(question, asked, weights, hits, chunks, idf)
    if not cands:
        return enumeration_answer(question, asked, hits, chunks, idf)
    cands.sort(key=lambda c: -c.score)
    best = cands[0]
    # A newer document in effect, with a close candidate of the asked kind, answers instead.
    top_score = best.score
    close = [c for c in cands if c.score >= SUPERSEDE_RATIO * top_score]
    best = max(close, key=lambda c: (_doc_date(docs, c.chunk["doc_id"]), c.score))
    superseded = []
    older = next((c for c in close if c.chunk["doc_id"] != best.chunk["doc_id"] and
                  _doc_date(docs, c.chunk["doc_id"]) < _doc_date(docs, best.chunk["doc_id"])), None)
    if older is not None:  # what the newer document replaces, cited as such
        superseded.append(span_citation(older.chunk, older.sentences) if older.kind == "text"
                          else rows_citation(older.rows))
    if best.kind == "row":
        text = attribute_answer(best.rows, level) if asked.attribute else rows_answer(asked, best.rows, level)
        return text, [rows_citation(best.rows)], best.chunk, "indicator", superseded
    best = expand_text(best, question, asked, idf)
    text = "".join(s for _, s in best.sentences)
    return text, [span_citation(best.chunk, best.sentences)], best.chunk, "text", superseded


_ASKS_SUBSIDY = re.compile(r"(?:啥|什么|甚|哪些|哪种|哪几种|有没有|有无)(?:样的)?(?:补贴|补助|津贴|补钱)|(?:补贴|补助)(?:有|是)(?:啥|什么|甚|哪些)")
_SUBSIDY_SAID = re.compile(r"补贴|补助|津贴|资助|救助|补偿|奖励|奖补|减免|免费|代缴")


def answers_what_is_named(question: str, text: str) -> bool:
    """A passage answers "有啥补贴" only when it speaks of a subsidy, and "是不是三甲" only when it says 三甲:
    a passage about the group or the hospital that says neither is related, not the answer."""
    q = normalize(question)
    if _ASKS_SUBSIDY.search(q) and not _SUBSIDY_SAID.search(text):
        return False
    if _grade_missing(q, text):
        return False   # "山西大医院是不是三甲": a hospital's grade, which the plan never gives
    if _EVERY_ONE.search(q):
        asked, said = _levels(q), _levels(text)
        if asked and said and not asked & said:
            return False   # "每个县都要建…吗" answered by "各市均建有": another level's rule
    return True


_EVERY_ONE = re.compile(r"每个?|各个?|都要|都得|也要|也得|都有|都能|都开|都建|都配|都设|[吗么][？?]?$|[不没][？?]?$")
_LEVEL_WORDS = (("town", re.compile(r"乡镇|乡里|镇上|镇里|每个?[乡镇]|[乡镇](?:卫生院|政府)|街道")),
                ("village", re.compile(r"村|社区")),
                ("county", re.compile(r"县")),
                ("city", re.compile(r"(?<!城)市(?!场)|城市")))


def _levels(text: str) -> set[str]:
    """The administrative levels a text names (乡镇, 村/社区, 县, 市), for "每个X都要…吗" questions."""
    return {name for name, pattern in _LEVEL_WORDS if pattern.search(text)}


_ASKS_WHICH_ROWS = re.compile(r"哪些|哪几|都有啥|都有什么|有几个|有几项|多少项|多少个")


def rows_with_attribute(question: str, rows_by_number: dict):
    """"指标表里哪些是约束性的": every row of that attribute, named, with the table lines that say so."""
    wanted = "预期性" if re.search(r"预期性|软", question) else "约束性"
    picked = [cs for _, cs in sorted(rows_by_number.items(), key=lambda kv: (kv[0][0], _row_order(kv[0][1])))
              if cs and cs[0]["indicator"].get("attribute") == wanted]
    if not picked:
        return None
    names = [cs[0]["indicator"]["name"] for cs in picked]
    text = f"规划主要指标中，{wanted}指标是：" + "、".join(names) + "。"
    lines = [c["indicator"].get("quote") or c["text"] for cs in picked for c in cs]
    first = picked[0][0]
    cite = {"doc_id": first["doc_id"], "section": first["section"], "quote": "\n".join(dict.fromkeys(lines))}
    return text, [cite], first, "indicator", []


# "主要发展指标一共列了多少项", "指标表分了哪几个领域": the table as a whole, which no single row answers.
_TABLE = r"(?:(?:主要)?(?:发展)?指标(?:表)?|指标表)"
_TABLE_COUNT = re.compile(_TABLE + r"(?:里头?|中|上|一共|总共|共|合计|都|总的|列了|列出了?|有|包括|包含|\s)*(?:多少|几)(?:项|个|条)(?:指标)?"
                          r"(?:[吗呢啊呀？?。\s]|$)")
_TABLE_DOMAINS = re.compile(_TABLE + r"[^，。？?]{0,6}(?:分|分成|分为|分了|按|包括|涉及|有)[^，。？?]{0,3}(?:哪几|哪些|几)个?大?(?:领域|方面|类|块|部分)")


def table_overview(question: str, rows_by_number: dict):
    """The indicator table's size or its 领域, counted from its own numbered rows (one document's table)."""
    q = normalize(question)
    count, domains = _TABLE_COUNT.search(q), _TABLE_DOMAINS.search(q)
    if not (count or domains) or re.search(r"约束性|预期性|硬|软", q):
        return None
    by_doc: dict[str, dict] = {}
    for (doc_id, number), cs in rows_by_number.items():
        if cs:
            by_doc.setdefault(doc_id, {})[number] = cs
    if not by_doc:
        return None
    doc_id, rows = max(by_doc.items(), key=lambda kv: len(kv[1]))
    ordered = [rows[n] for n in sorted(rows, key=_row_order)]
    names = list(dict.fromkeys(cs[0]["indicator"].get("domain", "") for cs in ordered if cs[0]["indicator"].get("domain")))
    first, last = ordered[0][0], ordered[-1][0]
    lines = [first["indicator"].get("quote") or first["text"], last["indicator"].get("quote") or last["text"]]
    if domains and names:
        text = f"规划的主要发展指标分为{'、'.join(names)}等领域。"
        first_of = {}   # each 领域's first row, quoted for its name
        for cs in ordered:
            first_of.setdefault(cs[0]["indicator"].get("domain"), cs[0])
        lines = [c["indicator"].get("quote") or c["text"] for d, c in first_of.items() if d in names]
    else:
        text = f"规划的主要发展指标表共列出{len(ordered)}项指标（编号1—{len(ordered)}）。"
    cite = {"doc_id": doc_id, "section": first["section"], "quote": "\n".join(dict.fromkeys(lines))}
    return text, [cite], first, "indicator", []


def _row_order(number) -> tuple:
    return (0, int(number)) if str(number).isdigit() else (1, str(number))


def section_list(asked, weights, hits, chunks):
    """"规划的基本原则有哪些": the lead sentences of the items of the section the question names."""
    if asked.shape != "list":
        return None
    top = next((chunks[h.idx] for h in hits[:3] if chunks[h.idx].get("kind") == "text"), None)
    if top is None or not top.get("section"):
        return None
    leaf = top["section"].split(" > ")[-1]
    if covered_share(weights, text_tokens(leaf)) < 0.6:
        return None
    items, seen = [], set()
    for c in chunks:
        if c["doc_id"] == top["doc_id"] and c["section"] == top["section"] and c.get("kind") == "text" \
                and c.get("lead") and not c.get("box") and c["lead"] not in seen:
            seen.add(c["lead"])
            items.append(c)
    if len(items) < 3:
        return None
    leads = [c["lead"] for c in items[:8]]
    text = "；".join(leads) + "。"
    cite = {"doc_id": top["doc_id"], "section": top["section"], "quote": "\n".join(f"{x}。" for x in leads)}
    return text, [cite], top, "text", []


# "有哪几种/哪些X": the items asked for. A sentence that enumerates them ("太行精神、吕梁精神、右玉精神等革命精神",
# "人民调解、行政调解、司法调解…联动") answers even when the question shares few words with its passage.
_ASKS_ITEMS = re.compile(r"哪几[种类个项样条方]|哪些|几[种类项样]|都有啥|都有什么|有啥|有什么|包括啥|包括什么|分几")
_ENUM_SEP = re.compile(r"[、，,和及与]")
ENUM_MIN_COVERAGE = 0.75  # share of the question's topic words the enumerating sentence must carry
ENUM_NEAR = 6            # a topic word this close to (or inside) the enumeration names what is enumerated
ENUM_HEAD = 12           # characters after the items that may name them ("等多元化评价方式")
ENUM_CONFIDENCE_FLOOR = 0.15  # below it the passages are about something else altogether


def _enumeration_spans(sentence: str) -> list[tuple[int, int]]:
    """Start and end of each run of ≥ 3 short 、-separated items in a sentence."""
    return [(m.start(), m.end()) for m in
            re.finditer(r"(?:[^、，。；：,;:]{1,16}、){2,}[^、，。；：,;:]{1,16}", sentence)]


def _enumeration_head(sentence: str, start: int, end: int) -> str:
    """What the items at sentence[start:end] are: "…考核等多元化评价方式" → "等多元化评价方式"."""
    last = sentence[start:end].rsplit("、", 1)[-1]
    return last[last.rfind("等"):] if "等" in last else sentence[end:end + ENUM_HEAD]


def enumeration_answer(question: str, asked, hits, chunks, idf):
    """(answer, citations, passage, kind, superseded) for "哪几种X" from a sentence enumerating X, or None."""
    if asked.shape != "list" or not (_ASKS_ITEMS.search(question) or asked.kinds_counted):
        return None
    weights = topic_weights(question, idf)
    if not weights:
        return None
    best = None
    for rank, h in enumerate(hits[:5]):
        c = chunks[h.idx]
        if c.get("kind") != "text":
            continue
        heads = _heading_tokens(c)
        for pos, sent in enumerate(split_sentences(c["text"])):
            s = sent.strip()
            spans = _enumeration_spans(s)
            if not spans:
                continue
            cov = covered_share(weights, text_tokens(s) | heads)
            own = covered_share(weights, text_tokens(s))
            if cov < ENUM_MIN_COVERAGE or own < 0.5:
                continue
            if not any(t in s[max(0, a - ENUM_NEAR):b + ENUM_NEAR] for a, b in spans for t in weights if len(t) >= 2):
                continue  # the enumeration is of something else in the same sentence
            # "A、B、C等多元化评价方式": the words right after the items name what they are; a sentence whose
            # items are followed by the asked topic beats one that merely mentions it
            head = max(covered_share(weights, text_tokens(_enumeration_head(s, a, b))) for a, b in spans)
            key = (round(cov, 2), round(head, 2), -rank)
            if best is None or key > best[0]:
                best = (key, c, pos, s)
    if best is None:
        return None
    _, c, pos, s = best
    return s, [span_citation(c, [(pos, s)])], c, "text", []


# "电子培训券是个甚东西", "听说规划里提了个X 是真有这个说法不": a term the plan itself puts in quotes answers by the
# sentence that names it, even when the rest of the question shares few words with its passage.
_ASKS_TERM = re.compile(r"是什么|是啥|是个啥|是甚|是个甚|什么意思|啥意思|甚意思|指什么|指的是|什么东西|啥东西|甚东西|"
                        r"有这个说法|有这说法|是真的|真有|提没提|有没有提|提到|提了|说没说|说过")
_QUOTED = re.compile(r"“([^”]{2,12})”")


# "几位一体", "几加一", "几加几": a set phrase with its number asked; the sentence holding the phrase with a number
# there ("六位一体", "8+1", "1+30") answers it. (A ratio, "几比一", is an indicator's business: it has a year.)
_TEMPLATE = re.compile(r"几(位一体|加[一几])")
_PLUS_WHAT = re.compile(r"(?<![\d.])(\d+)\s*(?:加|[+＋])\s*(?:几|多少|啥|什么|甚|[Xx](?=[”\"？?]|$))")
_NUMBER_WORD = rf"(?:\d+(?:\.\d+)?|[{qtypes._CN_NUM}]+)"


def template_answer(question: str, hits, chunks):
    """(answer, citations, passage, kind, superseded) for a set phrase asked with 几 ("几位一体"), or None."""
    q = normalize(question)
    m = _TEMPLATE.search(q)
    plus = _PLUS_WHAT.search(q)
    if not m and not plus:
        return None
    if plus:    # "1加几", "1加多少": the named "1+X", "1+30"
        pattern = re.compile(rf"(?<![\d.]){plus.group(1)}\s*[+＋]\s*(?:\d+|[A-Za-z])(?![\d.])")
    else:
        tail = re.escape(m.group(1))
        tail = tail.replace("加一", "(?:加|\\+)(?:一|1)").replace("加几", f"(?:加|\\+){_NUMBER_WORD}")
        pattern = re.compile(_NUMBER_WORD + r"\s*" + tail)
    for h in hits:
        c = chunks[h.idx]
        if c.get("kind") != "text":
            continue
        for pos, sent in enumerate(split_sentences(c["text"])):
            s = sent.strip()
            if pattern.search(normalize(s)):
                return s, [span_citation(c, [(pos, s)])], c, "text", []
    return None


# "“六新”是哪六新", "“两工程一机制”具体是哪两个工程": what a quoted term is made of.
_ASKS_CONTENTS = re.compile(r"是指?哪(些|几|[一二三四五六七八九十两\d]+)|具体(是|指|包括|内容)|包括(啥|哪些|什么|甚)|都有(啥|哪些|什么)|"
                            r"都是(啥|哪些|什么|甚)|具体[\u4e00-\u9fff](啥|甚|什么|哪些)|"
                            r"是啥内容|啥内容|什么内容|甚内容|哪(几|[一二三四五六七八九十两]|\d+)(个|项|类|种|条|大|家)|"
                            r"哪[二三四五六七八九十两\d](?![个项类种条大家样片块位])[\u4e00-\u9fff]")   # "改哪五水", "破哪三门"
# What a numbered slogan means ("两工程一机制是啥", "1331工程到底是个甚", "8+1 8是啥1是啥"): its parts are
# what is asked, so a sentence that only names it does not answer.
_ASKS_MEANING = re.compile(r"(?:是|指)(?:的是)?(?:个)?(?:啥|甚|什么)(?:意思|东西)?(?:呀|啊|嘛|呢)?[？?]?$|(?:啥|甚|什么)意思|"
                           r"指的?(?:是)?(?:啥|甚|什么)|(?:咋|怎么)回事|[\d一二三四五六七八九十]是(?:啥|甚|什么)|"
                           r"代表(?:啥|甚|什么)|[\u4e00-\u9fff](?:啥|甚|什么)[\u4e00-\u9fff](?:啥|甚|什么)|"
                           r"是(?:干|做|弄)(?:啥|甚|什么)(?:的|用)|(?:干|做)(?:啥|甚|什么)用|"
                           r"是(?![说讲指干做弄叫])[\u4e00-\u9fff](?:啥|甚|什么)[？?]?$")   # "两下两进两拆是拆啥"
_NUMBERED = re.compile(r"[\d一二三四五六七八九十两]")
_LISTS_RIGHT_AFTER = re.compile(r"^[”\s]*(?:[：:（(]|即|包括|分别|是指)")


# How a kind of person or household is recognised ("零就业家庭是咋认定的"): the sentence that names it without a
# condition ("确保零就业家庭至少一人就业") does not answer.
_ASKS_CRITERIA = re.compile(r"认定(的)?(标准|条件|办法|依据)|(咋|怎么|如何|怎样)(个)?(认定|界定)|(咋|怎么)(才)?算(是)?[\u4e00-\u9fff]{0,8}(的|呢|啊)?[？?]?$|"
                            r"(什么|啥|甚)样的?(才)?算|(咋|怎么)样?才(算|能算|叫)")
_STATES_CRITERIA = re.compile(r"认定|界定|条件|是指|指的是|低于|高于|不超过|不低于|以下|以上|符合|满足|达到")


# "国家级城市医联体建设试点是哪个城市": one place asked; a sentence naming no city or county does not answer.
_ASKS_ONE_PLACE = re.compile(r"(?:是|在|选在|定在|落在|放在)(?:咱省|山西)?哪(?:个|座)(?:城市|市|县|区|地方)|哪(?:个|座)城市(?!群)")


def place_missing(question: str, answer: str) -> bool:
    """The question asks which city or county, and the answer names none of Shanxi's (the gazetteer's)."""
    if not _ASKS_ONE_PLACE.search(question):
        return False
    from bot.service_points.gazetteer import find_places

    return not find_places(answer)


# "有没有孝义", "有静乐的没", "里头有岢岚县医院吗", "太钢在不在里面": whether one named thing is among those the
# plan counts or lists. Only a sentence naming that thing can say so.
_ASKS_MEMBER = re.compile(r"有没有([\u4e00-\u9fffA-Za-z0-9]{2,10})|"
                          r"有([\u4e00-\u9fffA-Za-z0-9]{2,10}?)的?(?:吗|么|没有|没|不)(?=[？?，。！!\s]|$)|"
                          r"([\u4e00-\u9fffA-Za-z0-9]{2,10}?)(?:在不在|算不算|包不包括|是不是在|在没在)")


def member_missing(question: str, answer: str) -> str:
    """The Shanxi place a membership question asks about ("名单里有没有孝义", "临猗县有没有示范区") when the
    answer does not name it; '' when none is asked, or the answer names it. (Colloquial names of other things
    are too often the sources' things in other words to be judged so.)"""
    q = normalize(question)
    for m in _ASKS_MEMBER.finditer(q):
        subject = next(g for g in m.groups() if g)
        # the place asked about is in the thing asked ("有没有孝义") or names who has it, right before the
        # question word in its clause ("临猗县有没有示范区"); "俺在榆次 …有没有机器人课" only says where one lives
        before = re.split(r"[\s，,。？?！!；;]", q[:m.start()])[-1]
        for place in sorted(qtypes.named_places(subject + "|" + before[-5:]), key=len, reverse=True):
            if place in before and not re.search(re.escape(place) + r"(?:县|市|区|那边|这边|那里|这里|们|的)?$", before):
                continue   # "俺们榆次新小区有没有个标准": the place only says where
            if place in before and re.search(r"(?:是|在|住|到)[^|]{0,2}$", before[:before.rfind(place)]):
                continue
            if not place_named(place, answer):
                return place
    return ""


_LEVELED = re.compile(r"(国家级|国家|省级|市级|县级)([\u4e00-\u9fff]{2,8})")


def _level(word: str) -> str:
    return word[:-1] if word.endswith("级") and word != "国家级" else word.replace("国家级", "国家")


def level_swapped(question: str, answer: str) -> tuple[str, str] | None:
    """(the question's thing, the answer's thing) when the question names one level of it ("国家区域医疗中心")
    and the answer only another ("省级区域医疗中心"): a different thing, whose facts do not answer."""
    q = normalize(question)
    for m in _LEVELED.finditer(answer):
        lv, noun = _level(m.group(1)), m.group(2)
        head = noun[:4]
        for qm in re.finditer(r"(国家级|国家|省级|市级|县级)" + re.escape(head), q):
            qlv = _level(qm.group(1))
            if qlv == lv or qm.group(1) in answer or re.search(r"(?:不是|不要|除了|除去|而非|非)" + re.escape(qm.group(1)), q):
                continue
            if any(_level(o.group(1)) == qlv and o.group(2).startswith(head) for o in _LEVELED.finditer(answer)):
                continue   # the answer names the asked level's thing too
            k = len(head)
            while k < len(noun) and qm.end() - len(head) + k < len(q) and q[qm.end() - len(head) + k] == noun[k]:
                k += 1
            return qm.group(1) + noun[:k], m.group(1) + noun[:k]
    return None


# "36家三级医院里三甲的有几家": a part of what the plan counts, which its count of the whole does not give.
_SUBSET = re.compile(r"(?<![县市省乡村城说写讲提定])(?:里头|里面|当中|之中|其中|里)\s*(?:的)?([\u4e00-\u9fff]{2,4}?)"
                     r"(?:的(?:有|要有|能有|得有|占|是)?|(?:有|要有|能有|得有|占|是))(?:几|多少)")
_NOT_A_PART = re.compile(r"^(?:说|讲|写|提|定|要|有|是|头|面)")   # "规划里说的是几孩": what it says, no part


def subset_missing(question: str, answer: str) -> str:
    """The part asked of a counted whole ("三甲" of 三级医院) when the answer never names it; ''."""
    m = _SUBSET.search(normalize(question))
    if not m:
        return ""
    part = m.group(1)
    if _NOT_A_PART.match(part) or part in answer or any(t in answer for t in tokenize(part)) or \
            any(e in answer for e in get_synonyms().expand(part)) or re.search(r"[啥甚么哪谁]", part):
        return ""
    return part


def unstated_part(question: str, answer: str) -> str:
    """The honest message when the chosen sentence names what was asked but not the part asked for (a term's
    contents, how something is recognised, which place, whether one named thing is among those listed);
    '' when it answers."""
    member = member_missing(question, answer)
    if member:
        return (f"抱歉，规划提到了相关内容，但没有列出具体名单，也没有写明“{member}”是否在内，我不想给您不准确的说法。"
                "建议拨打12345政务服务便民热线，或向当地主管部门咨询。")
    q = normalize(question)
    if "（2018年数据" in answer and "2020" in q and "2018" not in q and not re.search(r"哪一?年|是不是|的数[吗么不]|数据[吗么不]", q):
        return ("抱歉，规划主要指标表中这一项填在基期一栏的是更早年份的数据（见表注），没有写明您问的那一年的实际数，"
                "我不想给您不准确的说法。建议拨打12345政务服务便民热线，或查阅统计部门发布的数据。")
    swapped = level_swapped(question, answer)
    if swapped:
        return (f"抱歉，规划写的是“{swapped[1]}”，没有写明“{swapped[0]}”的相关内容，我不想给您不准确的说法。"
                "建议拨打12345政务服务便民热线咨询。")
    part = subset_missing(question, answer)
    if part:
        return (f"抱歉，规划只给了总的数字，没有写明其中“{part}”的情况，我不想给您不准确的说法。"
                "建议拨打12345政务服务便民热线，或向当地主管部门咨询。")
    missing = term_contents_missing(question, answer)
    if missing:
        return (f"抱歉，规划提到了“{missing}”，但没有写明它具体包括哪些内容，我不想给您不准确的说法。"
                "建议拨打12345政务服务便民热线咨询。")
    if criteria_missing(question, answer):
        return ("抱歉，规划提到了相关内容，但没有写明具体的认定标准或条件，我不想给您不准确的说法。"
                "建议拨打12345政务服务便民热线，或向当地主管部门咨询。")
    if place_missing(question, answer):
        return ("抱歉，规划提到了相关内容，但没有写明具体是哪个地方，我不想给您不准确的说法。"
                "建议拨打12345政务服务便民热线咨询。")
    return ""


def criteria_missing(question: str, answer: str) -> bool:
    """The question asks how something is recognised and the answer states no condition at all."""
    return bool(_ASKS_CRITERIA.search(question)) and not _STATES_CRITERIA.search(answer)


def instances_missing(question: str, answer: str) -> bool:
    """The question asks for the named instances of something (a list of hospitals, which two projects) and
    the answer enumerates fewer than asked: it only names the thing, which is not what was asked."""
    if not (_ASKS_INSTANCES.search(question) or _WHICH_OF_N.search(question)):
        return False
    n = re.search(r"哪(\d+|[三四五六七八九十]+)", question)
    wanted = max(2, min(cn_to_int(n.group(1)) or 2, 20)) if n else 2   # "是哪18个县": eighteen names, not two
    heads = _INSTANCE_NOUN.findall(question)
    if heads:  # "…是哪几个医院": items that are themselves named 医院/院 ("太原市第五人民医院、临汾市人民医院")
        items = re.split(r"[、，,；;。和及等]", re.sub(r"[（(][^）)]*[）)]", "", answer))
        return sum(1 for it in items if it.strip().endswith(heads[-1][-1])) < wanted
    return answer.count("、") + 1 < wanted


_INSTANCE_NOUN = re.compile(r"(医院|学校|幼儿园|工程|项目|单位|企业|实验室|基地|景区|中心|院校|大学|公园|场馆)")


_NEW_ACTION = re.compile(r"(?:支持|推动|推进|加快|实施|鼓励|引导|完善|健全|深化|提升|打造|开展|培育|争取|力争)")


def term_contents_missing(question: str, answer: str) -> str:
    """The quoted term whose contents the question asks and the answer does not list ("聚焦“六新”突破…"
    names 六新 without saying which six): '' when nothing is asked of a term, or the answer lists it."""
    contents = bool(_ASKS_CONTENTS.search(question))
    if not contents and not _ASKS_MEANING.search(question):
        return ""
    longest = max((c.count("、") + 1 + (1 if "、" in c and re.search(r"[和及与]", c) else 0)
                   for c in re.split(r"[，,。；;：:]", answer)), default=1)
    for term in dict.fromkeys(_QUOTED.findall(answer)):
        bare = term.strip()
        if len(bare) < 2 or bare not in question.replace('"', "").replace("“", "").replace("”", ""):
            continue
        if not contents and not _NUMBERED.search(bare.replace("一", "")):   # "一网通办": no count of parts
            continue          # "时间银行是啥": the sentence naming it says what it is for
        i = answer.find(f"“{term}”")
        if _LISTS_RIGHT_AFTER.search(answer[i + len(term) + 2:]):
            continue          # "“三个一号旅游公路”：…"
        m = re.match(r"(\d+|[一二三四五六七八九十两]+)", bare)
        n = cn_to_int(m.group(1)) if m else None
        # the list the term names must be there: as many items as its number says ("三治" → 自治、法治、德治)
        if not contents:
            # a meaning question is answered by a list of the term's own parts ("乱搭乱建、乱堆乱放…“六乱”",
            # "自治、法治、德治" for 三治): its items share a word character with the term
            kernel = set(bare) - set("0123456789一二三四五六七八九十两个的大项条种+＋")
            if any("、" in c and (f"“{term}”" in c or kernel & set(c.replace(f"“{term}”", "")))
                   for c in re.split(r"[，,。；;]", answer)):
                continue      # (or in the term's own clause: "味华馆、推光漆、澄泥砚“山西三宝”")
            return bare
        # the list is the term's own: in its clause or the next ("…“三无”“三可”营商环境要求" lists neither,
        # though the sentence goes on to list 法治环境、政务环境…)
        # (a list further on counts when its items carry the term's words: "三个人家" → 黄河人家、长城人家…)
        clauses = re.split(r"[，,。；;：:]", answer)
        at = next((k for k, c in enumerate(clauses) if f"“{term}”" in c), None)
        kernel = set(bare) - set("0123456789一二三四五六七八九十两个的大项条种+＋")
        if at is not None and _NUMBERED.search(bare):
            after = clauses[at + 1:at + 2]
            act = _NEW_ACTION.match(after[0].strip()) if after else None
            if act and act.group(0) not in question and not kernel & set(after[0]):
                after = []    # "实施“1331”工程，支持山西大学、…率先发展": the next clause is another action
            clauses = clauses[at:at + 1] + after + [c for c in clauses[at + 2:] if kernel & set(c)]
        # "推广“三大球”、广场舞、自行车": the term is one item of that list, not the head of its own
        clauses = [c for c in clauses if not re.search(rf"“{re.escape(term)}”[、，]|、“{re.escape(term)}”", c)]
        longest = max((c.count("、") + 1 + (1 if "、" in c and re.search(r"[和及与]", c) else 0) for c in clauses),
                      default=1)
        if longest >= (n if n and 2 <= n <= 20 else 3):   # "1331", "136": a code, not a count
            continue
        # "乱搭乱建、乱堆乱放、乱扔乱倒垃圾“六乱”": paired items, each naming the term's word twice
        if n and len(kernel) == 1 and any("、" in c and c.replace(f"“{term}”", "").count(next(iter(kernel))) >= n
                                          for c in clauses):
            continue
        return bare
    return ""


def quoted_terms_asked(question: str, hits, chunks) -> list[str]:
    """The plan's quoted terms (in the top passages) that a question about a term names; none otherwise."""
    if not _ASKS_TERM.search(question):
        return []
    out = []
    for h in hits[:5]:
        c = chunks[h.idx]
        if c.get("kind") == "text":
            out += [t for t in _QUOTED.findall(c["text"]) if len(t) >= 3 and t in question]
    return out


def term_answer(question: str, asked, hits, chunks):
    """(answer, citations, passage, kind, superseded) for a question about a term the plan quotes, or None."""
    if asked.figure or asked.shape not in ("", "definition", "list") or not _ASKS_TERM.search(question):
        return None
    for h in hits[:5]:
        c = chunks[h.idx]
        if c.get("kind") != "text":
            continue
        for pos, sent in enumerate(split_sentences(c["text"])):
            s = sent.strip()
            if any(len(t) >= 3 and t in question for t in _QUOTED.findall(s)):
                return s, [span_citation(c, [(pos, s)])], c, "text", []
    return None


def answer_covers_topic(question: str, answer: str, idf) -> bool:
    """The answer's own words carry at least WEAK_ANSWER_COVERAGE of the question's topic weight, and the
    question's most specific word the documents know (its rarest: 乘车 in "老年人乘车卡怎么办")."""
    weights = topic_weights(question, idf)
    tokens = text_tokens(answer)
    if covered_share(weights, tokens) < WEAK_ANSWER_COVERAGE:
        return False
    known = [t for t in weights if idf(t)]
    rarest = max(known, key=lambda t: (idf(t), len(t)), default=None)
    return rarest is None or covered_share({rarest: 1.0}, tokens) >= 1.0
