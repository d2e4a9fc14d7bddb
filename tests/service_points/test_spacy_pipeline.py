"""The place-entity pipeline, built and loaded in the Rasa venv (spaCy 3.4) as Rasa will load it."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.settings import ROOT

RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
SENTENCES = ["太原市小店区的残联在哪里", "迎泽区人社局电话", "我在尧都区，哪里能办两项补贴", "城区民政局",
             "我家在清徐县徐沟镇", "大同县民政局", "我的长子三岁了"]
SCRIPT = r"""
import json, sys
from pathlib import Path
from bot.build.spacy_pipeline import build
out = Path(sys.argv[1])
build(out)
import spacy, jieba
nlp = spacy.load(out)
sentences = json.loads(sys.argv[2])
def ents():
    return [[[e.text, e.label_, e.ent_id_] for e in nlp(s).ents] for s in sentences]
result = {"plain": ents(), "labels": sorted(nlp.get_pipe("entity_ruler").labels),
          "pipeline": nlp.pipe_names, "segmenter": nlp.tokenizer.segmenter}
jieba.load_userdict(sys.argv[3])
result["userdict"] = ents()
print("RESULT " + json.dumps(result, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict:
    if not RASA_PY.exists():
        pytest.skip("Rasa venv (.venv-rasa) not installed")
    out = tmp_path_factory.mktemp("spacy") / "zh_places"
    proc = subprocess.run([str(RASA_PY), "-c", SCRIPT, str(out), json.dumps(SENTENCES, ensure_ascii=False),
                           str(ROOT / "policy_kb" / "jieba" / "places.txt")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_pipeline_shape(extracted):
    assert extracted["labels"] == ["city", "county", "town"]
    assert extracted["pipeline"] == ["entity_ruler"]
    assert str(extracted["segmenter"]).endswith("jieba")


@pytest.mark.parametrize("mode", ["plain", "userdict"])
def test_entities(extracted, mode):
    got = dict(zip(SENTENCES, extracted[mode]))
    assert got["太原市小店区的残联在哪里"] == [["太原市", "city", "太原市"], ["小店区", "county", "小店区"]]
    assert got["迎泽区人社局电话"] == [["迎泽区", "county", "迎泽区"]]
    assert got["我在尧都区，哪里能办两项补贴"] == [["尧都区", "county", "尧都区"]]
    assert got["城区民政局"] == [["城区", "county", ""]]  # ambiguous: no canonical id, ask which city
    assert got["我家在清徐县徐沟镇"] == [["清徐县", "county", "清徐县"], ["徐沟镇", "town", "徐沟镇"]]
    assert got["大同县民政局"] == [["大同县", "county", "云州区"]]  # former name → current county
    assert got["我的长子三岁了"] == []


def test_jieba_dict_lists_every_place_name():
    from bot.service_points.gazetteer import load_gazetteer

    lines = (ROOT / "policy_kb" / "jieba" / "places.txt").read_text(encoding="utf-8").splitlines()
    names = {ln.split(" ")[0] for ln in lines}
    assert all(ln.endswith(" 100 ns") for ln in lines)
    gaz = load_gazetteer()
    assert {c.name for c in gaz.counties + gaz.cities} <= names
    assert {"小店", "尧都", "太原", "城区", "大同县"} <= names


def test_jieba_dict_is_in_sync_with_the_gazetteer(tmp_path):
    from bot.service_points.__main__ import JIEBA_DICT, write_jieba_dict

    write_jieba_dict(tmp_path / "places.txt")
    assert (tmp_path / "places.txt").read_text(encoding="utf-8") == JIEBA_DICT.read_text(encoding="utf-8")
