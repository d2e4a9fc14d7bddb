"""The answer-quality scorer's judgements (benchmarks/kb_quality.py): hits, expected text, wrong-type figures."""
from __future__ import annotations

from benchmarks import kb_quality as q


def test_section_hit_ignores_width_and_spaces():
    r = {"section": "三、实施基本民生补网行动 > （一）健全基本公共服务制度", "title": "专栏1 基本公共服务重点工程：公共教育优质普惠工程"}
    assert q.is_hit(r, ["(一) 健全基本公共服务制度"])
    assert q.is_hit(r, ["专栏1 基本公共服务重点工程"])
    assert not q.is_hit(r, ["（二）筑实重点人群保障网底"])


def test_right_answer_needs_every_group():
    assert q.right_answer("2025年目标：托位数4.5个（2020年为1.5个）", [["4.5"], ["个", "托位"]])
    assert not q.right_answer("2025年目标：托位数4.5个", [["4.5"], ["2020"]])
    assert q.right_answer(None, [["4.5"]]) is False
    assert q.right_answer("任何", []) is None


def test_wrong_type_figures():
    assert q.wrong_type("amount", {"answer": "覆盖率达到100%"}) == "rate_for_amount"
    assert q.wrong_type("amount", {"answer": "每人每月补贴120元"}) is None
    assert q.wrong_type("rate", {"answer": "参保率达到95%"}) is None
    assert q.wrong_type("area", {"answer": "人均住房面积38平方米"}) is None
    assert q.wrong_type("area", {"answer": "覆盖率26%"}) == "rate_for_area"
    assert q.wrong_type("definition", {"answer": "2025年目标：…", "kind": "indicator"}) == "indicator_row_not_asked"
    assert q.wrong_type("definition", {"answer": "2020年：…（约束性指标）", "kind": "indicator"}) == "indicator_row_not_asked"
    assert q.wrong_type("definition", {"answer": "三级医院数量是预期性指标。", "kind": "indicator"}) is None
    assert q.wrong_type("target", {"answer": "2020年为1.5个"}) == "baseline_for_target"
    assert q.wrong_type("target", {"answer": "2025年目标：4.5个（2020年为1.5个）"}) is None
    assert q.wrong_type("count", {"answer": "建成“1331工程”，每个县至少1所"}) is None
    assert q.wrong_type("list", {"answer": None}) is None


def test_golden_split_is_stable_and_even():
    sets = q.load_golden()
    tune, held = sets["golden_tune"]["questions"], sets["golden_heldout"]["questions"]
    assert abs(len(tune) - len(held)) <= 10
    assert not {x["question"] for x in tune} & {x["question"] for x in held}
