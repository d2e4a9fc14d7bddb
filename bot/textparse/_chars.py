"""Character folding and Chinese numerals shared by every parser.

Input is normally already normalised by bot.text_normalize, but the parsers must stay tolerant
and pure standard library, so a small one-to-one fold covers the characters they care about.
One-to-one keeps every span valid against the caller's original text.
"""
from __future__ import annotations

import re

# Traditional → simplified for the characters the parsers match on; full-width digits/symbols.
_TRAD = "級兩個證書殘視聽語號後沒對記確問貳參陸萬億還辦麼說錯應該師職業術體聾啞癱補貼電歲週這從來過滿經區學資為們嗎曉憶們單續繳領護養們請結關閉實際級齡紀別聽愛費險單務點難圍當頭裡"
_SIMP = "级两个证书残视听语号后没对记确问贰叁陆万亿还办么说错应该师职业术体聋哑瘫补贴电岁周这从来过满经区学资为们吗晓忆们单续缴领护养们请结关闭实际级龄纪别听爱费险单务点难围当头里"
assert len(_TRAD) == len(_SIMP)
_FULL = "".join(chr(c) for c in range(0xFF10, 0xFF1A)) + "．／－："
_HALF = "0123456789./-:"
_FOLD = str.maketrans(_TRAD + _FULL, _SIMP + _HALF)


def fold(text: str) -> str:
    """Length-preserving fold (traditional → simplified for parser keywords, full → half width digits)."""
    return text.translate(_FOLD)


DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "两": 2, "俩": 2,
    "三": 3, "叁": 3, "仨": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
# Words that mean a quantity, never a digit inside a longer digit string ("一两年" is vague, not 12).
_QUANTITY_ONLY = set("两俩仨")

# Characters that can form a number token in running text.
NUM_CHARS = "0-9〇○零一二三四五六七八九十两俩仨壹贰叁肆伍陆柒捌玖拾廿卅百千"
NUM = f"[{NUM_CHARS}]"
_TOKEN = re.compile(r"\d+|.")


def cn_to_int(s: str | None) -> int | None:
    """Integer value of Arabic or Chinese numerals ("十二", "二十四", "两", "贰", "一百零五", "二〇二四", "12").

    Colloquial shortenings count ("一百二" = 120, "两万五" = 25000). Anything else (empty, decimals,
    vague "几", stray characters) is None.
    """
    if s is None:
        return None
    s = fold(str(s)).strip().replace(" ", "")
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    s = s.replace("廿", "二十").replace("卅", "三十")
    tokens = _TOKEN.findall(s)
    if all(t in DIGITS for t in tokens):
        if len(tokens) == 1:
            return DIGITS[tokens[0]]
        if any(t in _QUANTITY_ONLY for t in tokens):
            return None
        return int("".join(str(DIGITS[t]) for t in tokens))
    total = section = 0
    number: int | None = None
    last_unit: int | None = None
    last_big: int | None = None
    zero = False
    for t in tokens:
        if t.isascii() and t.isdigit():
            if number is not None:
                return None
            number = int(t)
        elif t in DIGITS:
            if DIGITS[t] == 0:
                zero = True
                continue
            if number is not None:
                return None
            number = DIGITS[t]
        elif t in _UNITS:
            unit = _UNITS[t]
            if number is None:
                if unit != 10 or section % 100:
                    return None  # "百" alone, "十百"
                number = 1  # "十二" = 12, "一百十" = 110
            if last_unit is not None and unit >= last_unit:
                return None
            section += number * unit
            number, last_unit, zero = None, unit, False
        elif t in _BIG:
            unit = _BIG[t]
            if number is None and section == 0:
                return None
            total += (section + (number or 0)) * unit
            section, number, last_unit, last_big, zero = 0, None, None, unit, False
        else:
            return None
    if number is not None:
        if last_unit is not None and last_unit >= 100 and not zero:
            number *= last_unit // 10  # 一百二 = 120
        elif last_unit is None and last_big is not None and section == 0 and not zero:
            number *= last_big // 10  # 两万五 = 25000
        section += number
    return total + section


def is_digit_string(token: str) -> bool:
    """True for digit-by-digit numerals ("2024", "二〇二四", "二四"), as used for years."""
    token = fold(token)
    if token.isascii() and token.isdigit():
        return True
    return all(c in DIGITS and c not in _QUANTITY_ONLY for c in token)


_CLAUSE_END = re.compile(r"[，。,;；!！?？\n、]")


def clause_window(text: str, start: int, end: int, before: int, after: int) -> tuple[str, str]:
    """The text just before and after a match, cut at clause punctuation (context for level words)."""
    left = text[max(0, start - before):start]
    cut = [m.end() for m in _CLAUSE_END.finditer(left)]
    if cut:
        left = left[cut[-1]:]
    right = text[end:end + after]
    m = _CLAUSE_END.search(right)
    if m:
        right = right[:m.start()]
    return left, right
