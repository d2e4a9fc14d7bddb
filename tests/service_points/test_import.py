"""Admin CSV import: validation by line, all-or-nothing, and imported 托育机构 are then found."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.app import create_app
from bot.service_points import lookup
from bot.service_points.csv_io import export_csv, import_csv
from bot.settings import ROOT, Settings

HEADER = "名称,类型,市,县区,乡镇街道,地址,电话,办公时间,纬度,经度,坐标精度,来源\n"
GOOD = HEADER + (
    "小店区阳光托育中心,托育机构,太原,小店,坞城街道,,0351-7654321,,37.74,112.57,,测试数据（仅测试库）\n"
    "尧都区技能培训学校,training,临汾市,尧都区,,,,,,,,测试数据（仅测试库）\n"
)
BAD = HEADER + (
    "小店区阳光托育中心,托育机构,太原,小店,,,,,,,,测试数据\n"                       # 2 ok
    "某机构,police,太原,小店,,,,,,,,测试数据\n"                                   # 3 unknown type
    "某托育,childcare,太原,尧都区,,,,,,,,测试数据\n"                               # 4 county not in city
    "某托育2,childcare,太原,小店,,,,,39.9,116.4,,测试数据\n"                      # 5 outside Shanxi
    "某托育3,childcare,太原,小店,,,12345abc,,,,,测试数据\n"                       # 6 bad phone
    "小店区阳光托育中心,childcare,太原市,小店区,,,,,,,,测试数据\n"                 # 7 duplicate of 2
    ",childcare,太原,小店,,,,,,,,\n"                                             # 8 missing name, source
    "小店区示例托育园,childcare,太原,小店,,,,,,,,示例\n"                           # 9 template row
    "某托育4,childcare,太原,小店,不存在街道,,,,abc,112.5,,测试数据\n"              # 10 town, lat
)


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_bad_csv_rejected_whole_with_line_numbers(sqlite_store, tmp_path):
    before = sqlite_store.fingerprint()
    report = import_csv(_write(tmp_path, BAD), sqlite_store)
    assert not report.ok and not report.applied
    lines = {n for n, _ in report.errors}
    assert lines == {3, 4, 5, 6, 7, 8, 9, 10}
    text = "\n".join(report.lines())
    for needle in ["第3行：未知的类型", "第4行：县区“尧都区”不在太原市", "第5行：坐标", "不在山西省范围内",
                   "第6行：电话", "第7行：与第2行重名", "第8行：“名称”为必填项", "第8行：“来源”为必填项",
                   "第9行：名称含“示例”", "第10行：乡镇街道", "第10行：纬度“abc”不是数字"]:
        assert needle in text, needle
    assert sqlite_store.fingerprint() == before
    assert sqlite_store.count(type="childcare") == 0


def test_bad_header_rejected(sqlite_store, tmp_path):
    report = import_csv(_write(tmp_path, "名称,类型,市,备注\nA,childcare,太原,x\n"), sqlite_store)
    assert [n for n, _ in report.errors] == [1, 1]
    assert "缺少必填列：县区、来源" in "\n".join(report.lines())


def test_good_csv_adds_points_that_lookup_finds(sqlite_store, tmp_path):
    report = import_csv(_write(tmp_path, GOOD, "gb18030"), sqlite_store)  # Excel's Chinese encoding
    assert report.ok and report.applied and len(report.added) == 2
    rows = lookup(type="childcare", city="太原市", county="小店区", store=sqlite_store)
    assert [r["name"] for r in rows] == ["小店区阳光托育中心"]
    r = rows[0]
    assert (r["town"], r["phone"], r["location_precision"], r["source"]) == \
        ("坞城街道", "0351-7654321", "exact", "测试数据（仅测试库）")
    near = sqlite_store.nearest(37.74, 112.57, type="childcare")
    assert near[0]["name"] == "小店区阳光托育中心" and near[0]["distance_km"] < 0.5
    trainer = lookup(type="training", county="尧都", store=sqlite_store)[0]
    assert trainer["location_precision"] == "county_seat" and trainer["address"] is None
    # importing again updates, never duplicates
    again = import_csv(_write(tmp_path, GOOD), sqlite_store)
    assert len(again.updated) == 2 and not again.added
    assert sqlite_store.count(type="childcare") == 1


def test_dry_run_changes_nothing(sqlite_store, tmp_path):
    before = sqlite_store.fingerprint()
    report = import_csv(_write(tmp_path, GOOD), sqlite_store, dry_run=True)
    assert report.ok and not report.applied and len(report.added) == 2
    assert "试运行" in report.lines()[0]
    assert sqlite_store.fingerprint() == before


def test_shipped_template_is_never_loadable(sqlite_store):
    template = ROOT / "policy_kb" / "service_points" / "service_points_template.csv"
    report = import_csv(template, sqlite_store)
    assert not report.ok and {n for n, _ in report.errors} == {2, 3}
    assert sqlite_store.count(origin="admin") == 0


def test_export_reimports_unchanged(sqlite_store, tmp_path):
    import_csv(_write(tmp_path, GOOD), sqlite_store)
    buf = io.StringIO()
    assert export_csv(sqlite_store, buf, type="childcare") == 1
    path = tmp_path / "export.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    before = sqlite_store.all_rows(type="childcare")
    report = import_csv(path, sqlite_store)
    assert report.ok and report.updated == ["小店区阳光托育中心"]
    after = sqlite_store.all_rows(type="childcare")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    return subprocess.run([sys.executable, "-m", "bot.service_points", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_cli_import_then_api_finds_childcare(tmp_path, aiohttp_client):
    bad = _cli(tmp_path, "import", str(_write(tmp_path, BAD)))
    assert bad.returncode == 1 and "第3行" in bad.stderr and "数据未作任何改动" in bad.stderr
    dry = _cli(tmp_path, "import", "--dry-run", str(_write(tmp_path, GOOD)))
    assert dry.returncode == 0 and "试运行" in dry.stdout
    good = _cli(tmp_path, "import", str(_write(tmp_path, GOOD)))
    assert good.returncode == 0 and "新增2条" in good.stdout, good.stderr
    app = create_app(Settings(var_dir=tmp_path, database_url=""), features=["bot.service_points.routes"])
    client = await aiohttp_client(app)
    resp = await client.get("/api/service-points", params={"type": "childcare", "city": "太原", "county": "小店"})
    body = await resp.json()
    assert resp.status == 200 and [r["name"] for r in body["results"]] == ["小店区阳光托育中心"]
    exported = _cli(tmp_path, "export", "--type", "childcare")
    assert exported.returncode == 0 and "小店区阳光托育中心" in exported.stdout
