"""Service-point CSV import in the console: a dry-run diff per county (added, changed, removed) that writes
nothing, then apply (publisher only); a bad CSV is a 400 with line numbers and changes nothing; export."""
from __future__ import annotations

import csv
import io

import aiohttp

from tests.admin.conftest import EDITOR, PUBLISHER, auth

HEADER = "名称,类型,市,县区,乡镇街道,地址,电话,办公时间,纬度,经度,坐标精度,来源\n"
FIRST = HEADER + (
    "小店区阳光托育中心,托育机构,太原,小店,坞城街道,,0351-7654321,,37.74,112.57,,测试数据（仅测试库）\n"
    "小店区彩虹托育园,childcare,太原市,小店区,,,,,,,,测试数据（仅测试库）\n"
    "尧都区技能培训学校,training,临汾市,尧都区,,,,,,,,测试数据（仅测试库）\n"
)
SECOND = HEADER + (
    "小店区阳光托育中心,托育机构,太原,小店,坞城街道,,0351-7654322,,37.74,112.57,,测试数据（仅测试库）\n"
    "小店区新苗托育园,childcare,太原市,小店区,,,,,,,,测试数据（仅测试库）\n"
)


def form(text: str, encoding: str = "utf-8") -> aiohttp.FormData:
    f = aiohttp.FormData()
    f.add_field("file", text.encode(encoding), filename="points.csv", content_type="text/csv")
    return f


def store(app):
    from bot.service_points import get_store

    return get_store(app["admin"].service_points_url)


async def test_dry_run_diff_then_apply(client, admin_app):
    before = store(admin_app).fingerprint()
    resp = await client.post("/api/admin/service-points/import?dry_run=1", data=form(FIRST), headers=auth(EDITOR))
    assert resp.status == 200, await resp.text()
    diff = await resp.json()
    assert diff["dry_run"] and diff["totals"] == {"added": 3, "changed": 0, "removed": 0}
    counties = {c["county"]: c for c in diff["counties"]}
    assert {a["name"] for a in counties["小店区"]["added"]} == {"小店区阳光托育中心", "小店区彩虹托育园"}
    assert counties["尧都区"]["city"] == "临汾市"
    assert store(admin_app).fingerprint() == before  # a dry run writes nothing

    resp = await client.post("/api/admin/service-points/import?dry_run=0", data=form(FIRST), headers=auth(PUBLISHER))
    assert resp.status == 200 and (await resp.json())["totals"]["added"] == 3
    assert store(admin_app).fingerprint() != before

    # the second file: one phone changed, one new, one gone (same county and type), 尧都 untouched
    resp = await client.post("/api/admin/service-points/import", data=form(SECOND, "gb18030"), headers=auth(EDITOR))
    diff = await resp.json()
    assert diff["totals"] == {"added": 1, "changed": 1, "removed": 1}
    xd = next(c for c in diff["counties"] if c["county"] == "小店区")
    assert xd["changed"][0]["fields"] == {"phone": {"before": "0351-7654321", "after": "0351-7654322"}}
    assert [r["name"] for r in xd["removed"]] == ["小店区彩虹托育园"]
    resp = await client.post("/api/admin/service-points/import?dry_run=0", data=form(SECOND), headers=auth(PUBLISHER))
    assert resp.status == 200
    s = store(admin_app)
    names = {r["name"] for r in s.all_rows(type="childcare")}
    assert {"小店区阳光托育中心", "小店区新苗托育园"} <= names and "小店区彩虹托育园" not in names
    assert any(r["name"] == "尧都区技能培训学校" for r in s.all_rows(type="training"))
    entry = (await (await client.get("/api/admin/audit", headers=auth(EDITOR))).json())["entries"][0]
    assert entry["action"] == "service_points_import" and entry["before"] != entry["after"]

    resp = await client.get("/api/admin/service-points/export", headers=auth(EDITOR))
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO((await resp.read()).decode("utf-8-sig"))))
    assert rows[0][:3] == ["名称", "类型", "市"]
    assert any(r[0] == "小店区新苗托育园" for r in rows)


async def test_bad_csv_is_400_with_lines_and_changes_nothing(client, admin_app):
    before = store(admin_app).fingerprint()
    bad = HEADER + "某机构,police,太原,小店,,,,,,,,测试数据\n某托育2,childcare,太原,小店,,,,,39.9,116.4,,测试数据\n"
    for body, code in ((form(bad), "invalid_csv"), (form("名称,颜色\n甲,红\n"), "invalid_csv"),
                       (form(""), "invalid_input"), (form("\x00\x01\x02"), "invalid_input")):
        resp = await client.post("/api/admin/service-points/import?dry_run=0", data=body, headers=auth(PUBLISHER))
        assert resp.status == 400
        data = await resp.json()
        assert data["error"]["code"] == code and data["error"]["field"] == "file"
    data = await (await client.post("/api/admin/service-points/import?dry_run=0", data=form(bad),
                                    headers=auth(PUBLISHER))).json()
    assert [e["line"] for e in data["errors"]] == [2, 3] and "第2行" in data["error"]["message"]
    empty = aiohttp.FormData(default_to_multipart=True)
    empty.add_field("other", "x")
    assert (await client.post("/api/admin/service-points/import", data=empty, headers=auth(EDITOR))).status == 400
    assert store(admin_app).fingerprint() == before
