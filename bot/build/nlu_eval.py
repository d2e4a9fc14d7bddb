"""Held-out NLU evaluation: normalise the test file as the service normalises live text, then print
`rasa test nlu`'s intent report and fail below the required intent macro-F1.

    python -m bot.build.nlu_eval normalize tests/nlu/heldout.yml var/heldout.normalized.yml
    python -m bot.build.nlu_eval report var/rasa_results/nlu/intent_report.json --min-macro-f1 0.95
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def normalize_file(src: Path, dst: Path) -> int:
    """Residents' text reaches Rasa normalised (bot.text_normalize.read_line); evaluate the held-out set the same way."""
    import yaml

    from bot.text_normalize import read_line

    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    count = 0
    for block in data.get("nlu", []):
        if "examples" in block:
            lines = [ln[2:] for ln in block["examples"].splitlines() if ln.startswith("- ")]
            block["examples"] = "".join(f"- {read_line(ln)}\n" for ln in lines)
            count += len(lines)
    class _Literal(yaml.SafeDumper):
        pass

    _Literal.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(yaml.dump(data, Dumper=_Literal, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    print(f"{count} held-out examples normalised → {dst}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    norm = sub.add_parser("normalize")
    norm.add_argument("src", type=Path)
    norm.add_argument("dst", type=Path)
    rep = sub.add_parser("report")
    rep.add_argument("report", type=Path)
    rep.add_argument("--min-macro-f1", type=float, default=0.95)
    args = parser.parse_args(argv)
    if args.cmd == "normalize":
        return normalize_file(args.src, args.dst)
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
