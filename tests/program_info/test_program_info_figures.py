"""Guard: no composed program answer states a figure that is not in the reference sheet or the cited plan."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from bot.program_info import ASPECTS, program_answer
from bot.settings import POLICY_KB

SHEET = POLICY_KB / "reference" / "eligibility_rules.md"       # the reference sheet, vendored for CI
SHARED_SHEET = Path("/work/shared/reference/eligibility_rules.md")
PLAN = POLICY_KB / "shanxi-14th-fyp-high-quality-life.txt"
PROGRAMS = ["disability_living_allowance", "disability_care_allowance", "childcare_subsidy",
            "skills_upgrade_subsidy", "vocational_training_subsidy"]
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MONEY = re.compile(r"(\d+(?:\.\d+)?)元")


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


SOURCE_TEXT = SHEET.read_text(encoding="utf-8") + "\n" + PLAN.read_text(encoding="utf-8")
SOURCE_NUMBERS = _numbers(SOURCE_TEXT)
SHEET_MONEY = set(MONEY.findall(SHEET.read_text(encoding="utf-8")))


def _answers():
    for program in PROGRAMS + ["disability_both"]:
        for aspects in [[]] + [[a] for a in ASPECTS]:
            for audience in ("resident", "staff"):
                yield f"{program}:{'+'.join(aspects) or 'overview'}:{audience}", program_answer([program], aspects,
                                                                                            audience=audience)
    for a, b in itertools.combinations(PROGRAMS, 2):
        for aspect in ("difference", "combine", "amount", "where"):
            yield f"{a}+{b}:{aspect}", program_answer([a, b], [aspect], place={"county": "小店区"})


ANSWERS = list(_answers())


def test_vendored_sheet_matches_the_shared_one():
    if not SHARED_SHEET.exists():
        pytest.skip("the shared reference sheet is not on this machine")
    assert SHEET.read_text(encoding="utf-8") == SHARED_SHEET.read_text(encoding="utf-8"), \
        "policy_kb/reference/eligibility_rules.md is stale: copy the shared reference sheet again"


@pytest.mark.parametrize("name,answer", ANSWERS, ids=[n for n, _ in ANSWERS])
def test_every_number_is_in_the_sources(name, answer):
    stray = _numbers(answer["text"]) - SOURCE_NUMBERS
    assert not stray, f"{name}: figures not in the reference sheet or the plan: {stray}\n{answer['text']}"
    for c in answer["citations"]:
        assert not (_numbers(c["quote"]) - SOURCE_NUMBERS), c


@pytest.mark.parametrize("name,answer", ANSWERS, ids=[n for n, _ in ANSWERS])
def test_every_amount_in_yuan_is_in_the_sheet(name, answer):
    assert set(MONEY.findall(answer["text"])) <= SHEET_MONEY, answer["text"]


def test_guard_catches_a_figure_that_is_not_in_the_sources():
    """The guard itself can fail: a made-up standard is caught."""
    invented = "每人每月补贴1234元"
    assert _numbers(invented) - SOURCE_NUMBERS == {"1234"}
    assert not set(MONEY.findall(invented)) <= SHEET_MONEY
