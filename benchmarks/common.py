"""Benchmark helpers: start the real stack on free ports, percentiles, peak RSS, results JSON + table."""
from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.launcher import Stack, start_stack  # noqa: E402
from bot.settings import Settings  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(values_s: list[float]) -> dict:
    ms = [v * 1000 for v in values_s]
    return {"n": len(ms), "p50_ms": round(percentile(ms, 0.5), 1), "p95_ms": round(percentile(ms, 0.95), 1),
            "mean_ms": round(statistics.fmean(ms), 1) if ms else None, "max_ms": round(max(ms), 1) if ms else None}


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a process and its live children, in MB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1) if total else None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children, in seconds."""
    total = 0.0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    tick = os.sysconf("SC_CLK_TCK")
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def free_port_run(n: int) -> int:
    """The first of n consecutive free ports (Rasa workers listen on rasa_port, rasa_port+1, …)."""
    for _ in range(200):
        first = free_port()
        ok = True
        for p in range(first + 1, first + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return first
    raise SystemExit("no run of free ports")


def start(tmp: Path, timeout: float = 600, database_url: str = "", redis_url: str = "", workers: int = 1,
          tracker_max_events: int | None = None, extra_env: dict | None = None,
          action_port_for_rasa: int | None = None) -> tuple[Stack, str, str]:
    """The real stack on free loopback ports; SQLite under `tmp` unless database_url names PostgreSQL."""
    port, action_port, rasa_port = free_port(), free_port(), free_port_run(workers)
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), ACTION_PORT=str(action_port),
               RASA_URL=f"http://127.0.0.1:{rasa_port}", DATABASE_URL=database_url, REDIS_URL=redis_url,
               RATE_LIMIT_IP_PER_MIN="0", RATE_LIMIT_SENDER_PER_MIN="0")   # load from one address is the point
    env.update(extra_env or {})
    tmp.mkdir(parents=True, exist_ok=True)
    # Rasa calls the action webhook at action_port_for_rasa when given (a proxy the fault runs can stop).
    settings = Settings(host="127.0.0.1", port=port, action_port=action_port_for_rasa or action_port, var_dir=tmp,
                        database_url=database_url, redis_url=redis_url)
    if tracker_max_events is not None:
        settings.tracker_max_events = tracker_max_events
    stack = start_stack(settings, env, rasa_port=rasa_port, log_dir=tmp, workers=workers)
    try:
        return _wait_healthy(stack, port, rasa_port, workers, timeout, tmp)
    except BaseException:
        stack.stop()  # never leave a half-started stack behind (Ctrl-C, timeout)
        raise


def _wait_healthy(stack: Stack, port: int, rasa_port: int, workers: int, timeout: float, tmp: Path):
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=3) as r:
                if r.status == 200 and all(_up(f"http://127.0.0.1:{rasa_port + i}/") for i in range(workers)):
                    return stack, base, f"http://127.0.0.1:{rasa_port}"
        except OSError:
            pass
        if stack.dead():
            break
        time.sleep(1)
    stack.stop()
    raise SystemExit(f"stack did not start; logs in {tmp}")


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status == 200
    except OSError:
        return False


def services_env() -> dict[str, str]:
    """DATABASE_URL and REDIS_URL of the project's own PostgreSQL and Redis (started if needed)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "start"], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "env"], check=True, capture_output=True,
                         text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except OSError:
        return "unknown"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"benchmark": name, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "commit": git_commit(), "load_average_at_save": load_average(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def table(rows: list[list], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line, sep] + ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |" for r in rows])
