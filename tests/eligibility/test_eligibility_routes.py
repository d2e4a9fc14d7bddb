"""POST /api/eligibility and GET /api/eligibility/programs against the contract (200 / 400 / 404)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.app import create_app
from bot.eligibility.engine import today_shanghai
from bot.settings import Settings

PROGRAMS = {"disability_living_allowance", "disability_care_allowance", "childcare_subsidy",
            "skills_upgrade_subsidy", "vocational_training_subsidy"}


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    app = create_app(Settings(var_dir=tmp_path), features=["bot.eligibility.routes"])
    return await aiohttp_client(app)


def _is_error(body, code, field=None):
    err = body["error"]
    assert err["code"] == code and isinstance(err["message"], str) and err["message"]
    if field:
        assert err["field"] == field


async def test_programs_lists_the_five_with_fact_schemas(client):
    resp = await client.get("/api/eligibility/programs")
    assert resp.status == 200
    body = await resp.json()
    by_id = {p["id"]: p for p in body["programs"]}
    assert set(by_id) == PROGRAMS
    care = by_id["disability_care_allowance"]
    assert care["label"] == "重度残疾人护理补贴"
    assert care["facts"]["disability_level"]["type"] == "int"
    assert (care["facts"]["disability_level"]["min"], care["facts"]["disability_level"]["max"]) == (1, 4)
    assert set(care["facts"]["disability_type"]["values"]) == {
        "physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"}
    skills = by_id["skills_upgrade_subsidy"]["facts"]
    assert set(skills["certificate_level"]["values"]) == {
        "basic", "intermediate", "advanced", "technician", "senior_technician"}
    assert skills["certificate_issue_date"]["type"] == "date"
    assert all(f["question"] and f["question_staff"] for p in body["programs"] for f in p["facts"].values())


async def test_eligible_result_has_contract_shape(client):
    resp = await client.post("/api/eligibility", json={
        "program": "skills_upgrade_subsidy", "as_of": "2026-11-28",
        "facts": {"unemployment_insurance_months": 24, "certificate_level": "intermediate",
                  "certificate_issue_date": "2026-10-01", "claimed_same_level_before": False}})
    assert resp.status == 200
    body = await resp.json()
    assert body["program"] == "skills_upgrade_subsidy" and body["outcome"] == "eligible"
    assert body["amount"]["value"] == 1500 and "以山西省及当地最新公布标准为准" in body["amount"]["note"]
    assert len(body["reasons"]) == 4 and body["missing_facts"] == []
    assert all(set(c) >= {"source", "section", "quote"} for c in body["citations"])
    assert any("人社部发〔2017〕40号" in c["source"] for c in body["citations"])
    assert body["next_steps"]


@pytest.mark.parametrize("program,facts,outcome", [
    ("disability_living_allowance", {"has_disability_certificate": False}, "not_eligible"),
    ("disability_care_allowance", {"has_disability_certificate": True, "disability_level": 3,
                                   "disability_type": "mental", "hukou_in_shanxi": True}, "refer_locally"),
    ("childcare_subsidy", {}, "needs_more_info"),
    ("vocational_training_subsidy", {"person_category": "school_leaver", "obtained_certificate": True}, "eligible"),
])
async def test_every_outcome(client, program, facts, outcome):
    resp = await client.post("/api/eligibility", json={"program": program, "facts": facts, "as_of": "2026-11-28"})
    assert resp.status == 200
    body = await resp.json()
    assert body["outcome"] == outcome
    if outcome == "needs_more_info":
        assert body["missing_facts"] == ["child_birth_date"]


async def test_as_of_defaults_to_today(client):
    # A child born today is valid only if as_of is today; born tomorrow is after as_of (400).
    today = today_shanghai()
    resp = await client.post("/api/eligibility", json={"program": "childcare_subsidy",
                                                       "facts": {"child_birth_date": today.isoformat()}})
    assert resp.status == 200
    body = await resp.json()
    assert body["as_of"] == today.isoformat()
    assert body["outcome"] == "eligible" and body["amount"]["value"] == 3600
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    resp = await client.post("/api/eligibility", json={"program": "childcare_subsidy",
                                                       "facts": {"child_birth_date": tomorrow}})
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "child_birth_date"
    # A certificate from 11 months ago is within the 12-month window only when counted from today.
    issued = (today.replace(day=1) - dt.timedelta(days=320)).isoformat()
    resp = await client.post("/api/eligibility", json={"program": "skills_upgrade_subsidy", "facts": {
        "unemployment_insurance_months": 24, "certificate_level": "basic", "certificate_issue_date": issued,
        "claimed_same_level_before": False}})
    assert (await resp.json())["outcome"] == "eligible"


async def test_missing_facts_key_is_allowed(client):
    resp = await client.post("/api/eligibility", json={"program": "vocational_training_subsidy"})
    assert resp.status == 200
    assert (await resp.json())["missing_facts"] == ["person_category", "obtained_certificate"]


async def test_unknown_program_404(client):
    resp = await client.post("/api/eligibility", json={"program": "free_money", "facts": {}})
    assert resp.status == 404
    _is_error(await resp.json(), "unknown_program")


@pytest.mark.parametrize("payload,field", [
    ({"program": "childcare_subsidy", "facts": {}, "as_of": "2026/11/28"}, "as_of"),
    ({"program": "childcare_subsidy", "facts": {}, "as_of": "2026-02-30"}, "as_of"),
    ({"program": "childcare_subsidy", "facts": {}, "as_of": 20261128}, "as_of"),
    ({"program": "childcare_subsidy", "facts": "child_birth_date=2024-01-01"}, "facts"),
    ({"program": "childcare_subsidy", "facts": [1, 2]}, "facts"),
    ({"program": "childcare_subsidy", "facts": {"child_birth_date": "2030-01-01"}, "as_of": "2026-11-28"},
     "child_birth_date"),
    ({"program": "disability_care_allowance", "facts": {"disability_level": 7}}, "disability_level"),
    ({"program": "disability_care_allowance", "facts": {"disability_level": True}}, "disability_level"),
    ({"program": "disability_living_allowance", "facts": {"household_dibao": "是"}}, "household_dibao"),
    ({"program": "skills_upgrade_subsidy", "facts": {"unemployment_insurance_months": 1.5}},
     "unemployment_insurance_months"),
    ({"facts": {}}, "program"),
    ({"program": 3, "facts": {}}, "program"),
])
async def test_bad_input_400_names_field(client, payload, field):
    resp = await client.post("/api/eligibility", json=payload)
    assert resp.status == 400
    _is_error(await resp.json(), "invalid_input", field)


async def test_non_json_body_400(client):
    resp = await client.post("/api/eligibility", data=b"program=childcare_subsidy",
                             headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert "error" in await resp.json()
