"""Shared by the assist tests: the staff tokens the stack is started with, and an HTTP client for the API."""
from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Optional

from bot.launcher import APP_PYTHON
from bot.settings import ROOT

STAFF_TOKENS = "wang01:assist-token-wang,li02:assist-token-li"
TOKEN = "assist-token-wang"
OTHER_TOKEN = "assist-token-li"
ASSIST_ENV = {"STAFF_TOKEN": STAFF_TOKENS, "ASSIST_IDLE_MINUTES": "120"}


@dataclass
class AssistStack:
    base_url: str
    env: dict[str, str]

    def call(self, method: str, path: str, body: Any = None, token: Optional[str] = TOKEN,
             raw: Optional[bytes] = None, headers: Optional[dict[str, str]] = None) -> tuple[int, dict]:
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
        h = {"Content-Type": "application/json"} if data is not None else {}
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def line(self, call_id: str, utterance: str, role: str = "caller", token: str = TOKEN) -> dict:
        status, body = self.call("POST", "/api/assist", {"call_id": call_id, "utterance": utterance, "role": role},
                                 token=token)
        assert status == 200, body
        return body

    def audit(self, *args: str) -> str:
        out = subprocess.run([str(APP_PYTHON), "-m", "bot.audit", *args], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout
