"""The review's smaller items: domain payload braces, jieba's cache folder, CSV formula cells, failed staff
logins audited and throttled, a STAFF_TOKEN with ':' never split unnoticed."""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys

import pytest
import yaml

from bot.settings import ROOT, Settings

RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"


def _domain_payloads() -> list[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [b["payload"] for variants in domain["responses"].values() for v in variants
            for b in v.get("buttons", []) if "{" in b.get("payload", "")]


@pytest.mark.skipif(not RASA_PY.exists(), reason="needs the Rasa venv")
def test_domain_button_payloads_render_without_rasa_errors():
    """Rasa fills {slot} templates in responses: unescaped JSON braces logged an ERROR (with slot values) on
    every greeting. Run Rasa's own interpolator over every payload."""
    payloads = _domain_payloads()
    assert payloads
    code = ("import json, sys, logging, io\n"
            "import structlog\n"
            "from rasa.core.nlg.interpolator import interpolate_text\n"
            "out = []\n"
            "for p in json.load(sys.stdin):\n"
            "    errors = []\n"
            "    structlog.configure(processors=[lambda l, m, e: errors.append(e) or ''])\n"
            "    out.append([interpolate_text(p, {'requested_slot': None, 'program': 'x'}), len(errors)])\n"
            "print(json.dumps(out))\n")
    proc = subprocess.run([str(RASA_PY), "-c", code], input=json.dumps(payloads), capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rendered = json.loads(proc.stdout.strip().splitlines()[-1])
    for payload, (text, errors) in zip(payloads, rendered):
        assert errors == 0, payload
        assert text.count("{") == 1 and text.startswith("/") and json.loads(text[text.index("{"):]), text


def test_jieba_caches_under_var(tmp_path):
    code = ("from bot.app import create_app; from bot.settings import Settings; import jieba, os;"
            "create_app(Settings(), features=[]); jieba.lcut('残疾人两项补贴');"
            "print(jieba.dt.tmp_dir)")
    env = dict(os.environ, VAR_DIR=str(tmp_path), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "jieba" / "jieba.cache").exists()
    assert not list((tmp_path / "tmp").glob("jieba*"))


def test_csv_export_neutralises_formula_cells_and_reimports_them(tmp_path):
    from bot.service_points import csv_io
    from bot.service_points.store import ServicePointStore

    store = ServicePointStore(f"sqlite:///{tmp_path / 'sp.db'}")
    report = csv_io.validate(
        "名称,类型,市,县区,地址,来源\n"
        "=HYPERLINK(\"http://evil\"),民政局,太原市,小店区,@SUM(1+1),-测试来源\n"
        "+小店区残联,残疾人联合会,太原市,小店区,-1+1,测试来源\n", store.gaz)
    assert report.ok, report.lines()
    store.upsert_many(report.rows)
    out = io.StringIO()
    csv_io.export_csv(store, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))[1:]
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    assert "'=HYPERLINK(\"http://evil\")" in cells and "'@SUM(1+1)" in cells
    again = csv_io.validate(out.getvalue(), store.gaz)
    assert {r["name"] for r in again.rows} == {"=HYPERLINK(\"http://evil\")", "+小店区残联"}


async def test_failed_staff_logins_are_audited_and_throttled(aiohttp_client, tmp_path):
    from bot import audit
    from bot.app import create_app

    settings = Settings(var_dir=tmp_path, staff_token="wang01:right-token", login_failures_per_min=3,
                        database_url="")
    client = await aiohttp_client(create_app(settings, features=["bot.assist.routes"]))
    statuses = [(await client.get("/api/assist", headers={"Authorization": f"Bearer guess-{i}"})).status
                for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    locked = await client.get("/api/assist", headers={"Authorization": "Bearer right-token"})
    body = await locked.json()
    assert locked.status == 429 and body["error"]["code"] == "rate_limited"     # even the right token waits
    rows = [r for r in audit.read(settings.sqlite_url("assist")) if r["action"] == "login_failed"]
    assert len(rows) == 3 and all(r["status"] == 401 and "ip=" in r["detail"] for r in rows)
    assert all("guess" not in (r["detail"] or "") for r in rows)               # tried tokens are not stored


def test_a_single_staff_token_with_a_colon_is_not_split_silently(caplog):
    from bot.assist.auth import parse_tokens

    caplog.set_level(logging.WARNING, logger="bot.assist.auth")
    assert parse_tokens("abc:def-ghi") == {"def-ghi": "abc"}
    assert any("STAFF_TOKEN" in r.getMessage() and "staff:" in r.getMessage() for r in caplog.records)
    caplog.clear()
    assert parse_tokens("staff:abc:def-ghi") == {"abc:def-ghi": "staff"}      # the documented way to keep ':'
    assert parse_tokens("wang01:tok-a,li02:tok-b") == {"tok-a": "wang01", "tok-b": "li02"}
    assert not caplog.records
