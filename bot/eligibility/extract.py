"""Fill eligibility facts from what a resident types, using the rules files' own words.

One utterance may fill several facts ("我是二级肢体残疾，有残疾证，家里低保户，需要人长期照顾");
`asking` (the fact the form just asked about) lets the reply be read first as an answer to it: a bare
"有"/"没有"/"不知道"/"2级", a yes that names the thing ("在呢，就是平遥县的"), a place for the 户籍 question.
Nothing is invented: a month without a day stays a month ("2024-03"), an age ("4岁") stays the span of
birth dates it allows, a hedge ("好像是三级") is taken but flagged for checking. Shanxi dialect words
(年时, 夜来, 俺, 娃) are read through bot.textparse.dialect. Generic Chinese parsing comes from bot.textparse.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from typing import Any, Optional

from bot import textparse
from bot.errors import ApiError
from bot.eligibility.engine import EligibilityEngine, get_engine, today_shanghai
from bot.eligibility.spans import DateSpan
from bot.text_normalize import normalize

_CLAUSE = re.compile(r"[，,。；;！!？?\n]")
# "四级" answers whichever level was asked for; it must not also fill the other kind of level.
_LEVEL_PARSERS = {"level", "cert_level"}
_CERT_CONTEXT = re.compile(r"证书|[师工员]|职业|技能|工种|考[了过下上]")
# Words that put a line about a disabled person (shared with the reader, which tells programs apart by them).
DISABILITY_WORDS = re.compile(r"残|肢体|视力|听力|智力|智障|精神|言语|护理补贴|生活补贴|两项补贴|瘫|截肢|盲|聋|哑")


def _fact_specs(engine: EligibilityEngine) -> dict[str, dict[str, Any]]:
    """Every fact of every program; a fact shared by two programs merges its word lists."""
    specs: dict[str, dict[str, Any]] = {}
    for pid in engine.program_ids():
        for name, spec in engine.program(pid).facts.items():
            if name not in specs:
                specs[name] = {**spec, "words": dict(spec["words"])}
                continue
            merged = specs[name]["words"]
            for key, words in spec["words"].items():
                if key in ("in_clause", "in_text"):
                    merged[key] = merged.get(key, []) + [g for g in words if g not in merged.get(key, [])]
                elif isinstance(words, list):
                    merged[key] = list(dict.fromkeys(merged.get(key, []) + words))
    return specs


# A care word in a clause about learning a trade names the trade ("保姆培训", "学护工"), not the care a disabled
# person needs.
_LEARNING_FACTS = {"needs_long_term_care"}
_LEARNING = re.compile(r"培训|报名|学[^，,。；;！!？?\s]{0,2}(保姆|护工|护理|月嫂|育婴)|考[^，,。；;！!？?\s]{0,2}证|当(保姆|护工|月嫂)|做(保姆|护工|月嫂)|干(保姆|护工|月嫂)")

BARE_ANSWER_MAX = 10  # characters in the first clause of a reply that can be a bare 有/没有


def _clause(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
    return text[left:right]


# A no in front of a yes-word, with a verb of going or an adverb between ("没去办过残疾证", "不用专门有人照顾").
_NEGATED = re.compile(r"(没有|没|未|从没|从来没|还没|不曾|不用|不需要|用不着|够不上|够不着|够不到|评不上|算不上|达不到|不够)"
                      r"(去|来|给|专门|特意|特地)?人?$")


# "七十多的人了，哪是孤儿": a question that means no
_RHETORICAL_NO = re.compile(r"(?:哪|哪里|哪儿|哪能|哪会|咋会|咋能|怎么会|怎么能|谁说)是$")
_INTENDED = re.compile(r"(?:想|打算|准备|计划)(?:在[\u4e00-\u9fff]{1,3})?$")
_NOT_A = re.compile(r"((?<!是)不是|(?<!算)不算|并非|(?<!属于)不属于)$")   # not "是不是X", "算不算X": those ask
# "有三级残疾证", "拿到了专项职业能力证书": having a certificate said with its kind or level in between.
_HAS_CERT = {
    "has_disability_certificate": re.compile(r"(?:有|办了|办过|领了|拿到了?|持有)(?:个|张|本)?[^，,。；;！!？?\s没不]{0,6}?残疾人?证"),
    "obtained_certificate": re.compile(r"(?:拿到了?|拿了|拿下了?|考了|考下了?|考出了?|取得了?|领到了?|有了)(?:个|张|本|一个)?"
                                       r"[^，,。；;！!？?\s没不残]{0,10}?(?:证书|证)"),
}


@functools.lru_cache(maxsize=8192)
def _word_pattern(word: str) -> re.Pattern:
    """A rules-file word as said with an aspect particle inside ("登记了失业" for 登记失业, "考过了证"): a word
    of three or more characters may carry 了 or 过 after any of its characters but the last."""
    if len(word) < 3 or "了" in word or "过" in word:
        return re.compile(re.escape(word))
    return re.compile("(?:了|过)?".join(re.escape(c) for c in word))


def _word_hits(text: str, specs: dict[str, dict], asking: Optional[str]) -> dict[str, Any]:
    """Facts filled by the rules files' words, matched longest first across all facts at once.

    Matching across facts keeps "低保边缘户" (low income) from also reading as "低保" (dibao).
    `in_clause` groups count only in a clause that also has one of their context words, `in_text` groups
    only in a line that has one anywhere
    ("户口在太原": 太原 counts because 户口 is in the clause). For the asked enum, its Chinese value
    names count too. The last mention of a fact wins ("不是肢体，是视力").
    """
    table: list[tuple[str, str, Any, tuple[int, int] | None]] = []   # word, fact, value, clause limits

    def add(name: str, spec: dict, key: str, words: list[str], limits=None) -> None:
        value = (key == "true") if spec["type"] == "bool" else key
        table.extend((w, name, value, limits) for w in words)

    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，,。；;！!？?\n]+", text)]
    for name, spec in specs.items():
        words = spec["words"]
        if "parse" in words:
            continue
        for key, items in words.items():
            if key not in ("in_clause", "in_text"):
                add(name, spec, key, items)
        for group in words.get("in_text", []):       # short words ("有证") that need the topic in the line
            if name == asking or any(c in text for c in group["context"]):   # asked: the question is the topic
                for key, items in group.items():
                    if key != "context":
                        add(name, spec, key, items)   # the whole line: as direct as any other word
        for group in words.get("in_clause", []):
            for start, end in clauses:
                if any(c in text[start:end] for c in group["context"]):
                    for key, items in group.items():
                        if key != "context":
                            add(name, spec, key, items, (start, end))
        if name == asking and spec["type"] == "enum":
            for value, label in spec["values"].items():
                add(name, spec, value, [label])
    hits = []
    for word, name, value, limits in table:
        lo, hi = limits or (0, len(text))
        for m in re.finditer(_word_pattern(word), text[lo:hi]):
            start = m.start() + lo
            if name in _LEARNING_FACTS and _LEARNING.search(_clause(text, start, m.end() + lo)):
                continue                     # "天镇保姆培训在哪报名": a job being learnt, not care needed
            if value is True and (_NEGATED.search(text[max(0, start - 4):start]) or
                                  _RHETORICAL_NO.search(text[max(0, start - 4):start + 1])):
                value_here = False           # "没领过补贴": the yes-word said with a no in front; "哪是孤儿"
            elif not isinstance(value, bool) and _NOT_A.search(text[max(0, start - 4):start]):
                continue                     # "不是下岗的也不是农民工": a kind the speaker is not
            elif not isinstance(value, bool) and _INTENDED.search(text[max(0, start - 4):start]):
                continue                     # "想在芮城开个小店": what the speaker means to become, not is
            else:
                value_here = value
            hits.append((start, m.end() + lo, name, value_here, limits is not None))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    taken: list[tuple[int, int, str, Any, bool]] = []
    for h in hits:
        if all(h[1] <= t[0] or h[0] >= t[1] for t in taken):
            taken.append(h)
    # A place word counted by its clause ("…在山西住着") never overrides the fact said in words
    # ("户口不在山西"): the resident lives in Shanxi, the hukou is elsewhere.
    direct = {name for _, _, name, _, by_clause in taken if not by_clause}
    return {name: value for _, _, name, value, by_clause in sorted(taken) if not (by_clause and name in direct)}


_CN_NUM = "0-9一二两三四五六七八九十"
_AGE = re.compile(rf"(?:(?P<y>[{_CN_NUM}]+)(?:周岁|岁)(?P<half>半)?(?:零?(?P<ym>[{_CN_NUM}]+)个?月)?"
                  rf"|(?P<m>[{_CN_NUM}]+)个?(?P<mmore>多)?月大?)")
_VAGUE_QUANTITY = re.compile(r"(一两|两三|二三|三四|四五|五六|六七|七八|八九|十来|十几|十多|[二三四五六七八九]十[来几多])(年|个月)|"
                             r"(将近|接近|快要?|差不多)(有)?[两二三四五六七八九十\d]+年")
_HEDGE = re.compile(r"好像|大概|大约|应该|可能|估计|差不多|似乎|也许|兴许|怕是|约莫|印象中|没准|级(?:还是|或者|或是)[一二三四1-4]级")
# Several children: twins, "两个娃", "俩孩子".
_MULTIPLE = {"双胞胎": 2, "龙凤胎": 2, "双胎": 2, "三胞胎": 3}
_COUNT = re.compile(r"(?P<n>[两俩二三仨四2-4])(?:个)?(?:娃娃|孩子|宝宝|小孩|娃|闺女|儿子|女儿|宝贝)")
# A child not born yet.
_UNBORN = re.compile(r"还没生|还没出生|没出生|未出生|怀孕|怀上|怀着|预产期|快生了|快要生|要生了|待产|孕[期妇]|二胎还没|还在肚子")


# Ages said with a word ("刚满月", "过了百天", "刚生下来"): [low, high) in whole months.
_AGE_WORD_SPANS = ((r"刚满月|才满月|满月了|刚出满月|出了满月|刚过满月", (1, 2)), (r"过了百天|刚过百天|刚百天|百天了", (3, 4)),
                   (r"刚出生|刚生下来?|才出生|才生下来?|刚生的|生了没几天|出生没几天", (0, 1)))
_AGE_WORDS = re.compile("|".join(w for w, _ in _AGE_WORD_SPANS))


def _ages(text: str) -> list[tuple[int, int]]:
    """Children's ages said instead of birth dates → [low, high) in whole months, in order.

    "4岁" is anywhere from 48 up to 60 months, "两岁半" 30-31, "1岁8个月" 20-21, "8个月大" 8-9.
    """
    found: list[tuple[int, tuple[int, int]]] = [(m.start(), span) for m in _AGE_WORDS.finditer(text)
                                               for word, span in _AGE_WORD_SPANS if re.fullmatch(word, m.group(0))
                                               and not re.search(r"从$", text[:m.start()])]   # "从生下来到三岁": a span, not this child
    for m in _AGE.finditer(text):
        if re.match(r"\s*(以下|以上|以内|之内|之前|之后|以前|以后|前|后|左右)", text[m.end():]):
            continue  # "三岁以下的娃娃": a group of children, not this child's age
        if re.search(r"(前|之前|以前|时候|那会儿?|那年|前年|去年|大前年|年时)(就|已经|都)?(满|到)?了?\s*$", text[:m.start()]):
            continue  # "2025年元旦前就满3岁了": the age at another time, not today's
        if re.search(r"(?<![不没])(到|至|直到)\s*$", text[:m.start()]):
            continue  # "从生下来到三岁", "领到三岁": an age limit, not this child's age
        if m.group("m"):
            if not m.group(0).endswith("大") and not re.search(r"(?:宝宝|孩子|娃|小孩|闺女|儿子|女儿|一个|个).{0,3}$",
                                                                text[:m.start()]):
                continue  # "交了8个月" is a duration, not an age
            months = textparse.cn_to_int(m.group("m"))
            if months is not None and (_UNDER.search(text[max(0, m.start() - 4):m.start()])
                                       or _UNDER_AFTER.match(text[m.end():])):
                found.append((m.start(), (0, months)))  # "不满一个月", "还不到八个月": younger than that
            elif months is not None:
                found.append((m.start(), (months, months + 2) if m.group("mmore") else (months, months + 1)))
            continue
        years = textparse.cn_to_int(m.group("y"))
        if years is None or years > 18:
            continue
        extra = textparse.cn_to_int(m.group("ym")) if m.group("ym") else None
        if m.group("half"):
            found.append((m.start(), (years * 12 + 6, years * 12 + 7)))
        elif m.group("ym"):
            if extra is not None:
                found.append((m.start(), (years * 12 + extra, years * 12 + extra + 1)))
        elif _UNDER.search(text[max(0, m.start() - 4):m.start()]) or _UNDER_AFTER.match(text[m.end():]):
            found.append((m.start(), (0, years * 12)))  # "一岁不到", "还没满两岁": younger than that, no more
        else:
            found.append((m.start(), (years * 12, years * 12 + 12)))
    return [span for _, span in sorted(found)]


_UNDER = re.compile(r"(?:不到|没满|未满|还没满|还不到|不满|不够|没到)$")
_UNDER_AFTER = re.compile(r"\s*(?:还)?(?:不到|没到|不满)")


def _age_months(text: str) -> Optional[tuple[int, int]]:
    ages = _ages(text)
    return ages[0] if ages else None


def age_span(low: int, high: int, today: dt.date) -> DateSpan | dt.date:
    """Birth dates of a child aged at least `low` and under `high` months today."""
    earliest = textparse.add_months(today, -high) + dt.timedelta(days=1)
    latest = textparse.add_months(today, -low)
    return DateSpan(earliest, latest, "range") if earliest < latest else latest


def _date_value(mention: "textparse.DateMention") -> DateSpan | dt.date:
    """What the resident said: a day, or the whole month / year they named (never its 1st)."""
    day = mention.date
    if mention.precision == "month":
        return DateSpan.month(day.year, day.month)
    if mention.precision == "year":
        return DateSpan.year(day.year)
    if mention.precision in ("season", "half"):
        return DateSpan(day, mention.last, "range")
    return day


def _owner(text: str, span: tuple[int, int], specs: dict[str, dict], names: list[str]) -> Optional[str]:
    """The date fact whose context words sit closest to a date in the same clause."""
    left = max((m.end() for m in _CLAUSE.finditer(text, 0, span[0])), default=0)
    right = next((m.start() for m in _CLAUSE.finditer(text, span[1])), len(text))
    best: Optional[tuple[int, str]] = None
    clause = text[left:right]
    for name in names:
        words = specs[name]["words"]
        if any(e in clause for e in words.get("other_events") or []) and \
                not any(e in clause for e in words.get("events") or []):
            continue  # "娃今年初中毕业": the date belongs to another event than this fact's
        for word in words.get("context") or []:
            for m in re.finditer(re.escape(word), text[left:right]):
                pos = left + m.start()
                dist = span[0] - (pos + len(word)) if pos < span[0] else pos - span[1]
                if best is None or abs(dist) < best[0]:
                    best = (abs(dist), name)
    return best[1] if best else None


def _date_facts(text: str, specs: dict[str, dict], today: dt.date, asking: Optional[str]) -> tuple[dict, list]:
    """Each date mention fills the one date fact it belongs to ("去年" after "孩子…生的" is the birth date,
    after "证…考的" the certificate date); a mention no fact claims answers the asked date fact.

    Returns the facts and every birth-date-like value in order (for several children)."""
    names = [n for n, sp in specs.items() if sp["words"].get("parse") == "date"]
    out: dict[str, Any] = {}
    all_values: dict[str, list] = {}
    for mention in textparse.find_dates(text, today):
        if mention.date > today:
            continue
        if mention.precision == "year" and _AGE_AFTER.match(text[mention.span[1]:]):
            continue  # "娃今年都六岁了": the year of the age, not of the birth
        if _ACT_AFTER.match(text[mention.span[1]:]):
            continue  # "夜来听邻居说娃过了三岁": the day the resident heard it, no fact of theirs
        owner = _owner(text, mention.span, specs, names) or (asking if asking in names else None)
        birthday = _BIRTHDAY_BEFORE.search(text[max(0, mention.span[0] - 12):mention.span[0]])
        if birthday and owner in (None, "child_birth_date") and "child_birth_date" in names:
            # "三岁生日是24年年底": the birthday of that age, so the birth is that many years before
            owner, mention = "child_birth_date", _years_before(mention, textparse.cn_to_int(birthday.group("n")) or 0)
        if owner:
            said = text[mention.span[0]:mention.span[1]]
            before = [v for v in all_values.get(owner, []) if isinstance(v, (dt.date, DateSpan))]
            if before and "年" not in said and not re.search(r"\d{4}", said) and \
                    _month_of(before[-1]) == mention.date.month:
                continue   # "21年5月生的，五月初几": the same month said again, not a second child
            out.setdefault(owner, _date_value(mention))
            all_values.setdefault(owner, []).append(_date_value(mention))
    for name in names:
        words = specs[name]["words"]
        if name in out or not words.get("age"):
            continue
        if name == asking or any(w in text for w in words.get("context") or []):
            ages = [age_span(*months, today) for months in _ages(text)]
            if ages:
                out[name] = ages[0]
                all_values.setdefault(name, []).extend(ages)
    return out, all_values.get("child_birth_date", [])


_BIRTHDAY_BEFORE = re.compile(rf"(?P<n>[{_CN_NUM}]+)\s*(?:周岁|岁)(?:的)?生日(?:是|在|是在|那天是)?\s*$")


def _years_before(mention: "textparse.DateMention", years: int) -> "textparse.DateMention":
    day = mention.date
    try:
        moved = day.replace(year=day.year - years)
    except ValueError:                      # 29 February in a year without one
        moved = day.replace(year=day.year - years, day=28)
    return dataclasses.replace(mention, date=moved)


def _month_of(value: "dt.date | DateSpan") -> Optional[int]:
    if isinstance(value, DateSpan):
        return value.earliest.month if (value.earliest.year, value.earliest.month) == (value.latest.year, value.latest.month) else None
    return value.month


# The day of hearing, reading or asking about the subsidy, not of a birth or a certificate.
_ACT_AFTER = re.compile(r"\s*(?:我|俺|刚|才|在)?(?:听|看到|看见|刷到|问了|问过|打电话|打听|网上|电视上|手机上|群里)")
_AGE_AFTER = re.compile(rf"\s*(?:都|就|已经|才|刚|刚好|也|还)?(?:快|快要|将近|差不多|眼看|不到|还不到)?(?:满|有|到)?了?[{_CN_NUM}\d]+(?:周岁|岁)")


def _months_since(text: str, today: dt.date) -> Optional[int]:
    """Months from a start date to today ("从2020年开始交" → 70 in Nov 2026); a year alone counts from its start."""
    if not re.search(r"开始|起|以来|到现在|到今天|到如今|至今", text):
        return None
    found = textparse.find_dates(text, today)
    if not found:
        return None
    start = found[0].date
    months = (today.year - start.year) * 12 + today.month - start.month
    return months if months >= 0 else None


def _parsed(name: str, spec: dict, text: str, today: dt.date, asking: bool) -> Any:
    words = spec["words"]
    parser = words["parse"]
    context = words.get("context") or []
    if parser == "level":
        value = textparse.parse_level(text)
        if value is None and asking:
            # Asked for the disability level, "证上写的二级" names it: the 证 is the 残疾证.
            m = re.search(r"([一二两三四1-4])\s*级", text)
            value = textparse.cn_to_int(m.group(1)) if m else textparse.cn_to_int(text.strip(" 级的吧啊呀。，"))
        return value if value is not None and spec["min"] <= value <= spec["max"] else None
    if parser == "cert_level":
        return textparse.parse_cert_level(text, expect_cert=asking)
    if parser == "duration_months":
        if not asking and not any(w in text for w in context):
            return None
        # "中间断了半年": a gap in the contributions, not how long they were paid
        paid = _GAP.sub("，", text)
        value = None
        # "在厂子干了三年…到现在交了十个月": the clause that speaks of paying, not of working or of not paying
        for clause in re.split(r"[，,。；;！!？?\s]", paid):
            if any(w in clause for w in context) and not _NOT_PAID.search(clause):
                value = textparse.parse_duration_months(clause)
                if value is not None:
                    break
        if value is None:
            value = textparse.parse_duration_months(paid)
        if value is None and asking:
            value = _months_since(text, today)      # "从2020年开始交": the months since then
        if value is None and asking:
            value = textparse.cn_to_int(text.strip(" 个月的吧啊呀。，"))
        return value if value is not None and spec["min"] <= value <= spec["max"] else None
    if parser == "date":
        return None  # all date facts are read together (_date_facts)
    raise ValueError(f"unknown parser {parser!r} for {name}")


_NOT_PAID = re.compile(r"(?:没|没有|不|未)(?:给)?(?:交|缴|参保|上)")
_GAP = re.compile(r"(?:断|停|中断|断交|停交|欠|差(?!不多|点)|少交|没交|漏交|断缴|停缴)(?:了|过|掉)?[^，。；,;]{0,2}"
                  r"(?:半年|[一二三四五六七八九十两\d]+\s*(?:个)?(?:月|年)(?:半)?)")


_HUKOU_NEAR = re.compile(r"(?P<before>[\u4e00-\u9fff]{2,6}?)(?:的)?(?:户口|户籍)(?!本)|"
                         r"(?:户口|户籍)(?:本上)?(?:就|都|还|一直)?(?:是|在|落在|上在)(?P<after>[\u4e00-\u9fff]{2,8})")
_HUKOU_AFTER = re.compile(r"(?:户口|户籍)(?:本上)?(?:就|都|还|一直)?(?:是|在|落在|上在)"
                          r"(?P<after>[\u4e00-\u9fff]{2,8})")


def _hukou_place(text: str, spec: dict) -> Optional[bool]:
    """A place given in answer to the 户籍 question: anywhere in Shanxi → yes, another province → no."""
    from bot.service_points import find_places   # the gazetteer: 117 counties and their towns

    groups = spec["words"].get("in_clause") or []
    for group in groups:
        for word in group.get("false", []):
            if word in text and not any(w in text for w in ("山西", "本省")):
                return False
    negated = re.search(r"不在|不是|没在|迁走|迁出", text)
    for group in groups:
        for word in group.get("true", []):
            if word in text:
                return not negated
    if find_places(text):
        return not negated
    return None


# "两个都问问", "都帮我看看", "两项都测测": assess both disability allowances (两项补贴). Not "两个都能领吗",
# which asks whether the two can be combined (a program question, answered from the rules files).
_BOTH = re.compile(r"(?:两个|两项|两样|俩)都(?:问问|看看|测|算|查|了解|想|要|帮)|都(?:问问|帮我看看|帮我测|帮我算|想了解)")
_COMBINE = re.compile(r"能|可以|同时|一起|叠加|兼得|重复")
BOTH_DISABILITY = ["disability_living_allowance", "disability_care_allowance"]


def wants_both_disability(text: str) -> bool:
    """ "两个都问问", "都帮我看看": the resident wants both disability allowances assessed."""
    return bool(_BOTH.search(text)) and not _COMBINE.search(text)


def mentioned_programs(text: str, engine: Optional[EligibilityEngine] = None) -> list[str]:
    engine = engine or get_engine()
    found = []
    for pid in engine.program_ids():
        prog = engine.program(pid)
        if any(a in text for a in [prog.label] + list(prog.data["aliases"])):
            found.append(pid)
    if wants_both_disability(text) and not (set(found) - set(BOTH_DISABILITY)):
        found = [p for p in BOTH_DISABILITY if p in engine.program_ids()]
    return found


def _children(text: str, births: list) -> Optional[dict[str, Any]]:
    """Several children ("双胞胎", "两个娃", two birth dates): how many, and their birth dates."""
    count = next((n for word, n in _MULTIPLE.items() if word in text), None)
    m = _COUNT.search(text)
    if count is None and m:
        count = textparse.cn_to_int(m.group("n"))
    distinct = list(dict.fromkeys(births))
    if len(distinct) > 1:
        count = max(count or 0, len(distinct))
    if not count or count < 2:
        return None
    return {"count": count, "birth_dates": [_iso(b) for b in distinct]}


def _iso(value: Any) -> Any:
    if isinstance(value, DateSpan):
        return value.iso()
    return value.isoformat() if isinstance(value, dt.date) else value


def _read(text: str, today: dt.date, asking: Optional[str], specs: dict[str, dict]) -> dict[str, Any]:
    """One pass over normalised text: facts, unknowns, birth dates seen."""
    correction = textparse.is_correction(text)
    # "应该是三级" is a hedge, not a correction of an earlier answer.
    strict_correction = correction and textparse.is_correction(text.replace("应该是", "是"))
    facts: dict[str, Any] = {}
    unknown: list[str] = []
    if asking in specs and textparse.is_unknown(text) and not _HEDGE.search(text):
        # "2022年7月15日，农历记不得了", "23年8月，阴历阳历俺也说不清": a year and month beside what is not remembered is the
        # answer given (only a date: "他家的事是嫂子管" beside "说不准" says no yes)
        known = "，".join(c for c in re.split(r"[，,。；;！!\s]+", text) if c and not textparse.is_unknown(c))
        if known and specs[asking]["words"].get("parse") == "date" and \
                re.search(r"\d{2,4}\s*年\s*\d{1,2}\s*月", known):
            read = _read(known, today, asking, specs)
            if asking in (read.get("facts") or {}):
                return read
        unknown.append(asking)
    asked_parser = specs[asking]["words"].get("parse") if asking in specs else None
    if asked_parser and asked_parser != "date" and not unknown:
        value = _parsed(asking, specs[asking], text, today, asking=True)
        if value is not None:
            facts[asking] = value
    dates, births = _date_facts(text, specs, today, None if unknown else asking)
    for name, value in dates.items():
        facts.setdefault(name, value)
    for name, value in _word_hits(text, specs, None if unknown else asking).items():
        if name not in unknown:
            facts.setdefault(name, value)
    for name, pattern in _HAS_CERT.items():
        # only for the fact asked, or for a line that is about it (the disability words, a training)
        if name in specs and name not in facts and name not in unknown and \
                (name == asking or (name == "has_disability_certificate" and "残疾" in text)):
            m = pattern.search(text)
            if m:
                facts[name] = not _NEGATED.search(text[max(0, m.start() - 4):m.start()])
    for name, spec in specs.items():
        if name in facts or name in unknown or "parse" not in spec["words"]:
            continue
        if asked_parser in _LEVEL_PARSERS and spec["words"]["parse"] in _LEVEL_PARSERS:
            continue
        if spec["words"]["parse"] == "level" and _CERT_CONTEXT.search(text) and not DISABILITY_WORDS.search(text):
            continue               # "中式烹调师三级，今年七月拿的证": a certificate's level, not a disability's
        value = _parsed(name, spec, text, today, asking=False)
        if value is not None:
            facts[name] = value
    hukou = "hukou_in_shanxi"
    if hukou in specs and hukou not in unknown:
        # The place said right at 户口 ("河北邢台户口在太原打工", "户口就在平遥县，没迁过") is the 户籍, whatever
        # else the line says about where the resident lives or works; the words before 户口 first, then
        # "户口在X" ("不是低收入户口在襄垣": no place before it).
        for near in (_HUKOU_NEAR.search(text), _HUKOU_AFTER.search(text)):
            said = (near.groupdict().get("before") or near.group("after")) if near else ""
            if near and near.groupdict().get("before"):
                # "嫁到阳城好多年了户口还在河北": only the words right at 户口, not a place said before "了"
                said = re.split(r"了|嫁到|嫁给|嫁过来|住在|来到|搬到|年", said)[-1]
            value = _hukou_place(said, specs[hukou]) if said else None
            if value is not None:
                facts[hukou] = value
                break
    if hukou in specs and hukou not in facts and hukou not in unknown:
        # Asked, the whole reply is the place; otherwise only a clause about the 户口 ("户口在平遥县").
        context = [w for g in specs[hukou]["words"].get("in_clause") or [] for w in g.get("context", [])]
        parts = [text] if asking == hukou else [c for c in _CLAUSE.split(text) if any(w in c for w in context)]
        for part in parts:
            value = _hukou_place(part, specs[hukou])
            if value is not None:
                facts[hukou] = value
                break
    # "不是，俺是他妈": a no, then who is speaking; a correction only when a value follows or it says so
    plain_no = not facts and not re.search(r"说错|改一下|改成|写错|记错|搞错|弄错|打错|应该是", text)
    if asking in specs and specs[asking]["type"] == "bool" and asking not in facts \
            and asking not in unknown and (not strict_correction or plain_no):
        # A bare 有/没有 answers the question; with other facts in the sentence only its first clause does.
        # A long sentence is not a bare answer ("…目标是多少" is a question, not 是).
        first = _CLAUSE.split(text, maxsplit=1)[0]
        # Facts said in the first clause itself make a long clause more than a yes ("有残疾证三级的");
        # facts said after it ("前年领过一回，也是这个中级") leave the first clause a plain answer.
        own = facts and (first == text or _read(first, today, None, specs)["facts"])
        answer = textparse.parse_yes_no(first) if len(first) <= (4 if own else BARE_ANSWER_MAX) else None
        if answer is not None:
            facts[asking] = answer
    return {"facts": facts, "unknown": unknown, "correction": correction, "births": births}


# "今年六月刚满三岁": the month of a birthday, not of the birth; "领到三岁", "从生下来到三岁": an age limit.
_HOLIDAY_NAMES = "|".join(sorted(textparse.HOLIDAYS, key=len, reverse=True))
# "今年六月刚满三岁": the month of a birthday, not of the birth; "今年情人节满的三岁": its day
_BIRTHDAY = re.compile(r"(?:(?P<year>今年|去年|前年|(?P<y4>20\d\d)年)?(?:(?P<month>[0-9]{1,2}|[一二三四五六七八九十]{1,3})月(?:份|底|初|中|末|中旬|下旬|上旬)?|"
                       rf"(?P<hol>{_HOLIDAY_NAMES})(?:那天|那一天|当天)?)|"
                       r"(?P<rel>这个月|这月|本月|上个月|上月)(?:底|初|末|中旬|下旬|上旬)?|"
                       # "前天刚过三岁生日", "夜来满的两岁": a birthday days ago, the birth that many years before
                       r"(?P<relday>大前天|前天|前儿个?|昨天|昨儿个?|夜来|夜儿个?|今天|今儿个?)|"
                       r"(?P<days>前几天|前两天|这两天|这几天))"
                       r"(?:(?P<day>[0-9]{1,2}|[一二三四五六七八九十]{1,3})[号日])?"
                       r"(?:里|的时候|那会儿?)?[，, ]?(?:刚好|正好|刚刚|恰好|刚|才|就)?(?:满(?:了|的)?(?P<n>[1-6一二两三四五六])(?:周)?岁|"
                       # "今年二月刚过的三岁生日": the birthday is a month of birth too
                       r"过(?:了|的|完)?(?P<n2>[1-6一二两三四五六])(?:周)?岁(?:的)?生日)")


def _birthday_as_birth(text: str, today: dt.date) -> str:
    """The line with "X月满N岁" written as the birth month it implies ("2023年6月出生"), so no date is taken
    for the birth that was a birthday."""
    def year_said(m: re.Match) -> int:   # "2023年", "去年", "前年", or this year when none is said
        return int(m.group("y4")) if m.group("y4") else today.year - {"去年": 1, "前年": 2}.get(m.group("year") or "", 0)

    def birth(m: re.Match) -> str:
        years = textparse.cn_to_int(m.group("n") or m.group("n2"))
        if years is None or (not m.group("year") and re.search(r"\d年\s*$", text[:m.start()])):
            return m.group(0)     # "22年1月1号 满三岁那天是25年元旦": a dated birth, then its birthday
        if m.group("relday"):
            day_of = today - dt.timedelta(days=_days_back(m.group("relday")))
            try:
                born = day_of.replace(year=day_of.year - years)
            except ValueError:        # a 29 February birthday in a year without one
                return m.group(0)
            return f"{born.year}年{born.month}月{born.day}日出生"
        if m.group("days"):           # "前几天刚满三岁": the month only, when those days are surely this month
            if today.day <= 7:
                return m.group(0)
            return f"{today.year - years}年{today.month}月出生"
        if m.group("rel"):            # "这个月3号刚满三岁": this month's (or last month's) birthday
            back = 1 if m.group("rel").startswith("上") else 0
            year, month = (today.year, today.month - back) if today.month > back else (today.year - 1, 12)
        elif m.group("hol"):         # "今年情人节满的三岁": that day of the year, that many years before
            month, day = textparse.HOLIDAYS[m.group("hol")]
            word, year = m.group("year"), year_said(m)
            if not word and (month, day) > (today.month, today.day):
                year -= 1
            if year - years < 1900:
                return m.group(0)
            return f"{year - years}年{month}月{day}日出生"
        else:
            month = textparse.cn_to_int(m.group("month"))
            word, year = m.group("year"), year_said(m)
            if month and not word and month > today.month:
                year -= 1             # "六月满三岁" said in November: this year's June; in March: last year's
        if not month or not 1 <= month <= 12 or years is None:
            return m.group(0)
        day = textparse.cn_to_int(m.group("day")) if m.group("day") else None
        if day and not 1 <= day <= 31:
            return m.group(0)
        return f"{year - years}年{month}月{day}日出生" if day else f"{year - years}年{month}月出生"
    def little(m: re.Match) -> str:   # "夜来刚满月", "前天过的百天": the birth a month or 100 days before
        day_of = today - dt.timedelta(days=_days_back(m.group("relday")))
        if "百" in m.group("mark"):
            born = day_of - dt.timedelta(days=100)
        else:
            month = day_of.month - 1 or 12
            year = day_of.year - (day_of.month == 1)
            born = dt.date(year, month, min(day_of.day, calendar.monthrange(year, month)[1]))
        return f"{born.year}年{born.month}月{born.day}日出生"
    text = _LITTLE_BIRTHDAY.sub(little, text)
    return _BIRTHDAY.sub(birth, text.replace("满周岁", "满1周岁"))


def _days_back(word: str) -> int:
    """How many days ago 今天/昨天(夜来)/前天/大前天 is."""
    return 3 if word == "大前天" else 2 if word.startswith("前") else 0 if word.startswith("今") else 1


_LITTLE_BIRTHDAY = re.compile(r"(?P<relday>大前天|前天|前儿个?|昨天|昨儿个?|夜来|夜儿个?|今天|今儿个?)(?:刚|才|就)?"
                              r"(?P<mark>满月|满的月|过(?:了|的|完)?满月|出(?:了)?满月|满百天|过(?:了|的)?百天)")


_CLAIMED = re.compile(r"领过|领了|申请过|补过|拿过补贴|补贴拿过|已经领")
_GOT_CERT = re.compile(r"考了|考下|考的|考过|拿了|拿到|拿下|取得|又考|新考")


def _claimed_another_level(text: str, facts: dict[str, Any], today: dt.date) -> None:
    """"前年中级的领过了，去年12月又考了高级": the subsidy claimed was for another level than the new
    certificate, so the new one is the certificate asked about, its level was never claimed, and its date
    (not the earlier one's) is the certificate date."""
    if "certificate_level" not in facts:
        return
    parts = [p for p in re.split(r"[，,。；;！!？?\s]", text) if p]
    claimed = {lvl for p in parts if _CLAIMED.search(p) for lvl in [textparse.parse_cert_level(p)] if lvl}
    # in a line about certificates, "又考了三级" is the 三级 (高级) certificate
    got = [(lvl, p) for p in parts if _GOT_CERT.search(p) and not _CLAIMED.search(p)
           for lvl in [textparse.parse_cert_level(p, expect_cert=True)] if lvl]
    if claimed and got and got[-1][0] not in claimed:
        facts["certificate_level"] = got[-1][0]
        facts["claimed_same_level_before"] = False
        dates = [m for m in textparse.find_dates(got[-1][1], today) if m.date <= today]
        if dates:
            facts["certificate_issue_date"] = _date_value(dates[-1])
        return
    # "考初级厨师证领过一回补贴 今年又考了个初级面点师": the same level in another trade was never claimed
    claimed_trades = {t for p in parts if _CLAIMED.search(p) for t in _trades(p)}
    got_trades = [t for p in parts if _GOT_CERT.search(p) and not _CLAIMED.search(p) for t in _trades(p)]
    if claimed_trades and got_trades and got_trades[-1] not in claimed_trades:
        facts["claimed_same_level_before"] = False


_TRADE = re.compile(r"[^\s了个考的级证又拿过领回一补贴年月去今前再新这那是也还都初中高]{1,3}(?:师|工|员)")


def _trades(part: str) -> set[str]:
    """Trades named in a clause ("厨师", "面点师", "电工", "育婴员"), not the levels 技师/技工."""
    return {t for t in _TRADE.findall(part) if t not in {"技师", "技工", "高级技师", "员工", "职工", "老师"}}


_SKILL_WORDS = re.compile(r"培训|技能|职业|资格|电工|焊工|厨师|技师|等级证|专项")


def _certificate_asked(text: str, asking: Optional[str], facts: dict[str, Any]) -> None:
    """"还没拿到证" in answer to "是否持有残疾人证": the certificate asked about, not a training's (and the
    other way round), unless the line names the other kind."""
    if asking == "has_disability_certificate" and "obtained_certificate" in facts and asking not in facts \
            and not _SKILL_WORDS.search(text):
        facts[asking] = facts.pop("obtained_certificate")
    elif asking == "obtained_certificate" and "has_disability_certificate" in facts and asking not in facts \
            and "残" not in text:
        facts[asking] = facts.pop("has_disability_certificate")


def extract_facts(text: str, today: Optional[dt.date] = None, asking: Optional[str] = None,
                  engine: Optional[EligibilityEngine] = None) -> dict[str, Any]:
    """{"facts": {fact: value}, "unknown": [fact], "programs": [program id], "correction": bool,
    "approximate": [fact], "hedged": {fact: what was said}, "children": {"count", "birth_dates"} | None,
    "unborn": bool}.

    Dates come back ready for POST /api/eligibility: "2024-03-15" for a day, "2024-03" for a month,
    "2025" for a year and "2024-04-29/2024-05-28" for the birth dates an age allows; "approximate"
    lists the facts known only so roughly. "hedged" maps facts the resident was unsure of to the words
    they used ("好像是三级"), so the answer can say they should be checked.
    """
    engine = engine or get_engine()
    today = today or today_shanghai()
    text = textparse.to_standard(textparse.pauses_to_commas(normalize(text or "")))
    text = _birthday_as_birth(text, today)
    specs = _fact_specs(engine)
    read = _read(text, today, asking, specs)
    facts = read["facts"]
    hedged: dict[str, str] = {}
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    for i, clause in enumerate(clauses):
        if not _HEDGE.search(clause):
            continue
        part = _read(clause, today, asking if i == 0 or len(clauses) == 1 else None, specs)["facts"]
        for name, value in part.items():
            if name in facts and facts[name] == value:
                hedged[name] = clause.strip()
    # "交了五六年", "十来年": read at their lower end (what was said for sure) and flagged like a hedge.
    for clause in clauses:
        if _VAGUE_QUANTITY.search(clause):
            for name, value in _read(clause, today, asking if len(clauses) == 1 else None, specs)["facts"].items():
                if specs.get(name, {}).get("words", {}).get("parse") == "duration_months" and facts.get(name) == value:
                    hedged.setdefault(name, clause.strip())
    # "好像是三级 不对 证上写的二级": what follows the last self-correction wins, and is firm unless hedged again.
    tail = textparse.corrected_tail(text)
    if tail:
        settled = _read(tail, today, asking, specs)["facts"]
        for name, value in settled.items():
            facts[name] = value
            if not _HEDGE.search(tail):
                hedged.pop(name, None)
    _claimed_another_level(text, facts, today)
    _certificate_asked(text, asking, facts)
    unborn = bool(_UNBORN.search(text))
    approximate = [k for k, v in facts.items() if isinstance(v, DateSpan)]
    out_facts = {k: _iso(v) for k, v in facts.items()}
    return {"facts": out_facts, "unknown": read["unknown"], "programs": mentioned_programs(text, engine),
            "correction": read["correction"], "approximate": approximate, "hedged": hedged,
            "children": _children(text, read["births"]), "unborn": unborn}


def programs_touched(facts: dict[str, Any], engine: Optional[EligibilityEngine] = None) -> list[str]:
    """Programs that any of the given facts bear on ("我家情况这样，能领什么补贴？")."""
    engine = engine or get_engine()
    known = {k for k, v in facts.items() if v is not None}
    return [pid for pid in engine.program_ids() if known & set(engine.program(pid).facts)]


def cross_suggestions(facts: dict[str, Any], program: str, as_of: Any = None,
                      engine: Optional[EligibilityEngine] = None) -> list[str]:
    """Other programs worth mentioning: touched by the facts and not already ruled out by them."""
    engine = engine or get_engine()
    out = []
    for pid in programs_touched(facts, engine):
        if pid == program:
            continue
        try:
            result = engine.evaluate(pid, facts, as_of)
        except ApiError:  # facts valid for one program may be out of range for another
            continue
        if result["outcome"] != "not_eligible":
            out.append(pid)
    return out
