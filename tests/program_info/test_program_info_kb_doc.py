"""The KB-ready copy of the program knowledge: rendered from the rules, fresh, every figure sourced."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

from bot.program_info import kb_doc
from bot.settings import POLICY_KB, ROOT

NUMBER = re.compile(r"\d+(?:\.\d+)?")
SOURCES = ((POLICY_KB / "reference" / "eligibility_rules.md").read_text(encoding="utf-8")
           + (POLICY_KB / "shanxi-14th-fyp-high-quality-life.txt").read_text(encoding="utf-8"))


def test_committed_document_matches_the_rules():
    out = subprocess.run([sys.executable, "-m", "bot.program_info", "render", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_rules_edit_changes_the_document(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(POLICY_KB / "rules", rules)
    doc = tmp_path / "program_info.txt"
    assert kb_doc.write(doc, rules) and not kb_doc.write(doc, rules)     # written once, then unchanged
    assert kb_doc.is_current(doc, rules)
    path = rules / "childcare_subsidy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 3600}", "value: 4800}"), encoding="utf-8")
    assert not kb_doc.is_current(doc, rules)
    kb_doc.write(doc, rules)
    text = doc.read_text(encoding="utf-8")
    assert "每孩每年4800元" in text and "3600" not in text


def test_every_statement_names_its_program_and_source_and_every_figure_is_sourced():
    text = kb_doc.DOC_PATH.read_text(encoding="utf-8")
    labels = [p.label for p in kb_doc.programs()]
    body = [ln for ln in text.splitlines() if ln.startswith(tuple(labels))]
    assert len(body) >= 10
    for line in body:
        assert "（依据：" in line, line
    stray = set(NUMBER.findall(text)) - set(NUMBER.findall(SOURCES)) - _declared_products()
    assert not stray, stray


def _declared_products() -> set[str]:
    """Figures the rules compute from sourced ones ("{annual_amount*age_limit_years}": 3600 × 3), and only those."""
    import string

    from bot.eligibility.engine import get_engine, today_shanghai
    from bot.program_info.compose import _Params

    out = set()
    for prog in kb_doc.programs():
        params = _Params(get_engine().program(prog.id), today_shanghai())
        for items in prog.data["info"].values():
            for item in items:
                for _, field, _, _ in string.Formatter().parse(item["text"]):
                    if field and "*" in field:
                        value = params.get_value(field, (), {})
                        out.add(str(int(value)) if float(value).is_integer() else str(value))
    return out


def test_a_computed_total_is_only_a_product_the_rules_declare():
    assert _declared_products() == {"10800"}     # 3600 元/年 × 3 年, both in the reference sheet
