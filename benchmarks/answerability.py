"""The answerability model (bot/understanding/answerability.py) on sets held out from its training.

For each of the latest blind sets: train on every other set, then read the held-out set's lines with the rules
alone and, for the lines that reach the model (a program question with nothing unstated found), count how many
unanswerable questions it catches and how many answerable ones it wrongly flags, at several thresholds.
Saves benchmarks/results/answerability.json and prints a table.

    .venv/bin/python benchmarks/answerability.py [--last 6]
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
from unittest import mock

from common import ROOT, save, table

from bot.understanding import answerability, reader  # noqa: E402

THRESHOLDS = (0.7, 0.8, 0.85, 0.9)


def _order(name: str) -> tuple[int, int]:
    number = int(re.sub(r"\D", "", name) or 0)
    return (1 if name.startswith("round") else 0, number)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--last", type=int, default=6, help="how many of the latest sets to hold out, one at a time")
    args = parser.parse_args()
    folders = sorted((p for p in answerability.BLIND.iterdir() if p.is_dir() and
                      (p / "program_questions.yml").exists()), key=lambda p: _order(p.name))
    held_out = folders[-args.last:]
    rows, results = [], []
    for folder in held_out:
        model = answerability.Answerability(answerability.train(
            answerability.training_lines([f for f in folders if f != folder])))
        reached = {0: [], 1: []}
        with mock.patch.object(answerability, "get_model", return_value=None):
            for line, label, _ in answerability.training_lines([folder]):
                reading = reader.read_line(line, today=dt.date(2026, 12, 1))
                if reader.second_opinion_applies(reading):
                    reached[label].append(model.probability(line))
        result = {"set": folder.name, "reached_unanswerable": len(reached[1]), "reached_answerable": len(reached[0])}
        for t in THRESHOLDS:
            result[f"caught@{t}"] = sum(p >= t for p in reached[1])
            result[f"false@{t}"] = sum(p >= t for p in reached[0])
        results.append(result)
        rows.append([folder.name, f"{len(reached[1])}/{len(reached[0])}"] +
                    [f"{result[f'caught@{t}']} / {result[f'false@{t}']}" for t in THRESHOLDS])
    path = save("answerability", {"threshold": answerability.THRESHOLD, "held_out": results})
    print(table(rows, ["held-out set", "reached (unans./ans.)"] + [f"caught / false @{t}" for t in THRESHOLDS]))
    print(f"saved {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
