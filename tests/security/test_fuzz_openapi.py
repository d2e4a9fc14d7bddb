"""Property-based fuzzing over GET /openapi.json (hypothesis), bounded in time.

Every described operation gets bodies generated from its request schema (valid-looking ones), arbitrary
JSON values, raw bytes, and random query and path parameters, against the whole service in process with the
real Rasa of the test stack. The bars: no 5xx ever, every 4xx carries the contract's error body (Chinese
message), and nothing stored is corrupted (SQLite integrity, every stored call state still reads back, the
served KB version and the office data unchanged).

FUZZ_EXAMPLES (default 25 per operation and strategy) and FUZZ_BUDGET_S (default 240) bound the run.
"""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import free_port

pytestmark = pytest.mark.stack

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
BUDGET_S = float(os.environ.get("FUZZ_BUDGET_S", "240"))
STAFF = "fuzz-staff-token"
ADMIN = "fuzz-admin-token"
SKIP = {("get", "/openapi.json")}


class Service:
    """The whole app on a loopback port, in its own thread and event loop (hypothesis drives it synchronously)."""

    def __init__(self, settings_: Settings) -> None:
        self.settings = settings_
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self.loop)
        self.app = create_app(self.settings)
        self.runner = web.AppRunner(self.app, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())

    def start(self) -> "Service":
        self.thread.start()
        assert self.ready.wait(300), "service did not start"
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(60)

    def request(self, method: str, path: str, query: dict | None = None, body: bytes | None = None,
                content_type: str = "application/json", auth: str | None = None) -> tuple[int, str, bytes]:
        url = f"http://127.0.0.1:{self.port}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Content-Type": content_type} if body is not None else {}
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        req = urllib.request.Request(url, data=body, method=method.upper(), headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()


@pytest.fixture(scope="module")
def service(live_stack, shared_var):
    s = Settings(var_dir=shared_var, rasa_url=live_stack.rasa_url, rasa_token=live_stack.rasa_token,
                 staff_token=f"fuzz:{STAFF}", admin_token=ADMIN, wechat_token="fuzz-wechat-token",
                 wechat_appid="wxfuzz", wechat_appsecret="x", wechat_api_base="http://127.0.0.1:9",
                 rate_limit_ip_per_min=0, rate_limit_sender_per_min=0, database_url="", rasa_timeout_s=60)
    svc = Service(s).start()
    yield svc
    svc.stop()


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def check(op: str, status: int, ctype: str, raw: bytes) -> None:
    assert status < 500, f"{op} → {status}: {raw[:300]!r}"
    if status >= 400 and ctype.startswith("application/json"):
        body = json.loads(raw)
        assert set(body) == {"error"}, (op, body)
        err = body["error"]
        assert isinstance(err["code"], str) and err["code"] and _chinese(err["message"]), (op, body)
        assert set(err) <= {"code", "message", "field"}, (op, body)
    elif status >= 400:
        assert op.endswith("/wechat"), f"{op} → {status} without the error body"


def from_schema(schema: dict, components: dict, depth: int = 0) -> st.SearchStrategy:
    """Values for the JSON Schema subset pydantic writes (object, string, integer, number, boolean, array,
    enum/const, anyOf, $ref), near and at the described limits: the request bodies the description invites."""
    if "$ref" in schema:
        return from_schema(components[schema["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, components, depth + 1) for s in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        lo, hi = schema.get("minLength", 0), schema.get("maxLength", 60)
        samples = [t for t in SAMPLES if lo <= len(t) <= hi]
        text = st.text(min_size=lo, max_size=min(hi, 80))
        if hi - lo > 80:
            # Exactly the maximum length; built by repetition, since Hypothesis cannot draw strings longer than
            # its buffer (a 256 KiB rules file field would otherwise be an invalid strategy).
            text |= st.text(min_size=1, max_size=8).map(lambda s, n=hi: (s * (n // len(s) + 1))[:n])
        return text | st.sampled_from(samples) if samples else text
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum")) | st.integers()
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False) | st.floats(allow_nan=False,
                                                                                                    allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), components, depth + 1), max_size=4)
    if kind == "object" and "properties" in schema and depth < 6:
        props = {k: from_schema(v, components, depth + 1) for k, v in schema["properties"].items()}
        required = set(schema.get("required", []))
        return st.fixed_dictionaries({k: v for k, v in props.items() if k in required},
                                     optional={k: v for k, v in props.items() if k not in required})
    return JSON_VALUES


SAMPLES = ["你好", "残疾人两项补贴是什么", "/share_location", '/ask_eligibility{"program": "childcare_subsidy"}',
           "太原市小店区的残联在哪里", "托位数目标", "我的身份证140105 19850312 001X", "childcare_subsidy",
           "disability_care_allowance", "2026-11-28", "caller", "staff", "web", " ", "\u202e"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20)
PARAM_TEXT = st.text(max_size=30) | st.sampled_from(["", "0", "-1", "1e999", "nan", "太原市", "小店区", "51",
                                                     "200", "gcj02", "wgs84", "hrss", "\u202e", "../../etc"])


def operations(doc: dict) -> list[tuple[str, str, dict]]:
    return [(m, p, op) for p, methods in sorted(doc["paths"].items()) for m, op in sorted(methods.items())
            if (m, p) not in SKIP]


def snapshot(service: Service) -> dict[str, Any]:
    status, _, raw = service.request("get", "/api/service-points", {"county": "小店区", "limit": "50"})
    assert status == 200
    _, _, kb = service.request("post", "/api/kb/search", body=json.dumps({"query": "托位数"}).encode())
    return {"offices": json.loads(raw)["results"], "kb": json.loads(kb)}


def test_fuzz_every_operation(service):
    doc = json.loads(service.request("get", "/openapi.json")[2])
    before = snapshot(service)
    started = time.monotonic()
    fuzzed: list[str] = []
    for method, path, op in operations(doc):
        if time.monotonic() - started > BUDGET_S:
            break
        name = f"{method.upper()} {path}"
        auth = STAFF if op.get("security") == [{"staff_token": []}] else ADMIN if op.get("security") else None
        if auth == ADMIN and method != "get":
            auth = None     # admin writes (publish, rollback, …) are fuzzed unauthenticated: the KB here is the built one
        params = op.get("parameters", [])
        query_params = [p for p in params if p["in"] == "query"]
        path_params = [p["name"] for p in params if p["in"] == "path"]
        body_schema = None
        if "requestBody" in op:
            content = op["requestBody"]["content"]
            body_schema = content.get("application/json", {}).get("schema")
            body_type = next(iter(content))
        strategies = {
            "query": st.fixed_dictionaries({}, optional={p["name"]: PARAM_TEXT for p in query_params}),
            "path": st.fixed_dictionaries({n: PARAM_TEXT.filter(lambda v: "/" not in v and v not in ("", ".", ".."))
                                           for n in path_params}),
        }
        bodies: list[Any] = []
        if body_schema is not None:
            bodies = [from_schema(body_schema, doc["components"]["schemas"]).map(
                          lambda v: json.dumps(v, ensure_ascii=False).encode()),
                      JSON_VALUES.map(lambda v: json.dumps(v).encode()), st.binary(max_size=300)]
        elif "requestBody" in op:
            bodies = [st.binary(max_size=300), st.text(max_size=300).map(str.encode)]
        for body_strategy in bodies or [st.none()]:
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(query=strategies["query"], path_values=strategies["path"], body=body_strategy)
            def run(query, path_values, body):
                real_path = path
                for key, value in path_values.items():
                    real_path = real_path.replace("{" + key + "}", urllib.parse.quote(value, safe=""))
                ctype = "application/json" if body_schema is not None else (body_type if "requestBody" in op else "")
                status, rtype, raw = service.request(method, real_path, query, body, ctype, auth)
                check(name, status, rtype, raw)
            run()
        fuzzed.append(name)
    assert len(fuzzed) >= 10, fuzzed

    after = snapshot(service)
    assert after == before                                      # office data and the served KB untouched
    var = service.settings.var_dir
    for db in sorted(var.glob("*.db")):
        if db.is_symlink():
            continue
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", db
    assist = var / "assist.db"
    if assist.exists():
        with sqlite3.connect(assist) as conn:
            for (state,) in conn.execute("SELECT state FROM assist_calls"):
                assert isinstance(json.loads(state), dict)
            for (detail,) in conn.execute("SELECT detail FROM assist_audit"):
                json.dumps(detail)                                # valid text, storable and readable
