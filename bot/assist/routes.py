"""Agent assist HTTP API and console (issue 7).

    POST   /api/assist              {"call_id", "utterance", "role": "caller"|"staff"} → the call's view
    GET    /api/assist              who the token belongs to (the console's login check)
    GET    /api/assist/{call_id}    the call's current view
    DELETE /api/assist/{call_id}    close the call (its state is deleted; the audit log keeps the record)
    GET    /assist                  the staff console (static, token login in the page)

Every API request needs `Authorization: Bearer <token>` (see bot.assist.auth for STAFF_TOKEN) and is
written to the audit log (bot.audit). ASSIST_IDLE_MINUTES (default 120) is how long an idle call is kept.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path
from typing import Any, Optional

from aiohttp import web

from bot import audit
from bot.assist import core
from bot.assist.auth import NOT_CONFIGURED, bearer, parse_tokens, staff_for, unauthorized
from bot.assist.script import build_script, build_summary
from bot.assist.store import CallStore
from bot.errors import ApiError, InvalidInput
from bot.http import json_response, read_json_object, validate
from bot.limits import LIMITS_KEY, client_ip
from bot.openapi import api
from bot.openapi_models import AssistLine
from bot.pools import run_db, run_model
from bot.privacy import mask_text
from bot.web.routes import static_site

log = logging.getLogger("bot.assist")

CALL_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
MAX_UTTERANCE = 2000
ROLES = ("caller", "staff")
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/assist/static/"
DEFAULT_IDLE_MINUTES = 120.0
UNKNOWN_STAFF = "-"          # audit rows of failed logins
KB_TIMEOUT_S = 5.0


class Assist:
    """Per-app state: tokens, call store, per-call locks (one line at a time per call)."""

    def __init__(self, app: web.Application) -> None:
        settings = app["settings"]
        self.tokens = parse_tokens(settings.staff_token)
        self.db_url = settings.sqlite_url("assist")
        self.idle_minutes = settings.assist_idle_minutes
        self._store: Optional[CallStore] = None
        self._locks: dict[str, asyncio.Lock] = {}
        self.app = app

    @property
    def store(self) -> CallStore:
        if self._store is None:
            self._store = CallStore(self.db_url, self.idle_minutes)
        return self._store

    def lock(self, call_id: str) -> asyncio.Lock:
        if len(self._locks) > 10000:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        return self._locks.setdefault(call_id, asyncio.Lock())

    async def authenticate(self, request: web.Request) -> str:
        """The staff id; a wrong token is audited and, repeated from one address, throttled (429)."""
        if not self.tokens:
            raise NOT_CONFIGURED
        guard = request.app[LIMITS_KEY].logins
        ip = client_ip(request)
        guard.check(ip)
        staff_id = staff_for(self.tokens, bearer(request))
        if staff_id is None:
            guard.failed(ip)
            log.warning("staff login failed", extra={"ip": ip, "path": request.path})
            await self.audit(UNKNOWN_STAFF, None, "login_failed", 401, f"ip={ip} {request.method} {request.path}")
            raise unauthorized()
        return staff_id

    def audit_sync(self, staff_id: str, call_id: Optional[str], action: str, status: int, detail: str = "") -> None:
        try:
            audit.record(self.db_url, staff_id, call_id, action, status, detail)
        except Exception:  # the answer still goes out; the log says the audit row is missing
            log.exception("audit record failed for %s %s", staff_id, action)

    async def audit(self, staff_id: str, call_id: Optional[str], action: str, status: int, detail: str = "") -> None:
        await run_db(self.audit_sync, staff_id, call_id, action, status, detail)

    # The blocking steps of a request run together in one worker thread (one hop, not four).
    def record_line(self, call_id: str, staff_id: str, role: str, utterance: str, parse: Optional[dict[str, Any]],
                    answer: Optional[dict[str, Any]]) -> dict[str, Any]:
        state = self.store.get(call_id) or core.new_state(call_id, staff_id)
        state["staff_id"] = staff_id
        line = core.add_line(state, role, utterance, parse)
        if line["question"]:
            state["questions"].append(mask_text(utterance)[:60])
            if answer:
                core.add_answer(state, utterance, answer)
        result = view(state)
        self.store.save(state)
        result.update(updated_at=state["updated_at"], created_at=state["created_at"])
        if role == "caller" and parse is None:
            result["degraded"] = ["rasa"]
        self.audit_sync(staff_id, call_id, f"line:{role}", 200, utterance)
        return result

    def current_view(self, call_id: str, staff_id: str) -> Optional[dict[str, Any]]:
        state = self.store.get(call_id)
        self.audit_sync(staff_id, call_id, "view", 200 if state else 404)
        return view(state) if state else None


ASSIST_KEY = "assist"


def _assist(request: web.Request) -> Assist:
    return request.app[ASSIST_KEY]


def _encodable(text: str) -> bool:
    """False for lone surrogates ("\\ud800" in JSON): valid JSON, but no database or log can store them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _call_id(value: Any) -> str:
    if not isinstance(value, str) or not CALL_ID.match(value):
        raise InvalidInput("call_id 应为 1-128 个字符（字母、数字或 _ . : -）。", field="call_id")
    return value


# ---------------------------------------------------------------------- collaborators in the same process
def _knowledge_base(app: web.Application):
    holder = app.get("kb")
    if isinstance(holder, dict) and holder.get("kb") is not None:
        return holder["kb"]
    from bot.kb.service import get_knowledge_base

    return get_knowledge_base(app["settings"])


async def _kb_answer(app: web.Application, question: str) -> Optional[dict[str, Any]]:
    """The KB's cited answer, or None when the KB is not ready (the rest of the view still comes)."""
    try:
        def run() -> dict[str, Any]:
            return _knowledge_base(app).answer(question)
        return await asyncio.wait_for(run_model(run), KB_TIMEOUT_S)
    except (ApiError, ImportError, asyncio.TimeoutError, OSError) as exc:
        log.warning("KB answer unavailable for assist: %s", exc)
        return None


async def _parse(app: web.Application, text: str) -> Optional[dict[str, Any]]:
    chat = app.get("chat")
    if chat is None:
        return None
    try:
        return await chat.parse(text)
    except ApiError as exc:
        log.warning("Rasa parse unavailable for assist: %s", exc.code)
        return None


def _offices(state: dict[str, Any], types: list[str]) -> list[dict[str, Any]]:
    from bot.service_points import lookup

    place = state.get("place") or {}
    if not (place.get("city") or place.get("county")) or not types:
        return []
    points: list[dict[str, Any]] = []
    for t in types:
        limit = 1 if t != "town_service_center" or place.get("town") else 3
        points += lookup(type=t, city=place.get("city"), county=place.get("county"), town=place.get("town"),
                         limit=limit)
    return points


def view(state: dict[str, Any]) -> dict[str, Any]:
    """The staff view of a call, recomputed from its state (blocking: run it in a worker thread)."""
    results = core.evaluate(state)
    checklist = core.merged_checklist(results)
    state["asking"] = core.next_asking(checklist)
    types = core.wanted_office_types(state)
    points = _offices(state, types)
    script = build_script(state, results, checklist, points)
    summary = build_summary(state, results, checklist, points, script, types)
    return {
        "call_id": state["call_id"],
        "staff_id": state["staff_id"],
        "understanding": state.get("understanding"),
        "facts": core.facts_by_program(results),
        "unknown_facts": state["unknown"],
        "eligibility": results,
        "checklist": checklist,
        "answers": state["answers"],
        "place": {k: v for k, v in (state.get("place") or {}).items() if v},
        "service_points": points,
        "script": script,
        "summary": summary,
        "transcript": state["transcript"],
        "created_at": state.get("created_at"),
        "updated_at": state.get("updated_at"),
    }


# ---------------------------------------------------------------------- handlers
@api("坐席辅助：记录通话中的一句并返回当前视图", body=AssistLine, auth="staff", tags=["assist"])
async def post_line(request: web.Request) -> web.Response:
    assist = _assist(request)
    staff_id = await assist.authenticate(request)
    body: dict[str, Any] = {}
    try:
        body = await read_json_object(request)
        line = validate(AssistLine, body)
        call_id, utterance, role = line.call_id, line.utterance, line.role
    except ApiError as exc:
        raw_id = body.get("call_id")
        await assist.audit(staff_id, raw_id[:128] if isinstance(raw_id, str) else None, "rejected",
                           exc.status, exc.code)
        raise
    async with assist.lock(call_id):
        # A line that looks like a question goes to the KB while Rasa parses it (two slow steps in parallel).
        kb_task = asyncio.ensure_future(_kb_answer(request.app, utterance)) \
            if role == "caller" and core.looks_like_question(utterance) else None
        parse = await _parse(request.app, utterance) if role == "caller" else None
        if kb_task is not None:
            answer = await kb_task
        elif role == "caller" and ((parse or {}).get("intent") or {}).get("name") in core.QUESTION_INTENTS:
            answer = await _kb_answer(request.app, utterance)
        else:
            answer = None
        result = await run_db(assist.record_line, call_id, staff_id, role, utterance, parse, answer)
    return json_response(result)


@api("坐席令牌校验（控制台登录）", auth="staff", tags=["assist"])
async def whoami(request: web.Request) -> web.Response:
    assist = _assist(request)
    staff_id = await assist.authenticate(request)
    await assist.audit(staff_id, None, "login", 200)
    return json_response({"staff_id": staff_id, "idle_minutes": assist.idle_minutes})


@api("坐席辅助：通话的当前视图", auth="staff", tags=["assist"])
async def get_call(request: web.Request) -> web.Response:
    assist = _assist(request)
    staff_id = await assist.authenticate(request)
    call_id = _call_id(request.match_info["call_id"])
    result = await run_db(assist.current_view, call_id, staff_id)
    if result is None:
        raise ApiError(404, "call_not_found", "没有找到这个通话，可能已结束或超时清除。", field="call_id")
    return json_response(result)


@api("坐席辅助：结束通话（删除其状态，审计记录保留）", auth="staff", tags=["assist"])
async def delete_call(request: web.Request) -> web.Response:
    assist = _assist(request)
    staff_id = await assist.authenticate(request)
    call_id = _call_id(request.match_info["call_id"])
    async with assist.lock(call_id):
        deleted = await run_db(assist.store.delete, call_id)
    await assist.audit(staff_id, call_id, "close", 200 if deleted else 404)
    if not deleted:
        raise ApiError(404, "call_not_found", "没有找到这个通话，可能已结束或超时清除。", field="call_id")
    return json_response({"call_id": call_id, "closed": True, "closed_at": time.time()})


async def _warm_up(app: web.Application) -> None:
    """Load the rules, the gazetteer and the call tables before the first call comes in."""
    def run() -> None:
        from bot.service_points import find_places, get_store

        core.evaluate(core.new_state("warm-up", "staff") | {"programs": list(core.get_engine().program_ids())})
        find_places("太原市小店区")
        get_store()
        app[ASSIST_KEY].store.purge_expired()
    try:
        await asyncio.to_thread(run)
    except Exception:  # the first request will load what is missing and report any real problem
        log.exception("agent assist warm-up failed")


def setup(app: web.Application) -> None:
    app[ASSIST_KEY] = Assist(app)
    app.on_startup.append(_warm_up)
    page, asset = static_site(STATIC_DIR, STATIC_PREFIX)

    app.router.add_post("/api/assist", post_line)
    app.router.add_get("/api/assist", whoami)
    app.router.add_get("/api/assist/{call_id}", get_call)
    app.router.add_delete("/api/assist/{call_id}", delete_call)
    app.router.add_get("/assist", page)
    app.router.add_get(STATIC_PREFIX + "{name}", asset)
