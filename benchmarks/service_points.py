"""Service points: seeding, filtered and nearest lookups (SQLite; PostgreSQL too when DATABASE_URL says so),
gazetteer matching speed, and place-entity coverage of the spaCy pipeline in the Rasa venv
(every place name in 5 carrier sentences, with and without the jieba user dict). Not a test."""
from __future__ import annotations

import json
import os
import random
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from common import ROOT, save, summary_ms, table

from bot.service_points import lookup
from bot.service_points.gazetteer import SHANXI_BOUNDS, load_gazetteer
from bot.service_points.store import ServicePointStore

CARRIERS = ["我在{}", "{}的残联在哪里", "请问{}民政局电话", "我住{}，想办补贴", "{}哪里能办两项补贴"]
COVERAGE_SCRIPT = r"""
import json, sys
import spacy, jieba
from bot.service_points.gazetteer import load_gazetteer, surface_forms
from bot.build.spacy_pipeline import build
nlp = build(__import__("pathlib").Path(sys.argv[1]))
forms = sorted({t for t, level, _ in surface_forms(load_gazetteer()) if level in ("city", "county", "town")})
carriers = json.loads(sys.argv[2])
def coverage():
    hit = total = 0
    for c in carriers:
        for f, d in zip(forms, nlp.pipe([c.format(f) for f in forms])):
            total += 1
            hit += any(e.text == f for e in d.ents)
    return hit, total
plain = coverage()
jieba.load_userdict(sys.argv[3])
print("RESULT " + json.dumps({"forms": len(forms), "plain": plain, "userdict": coverage()}))
"""


def bench_store(url: str, table_name: str, label: str) -> list:
    gaz = load_gazetteer()
    store = ServicePointStore(url, table=table_name)
    try:
        t0 = time.perf_counter()
        n = store.ensure_seeded()
        seed_s = time.perf_counter() - t0
        filtered = []
        for c in gaz.counties * 3:
            t0 = time.perf_counter()
            lookup(type="civil_affairs", city=c.city, county=c.name, store=store)
            filtered.append(time.perf_counter() - t0)
        rng = random.Random(7)
        south, north, west, east = SHANXI_BOUNDS
        nearest = []
        for _ in range(300):
            lat, lng = rng.uniform(south + 0.3, north - 0.3), rng.uniform(west + 0.3, east - 0.3)
            t0 = time.perf_counter()
            store.nearest(lat, lng, limit=5, type=rng.choice([None, "hrss", "town_service_center"]))
            nearest.append(time.perf_counter() - t0)
        return [label, n, round(seed_s, 2), summary_ms(filtered), summary_ms(nearest)]
    finally:
        store.drop()


def main() -> None:
    results: dict = {"stores": []}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("sqlite", f"sqlite:///{tmp}/sp.db", "service_points")]
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            backends.append(("postgresql", os.environ["DATABASE_URL"], f"sp_bench_{uuid.uuid4().hex[:8]}"))
        for label, url, table_name in backends:
            label, n, seed_s, filt, near = bench_store(url, table_name, label)
            results["stores"].append({"backend": label, "records": n, "seed_s": seed_s,
                                      "filtered_lookup": filt, "nearest": near})
            rows.append([label, n, seed_s, filt["p50_ms"], filt["p95_ms"], near["p50_ms"], near["p95_ms"]])
        print(table(rows, ["backend", "records", "seed s", "lookup p50 ms", "lookup p95 ms",
                           "nearest p50 ms", "nearest p95 ms"]))

        gaz = load_gazetteer()
        sentences = [c.format(p.name) for c in CARRIERS for p in gaz.counties + gaz.towns]
        t0 = time.perf_counter()
        for s in sentences:
            gaz.find_places(s)
        per_s = len(sentences) / (time.perf_counter() - t0)
        results["find_places_sentences_per_s"] = round(per_s)
        print(f"\nfind_places: {per_s:,.0f} sentences/s ({len(sentences)} sentences)")

        rasa_py = ROOT / ".venv-rasa" / "bin" / "python"
        if rasa_py.exists():
            proc = subprocess.run([str(rasa_py), "-c", COVERAGE_SCRIPT, str(Path(tmp) / "zh_places"),
                                   json.dumps(CARRIERS, ensure_ascii=False),
                                   str(ROOT / "policy_kb" / "jieba" / "places.txt")],
                                  cwd=ROOT, capture_output=True, text=True, timeout=900)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line:
                cov = json.loads(line[7:])
                results["entity_coverage"] = cov
                print("\n" + table([[m, f"{cov[m][0]}/{cov[m][1]}", f"{cov[m][0] / cov[m][1]:.2%}"]
                                    for m in ("plain", "userdict")],
                                   ["jieba dict", "found", "coverage"]))
            else:
                print("entity coverage failed:", proc.stderr[-2000:])
    print(f"\nsaved {save('service_points', results)}")


if __name__ == "__main__":
    main()
