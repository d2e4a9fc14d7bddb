"""Admin API (`/api/admin/...`) and console (`GET /admin`). Every call needs a bearer token with a role
(bot.admin.auth); every change is written to the admin audit log with the versions before and after.

The endpoints are listed in ROUTES (method, path, role, request model, summary) for the README and the
OpenAPI description. Slow work (KB builds, impact reports, rules checks) runs in a worker thread, one
change at a time (an asyncio lock), so the event loop keeps serving residents.
"""
from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from aiohttp import web

from bot.admin import curated as cur
from bot.admin import dashboard, documents, impact, rules, service_points, uploads
from bot.admin.audit import AuditLog
from bot.admin.auth import Admin, authenticate, bearer, find_admin, parse_tokens
from bot.admin.models import (AuditQuery, CuratedIn, DocumentMeta, ImportQuery, NoQuery, RulesIn, SearchQuery,
                              TopicCheckIn, UnansweredQuery, VersionIn, parse, parse_query)
from bot.admin.unanswered import UnansweredLog, channel_of, group_topics
from bot.eligibility.engine import RULES_DIR
from bot.errors import ApiError, InvalidInput
from bot.http import json_response, read_json_object
from bot.kb import store as kb_store
from bot.kb.build import DocumentError
from bot.kb.service import NOT_READY, KnowledgeBase
from bot.limits import LIMITS_KEY, client_ip
from bot.text_normalize import has_control_chars
from bot.web.routes import static_site

log = logging.getLogger("bot.admin")

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/admin/static/"
FLUSH_EVERY_S = 10.0
UPLOAD_MAX = 5 * 1024 * 1024
CSV_MAX = 5 * 1024 * 1024
UNANSWERED_DAYS = 30
MAX_PATH_ID = 200
PATH_IDS = {"doc_id": "文档编号", "item_id": "问答编号", "program": "项目编号"}
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/octet-stream", "application/vnd.ms-excel")
FAILED_LOGIN = Admin("-", "-")   # audit rows of a wrong token
ADMIN_USER = web.RequestKey("admin_user", Admin)
ADMIN_QUERY = web.RequestKey("admin_query", object)


class AdminState:
    """Per-app state: tokens, audit log, unanswered log, where the KB and rules live."""

    def __init__(self, app: web.Application) -> None:
        settings = app["settings"]
        self.app = app
        self.tokens = parse_tokens(settings.admin_token, getattr(settings, "admin_tokens", ""))
        url = settings.sqlite_url("admin")
        self.audit = AuditLog(url)
        self.unanswered = UnansweredLog(url)
        self.var_dir = Path(settings.var_dir)
        self.service_points_url = settings.sqlite_url("service_points")
        self.rules_dir = RULES_DIR
        self.pinned = impact.Pinned()
        self.lock = asyncio.Lock()

    @property
    def kb(self) -> KnowledgeBase:
        holder = self.app.get("kb") or {}
        kb = holder.get("kb")
        if kb is None:
            raise ApiError(503, "kb_unavailable", NOT_READY)
        return kb

    @property
    def kb_root(self) -> Path:
        return self.kb.root

    @property
    def curated(self) -> cur.CuratedStore:
        return cur.CuratedStore(self.kb_root)

    async def login(self, request: web.Request) -> Admin:
        """The token's owner. A wrong token is audited and, repeated from one address, throttled (429), with the
        same per-IP guard as the staff login (bot.limits.LoginGuard); a missing one is a plain 401."""
        guard = request.app[LIMITS_KEY].logins if LIMITS_KEY in request.app else None
        ip = client_ip(request)
        if guard is not None:
            guard.check(ip)
        admin = find_admin(self.tokens, bearer(request))
        if admin is None and request.headers.get("Authorization", "").strip():
            if guard is not None:
                guard.failed(ip)
            log.warning("admin login failed", extra={"ip": ip, "path": request.path})
            await self.record(FAILED_LOGIN, "login_failed", 401, f"ip={ip} {request.method} {request.path}")
        if admin is not None:
            request[ADMIN_USER] = admin
        return authenticate(self.tokens, request, "editor")  # 401 with the contract body when not found

    def require(self, request: web.Request, role: str) -> Admin:
        """401 without a valid token, 403 below `role`; reuses the login the route wrapper made."""
        admin = request.get(ADMIN_USER)
        if admin is None:
            return authenticate(self.tokens, request, role)
        if not admin.can(role):
            return authenticate(self.tokens, request, role)  # raises the 403 with its message
        return admin

    async def record(self, admin: Admin, action: str, status: int, target: str = "", before: Optional[str] = None,
                     after: Optional[str] = None, detail: Any = "") -> None:
        try:
            await asyncio.to_thread(self.audit.record, admin.name, admin.role, action, status, target, before,
                                    after, detail)
        except Exception:
            log.exception("admin audit record failed: %s %s", admin.name, action)


def _state(request: web.Request) -> AdminState:
    return request.app["admin"]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _query(request: web.Request) -> Any:
    """The endpoint's checked query parameters (set by the route wrapper in `setup`)."""
    return request[ADMIN_QUERY]


async def _run(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


# ------------------------------------------------------------------------------------------ who / audit
async def me(request: web.Request) -> web.Response:
    admin = _state(request).require(request, "editor")
    return json_response({"name": admin.name, "role": admin.role})


async def audit_log(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    limit = _query(request).limit
    rows = await asyncio.to_thread(st.audit.read, limit)
    for r in rows:
        r["time"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["at"]))
    return json_response({"entries": rows})


# ------------------------------------------------------------------------------------------ impact
def _unanswered_questions(st: AdminState, limit: int = 60) -> list[str]:
    rows = st.unanswered.list(time.time() - UNANSWERED_DAYS * 86400, limit=1000)
    return list(dict.fromkeys(r["question"] for r in rows))[:limit]


def _impact(st: AdminState, kb_version: Optional[str], items: Optional[list[dict[str, Any]]],
            extra: list[str]) -> dict[str, Any]:
    """Serving state → (KB version, curated items) candidate; None keeps the serving one."""
    kb = st.kb
    serving = kb.version
    after = st.pinned.get(kb, kb_version or serving, st.curated.items() if items is None else items)
    groups = {"unanswered": _unanswered_questions(st), "curated": extra, "golden": impact.golden_questions()}
    return impact.report(kb, after, groups, serving, kb_version or serving)


def _save_impact(st: AdminState, name: str, report: dict[str, Any]) -> None:
    kb_store.write_atomic(st.kb_root / f"impact-{name}.json", json.dumps(report, ensure_ascii=False).encode())


def _load_impact(st: AdminState, name: str, version: Optional[str]) -> Optional[dict[str, Any]]:
    try:
        data = json.loads((st.kb_root / f"impact-{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("after_version") == version or data.get("candidate") == version else None


# ------------------------------------------------------------------------------------------ documents
async def get_versions(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    return json_response(await _run(documents.versions, st.kb_root))


async def get_documents(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    data = await _run(documents.versions, st.kb_root)
    current = next((v for v in data["versions"] if v["current"]), None)
    candidate = next((v for v in data["versions"] if v["candidate"]), None)
    return json_response({"current": data["current"], "candidate": data["candidate"],
                          "documents": current["documents"] if current else [],
                          "candidate_documents": candidate["documents"] if candidate else None})


async def _read_upload(request: web.Request) -> tuple[str, bytes, dict[str, str]]:
    if request.content_type != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type", "请用 multipart/form-data 上传文件（字段 file）和文件信息"
                       "（标题、文号、发文机关、成文日期、施行日期）。", field="file")
    if request.content_length is not None and request.content_length > UPLOAD_MAX + 64 * 1024:
        raise ApiError(413, "payload_too_large", "文件过大，上限为 5 MB。", field="file")
    try:
        reader = await request.multipart()
        filename, data, fields = "", b"", {}
        while True:
            part = await reader.next()
            if part is None:
                break
            if part.name == "file":
                filename = part.filename or ""
                chunks, size = [], 0
                while True:
                    chunk = await part.read_chunk(64 * 1024)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > UPLOAD_MAX:
                        raise ApiError(413, "payload_too_large", "文件过大，上限为 5 MB。", field="file")
                    chunks.append(chunk)
                data = b"".join(chunks)
            elif part.name:
                raw = await part.read(decode=False)
                if len(raw) > 4096:
                    raise InvalidInput("表单字段过长。", field=part.name)
                try:
                    fields[part.name] = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise InvalidInput("表单字段不是有效的 UTF-8 文本。", field=part.name)
    except ApiError:
        raise
    except (ValueError, AssertionError, RuntimeError, KeyError, LookupError, web.HTTPException):
        raise InvalidInput("上传的表单格式不正确（multipart 边界缺失或内容不完整），请重新选择文件上传。", field="file")
    if not filename:
        raise InvalidInput("请选择要上传的文件（字段 file）。", field="file")
    return filename, data, fields


def _document_error(exc: DocumentError) -> InvalidInput:
    """A refused file names `file`; refused metadata names its field (bot.kb.admin.MetadataError)."""
    return InvalidInput(str(exc), field=getattr(exc, "field", None) or "file", code="document_refused")


async def upload_document(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    filename, data, fields = await _read_upload(request)
    meta = parse(DocumentMeta, fields)
    try:
        text = await _run(uploads.extract_text, filename, data)
    except DocumentError as exc:
        await st.record(admin, "document_upload_refused", 400, filename, detail=str(exc))
        raise _document_error(exc)
    kb = st.kb
    if st.lock.locked():
        raise ApiError(409, "busy", "另一个管理操作正在进行，请稍后再试。")
    async with st.lock:
        before = kb_store.read_pointer(st.kb_root, "CANDIDATE")
        unanswered = await _run(_unanswered_questions, st)
        try:
            res = await _run(documents.add_document, st.kb_root, text, filename, meta.model_dump(), kb.embedder,
                             unanswered)
        except DocumentError as exc:
            await st.record(admin, "document_upload_refused", 400, filename, detail=str(exc))
            raise _document_error(exc)
        except kb_store.BuildBusy as exc:
            raise ApiError(409, "busy", str(exc))
        except Exception:
            log.exception("candidate build failed; the serving version is unchanged")
            await st.record(admin, "document_build_failed", 500, filename, before=before)
            raise ApiError(500, "build_failed", "候选版本构建失败，正在使用的知识库版本没有变化。请稍后重试或联系技术人员。")
        report = res["impact"]
        report["candidate"] = res["version"]
        await _run(_save_impact, st, "kb", report)
    await st.record(admin, "document_upload", 201, f"{res['doc_id']} {meta.title} {meta.doc_number}", before=before,
                    after=res["version"], detail={"file": filename, "chars": len(text), "changed": len(report["changed"])})
    return json_response({"candidate": res["version"], "doc_id": res["doc_id"], "impact": report}, status=201)


async def delete_document(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    doc_id = request.match_info["doc_id"]
    kb = st.kb
    if not await _run(documents.known_document, st.kb_root, doc_id):
        raise ApiError(404, "unknown_document", "当前版本中没有这份文档，请刷新文档列表后再选择。", field="doc_id")
    if st.lock.locked():
        raise ApiError(409, "busy", "另一个管理操作正在进行，请稍后再试。")
    async with st.lock:
        before = kb_store.read_pointer(st.kb_root, "CANDIDATE")
        unanswered = await _run(_unanswered_questions, st)
        try:
            res = await _run(documents.remove_document, st.kb_root, doc_id, kb.embedder, unanswered)
        except DocumentError as exc:
            raise InvalidInput(str(exc), field="doc_id")
        except kb_store.BuildBusy as exc:
            raise ApiError(409, "busy", str(exc))
        report = res["impact"]
        report["candidate"] = res["version"]
        await _run(_save_impact, st, "kb", report)
    await st.record(admin, "document_remove", 200, doc_id, before=before, after=res["version"])
    return json_response({"candidate": res["version"], "impact": report})


async def get_candidate(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    version = kb_store.read_pointer(st.kb_root, "CANDIDATE")
    return json_response({"candidate": version, "impact": _load_impact(st, "kb", version) if version else None})


async def discard_candidate(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    version = documents.discard(st.kb_root)
    if not version:
        raise ApiError(404, "no_candidate", "没有待发布的候选版本。")
    await st.record(admin, "candidate_discard", 200, version, before=version, after=None)
    return json_response({"discarded": version})


async def publish(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "publisher")
    async with st.lock:
        try:
            before, after = await _run(documents.publish, st.kb_root)
        except LookupError:
            raise ApiError(404, "no_candidate", "没有待发布的候选版本：请先上传或删除文档生成候选版本。")
    await st.record(admin, "publish", 200, "knowledge_base", before=before, after=after)
    return json_response({"current": after, "previous": before})


async def rollback(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "publisher")
    body = parse(VersionIn, await read_json_object(request))
    async with st.lock:
        try:
            before, after = await _run(documents.rollback, st.kb_root, body.version)
        except LookupError:
            raise ApiError(404, "unknown_version", "没有这个知识库版本（可能已被清理），请刷新版本列表后再选择。", field="version")
        except DocumentError as exc:
            raise ApiError(409, "already_current", str(exc), field="version")
    await st.record(admin, "rollback", 200, "knowledge_base", before=before, after=after)
    return json_response({"current": after, "previous": before})


# ------------------------------------------------------------------------------------------ curated
def _curated_view(st: AdminState) -> dict[str, Any]:
    store = st.curated
    return {"current": store.pointer(), "candidate": store.pointer("CANDIDATE"), "items": store.items(),
            "candidate_items": store.items("CANDIDATE") if store.pointer("CANDIDATE") else None,
            "versions": store.versions(),
            "impact": _load_impact(st, "curated", store.pointer("CANDIDATE"))}


async def get_curated(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    return json_response(await _run(_curated_view, st))


async def _curated_change(request: web.Request, admin: Admin, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
                          action: str, target: str, questions: list[str]) -> web.Response:
    st = _state(request)
    if st.lock.locked():
        raise ApiError(409, "busy", "另一个管理操作正在进行，请稍后再试。")
    async with st.lock:
        store = st.curated
        before = store.pointer("CANDIDATE")
        items = change([dict(i) for i in store.working_items()])
        version = await _run(store.save, items, f"{action} {target}")
        store.set_pointer(version, "CANDIDATE")
        report = await _run(_impact, st, None, items, questions)
        report["candidate"] = version
        await _run(_save_impact, st, "curated", report)
    await st.record(admin, action, 200, target, before=before, after=version)
    return json_response({"candidate": version, "items": items, "impact": report})


async def add_curated(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    data = parse(CuratedIn, await read_json_object(request))
    item = await _run(cur.build_item, data, st.kb, st.rules_dir, admin.name)
    return await _curated_change(request, admin, lambda items: items + [item], "curated_add",
                                 f"{item['id']} {item['question']}", [item["question"], *item["paraphrases"]])


async def update_curated(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    item_id = request.match_info["item_id"]
    data = parse(CuratedIn, await read_json_object(request))
    if not any(i["id"] == item_id for i in st.curated.working_items()):
        raise ApiError(404, "unknown_item", "没有这条问答，请刷新问答列表后再选择。", field="item_id")
    item = await _run(cur.build_item, data, st.kb, st.rules_dir, admin.name, item_id)
    return await _curated_change(request, admin, lambda items: [item if i["id"] == item_id else i for i in items],
                                 "curated_update", f"{item_id} {item['question']}",
                                 [item["question"], *item["paraphrases"]])


async def delete_curated(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    item_id = request.match_info["item_id"]
    found = next((i for i in st.curated.working_items() if i["id"] == item_id), None)
    if found is None:
        raise ApiError(404, "unknown_item", "没有这条问答，请刷新问答列表后再选择。", field="item_id")
    return await _curated_change(request, admin, lambda items: [i for i in items if i["id"] != item_id],
                                 "curated_remove", f"{item_id} {found['question']}",
                                 [found["question"], *found.get("paraphrases", [])])


async def publish_curated(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "publisher")
    store = st.curated
    candidate = store.pointer("CANDIDATE")
    if not candidate:
        raise ApiError(404, "no_candidate", "没有待发布的问答候选版本。")
    before = store.pointer()
    store.set_pointer(candidate)
    store.set_pointer(None, "CANDIDATE")
    await st.record(admin, "curated_publish", 200, "curated_answers", before=before, after=candidate)
    return json_response({"current": candidate, "previous": before})


async def rollback_curated(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "publisher")
    body = parse(VersionIn, await read_json_object(request))
    store = st.curated
    if body.version not in {v["version"] for v in store.versions()}:
        raise ApiError(404, "unknown_version", "没有这个问答版本，请刷新版本列表后再选择。", field="version")
    before = store.pointer()
    store.set_pointer(body.version)
    await st.record(admin, "curated_rollback", 200, "curated_answers", before=before, after=body.version)
    return json_response({"current": body.version, "previous": before})


async def discard_curated(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    store = st.curated
    candidate = store.pointer("CANDIDATE")
    if not candidate:
        raise ApiError(404, "no_candidate", "没有待发布的问答候选版本。")
    store.set_pointer(None, "CANDIDATE")
    await st.record(admin, "curated_discard", 200, "curated_answers", before=candidate, after=None)
    return json_response({"discarded": candidate})


async def kb_lookup(request: web.Request) -> web.Response:
    """Passages for the curated-answer form's source picker (search over the serving KB)."""
    st = _state(request)
    st.require(request, "editor")
    return json_response(await _run(st.kb.search, _query(request).q, 8))


# ------------------------------------------------------------------------------------------ unanswered
def _topics(st: AdminState, days: int) -> dict[str, Any]:
    rows = st.unanswered.list(time.time() - days * 86400)
    try:
        embedder = st.kb.embedder
    except ApiError:
        embedder = None
    topics = group_topics(rows, embedder, days=min(days, 30))
    return {"days": days, "total": len(rows), "topics": topics}


async def get_unanswered(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    days = _query(request).days
    data = await _run(_topics, st, days)
    for t in data["topics"]:
        t.pop("questions", None)
    return json_response(data)


def _check_topic(st: AdminState, topic_id: str) -> dict[str, Any]:
    topic = next((t for t in _topics(st, UNANSWERED_DAYS)["topics"] if t["topic_id"] == topic_id), None)
    if topic is None:
        raise ApiError(404, "unknown_topic", "没有这个主题（可能已过期），请刷新列表。", field="topic_id")
    kb = st.kb
    kb_candidate = kb_store.read_pointer(st.kb_root, "CANDIDATE")
    store = st.curated
    items = store.items("CANDIDATE") if store.pointer("CANDIDATE") else store.items()
    after = st.pinned.get(kb, kb_candidate or kb.version, items)
    rows = []
    for q in topic["questions"][:30]:
        a, b = impact._brief(kb.answer(q)), impact._brief(after.answer(q))
        rows.append({"question": q, "serving": a, "candidate": b})
    return {"topic_id": topic_id, "label": topic["label"], "kb_candidate": kb_candidate,
            "curated_candidate": store.pointer("CANDIDATE"), "questions": rows,
            "answered_serving": sum(r["serving"]["answer"] is not None for r in rows),
            "answered_candidate": sum(r["candidate"]["answer"] is not None for r in rows)}


async def check_topic(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    body = parse(TopicCheckIn, await read_json_object(request))
    return json_response(await _run(_check_topic, st, body.topic_id))


# ------------------------------------------------------------------------------------------ rules
async def list_rules(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    return json_response({"programs": await _run(rules.list_programs, st.rules_dir)})


async def get_rules(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    return json_response(await _run(rules.read, st.rules_dir, request.match_info["program"]))


async def validate_rules(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    program = request.match_info["program"]
    body = parse(RulesIn, await read_json_object(request, max_bytes=rules.MAX_RULES_BYTES + 4096))
    return json_response(await _run(rules.validate, st.rules_dir, program, body.text))


async def save_rules(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "publisher")
    program = request.match_info["program"]
    body = parse(RulesIn, await read_json_object(request, max_bytes=rules.MAX_RULES_BYTES + 4096))
    async with st.lock:
        result = await _run(rules.validate, st.rules_dir, program, body.text)
        if not result["ok"]:
            await st.record(admin, "rules_save_refused", 400, program, detail=result["problems"][:5])
            raise ApiError(400, "rules_invalid", "规则文件没有通过检查，未保存：" + "；".join(result["problems"][:3]),
                           field="text")
        if result["cases"]["changed"] and not body.confirm_changes:
            raise ApiError(409, "cases_changed", f"有 {len(result['cases']['changed'])} 个测算案例的结果会改变："
                           "请在确认这些变化后勾选“确认变化”再保存。", field="confirm_changes")
        before, after = await _run(rules.save, st.rules_dir, program, body.text)
    await st.record(admin, "rules_save", 200, program, before=before, after=after,
                    detail={"changed_cases": [c["case"] for c in result["cases"]["changed"]]})
    return json_response({"program": program, "sha": after, "previous": before, "validation": result})


# ------------------------------------------------------------------------------------------ service points
async def _read_csv_part(request: web.Request) -> bytes:
    try:
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                raise InvalidInput("请选择要导入的 CSV 文件（字段 file）。", field="file")
            if part.name == "file":
                chunks, size = [], 0
                while True:
                    chunk = await part.read_chunk(64 * 1024)
                    if not chunk:
                        return b"".join(chunks)
                    size += len(chunk)
                    if size > CSV_MAX:
                        raise ApiError(413, "payload_too_large", "CSV 文件过大，上限为 5 MB。", field="file")
                    chunks.append(chunk)
    except ApiError:
        raise
    except (ValueError, AssertionError, RuntimeError, KeyError, LookupError, web.HTTPException):
        raise InvalidInput("上传的表单格式不正确（multipart 边界缺失或内容不完整），请重新选择 CSV 文件。", field="file")


async def _read_csv(request: web.Request) -> bytes:
    """The CSV file: a multipart form (field `file`, as the console sends it) or the bare CSV as the body."""
    if request.content_type == "multipart/form-data":
        data = await _read_csv_part(request)
    elif request.content_type in CSV_TYPES:
        data = await request.content.read(CSV_MAX + 1)
    else:
        raise ApiError(415, "unsupported_media_type", "请上传 CSV 文件：用 multipart/form-data（字段 file），"
                       "或直接以 Content-Type: text/csv 发送文件内容。", field="file")
    if len(data) > CSV_MAX:
        raise ApiError(413, "payload_too_large", "CSV 文件过大，上限为 5 MB。", field="file")
    if not data.strip():
        raise InvalidInput("CSV 文件是空的。", field="file")
    if b"\x00" in data[:4096]:
        raise InvalidInput("这不是 CSV 文本文件。", field="file")
    return data


def _sp_store(url: str):
    from bot.service_points import get_store

    return get_store(url)


async def import_service_points(request: web.Request) -> web.Response:
    st = _state(request)
    dry_run = not _query(request).apply
    admin = st.require(request, "editor" if dry_run else "publisher")
    data = await _read_csv(request)
    store = await _run(_sp_store, st.service_points_url)
    try:
        diff = await _run(service_points.plan, store, data)
    except service_points.ImportRejected as exc:
        lines = [{"line": n, "reason": r} for n, r in exc.errors[:200]]
        await st.record(admin, "service_points_import_refused", 400, detail=f"{len(exc.errors)} errors")
        return json_response({"error": {"code": "invalid_csv", "field": "file",
                                        "message": f"CSV 有 {len(exc.errors)} 处错误，数据未作任何改动："
                                                   + "；".join(f"第{n}行：{r}" for n, r in exc.errors[:3])},
                              "errors": lines}, status=400)
    if not dry_run:
        async with st.lock:
            before = await _run(store.fingerprint)
            await _run(service_points.apply, store, diff)
            after = await _run(store.fingerprint)
        await st.record(admin, "service_points_import", 200, f"{diff['rows']} rows", before=before[:16],
                        after=after[:16], detail=diff["totals"])
    return json_response({"dry_run": dry_run, **service_points.public(diff)})


async def export_service_points(request: web.Request) -> web.Response:
    st = _state(request)
    admin = st.require(request, "editor")
    from bot.service_points.csv_io import export_csv

    store = await _run(_sp_store, st.service_points_url)
    out = io.StringIO()
    n = await _run(lambda: export_csv(store, out))
    await st.record(admin, "service_points_export", 200, f"{n} rows")
    resp = web.Response(body=("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8")
    resp.headers["Content-Disposition"] = 'attachment; filename="service_points.csv"'
    return resp


# ------------------------------------------------------------------------------------------ dashboard
def _dashboard(st: AdminState) -> dict[str, Any]:
    topics = _topics(st, 14)["topics"]
    try:
        from bot.eligibility.engine import get_engine

        labels = {p["program"]: p["label"] for p in (
            {"program": pid, "label": get_engine().program(pid).label} for pid in get_engine().program_ids())}
    except Exception:
        labels = {}
    return dashboard.build(st.unanswered, topics, st.var_dir, program_labels=labels)


async def get_dashboard(request: web.Request) -> web.Response:
    st = _state(request)
    st.require(request, "editor")
    return json_response(await _run(_dashboard, st))


# ------------------------------------------------------------------------------------------ wiring
ROUTES: list[tuple[str, str, Handler, str, Any, str]] = [
    ("GET", "/api/admin/me", me, "editor", None, "who the token belongs to (name, role)"),
    ("GET", "/api/admin/audit", audit_log, "editor", None, "audit log of admin actions, newest first (?limit=)"),
    ("GET", "/api/admin/versions", get_versions, "editor", None, "KB versions, current and candidate marked, with documents"),
    ("GET", "/api/admin/documents", get_documents, "editor", None, "documents of the serving version and of the candidate"),
    ("POST", "/api/admin/documents", upload_document, "editor", DocumentMeta,
     "multipart upload (file + metadata): builds a candidate, returns its impact report"),
    ("DELETE", "/api/admin/documents/{doc_id}", delete_document, "editor", None, "candidate without this document"),
    ("GET", "/api/admin/candidate", get_candidate, "editor", None, "the pending KB candidate and its impact report"),
    ("DELETE", "/api/admin/candidate", discard_candidate, "editor", None, "drop the pending KB candidate"),
    ("POST", "/api/admin/publish", publish, "publisher", None, "serve the KB candidate"),
    ("POST", "/api/admin/rollback", rollback, "publisher", VersionIn, "serve an earlier KB version"),
    ("GET", "/api/admin/kb/search", kb_lookup, "editor", None, "find KB passages (?q=) to cite in a curated answer"),
    ("GET", "/api/admin/curated", get_curated, "editor", None, "curated answers: serving, candidate, versions"),
    ("DELETE", "/api/admin/curated/candidate", discard_curated, "editor", None, "drop the curated candidate"),
    ("POST", "/api/admin/curated", add_curated, "editor", CuratedIn, "add a curated answer to the candidate"),
    ("PUT", "/api/admin/curated/{item_id}", update_curated, "editor", CuratedIn, "change a curated answer"),
    ("DELETE", "/api/admin/curated/{item_id}", delete_curated, "editor", None, "remove a curated answer"),
    ("POST", "/api/admin/curated/publish", publish_curated, "publisher", None, "serve the curated candidate"),
    ("POST", "/api/admin/curated/rollback", rollback_curated, "publisher", VersionIn, "serve an earlier curated set"),
    ("GET", "/api/admin/unanswered", get_unanswered, "editor", None,
     "unanswered and low-confidence questions (masked), grouped into topics (?days=)"),
    ("POST", "/api/admin/unanswered/check", check_topic, "editor", TopicCheckIn,
     "does the pending candidate answer this topic's questions?"),
    ("GET", "/api/admin/rules", list_rules, "editor", None, "programs' rules files"),
    ("GET", "/api/admin/rules/{program}", get_rules, "editor", None, "one rules file's text"),
    ("POST", "/api/admin/rules/{program}/validate", validate_rules, "editor", RulesIn,
     "bot.rules check + the program's cases on an edited file; which cases change outcome"),
    ("PUT", "/api/admin/rules/{program}", save_rules, "publisher", RulesIn, "save a rules file that passes the check"),
    ("POST", "/api/admin/service-points/import", import_service_points, "editor", None,
     "CSV import: ?dry_run=1 (default, editor) shows the diff per county; ?dry_run=0 (publisher) applies it"),
    ("GET", "/api/admin/service-points/export", export_service_points, "editor", None, "all service points as CSV"),
    ("GET", "/api/admin/dashboard", get_dashboard, "editor", None, "quality dashboard: SVG charts"),
]


QUERIES: dict[Handler, type] = {audit_log: AuditQuery, kb_lookup: SearchQuery, get_unanswered: UnansweredQuery,
                                import_service_points: ImportQuery}   # every other endpoint: NoQuery


def _path_ids(request: web.Request) -> None:
    """Path ids are short printable text; an unknown one is the handler's 404."""
    for name, value in request.match_info.items():
        label = PATH_IDS.get(name, name)
        if len(value) > MAX_PATH_ID:
            raise InvalidInput(f"{label}过长（最多 {MAX_PATH_ID} 个字符），请从列表中选择。", field=name)
        if has_control_chars(value) or "\ufffd" in value:
            raise InvalidInput(f"{label}含有控制字符或无效编码，请从列表中选择。", field=name)


def _guarded(handler: Handler, role: str, query: type) -> Handler:
    """Every admin route: the token (401, throttled), the role (403), then the path ids and the query (400),
    before the handler reads a body or touches anything stored."""

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        st = _state(request)
        await st.login(request)
        st.require(request, role)
        _path_ids(request)
        request[ADMIN_QUERY] = parse_query(query, request.query)
        return await handler(request)

    return guarded


def observe_turn(app: web.Application) -> Callable[[str, str, list[dict[str, Any]], Optional[str]], None]:
    """The chat core's turn observer: count every turn, log the unanswered ones (masked) off the event loop."""

    def observe(sender_id: str, text: str, messages: list[dict[str, Any]], reason: Optional[str]) -> None:
        st: AdminState = app["admin"]
        channel = channel_of(sender_id)
        results = tuple((str(m["eligibility"].get("program", "")), str(m["eligibility"].get("outcome", "")))
                        for m in messages if isinstance(m.get("eligibility"), dict))
        question = st.unanswered.remember(sender_id, text)
        if text.startswith("/") and reason is None:
            return  # a button press: not a resident's own turn
        st.unanswered.count_turn(channel, results)
        if reason and question:
            version = app["kb_version"]() if "kb_version" in app else ""
            reply = messages[0].get("text", "") if messages else ""
            st.unanswered.record_soon(asyncio.get_running_loop(), channel, reason, question, reply, version)

    return observe


async def _flusher(app: web.Application) -> None:
    st: AdminState = app["admin"]
    try:
        while True:
            await asyncio.sleep(FLUSH_EVERY_S)
            try:
                await asyncio.to_thread(st.unanswered.flush)
            except Exception:
                log.exception("turn counters could not be saved")
    except asyncio.CancelledError:
        pass


async def _start(app: web.Application) -> None:
    app["admin_flusher"] = asyncio.get_running_loop().create_task(_flusher(app))


async def _stop(app: web.Application) -> None:
    task = app.get("admin_flusher")
    if task:
        task.cancel()
    try:
        app["admin"].unanswered.flush()
    except Exception:
        log.exception("turn counters could not be saved")


def setup(app: web.Application) -> None:
    app["admin"] = AdminState(app)
    if "chat" in app:
        app["chat"].turn_observers.append(observe_turn(app))
    from bot.openapi import api

    for method, path, handler, role, model, summary in ROUTES:
        content = {upload_document: "multipart/form-data", import_service_points: "multipart/form-data"}
        query = QUERIES.get(handler, NoQuery)
        api(f"{summary} (role: {role})", body=model, query=query, auth="admin", tags=["admin"],
            content_type=content.get(handler, "application/json"),
            response_type="text/csv" if handler is export_service_points else "application/json")(handler)
        app.router.add_route(method, path, _guarded(handler, role, query))
    page, asset = static_site(STATIC_DIR, STATIC_PREFIX)
    app.router.add_get("/admin", page)
    app.router.add_get(STATIC_PREFIX + "{name}", asset)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
