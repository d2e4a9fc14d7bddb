"""`python -m bot.rules check` rejects a bad info block with the file, the line and the reason."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.eligibility.loader import RulesError, load_program
from bot.settings import POLICY_KB, ROOT

RULES = POLICY_KB / "rules"


def _copy(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / f"{name}.yaml"
    shutil.copy(RULES / f"{name}.yaml", dst)
    return dst


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


TAX = "    - text: 育儿补贴免征个人所得税，也不计入低保等家庭收入。\n      reference: {source: childcare_plan_2025, section: 补贴对象和标准}\n"


@pytest.mark.parametrize("old,new,needle,reason", [
    (TAX, "    - text: 育儿补贴免征个人所得税，也不计入低保等家庭收入。\n", "- text: 育儿补贴免征个人所得税", "缺少必填项 reference"),
    (TAX, TAX.replace("source: childcare_plan_2025", "source: nowhere_doc"), "nowhere_doc", "未定义的来源"),
    ("    - text: 每孩每年{annual_amount}元", "    - text: 每孩每年3600元", "- text: 每孩每年3600元", "直接写在了文字里"),
    ("    - text: 每孩每年{annual_amount}元", "    - text: 每孩每年{yearly_amount}元", "{yearly_amount}", "不是本文件 parameters"),
    ("  tax_income:\n", "  tax:\n", "- text: 育儿补贴免征个人所得税", "未知的方面"),
    ("      quote: 支持幼儿园依托现有场地设施开设托班", "      quote: 支持幼儿园开设托班", "支持幼儿园开设托班", "规划原文中找不到"),
    ("    - text: 我们依据的政策资料没有列明申领材料，请以当地卫生健康部门的要求为准，可拨打12320或12345咨询。",
     "    - text: 我们依据的政策资料没有列明申领材料。", "没有列明申领材料。", "热线"),
])
def test_bad_info_rejected_with_line(tmp_path, old, new, needle, reason):
    path = _copy(tmp_path, "childcare_subsidy")
    _rewrite(path, old, new)
    with pytest.raises(RulesError) as exc:
        load_program(path)
    problems = [p for p in exc.value.problems if reason in p.message]
    assert problems, [str(p) for p in exc.value.problems]
    assert problems[0].line == _line_of(path, needle), [str(p) for p in exc.value.problems]


def test_missing_aspect_rejected(tmp_path):
    path = _copy(tmp_path, "skills_upgrade_subsidy")
    text = path.read_text(encoding="utf-8")
    start = text.index("  deadline:\n")
    end = text.index("  combine:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_program(path)
    assert any("缺少方面 deadline" in p.message for p in exc.value.problems)


def test_cli_names_file_and_line(tmp_path):
    path = _copy(tmp_path, "childcare_subsidy")
    _rewrite(path, TAX, "    - text: 育儿补贴免征个人所得税，也不计入低保等家庭收入。\n")
    out = subprocess.run([sys.executable, "-m", "bot.rules", "check", str(path)], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 1
    line = _line_of(path, "- text: 育儿补贴免征个人所得税")
    assert f"{path}:{line}: info.tax_income.0" in out.stdout
    assert "reference" in out.stdout


def test_shipped_rules_pass():
    for path in sorted(RULES.glob("*.yaml")):
        load_program(path)
