"""Rules: view, validate an edit with `bot.rules check` and the program's cases (which change outcome), save
only what passes; a refused save leaves the file and the running rules as they were."""
from __future__ import annotations

from tests.admin.conftest import EDITOR, PUBLISHER, auth

PROGRAM = "childcare_subsidy"
AGE_LINE = "      - {from: 2025-01-01, value: 3}\n    reference: {source: childcare_plan_2025, section: 补贴对象和标准}\n  annual_amount:"


async def current(client) -> str:
    resp = await client.get(f"/api/admin/rules/{PROGRAM}", headers=auth(EDITOR))
    assert resp.status == 200
    return (await resp.json())["text"]


async def test_list_and_view(client, admin_app):
    programs = (await (await client.get("/api/admin/rules", headers=auth(EDITOR))).json())["programs"]
    assert {p["program"] for p in programs} >= {"childcare_subsidy", "disability_care_allowance"}
    text = await current(client)
    assert text == (admin_app["admin"].rules_dir / f"{PROGRAM}.yaml").read_text(encoding="utf-8")
    assert (await client.get("/api/admin/rules/no_such_program", headers=auth(EDITOR))).status == 404


async def test_edit_that_changes_outcomes_lists_the_cases_and_needs_confirmation(client, admin_app):
    text = await current(client)
    assert AGE_LINE in text
    edited = text.replace(AGE_LINE, AGE_LINE.replace("value: 3}", "value: 4}"))
    resp = await client.post(f"/api/admin/rules/{PROGRAM}/validate", json={"text": edited}, headers=auth(EDITOR))
    result = await resp.json()
    assert resp.status == 200 and result["ok"], result
    changed = {c["case"]: c for c in result["cases"]["changed"]}
    case = changed["born_2024_03_prorated_26_months"]  # 26 months to the 3rd birthday become 38 to the 4th
    assert case["before"] == {"outcome": "eligible", "amount": 7800} and case["after"]["amount"] > 7800
    assert case["expected"] == "eligible"
    assert any(f["case"] == "born_2024_03_prorated_26_months" for f in result["cases"]["failing"])
    path = admin_app["admin"].rules_dir / f"{PROGRAM}.yaml"
    resp = await client.put(f"/api/admin/rules/{PROGRAM}", json={"text": edited}, headers=auth(PUBLISHER))
    assert resp.status == 409 and (await resp.json())["error"]["field"] == "confirm_changes"
    assert path.read_text(encoding="utf-8") == text
    assert (await client.put(f"/api/admin/rules/{PROGRAM}", json={"text": edited, "confirm_changes": True},
                             headers=auth(EDITOR))).status == 403
    resp = await client.put(f"/api/admin/rules/{PROGRAM}", json={"text": edited, "confirm_changes": True},
                            headers=auth(PUBLISHER))
    assert resp.status == 200
    assert path.read_text(encoding="utf-8") == edited
    entry = (await (await client.get("/api/admin/audit", headers=auth(EDITOR))).json())["entries"][0]
    assert entry["action"] == "rules_save" and entry["before"] != entry["after"]


async def test_comment_only_edit_changes_no_case(client):
    text = await current(client)
    resp = await client.post(f"/api/admin/rules/{PROGRAM}/validate", json={"text": "# 注释\n" + text},
                             headers=auth(EDITOR))
    result = await resp.json()
    assert result["ok"] and result["cases"]["total"] >= 10 and result["cases"]["changed"] == []
    assert result["cases"]["failing"] == []


async def test_bad_rules_are_refused_with_line_and_reason(client, admin_app):
    path = admin_app["admin"].rules_dir / f"{PROGRAM}.yaml"
    text = await current(client)
    for bad in ("id: [unclosed\n", text.replace("id: childcare_subsidy", "id: other_program"),
                text.replace("value: 3600", "value: 三千六")):
        resp = await client.post(f"/api/admin/rules/{PROGRAM}/validate", json={"text": bad}, headers=auth(EDITOR))
        result = await resp.json()
        assert resp.status == 200 and not result["ok"] and result["problems"], bad[:40]
        assert all(":" in p for p in result["problems"])  # file:line: reason
        resp = await client.put(f"/api/admin/rules/{PROGRAM}", json={"text": bad, "confirm_changes": True},
                                headers=auth(PUBLISHER))
        assert resp.status == 400 and (await resp.json())["error"]["code"] == "rules_invalid"
        assert path.read_text(encoding="utf-8") == text


async def test_bad_requests(client, admin_app):
    path = admin_app["admin"].rules_dir / f"{PROGRAM}.yaml"
    text = path.read_text(encoding="utf-8")
    for body in ({}, {"text": ""}, {"text": 5}, {"text": "x", "confirm_changes": "yes please"}, {"text": "a\u0001b"}):
        resp = await client.put(f"/api/admin/rules/{PROGRAM}", json=body, headers=auth(PUBLISHER))
        assert resp.status == 400, body
        assert (await resp.json())["error"]["field"] in ("text", "confirm_changes")
    resp = await client.post(f"/api/admin/rules/{PROGRAM}/validate", json={"text": "x" * 300_000}, headers=auth(EDITOR))
    assert resp.status in (400, 413)
    resp = await client.put("/api/admin/rules/nope", json={"text": text}, headers=auth(PUBLISHER))
    assert resp.status == 404
    assert path.read_text(encoding="utf-8") == text
