"""A KB copy of the program knowledge: the rules files' info blocks rendered as one policy-style document.

Written to policy_kb/generated/program_info.txt by `python -m bot.program_info render` (`--check` exits 1 when
the file no longer matches the rules; a test runs it). It is NOT listed in policy_kb/documents.yml yet: built
into today's KB it answered questions no source answers with a nearby figure ("托育机构收费标准是多少元" →
育儿补贴 3600元, "残疾证去哪里办" → 网办), so the KB needs a gate first (answer from this document only when the
question names the program). Listing it is one entry in documents.yml plus this render step before
`python -m bot.kb ensure`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

from bot.eligibility.loader import Program, load_program, rule_files
from bot.program_info.compose import render
from bot.program_info.schema import ASPECTS
from bot.settings import POLICY_KB

DOC_PATH = POLICY_KB / "generated" / "program_info.txt"
TITLE = "山西民生补贴项目常见问题（依据补贴规则文件整理）"
CN_NUM = "一二三四五六七八九十"
# Programs in the order residents meet them; any other rules file follows.
ORDER = ("childcare_subsidy", "disability_living_allowance", "disability_care_allowance", "skills_upgrade_subsidy",
         "vocational_training_subsidy")
# Section headings in the plain words of a policy document: resident phrasing ("去哪办", "要带什么") made the
# passages match unrelated questions ("怎么办理护照"), so the program name carries the match.
HEADINGS = {
    "what": "{label}简介", "who": "{label}的补贴对象", "amount": "{label}的补贴金额", "duration": "{label}的发放期限",
    "how_to_apply": "{label}的申领方式", "where": "{label}的受理机关", "documents": "{label}的申领材料",
    "deadline": "{label}的申领时限", "combine": "{label}与其他补贴同时申领", "difference": "{label}与其他补贴的区别",
    "tax_income": "{label}的个人所得税与家庭收入认定", "related": "与{label}相关的政策",
}


def _cn(n: int) -> str:
    """1..99 in Chinese numerals, as the parser reads 章/节 headings (一、 （十二）)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUM[tens - 1] if tens > 1 else "") + "十" + (CN_NUM[ones - 1] if ones else "")


# Aspects the KB document carries: the figures and procedures the plan does not have. The others were tried and
# left out (measured with tests/kb): what/who statements outranked the plan's own passages on plan questions
# ("两项补贴标准会调整吗", "培训补贴标准会调高吗"), and where/combine/tax/related sentences answered questions no
# source answers ("怎么办理护照", "个人所得税怎么申报"). The chat's general answers (program_answer) give them all.
KB_ASPECTS = ("amount", "duration", "how_to_apply", "deadline")


def _skip(item: dict, aspect: str) -> bool:
    """Left out of the KB: the plan's own passages (the plan is in the KB itself), statements the sources do not
    make (a KB answer quotes what a document says), and amounts without a figure ("由省级人民政府确定", which
    outranked the plan's 两项补贴 passages); the chat's general answers still give them all."""
    if item["reference"]["source"] == "plan" or item.get("silent"):
        return True
    return aspect == "amount" and "{" not in item["text"]


def _short_source(prog: Program, key: str) -> str:
    """The 文号 alone where there is one: a long title repeated in every statement drowned the plan's passages."""
    src = prog.data["sources"][key]
    number = src.get("doc_number") or ""
    return number if "〔" in number else f"《{src['title']}》"


def programs(rules_dir: Path = POLICY_KB / "rules") -> list[Program]:
    loaded = [load_program(p) for p in rule_files(rules_dir)]
    rank = {pid: i for i, pid in enumerate(ORDER)}
    return sorted(loaded, key=lambda p: (rank.get(p.id, len(ORDER)), p.id))


def render_document(progs: list[Program], as_of: Optional[dt.date] = None) -> str:
    """Plain text in the 章/节 layout the KB parser knows; each statement names its program and its source."""
    assert set(HEADINGS) == set(ASPECTS)
    lines = [TITLE, "",
             "本文由各补贴项目的规则文件（policy_kb/rules）自动生成，每条说明后注明依据的政策文件。", ""]
    for i, prog in enumerate(progs, 1):
        lines += [f"{_cn(i)}、{prog.label}", ""]
        j = 0
        for aspect in KB_ASPECTS:
            heading = HEADINGS[aspect].format(label=prog.label)
            if all(_skip(item, aspect) for item in prog.data["info"][aspect]):
                continue
            j += 1
            lines += [f"（{_cn(j)}）{heading}", ""]
            for item in prog.data["info"][aspect]:
                if _skip(item, aspect):
                    continue
                text = render(prog, item, "resident", as_of).rstrip("。")
                note = f"（依据：{_short_source(prog, item['reference']['source'])}）"
                lines += [f"{prog.label}：{text}{note}。" if not text.startswith(prog.label) else f"{text}{note}。", ""]
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path = DOC_PATH, rules_dir: Path = POLICY_KB / "rules") -> bool:
    """Rewrite the document when the rules changed it; True when the file was written."""
    text = render_document(programs(rules_dir))
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


def is_current(path: Path = DOC_PATH, rules_dir: Path = POLICY_KB / "rules") -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == render_document(programs(rules_dir))
