"""Query/passage text processing: jieba tokens with the domain user dictionary, synonyms, figures.

A private jieba.Tokenizer keeps our user words out of the global jieba state (Rasa also uses jieba).
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.settings import POLICY_KB
from bot.text_normalize import normalize

log = logging.getLogger("bot.kb")

JIEBA_DIR = POLICY_KB / "jieba"
SYNONYMS_PATH = POLICY_KB / "synonyms.yml"

# Function words and question words that carry no topic: kept out of BM25 and of "coverage".
STOPWORDS = set("""
的 了 和 与 及 是 在 有 吗 呢 吧 啊 呀 么 嘛 哦 哪 啥 么 个 把 被 给 对 从 到 为 以 或 等 也 都 就 还 又 这 那
我 你 您 他 她 它 我们 你们 他们 咱 咱们 自己 这个 那个 这些 那些 这种 那种 什么 怎么 怎么样 怎样 如何 多少 几 几个
哪些 哪个 哪里 为什么 是否 是不是 能不能 可不可以 可以 能 会 要 想 请问 请 一下 一些 现在 以后 今后 将来 目前 之后
有没有 没有 不 没 吗 啥样 咋 咋办 干啥 干嘛 情况 问题 方面 关于 具体 主要 相关 那么 这么 好 多 大概 左右 说 讲 知道 告诉
山西 山西省 我省 全省 省里 政府 国家 政策 规定 规划 里 上 中 下 年 月 日
甚 指 来着 咋说 咋弄 弄啥 多会儿 会儿 啥时候 自个儿 自个 个儿
俺 俺们 俺家 咱家 我家 俺们那 我们那 咱这 俺这
着 往 哇 嘞 啦 哩 咧
到时候 到时 时候 届时 那时 那时候 到那时
夜来 听 听说 听人说 来电 来电咨询 来电反映 办到 十三 五末 十四 那五年 那几年
弄 弄到 搞到 整到 想弄 想搞 大伙 大家伙 老百姓们
搞 叫 叫啥 名字 还有 问 问问 想问 做到 平时 往后 写 写的 算个 意思 提 提了 表里 这块 那块 干 那边 当 后面 后头 不行 东西 打算 家里 评上 够上
两个 两样 各是 归谁 两口子 一点 事 妈 爹 闺女 像 念 念全 使劲 方便 原来 前些年 那会儿 位置 排到 排在 排 奔到
""".split())
# "能不能", "会不会", "管不管", "有没有": an A-not-A frame asks yes or no; cut for search it would leave
# 不能 / 不会 / 不管 as if they were topic words.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
# Indicator intent: the question asks for a figure, a target or a rate (the indicator table's business).
INDICATOR_CUES = re.compile(r"多少|几个|几岁|几次|目标|达到|比例|比重|占比|多大|百分|指标|到\d{4}|20[12]\d|增速|提高到|"
                            r"要到|多高|覆盖率|普及率|参保率|持证率|失业率|达标率|数量|能活|寿命|面积")
_PUNCT = re.compile(r"^[\W_]+$", re.U)
_FIGURE = re.compile(r"\d+(?:\.\d+)?")

_tok_lock = threading.Lock()
_tokenizer = None
_synonyms: "Synonyms | None" = None


def jieba_dict_files(folder: Path = JIEBA_DIR) -> list[Path]:
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


def _get_tokenizer():
    """A jieba.Tokenizer with every user dictionary in policy_kb/jieba/ and the synonym terms."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _tok_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            for path in jieba_dict_files():
                try:
                    tk.load_userdict(str(path))
                except Exception as exc:  # a malformed line in someone's dictionary must not stop the KB
                    log.warning("jieba user dictionary %s skipped: %s", path, exc)
            for term in get_synonyms().terms():
                if len(term) >= 2:
                    tk.add_word(term, freq=50000)
            _tokenizer = tk
    return _tokenizer


def tokenize(text: str, keep_stopwords: bool = False) -> list[str]:
    """Search-mode jieba tokens of normalised text (words and their sub-words), no punctuation."""
    text = normalize(text).lower()
    if not keep_stopwords:
        text = _A_NOT_A.sub(" ", text)
    out = []
    for tok in _get_tokenizer().cut_for_search(text):
        tok = tok.strip()
        if not tok or _PUNCT.match(tok):
            continue
        if not keep_stopwords and tok in STOPWORDS:
            continue
        out.append(tok)
    return out


def wants_indicator(question: str) -> bool:
    return bool(INDICATOR_CUES.search(question))


def figures(text: str) -> set[str]:
    """Arabic-digit figures in a text ('4.5', '2025', '100'), normalised ('4.50' → '4.5')."""
    out = set()
    for m in _FIGURE.findall(normalize(text)):
        f = m.rstrip("0").rstrip(".") if "." in m else m.lstrip("0") or "0"
        out.add(f)
    return out


@dataclass
class Synonyms:
    groups: list[list[str]]
    respellings: dict[str, str] = None   # a typed slip → the word ("复盖" → "覆盖"), applied to queries only

    @classmethod
    def load(cls, path: Path = SYNONYMS_PATH) -> "Synonyms":
        if not path.exists():
            return cls([])
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        groups = [[normalize(str(t)) for t in g if str(t).strip()] for g in data.get("groups", []) if g]
        respellings = {normalize(str(k)): normalize(str(v)) for k, v in (data.get("respell") or {}).items()}
        return cls([g for g in groups if len(g) >= 2], respellings)

    def respell(self, text: str) -> str:
        """A query with the common slips of typing and dictation corrected (documents are never changed)."""
        for wrong, right in (self.respellings or {}).items():
            text = text.replace(wrong, right)
        return text

    def terms(self) -> set[str]:
        return {t for g in self.groups for t in g}

    def same_as(self, term: str) -> list[str]:
        """The other members of the groups that hold exactly this term ("两项补贴" → its two allowances)."""
        term = normalize(term)
        return [t for g in self.groups if term in g for t in g if t != term]

    def expand(self, text: str) -> list[str]:
        """Terms to add for a query: the other members of every group the query mentions."""
        text = normalize(text)
        extra: list[str] = []
        for group in self.groups:
            if any(t in text for t in group):
                for t in group:
                    if t not in text and t not in extra:
                        extra.append(t)
        return extra


def get_synonyms() -> Synonyms:
    global _synonyms
    if _synonyms is None:
        _synonyms = Synonyms.load()
    return _synonyms
