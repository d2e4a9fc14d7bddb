"""Reading one resident line: which programs, which aspects, whose case, which place, which office.

The same reading serves the chat actions and agent assist, so a line is understood the same way on every
channel. Program names and cues come from policy_kb/rules (one source of truth); the words for aspects,
personal questions, office details and other provinces come from lexicon.yml beside this module.
Rasa's intent is a hint here, never the only signal: residents use words no training set holds.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml
from pypinyin import lazy_pinyin

from bot.eligibility.engine import EligibilityEngine, get_engine, today_shanghai
from bot.eligibility.extract import DISABILITY_WORDS, extract_facts, wants_both_disability
from bot.service_points import find_places, hotlines_asked, office_types_from_text
from bot.text_normalize import normalize
from bot.textparse.dialect import pauses_to_commas, to_standard

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")
BOTH = "disability_both"
DISABILITY = ("disability_living_allowance", "disability_care_allowance")
APPLYING = {"where", "how_to_apply", "documents", "deadline"}   # aspects about applying, not qualifying
# Kinds of line, in the words of issue 10.
PROGRAM_INFO, PERSONAL_CASE, PLAN_QUESTION, OFFICE_LOOKUP, NOT_IN_SOURCES, OTHER = (
    "program_info", "personal_case", "plan_question", "office_lookup", "not_in_sources", "other")
_QUESTION = re.compile(r"[？?]|(?:标准|金额|额度|钱数|条件|资格|途径|渠道|地点|流程|手续|材料|期限|时限)[。！!\s]*$"
                       # a hotline note: "咨询生活补贴申办途径", "问护理补贴办理地点"
                       r"|(?:咨询|询问|打听|了解|问)[^，。；]{0,20}(?:途径|渠道|地点|单位|部门|流程|手续|材料|条件|标准|金额|期限|时限|依据|文件|文号)"
                       # "…，要求说明政策", "请解释相关规定": a note asking for the rule to be explained
                       r"|(?:说明|解释|讲解|告知|介绍)(?:一下)?(?:相关|有关)?(?:政策|规定|依据|原因)[。！!\s]*$|是吧|对吧|[了的]吧[。！!\s]*$|(?:能|可以|算|会)[^，。；]{0,12}吧[。！!\s]*$|吗|呢|么|怎么|怎样|如何|什么|啥|甚|哪|多少|多钱|几|真的假的|[递交送报]给谁|能不能|有无|可不可以|是不是|有没有|是否|能否|可否|咋|还是"
                       r"|多长|多久|多大|多高|要不要|需不需要|没得|有没得|谁(?:能|可以|来|去|给|管|负责|办|要)|[找问向跟]谁|[给发]谁的?[。！!\s]*$"
                       r"|(.)[不没]\1|[^不]不[。！!\s]*$|没有?[。！!\s]*$"
                       r"|(?<=[\u4e00-\u9fff]{2})[^不\s，,]不(?=[，,])")  # "能在网上申请不，腿脚不利索": the clause asks
_HOTLINE = re.compile(r"热线|专线|服务号|服务电话|咨询电话|打哪个电话|打什么电话|打啥电话|打甚电话|打哪个号")
_TWO_ALLOWANCES = re.compile(r"(两个|两项|两样|两种|俩)(补贴|补助|都)|两个都|两项都|两种都|两样都")
# "俺能领哪个", "够不够条件": whether the speaker qualifies (not "哪里能办", which asks where).
_ASKS_ELIGIBILITY = re.compile(r"(能|可以|能不能|可不可以|有没有资格|够不够|符合)(领|拿|享受|得到)|还能补一?[点些]|领不了|领不上|领得上|领上领不上|够条件|符合条件|有没有份|有(我|俺)的份"
                               r"|有份没|给不给|能给不|能不能给|补贴有没有[吗呢]?$|有没有补贴|有补贴(吗|不|没)"
                               # "这个补贴跟俺们还有关系没": whether it still concerns the speaker's own family
                               r"|跟(我|俺|咱)(们|家)?还?有(关系|份)")
# Asking for a figure: with another benefit named, no source of ours has it.
# Asking whether there is one, or whether one can have it ("残疾人开店有没有创业补贴").
_ASKS_ABOUT = re.compile(r"半价|打折|能[^，。？?\s]{1,6}不$|有没有|有没|能不能|能领|可以领|给不给|免不免|有啥|有什么|有甚|咋领|怎么领|去哪|不要钱|免费|要钱不|收钱不")
_FIGURE = re.compile(r"多少|几|标准|金额|比例|起付|怎么算|咋算|按(啥|什么|甚)算|一个月|一年|免费|免不免|免票|优惠|报销|报多少")
# A bare program name ("育儿补贴", "残疾人补贴吧"): what it is, or with 申请/测 the check (see _kind).
_BARE_TAIL = re.compile(r"^(的事|的事情|这个|那个|方面|相关|的|呢|吧|啊|呀|嘛|吗|哦|。|？|\?|！|!|\s)*$")


@dataclass
class Lexicon:
    aspects: list[tuple[str, re.Pattern, Optional[re.Pattern]]]   # (name, pattern, unless), in priority order
    personal_strip: re.Pattern
    first_person: re.Pattern
    personal: list[re.Pattern]
    family_case: re.Pattern
    office_details: re.Pattern
    other_provinces: re.Pattern
    other_benefits: re.Pattern
    not_in_sources: list[tuple[str, str, re.Pattern]]   # reason, Chinese label, pattern
    answered_with: dict[str, list[str]]                 # reason → aspects the sources do answer alongside
    not_for: dict[str, set[str]] = field(default_factory=dict)  # reason → programs whose sources do answer it
    homophone_terms: list[tuple[str, str]] = field(default_factory=list)  # (term, term), longest first
    unstated_conditions: list[tuple[str, re.Pattern]] = field(default_factory=list)  # (label with {x}, pattern)
    older_words: dict[str, str] = field(default_factory=dict)   # "残废" → 残疾: the word the rules use
    slips: list[tuple[re.Pattern, str]] = field(default_factory=list)  # typing slips of question words, mended


@functools.lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    aspects = sorted(data["aspects"].items(), key=lambda kv: kv[1]["priority"])
    personal = data["personal"]
    return Lexicon(
        aspects=[(name, re.compile("|".join(f"(?:{p})" for p in spec["patterns"])),
                  re.compile(spec["unless"]) if spec.get("unless") else None) for name, spec in aspects],
        personal_strip=re.compile(personal["strip"]),
        first_person=re.compile(personal["first_person"]),
        personal=[re.compile(p) for p in personal["patterns"]],
        family_case=re.compile(personal["family_case"]),
        office_details=re.compile(data["office_details"]),
        other_provinces=re.compile(data["other_provinces"]),
        other_benefits=re.compile(data["other_benefits"]),
        not_in_sources=[(k, v["label"], re.compile(v["pattern"])) for k, v in data["not_in_sources"].items()],
        answered_with={k: list(v.get("answer") or []) for k, v in data["not_in_sources"].items()},
        not_for={k: set(v.get("not_for") or []) for k, v in data["not_in_sources"].items()},
        homophone_terms=[(t, t) for t in sorted(data.get("homophone_terms") or [], key=len, reverse=True)],
        older_words=dict(data.get("older_words") or {}),
        slips=[(re.compile(k), v) for k, v in (data.get("slips") or {}).items()],
        unstated_conditions=[(c["label"], re.compile(c["pattern"])) for c in data.get("unstated_conditions") or []],
    )


def members_of(programs: list[str]) -> list[str]:
    """Contract program ids, with 两项补贴 (BOTH) as its two disability allowances, each once."""
    return list(dict.fromkeys(m for p in programs for m in (DISABILITY if p == BOTH else (p,))))


@dataclass
class Reading:
    """What one line says. `kind` is the route; the rest is what the route needs."""
    text: str
    kind: str
    programs: list[str] = field(default_factory=list)      # contract ids; both disability ones → [BOTH]
    aspects: list[str] = field(default_factory=list)
    personal: bool = False
    bare_program: bool = False                             # only a program's name (and maybe 申请/测)
    facts: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    approximate: list[str] = field(default_factory=list)
    place: dict[str, Optional[str]] = field(default_factory=dict)
    place_ambiguous: list[str] = field(default_factory=list)
    place_question: Optional[str] = None                   # which city, when the place name is ambiguous
    office_types: list[str] = field(default_factory=list)
    wants_office: bool = False                             # asks where / a phone / hours, or names an office
    other_province: Optional[str] = None
    other_benefit: Optional[str] = None                    # a benefit that is not one of our programs
    with_benefit: Optional[str] = None                     # another benefit named beside ours ("护理补贴和长护险")
    not_in_sources: Optional[tuple[str, str]] = None       # (reason, Chinese label) of what no source states
    question: bool = False
    correction: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def members(self) -> list[str]:
        """Contract program ids, with 两项补贴 expanded."""
        return members_of(self.programs)


def _program_words(engine: EligibilityEngine) -> list[tuple[str, dict[str, Any]]]:
    return [(pid, engine.program(pid).data) for pid in engine.program_ids()]


def _alias_pairs(engine: EligibilityEngine) -> list[tuple[str, str]]:
    """(name or alias, program id) for every program, longest first (so 残疾人护理补贴 wins over 护理补贴)."""
    return sorted(((a, pid) for pid, d in _program_words(engine) for a in [d["label"]] + list(d.get("aliases") or [])),
                  key=lambda ap: -len(ap[0]))


def named_programs(text: str, engine: Optional[EligibilityEngine] = None) -> list[str]:
    """Programs the line names by alias (not by cue words)."""
    engine = engine or get_engine()
    return [pid for pid, d in _program_words(engine)
            if any(a in text for a in [d["label"]] + list(d.get("aliases") or []))]


@functools.lru_cache(maxsize=64)
def _syllables(text: str) -> tuple[str, ...]:
    whole = tuple(lazy_pinyin(text))
    if len(whole) == len(text):
        return whole
    # Digits and Latin letters come back as one token per run ("2021"): one syllable per character instead.
    return tuple((lazy_pinyin(c) or [c])[0] for c in text)


_PINYIN_RUN = re.compile(r"[a-z]{1,6}")
_PINYIN_TOKEN = re.compile(r"[a-z]{1,6}(?![a-z])|[\s\S]")


def homophone_aliases(text: str, aliases: list[tuple[str, str]]) -> str:
    """The line with a program name typed or dictated with homophones ("育而补贴", "护里补贴", "补帖") written
    as the name itself. Only whole names of three or more characters, syllable for syllable."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    if _PINYIN_RUN.search(text):        # "yu儿补贴": a syllable typed in pinyin stands for its character
        chars = _PINYIN_TOKEN.findall(text)
        line = tuple(c if _PINYIN_RUN.fullmatch(c) else (lazy_pinyin(c) or [c])[0] for c in chars) \
            if len(text) <= 200 else ()
    else:
        chars = list(text)
        line = _syllables(text) if len(text) <= 200 else ()
    if len(line) != len(chars):
        return text              # pinyin did not map one syllable per character: leave the line as it is
    for alias, _ in aliases:
        if len(alias) < 3 or alias in text:
            continue
        target = _syllables(alias)
        n = len(target)
        for i in range(len(chars) - n + 1):
            if line[i:i + n] == target and "".join(chars[i:i + n]) != alias:
                chars[i:i + n] = list(alias)
    return "".join(chars)


_DISABILITY_LEVEL = re.compile(r"(智力|精神|肢体|视力|听力|言语|多重)(残疾)?[^，。？?]{0,2}[一二三四1-4]级")


def _cued(program: dict[str, Any], text: str) -> bool:
    """The line has a word of every cue group of the program and none of its excluded words."""
    cues = program.get("cues") or []
    return bool(cues) and all(any(w in text for w in group) for group in cues) \
        and not any(w in text for w in program.get("cues_exclude") or [])


def find_programs(text: str, engine: Optional[EligibilityEngine] = None) -> list[str]:
    """Programs a line names: by alias (longest first), else by cue words; both disability ones → BOTH."""
    engine = engine or get_engine()
    programs = _program_words(engine)
    aliases = _alias_pairs(engine)
    if not any(a in text for a, _ in aliases):
        plain = text.replace("的", "")          # "残疾人的补贴", "护理的补贴"
        text = plain if any(a in plain for a, _ in aliases) else homophone_aliases(text, aliases)
    else:
        text = homophone_aliases(text, aliases)   # "技能提生补贴跟培训补贴": one name typed right, one by sound
    found: list[str] = []
    rest = text
    for alias, pid in aliases:
        if alias in rest:
            owners = [p for a, p in aliases if a == alias]
            for p in owners:
                if p not in found:
                    found.append(p)
            rest = rest.replace(alias, "　")
    if found:
        # A second program asked only in words ("娃今年1月生的有育儿补贴不，我还想学个技术，考证有补贴吗").
        # Its cue words must stand outside the named program's clause: in "考个电工证，培训补贴能补多少" the
        # 补 is the named program's.
        own = " ".join(c for c in re.split(r"[，,。；;？?！! \t]", rest) if c and "　" not in c)
        found += [pid for pid, d in programs if pid not in found and pid not in DISABILITY and _cued(d, own)]
    if not found:
        found = _doc_programs(text, engine)   # "国发〔2015〕52号文讲的是啥"
    if not found and wants_both_disability(text):
        found = list(DISABILITY)              # "两个都问问" after a disability question
    if not found:
        found += [pid for pid, d in programs if _cued(d, text)]
        if found == ["childcare_subsidy"] and (_DISABILITY_LEVEL.search(text) or (
                DISABILITY_WORDS.search(text) and re.search(r"[一二三四1-4]级|低保|残疾证", text))):
            found = list(DISABILITY)    # "娃是智力二级…俩补贴都想申请": a disabled child's allowances, not 育儿补贴
        if not found:     # a term of one program's own ("长期照护", "培训合格证书", "初级中级高级")
            found += [pid for pid, d in programs if any(t in text for t in d.get("terms") or [])][:1]
        if not found and re.search(r"(旧|老|一代|二代|第二代|第一代)[^，。？?]{0,6}(残疾证|残疾人证)|(残疾证|残疾人证)[^，。？?]{0,8}(二代|第二代|换|认不认|还能用)", text):
            found += list(DISABILITY)          # "老早办的旧残疾证还能用不": what the two allowances require
        if not found and _DISABILITY_LEVEL.search(text) and \
                re.search(r"补贴|补助|津贴", text):
            found += list(DISABILITY)          # "娃是智力二级，家里低保，俩补贴都想申请"
        if not found and re.search(r"残疾|残联|残障|残疾证", text) and \
                re.search(r"补贴|补助|津贴|补的|(领|给|发|补|拿)[^，。]{0,6}钱|待遇|政策", text):
            found += list(DISABILITY)
    if len(set(found) & set(DISABILITY)) == 1 and _TWO_ALLOWANCES.search(text):
        found = list(DISABILITY) + [p for p in found if p not in DISABILITY]   # "两个补贴能不能都拿上"
    if set(DISABILITY) <= set(found):
        found = [BOTH] + [p for p in found if p not in DISABILITY]
    order = {p: text.find(p) for p in found}
    return found if len(found) < 2 else sorted(found, key=lambda p: order[p])


# A fact value that says nothing about which program the line is about ("退休了": person_category other).
_WEAK_FACT_VALUES = {("person_category", "other"),
                     ("claimed_same_level_before", True),    # "老大已经领过了": any program's, not a certificate's
                     ("claimed_same_level_before", False)}   # "以前一分钱没领过": nor is never having claimed


def programs_by_facts(facts: dict[str, Any], engine: EligibilityEngine) -> tuple[list[str], int]:
    """The programs most of the given facts belong to, counting only facts that one program alone asks
    ("交社保两年，考了个五级证" → 技能提升补贴; "初中毕业没上高中" → 职业培训补贴), and how many facts that is.
    Disability facts are shared and left to the disability cues."""
    owners: dict[str, list[str]] = {}
    for pid in engine.program_ids():
        for name in engine.program(pid).facts:
            owners.setdefault(name, []).append(pid)
    counts: dict[str, int] = {}
    for name, value in facts.items():
        own = owners.get(name) or []
        if len(own) == 1 and own[0] not in DISABILITY and (name, value) not in _WEAK_FACT_VALUES:
            counts[own[0]] = counts.get(own[0], 0) + 1
    top = max(counts.values(), default=0)
    return [p for p, n in counts.items() if n == top], top


_LEVEL_ON_CARD = re.compile(r"证上|证里|证上面|翻出证|拿出证|找出证|看了证|证[^，。？?没不]{0,4}写(的|着)|新证|换了证|换证")
_SKILL_CERT = re.compile(r"证书|职业|技能|工种|技师|技工|高级工|中级工|初级工|电工|焊工|厨师|考[了过下上出]")
_CHILD_PARENTS_WORK = re.compile(r"(儿子|儿媳|媳妇|闺女|女儿|女婿|他爸|他妈|她爸|她妈|爸妈|父母|爹妈|爹娘|大人)[^，。？?]{0,6}"
                                 r"(打工|务工|上班|干活|挣钱|外出)")


def _with_fact_programs(programs: list[str], text: str, facts: dict[str, Any], aspects: list[str],
                        engine: EligibilityEngine) -> list[str]:
    """Programs found by cue words alone ("娃…有补贴吗") give way to the program the resident's own facts are
    about ("娃今年初中毕业没上高中，去学了汽修"). With no program in the line, several facts of one program
    name it ("交社保两年了，今年九月考了个五级的证"); one fact alone does not ("高考一本线": a year is no
    certificate date). A program named by its name, or a comparison of two, is left as said."""
    implied, count = programs_by_facts(facts, engine)
    if not implied:
        return programs
    if {"difference", "combine"} & set(aspects):
        if len(programs) == 1 and programs[0] != BOTH:
            # "培训拿了个电工证，二小子今年三月生的，这两个补贴都能领不": the second one is another fact's program
            others = [p for p in engine.program_ids() if p not in programs and p not in DISABILITY and
                      any(programs_by_facts({k: v}, engine)[0] == [p] for k, v in facts.items())]
            return programs + others[:1] if len(others) == 1 else programs
        return programs
    if "deadline" in aspects and programs and not set(implied) & set(programs):
        return programs      # "拿到证以后多长时间之内要申请补贴": the time limit of the program the words name
    named = named_programs(homophone_aliases(text, _alias_pairs(engine)), engine)
    if not programs:
        # a child's birth date said of one's own child ("大的是2022年3月生的") belongs to 育儿补贴 alone
        # and a certificate level with a subsidy ("焊工中级补贴打到卡上了") is 技能提升补贴's
        if "childcare_subsidy" in implied and facts.get("child_birth_date") and len(implied) > 1:
            return ["childcare_subsidy"]   # "外孙女前年10月生的，她爸妈在外地打工…这个补贴": the child's, not the parents' work
        return implied if count >= 2 or (implied == ["childcare_subsidy"] and facts.get("child_birth_date")) \
            or (facts.get("certificate_level") and re.search(r"补贴|补助|补钱|补[^，。？?]{0,2}(多少|几个钱|多钱)", text)) else programs
    # ("听说娃有三百块一个月": a term of the program's own keeps it alone, though the parents' 打工 is a fact)
    if programs == ["childcare_subsidy"] and \
            set(implied) - {"childcare_subsidy"} <= {"vocational_training_subsidy", "skills_upgrade_subsidy"} \
            and count < 2 and _CHILD_PARENTS_WORK.search(text):
        return programs   # "俺儿子儿媳妇都在外头打工，娃跟着我…国家给小娃娃发钱": the parents' work, the child's money
    termed = [p for p in programs if p not in implied and p in engine.program_ids() and
              any(t in text for t in engine.program(p).data.get("terms") or [])]
    if termed and count < 2:
        return programs
    keep = [p for p in programs if p in named or p == BOTH or p in DISABILITY or p in implied
            or set(engine.program(p).facts) & set(facts)]
    # A named program is never joined by one the facts merely touch ("育儿补贴，我交了两年社保"), nor are a
    # disabled person's allowances by the child's age that the line mentions ("娃是智力二级…娃才七岁").
    if any(p == BOTH or p in DISABILITY for p in keep) and count < 2 and \
            facts.get("child_birth_date") and "/" in str(facts["child_birth_date"]):
        return keep
    return keep + [p for p in implied if p not in keep and not named]


# "想问护理补贴…算了那个先不问了，先说我孙子…育儿补贴咋弄", "技能提升补贴……那个怕是不行，那职业培训补贴呢":
# the resident dropped the first program; what they ask after the turn is what they want.
_CHANGE_OF_MIND = re.compile(r"算了|先不问|不问了|不说(那|这)个了?|先说|怕是不行|肯定不行|那个不行|够不上|换个|还是问问|还是说说|那就问问")


def _after_change_of_mind(programs: list[str], text: str, engine: EligibilityEngine) -> list[str]:
    """Programs named after the last change of mind, when some were named before it and some after."""
    turns = [m.end() for m in _CHANGE_OF_MIND.finditer(text)]
    if not turns or len(programs) < 2:
        return programs
    later = find_programs(text[turns[-1]:], engine)
    return later if later and set(later) < set(programs) | {BOTH} else programs


def _both_by_facts(programs: list[str], facts: dict[str, Any], engine: EligibilityEngine) -> list[str]:
    """One disability allowance found, and the facts bear on the other too ("多重残疾 二级 家里低保"): both."""
    found = [p for p in programs if p in DISABILITY]
    if len(found) != 1:
        return programs
    other = next(p for p in DISABILITY if p != found[0])
    own = set(engine.program(other).facts) - set(engine.program(found[0]).facts)
    if not own & set(facts):
        return programs
    return [BOTH if p == found[0] else p for p in programs]


def is_question(text: str) -> bool:
    """The line asks something of its own ("残联在哪", "低保怎么申请"), rather than only telling a fact."""
    return bool(_QUESTION.search(to_standard(normalize(text or ""))))


def find_aspects(text: str, lexicon: Optional[Lexicon] = None) -> list[str]:
    lexicon = lexicon or load_lexicon()
    return [name for name, pattern, unless in lexicon.aspects
            if pattern.search(text) and not (unless and unless.search(text))]


def asks_personally(text: str, lexicon: Optional[Lexicon] = None) -> bool:
    """Does the speaker ask about their own (or their family's) case? "我能领吗", "俺娃能领多少"."""
    lexicon = lexicon or load_lexicon()
    core = lexicon.personal_strip.sub("", text)
    if lexicon.family_case.search(core):
        return True                  # "娃是智力残疾", "弟弟精神残疾证是四级的": a family member's own case
    if not lexicon.first_person.search(core):
        return False
    return any(p.search(core) for p in lexicon.personal)


def _place(text: str, hint_city: Optional[str] = None) -> tuple[dict[str, Optional[str]], list[str], Optional[str]]:
    """City/county/town named in the line; an ambiguous name ("城区") comes back as its candidate cities and the
    question to ask, unless the city already known (`hint_city`) settles it."""
    place: dict[str, Optional[str]] = {"city": None, "county": None, "town": None}
    for res in find_places(text):
        cands = res.candidates
        hint = place["city"] or hint_city
        if len(cands) > 1 and hint:
            cands = [c for c in cands if c.city == hint] or cands
        if len({c.city for c in cands}) > 1:
            return place, sorted({c.city for c in cands if not c.former_name}), res.clarifying_question()
        c = cands[0]
        if place["county"] and c.level == "city":
            continue   # "岢岚县农村的，在太原打工": the county named keeps its own city
        place["city"] = c.city
        if c.level == "county":
            place["county"] = c.name
        elif c.level == "town":
            place["county"], place["town"] = c.county, c.name
    return place, [], None


_CERT_OBTAINED = re.compile(r"(?<!残疾)(?<!残疾人)(?:拿|考|取得|领)(?:了|到|下|上)?(?:个)?证|发证|核发|"
                            r"(?<!残疾)(?<!残疾人)证书?[^，。？?]{0,2}(?:下来|发下来|到手|拿到手)")   # "证书下来一年半了"
_CERTIFICATE_ASKED = re.compile(r"(?:残疾)?等级[^，。？?]{0,4}评|哪(?:儿|里|达|搭)?(?:去)?评|评(?:残疾)?等级|残疾(?:人)?证[^。？?]{0,8}?办|(?:办|申请|申领|补办|换)[^，。？?]{0,2}(?:残疾(?:人)?)?证|残疾(?:评定|鉴定)|评残")


def _program_of_table(text: str, engine: EligibilityEngine) -> list[str]:
    """The program whose amount table (a parameter of several figures, in its rules file) the line quotes, two
    figures or more ("1000 1500 2000" is 技能提升补贴's)."""
    said = set(re.findall(r"(?<![\d.])\d{3,5}(?![\d.])", text))
    if len(said) < 2:
        return []
    for p in engine.programs():
        for param in engine.program(p["id"]).data.get("parameters", {}).values():
            for dated in param.get("values") or []:
                value = dated.get("value")
                figures = {str(v) for v in value.values()} if isinstance(value, dict) else set()
                if len(figures & said) >= 2:
                    return [p["id"]]
    return []


# "国发2015年52号", "国发[2015]52号", "人社部发（2017）第40号": a document number as typed, read in its
# official form (国发〔2015〕52号) so the rules files' doc_number finds it.
_DOC_NUMBER = re.compile(r"(?P<org>[\u4e00-\u9fff]{1,6}?(?:发|社|字))\s*[〔\[［(（【]?\s*(?P<y>(?:19|20)\d\d)\s*"
                        r"[〕\]］)）】]?\s*年?\s*(?:的)?\s*第?\s*(?P<n>\d{1,4})\s*号")


def official_doc_numbers(text: str) -> str:
    return _DOC_NUMBER.sub(lambda m: f"{m.group('org')}〔{m.group('y')}〕{m.group('n')}号", text)


def _doc_programs(text: str, engine: EligibilityEngine) -> list[str]:
    """Programs whose own document (a source their "what" statement cites, not the plan) the line names."""
    found = []
    for pid, d in _program_words(engine):
        keys = {(i.get("reference") or {}).get("source") for i in (d.get("info") or {}).get("what") or []}
        numbers = [(d.get("sources") or {}).get(k, {}).get("doc_number") or "" for k in keys if k]
        if any(n and "〔" in n and n in text for n in numbers):
            found.append(pid)
    return found


def _raw_line(text: str, lexicon: Lexicon) -> str:
    raw = official_doc_numbers(pauses_to_commas(normalize(text or "").strip()))
    for word, standard in lexicon.older_words.items():
        raw = raw.replace(word, standard)
    for slip, word in lexicon.slips:
        raw = slip.sub(word, raw)
    return homophone_aliases(raw, lexicon.homophone_terms)   # "残疾正" → 残疾证, "所得水" → 所得税


def standard_text(text: str) -> str:
    """The line as read_line reads it: normalized, homophones mended, 晋语 words in standard Chinese."""
    return to_standard(_raw_line(text, load_lexicon()))


def read_line(text: str, *, today: Optional[dt.date] = None, asking: Optional[str] = None,
              context_programs: Optional[list[str]] = None, intent: Optional[str] = None,
              hint_city: Optional[str] = None, engine: Optional[EligibilityEngine] = None) -> Reading:
    """Read one resident line. `asking` is the fact just asked (a form is open); `context_programs` the
    programs the conversation is about (a bare "怎么申请" then asks about them); `intent` is Rasa's hint;
    `hint_city` the city already known, which settles an ambiguous county name."""
    engine = engine or get_engine()
    lexicon = load_lexicon()
    line = text or ""
    raw = _raw_line(text, lexicon)
    text = to_standard(raw)   # 晋语 words read as standard Chinese (俺→我, 甚→什么, 年时→去年)
    today = today or today_shanghai()
    programs = find_programs(text, engine)
    aspects = find_aspects(text, lexicon)
    extracted = extract_facts(raw, today, asking=asking, engine=engine) if raw else {"facts": {}, "unknown": []}
    facts = dict(extracted.get("facts") or {})
    if asking is None and "certificate_level" in facts and "disability_level" not in facts and context_programs and \
            set(members_of(list(context_programs))) <= set(DISABILITY) and not _SKILL_CERT.search(text):
        # "去年又重新评了一回，新证上写的是二级了" in a conversation about the care allowance: the disability's
        # level on the new 残疾证, not a skills certificate's
        again = extract_facts(raw, today, asking="disability_level", engine=engine)
        if "disability_level" in (again.get("facts") or {}):
            facts.pop("certificate_level")
            facts["disability_level"] = again["facts"]["disability_level"]
    if asking is None and "disability_level" in facts and context_programs and _LEVEL_ON_CARD.search(text) and \
            set(members_of(list(context_programs))) <= set(DISABILITY):
        facts.setdefault("has_disability_certificate", True)   # "翻出证看了，写的是一级": the card is in hand
    if asking is None and not facts and context_programs and extracted.get("correction"):
        # "哎呀说错了，不是21年，是22年11月5号": a corrected date in a conversation about one program is that
        # program's one date fact (the birth date, the certificate's date)
        dated = list(dict.fromkeys(f for p in members_of(list(context_programs)) if p in engine.program_ids()
                                   for f, spec in engine.program(p).facts.items()
                                   if (spec.get("words") or {}).get("parse") == "date"))
        if len(dated) == 1:
            again = extract_facts(raw, today, asking=dated[0], engine=engine)
            if dated[0] in (again.get("facts") or {}):
                extracted, facts = again, {dated[0]: again["facts"][dated[0]]}
    if asking is None and facts.get("receives_orphan_allowance") is False and "孤儿" not in text and \
            (not any(p in DISABILITY or p == BOTH for p in programs) if programs else not DISABILITY_WORDS.search(text)):
        # "听村里婆姨们说生了娃国家给补钱", "孙子三岁以下的都能领那个钱不": a family word rules out an orphan
        # only in a disabled person's case ("我妈妈是二级肢体残疾")
        del facts["receives_orphan_allowance"]
    if asking is None:
        programs = _after_change_of_mind(programs, text, engine)
    if asking is None and facts:
        programs = _with_fact_programs(programs, text, facts, aspects, engine)
        if programs == ["childcare_subsidy"] and facts.get("person_category") and _CHILD_PARENTS_WORK.search(text):
            del facts["person_category"]   # the child's parents' work: no fact of the case asked about
        if not named_programs(text, engine) and not {"difference", "combine"} & set(aspects):
            programs = _both_by_facts(programs, facts, engine)
    if asking is None and not programs and facts.get("disability_type") and \
            re.search(r"补贴|补助|(给|发|补|有)[^，。？?]{0,2}钱|钱[^，。？?]{0,2}(给|发|补)", text):
        programs = [BOTH]     # "俺腿脚不好 家里吃低保 政府有钱给不": a disabled person asks what they get
    if asking is None and not programs and lexicon.family_case.search(lexicon.personal_strip.sub("", text)) and \
            "残疾" in text and re.search(r"申请|申领|领|办|补贴|补助|给钱|发钱", text) and \
            not _CERTIFICATE_ASKED.search(text):
        programs = [BOTH]     # "我孩子是残疾，我当妈的能替他申请不": a disabled family member's allowances
    place, ambiguous, place_question = _place(text, hint_city)
    # The two disability allowances are applied for where the 户口 is ("户口在岚县老家，现在在万柏林住"):
    # the county of the 户口 clause is the place, not where the family lives now.
    if programs and all(p in DISABILITY or p == BOTH for p in programs):
        hukou_clause = next((c for c in re.split(r"[，,。；;！!？?\s]", text) if re.search(r"户口|户籍", c)), "")
        at_hukou = _place(hukou_clause, hint_city) if hukou_clause else None
        if at_hukou and at_hukou[0].get("county") and at_hukou[0] != place:
            place, ambiguous, place_question = at_hukou
    office_types = office_types_from_text(text)
    # "残疾证在哪办", "还没残疾证呢 想先办个证 去哪办": getting the certificate (残疾评定) is the 残联's work.
    about_disability = "残疾" in text or bool(set(context_programs or []) & {"disability_living_allowance",
                                                                          "disability_care_allowance"})
    if not office_types and not programs and {"where", "how_to_apply"} & set(aspects) and about_disability \
            and facts.get("has_disability_certificate") is not True and _CERTIFICATE_ASKED.search(text):
        office_types = ["disability_federation"]
    details = bool(lexicon.office_details.search(text))
    other = lexicon.other_provinces.search(text)
    # "河南户口在泽州县打工", "外省来山西打工的": a Shanxi case with its hukou elsewhere, not another province's policy.
    # ("咱山西有育儿补贴没 还是外省才有": Shanxi's own program asked, another province only as a contrast)
    if other and (re.search(r"户口|户籍|打工|嫁|迁|住着|住在|来山西|回山西|回来|老家山西|老家是山西|山西的|人在外|在山西|跨省", text)
                  or other.group(0) in ("外省", "别的省", "其他省") and re.search(r"(咱|我们|俺们|俺|我)山西|山西有", text)) and \
            not re.search(r"比|哪个高|哪个多|给得多|标准", text) and \
            not any(other.group(0) in c and re.search(r"多少|几个钱|多钱|咋样", c) for c in re.split(r"[，,。；;？?！!]", text)):
        other = None                   # (but "内蒙古护理补贴是多少，俺妈户口在那边" asks that province's amount)
    # "想去北京当保姆": going to work there; the training and its subsidy are still asked of Shanxi.
    if other and re.search(r"(去|到|在)$", text[:other.start()]) and \
            re.match(r"(当|做|干|上班|工作|务工|带娃|看孩子|陪|看病|治病|住院|打工|住)", text[other.end():]):
        other = None
    benefit = lexicon.other_benefits.search(text)
    if benefit and programs and not named_programs(text, engine):
        programs = []                  # cue words only, and the line names another benefit
    question = is_question(text)
    # "四级证书补贴", "三级残疾 护理补贴": a note of a few words, a fact and a program, asks what applies
    if not question and programs and len(re.sub(r"[\s，,。！!]", "", text)) <= 10 and \
            any(f in text for f in ("级", "证", "岁", "低保")):
        question = True
    personal = asks_personally(text, lexicon)
    # (低保 is the living allowance's own condition: "生活补贴和低保金是不是只能二选一" is answered by its rule)
    own_condition = bool(benefit and benefit.group(0).startswith("低保") and
                         "disability_living_allowance" in members_of(programs))
    combine_other = bool(benefit and programs and "combine" in aspects and not own_condition) or \
        bool(benefit and programs and any(benefit.group(0) in c and _FIGURE.search(c) and not named_programs(c, engine)
                                          for c in re.split(r"[，,。；;？?！!]", text)))
    # ("生育津贴能领多少，跟育儿补贴有关系不": the figure is asked of the other benefit)
    matched = [(reason, label) for reason, label, p in lexicon.not_in_sources if p.search(text)]
    unsupported = next(((reason, label) for reason, label in matched
                        if not (programs and set(members_of(programs)) <= lexicon.not_for.get(reason, set()))), None)
    if unsupported and unsupported[0] == "actual_statistic" and re.search(r"20(?:1\d|20)年|十三五", text) and \
            not re.search(r"现在|目前|今年|眼下|如今|当前", text):
        unsupported = None             # "2020年两项补贴覆盖率到多少了": the plan's baseline, not a current figure
    if unsupported and unsupported[0] == "trustworthiness" and programs and _RUMOUR.search(text) and \
            not re.search(r"机构|学校|培训班|中介|公司", text):
        unsupported = None             # "听广播说养娃有补助 靠谱不": whether the program is real, which is answered
    if unsupported and re.search(r"规划(里|上|中)|规划(说|提|写)", text) and \
            unsupported[0] in ("opening_business", "local_implementation", "future_change"):
        unsupported = None             # "单位能自己办托儿所吗 规划里说没说": what the plan says, from the plan
    if unsupported and unsupported[0] == "future_change" and "tax_income" in aspects and "低保" in text:
        unsupported = None             # "领了育儿补贴低保会不会给取消了": whether it counts as income, which is answered
    if unsupported and unsupported[0] == "office_hours" and office_types and (place.get("county") or place.get("city")) \
            and not programs:
        unsupported = None             # "尧都区民政局几点上班": that office's card, with its phone to ask
    # "小店区有几家普惠托育", "太原哪有城市书房": what is where in one place, which the plan does not list
    if not unsupported and not programs and not office_types and not benefit and \
            (place.get("county") or place.get("city") or _OWN_PLACE.search(text)) and _LOCAL_FACILITY.search(text):
        unsupported = ("local_facility", "具体地方的设施、机构数量和位置")
    if not unsupported and not programs and (_plan_words(text) or _PLAN_HELP.search(text) or _PLAN_MEASURE.search(text)) \
            and _LOCAL_YES_NO.search(text) and \
            (place.get("county") or place.get("city") or _OWN_PLACE.search(text)):
        # "寿阳县给不给残疾人代缴养老保险": the plan supports it where conditions allow; whether one county does,
        # no source says
        unsupported = next(((r, label) for r, label, _ in lexicon.not_in_sources if r == "local_implementation"), None)
    core = lexicon.personal_strip.sub("", text)
    bare = bool(programs) and not aspects and not facts and _is_bare(core, engine)
    if not programs and "related" in aspects and not benefit:
        programs = ["childcare_subsidy"]
    if not programs and not benefit and "deadline" in aspects and _CERT_OBTAINED.search(text):
        programs = ["skills_upgrade_subsidy"]   # "拿了证多长时间以内要去申请"
    if not programs and not benefit:
        programs = _program_of_table(text, engine)   # "补贴1000 1500 2000是固定给的吗": that program's table
    if not programs and {"who", "documents"} & set(aspects) and re.search(r"残疾(?:人)?证", text) and not benefit:
        programs = ["disability_both"]          # "申请要的残疾证是老的还是新的": the certificate the two subsidies need
    # A fact with a first-person or family word ("俺娃2023年6月生的") makes it the speaker's case; a general
    # question that merely contains a number ("3岁以上还能领吗") does not.
    own_facts = bool(facts) and (asking is not None or bool(lexicon.first_person.search(core))
                                 or not question or bool(re.search(r"\d{4}年|[零〇一二三四五六七八九]{4}年|\d+月\d+[日号]|\d{2}年\d{1,2}月|"
                                                                   r"\d{4}[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?|出生日期|发证日期", text))
                                 or _stated_fact(raw, today, asking, engine))
    # "护理补贴 我腿不好": the program and the speaker's own situation, asking nothing: their own case.
    if programs and not question and not aspects and lexicon.first_person.search(core) and not bare:
        personal = True
    if programs and not personal and not facts and not aspects and _only_asks_can_i(core, engine):
        personal = True
    # "今年六月刚毕业 在报一个培训班 职业培训补贴能领吗": the speaker's own situation, said without 我.
    if programs and not personal and question and (_ENDS_CAN_I.search(core) or
                                                   _ENDS_CAN_I.search(_without_program_names(core, engine))) and \
            _LIFE_EVENT.search(_without_program_names(core, engine)):
        personal = True
    # "我怀孕六个月了，育儿补贴现在能先申请上吗": the speaker's own unborn child, a case the form answers
    # (not yet; when and how after birth), not a general question about who qualifies.
    if extracted.get("unborn") and "childcare_subsidy" in programs and \
            (lexicon.first_person.search(core) or _EXPECTING.search(core)) \
            and not set(aspects) & {"documents", "tax_income", "difference", "combine"}:
        personal = True
    # "是不是得低保户才能领", "家里吃低保的残疾人还能再拿生活补贴吗": a requirement or a kind of person, asked
    # in general; the facts in it are conditions, not the speaker's own (unless they say 我/俺 of themselves).
    # "一级跟二级的护理补贴 钱数一样不一样": two levels compared, no one's own level
    if facts and re.search(r"[一二三四1-4]级(的)?(跟|和|与|同|还是|比)[一二三四1-4]级", text):
        facts, personal, own_facts = {}, False, False
    # "残疾娃不满三岁 育儿补贴和残疾人补贴能一起领不": whether programs combine, asked of a kind of child; an age
    # given only as a range ("不满三岁") says which kind, not a birth date to check.
    if "combine" in aspects and len(set(members_of(programs))) >= 2 and facts and \
            all("/" in str(v) for v in facts.values()):
        facts, personal, own_facts = {}, False, False
    requirement = _REQUIREMENT.search(text)
    if requirement and _RUMOUR.match(requirement.group(0)) and \
            _stated_fact(text[:requirement.start()] + "，" + text[requirement.end():], today, asking, engine):
        requirement = None             # "孙子22年5月生的…听说还能补几个月的 真的假的": checked against their child
    kind_of_person = _KIND_OF_PERSON.search(core)
    if kind_of_person and _SPECIFIC_DAY.search(kind_of_person.group(0)):
        kind_of_person = None          # "去年9月生的娃": one child born in a named month, not a kind of child
    if facts and programs and not extracted.get("unborn") and \
            (requirement or (kind_of_person and not _SELF.search(text))):
        facts, personal, own_facts = {}, False, False
        if "who" not in aspects:
            aspects = aspects + ["who"]
    # "21年的娃有育儿补贴没", "俺们农村的娃 育儿补贴也有吗": whether a kind of person gets it, asked in general
    if programs and not aspects and not facts and not personal and question and \
            (_ASKS_ABOUT.search(text) or re.search(r"有[^，。？?]{0,8}(没|吗|么|不|没有)[？?。！!\s]*$|也有", text)) and \
            _KIND_OF_PERSON.search(core) and not _SELF_ONE.search(text):
        aspects = ["who"]
    # "我在尧都区，哪里能办两项补贴" asks where to apply, not whether the speaker qualifies.
    if personal and not facts and set(aspects) & APPLYING and not _ASKS_ELIGIBILITY.search(core) and \
            not extracted.get("unborn"):
        personal = False
    # "我想咨询一下技能提升补贴需要满足哪些条件才可以申请": the conditions, asked with nothing of their own.
    if personal and not facts and _ASKS_CONDITIONS.search(text) and not _OWN_CHILD.search(core):
        personal = False
        if "who" not in aspects:
            aspects = aspects + ["who"]
    if benefit and not programs:
        facts, own_facts, personal = {}, False, False     # facts about another benefit are not our form's
        if (_FIGURE.search(text) or _ASKS_ABOUT.search(text)) and not unsupported and not _plan_words(text) and \
                not (_PLAN_HELP.search(text) and not _FIGURE.search(text)):
            # ("残疾人交养老保险 政府给不给代缴" asks of the plan's 代缴补助; "一年代缴多少" a figure no source gives)
            unsupported = ("other_benefit", benefit.group(0))   # ("医保参保率目标是多少" is the plan's indicator)
    # "工伤的伤残津贴跟护理补贴能一起拿不": whether another benefit combines with ours, no source says.
    if combine_other and not unsupported:
        unsupported = ("other_benefit", benefit.group(0))
    # "单位以前没给交失业保险 俺自己补交了": contributions once missing and since paid are not none; how many
    # count, the resident did not say
    if unsupported and unsupported[0] == "back_payment" and facts.get("unemployment_insurance_months") == 0:
        del facts["unemployment_insurance_months"]
        own_facts = own_facts and bool(facts)
    # "2027年以后生的娃还有没有育儿补贴": a year still to come asks what no source can say yet.
    if programs and not unsupported and not _plan_words(text) and \
            any(today.year < int(y) <= today.year + 10 for y in re.findall(r"(?<!\d)(20\d\d)(?=\s*年)", text)):
        unsupported = ("future_change", "以后的政策调整")
    # A question about how the program works (documents, tax, time limits…) is answered, even when the line
    # carries the speaker's facts; "我能领吗", or facts with who/amount/where, make it their own case.
    info_aspects = set(aspects) & {"what", "documents", "difference", "tax_income", "related"}
    if "childcare_subsidy" not in programs:
        info_aspects.discard("related")      # "在托育园上班": where they work, not a question about 托育
    if own_facts and not personal and info_aspects and question and not _asks_own_eligibility(core) and \
            not (info_aspects <= {"documents"} and lexicon.first_person.search(core)) and \
            not (info_aspects <= {"documents", "related"} and "childcare_subsidy" in find_programs(text, engine)
                 and _stated_fact(raw, today, asking, engine)) and \
            not ("amount" in aspects and re.search(r"(?<!\d)\d{2,4}年\d{1,2}月|[今去前]年[^，。？?]{0,2}月", text)):
        # ("娃24年12月生的，育儿补贴咋算，另外个税是不是也能抵": their own child's amount is worked out)
        own_facts = False    # ("我家二宝今年七月出生的…需要什么材料": their own case, the materials answered first)
    # "娃娃今年六月刚过了三岁生日 听人说还能领一笔 是真的不": a rumour checked against one's own child's facts
    if facts and programs and not own_facts and set(info_aspects) <= {"what"} and _RUMOUR.search(text) and \
            _stated_fact(raw, today, asking, engine):
        own_facts = True
    # "肢体三级的，能不能领护理补贴": a kind of person asking to qualify is checked as a case (the general
    # answer still comes first, see actions/understanding.answer_first).
    if facts and not own_facts and programs and _ASKS_ELIGIBILITY.search(core) and not info_aspects:
        own_facts = True
    # "俺舅在服刑，补贴还发不发", "住进养老院了护理补贴还给不给": whether a situation the resident names still
    # gets it, when none of the program's facts is in it and no item of its knowledge is asked by these words:
    # no source settles it; the rule itself follows, labelled as related.
    if programs and not unsupported and not facts and question and _STILL_GETS.search(text) and \
            not set(aspects) - {"who", "what"} and not office_types and not _asked_about(programs, text, engine):
        unsupported = next(((reason, label) for reason, label, _ in lexicon.not_in_sources if reason == "special_case"),
                           None)
    # "对户口有要求没", "娃没按时打疫苗是不是就不给了": a condition no fact or knowledge item of the program covers.
    if programs and not unsupported and question:
        unsupported = _unstated_condition(programs, text, facts, aspects, engine, lexicon)
    # "农村出去打工的 参加培训给补贴不": a kind of person and a program, asked in general: who qualifies.
    if programs and not aspects and facts and question and not (personal or own_facts) and not _SELF.search(text) \
            and set(facts) <= _KIND_FACTS and not re.search(r"比|还是", text):
        aspects = ["who"]
    reading = Reading(text=text, kind=OTHER, programs=programs, aspects=aspects, personal=personal or own_facts,
                      bare_program=bare, facts=facts, unknown=list(extracted.get("unknown") or []),
                      approximate=list(extracted.get("approximate") or []), place=place,
                      place_ambiguous=ambiguous, place_question=place_question, office_types=office_types,
                      wants_office=bool(office_types) and (details or "where" in aspects or not programs)
                      or (details and bool(place.get("city") or place.get("county"))
                          and bool(office_types or programs or "where" in aspects))
                      or (bool(_HOTLINE.search(text) or hotlines_asked(text)) and not programs),
                      other_province=other.group(0) if other else None, not_in_sources=unsupported,
                      other_benefit=benefit.group(0) if benefit and not programs else None,
                      with_benefit=benefit.group(0) if benefit and programs and not own_condition else None,
                      question=question,
                      correction=bool(extracted.get("correction")))
    if not reading.programs and context_programs and aspects and not office_types and not reading.other_province \
            and not _plan_words(text):
        reading.programs = list(context_programs)
    reading.kind = _kind(reading, intent)
    # A program question the rules found nothing unstated in, shaped like the questions no source answers
    # ("育儿补贴的钱是打到娃爸账户还是娃妈账户"): the learned second opinion makes it an honest no.
    # (a question the lexicon marks as answered for this program, "育儿补贴有没有年龄限制", is not second-guessed)
    if second_opinion_applies(reading, asking) and not (
            programs and any(set(members_of(programs)) <= lexicon.not_for.get(reason, set()) for reason, _ in matched)):
        from bot.understanding.answerability import get_model

        model = get_model()
        if model is not None and model.unanswerable(line):
            reading.not_in_sources = ("unstated_detail", _asked_label(raw))
            reading.kind = _kind(reading, intent)
    return reading


def second_opinion_applies(reading: Reading, asking: Optional[str] = None) -> bool:
    """A question about a program, outside a form's question, in which the rules found nothing unstated."""
    if reading.aspects == ["amount"] and reading.members and all(
            (get_engine().program(p).data.get("amount") or {}).get("none_note")
            for p in reading.members if p in get_engine().program_ids()):
        return False      # "山西护理补贴一个月多少钱": the amount answer itself says the province sets it
    return reading.kind in (PROGRAM_INFO, PERSONAL_CASE) and asking is None and reading.question and \
        not reading.not_in_sources and not reading.other_province and not reading.bare_program


_LEADING_NOTE = re.compile(r"^(?:来电人|市民|群众|工单)[^：:，,]{0,8}[：:，,]?|^(?:请问|问一下|我想问|想问)(?:一下)?[，,]?")


def _asked_label(text: str) -> str:
    """How an honest no names what was asked: the asking clauses, quoted, shortened on a phone."""
    asked = _LEADING_NOTE.sub("", question_part(text) or text).strip("，,。；;！!？? ")
    if len(asked) > 24:
        asked = asked[:23] + "…"
    return f"您问的“{asked}”" if asked else "您问的这一点"


# "没有证的话", "三级残疾的" (a kind of person); but "三月出生的", "去年发的" state when something happened.
def question_part(text: str) -> str:
    """The clauses of a line that ask something or set a condition ("没有证的话"), without those that only state
    the speaker's facts ("有残疾证，肢体三级"): what a specific answer should be matched against."""
    parts = re.findall(r"[^，,。；;！!？?\n]+[，,。；;！!？?]?", text or "")
    return "".join(c for c in parts if is_question(c) or _CONDITION.search(c.strip("，,。；;！!？? ")))


_CONDITION = re.compile(r"(的话|的时候|(?<![生办发评考拿领交])(?<!生下)(?<!考下)(?<!办下)(?<!批下)(?<!拿下)的|时)$|^(如果|要是|假如|假设|万一|若是|若)")


def _stated_fact(raw: str, today: dt.date, asking: Optional[str], engine: EligibilityEngine) -> bool:
    """A clause that states a fact and asks nothing ("娃两岁半了，…", "下岗了，登记了失业，…") tells the
    speaker's own case, even when the line ends with a general-sounding question."""
    for clause in re.split(r"[，,。；;！!\n]", raw):
        clause = clause.strip()
        if _CONDITION.search(clause):
            continue                 # "没有残疾证的话", "三级残疾的": a condition or a kind of person, not a case
        if clause and not is_question(clause) and \
                (extract_facts(clause, today, asking=asking, engine=engine).get("facts") or {}):
            return True
    return False


_ASKS_CONDITIONS = re.compile(r"(哪些|什么|啥|甚么|甚|哪几个|哪几条|有没有)(条件|要求|资格|门槛)|条件是(什么|啥|甚)|"
                              r"(需要|要|得)满足|要求是(什么|啥|甚)|(够|符合)(什么|啥|甚|哪些)")
_REQUIREMENT = re.compile(r"(只有|非得|必须|得是|是不是也?得|是不是要|是否得|是否必须|一定要|一定得)[^，,。？?]{0,10}才(能|可以|给|行|有|算|认)|"
                          r"是不是[^，,。？?]{0,8}才(有|能|给|认|算)|"
                          r"(听人说|听说|听别人说|有人说|网上说|人家说)[^。？?]{0,30}(真的假的|是真的吗|真的吗|是不是真的|靠谱吗)")
# "还发不发", "还给不给", "还能领吗": whether something still gets it.
_STILL_GETS = re.compile(r"(还|也|照样|仍然|依然)(能|可以|能不能|可不可以)(再)?(领|申请|拿|享受|申领)|"
                         r"(还|也|照样)(给|发)(不|吗|么|没)")


def _asks_own_eligibility(core: str) -> bool:
    """A clause that states facts and asks whether they qualify ("去年9月生的娃，育儿补贴能领吧？还有个税…"):
    their own case is checked, and the other question answered first."""
    return bool(_ASKS_ELIGIBILITY.search(core))


# Aspects whose own answer already meets a condition question ("要不要求带结婚证" is the documents answer).
_ANSWERED_ASPECTS = {"where", "documents", "deadline", "amount", "tax_income", "combine", "difference"}
# What the programs' rules are made of: ages, months, levels, years. A condition in these terms is the rule's own
# ("三岁以后是不是就不给了"), answered by it.
_RULE_MEASURE = re.compile(r"[0-9一二三四五六七八九十两]+\s*(?:周岁|岁|个月|月|年|级)|几级|多大|多早|多晚|哪年|岁数|年龄|证书|残疾证|低保|失业保险|等级|时间|日子|期限|晚了|分界|界限")
_FILLER = re.compile(r"^(?:那个|这个|请问|我想问|想问|问一下|就是|那|这|们|的)+|(?:的话|了|吗|呢|吧|啊|呀|的)+$")


def _unstated_condition(programs: list[str], text: str, facts: dict[str, Any], aspects: list[str],
                        engine: EligibilityEngine, lexicon: Lexicon) -> Optional[tuple[str, str]]:
    """(special_case, label) when the line asks whether a condition or detail the resident names applies, and
    neither the program's facts, nor its rule's own measures, nor an item of its knowledge covers it."""
    if set(aspects) & _ANSWERED_ASPECTS:
        return None
    members = members_of(programs)
    own = {name for p in members if p in engine.program_ids() for name in engine.program(p).facts}
    if set(facts) & own:
        return None
    for clause in re.split(r"[，,。；;！!？?\n]", text):
        clause = _without_program_names(clause, engine).strip()
        for label, pattern in lexicon.unstated_conditions:
            m = pattern.search(clause)
            if not m:
                continue
            named = _FILLER.sub("", next((g for g in m.groups() if g), "").strip())
            if "{x}" in label and not (2 <= len(named) <= 14):
                continue
            if (named and _RULE_MEASURE.search(named)) or _asked_about(programs, text, engine):
                return None
            return ("special_case", label.format(x=named))
    return None


def _asked_about(programs: list[str], text: str, engine: EligibilityEngine) -> bool:
    """Some item of the programs' knowledge is asked by the line's words (its `ask` groups all match)."""
    from bot.program_info.compose import asked_points, expand_programs

    progs = [engine.program(p) for p in expand_programs(programs, engine)]
    return bool(asked_points(progs, text, []))


# Facts that make a kind of person ("农村出去打工的", "吃低保的"), as opposed to a level or a need compared.
_KIND_FACTS = {"person_category", "household_dibao", "household_low_income", "hukou_in_shanxi"}
_KIND_OF_PERSON = re.compile(r"(?:^|[：:，,\s])非[^，,。？?\s]{1,6}(?:残疾人|家庭|人员|户|职工)|"
                             r"[^，,。？?\s]{1,12}的(残疾人|残疾娃|人|娃娃?|孩子|小孩|老人|职工|工人|人员|学生|毕业生|家庭|户)"
                             r"(?=$|[\s，,？?]|还|能|可以|有没有|算|也|都|是不是|咋|怎么|给不给|学|上|参加|去|有)")
# "俺屋里有个碎娃娃", "我家刚生了个小子": the speaker has a child of their own, a case to check.
_OWN_CHILD = re.compile(r"(我|俺|咱)(们)?(家|屋里|家里|屋)?(里)?(有|生了|添了)(个|一个|两个|俩|了个)[^，,。？?]{0,3}(娃|孩子|宝宝|小孩|小子|闺女|儿子|女儿)")
_RUMOUR = re.compile(r"听[^，。？?]{0,4}说|听人说|听说|听别人说|有人说|网上说|人家说|是真的|真的假的|是不是真的")
# A named month or day ("去年9月", "24年最后一天", "3月15号"): when one particular child was born.
_SPECIFIC_DAY = re.compile(r"(\d{2,4}|[今去前]|大前)年[^，,。？?的]{0,3}?(\d{1,2}|[一二三四五六七八九十]{1,3})月|"
                           r"\d{1,2}月\d{1,2}[日号]|年(的)?(最后一天|头一天|第一天|元旦)|\d{4}[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?|"
                           # "22年情人节生的娃", "去年国庆生的": a holiday of a named year is one day too
                           r"(\d{2,4}|[今去前]|大前)年[^，,。？?的]{0,2}?(圣诞|平安夜|国庆|劳动节|五一|儿童节|六一|情人节|妇女节|三八|"
                           r"教师节|植树节|建党节|七一|建军节|八一|腊月|正月|冬月)")
_SELF_ONE = re.compile(r"我(?!们)|俺(?!们)|咱(?!们)|本人|自己|自个")
_SELF = re.compile(r"我|俺|咱|本人|自己|自个")
_ENDS_CAN_I = re.compile(r"(能|可以|能不能|可不可以)(领|申请|拿|享受|办|补钱|补点|补|给钱|给补)(吗|不|没|么|嘛|呢)?[？?。！!\s]*$")
_LIFE_EVENT = re.compile(r"双胞胎|龙凤胎|三胞胎|俩娃|两个娃|刚毕业|毕业了|下岗|失业了|退休了|生了|刚生|出生了|怀孕了|考了|考下|拿了证|拿到证|参加了|在报|报了|在学|学了|"
                         r"打工|上班|干活|瘫了|评了|办了证|记不清|不记得|忘了|证上写|证上是|证上印|有残疾证|有证|"
                         r"证(是)?(初级|中级|高级|[一二三四五]级)的|(初级|中级|高级)的?[^，。？?]{0,3}证")
# The plan's own measures and indicators: a rate asked ("持证率2020年是多少") is the plan's, none of the programs
# has one.
_PLAN = re.compile(r"规划|十四五|十三五|2035|目标|指标|行动计划|工程|专栏|高品质|覆盖率|覆盖了|覆盖到|覆盖多少|覆盖面|参保率|托位数|床位|预期寿命|动态调整机制"
                   r"|(?:单位|用人单位|企业|公司|厂里|工厂|机关)[^，。？?]{0,6}(?:办|举办|开|建)[^，。？?]{0,4}(?:托儿所|托育|托班|幼儿园)"
                   r"|人次|示范城市|示范区|先行区|普惠托育|普惠性|创建[^，。？?]{0,6}(城市|示范|县|区)|政府[^，。？?]{0,4}(给|有)(啥|什么|甚|哪些)(支持|扶持)"
                   r"|[\u4e00-\u9fff]{1,6}(?<!利)率(?=[^，。？?]{0,10}(多少|几|达到|要到|提高到))")


# The plan's own help with another benefit: it supports 代缴补助 for disabled people's insurance where conditions allow.
_PLAN_HELP = re.compile(r"代缴|代交")
# The one expecting is of the speaker's family ("媳妇怀着二胎呢"): their own unborn child.
_EXPECTING = re.compile(r"(媳妇|老婆|爱人|婆姨|对象|闺女|女儿|儿媳)[^，。？?]{0,3}(怀|有了|怀孕|怀上)")
_LOCAL_FACILITY = re.compile(r"(有|建了|建成|一共|总共)[^，。？?]{0,3}(几家|几个|多少家|多少个|几所|多少所|几座|多少座)|哪(儿|里|块|搭)?有(?!没有)(?!这(种|样的?|么)?(好事|便宜事|回事|么好))")  # not "哪有这好事" (no such luck)
_PLAN_MEASURE = re.compile(r"改造|工程|试点|示范|项目")
_LOCAL_YES_NO = re.compile(r"有没有|给不给|给没给|搞没搞|搞了没|实行了没|落实了没|有这个?(政策|补助)?(没|吗|么)|能不能(纳入|列入|轮到|算进)|(纳入|列入)了?(没|吗|不)")
_OWN_PLACE = re.compile(r"(我们|咱们|咱|我)(这个?|那个?)?(村|社区|小区|街道|乡|镇|县|区|市)")


def _plan_words(text: str) -> bool:
    return bool(_PLAN.search(text))


def _without_program_names(text: str, engine: EligibilityEngine) -> str:
    """The line with every program's name and aliases taken out (what else the resident said)."""
    rest = text
    for alias, _ in _alias_pairs(engine):
        rest = rest.replace(alias, "")
    return rest


def _is_bare(core: str, engine: EligibilityEngine) -> bool:
    rest = _without_program_names(core, engine)
    rest = re.sub(r"^(我要|我想|想|要|办|申请|领|问|查|测|算|关于|说说|那个|这个|还有|再|也|一下|下|帮我|给我)+", "", rest)
    return bool(_BARE_TAIL.match(rest)) and len(rest) <= 6


_ONLY_CAN_I = re.compile(r"^(那个|这个|俺|我|我们|俺们|咱|咱们)?(家)?(的)?(娃|孩子|宝宝|娃娃|小孩|老人|家里)?(的)?"
                         r"(能领|能不能领|可以领|能拿|能申请|可以申请|给不给|能给|有没有份|有份)"
                         r"(吗|不|没|么|嘛|呢|没有|不了)?[吗呢啊呀吧？?。！!\s]*$")


def _only_asks_can_i(core: str, engine: EligibilityEngine) -> bool:
    """ "育儿补贴能领吗", "娃的育儿补贴能领不": a program and nothing but "can we get it" — the resident's own case."""
    return bool(_ONLY_CAN_I.match(_without_program_names(core, engine).strip()))


# What no source states, even when the line also carries facts ("四级证的标准今年往上调了没").
_ALWAYS_UNSTATED = {"fees", "payment_timing", "processing_time", "future_change", "local_topup", "opening_business",
                    "application_status", "refund", "office_hours", "recommendation", "other_plan",
                    "actual_statistic", "class_size", "timetable", "course_conditions", "personal_record",
                    "online_account", "other_form", "local_implementation", "office_contact", "online_app",
                    "correction_procedure", "other_procedure", "report_fraud", "office_layout",
                    "contribution", "priority", "home_service", "age_limit", "employer_cooperation",
                    "obligation_after", "lifetime_cap", "app_steps", "local_stacking", "change_effective", "reassessment", "appeal", "payee",
                    "living_elsewhere", "occupation_list", "non_local_hukou", "birth_month", "unstated_detail",
                    "insurance_transfer", "adjustment_history", "exam_provider", "system_opening",
                    "ticket_discount", "electronic_certificate", "back_pay", "proxy_collection",
                    "local_start"}
# (A family arrangement, a back payment or a lost paper said with the resident's own facts — "娃还没上户口，
# 2024年生的", "中级证丢了又重考了一个，前头领过" —
# gets the honest line first and then the check of their case: see actions/understanding.start_personal_case.)


_START_CHECK = re.compile(r"申请|申报|办|领|测|查|算|报名|我要|我想|俺要|俺想|帮我|给我")


# A measure the plan sets ("…覆盖率"): named alone, it asks the plan's figure.
_MEASURE = re.compile(r"覆盖率|普及率|参保率|持证率|托位数|预期寿命|[率比](?:目标|指标)?[？?]?$")


def _kind(r: Reading, intent: Optional[str]) -> str:
    if r.not_in_sources and (not r.facts or not r.personal or r.not_in_sources[0] in _ALWAYS_UNSTATED):
        return NOT_IN_SOURCES         # ("在外省交的…能合起来算够12个月不": 12 months is the rule, not their case)
    if _plan_words(r.text) and r.question and not r.programs and not load_lexicon().first_person.search(r.text):
        return PLAN_QUESTION          # "从业人员持证率到2025年要达到多少": a year in a plan question is no fact
    if r.personal and (r.programs or r.facts):
        return PERSONAL_CASE
    if r.bare_program:
        # "我要申请育儿补贴", "测一下护理补贴": start the check; the name alone ("生娃补贴", "问下育儿补贴的事")
        # asks what it is: a short answer, which ends with the check's first question (the offer)
        return PERSONAL_CASE if _START_CHECK.search(r.text) else PROGRAM_INFO
    if _plan_words(r.text) and (r.question or _MEASURE.search(r.text)):
        return PLAN_QUESTION          # "两项补贴覆盖率目标是多少", "重度残疾人护理补贴覆盖率": what the plan says
    if r.programs and (r.aspects or r.question):
        return PROGRAM_INFO
    if r.wants_office or (r.office_types and intent == "find_service_point"):
        return OFFICE_LOOKUP
    if r.personal:
        return PERSONAL_CASE
    if r.programs:
        return PROGRAM_INFO
    if r.facts and not r.question:
        return PERSONAL_CASE
    if (r.place.get("city") or r.place.get("county")) and ("where" in r.aspects or intent == "find_service_point"):
        return OFFICE_LOOKUP
    # Rasa's "find an office" alone is not enough: with no office kind, program or place ("电子培训券在哪领"),
    # asking for the resident's county cannot lead anywhere; the question goes to the plan (or an honest no).
    if intent == "find_service_point" and (r.office_types or ("where" in r.aspects and len(r.text) <= 6)):
        return OFFICE_LOOKUP
    if r.question or len(r.text) >= 4:
        return PLAN_QUESTION
    return OTHER
