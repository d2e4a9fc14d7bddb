"""The rules check rejects a malformed file with its line, and the engine keeps serving the last good rules."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.eligibility.engine import EligibilityEngine
from bot.eligibility.loader import RulesError, load_program
from bot.settings import POLICY_KB, ROOT

RULES = POLICY_KB / "rules"


def _copy(tmp_path: Path, name: str = "skills_upgrade_subsidy") -> Path:
    dst = tmp_path / f"{name}.yaml"
    shutil.copy(RULES / f"{name}.yaml", dst)
    return dst


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    st = path.stat()  # make sure the change is visible even on coarse mtime filesystems
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_all_shipped_rules_pass_cli():
    out = subprocess.run([sys.executable, "-m", "bot.rules", "check"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "全部通过" in out.stdout


@pytest.mark.parametrize("old,new,needle,reason", [
    ("        result: refer_locally\n        reason: 取得", "        result: maybe\n        reason: 取得", "result: maybe", "result"),
    ("gte: {param: min_contribution_months}", "gte: {param: min_months_typo}", "min_months_typo", "未定义的参数"),
    ("    facts: [claimed_same_level_before]", "    facts: [claimed_twice]", "claimed_twice", "未定义的事实"),
    ("office_types: [hrss]", "office_types: [hrss, job_center]", "job_center", "未知的服务网点类型"),
    ("threshold: 累计缴费满{min_contribution_months}个月", "threshold: 累计缴费满{min_contribution}个月",
     "{min_contribution}个月", "模板"),
    ("    quote: 全面加强对全省适龄劳动力", "    quote: 全面加强对全国适龄劳动力", "全国适龄", "规划原文中找不到"),
    ("      - {from: 2019-01-01, value: 12}", "      - {from: 2019-13-01, value: 12}", "2019-13-01", "from"),
    ("  certificate_issue_date:\n    type: date", "  certificate_issue_date:\n    type: datetime", "type: datetime", "未知类型"),
    ("    unknown_help: 失业保险缴费月数", "    unknown_hlp: 失业保险缴费月数", "unknown_hlp", "未知的键"),
])
def test_bad_file_rejected_with_line(tmp_path, old, new, needle, reason):
    path = _copy(tmp_path)
    _rewrite(path, old, new)
    with pytest.raises(RulesError) as exc:
        load_program(path)
    lines = {p.line for p in exc.value.problems}
    assert _line_of(path, needle) in lines, exc.value
    assert any(reason in p.message for p in exc.value.problems), exc.value


def test_yaml_syntax_error_line(tmp_path):
    path = _copy(tmp_path)
    _rewrite(path, "label: 技能提升补贴\n", "label: 技能提升补贴\n  bad: [unclosed\n")
    with pytest.raises(RulesError) as exc:
        load_program(path)
    assert "语法" in str(exc.value)
    assert exc.value.problems[0].line in range(_line_of(path, "bad: [unclosed"), _line_of(path, "bad: [unclosed") + 3)


def test_duplicate_key_rejected(tmp_path):
    path = _copy(tmp_path)
    _rewrite(path, "label: 技能提升补贴\n", "label: 技能提升补贴\nlabel: 另一个名字\n")
    with pytest.raises(RulesError) as exc:
        load_program(path)
    assert any("重复的键" in p.message and p.line == _line_of(path, "另一个名字") for p in exc.value.problems)


def test_cli_reports_line_and_fails(tmp_path):
    path = _copy(tmp_path)
    _rewrite(path, "gte: {param: min_contribution_months}", "gte: {param: nope}")
    out = subprocess.run([sys.executable, "-m", "bot.rules", "check", str(path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert f"{path}:{_line_of(path, 'param: nope')}:" in out.stdout


def test_engine_keeps_last_good_rules_then_picks_up_a_good_edit(tmp_path):
    path = _copy(tmp_path)
    engine = EligibilityEngine(tmp_path)
    engine.warm_up()
    facts = {"unemployment_insurance_months": 24, "certificate_level": "intermediate",
             "certificate_issue_date": "2026-10-01", "claimed_same_level_before": False}
    assert engine.evaluate("skills_upgrade_subsidy", facts, "2026-11-28")["amount"]["value"] == 1500

    _rewrite(path, "intermediate: 1500", "intermediate: [1500")          # broken YAML
    result = engine.evaluate("skills_upgrade_subsidy", facts, "2026-11-28")
    assert result["amount"]["value"] == 1500
    assert engine.last_errors and str(path) in engine.last_errors[0]

    _rewrite(path, "intermediate: [1500", "intermediate: 1600")         # a good edit is picked up
    time.sleep(0.01)
    assert engine.evaluate("skills_upgrade_subsidy", facts, "2026-11-28")["amount"]["value"] == 1600


def test_schema_valid_but_semantically_bad_edit_is_not_served(tmp_path):
    path = _copy(tmp_path)
    engine = EligibilityEngine(tmp_path)
    engine.warm_up()
    _rewrite(path, "gte: {param: min_contribution_months}", "gte: {param: missing_param}")
    result = engine.evaluate("skills_upgrade_subsidy", {"unemployment_insurance_months": 11}, "2026-11-28")
    assert result["outcome"] == "not_eligible"


def test_shared_facts_must_agree(tmp_path):
    from bot.eligibility.loader import check_consistency
    a = load_program(_copy(tmp_path, "disability_living_allowance"))
    b = load_program(_copy(tmp_path, "disability_care_allowance"))
    assert check_consistency([a, b]) == []
    b.data["facts"]["hukou_in_shanxi"] = {**b.facts["hukou_in_shanxi"], "type": "int", "min": 0, "max": 1}
    problems = check_consistency([a, b])
    assert problems and "hukou_in_shanxi" in problems[0].message


def test_hint_office_must_be_a_known_office_type(tmp_path):
    path = _copy(tmp_path, "disability_living_allowance")
    _rewrite(path, "hint_office: disability_federation", "hint_office: disability_office")
    with pytest.raises(RulesError) as exc:
        load_program(path)
    assert _line_of(path, "disability_office") in {p.line for p in exc.value.problems}
    assert any("未知的服务网点类型" in p.message for p in exc.value.problems)


def test_a_missing_certificate_result_names_the_office_its_hint_sends_to():
    from bot.eligibility.engine import get_engine
    result = get_engine().evaluate("disability_living_allowance", {"has_disability_certificate": False},
                                   as_of="2026-11-30")
    assert result["outcome"] == "not_eligible" and result["hint_offices"] == ["disability_federation"]
    result = get_engine().evaluate("disability_living_allowance", {"has_disability_certificate": True,
                                   "household_dibao": False, "household_low_income": False}, as_of="2026-11-30")
    assert result["hint_offices"] == []
