"""NLU on the held-out set (tests/nlu/heldout.yml), exactly as `make test-rasa` evaluates it: normalised as the
service normalises live text, `rasa test nlu` with the trained model; saves the intent macro-F1, the number of
examples and the weakest intents to benchmarks/results/nlu_heldout.json (the README quotes it from there).

    .venv/bin/python benchmarks/nlu_heldout.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, save, table

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
APP_PY = ROOT / ".venv" / "bin" / "python"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        normalized = Path(tmp) / "heldout.normalized.yml"
        subprocess.run([str(APP_PY), "-m", "bot.build.nlu_eval", "normalize", "tests/nlu/heldout.yml", str(normalized)],
                       cwd=ROOT, check=True)
        out = Path(tmp) / "nlu"
        subprocess.run([str(RASA), "test", "nlu", "--model", "models", "--nlu", str(normalized), "--out", str(out)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3"))
        report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    macro = report["macro avg"]
    intents = {k: v for k, v in report.items() if isinstance(v, dict) and "support" in v and "avg" not in k}
    weakest = sorted(intents.items(), key=lambda kv: kv[1]["f1-score"])[:5]
    data = {"examples": int(macro["support"]), "intents": len(intents),
            "intent_macro_f1": round(macro["f1-score"], 4), "accuracy": round(report.get("accuracy", 0), 4),
            "weakest_intents": {k: {"f1": round(v["f1-score"], 3), "support": v["support"]} for k, v in weakest},
            "model": sorted(p.name for p in (ROOT / "models").glob("*.tar.gz"))}
    path = save("nlu_heldout", data)
    print(table([[data["examples"], data["intents"], data["intent_macro_f1"], data["accuracy"]]],
                ["examples", "intents", "intent macro-F1", "accuracy"]))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
