"""Build the spaCy place-entity pipeline Rasa loads: blank `zh` + jieba segmenter + EntityRuler.

    .venv-rasa/bin/python -m bot.build.spacy_pipeline var/spacy/zh_places

Labels are exactly `city`, `county`, `town`; each pattern's id is the canonical name when the surface
form means one place (小店 → 小店区) and empty when it is ambiguous (城区), so the action must still call
resolve_place(). jieba may split a place name differently with and without our user dict
(policy_kb/jieba/places.txt, which Rasa's JiebaTokenizer loads into the shared jieba): every name gets
a pattern for each segmentation (whole token, plain jieba, and each known alias's jieba split).
Runs under spaCy 3.4 (Rasa venv) and 3.8; skips work when inputs are unchanged (bot.buildstamp).
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from bot import buildstamp
from bot.service_points.gazetteer import LEVELS, ROOT, GAZETTEER_PATH, load_gazetteer, surface_forms

LABELS = ("city", "county", "town")
# Typical contexts: jieba splits a name differently next to 在/住/的, so those splits get patterns too.
CONTEXTS = ("我在{}", "我住{}，", "{}的", "{}哪里", "请问{}民政局", "{}残联", "在{}办")
INPUTS = [GAZETTEER_PATH, Path(__file__), ROOT / "bot" / "service_points" / "gazetteer.py"]


def place_patterns(segment) -> list[dict]:
    """EntityRuler token patterns for every surface form, at its most important level only."""
    best: dict[str, tuple[str, list]] = {}
    for text, level, places in surface_forms(load_gazetteer()):
        if level not in LABELS:
            continue  # development zones are kept apart from the 117 divisions
        if text not in best or LEVELS.index(level) < LEVELS.index(best[text][0]):
            best[text] = (level, places)
    patterns = []
    for text, (level, places) in sorted(best.items()):
        names = {p.name for p in places}
        ent_id = names.pop() if len(names) == 1 and len(places) == 1 else ""
        splits = {(text,), tuple(t for t in segment(text) if t.strip())} | set(_context_splits(text, segment))
        for split in sorted(splits):
            patterns.append({"label": level, "pattern": [{"TEXT": t} for t in split], "id": ent_id})
    return patterns


def _context_splits(text: str, segment):
    """Token splits of `text` inside typical sentences, where the tokens line up with the name."""
    for ctx in CONTEXTS:
        sentence = ctx.format(text)
        start = ctx.index("{}")
        pos, split = 0, []
        for tok in segment(sentence):
            end = pos + len(tok)
            if pos >= start and end <= start + len(text):
                split.append(tok)
            elif pos < start + len(text) and end > start:
                split = []  # a token straddles the name's edge: no pattern can match there
                break
            pos = end
        if split and "".join(split) == text:
            yield tuple(split)


def build(out: Path):
    import jieba
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    # Patterns are segmented with jieba's stock dictionary, i.e. as the tokenizer splits names when
    # no user dict is loaded; the whole-name pattern covers the user-dict case.
    plain = jieba.Tokenizer()
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(place_patterns(lambda s: plain.lcut(s, HMM=True)))
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return nlp


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "var" / "spacy" / "zh_places"
    out = out if out.is_absolute() else Path.cwd() / out
    from importlib.metadata import version

    # Checked before importing spaCy, which is slow to import in the Rasa venv.
    stamp = "spacy_zh_places_" + hashlib.sha1(str(out).encode()).hexdigest()[:8]
    inputs = INPUTS + [f"out:{out}", f"spacy:{version('spacy')}"]
    if buildstamp.is_fresh(stamp, inputs, [out / "config.cfg"]):
        print(f"spaCy place pipeline up to date: {out}")
        return 0
    nlp = build(out)
    buildstamp.mark(stamp, inputs)
    print(f"spaCy place pipeline ({len(nlp.get_pipe('entity_ruler'))} patterns) → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
