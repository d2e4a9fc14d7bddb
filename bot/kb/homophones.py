"""Words typed or dictated with homophones, spelt as the sources spell them ("医宝" → 医保, "拖位" → 托位).

Residents type by pinyin and dictate by voice, so a slip is a character with the same syllable. The
vocabulary is the loaded documents' own words, so an admin's new document brings its words with it and no
list has to be kept by hand (`policy_kb/synonyms.yml` `respell` stays for slips that are not homophones).

A stretch of the question is respelt only when all of these hold, which keeps ordinary words alone:
- it is made of the tokenizer's words, one of them a single character or a rare word (see `respell`);
- it does not occur anywhere in the documents (a real word or phrase of theirs is never touched);
- it has no question or function character (几, 啥, 的…): "几回" is not 机会;
- exactly one word of the documents has its syllables, and that word shares a character with it.
"""
from __future__ import annotations

import functools
import re

from pypinyin import lazy_pinyin

_HAN = re.compile(r"[\u4e00-\u9fff]+")
# Characters of asking and grammar: a stretch holding one is the resident's own phrasing, not a slip.
_FUNCTION_CHARS = set("几多少啥甚什么吗呢吧哪咋怎谁的了是有不没在也都就还又把被给对从到为以和与及或等这那俺咱我你您他她它们个")
MAX_LEN = 4
RARE_WORD = 10  # a dictionary word seen fewer times than this may itself be a slip ("持正" of 持正率)


@functools.lru_cache(maxsize=65536)
def _syllables(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(word))


class HomophoneSpeller:
    """Built once per loaded knowledge-base version from its chunks' tokens and text."""

    def __init__(self, words, corpus_text: str) -> None:
        self.corpus = corpus_text
        by_sound: dict[tuple[str, ...], set[str]] = {}
        for w in set(words):
            if 2 <= len(w) <= MAX_LEN and _HAN.fullmatch(w):
                by_sound.setdefault(_syllables(w), set()).add(w)
        self.by_sound = by_sound
        self.words = {w for ws in by_sound.values() for w in ws}

    @classmethod
    def from_chunks(cls, chunks: list[dict]) -> "HomophoneSpeller":
        words = [t for c in chunks for t in c.get("tokens", ())]
        return cls(words, "\n".join(c.get("text", "") for c in chunks))

    def _word_for(self, stretch: str) -> str | None:
        if stretch in self.corpus or _FUNCTION_CHARS & set(stretch):
            return None
        found = self.by_sound.get(_syllables(stretch), ())
        if len(found) != 1:
            return None
        word = next(iter(found))
        return word if set(word) & set(stretch) and word != stretch else None

    def _keeps_known_words(self, toks: list[str], word: str) -> bool:
        """"大/医院" is not 大一院: a word of the documents inside the stretch stays as it is."""
        at = 0
        for t in toks:
            if len(t) >= 2 and t in self.words and word[at:at + len(t)] != t:
                return False
            at += len(t)
        return True

    def respell(self, text: str) -> str:
        """The text with each homophone slip replaced by the documents' word, longest stretches first.

        Stretches follow the tokenizer's words: a slip breaks a word into single characters ("医宝" → 医/宝)
        or leaves a word the dictionary hardly knows ("持正"); whole known words ("骑车", "现在") and stretches
        across them are left alone, so "医保现在" never becomes 医保险在.
        """
        from bot.kb.textproc import _get_tokenizer

        tk = _get_tokenizer()
        toks = list(tk.cut(text, HMM=False))
        weak = [len(t) == 1 or (tk.FREQ.get(t) or 0) < RARE_WORD for t in toks]
        out, i = [], 0
        while i < len(toks):
            for j in range(len(toks), i + 1, -1):
                stretch = "".join(toks[i:j])
                if len(stretch) > MAX_LEN or not any(weak[i:j]):
                    continue
                word = self._word_for(stretch)
                if word and self._keeps_known_words(toks[i:j], word):
                    out.append(word)
                    i = j
                    break
            else:
                out.append(toks[i])
                i += 1
        return "".join(out)
