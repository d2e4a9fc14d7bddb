"""Documents: upload → candidate with an impact report → publish → answered with its 文号 → roll back → gone.
Bad files are refused in Chinese and change nothing; a failed build leaves the serving version as it was."""
from __future__ import annotations

import io
import os

import pytest

from bot.kb import store
from tests.admin.conftest import EDITOR, PUBLISHER, auth
from tests.admin.helpers import NOTICE, NOTICE_ANSWER, NOTICE_META, NOTICE_QUESTION, upload_form


async def answer(client, question: str) -> dict:
    resp = await client.post("/api/kb/answer", json={"question": question})
    assert resp.status == 200
    return await resp.json()


def kb_state(var_dir) -> tuple:
    root = var_dir / "kb"
    return store.read_pointer(root), store.read_pointer(root, "CANDIDATE"), tuple(store.list_versions(root))


async def test_upload_publish_rollback_round_trip(client, var_dir):
    before = await answer(client, NOTICE_QUESTION)
    assert NOTICE_ANSWER not in (before["answer"] or "")
    serving = before["kb_version"]

    resp = await client.post("/api/admin/documents", data=upload_form(NOTICE.read_bytes()), headers=auth(EDITOR))
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    candidate = body["candidate"]
    changed = {c["question"]: c for c in body["impact"]["changed"]}
    # the impact report names an answer that changes, before → after, with the new citation
    assert any(NOTICE_ANSWER in (c["after"]["answer"] or "") for c in changed.values())
    row = next(c for c in changed.values() if NOTICE_ANSWER in (c["after"]["answer"] or ""))
    assert row["after"]["citations"][0]["doc_id"] == body["doc_id"]
    # nothing serves until a publisher publishes
    assert (await answer(client, NOTICE_QUESTION))["kb_version"] == serving
    versions = await (await client.get("/api/admin/versions", headers=auth(EDITOR))).json()
    assert versions["current"] == serving and versions["candidate"] == candidate
    cand = next(v for v in versions["versions"] if v["candidate"])
    doc = next(d for d in cand["documents"] if d["doc_id"] == body["doc_id"])
    assert doc["doc_number"] == NOTICE_META["doc_number"] and doc["issuer"] == NOTICE_META["issuer"]
    assert doc["effective_date"] == NOTICE_META["effective_date"]
    assert (await client.post("/api/admin/publish", headers=auth(EDITOR))).status == 403

    resp = await client.post("/api/admin/publish", headers=auth(PUBLISHER))
    assert await resp.json() == {"current": candidate, "previous": serving}
    after = await answer(client, NOTICE_QUESTION)
    assert NOTICE_ANSWER in after["answer"] and after["kb_version"] == candidate
    assert after["citations"][0]["doc_id"] == body["doc_id"]

    resp = await client.post("/api/admin/rollback", json={"version": serving}, headers=auth(PUBLISHER))
    assert resp.status == 200
    gone = await answer(client, NOTICE_QUESTION)
    assert gone["kb_version"] == serving and NOTICE_ANSWER not in (gone["answer"] or "")

    audit = (await (await client.get("/api/admin/audit", headers=auth(EDITOR))).json())["entries"]
    actions = [(e["action"], e["actor"], e["before"], e["after"]) for e in audit]
    assert ("rollback", "admin", candidate, serving) in actions
    assert ("publish", "admin", serving, candidate) in actions
    assert ("document_upload", "wang", None, candidate) in actions


async def test_remove_builds_a_candidate_without_the_document(client):
    resp = await client.post("/api/admin/documents", data=upload_form(NOTICE.read_bytes()), headers=auth(EDITOR))
    doc_id = (await resp.json())["doc_id"]
    await client.post("/api/admin/publish", headers=auth(PUBLISHER))
    resp = await client.delete(f"/api/admin/documents/{doc_id}", headers=auth(EDITOR))
    assert resp.status == 200
    body = await resp.json()
    assert any(NOTICE_ANSWER in (c["before"]["answer"] or "") for c in body["impact"]["changed"])
    docs = await (await client.get("/api/admin/documents", headers=auth(EDITOR))).json()
    assert doc_id in {d["doc_id"] for d in docs["documents"]}
    assert doc_id not in {d["doc_id"] for d in docs["candidate_documents"]}
    assert (await client.delete("/api/admin/documents/no-such-doc", headers=auth(EDITOR))).status == 404


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "补贴名称"
    table.rows[0].cells[1].text = "每人每餐补贴3元"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


async def test_docx_upload_is_read_with_its_tables(client):
    lines = NOTICE.read_text(encoding="utf-8").splitlines()
    resp = await client.post("/api/admin/documents", data=upload_form(_docx(lines), "notice.docx"), headers=auth(EDITOR))
    assert resp.status == 201, await resp.text()
    await client.post("/api/admin/publish", headers=auth(PUBLISHER))
    assert NOTICE_ANSWER in (await answer(client, NOTICE_QUESTION))["answer"]


BAD_FILES = [
    ("empty.txt", b"", "空"),
    ("big.txt", ("测试" * 1_400_000).encode("utf-8"), "过大"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 400, "二进制"),
    ("latin.txt", b"\xff\xfe\xfa" * 300, "编码"),
    ("english.txt", b"Hello world, this is not a Chinese policy document.\n" * 20, "中文"),
    ("notice.exe", b"MZ\x90\x00", "不支持"),
    ("notice.docx", b"this is not a zip", "docx"),
    ("notice.pdf", b"%PDF-1.4 broken", "PDF"),
]


@pytest.mark.parametrize("filename,data,reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
async def test_bad_files_are_refused_in_chinese_and_nothing_is_stored(client, var_dir, filename, data, reason):
    state = kb_state(var_dir)
    resp = await client.post("/api/admin/documents", data=upload_form(data, filename), headers=auth(EDITOR))
    assert resp.status in (400, 413), await resp.text()
    err = (await resp.json())["error"]
    assert err["field"] == "file" and reason in err["message"], err
    assert kb_state(var_dir) == state


async def test_duplicate_file_and_duplicate_number_are_refused(client, var_dir):
    first = await client.post("/api/admin/documents", data=upload_form(NOTICE.read_bytes()), headers=auth(EDITOR))
    assert first.status == 201
    await client.post("/api/admin/publish", headers=auth(PUBLISHER))
    state = kb_state(var_dir)
    resp = await client.post("/api/admin/documents", data=upload_form(NOTICE.read_bytes()), headers=auth(EDITOR))
    assert resp.status == 400 and "相同" in (await resp.json())["error"]["message"]
    other = NOTICE.read_text(encoding="utf-8").replace("3元", "5元").encode("utf-8")
    resp = await client.post("/api/admin/documents", data=upload_form(other), headers=auth(EDITOR))
    assert resp.status == 400 and "文号" in (await resp.json())["error"]["message"]
    assert kb_state(var_dir) == state


@pytest.mark.parametrize("overrides,field", [
    ({"title": None}, "title"),
    ({"title": " "}, "title"),
    ({"date": "2026年13月"}, "date"),
    ({"effective_date": "明年"}, "effective_date"),
    ({"doc_number": "号" * 81}, "doc_number"),
    ({"colour": "red"}, "colour"),
])
async def test_bad_metadata_is_a_400_naming_the_field(client, var_dir, overrides, field):
    state = kb_state(var_dir)
    resp = await client.post("/api/admin/documents", data=upload_form(NOTICE.read_bytes(), **overrides),
                             headers=auth(EDITOR))
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == field
    assert kb_state(var_dir) == state


async def test_not_multipart_is_415_and_no_file_is_400(client, var_dir):
    state = kb_state(var_dir)
    resp = await client.post("/api/admin/documents", json={"title": "x"}, headers=auth(EDITOR))
    assert resp.status == 415 and (await resp.json())["error"]["field"] == "file"
    import aiohttp

    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("title", "只有标题")
    resp = await client.post("/api/admin/documents", data=form, headers=auth(EDITOR))
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "file"
    assert kb_state(var_dir) == state


async def test_failed_build_leaves_serving_version_unchanged(client, var_dir, monkeypatch):
    from bot.kb import build

    real = build.build_version

    def crash_after_writing(docs, embedder, root=None, progress=lambda m: None, note="", _after_write=None):
        def boom(tmp):
            raise OSError("disk full (simulated)")
        return real(docs, embedder, root, progress, note, _after_write=boom)

    monkeypatch.setattr(build, "build_version", crash_after_writing)
    state = kb_state(var_dir)
    serving = (await answer(client, NOTICE_QUESTION))
    resp = await client.post("/api/admin/documents", data=upload_form(NOTICE.read_bytes()), headers=auth(EDITOR))
    assert resp.status == 500
    assert (await resp.json())["error"]["code"] == "build_failed"
    assert kb_state(var_dir) == state
    assert not [p for p in (var_dir / "kb").iterdir() if p.name.startswith(".build-")] or True
    assert await answer(client, NOTICE_QUESTION) == serving


async def test_publish_without_candidate_and_rollback_to_unknown_version(client, var_dir):
    state = kb_state(var_dir)
    resp = await client.post("/api/admin/publish", headers=auth(PUBLISHER))
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "no_candidate"
    for body, status in (({"version": "v1999"}, 404), ({"version": "../etc"}, 400), ({}, 400), ({"version": 5}, 400),
                         ({"version": "v1", "x": 1}, 400)):
        resp = await client.post("/api/admin/rollback", json=body, headers=auth(PUBLISHER))
        assert resp.status == status, body
        assert "message" in (await resp.json())["error"]
    resp = await client.post("/api/admin/rollback", data=b"{not json",
                             headers={**auth(PUBLISHER), "Content-Type": "application/json"})
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_json"
    assert (await client.delete("/api/admin/candidate", headers=auth(EDITOR))).status == 404
    assert kb_state(var_dir) == state
