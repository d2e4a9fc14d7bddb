"""Typed settings: the environment and `.env` read in one place, bad values stop startup with the fix."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT, Settings, SettingsError, load_dotenv


def test_export_in_dotenv_is_honoured(tmp_path, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("export PORT=9000\nexport HOST=127.0.0.1\n", encoding="utf-8")
    settings = Settings(_env_file=env_file)
    assert (settings.port, settings.host) == (9000, "127.0.0.1")


def test_the_real_environment_wins_over_dotenv(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=8001\n", encoding="utf-8")
    monkeypatch.setenv("PORT", "9000")
    assert Settings(_env_file=env_file).port == 9000


def test_inline_comment_is_not_part_of_the_token(tmp_path, monkeypatch):
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("ADMIN_TOKEN=s3cret-admin   # rotated 2026-11\nSTAFF_TOKEN='a#b'\n", encoding="utf-8")
    settings = Settings(_env_file=env_file)
    assert settings.admin_token == "s3cret-admin"
    assert settings.staff_token == "a#b"                    # quoted: the # belongs to the value


def test_load_dotenv_for_children_understands_export_and_comments(tmp_path, monkeypatch):
    monkeypatch.delenv("WECHAT_APPID", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("export WECHAT_APPID=wx123  # the test account\n", encoding="utf-8")
    load_dotenv(env_file)
    import os
    try:
        assert os.environ["WECHAT_APPID"] == "wx123"
    finally:
        os.environ.pop("WECHAT_APPID", None)


@pytest.mark.parametrize("name, value, hint", [
    ("PORT", "abc", "1-65535"), ("PORT", "70000", "1-65535"), ("ACTION_PORT", "0", "1-65535"),
    ("DATABASE_URL", "mysql://x", "sqlite:///"), ("RETENTION_DAYS", "0", "1-3650"),
    ("WECHAT_AES_KEY", "short", "43"), ("RASA_URL", "localhost:5005", "http://"),
])
def test_a_bad_value_names_the_variable_and_the_fix(monkeypatch, name, value, hint):
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("WECHAT_APPID", "wx123")
    with pytest.raises(SettingsError) as err:
        Settings.from_env()
    message = str(err.value)
    assert name in message and hint in message, message
    assert "配置错误" in message and "configuration error" in message


def test_secrets_are_not_echoed_in_the_error(monkeypatch):
    monkeypatch.setenv("WECHAT_AES_KEY", "my-secret-but-wrong-key")
    monkeypatch.setenv("WECHAT_APPID", "wx123")
    with pytest.raises(SettingsError) as err:
        Settings.from_env()
    assert "my-secret-but-wrong-key" not in str(err.value)


def test_bad_port_stops_the_service_with_the_message_not_a_traceback(tmp_path):
    import os
    env = dict(os.environ, PORT="eighty", VAR_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert "PORT" in proc.stderr and "1-65535" in proc.stderr
    assert "Traceback" not in proc.stderr and "ValueError" not in proc.stderr


# Reading an environment variable anywhere but bot/settings.py (writes, and handing the environment to a
# child process, are fine).
_READ = re.compile(r"os\.environ\.get\(|os\.environ\[|os\.getenv\(|environ\.get\(|getenv\(")


def test_every_environment_variable_is_read_in_bot_settings():
    offenders = []
    for folder in ("bot", "actions"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "bot" / "settings.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _READ.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "read these through bot.settings.Settings:\n" + "\n".join(offenders)


def test_contract_names_are_the_field_names():
    fields = set(Settings.model_fields)
    for name in ("HOST", "PORT", "DATABASE_URL", "EMBEDDING_MODEL", "WECHAT_TOKEN", "WECHAT_APPID",
                 "WECHAT_APPSECRET", "WECHAT_AES_KEY", "WECHAT_API_BASE", "ADMIN_TOKEN", "STAFF_TOKEN"):
        assert name.lower() in fields


def test_settings_do_not_show_tokens_in_repr():
    text = repr(Settings(admin_token="very-secret-admin", staff_token="very-secret-staff"))
    assert "very-secret" not in text


def test_kb_paths_come_from_settings(monkeypatch, tmp_path):
    from bot.kb import store
    from bot.kb.embedding import default_model_path

    monkeypatch.setenv("KB_ROOT", str(tmp_path / "kb"))
    monkeypatch.setenv("EMBEDDING_MODEL", str(tmp_path / "model"))
    assert store.kb_root() == tmp_path / "kb"
    assert default_model_path() == Path(tmp_path / "model")
