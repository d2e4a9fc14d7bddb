"""Bad input on every /api/admin endpoint, GET included: unknown path ids, malformed query parameters, wrong
content types, broken JSON or forms and wrong field types each answer 4xx with the contract's error body and
a Chinese message (never a 5xx), and nothing stored changes (KB and curated versions and pointers, rules
files, service points, the unanswered log).

CASES is the table; test_every_route_has_its_bad_input_cases fails when an /api/admin route is added (to the
app's route table or to ROUTES) without the kinds of case it needs.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import aiohttp
import pytest

from bot.admin.routes import ROUTES, upload_document, import_service_points
from tests.admin.conftest import EDITOR, PUBLISHER, auth
from tests.admin.helpers import NOTICE, NOTICE_META, upload_form

CJK = re.compile(r"[\u4e00-\u9fff]")
PROGRAM = "childcare_subsidy"
LONG = "长" * 5000
BODY_ROUTES = {(m, p) for m, p, h, _r, model, _s in ROUTES if model is not None or h in (upload_document,
                                                                                           import_service_points)}


@dataclass(frozen=True)
class Case:
    """One bad request. `kind` says what is bad: query, path, content_type, syntax (broken JSON or form),
    field (a wrong field type or value) or state (nothing to act on)."""
    name: str
    method: str
    route: str
    kind: str
    status: int
    path: Optional[str] = None           # the concrete URL path (default: the route)
    query: str = ""                      # raw, already percent-encoded
    json: Any = None
    data: Any = None                     # bytes, or a callable → aiohttp.FormData (built per request)
    headers: dict[str, str] = field(default_factory=dict)
    token: Optional[str] = None          # default: the route's role
    code: Optional[str] = None
    field: Optional[str] = None


def _role(method: str, route: str) -> str:
    return next(r for m, p, _h, r, *_ in ROUTES if (m, p) == (method, route))


def _concrete(route: str) -> str:
    return route.replace("{doc_id}", "builtin-x").replace("{item_id}", "faq-x").replace("{program}", PROGRAM)


def query_cases(method: str, route: str) -> list[Case]:
    """Every endpoint: an unknown parameter, one with control characters, an over-long one."""
    return [
        Case("unknown_param", method, route, "query", 400, query="colour=red", code="invalid_input", field="colour"),
        Case("unknown_param_control_chars", method, route, "query", 400, query="%00%1b=1", code="invalid_input"),
        Case("unknown_param_long", method, route, "query", 400, query="x=" + "a" * 3000, code="invalid_input",
             field="x"),
    ]


def json_body_cases(method: str, route: str, good: dict[str, Any], path: Optional[str] = None) -> list[Case]:
    """Every JSON endpoint: wrong content type, empty / broken / non-object JSON, bad UTF-8, an unknown field."""
    return [
        Case("form_content_type", method, route, "content_type", 415, path=path, data=b"version=x",
             headers={"Content-Type": "application/x-www-form-urlencoded"}, code="unsupported_media_type"),
        Case("text_content_type", method, route, "content_type", 415, path=path, data=json.dumps(good).encode(),
             headers={"Content-Type": "text/plain"}, code="unsupported_media_type"),
        Case("empty_body", method, route, "syntax", 400, path=path, data=b"",
             headers={"Content-Type": "application/json"}, code="invalid_json"),
        Case("broken_json", method, route, "syntax", 400, path=path, data=b'{"version": "v1",',
             headers={"Content-Type": "application/json"}, code="invalid_json"),
        Case("json_array", method, route, "syntax", 400, path=path, json=[good], code="invalid_json"),
        Case("not_utf8", method, route, "syntax", 400, path=path, data=b'{"text": "\xff\xfe"}',
             headers={"Content-Type": "application/json"}, code="invalid_json"),
        Case("nan", method, route, "syntax", 400, path=path, data=b'{"version": NaN}',
             headers={"Content-Type": "application/json"}, code="invalid_json"),
        Case("unknown_field", method, route, "field", 400, path=path, json={**good, "colour": "red"},
             field="colour"),
    ]


GOOD_CURATED = {"question": "残疾人证丢了怎么补办", "paraphrases": [], "answer": "残疾人证遗失的，可向县级残联申请补发。",
                "source": {"type": "document", "title": "残疾人证管理办法（测试样例）", "doc_number": "残联发〔2026〕1号",
                           "quote": "残疾人证遗失的，可向县级残联申请补发。"}}
GOOD_RULES = {"text": "program: x\n"}


def _curated(**overrides: Any) -> dict[str, Any]:
    return {**GOOD_CURATED, **overrides}


def _curated_source(**overrides: Any) -> dict[str, Any]:
    return _curated(source={**GOOD_CURATED["source"], **overrides})


def curated_field_cases(method: str, route: str, path: Optional[str] = None) -> list[Case]:
    rows = [
        ("question_number", {"question": 123}, "question"),
        ("question_missing", {"question": None}, "question"),
        ("question_long", {"question": LONG}, "question"),
        ("question_control_char", {"question": "残疾人证\x07丢了"}, "question"),
        ("paraphrases_string", {"paraphrases": "另一种说法"}, "paraphrases"),
        ("paraphrases_numbers", {"paraphrases": [1, 2]}, "paraphrases"),
        ("paraphrases_too_many", {"paraphrases": [f"说法第{i}个" for i in range(40)]}, "paraphrases"),
        ("answer_object", {"answer": {"text": "x"}}, "answer"),
        ("answer_long", {"answer": LONG}, "answer"),
        ("source_string", {"source": "红头文件"}, "source"),
        ("source_missing", {"source": None}, "source"),
    ]
    out = []
    for name, change, fld in rows:
        body = {k: v for k, v in _curated(**change).items() if v is not None}
        out.append(Case(name, method, route, "field", 400, path=path, json=body, code="invalid_input", field=fld))
    out.append(Case("source_type_unknown", method, route, "field", 400, path=path, json=_curated_source(type="website"),
             code="invalid_input", field="source.type"))
    out.append(Case("source_doc_number_long", method, route, "field", 400, path=path,
                    json=_curated_source(doc_number="号" * 300), field="source.doc_number"))
    if path:
        return out  # the checks below need an existing item to reach on PUT (an unknown item is a 404 first)
    out += [
        Case("source_chunk_unknown", method, route, "field", 400, path=path,
             json=_curated(source={"type": "kb_passage", "chunk_id": "no-such-chunk"}), field="source.chunk_id"),
        Case("source_program_unknown", method, route, "field", 400, path=path,
             json=_curated(source={"type": "rules", "program": "../../etc/passwd", "quote": "原文摘录内容"}),
             field="source.program"),
    ]
    return out


def _doc_form(**overrides: Optional[str]):
    return lambda: upload_form(NOTICE.read_bytes(), **overrides)


def _form(*fields: tuple[str, Any, Optional[str]]):
    def build() -> aiohttp.FormData:
        f = aiohttp.FormData(default_to_multipart=True)
        for name, value, filename in fields:
            if filename:
                f.add_field(name, value, filename=filename, content_type="application/octet-stream")
            else:
                f.add_field(name, value)
        return f
    return build


CSV_HEADER = "名称,类型,市,县区,乡镇街道,地址,电话,办公时间,纬度,经度,坐标精度,来源\n"
MULTIPART_JUNK = {"Content-Type": "multipart/form-data; boundary=XyZ"}


def build_cases() -> list[Case]:
    c: list[Case] = []
    for method, route, *_ in ROUTES:
        c += query_cases(method, route)

    # --- query parameters with values
    a = ("GET", "/api/admin/audit")
    for name, q in [("limit_text", "limit=abc"), ("limit_zero", "limit=0"), ("limit_too_big", "limit=1001"),
                    ("limit_negative", "limit=-5"), ("limit_fraction", "limit=1.5"), ("limit_huge", "limit=" + "9" * 500),
                    ("limit_fullwidth", "limit=%EF%BC%91%EF%BC%90"), ("limit_underscore", "limit=1_0"),
                    ("limit_control", "limit=1%00"), ("limit_repeated", "limit=1&limit=2"), ("limit_blank", "limit=%20")]:
        c.append(Case(name, *a, "query", 400, query=q, code="invalid_input", field="limit"))
    u = ("GET", "/api/admin/unanswered")
    for name, q in [("days_text", "days=abc"), ("days_zero", "days=0"), ("days_too_big", "days=366"),
                    ("days_exponent", "days=1e3"), ("days_date", "days=2026-01-01"), ("days_repeated", "days=3&days=4")]:
        c.append(Case(name, *u, "query", 400, query=q, code="invalid_input", field="days"))
    s = ("GET", "/api/admin/kb/search")
    for name, q in [("q_missing", ""), ("q_empty", "q="), ("q_blank", "q=%20%20"), ("q_long", "q=" + "助" * 201),
                    ("q_control", "q=%E8%A1%A5%00%E8%B4%B4"), ("q_escape", "q=%1b%5B31m"), ("q_repeated", "q=a&q=b"),
                    ("q_bad_utf8", "q=%FF%FE")]:
        c.append(Case(name, *s, "query", 400, query=q, code="invalid_input", field="q"))
    i = ("POST", "/api/admin/service-points/import")
    for name, q in [("dry_run_maybe", "dry_run=maybe"), ("dry_run_two", "dry_run=2"),
                    ("dry_run_repeated", "dry_run=1&dry_run=0")]:
        c.append(Case(name, *i, "query", 400, query=q, data=(CSV_HEADER + "甲,托育机构,太原,小店,,,,,,,,测试\n").encode(),
                      headers={"Content-Type": "text/csv"}, code="invalid_input", field="dry_run"))

    # --- path ids
    for method, route, what, code in [("GET", "/api/admin/rules/{program}", "program", "unknown_program"),
                                      ("POST", "/api/admin/rules/{program}/validate", "program", "unknown_program"),
                                      ("PUT", "/api/admin/rules/{program}", "program", "unknown_program"),
                                      ("DELETE", "/api/admin/documents/{doc_id}", "doc_id", "unknown_document"),
                                      ("PUT", "/api/admin/curated/{item_id}", "item_id", "unknown_item"),
                                      ("DELETE", "/api/admin/curated/{item_id}", "item_id", "unknown_item")]:
        body = GOOD_CURATED if "curated" in route else GOOD_RULES if method != "GET" and "rules" in route else None
        key = "{" + what + "}"
        for name, value, status, want in [("unknown_id", "no_such_thing", 404, code),
                                          ("traversal_id", "..%2F..%2Fetc%2Fpasswd", 404, None),
                                          ("long_id", "x" * 300, 400, "invalid_input"),
                                          ("control_char_id", "abc%07def", 400, "invalid_input"),
                                          ("cjk_id", "%E6%B2%A1%E6%9C%89", 404, code)]:
            c.append(Case(name, method, route, "path", status, path=route.replace(key, value), json=body, code=want,
                          field=what))

    # --- JSON bodies
    c += json_body_cases("POST", "/api/admin/rollback", {"version": "v1"})
    c += [Case("version_number", "POST", "/api/admin/rollback", "field", 400, json={"version": 42}, field="version"),
          Case("version_missing", "POST", "/api/admin/rollback", "field", 400, json={}, field="version"),
          Case("version_traversal", "POST", "/api/admin/rollback", "field", 400, json={"version": "../CURRENT"},
               field="version"),
          Case("version_unknown", "POST", "/api/admin/rollback", "state", 404, json={"version": "v-none"},
               code="unknown_version", field="version")]
    c += json_body_cases("POST", "/api/admin/curated/rollback", {"version": "v1"})
    c += [Case("version_list", "POST", "/api/admin/curated/rollback", "field", 400, json={"version": ["v1"]},
               field="version"),
          Case("version_unknown", "POST", "/api/admin/curated/rollback", "state", 404, json={"version": "v-none"},
               code="unknown_version", field="version")]
    c += json_body_cases("POST", "/api/admin/curated", GOOD_CURATED)
    c += curated_field_cases("POST", "/api/admin/curated")
    item = "/api/admin/curated/faq-x"
    c += json_body_cases("PUT", "/api/admin/curated/{item_id}", GOOD_CURATED, path=item)
    c += curated_field_cases("PUT", "/api/admin/curated/{item_id}", path=item)
    c += json_body_cases("POST", "/api/admin/unanswered/check", {"topic_id": "t-0"})
    c += [Case("topic_number", "POST", "/api/admin/unanswered/check", "field", 400, json={"topic_id": 7},
               field="topic_id"),
          Case("topic_pattern", "POST", "/api/admin/unanswered/check", "field", 400, json={"topic_id": "主题一"},
               field="topic_id"),
          Case("topic_unknown", "POST", "/api/admin/unanswered/check", "state", 404, json={"topic_id": "t-abc123"},
               code="unknown_topic", field="topic_id")]
    for method, route in [("POST", "/api/admin/rules/{program}/validate"), ("PUT", "/api/admin/rules/{program}")]:
        path = _concrete(route)
        c += json_body_cases(method, route, GOOD_RULES, path=path)
        c += [Case("text_number", method, route, "field", 400, path=path, json={"text": 1}, field="text"),
              Case("text_empty", method, route, "field", 400, path=path, json={"text": ""}, field="text"),
              Case("text_list", method, route, "field", 400, path=path, json={"text": ["a"]}, field="text")]
    c += [Case("confirm_string", "PUT", "/api/admin/rules/{program}", "field", 400, path=_concrete("/api/admin/rules/{program}"),
               json={"text": "program: x\n", "confirm_changes": "yes"}, field="confirm_changes"),
          Case("rules_invalid", "PUT", "/api/admin/rules/{program}", "field", 400,
               path=_concrete("/api/admin/rules/{program}"), json={"text": "label: [unclosed\n"}, code="rules_invalid",
               field="text")]

    # --- multipart: document upload
    d = ("POST", "/api/admin/documents")
    c += [Case("json_content_type", *d, "content_type", 415, json=NOTICE_META, code="unsupported_media_type",
               field="file"),
          Case("text_content_type", *d, "content_type", 415, data=NOTICE.read_bytes(),
               headers={"Content-Type": "text/plain"}, code="unsupported_media_type", field="file"),
          Case("multipart_no_boundary", *d, "syntax", 400, data=b"junk", headers={"Content-Type": "multipart/form-data"},
               field="file"),
          Case("multipart_junk", *d, "syntax", 400, data=b"not a multipart body at all", headers=MULTIPART_JUNK,
               field="file"),
          Case("multipart_truncated", *d, "syntax", 400,
               data=b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc",
               headers=MULTIPART_JUNK, field="file"),
          Case("no_file", *d, "syntax", 400, data=_form(("title", "只有标题", None)), field="file"),
          Case("title_missing", *d, "field", 400, data=_doc_form(title=None), field="title"),
          Case("title_control", *d, "field", 400, data=_doc_form(title="通知\x00标题"), field="title"),
          Case("title_long", *d, "field", 400, data=_doc_form(title="长" * 300), field="title"),
          Case("date_bad", *d, "field", 400, data=_doc_form(date="2026-13-45"), field="date"),
          Case("effective_date_text", *d, "field", 400, data=_doc_form(effective_date="下个月"), field="effective_date"),
          Case("doc_number_bad", *d, "field", 400, data=_doc_form(doc_number="随便写的"), field="doc_number"),
          Case("unknown_form_field", *d, "field", 400, data=_doc_form(colour="red"), field="colour"),
          Case("field_not_utf8", *d, "field", 400, data=_form(("file", b"abc", "a.txt"), ("title", b"\xff\xfe", None)),
               field="title"),
          Case("binary_file", *d, "field", 400, data=_form(("file", b"\x00\x01\x02" * 100, "a.txt"),
                                                            *[(k, v, None) for k, v in NOTICE_META.items()]),
               field="file"),
          Case("exe_file", *d, "field", 400, data=_form(("file", b"MZ\x90\x00", "setup.exe"),
                                                         *[(k, v, None) for k, v in NOTICE_META.items()]),
               field="file")]

    # --- service-point CSV
    c += [Case("json_content_type", *i, "content_type", 415, json={"rows": []}, code="unsupported_media_type",
               field="file"),
          Case("multipart_junk", *i, "syntax", 400, data=b"junk", headers=MULTIPART_JUNK, field="file"),
          Case("multipart_no_boundary", *i, "syntax", 400, data=b"junk", headers={"Content-Type": "multipart/form-data"},
               field="file"),
          Case("no_file", *i, "syntax", 400, data=_form(("other", "x", None)), field="file"),
          Case("empty_csv", *i, "syntax", 400, data=b"", headers={"Content-Type": "text/csv"}, field="file"),
          Case("binary_csv", *i, "syntax", 400, data=b"\x00\x01\x02", headers={"Content-Type": "text/csv"}, field="file"),
          Case("csv_wrong_columns", *i, "field", 400, data="名称,颜色\n甲,红\n".encode(),
               headers={"Content-Type": "text/csv"}, code="invalid_csv", field="file"),
          Case("csv_bad_type", *i, "field", 400, data=(CSV_HEADER + "某机构,police,太原,小店,,,,,,,,测试\n").encode(),
               headers={"Content-Type": "text/csv"}, code="invalid_csv", field="file"),
          Case("apply_bad_csv", *i, "field", 400, query="dry_run=0", token=PUBLISHER,
               data=(CSV_HEADER + "某机构,police,太原,小店,,,,,,,,测试\n").encode(), headers={"Content-Type": "text/csv"},
               code="invalid_csv", field="file")]

    # --- nothing to act on
    for method, route in [("DELETE", "/api/admin/candidate"), ("POST", "/api/admin/publish"),
                          ("DELETE", "/api/admin/curated/candidate"), ("POST", "/api/admin/curated/publish")]:
        c.append(Case("no_candidate", method, route, "state", 404, code="no_candidate"))
    return c


CASES = build_cases()


# ---------------------------------------------------------------------------------------------- the state
def _files(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not re.search(r"\.db(-wal|-shm|-journal)?$", p.name) and "jieba" not in p.parts:
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def stored_state(app) -> dict[str, Any]:
    """Everything an admin request may change, except the audit log (refusals are audited on purpose)."""
    from bot.service_points import get_store

    st = app["admin"]
    return {"var": _files(Path(app["settings"].var_dir)), "rules": _files(st.rules_dir),
            "service_points": get_store(st.service_points_url).fingerprint(),
            "unanswered": len(st.unanswered.list(0, limit=100000))}


def _id(case: Case) -> str:
    return f"{case.method} {case.route} {case.name}"


@pytest.mark.parametrize("case", CASES, ids=_id)
async def test_bad_input_is_4xx_with_error_body_and_changes_nothing(client, case: Case):
    app = client.admin_app
    before = stored_state(app)
    token = case.token or (PUBLISHER if _role(case.method, case.route) == "publisher" else EDITOR)
    url = (case.path or _concrete(case.route)) + ("?" + case.query if case.query else "")
    kw: dict[str, Any] = {"headers": {**auth(token), **case.headers}}
    if case.json is not None:
        kw["json"] = case.json
    elif case.data is not None:
        kw["data"] = case.data() if callable(case.data) else case.data
    resp = await client.request(case.method, url, **kw)
    text = await resp.text()
    assert resp.status == case.status, text
    assert resp.content_type == "application/json", text
    body = json.loads(text)
    err = body["error"]
    assert set(err) <= {"code", "message", "field"} and set(body) <= {"error", "errors"}, body
    assert isinstance(err["code"], str) and re.fullmatch(r"[a-z_]+", err["code"]), body
    assert CJK.search(err["message"]), body
    if case.code:
        assert err["code"] == case.code, body
    if case.field:
        assert err.get("field") == case.field, body
    assert stored_state(app) == before


# ---------------------------------------------------------------------------------------------- coverage
def _kinds_needed(method: str, route: str) -> set[str]:
    need = {"query"}
    if "{" in route:
        need.add("path")
    if (method, route) in BODY_ROUTES:
        need |= {"content_type", "syntax", "field"}
    return need


async def test_every_route_has_its_bad_input_cases(admin_app):
    """A new /api/admin route (in the app or in ROUTES) fails here until its bad-input cases are in CASES."""
    served = {(r.method, r.resource.canonical) for r in admin_app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith("/api/admin") and r.method != "HEAD"}
    declared = {(m, p) for m, p, *_ in ROUTES}
    assert served == declared, f"routes served but not in ROUTES (or the reverse): {served ^ declared}"
    have: dict[tuple[str, str], set[str]] = {}
    for case in CASES:
        assert (case.method, case.route) in declared, f"case for an unknown route: {_id(case)}"
        have.setdefault((case.method, case.route), set()).add(case.kind)
    missing = {f"{m} {p}": sorted(_kinds_needed(m, p) - have.get((m, p), set())) for m, p in sorted(declared)}
    assert not {k: v for k, v in missing.items() if v}, missing
    assert len({_id(c) for c in CASES}) == len(CASES), "case names repeat within a route"
