"""Benchmark: the eligibility engine over every case file, and extraction on tests/eligibility/extraction_cases.yaml.

    .venv/bin/python benchmarks/eligibility.py
Writes benchmarks/results/eligibility.json and prints a table (cases passed, latency per call).
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.errors import ApiError  # noqa: E402
from bot.eligibility.engine import EligibilityEngine  # noqa: E402
from bot.eligibility.extract import extract_facts  # noqa: E402

CASES = ROOT / "tests" / "eligibility"
OUT = ROOT / "benchmarks" / "results" / "eligibility.json"
TODAY = dt.date(2026, 11, 28)
EXTRACTION = CASES / "extraction_cases.yaml"


def _jsonable(obj):
    return json.loads(json.dumps(obj, default=lambda o: o.isoformat()))


def _case_results() -> dict[str, dict]:
    import subprocess
    import tempfile
    import xml.etree.ElementTree as ET

    dirs = sorted(str(p.parent.relative_to(ROOT)) for p in CASES.glob("*/*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "cases.xml"
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}",
                        *sorted(set(dirs))], cwd=ROOT, capture_output=True, text=True, timeout=600)
        out: dict[str, dict] = {}
        for tc in ET.parse(xml).iter("testcase"):
            program = Path(tc.get("file") or tc.get("classname", "").replace(".", "/")).parts
            name = next((p for p in program if (CASES / p).is_dir()), "other")
            stats = out.setdefault(name, {"cases": 0, "passed": 0})
            stats["cases"] += 1
            stats["passed"] += not any(child.tag in ("failure", "error", "skipped") for child in tc)
        return out


def main() -> int:
    engine = EligibilityEngine()
    t0 = time.perf_counter()
    engine.warm_up()
    warm_ms = (time.perf_counter() - t0) * 1000
    per_program: dict[str, dict] = {}
    latencies: list[float] = []
    # Timing: every case evaluated in process.
    for path in sorted(CASES.glob("*/*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            program = case.get("program", path.parent.name)
            t = time.perf_counter()
            try:
                engine.evaluate(program, _jsonable(case.get("facts", {})), _jsonable(case.get("as_of")))
            except ApiError:
                pass
            latencies.append((time.perf_counter() - t) * 1000)
    # Correctness: the test suite's own checks (outcome, amount, unit, missing facts, reasons, hints, steps,
    # errors: tests/eligibility/conftest.py), not a weaker copy of them.
    per_program.update(_case_results())
    extract_ok, extract_ms = 0, []
    sentences = yaml.safe_load(EXTRACTION.read_text(encoding="utf-8"))["cases"]
    for case in sentences:
        t = time.perf_counter()
        got = extract_facts(case["text"], TODAY, case["asking"], engine=engine)["facts"]
        extract_ms.append((time.perf_counter() - t) * 1000)
        extract_ok += got == case["facts"]
    results = {
        "warm_up_ms": round(warm_ms, 1),
        "programs": per_program,
        "cases": sum(s["cases"] for s in per_program.values()),
        "passed": sum(s["passed"] for s in per_program.values()),
        "evaluate_ms_median": round(statistics.median(latencies), 3),
        "checks": "the suite's full case checks (tests/eligibility/conftest.py), run through pytest",
        "evaluate_ms_p95": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 3),
        "extract_sentences": len(sentences),
        "extract_exact": extract_ok,
        "extract_ms_median": round(statistics.median(extract_ms), 3),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    import subprocess
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    results = {"benchmark": "eligibility", "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "commit": commit, **results}
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{'program':32} {'cases':>6} {'passed':>7}")
    for name, s in per_program.items():
        print(f"{name:32} {s['cases']:>6} {s['passed']:>7}")
    print(f"{'total':32} {results['cases']:>6} {results['passed']:>7}")
    print(f"warm-up {results['warm_up_ms']} ms; evaluate median {results['evaluate_ms_median']} ms, "
          f"p95 {results['evaluate_ms_p95']} ms; extraction {extract_ok}/{len(sentences)} exact, "
          f"median {results['extract_ms_median']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
