"""`python -m bot.launcher`: start Rasa (Python 3.10 venv) and the assistant service (Python 3.11 venv).

Writes var/endpoints.runtime.yml from DATABASE_URL / REDIS_URL, starts each child in its own process
group, and on Ctrl-C or SIGTERM stops them all so no orphan is left behind.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

from bot.settings import ROOT, Settings, load_dotenv, private_file

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
APP_PYTHON = ROOT / ".venv" / "bin" / "python"


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tracker_store_yaml(database_url: str, var_dir: Path) -> str:
    """Rasa's SQL tracker store: SQLite under var/ by default, PostgreSQL when DATABASE_URL says so."""
    if not database_url or database_url.startswith("sqlite"):
        # Beside the other SQLite files: DATABASE_URL's folder when it names one, else var/.
        folder = Path(database_url.split(":///", 1)[1]).parent if database_url.startswith("sqlite:///") else var_dir
        db = str(folder / "tracker.db")
        return f"tracker_store:\n  type: SQL\n  dialect: \"sqlite\"\n  db: {_yaml_str(db)}\n"
    url = urlparse(database_url)
    if not url.scheme.startswith("postgres"):
        raise SystemExit(f"DATABASE_URL 不受支持：{url.scheme}（请使用 sqlite:/// 或 postgresql://）")
    lines = ["tracker_store:", "  type: SQL", '  dialect: "postgresql"',
             f"  url: {_yaml_str(url.hostname or 'localhost')}", f"  port: {url.port or 5432}",
             f"  db: {_yaml_str(url.path.lstrip('/') or 'postgres')}"]
    if url.username:
        lines.append(f"  username: {_yaml_str(unquote(url.username))}")
    if url.password:
        lines.append(f"  password: {_yaml_str(unquote(url.password))}")
    return "\n".join(lines) + "\n"


def lock_store_yaml(redis_url: str) -> str:
    if not redis_url:
        return ""
    url = urlparse(redis_url)
    lines = ["lock_store:", "  type: redis", f"  url: {_yaml_str(url.hostname or 'localhost')}",
             f"  port: {url.port or 6379}", f"  db: {int((url.path or '/0').lstrip('/') or 0)}"]
    if url.password:
        lines.append(f"  password: {_yaml_str(unquote(url.password))}")
    return "\n".join(lines) + "\n"


def write_endpoints(settings: Settings) -> Path:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = settings.var_dir / "endpoints.runtime.yml"
    text = (f"action_endpoint:\n  url: \"http://{settings.action_host}:{settings.action_port}/webhook\"\n\n"
            + tracker_store_yaml(settings.database_url, settings.var_dir) + "\n"
            + lock_store_yaml(settings.redis_url))
    return _write_private(path, text)


def _write_private(path: Path, text: str) -> Path:
    """Atomically replace a var/ file, mode 0600 (it may hold database passwords or the Rasa token)."""
    tmp = private_file(path.with_suffix(".tmp"))
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_credentials(settings: Settings, token: str) -> Path:
    """Rasa's channels: only the REST webhook, behind the per-start token (bot/rasa_channel.py)."""
    text = ("# Written by bot/launcher.py at every start; the token changes each time.\n"
            f"bot.rasa_channel.TokenRestInput:\n  token: {_yaml_str(token)}\n")
    return _write_private(settings.var_dir / "credentials.runtime.yml", text)


def latest_model(models_dir: Path = ROOT / "models") -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("没有找到训练好的 Rasa 模型：请先运行 `make build`（或 `make run`，会自动构建）。")
    return models[-1]


RASA_BIND = "127.0.0.1"   # never public: the assistant service is the only public surface


def rasa_command(settings: Settings, endpoints: Path, model: Path, port: int = 5005, token: str = "",
                 credentials: Path | None = None) -> list[str]:
    """`rasa run` on loopback only, its HTTP API behind `--auth-token` (random per start)."""
    cmd = [str(RASA_BIN), "run", "--enable-api", "-i", RASA_BIND, "-p", str(port), "-m", str(model),
           "--endpoints", str(endpoints), "--credentials", str(credentials or ROOT / "credentials.yml"),
           "--log-file", str(private_file(settings.var_dir / "rasa.log"))]
    if token:
        cmd += ["--auth-token", token]
    return cmd


class Stack:
    """The running children; stop() ends each process group."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.rasa_token = ""

    def start(self, name: str, cmd: list[str], env: dict[str, str], log_path: Path | None = None) -> subprocess.Popen:
        out = open(log_path, "ab") if log_path else None
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                                stdout=out or None, stderr=subprocess.STDOUT if out else None)
        self.children.append((name, proc))
        return proc

    def stop(self, timeout: float = 15.0) -> None:
        for _, proc in self.children:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + timeout
        for _, proc in self.children:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()

    def dead(self) -> list[str]:
        return [name for name, proc in self.children if proc.poll() is not None]


def wait_http(url: str, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def start_stack(settings: Settings, env: dict[str, str], rasa_port: int = 5005, log_dir: Path | None = None) -> Stack:
    os.umask(0o077)  # var/ files of every child (tracker.db, logs, caches) are this user's only
    endpoints = write_endpoints(settings)
    stack = Stack()
    stack.rasa_token = token = secrets.token_urlsafe(32)   # random per start; the service gets it too
    credentials = write_credentials(settings, token)
    env = dict(env, RASA_TOKEN=token)
    rasa_env = dict(env, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    rasa_env.pop("RASA_TOKEN")
    stack.start("rasa", rasa_command(settings, endpoints, latest_model(), rasa_port, token, credentials), rasa_env,
                log_dir / "rasa.out" if log_dir else None)
    stack.start("service", [str(APP_PYTHON), "-m", "bot"], env, log_dir / "service.out" if log_dir else None)
    return stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="启动山西民生政策助手的全部进程")
    parser.parse_args(argv)
    load_dotenv()
    settings = Settings.from_env()   # a bad value stops here, with the variable's name and the fix
    rasa_port = settings.rasa_port
    env = dict(os.environ, RASA_URL=f"http://127.0.0.1:{rasa_port}")
    stack = start_stack(settings, env, rasa_port=rasa_port)
    stopping = False

    def _stop(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    shown = "localhost" if settings.host in ("0.0.0.0", "") else settings.host
    print(f"正在启动 Rasa（127.0.0.1:{rasa_port}）和助手服务（{settings.host}:{settings.port}）…", flush=True)
    ready = False
    try:
        while not stopping:
            dead = stack.dead()
            if dead:
                print(f"进程意外退出：{', '.join(dead)}；日志见 var/rasa.log 与上方输出。", file=sys.stderr, flush=True)
                return 1
            if not ready and wait_http(f"http://127.0.0.1:{settings.port}/healthz", 0.5) and \
                    wait_http(f"http://127.0.0.1:{rasa_port}/", 0.5):
                ready = True
                print(f"\n✅ 已就绪：请在浏览器打开 http://{shown}:{settings.port}/  （Ctrl-C 停止全部进程）\n", flush=True)
            time.sleep(0.5)
    finally:
        print("正在停止全部进程…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
