"""Print the held-out NLU evaluation (from `rasa test nlu`) and fail below the required intent macro-F1."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-macro-f1", type=float, default=0.95)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    print(f"{'intent':<22}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}")
    for name, row in sorted(report.items()):
        if isinstance(row, dict) and "f1-score" in row and not name.endswith("avg"):
            print(f"{name:<22}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1-score']:>8.3f}{row['support']:>9}")
    macro = report["macro avg"]["f1-score"]
    print(f"\nNLU held-out intent macro-F1 = {macro:.4f} (required ≥ {args.min_macro_f1})")
    return 0 if macro >= args.min_macro_f1 else 1


if __name__ == "__main__":
    sys.exit(main())
