"""Acceptance, in Debian's Chromium against the real stack: an editor uploads a notice in the console, the
impact report shows the changed answer, a publisher publishes, the residents' page answers from the notice
with its 文号, the publisher rolls back, and the answer is gone. Also: the unanswered loop over /api/chat
(masked entry → curated answer → answered with its source). Screenshots in test-artifacts/admin/."""
from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.async_api import expect

from tests.admin.conftest import STACK_EDITOR, STACK_PUBLISHER
from tests.admin.helpers import NOTICE, NOTICE_META, NOTICE_QUESTION

pytestmark = [pytest.mark.stack, pytest.mark.browser]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1, "locale": "zh-CN"}
TIMEOUT = 120_000
ANSWER_MARK = "每餐补贴3元"


async def console(browser, base: str, token: str):
    context = await browser.new_context(**DESKTOP)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("dialog", lambda d: d.accept())
    await page.goto(base + "/admin")
    await page.fill("#token", token)
    await page.press("#token", "Enter")
    await expect(page.locator("#console")).to_be_visible()
    page.errors = errors
    return page


async def ask_resident(browser, base: str, question: str) -> tuple[str, object]:
    context = await browser.new_context(**DESKTOP)
    page = await context.new_page()
    await page.goto(base + "/")
    async with page.expect_response("**/api/chat", timeout=TIMEOUT) as info:
        await page.fill("#input", question)
        await page.press("#input", "Enter")
    messages = (await (await info.value).json())["messages"]
    await expect(page.locator("#log")).not_to_have_attribute("aria-busy", "true", timeout=TIMEOUT)
    return "\n".join(m["text"] for m in messages), page


async def test_notice_upload_publish_answer_rollback(browser, admin_stack, artifacts):
    base = admin_stack.base_url
    before, page = await ask_resident(browser, base, NOTICE_QUESTION)
    assert ANSWER_MARK not in before and NOTICE_META["doc_number"] not in before

    editor = await console(browser, base, STACK_EDITOR)
    await expect(editor.locator("#who")).to_contain_text("编辑")
    await editor.click("#tab-documents")
    await editor.set_input_files("#up-file", str(NOTICE))
    await editor.fill("#up-title", NOTICE_META["title"])
    await editor.fill("#up-number", NOTICE_META["doc_number"])
    await editor.fill("#up-issuer", NOTICE_META["issuer"])
    await editor.fill("#up-date", NOTICE_META["date"])
    await editor.fill("#up-effective", NOTICE_META["effective_date"])
    await editor.click("#upload-form button[type=submit]")
    await expect(editor.locator("#status")).to_contain_text("候选版本已生成", timeout=TIMEOUT)
    impact = editor.locator("#candidate-body table.impact")
    await expect(impact).to_contain_text(ANSWER_MARK, timeout=TIMEOUT)
    after_cell = impact.locator("td.after", has_text=ANSWER_MARK).first
    await expect(after_cell).to_be_visible()
    publish = editor.get_by_role("button", name="发布候选版本")
    await expect(publish).to_be_disabled()  # an editor prepares; a publisher publishes
    await after_cell.scroll_into_view_if_needed()
    await editor.screenshot(path=str(artifacts / "01-editor-impact-report.png"), full_page=False)

    publisher = await console(browser, base, STACK_PUBLISHER)
    await publisher.click("#tab-documents")
    await expect(publisher.locator("#candidate-body table.impact")).to_contain_text(ANSWER_MARK, timeout=TIMEOUT)
    await publisher.get_by_role("button", name="发布候选版本").click()
    await expect(publisher.locator("#status")).to_contain_text("已发布", timeout=TIMEOUT)
    await publisher.screenshot(path=str(artifacts / "02-publisher-published.png"))

    answered, page = await ask_resident(browser, base, NOTICE_QUESTION)
    assert ANSWER_MARK in answered and NOTICE_META["doc_number"] in answered, answered
    await expect(page.locator(".msg.bot").last).to_contain_text(NOTICE_META["doc_number"])
    await page.screenshot(path=str(artifacts / "03-resident-answer-from-notice.png"))

    # roll back to the version that served before the upload (the one not marked current)
    await publisher.click("#tab-audit")
    await publisher.click("#tab-documents")
    row = publisher.locator("#version-list tbody tr", has=publisher.get_by_role("button", name="回滚到此版本")).first
    await row.get_by_role("button", name="回滚到此版本").click()
    await expect(publisher.locator("#status")).to_contain_text("已回滚", timeout=TIMEOUT)
    await publisher.click("#tab-audit")
    await expect(publisher.locator("#audit-list")).to_contain_text("回滚知识库")
    await expect(publisher.locator("#audit-list")).to_contain_text("上传文件")
    await publisher.screenshot(path=str(artifacts / "04-audit-log.png"))

    gone, page = await ask_resident(browser, base, NOTICE_QUESTION)
    assert ANSWER_MARK not in gone and NOTICE_META["doc_number"] not in gone, gone
    await page.screenshot(path=str(artifacts / "05-resident-after-rollback.png"))
    assert not editor.errors and not publisher.errors


def _api(base: str, method: str, path: str, token: str, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read())


UNANSWERED = "我的身份证号是110101199003071234，残疾人证丢了怎么补办"
CURATED_ANSWER = "残疾人证遗失的，可向户籍所在地县级残联申请补发。"


async def test_unanswered_loop_to_curated_answer(browser, admin_stack, artifacts):
    base = admin_stack.base_url
    first = admin_stack.chat(UNANSWERED, "admin-loop-1")
    text = "\n".join(m["text"] for m in first)
    assert CURATED_ANSWER not in text
    assert all("unanswered" not in m for m in first)  # the mark stays inside the service
    data = _api(base, "GET", "/api/admin/unanswered", STACK_EDITOR)
    questions = [e["question"] for t in data["topics"] for e in t["examples"]]
    assert any("残疾人证丢了怎么补办" in q for q in questions), (text, data)
    assert not any("110101199003071234" in q for q in questions)
    entry = next(e for t in data["topics"] for e in t["examples"] if "补办" in e["question"])
    assert entry["channel"] == "api" and entry["kb_version"] and entry["time"]

    editor = await console(browser, base, STACK_EDITOR)
    await expect(editor.locator("#topics")).to_contain_text("补办", timeout=TIMEOUT)
    await editor.screenshot(path=str(artifacts / "06-unanswered-topics.png"))
    await editor.locator(".topic", has_text="补办").first.get_by_role("button", name="为这个主题写常见问答").click()
    await expect(editor.locator("#panel-curated")).to_be_visible()
    await editor.fill("#cf-question", "残疾人证丢了怎么补办")
    await editor.fill("#cf-answer", CURATED_ANSWER)
    await editor.select_option("#cf-type", "document")
    await editor.fill("#cf-doc-title", "残疾人证管理办法（测试样例）")
    await editor.fill("#cf-doc-number", "残联发〔2026〕1号")
    await editor.fill("#cf-quote", CURATED_ANSWER)
    await editor.click("#cf-submit")
    await expect(editor.locator("#status")).to_contain_text("问答候选版本已生成", timeout=TIMEOUT)
    await expect(editor.locator("#curated-candidate table.impact")).to_contain_text(CURATED_ANSWER)
    await editor.screenshot(path=str(artifacts / "07-curated-candidate-impact.png"), full_page=True)
    _api(base, "POST", "/api/admin/curated/publish", STACK_PUBLISHER)

    again = admin_stack.chat(UNANSWERED, "admin-loop-2")
    text = "\n".join(m["text"] for m in again)
    assert CURATED_ANSWER in text and "残联发〔2026〕1号" in text, text
    cites = [c for m in again for c in m.get("citations", [])]
    assert cites and cites[0]["quote"] == CURATED_ANSWER

    await editor.click("#tab-dashboard")
    await expect(editor.locator("#chart-unanswered_share svg")).to_be_visible(timeout=TIMEOUT)
    await editor.screenshot(path=str(artifacts / "08-dashboard.png"), full_page=True)
    await editor.click("#large-toggle")
    await expect(editor.locator("html")).to_have_class("large")
    await editor.click("#tab-unanswered")
    await editor.screenshot(path=str(artifacts / "09-large-mode.png"))
    assert not editor.errors
