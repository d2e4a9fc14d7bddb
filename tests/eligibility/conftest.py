"""One collector for the eligibility cases written as data: tests/eligibility/<program>/*.yaml.

Each file holds `cases:`; each case has name, as_of, facts and `expect` (outcome, amount, unit,
missing_facts, missing_first, reasons_contain, hints_contain, amount_max (the top of a range when
the date is known only roughly), note_contain, or error: {status, code, field}).
The program is the folder name unless a case sets `program`.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from bot.errors import ApiError
from bot.eligibility.engine import EligibilityEngine

_ENGINE: EligibilityEngine | None = None


def engine() -> EligibilityEngine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = EligibilityEngine()
        _ENGINE.warm_up()
    return _ENGINE


def _jsonable(obj):
    """What the API would receive: dates become YYYY-MM-DD strings."""
    return json.loads(json.dumps(obj, default=lambda o: o.isoformat() if isinstance(o, dt.date) else str(o)))


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".yaml" and file_path.parent.parent.name == "eligibility" \
            and file_path.parent.parent.parent.name == "tests":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):
        data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        names = set()
        for case in data.get("cases", []):
            name = case["name"]
            assert name not in names, f"duplicate case name {name!r} in {self.path}"
            names.add(name)
            yield CaseItem.from_parent(self, name=name, case=case, program=case.get("program", self.path.parent.name))


class CaseFailed(AssertionError):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case, program, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.program = program

    def runtest(self):
        case = self.case
        expect = case["expect"]
        facts = _jsonable(case.get("facts", {}))
        as_of = _jsonable(case.get("as_of"))
        if "error" in expect:
            want = expect["error"]
            try:
                engine().evaluate(self.program, facts, as_of)
            except ApiError as exc:
                got = {"status": exc.status, "code": exc.code, "field": exc.field}
                for key, value in want.items():
                    if got.get(key) != value:
                        raise CaseFailed(f"error {key}: expected {value!r}, got {got.get(key)!r} ({exc.message})")
                return
            raise CaseFailed(f"expected error {want}, got a result")
        result = engine().evaluate(self.program, facts, as_of)
        check = []
        check.append(("outcome", expect["outcome"], result["outcome"]))
        if "amount" in expect:
            got = result["amount"]["value"] if result["amount"] else None
            check.append(("amount", expect["amount"], got))
        if "amount_max" in expect:
            amount = result["amount"] or {}
            check.append(("amount_max", expect["amount_max"], amount.get("value_max", amount.get("value"))))
        for text in expect.get("note_contain", []):
            note = (result["amount"] or {}).get("note") or ""
            if text not in note:
                check.append(("note_contain", text, note))
        if "unit" in expect:
            check.append(("unit", expect["unit"], (result["amount"] or {}).get("unit")))
        if "missing_facts" in expect:
            check.append(("missing_facts", expect["missing_facts"], result["missing_facts"]))
        if "missing_first" in expect:
            check.append(("missing_first", expect["missing_first"], (result["missing_facts"] or [None])[0]))
        for key, field in (("reasons_contain", "reasons"), ("hints_contain", "hints"), ("steps_contain", "next_steps")):
            joined = "\n".join(result[field])
            for text in expect.get(key, []):
                if text not in joined:
                    check.append((key, text, joined))
        bad = [f"{k}: expected {w!r}, got {g!r}" for k, w, g in check if w != g]
        if bad:
            raise CaseFailed("\n".join(bad))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseFailed):
            return f"{self.path.name} :: {self.name}\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.program}: {self.name}"
