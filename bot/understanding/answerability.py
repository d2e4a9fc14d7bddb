"""Does a general question about a program ask something its sources state? A learned second opinion.

The lexicon's `not_in_sources` patterns name the details no source gives (a payment day, a local top-up…), but
residents keep finding new ones ("钱是打到娃爸账户还是娃妈账户", "补考几次"). This model reads the shape of the
question instead of a list of topics: character 1–3-grams (TF-IDF) and a logistic regression, trained on every
question written for us by people who never saw the code, each labelled by its author as answered by the sources
(`program_questions.yml`, conversation lines) or not (`unanswerable.yml`). Program names are masked, so it learns
what is asked, not about which program.

It is only a second opinion: the reader asks it when its own rules found a program question with nothing
unstated in it, and a high probability (THRESHOLD) makes the line an honest "not in the sources", with the
program's summary below it labelled as related. `benchmarks/answerability.py` measures it on sets held out from
its training.

    python -m bot.understanding.answerability ensure   # train when its inputs changed (make build)

The trained model is plain JSON (var/understanding/answerability.json): n-gram → (idf, weight), read without
scikit-learn, which is needed only to train.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from bot import buildstamp

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "blind"
MODEL_PATH = ROOT / "var" / "understanding" / "answerability.json"
STAMP = "answerability"
# What the model is trained on and from: a change to any retrains it.
INPUTS = [BLIND, Path(__file__), Path(__file__).with_name("lexicon.yml"), ROOT / "policy_kb" / "rules",
          ROOT / "bot" / "textparse" / "dialect.py"]
# Chosen on sets held out from training (benchmarks/answerability.py): at 0.85 no answerable question of the last
# six sets was flagged, and about half of the unanswerable ones the rules missed were.
THRESHOLD = 0.85
PROGRAM_MARK = "Ｐ"
_SPACES = re.compile(r"\s+")
log = logging.getLogger(__name__)


def masked(text: str) -> str:
    """The standard reading of a line with every program name and alias replaced by one mark."""
    from bot.eligibility.engine import get_engine
    from bot.understanding.reader import _alias_pairs, homophone_aliases, standard_text

    engine = get_engine()
    aliases = _alias_pairs(engine)
    line = homophone_aliases(standard_text(text), aliases).lower()   # "育耳补贴" is 育儿补贴 too
    named = set()
    for alias, pid in sorted(aliases, key=lambda pair: -len(pair[0])):
        if alias.lower() in line:
            named.add(pid)
            line = line.replace(alias.lower(), PROGRAM_MARK)
    # Which programs were named, as one mark each after the line: what is unstated for one program (tax on the
    # skills subsidy) may be stated for another (the childcare subsidy is tax-free).
    ids = sorted(engine.program_ids())
    marks = "".join(chr(0xE000 + ids.index(pid)) for pid in sorted(named) if pid in ids)
    return (_SPACES.sub(" ", line).strip() + (" " + marks if marks else ""))


def ngrams(line: str) -> list[str]:
    """Character 1–3-grams of a masked line (the one analyzer of training and of reading)."""
    return [line[i:i + n] for n in (1, 2, 3) for i in range(len(line) - n + 1)]


def training_lines(sets: Optional[Iterable[Path]] = None) -> list[tuple[str, int, str]]:
    """(line, 1 when its author says no source answers it, set name) from the blind sets under tests/blind."""
    out: list[tuple[str, int, str]] = []
    for folder in sorted(sets if sets is not None else (p for p in BLIND.iterdir() if p.is_dir())):
        for name, label in (("program_questions.yml", 0), ("unanswerable.yml", 1)):
            path = folder / name
            if path.exists():
                out += [(q["text"], label, folder.name) for q in yaml.safe_load(path.read_text())["questions"]]
        path = folder / "conversations.yml"
        if path.exists():
            for conv in yaml.safe_load(path.read_text())["conversations"]:
                out += [(line, 0, folder.name) for line in [conv["opening"], *(conv.get("followups") or [])]]
    return out


def fit(lines: list[tuple[str, int, str]]) -> tuple[Any, Any]:
    """(vectorizer, classifier) fitted with scikit-learn on (line, label, set)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [masked(line) for line, _, _ in lines]
    labels = [label for _, label, _ in lines]
    vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, min_df=2)
    features = vectorizer.fit_transform(texts)
    return vectorizer, LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced").fit(features, labels)


def train(lines: list[tuple[str, int, str]]) -> dict[str, Any]:
    """Fit the model on (line, label, set) and return it as plain data."""
    vectorizer, model = fit(lines)
    weights = model.coef_[0]
    return {"threshold": THRESHOLD, "intercept": float(model.intercept_[0]), "lines": len(lines),
            "ngrams": {gram: [round(float(vectorizer.idf_[i]), 6), round(float(weights[i]), 6)]
                       for gram, i in vectorizer.vocabulary_.items()}}


class Answerability:
    """P(no source answers this line), from a trained model's plain data."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.ngrams = data["ngrams"]
        self.intercept = data["intercept"]
        self.threshold = data.get("threshold", THRESHOLD)

    def probability(self, text: str) -> float:
        counts = Counter(g for g in ngrams(masked(text)) if g in self.ngrams)
        if not counts:
            return 0.0
        values = {g: (1.0 + math.log(n)) * self.ngrams[g][0] for g, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        score = self.intercept + sum(v / norm * self.ngrams[g][1] for g, v in values.items())
        return 1.0 / (1.0 + math.exp(-score))

    def unanswerable(self, text: str) -> bool:
        return self.probability(text) >= self.threshold


def ensure(quiet: bool = False) -> Path:
    """Train and write the model unless it is already there for these inputs."""
    if buildstamp.is_fresh(STAMP, INPUTS, [MODEL_PATH]):
        if not quiet:
            print("问句可答性模型已是最新，跳过训练。")
        return MODEL_PATH
    lines = training_lines()
    if not quiet:
        print(f"问句可答性模型：用 {len(lines)} 条盲测问句训练……")
    data = train(lines)
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    tmp = MODEL_PATH.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False))
    tmp.replace(MODEL_PATH)
    buildstamp.mark(STAMP, INPUTS)
    return MODEL_PATH


@functools.lru_cache(maxsize=1)
def get_model() -> Optional[Answerability]:
    """The built model, or None (with a warning that says the fix) when `make build` has not made it."""
    if not MODEL_PATH.exists():
        log.warning("问句可答性模型不存在（%s）：请运行 make build 或 python -m bot.understanding.answerability "
                    "ensure；在此之前只按词表判断资料中没有的问题。", MODEL_PATH)
        return None
    return Answerability(json.loads(MODEL_PATH.read_text()))


def main(argv: list[str]) -> int:
    if argv[:1] == ["ensure"]:
        ensure()
        return 0
    print("用法: python -m bot.understanding.answerability ensure")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
