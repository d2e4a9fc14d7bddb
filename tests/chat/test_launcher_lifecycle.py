"""`make run`'s launcher: everything comes up, the URL is printed, Ctrl-C leaves no process behind."""
from __future__ import annotations

import os
import signal
import queue
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bot.settings import ROOT
from tests.conftest import free_port

pytestmark = pytest.mark.stack


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is already dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _descendants(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        p, pp = (int(x) for x in line.split())
        children.setdefault(pp, []).append(p)
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in found:
                found.add(c)
                todo.append(c)
    return found


def test_launcher_starts_everything_and_ctrl_c_leaves_no_orphans(tmp_path):
    port, rasa_port, action_port = free_port(), free_port(), free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
               VAR_DIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
            if "已就绪" in seen[-1]:
                break
        ready = [ln for ln in seen if "已就绪" in ln]
        assert ready and f"http://127.0.0.1:{port}/" in ready[0], "".join(seen)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            assert resp.status == 200
        children = _descendants(proc.pid)
        assert len(children) >= 2
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    time.sleep(1)
    assert not [pid for pid in children if _alive(pid)]
