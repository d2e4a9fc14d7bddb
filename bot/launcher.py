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

from bot.db import is_postgres, tracker_store_config
from bot.settings import ROOT, Settings, load_dotenv, private_file

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
BOUNDED_TRACKER_STORE = "bot.rasa_tracker_store.BoundedSQLTrackerStore"
# Rasa's per-conversation lock (Redis): a worker killed mid-turn holds its sender's lock this long at most.
LOCK_LIFETIME_S = 8
RESTART_LIMIT = 5  # Rasa worker restarts per launcher run before giving up
APP_PYTHON = ROOT / ".venv" / "bin" / "python"


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tracker_store_yaml(database_url: str, var_dir: Path, max_events: int = 0) -> str:
    """Rasa's SQL tracker store for DATABASE_URL (bot.db decides what the URL means); with max_events > 0
    the bounded store (bot/rasa_tracker_store.py) keeps a live session to about that many events."""
    try:
        cfg = tracker_store_config(database_url, var_dir)
    except ValueError as exc:
        raise SystemExit(str(exc))
    if max_events > 0:
        cfg = {"type": BOUNDED_TRACKER_STORE, **{k: v for k, v in cfg.items() if k != "type"},
               "max_events": max_events}
    lines = ["tracker_store:"]
    for key, value in cfg.items():
        lines.append(f"  {key}: {value}" if isinstance(value, int) else f"  {key}: {_yaml_str(str(value))}")
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


def write_endpoints(settings: Settings, redis_url: str = "") -> Path:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = settings.var_dir / "endpoints.runtime.yml"
    text = (f"action_endpoint:\n  url: \"http://{settings.action_host}:{settings.action_port}/webhook\"\n\n"
            + tracker_store_yaml(settings.database_url, settings.var_dir, settings.tracker_max_events) + "\n"
            + lock_store_yaml(redis_url or settings.redis_url))
    return _write_private(path, text)


def _write_private(path: Path, text: str) -> Path:
    """Atomically replace a var/ file, mode 0600 (it may hold database passwords or the Rasa token)."""
    tmp = private_file(path.with_suffix(".tmp"))
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def private_tmp(settings: Settings) -> Path:
    """var/tmp (0700) for the children's temporary files (Rasa's jieba dictionary cache among them)."""
    folder = settings.var_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


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


def rasa_command(settings: Settings, endpoints: Path, model: Path, port: int = 5005, worker: int = 0,
                 token: str = "", credentials: Path | None = None) -> list[str]:
    """`rasa run` on loopback only, its HTTP API (and REST channel) behind `--auth-token`, random per start."""
    log = private_file(settings.var_dir / ("rasa.log" if worker == 0 else f"rasa-{worker}.log"))
    cmd = [str(RASA_BIN), "run", "--enable-api", "-i", RASA_BIND, "-p", str(port), "-m", str(model),
           "--endpoints", str(endpoints), "--credentials", str(credentials or ROOT / "credentials.yml"),
           "--log-file", str(log)]
    if token:
        # One argument: a random token may start with "-", which argparse would take for an option.
        cmd.append(f"--auth-token={token}")
    return cmd


def worker_count(settings: Settings, redis_url: str = "") -> int:
    """RASA_WORKERS, or by default the core count when the tracker store is PostgreSQL and Redis holds the
    locks. SQLite and the in-process lock store are safe for one Rasa process only."""
    shared = is_postgres(settings.database_url) and bool(redis_url or settings.redis_url)
    if settings.rasa_workers > 1 and not shared:
        raise SystemExit("多个 Rasa 进程需要 PostgreSQL（DATABASE_URL）和 Redis（REDIS_URL）："
                         "请先运行 scripts/services.sh start，或使用 make run-scaled。")
    if settings.rasa_workers > 0:
        return settings.rasa_workers
    return max(1, os.cpu_count() or 1) if shared else 1


class Stack:
    """The running children; stop() ends each process group, restart() brings one back."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.rasa_token = ""
        self._how: dict[str, tuple[list[str], dict[str, str], Path | None]] = {}

    def start(self, name: str, cmd: list[str], env: dict[str, str], log_path: Path | None = None) -> subprocess.Popen:
        out = open(log_path, "ab") if log_path else None
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                                stdout=out or None, stderr=subprocess.STDOUT if out else None)
        if out:
            out.close()
        self.children = [(n, p) for n, p in self.children if n != name] + [(name, proc)]
        self._how[name] = (cmd, env, log_path)
        return proc

    def restart(self, name: str) -> subprocess.Popen:
        cmd, env, log_path = self._how[name]
        return self.start(name, cmd, env, log_path)

    def pid(self, name: str) -> int | None:
        return next((p.pid for n, p in self.children if n == name), None)

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


def rasa_ports(first: int, workers: int) -> list[int]:
    return [first + i for i in range(workers)]


def start_stack(settings: Settings, env: dict[str, str], rasa_port: int = 5005, log_dir: Path | None = None,
                workers: int | None = None) -> Stack:
    """Rasa worker(s) on rasa_port, rasa_port+1, … and the assistant service, which gets their URLs."""
    os.umask(0o077)  # var/ files of every child (tracker.db, logs, caches) are this user's only
    redis_url = env.get("REDIS_URL", "")
    workers = workers or worker_count(settings, redis_url)
    endpoints = write_endpoints(settings, redis_url)
    stack = Stack()
    stack.rasa_token = token = secrets.token_urlsafe(32)   # random per start; the service gets it too
    credentials = write_credentials(settings, token)
    env = {k: v for k, v in env.items() if k != "RASA_TOKEN"}
    # Small pools: N workers × (pool + overflow) must stay under PostgreSQL's max_connections (200 here).
    rasa_env = dict(env, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", SQL_POOL_SIZE="5",
                    SQL_MAX_OVERFLOW="10", TICKET_LOCK_LIFETIME=str(LOCK_LIFETIME_S), PYTHONPATH=str(ROOT),
                    TMPDIR=str(private_tmp(settings)))   # Rasa's jieba cache and temp files: var/tmp, not /tmp
    model = latest_model()
    ports = rasa_ports(rasa_port, workers)
    for i, port in enumerate(ports):
        name = "rasa" if i == 0 else f"rasa-{i}"
        stack.start(name, rasa_command(settings, endpoints, model, port, i, token, credentials), rasa_env,
                    log_dir / f"{name}.out" if log_dir else None)
    service_env = dict(env, RASA_URL=f"http://127.0.0.1:{ports[0]}", RASA_TOKEN=token,
                       RASA_URLS=",".join(f"http://127.0.0.1:{p}" for p in ports))
    stack.start("service", [str(APP_PYTHON), "-m", "bot"], service_env, log_dir / "service.out" if log_dir else None)
    return stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="启动山西民生政策助手的全部进程")
    parser.add_argument("--workers", type=int, default=None, help="Rasa 进程数（默认 RASA_WORKERS，或自动）")
    parser.add_argument("--write-endpoints", action="store_true",
                        help="只写出 var/endpoints.runtime.yml 后退出（systemd 的 Rasa 单元启动前调用）")
    args = parser.parse_args(argv)
    load_dotenv()
    settings = Settings.from_env()   # a bad value stops here, with the variable's name and the fix
    if args.write_endpoints:  # systemd (deploy/): the files each Rasa worker starts with; the token from RASA_TOKEN
        print(write_endpoints(settings))
        token = settings.rasa_token
        if token:
            print(write_credentials(settings, token))
        return 0
    rasa_port = settings.rasa_port
    workers = args.workers or worker_count(settings)
    env = dict(os.environ)
    stack = start_stack(settings, env, rasa_port=rasa_port, workers=workers)
    ports = rasa_ports(rasa_port, workers)
    stopping = False

    def _stop(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    shown = "localhost" if settings.host in ("0.0.0.0", "") else settings.host
    where = ", ".join(f"127.0.0.1:{p}" for p in ports)
    store = "PostgreSQL" if is_postgres(settings.database_url) else "SQLite"
    print(f"正在启动 {workers} 个 Rasa 进程（{where}；对话存储 {store}）和助手服务（{settings.host}:{settings.port}）…",
          flush=True)
    ready = False
    restarts = 0
    try:
        while not stopping:
            for name in stack.dead():
                if name == "service" or restarts >= RESTART_LIMIT:
                    print(f"进程意外退出：{name}；日志见 var/rasa*.log 与上方输出。", file=sys.stderr, flush=True)
                    return 1
                restarts += 1
                print(f"Rasa 进程 {name} 已退出，正在重启（第 {restarts} 次）；其间由其他进程接待。",
                      file=sys.stderr, flush=True)
                stack.restart(name)
            if not ready and wait_http(f"http://127.0.0.1:{settings.port}/healthz", 0.5) and \
                    all(wait_http(f"http://127.0.0.1:{p}/", 0.5) for p in ports):
                ready = True
                print(f"\n✅ 已就绪：请在浏览器打开 http://{shown}:{settings.port}/  （Ctrl-C 停止全部进程）\n", flush=True)
            time.sleep(0.5)
    finally:
        print("正在停止全部进程…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
