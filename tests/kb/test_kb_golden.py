"""Retrieval quality on the golden questions (Recall@3 ≥ 0.95) and the null-answer calibration."""
from __future__ import annotations

def is_hit(section: str, gold: list[str]) -> bool:
    return any(section == g or section.startswith(g + " > ") for g in gold)


def rank_of(kb, question: str, gold: list[str], k: int = 10) -> int | None:
    results = kb.search(question, top_k=k)["results"]
    return next((i + 1 for i, r in enumerate(results) if is_hit(r["section"], gold)), None)


def test_golden_recall_at_3_and_mrr(kb, golden):
    questions = golden["questions"]
    assert len(questions) >= 60
    ranks = [rank_of(kb, q["q"], q["gold"]) for q in questions]
    recall3 = sum(1 for r in ranks if r and r <= 3) / len(ranks)
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    misses = [(q["q"], r) for q, r in zip(questions, ranks) if not r or r > 3]
    print(f"\nGolden set: n={len(ranks)} Recall@3={recall3:.3f} MRR={mrr:.3f} misses={misses}")
    assert recall3 >= 0.95, misses
    assert mrr >= 0.85


def test_indicator_questions_get_their_row(golden_answers):
    for q, res in golden_answers:
        if "indicator" not in q:
            continue
        assert res["kind"] == "indicator", q["q"]
        assert f"：{q['indicator']} " in res["passages"][0]["title"], (q["q"], res["passages"])
        assert res["citations"][0]["quote"].split()[0] in (str(q["indicator"]), ) or \
            f" {q['indicator']} " in f" {res['citations'][0]['quote']} ", (q["q"], res["citations"])


def test_unanswerable_questions_get_null(kb, golden):
    answered = [(q, kb.answer(q)) for q in golden["unanswerable"]]
    wrong = [(q, r["answer"], r["confidence"]) for q, r in answered if r["answer"] is not None]
    assert not wrong


def test_most_answerable_questions_get_an_answer(golden_answers):
    results = [r for _, r in golden_answers]
    rate = sum(1 for r in results if r["answer"]) / len(results)
    print(f"\nanswered: {rate:.2%}")
    assert rate >= 0.85
