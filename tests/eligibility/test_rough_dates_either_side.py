"""A birth date known only roughly on both sides of the start date (a lunar 腊月): both ways of paying are
said, none is chosen, and the form asks the exact date once."""
from __future__ import annotations

import datetime as dt

from actions.eligibility import rough_amount_facts
from bot.eligibility.engine import MIXED_AMOUNT_NOTE, get_engine
from bot.eligibility.extract import extract_facts

TODAY = dt.date(2026, 12, 2)


def test_a_lunar_month_across_the_start_date_gives_both_amounts_and_asks_the_date():
    facts = extract_facts("前年腊月里生的", TODAY, asking="child_birth_date")["facts"]
    assert str(facts["child_birth_date"]) == "2024-12-01/2025-02-28"
    result = get_engine().evaluate("childcare_subsidy", facts, as_of=TODAY)
    assert result["outcome"] == "eligible" and result["amount"] is None
    note = result["amount_note"]
    assert note.startswith(MIXED_AMOUNT_NOTE) and "元/年" in note and "3600" in note
    assert rough_amount_facts(result, facts) == ["child_birth_date"]


def test_an_exact_solar_date_beside_the_lunar_one_is_the_date():
    facts = extract_facts("腊月二十三，小年那天生的，阳历是2025年1月22号", TODAY, asking="child_birth_date")["facts"]
    assert str(facts["child_birth_date"]) == "2025-01-22"
