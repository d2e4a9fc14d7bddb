"""The quality dashboard's data and pictures: unanswered share, topics, channels, KB recall, NLU, outcomes."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Optional

from bot.admin import charts
from bot.admin.unanswered import CHANNEL_LABELS, SHANGHAI, UnansweredLog
from bot.settings import ROOT

RESULTS = ROOT / "benchmarks" / "results"
OUTCOME_LABELS = [("eligible", "符合"), ("not_eligible", "不符合"), ("needs_more_info", "需补充信息"),
                  ("refer_locally", "请咨询当地")]


def kb_recall_history(results_dir: Path = RESULTS) -> list[dict[str, Any]]:
    """(version, golden recall@3, blind recall@3) from the KB benchmark results, oldest first.

    Reads every benchmarks/results/kb*.json: its own `kb.version` and `quality`, and a `history` list
    of earlier runs when the benchmark keeps one.
    """
    points: dict[str, dict[str, Any]] = {}
    for path in sorted(results_dir.glob("kb*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for run in [*(data.get("history") or []), data]:
            if not isinstance(run, dict):
                continue
            version = (run.get("kb") or {}).get("version") or run.get("kb_version")
            if not version:
                continue
            p = points.setdefault(version, {"version": version, "at": run.get("measured_at", ""),
                                            "golden": None, "blind": None})
            golden = _recall(run.get("quality"))
            blind = _recall(run.get("blind") or (run.get("quality") or {}).get("blind") or run.get("blind_quality"))
            p["golden"] = golden if golden is not None else p["golden"]
            p["blind"] = blind if blind is not None else p["blind"]
    return sorted((p for p in points.values() if p["golden"] is not None or p["blind"] is not None),
                  key=lambda p: (p["at"], p["version"]))


def _recall(block: Any) -> Optional[float]:
    if not isinstance(block, dict):
        return None
    for key in ("hybrid", "served"):
        if isinstance(block.get(key), dict) and "recall_at_3" in block[key]:
            return float(block[key]["recall_at_3"])
    return float(block["recall_at_3"]) if "recall_at_3" in block else None


def nlu_confusion(report_path: Path) -> tuple[list[str], list[list[int]]]:
    """Intent confusion matrix from `rasa test nlu`'s intent_report.json (rows true, columns predicted)."""
    try:
        data = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], []
    intents = sorted(k for k, v in data.items() if isinstance(v, dict) and "support" in v
                     and k not in ("macro avg", "weighted avg", "micro avg"))
    index = {k: i for i, k in enumerate(intents)}
    matrix = [[0] * len(intents) for _ in intents]
    for k in intents:
        row = data[k]
        confused = row.get("confused_with") or {}
        matrix[index[k]][index[k]] = round(row.get("recall", 0) * row.get("support", 0))
        for other, n in confused.items():
            if other in index:
                matrix[index[k]][index[other]] = int(n)
    return intents, matrix


def build(log: UnansweredLog, topics: list[dict[str, Any]], var_dir: Path, days: int = 14,
          program_labels: Optional[dict[str, str]] = None) -> dict[str, Any]:
    today = dt.datetime.now(SHANGHAI).date()
    window = [(today - dt.timedelta(days=k)).isoformat() for k in range(days - 1, -1, -1)]
    daily = log.daily(window[0])
    shares, texts = [], []
    for d in window:
        row = daily.get(d, {"turns": 0, "unanswered": 0})
        share = row["unanswered"] / row["turns"] if row["turns"] else 0.0
        shares.append(share)
        texts.append(f"{share:.0%}" if row["turns"] else "")
    channels: dict[str, int] = {}
    for row in daily.values():
        for ch, n in row.get("channels", {}).items():
            channels[ch] = channels.get(ch, 0) + n
    total_turns = sum(channels.values()) or 1
    history = kb_recall_history()
    intents, matrix = nlu_confusion(var_dir / "rasa_results" / "nlu" / "intent_report.json")
    outcomes = log.outcome_counts(window[0])
    labels = program_labels or {}
    return {"charts": [
        {"id": "unanswered_share", "title": f"未答好问题占比（近{days}天，按天）",
         "svg": charts.columns(f"未答好问题占比（近{days}天）", window, shares, texts, y_max=1.0,
                               empty="还没有对话记录")},
        {"id": "topics", "title": "未答好问题的主题（前10）",
         "svg": charts.hbars("未答好问题的主题", [(t["label"], t["count"], f"{t['count']} 次") for t in topics[:10]],
                             empty="还没有未答好的问题")},
        {"id": "channels", "title": f"渠道分布（近{days}天对话轮数）",
         "svg": charts.hbars("渠道分布", [(CHANNEL_LABELS.get(c, c), n, f"{n}（{n / total_turns:.0%}）")
                                      for c, n in sorted(channels.items(), key=lambda x: -x[1])],
                             empty="还没有对话记录")},
        {"id": "kb_recall", "title": "知识库召回率（黄金集 / 盲测集，Recall@3，按版本）",
         "svg": charts.lines("知识库召回率 Recall@3", [p["version"] for p in history],
                             {"黄金集": [p["golden"] for p in history], "盲测集": [p["blind"] for p in history]},
                             empty="没有找到 benchmarks/results/kb*.json：运行 python -m benchmarks.kb")},
        {"id": "nlu_confusion", "title": "意图识别混淆矩阵（rasa test nlu）",
         "svg": charts.heatmap("意图识别混淆矩阵", intents, matrix,
                               empty="没有找到 var/rasa_results/nlu/intent_report.json：运行 make test-rasa")},
        {"id": "eligibility", "title": f"补贴测算结果（近{days}天，按项目）",
         "svg": charts.stacked("补贴测算结果", [(labels.get(p, p), c) for p, c in sorted(outcomes.items())],
                               OUTCOME_LABELS, empty="近期还没有居民做过补贴测算")},
    ], "kb_recall": history, "days": window}
