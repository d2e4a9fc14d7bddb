"""Configuration from the environment (names fixed by the contract); a `.env` file may set them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
POLICY_KB = ROOT / "policy_kb"
DEFAULT_EMBEDDING_MODEL = VAR / "models" / "multilingual-e5-small"


def load_dotenv(path: Path = ROOT / ".env") -> None:
    """Read KEY=VALUE lines into os.environ without overriding what the environment already says."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip().strip('"').strip("'")
        os.environ.setdefault(key, value)


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass
class Settings:
    host: str = "0.0.0.0"
    port: int = 8000
    database_url: str = ""
    embedding_model: str = str(DEFAULT_EMBEDDING_MODEL)
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_urls: tuple[str, ...] = ()  # RASA_URLS: several Rasa workers, comma-separated (set by the launcher)
    rasa_workers: int = 0            # RASA_WORKERS for the launcher; 0 = the core count on PostgreSQL + Redis, else 1
    redis_url: str = ""              # REDIS_URL: Rasa's lock store (needed for several Rasa workers)
    tracker_max_events: int = 120    # TRACKER_MAX_EVENTS: a live conversation session's bound (0 = unbounded)
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_appsecret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    admin_token: str = ""
    admin_tokens: str = ""  # ADMIN_TOKENS: more admin tokens, `role:name:token` comma-separated (bot/admin/auth.py)
    staff_token: str = ""
    var_dir: Path = field(default_factory=lambda: VAR)
    rasa_timeout_s: float = 10.0

    @classmethod
    def from_env(cls) -> "Settings":
        load_dotenv()
        var_dir = Path(_env("VAR_DIR", str(VAR)))
        return cls(
            host=_env("HOST", "0.0.0.0"),
            port=int(_env("PORT", "8000")),
            database_url=_env("DATABASE_URL", ""),
            embedding_model=_env("EMBEDDING_MODEL", str(DEFAULT_EMBEDDING_MODEL)),
            rasa_url=_env("RASA_URL", "http://127.0.0.1:5005"),
            rasa_urls=tuple(u.strip() for u in _env("RASA_URLS").split(",") if u.strip()),
            rasa_workers=int(_env("RASA_WORKERS", "0") or 0),
            redis_url=_env("REDIS_URL"),
            tracker_max_events=int(_env("TRACKER_MAX_EVENTS", "120") or 0),
            action_host="127.0.0.1",
            action_port=int(_env("ACTION_PORT", "5055")),
            wechat_token=_env("WECHAT_TOKEN"),
            wechat_appid=_env("WECHAT_APPID"),
            wechat_appsecret=_env("WECHAT_APPSECRET"),
            wechat_aes_key=_env("WECHAT_AES_KEY"),
            wechat_api_base=_env("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"),
            admin_token=_env("ADMIN_TOKEN"),
            admin_tokens=_env("ADMIN_TOKENS"),
            staff_token=_env("STAFF_TOKEN"),
            var_dir=var_dir,
            rasa_timeout_s=float(_env("RASA_TIMEOUT_S", "10")),
        )

    def rasa_endpoints(self) -> list[str]:
        """The Rasa workers the service talks to: RASA_URLS when set, else RASA_URL."""
        return list(self.rasa_urls) or [self.rasa_url]

    def sqlite_url(self, name: str) -> str:
        """DATABASE_URL when set, else a SQLite file var/<name>.db."""
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.var_dir / (name + '.db')}"
