"""Disability levels (一级…四级) versus certificate levels (初级…高级技师), kept apart by context.

"二级肢体残疾" is a disability level; "四级电工证" is a certificate level (四级 = 中级); "二级残疾证"
is a disability level even though 证 follows. Context is the same clause, a few characters either side.
"""
from __future__ import annotations

import re

from ._chars import NUM_CHARS, clause_window, cn_to_int, fold

_SP = r"[ \t]*"
_DISABILITY = re.compile(r"残|疾|肢体|视力|听力|言语|智力|精神|多重|盲|聋|哑|瘫|截肢|重度|轻度")
# Other things graded with 级 that are neither a disability nor a skill certificate.
_OTHER_GRADES = re.compile(r"英语|英文|CET|医院|甲等|乙等|台风|地震|风力|大风|警报|响应|教师|建造|消防|会计|"
                           r"职称|法院|中学|干部|公务员|工程师|经济师|营养师|翻译|运动员|裁判|保密")
_CERT = re.compile(r"证|工|技能|职业|资格|技师|技工|等级认定")
_SKILL = re.compile(r"工|技能|职业|资格|技师|技工|等级认定")  # _CERT without the bare 证 a 残疾证 shares
_NUMERAL_LEVEL = re.compile(rf"(?<![{NUM_CHARS}\d])(?P<n>[一二三四五1-5壹贰叁肆伍]){_SP}级")
_GRADE_IS = re.compile(rf"等级{_SP}(?:是|为|:|：)?{_SP}(?P<n>[一二三四1-4壹贰叁肆])(?![{NUM_CHARS}\d])")
_EITHER = re.compile(rf"(?<![{NUM_CHARS}\d])(?P<a>[一二三四1-4]){_SP}级?{_SP}(?:还是|或者|或是|或){_SP}(?P<b>[一二三四1-4]){_SP}级")
_CERT_WORD = re.compile(r"高级技师|高级技工|技师|初级|中级|高级")

CERT_LEVELS = ("basic", "intermediate", "advanced", "technician", "senior_technician")
_CERT_BY_NUMBER = {5: "basic", 4: "intermediate", 3: "advanced", 2: "technician", 1: "senior_technician"}
_CERT_BY_WORD = {"初级": "basic", "中级": "intermediate", "高级": "advanced", "高级技工": "advanced",
                 "技师": "technician", "高级技师": "senior_technician"}


def _context(text: str, m: re.Match[str]) -> str:
    left, right = clause_window(text, m.start(), m.end(), before=10, after=8)
    return left + "|" + right


def parse_level(text: str) -> int | None:
    """Disability level 1-4 ("二级", "2级", "贰级", "一级视力", "残疾等级是3"); None for certificate,
    exam or other grades ("四级电工证", "英语四级", "三级医院") and for 中级/高级."""
    folded = fold(text)
    either = _EITHER.search(folded)
    if either and (_DISABILITY.search(_context(folded, either)) or not _CERT.search(_context(folded, either))):
        # "一级还是二级记不清了": the milder of the two, so that no outcome rests on the better one
        return max(cn_to_int(either.group("a")) or 0, cn_to_int(either.group("b")) or 0) or None
    hits = sorted(list(_NUMERAL_LEVEL.finditer(folded)) + list(_GRADE_IS.finditer(folded)),
                  key=lambda m: m.start())
    for m in hits:
        value = cn_to_int(m.group("n"))
        if value is None or not 1 <= value <= 4:
            continue
        ctx = _context(folded, m)
        if _DISABILITY.search(ctx):
            return value
        if _CERT.search(ctx) or _OTHER_GRADES.search(ctx):
            continue
        return value
    return None


_OBTAINED = re.compile(r"(?:考|拿|取得|领)(?:了|到|下|上|出)?(?:个|了个|一个|下个|到个)?$")


def parse_cert_level(text: str, *, expect_cert: bool = False) -> str | None:
    """Skill-certificate level: basic intermediate advanced technician senior_technician.

    初级/中级/高级/技师/高级技师 never name a disability level, so they count unless the clause is about
    something else (职称, 法院, 中学, a disability). Numerals (五级 … 一级) count only with certificate words
    nearby (证/工/技能/职业/资格), or when the caller has just asked for the certificate level
    (expect_cert=True, so a bare "四级" answers it).
    """
    folded = fold(text)
    hits = sorted(list(_CERT_WORD.finditer(folded)) + list(_NUMERAL_LEVEL.finditer(folded)),
                  key=lambda m: (m.start(), -(m.end() - m.start())))
    pos = 0
    for m in hits:
        if m.start() < pos:
            continue  # "高级技师" already covers its "技师"
        pos = m.end()
        ctx = _context(folded, m)
        if _DISABILITY.search(ctx) or _OTHER_GRADES.search(ctx):
            continue
        if "n" in m.groupdict():
            # "厂里让考证，我九月拿了个五级的": a level one has obtained (考/拿), in a line about certificates
            obtained = bool(_OBTAINED.search(folded[max(0, m.start() - 5):m.start()])) and bool(_CERT.search(folded))
            if not (expect_cert or _CERT.search(ctx) or obtained):
                continue
            if not expect_cert and not _SKILL.search(ctx) and _DISABILITY.search(folded):
                continue  # "证上是三级，肢体三级": a bare 证 in a line about a disability is the 残疾证
            return _CERT_BY_NUMBER.get(cn_to_int(m.group("n")) or 0)
        return _CERT_BY_WORD[m.group(0)]
    return None
