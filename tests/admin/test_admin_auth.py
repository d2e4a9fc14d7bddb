"""Roles and tokens: no token → 401, a wrong token → 401, an editor on a publisher's endpoint → 403; all with
the contract's error body, and nothing changes."""
from __future__ import annotations

import pytest

from bot.admin.auth import parse_tokens
from bot.admin.routes import ROUTES
from tests.admin.conftest import EDITOR, PUBLISHER, auth

PARAMS = {"{doc_id}": "doc-x", "{item_id}": "faq-x", "{program}": "childcare_subsidy"}


def concrete(path: str) -> str:
    for k, v in PARAMS.items():
        path = path.replace(k, v)
    return path


def test_parse_tokens_roles_and_admin_token_is_publisher():
    tokens = parse_tokens("root-tok", "editor:wang:a1, publisher:li:b2,bogus:x:y,editor::z,editor:bad name:q,,editor:ok:")
    assert {t: (a.name, a.role) for t, a in tokens.items()} == {
        "root-tok": ("admin", "publisher"), "a1": ("wang", "editor"), "b2": ("li", "publisher")}


def test_no_tokens_configured_means_closed():
    assert parse_tokens("", "") == {}


def _assert_error(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])


@pytest.mark.parametrize("method,path", [(m, p) for m, p, *_ in ROUTES])
async def test_every_endpoint_needs_a_token(client, method, path):
    resp = await client.request(method, concrete(path), json={})
    assert resp.status == 401
    _assert_error(await resp.json(), "unauthorized")
    resp = await client.request(method, concrete(path), json={}, headers=auth("not-a-token"))
    assert resp.status == 401
    resp = await client.request(method, concrete(path), json={}, headers={"Authorization": EDITOR})  # no scheme
    assert resp.status == 401


@pytest.mark.parametrize("method,path", [(m, p) for m, p, _h, role, *_ in ROUTES if role == "publisher"])
async def test_editor_gets_403_on_publisher_endpoints(client, method, path):
    resp = await client.request(method, concrete(path), json={"version": "v1", "text": "x"}, headers=auth(EDITOR))
    assert resp.status == 403
    _assert_error(await resp.json(), "forbidden")


async def test_editor_cannot_apply_a_service_point_import(client):
    resp = await client.post("/api/admin/service-points/import?dry_run=0", data=b"x", headers=auth(EDITOR))
    assert resp.status == 403


async def test_me_names_the_token_owner(client):
    assert await (await client.get("/api/admin/me", headers=auth(EDITOR))).json() == {"name": "wang", "role": "editor"}
    assert await (await client.get("/api/admin/me", headers=auth(PUBLISHER))).json() == {"name": "admin", "role": "publisher"}
    assert (await (await client.get("/api/admin/me", headers=auth("pub-token-2"))).json())["name"] == "li"


async def test_console_page_is_served_with_strict_headers(client):
    resp = await client.get("/admin")
    assert resp.status == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = await resp.text()
    assert "/admin/static/admin.js?v=" in html and "http://" not in html and "https://" not in html
    js = await client.get("/admin/static/admin.js")
    assert js.status == 200
    assert ".innerHTML" not in await js.text() and "insertAdjacentHTML" not in await js.text()


async def test_wrong_tokens_are_audited_and_throttled(client):
    """The staff-login guard (bot.limits.LoginGuard, LOGIN_FAILURES_PER_MIN=5 per IP) covers admin tokens too:
    each wrong token is an audit row; past the limit even the right token waits (429 with Retry-After)."""
    limit = client.admin_app["settings"].login_failures_per_min
    for _ in range(3):  # no token at all (the console before login) is a plain 401: not counted, not audited
        assert (await client.get("/api/admin/me")).status == 401
    for n in range(limit):
        resp = await client.get("/api/admin/versions", headers=auth(f"guess-{n}"))
        assert resp.status == 401
    resp = await client.get("/api/admin/me", headers=auth(EDITOR))
    assert resp.status == 429
    body = await resp.json()
    assert body["error"]["code"] == "rate_limited" and int(resp.headers["Retry-After"]) >= 1
    rows = client.admin_app["admin"].audit.read(100, action="login_failed")
    assert len(rows) == limit
    assert {(r["actor"], r["status"]) for r in rows} == {("-", 401)}
    assert "/api/admin/versions" in rows[0]["target"] and "guess" not in str(rows)


async def test_right_token_after_a_few_wrong_ones_still_works(client):
    for n in range(2):
        assert (await client.get("/api/admin/me", headers=auth(f"typo-{n}"))).status == 401
    assert (await client.get("/api/admin/me", headers=auth(EDITOR))).status == 200
