"""Every setting of the service in one typed object, read from the environment and `.env` (the real
environment wins). The contract fixes the names (HOST, PORT, DATABASE_URL, …); a bad value stops startup
with a message that names the variable and the fix (`Settings.from_env()` → SettingsError).

This is the only module that reads environment variables; everything else asks `Settings`.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Optional

from dotenv import dotenv_values
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
POLICY_KB = ROOT / "policy_kb"
DEFAULT_EMBEDDING_MODEL = VAR / "models" / "multilingual-e5-small"
ENV_FILE = ROOT / ".env"

log = logging.getLogger("bot.settings")

# How to fix each variable, in Chinese and English (shown when its value is rejected).
FIXES: dict[str, str] = {
    "PORT": "应为 1-65535 之间的整数 / must be an integer 1-65535, e.g. PORT=8000",
    "ACTION_PORT": "应为 1-65535 之间的整数 / must be an integer 1-65535, e.g. ACTION_PORT=5055",
    "RASA_PORT": "应为 1-65535 之间的整数 / must be an integer 1-65535, e.g. RASA_PORT=5005",
    "DATABASE_URL": "应以 sqlite:/// 或 postgresql:// 开头，或留空使用 var/ 下的 SQLite / "
                    "must start with sqlite:/// or postgresql://, or be empty",
    "REDIS_URL": "应以 redis:// 开头或留空 / must start with redis:// or be empty",
    "RASA_URL": "应为 http://127.0.0.1:<端口> 之类的地址 / must be an http:// URL such as http://127.0.0.1:5005",
    "WECHAT_API_BASE": "应为 http(s):// 地址 / must be an http(s):// URL",
    "WECHAT_AES_KEY": "应为公众号后台的 43 位 EncodingAESKey，并同时设置 WECHAT_APPID / "
                      "must be the 43-character EncodingAESKey, with WECHAT_APPID set too",
    "WECHAT_REPLY_DEADLINE_S": "应为 0-60 之间的秒数（默认 4.5）/ seconds between 0 and 60 (default 4.5)",
    "WECHAT_CONTINUATION_DELAY_S": "应为 0-30 之间的秒数（默认 1.0）/ seconds between 0 and 30 (default 1.0)",
    "ASSIST_IDLE_MINUTES": "应为大于 0 的分钟数（默认 120）/ minutes greater than 0 (default 120)",
    "RETENTION_DAYS": "应为 1-3650 之间的天数（默认 30）/ days between 1 and 3650 (default 30)",
    "AUDIT_RETENTION_DAYS": "应为 1-3650 之间的天数（默认 180）/ days between 1 and 3650 (default 180)",
    "RASA_TIMEOUT_S": "应为大于 0 的秒数 / seconds greater than 0",
    "RASA_URLS": "应为逗号分隔的 http:// 地址 / comma-separated http:// URLs",
    "RASA_WORKERS": "应为 0-64 的整数（0 = 自动）/ an integer 0-64 (0 = automatic)",
    "TRACKER_MAX_EVENTS": "应为不小于 0 的整数（0 = 不限）/ an integer >= 0 (0 = unbounded)",
}
_GENERIC_FIX = "取值无效，请检查 / invalid value, please check it"


class SettingsError(SystemExit):
    """A bad configuration value: stops startup with a bilingual message naming the variable and the fix."""


def load_dotenv(path: Path = ENV_FILE) -> None:
    """Put `.env` values into os.environ without overriding the real environment (for child processes).

    python-dotenv's parser: `export KEY=value`, quotes and inline ` # comments` are understood.
    """
    if not path.exists():
        return
    for key, value in dotenv_values(path).items():
        if value is not None:
            os.environ.setdefault(key, value)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore",
                                      case_sensitive=False, validate_default=True)

    # --- contract ----------------------------------------------------------------------------------
    host: str = "0.0.0.0"
    port: int = Field(8000, ge=1, le=65535)
    database_url: str = ""
    embedding_model: str = str(DEFAULT_EMBEDDING_MODEL)
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_appsecret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    admin_token: str = Field("", repr=False)
    admin_tokens: str = Field("", repr=False)  # more admin tokens: `role:name:token`, comma-separated (bot/admin/auth.py)
    staff_token: str = Field("", repr=False)

    # --- processes ---------------------------------------------------------------------------------
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_urls: Annotated[tuple[str, ...], NoDecode] = ()   # RASA_URLS: several Rasa workers, comma-separated
    rasa_workers: int = Field(0, ge=0, le=64)    # for the launcher; 0 = the core count on PostgreSQL + Redis, else 1
    tracker_max_events: int = Field(60, ge=0, le=100_000)    # a live conversation session's bound (0 = unbounded)
    rasa_port: int = Field(5005, ge=1, le=65535)
    rasa_token: str = Field("", repr=False)     # set by the launcher per start (Rasa's --auth-token)
    rasa_timeout_s: float = Field(10.0, gt=0, le=600)
    action_host: str = "127.0.0.1"
    action_port: int = Field(5055, ge=1, le=65535)
    redis_url: str = ""
    var_dir: Path = VAR
    kb_root: Optional[str] = None
    kb_cache: Optional[str] = None
    log_level: str = "INFO"

    # --- channels ----------------------------------------------------------------------------------
    wechat_reply_deadline_s: float = Field(4.5, ge=0, le=60)
    wechat_continuation_delay_s: float = Field(1.0, ge=0, le=30)
    wechat_timestamp_window_s: float = Field(300.0, gt=0, le=3600)
    wechat_push_retries: int = Field(3, ge=0, le=5)          # after the first attempt
    assist_idle_minutes: float = Field(120.0, gt=0, le=7 * 24 * 60)

    # --- retention (days) --------------------------------------------------------------------------
    retention_days: int = Field(30, ge=1, le=3650)           # trackers, WeChat tables, assist calls
    audit_retention_days: int = Field(180, ge=1, le=3650)    # the staff audit log

    # --- limits ------------------------------------------------------------------------------------
    rate_limit_ip_per_min: int = Field(600, ge=0, le=1_000_000)       # 0 = off
    rate_limit_sender_per_min: int = Field(30, ge=0, le=100_000)      # per resident (sender id / openid)
    max_concurrent_chat: int = Field(64, ge=1, le=10_000)
    max_concurrent_kb: int = Field(16, ge=1, le=10_000)
    max_concurrent_other: int = Field(64, ge=1, le=10_000)
    concurrency_wait_s: float = Field(2.0, ge=0, le=60)
    model_threads: int = Field(2, ge=1, le=64)
    db_threads: int = Field(8, ge=1, le=256)
    login_failures_per_min: int = Field(5, ge=1, le=100_000)         # per IP, staff/admin tokens
    trusted_proxies: str = "127.0.0.1,::1"     # peers whose X-Forwarded-For names the client (deploy/nginx)

    @field_validator("host", "wechat_token", "wechat_appid", "wechat_appsecret", "wechat_aes_key", "admin_token",
                     "admin_tokens", "staff_token", "rasa_token", "database_url", "redis_url", "embedding_model", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("rasa_urls", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(u.strip().rstrip("/") for u in value.split(",") if u.strip())
        return value

    @field_validator("rasa_urls")
    @classmethod
    def _http_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not u.startswith(("http://", "https://")) for u in value):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("wechat_api_base", "rasa_url", mode="after")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("unsupported database URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://")):
            raise ValueError("unsupported Redis URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("log level")
        return value

    @model_validator(mode="after")
    def _wechat_safe_mode(self) -> "Settings":
        if self.wechat_aes_key:
            from bot.channels.wechat_crypto import decode_aes_key

            try:
                decode_aes_key(self.wechat_aes_key)
            except ValueError:
                raise ValueError("WECHAT_AES_KEY: not a 43-character EncodingAESKey") from None
            if not self.wechat_appid:
                raise ValueError("WECHAT_AES_KEY: WECHAT_APPID is not set")
        return self

    # ------------------------------------------------------------------------------------------------
    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Settings from the environment and .env; a bad value raises SettingsError (stops startup)."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise SettingsError(describe_error(exc)) from None

    def rasa_endpoints(self) -> list[str]:
        """The Rasa workers the service talks to: RASA_URLS when set, else RASA_URL."""
        return list(self.rasa_urls) or [self.rasa_url]

    def sqlite_url(self, name: str) -> str:
        """DATABASE_URL when set, else a SQLite file var/<name>.db created readable by this user only."""
        if self.database_url:
            return self.database_url
        path = self.var_dir / (name + ".db")
        private_file(path)
        return f"sqlite:///{path}"

    @property
    def retention_s(self) -> float:
        return self.retention_days * 86400.0

    @property
    def audit_retention_s(self) -> float:
        return self.audit_retention_days * 86400.0


def describe_error(exc: ValidationError) -> str:
    lines = ["配置错误，服务未启动 / configuration error, the service did not start:"]
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err.get("loc", ())]
        name = loc[0].upper() if loc else ""
        if not name and ":" in err.get("msg", ""):          # model-level checks name their variable
            name = err["msg"].split(",", 1)[-1].strip().split(":")[0].upper()
        value = err.get("input")
        shown = "" if isinstance(value, dict) or "TOKEN" in name or "SECRET" in name or "KEY" in name \
            else f"={value!r}"
        fix = FIXES.get(name, _GENERIC_FIX)
        lines.append(f"  {name}{shown}: {fix}. 请在环境变量或 .env 中修改 {name} / fix {name} in the environment or .env")
    return "\n".join(lines)


def private_file(path: Path) -> Path:
    """Create (or tighten) a file under var/ as mode 0600, its folder 0700: residents' data lives there."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path
