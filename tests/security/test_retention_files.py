"""Retention: old tracker events, WeChat rows, assist calls and audit rows are deleted after the configured
period; var/ files are created readable by the service's user only (0600)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import urllib.error

import sqlalchemy as sa

from bot import audit, retention
from bot.channels.wechat_store import WeChatStore
from bot.settings import ROOT, Settings

DAY = 86400.0


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _tracker_db(path, ages_days: list[float]) -> None:
    """Rasa's SQL tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent's columns)."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                             "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                             "action_name VARCHAR(255), data TEXT)"))
        for i, age in enumerate(ages_days):
            conn.execute(sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"),
                         {"s": f"web:{i}", "t": time.time() - age * DAY})
    engine.dispose()


def test_one_pass_prunes_every_store_past_its_period(tmp_path):
    settings = Settings(var_dir=tmp_path, retention_days=30, audit_retention_days=180, database_url="")
    _tracker_db(tmp_path / "tracker.db", [1, 29, 31, 400])

    wechat = WeChatStore(settings.sqlite_url("wechat"))
    wechat.add_undelivered("oOld", "msg:1", ["旧答复"], 45015, "x")
    wechat.add_undelivered("oNew", "msg:2", ["新答复"], 45015, "x")
    with wechat.engine.begin() as conn:
        from bot.channels.wechat_store import undelivered
        conn.execute(undelivered.update().where(undelivered.c.openid == "oOld")
                     .values(created_at=time.time() - 31 * DAY))

    url = settings.sqlite_url("assist")
    audit.record(url, "wang01", "c1", "view", 200)
    audit.record(url, "wang01", "c2", "view", 200)
    with audit._engine(url).begin() as conn:
        conn.execute(audit.audit_log.update().where(audit.audit_log.c.call_id == "c1")
                     .values(at=time.time() - 181 * DAY))

    counts = retention.run_once(settings)
    assert counts["tracker_events"] == 2 and counts["audit_rows"] == 1 and counts["wechat_rows"] >= 1
    assert [r["openid"] for r in wechat.list_undelivered()] == ["oNew"]
    assert [r["call_id"] for r in audit.read(url)] == ["c2"]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM events")).scalar()
    assert left == 2


def test_retention_periods_are_settings_with_documented_defaults(monkeypatch):
    defaults = Settings()
    assert (defaults.retention_days, defaults.audit_retention_days) == (30, 180)
    monkeypatch.setenv("RETENTION_DAYS", "7")
    assert Settings().retention_s == 7 * DAY
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "RETENTION_DAYS" in readme and "AUDIT_RETENTION_DAYS" in readme


def test_sqlite_files_under_var_are_0600(tmp_path):
    settings = Settings(var_dir=tmp_path / "var", database_url="")
    url = settings.sqlite_url("wechat")
    store = WeChatStore(url)
    store.set_options("oA", [{"title": "A", "payload": "/a"}])
    assert mode(tmp_path / "var" / "wechat.db") == 0o600
    assert mode(tmp_path / "var") == 0o700


def test_launcher_files_are_0600(tmp_path):
    from bot.launcher import write_credentials, write_endpoints
    settings = Settings(var_dir=tmp_path, database_url="")
    assert mode(write_endpoints(settings)) == 0o600
    creds = write_credentials(settings, "tok")
    assert mode(creds) == 0o600 and "TokenRestInput" in creds.read_text()


def test_the_service_process_creates_its_var_files_0600(tmp_path):
    """`python -m bot` (no Rasa needed) sets umask 077 first: every SQLite file and cache it makes is 0600."""
    import signal
    import urllib.request

    from tests.conftest import free_port
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), ACTION_PORT=str(free_port()), VAR_DIR=str(tmp_path),
               RASA_URL=f"http://127.0.0.1:{free_port()}", DATABASE_URL="", STAFF_TOKEN="files-test")
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 180
        while time.time() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except urllib.error.HTTPError:      # 503 without Rasa: the service is up
                break
            except OSError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace")[-2000:]
        made = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert any(p.name == "wechat.db" for p in made) and any(p.name == "assist.db" for p in made), made
        loose = {str(p.relative_to(tmp_path)): oct(mode(p)) for p in made if mode(p) & 0o077}
        assert not loose, loose
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
