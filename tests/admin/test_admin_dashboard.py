"""Quality dashboard: server-side SVG pictures (well-formed, escaped, described in words) from the turn log,
the KB benchmark results and `rasa test`'s intent report."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from bot.admin import charts, dashboard
from bot.admin.routes import observe_turn
from tests.admin.conftest import EDITOR, auth

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.find(SVG + "title").text and root.find(SVG + "desc").text
    return root


def test_charts_escape_text_and_describe_themselves():
    svg = charts.hbars("主题", [("<script>alert(1)</script>", 3, "3 次"), ("公积金", 1, "1 次")])
    root = parse(svg)
    assert "<script>" not in svg and "公积金：1 次" in root.find(SVG + "desc").text
    assert len(root.findall(SVG + "rect")) == 3  # background + two bars
    parse(charts.columns("占比", ["2026-11-28", "2026-11-29"], [0.1, 0.5], ["10%", "50%"], y_max=1))
    parse(charts.stacked("结果", [("育儿补贴", {"eligible": 2, "not_eligible": 1})], dashboard.OUTCOME_LABELS))
    parse(charts.heatmap("混淆", ["greet", "goodbye"], [[5, 1], [0, 4]]))
    parse(charts.lines("召回", ["v1", "v2"], {"黄金集": [0.9, 1.0], "盲测集": [None, 0.8]}))
    assert "暂无数据" in charts.hbars("空", [])


def test_confusion_matrix_from_intent_report(tmp_path):
    report = {"greet": {"precision": 1, "recall": 0.8, "f1-score": 0.9, "support": 5, "confused_with": {"goodbye": 1}},
              "goodbye": {"precision": 0.8, "recall": 1.0, "f1-score": 0.9, "support": 4, "confused_with": {}},
              "accuracy": 0.9, "macro avg": {"precision": 0.9, "recall": 0.9, "support": 9}}
    path = tmp_path / "intent_report.json"
    path.write_text(json.dumps(report))
    assert dashboard.nlu_confusion(path) == (["goodbye", "greet"], [[4, 0], [1, 4]])
    assert dashboard.nlu_confusion(tmp_path / "missing.json") == ([], [])


def test_kb_recall_history_reads_benchmark_results(tmp_path):
    (tmp_path / "kb.json").write_text(json.dumps({"measured_at": "2026-11-28", "kb": {"version": "v1"},
                                                  "quality": {"hybrid": {"recall_at_3": 0.97}},
                                                  "history": [{"measured_at": "2026-11-27", "kb": {"version": "v0"},
                                                               "quality": {"hybrid": {"recall_at_3": 0.9}}}]}))
    (tmp_path / "kb_quality.json").write_text(json.dumps({"measured_at": "2026-11-29", "kb_version": "v1",
                                                          "blind": {"recall_at_3": 0.8}}))
    hist = dashboard.kb_recall_history(tmp_path)
    assert [(p["version"], p["golden"], p["blind"]) for p in hist] == [("v0", 0.9, None), ("v1", 0.97, 0.8)]


async def test_dashboard_endpoint_draws_every_chart(client, admin_app, var_dir):
    nlu = var_dir / "rasa_results" / "nlu"
    nlu.mkdir(parents=True)
    (nlu / "intent_report.json").write_text(json.dumps(
        {"greet": {"recall": 1.0, "support": 3, "confused_with": {}}}))
    observe = observe_turn(admin_app)
    observe("web:a", "公积金怎么提取", [{"text": "抱歉"}], "not_in_sources")
    observe("web:b", "我家孩子2025年出生能领吗", [{"text": "可以", "eligibility": {"program": "childcare_subsidy",
                                                                               "outcome": "eligible"}}], None)
    observe("wx:c", "你好", [{"text": "您好"}], None)
    resp = await client.get("/api/admin/dashboard", headers=auth(EDITOR))
    assert resp.status == 200
    data = await resp.json()
    by_id = {c["id"]: c for c in data["charts"]}
    assert set(by_id) == {"unanswered_share", "topics", "channels", "kb_recall", "nlu_confusion", "eligibility"}
    for c in data["charts"]:
        parse(c["svg"])
    assert "33%" in by_id["unanswered_share"]["svg"]
    assert "网页：2（67%）" in parse(by_id["channels"]["svg"]).find(SVG + "desc").text
    assert "育儿补贴" in by_id["eligibility"]["svg"] and "符合1" in by_id["eligibility"]["svg"]
    assert "greet" in by_id["nlu_confusion"]["svg"]
