"""Rules files for the console: view, validate an edit (bot.rules check + the program's cases), save.

An edit is checked in a scratch copy of the rules folder (so the shared-fact consistency check sees the
other programs too), then every case in tests/eligibility/<program>/*.yaml is run against the current
and the edited rules: cases whose outcome or amount changes are listed. Saving writes the file
atomically; the running engine re-reads it and keeps its last good rules if a file ever fails the check.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.errors import ApiError
from bot.eligibility.engine import EligibilityEngine
from bot.eligibility.loader import rule_files
from bot.kb.store import write_atomic
from bot.rules.__main__ import check
from bot.settings import ROOT

CASES_DIR = ROOT / "tests" / "eligibility"
MAX_RULES_BYTES = 256 * 1024


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def list_programs(rules_dir: Path) -> list[dict[str, Any]]:
    out = []
    for path in rule_files(rules_dir):
        text = path.read_text(encoding="utf-8")
        try:
            label = (yaml.safe_load(text) or {}).get("label", "")
        except yaml.YAMLError:
            label = ""
        out.append({"program": path.stem, "label": label, "file": path.name, "sha": sha(text),
                    "cases": len(load_cases(path.stem))})
    return out


def rules_path(rules_dir: Path, program: str) -> Path:
    path = rules_dir / f"{program}.yaml"
    if program not in {p.stem for p in rule_files(rules_dir)}:
        raise ApiError(404, "unknown_program", "没有这个补贴项目的规则文件，请从规则列表中选择项目。", field="program")
    return path


def load_cases(program: str, cases_dir: Path = CASES_DIR) -> list[dict[str, Any]]:
    cases = []
    folder = cases_dir / program
    for f in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for c in data.get("cases", []):
            if c.get("program", program) == program:
                cases.append(c)
    return cases


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=lambda o: o.isoformat() if isinstance(o, dt.date) else str(o)))


def _run(engine: EligibilityEngine, program: str, case: dict[str, Any]) -> dict[str, Any]:
    try:
        r = engine.evaluate(program, _jsonable(case.get("facts", {})), _jsonable(case.get("as_of")))
    except ApiError as exc:
        return {"outcome": f"error:{exc.code}", "amount": None}
    except Exception as exc:  # the check let something through that the engine cannot run
        return {"outcome": "crash", "amount": None, "detail": f"{type(exc).__name__}: {exc}"}
    return {"outcome": r["outcome"], "amount": (r["amount"] or {}).get("value")}


def _meets(case: dict[str, Any], got: dict[str, Any]) -> bool:
    want = case.get("expect", {})
    if "error" in want:
        return got["outcome"] == f"error:{want['error'].get('code')}"
    if want.get("outcome") != got["outcome"]:
        return False
    return "amount" not in want or want["amount"] == got["amount"]


def validate(rules_dir: Path, program: str, text: str) -> dict[str, Any]:
    """{"ok", "problems", "check_output", "cases": {"total", "failing", "changed": [...]}}."""
    current_path = rules_path(rules_dir, program)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "rules"
        shutil.copytree(rules_dir, scratch)
        (scratch / current_path.name).write_text(text, encoding="utf-8")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = check(rule_files(scratch))
        output = out.getvalue().replace(str(scratch) + "/", "")
        problems = [line[3:] for line in output.splitlines() if line.startswith("错误 ")]
        result: dict[str, Any] = {"ok": status == 0, "problems": problems, "check_output": output,
                                  "cases": {"total": 0, "failing": [], "changed": []}}
        if status != 0:
            return result
        before, after = EligibilityEngine(rules_dir), EligibilityEngine(scratch)
        before.reload()
        after.reload()
        cases = load_cases(program)
        result["cases"]["total"] = len(cases)
        for case in cases:
            a, b = _run(before, program, case), _run(after, program, case)
            if b["outcome"] == "crash":
                result["ok"] = False
                result["problems"].append(f"{current_path.name}: 案例 {case['name']} 无法用新规则计算（{b['detail']}）")
            if a != b:
                result["cases"]["changed"].append({"case": case["name"], "before": a, "after": b,
                                                   "expected": case.get("expect", {}).get("outcome")})
            if not _meets(case, b):
                result["cases"]["failing"].append({"case": case["name"], "got": b,
                                                   "expected": _jsonable(case.get("expect", {}))})
    return result


def save(rules_dir: Path, program: str, text: str) -> tuple[str, str]:
    path = rules_path(rules_dir, program)
    before = path.read_text(encoding="utf-8")
    write_atomic(path, text.encode("utf-8"))
    return sha(before), sha(text)


def read(rules_dir: Path, program: str) -> dict[str, Any]:
    path = rules_path(rules_dir, program)
    text = path.read_text(encoding="utf-8")
    return {"program": program, "file": path.name, "text": text, "sha": sha(text),
            "cases": len(load_cases(program))}


def history_note(before: Optional[str], after: str) -> str:
    return f"{before or '-'} → {after}"
