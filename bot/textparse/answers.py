"""Short conversational answers inside a form: yes/no, "I don't know", corrections and stopping.

These run on the resident's reply to one question, so a bare "有" or "没" is meaningful. Order
matters: an unknown ("不清楚") is neither yes nor no, and idioms such as 没错/没问题/不错 are yes.
"""
from __future__ import annotations

import re

from ._chars import fold

_PUNCT = re.compile(r"[\s，。,.!！?？~～、…;；:：'\"“”‘’()（）]+")
_PARTICLES = "吧啊呀哈呢嘛啦了哦噢喔的滴嘞哩"

_UNKNOWN = re.compile(
    # ("证还没办，不知道咋办": not knowing how to get it is no "I don't know" to the question)
    r"不知道(?!(?:咋|怎么|怎样|如何|去哪|在哪|上哪|找谁|哪里)(?:个)?(?:办|弄|申请|领|整|搞))|知不道|不晓得|不清楚|不大清楚|不太清楚|不确定|不太确定|不敢确定|说不好|说不准|说不清|说不上来|说不上|讲不清|讲不上来|不好讲|拿不准|吃不准|不好说|"
    r"忘了|忘记|记不得|记不清|记不住|不记得|想不起|没印象|搞不清|弄不清|闹不清|不了解|没数|不懂|不造|谁知道|咋知道"
)
_YES_IDIOMS = re.compile(r"没错|没问题|没毛病|不错|无误|不是没有")
# The look-behinds keep "没有没有"/"不是不是" (an emphatic no) from reading as "有没有"/"是不是".
_QUESTION = re.compile(r"(?<!没)有没有|(?<!不)是不是|(?<!不)对不对|(?<!不)要不要|需不需要|(?<!不)行不行|可不可以|[吗么]$")
_NO = re.compile(r"没有|没得|木有|莫有|冇|不是|不对|不要|不用|不需要|不行|不能|不曾|未|没|不|无|否|^no?$|^nope$")
_YES = re.compile(r"有|是|对|嗯|恩|好|行|可以|要|需要|办了|办过|办好|拿到|领了|领过|当然|肯定|确定|"
                  r"(?:拿|考|交|弄|评|批|登记|参加|参保|领|办)(?:了|过|上了|下了|下来了|到了)|下来了|"
                  r"^[中成得]$|^(?:yes|y|ok|okay|yeah|yep)$")


def _clean(text: str) -> str:
    return _PUNCT.sub(" ", fold(text)).strip().lower()


def is_unknown(text: str) -> bool:
    """The resident does not know the answer ("不知道", "记不清了", Jin dialect "知不道")."""
    return bool(_UNKNOWN.search(_clean(text)))


def parse_yes_no(text: str) -> bool | None:
    """True for 有/是/对/嗯/办了/没错, False for 没有/不是/不对/没办/好像没有, None when unknown or unclear."""
    clean = _clean(text)
    if not clean or is_unknown(clean):
        return None
    # A counter-question ("有没有?", "是不是") is not an answer.
    if _QUESTION.search(clean.replace(" ", "")):
        return None
    masked = _YES_IDIOMS.sub("对", clean)
    if _NO.search(masked):
        return False
    if _YES.search(masked):
        return True
    return None


# "测一测", "帮我算算": asking for the offered check itself.
_CHECK_ME = re.compile(rf"^(?:那|那就|就|请)?(?:帮我|给我|帮忙)?(?:测|算|看|查|试)(?:一)?(?:测|算|看|查|试)?(?:一下|下|看)?[{_PARTICLES}]*$")


def is_assent(text: str) -> bool:
    """A short yes to an offer ("好", "嗯", "行吧", "测一测", "帮我算算"); "有", "是", "对" answer a question's
    fact instead, and "算了" declines."""
    clean = _clean(text).replace(" ", "")
    if not clean or is_stop(clean):
        return False
    return bool(_CHECK_ME.match(clean)) or (len(clean.strip(_PARTICLES)) <= 2 and parse_yes_no(clean) is True
                                            and not re.search(r"有|是|对", clean))


_CORRECTION = re.compile(
    r"说错|搞错|弄错|打错|写错|填错|记错|输错|讲错|错了|记岔|说岔|弄岔|搞岔|记混|说混|搞混|弄混|改一下|改一改|改成|改为|更正|纠正|应该是|其实是|"
    r"我是说|我的意思是|重新说|不是.{1,12}[,， ]?(?:而)?是|刚才.{0,6}不对"
)
_NOT_WRONG = re.compile(r"没错|不错|没毛病")
_NOT_RIGHT_THEN = re.compile(r"^不对(?:不对)*[ ]*(?P<rest>.*)$")


# A line that corrects itself ("好像是三级 不对 证上写的二级", "2021年8月 哦不是 是2023年8月"): what follows
# the last such marker is what the resident settled on.
_SELF_CORRECTION = re.compile(r"(?:不对|哦不是|噢不是|喔不是|哦不|噢不|不不|说错了|记错了|搞错了|弄错了|讲错了|其实是|我是说|更正一下)"
                              r"[ ,，。]*(?:是|应该是)?")


def corrected_tail(text: str) -> str | None:
    """The part of a line after its last self-correction, when something was said before it; else None."""
    last = None
    for m in _SELF_CORRECTION.finditer(text or ""):
        if m.start() > 0 and text[:m.start()].strip(" ,，。" + _PARTICLES):
            last = m
    if last is None:
        return None
    tail = text[last.end():].strip(" ,，。")
    return tail or None


def is_correction(text: str) -> bool:
    """The resident corrects an earlier answer ("不对，是三级", "说错了", "改一下", "应该是…")."""
    clean = _NOT_WRONG.sub("好", _clean(text))  # "没错了" agrees, it corrects nothing
    if _CORRECTION.search(clean):
        return True
    m = _NOT_RIGHT_THEN.match(clean)
    # "不对" alone is a plain "no"; "不对，三级" carries the corrected value.
    return bool(m and m.group("rest").strip(" " + _PARTICLES))


_STOP = re.compile(
    r"算了(?!一|算|下|个|账)|不问了|别问了|不想问了|不办了|不想办了|不弄了|不查了|不聊了|不用了|"
    r"没事了|先这样|就这样吧|拉倒|不咨询了|结束对话|结束咨询|^(?:stop|quit|exit|cancel)$"
)
_STOP_ALONE = re.compile(rf"^(?:我要|我想|那就|那|帮我|请|还是|直接)?(?:取消|退出|结束|停|停止|停下)[{_PARTICLES}]*$")


def is_stop(text: str) -> bool:
    """The resident wants to leave the current form ("算了", "不问了", "不用了", "取消", "退出")."""
    clean = _clean(text)
    if _STOP.search(clean):
        return True
    return bool(_STOP_ALONE.match(clean.replace(" ", "")))
