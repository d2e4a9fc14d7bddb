"""Extractive answers: the 1–3 best source sentences, or the structured answer for an indicator row.

Nothing is generated: answer text is either verbatim source sentences or the indicator row's own
values placed in a fixed template. `supported()` re-checks every figure of an answer against its
citations before it leaves this module; an answer that fails the check is withheld (null).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kb.parser import split_sentences
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


def indicator_answer(row: dict) -> str:
    """'2025年目标：每千人口拥有3岁以下婴幼儿托位数4.5个（2020年为1.5个，预期性指标）'."""
    name = row["name"] + (f"（{row['level']}）" if row.get("level") else "")
    target = format_value(row["target_2025"], row.get("unit", ""))
    paren = []
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


def indicator_citations(chunk: dict) -> list[dict]:
    row = chunk["indicator"]
    cites = [{"doc_id": chunk["doc_id"], "section": chunk["section"], "quote": row.get("quote") or chunk["text"]}]
    if row.get("header"):
        cites.append({"doc_id": chunk["doc_id"], "section": chunk["section"], "quote": row["header"]})
    if row.get("note_line") and row.get("value_2020", "").endswith("*"):
        cites.append({"doc_id": chunk["doc_id"], "section": chunk["section"], "quote": row["note_line"]})
    return cites


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
