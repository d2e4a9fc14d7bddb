"""The staff console (GET /assist) in headless Chromium against the real stack; screenshots in
test-artifacts/assist/. Browser fixtures (Debian Chromium via Playwright) are the resident page's."""
from __future__ import annotations

import json

import pytest

from assist_helpers import TOKEN
from bot.settings import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.stack]

ARTIFACTS = ROOT / "test-artifacts" / "assist"
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1}
TIMEOUT_MS = 60_000
XSS = "<img src=x onerror=alert(1)>"


# `browser` (Debian Chromium via Playwright) is the shared fixture in tests/conftest.py.


class Console:
    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))

    async def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    async def add(self, text: str, key: str = "Enter") -> dict:
        """Type a line, press the key, wait for the view to come back and be rendered."""
        async with self.page.expect_response("**/api/assist", timeout=TIMEOUT_MS) as info:
            await self.page.fill("#line", text)
            await self.page.press("#line", key)
        response = await info.value
        view = await response.json()
        await self.page.wait_for_function("document.getElementById('transcript').getAttribute('aria-busy') === 'false'",
                                          timeout=TIMEOUT_MS)
        return view

    async def card(self, name: str) -> str:
        return await self.page.locator(f"#body-{name}").inner_text()

    async def clipboard(self) -> str:
        return await self.page.evaluate("navigator.clipboard.readText()")


async def open_console(browser, base_url: str):
    context = await browser.new_context(**DESKTOP, locale="zh-CN")
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = await context.new_page()
    await page.goto(base_url + "/assist")
    return context, Console(page)


async def test_console_scripted_call(browser, assist_stack):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, console = await open_console(browser, assist_stack.base_url)
    page = console.page
    await page.locator("#token").wait_for()
    await page.screenshot(path=str(ARTIFACTS / "login.png"))

    # A wrong token is refused on the login form; the right one opens the console.
    await page.fill("#token", "not-the-token")
    await page.press("#token", "Enter")
    await page.locator("#login-error", has_text="令牌无效").wait_for(timeout=TIMEOUT_MS)
    assert await page.locator("#console").is_hidden()
    assert console.errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    console.errors.clear()
    await page.fill("#token", TOKEN)
    await page.press("#token", "Enter")
    await page.locator("#console").wait_for(state="visible", timeout=TIMEOUT_MS)
    assert await page.evaluate("sessionStorage.getItem('assist_token')") == TOKEN
    assert await page.evaluate("document.activeElement.id") == "line"
    assert await page.inner_text("#staff-id") == "坐席：wang01"

    # Line 1: the checklist asks about the certificate, long-term care and 低保.
    view = await console.add("我妈妈是二级肢体残疾")
    checklist = await console.card("checklist")
    assert "残疾人证" in checklist and "长期照顾" in checklist and "低保" in checklist
    assert "重度残疾人护理补贴" in checklist and "困难残疾人生活补贴" in checklist
    assert view["checklist"][0]["question"] in checklist
    await page.screenshot(path=str(ARTIFACTS / "line1-checklist.png"))

    # Line 2: outcomes with 文号.
    view = await console.add("有证，瘫在床上好几年了，家里是低保户")
    assert "国发〔2015〕52号" in await console.card("checklist")

    # A staff line (Ctrl+Enter) is shown as the staff's and changes no facts.
    facts_before = view["facts"]
    view = await console.add("好的，请问老人户口在哪里？", key="Control+Enter")
    assert view["transcript"][-1]["role"] == "staff" and view["facts"] == facts_before
    assert await page.locator("#transcript li.staff").count() == 1

    # Line 3: 小店区 offices incl. the town-level center, the script and the ticket summary.
    view = await console.add("她户口在太原小店区")
    offices = await console.card("offices")
    town = next(p for p in view["service_points"] if p["type"] == "town_service_center")
    assert town["name"] in offices and "小店区残疾人联合会" in offices
    script = await console.card("script")
    assert "重度残疾人护理补贴" in script and "困难残疾人生活补贴" in script and "的申领条件" in script
    summary = await console.card("summary")
    for text in ("来电诉求", "涉及政策", "办理部门", "是否需转办", "重度残疾人护理补贴", town["name"]):
        assert text in summary
    assert await page.locator("#transcript li").count() == 4
    await page.screenshot(path=str(ARTIFACTS / "line3-full-call.png"), full_page=True)
    await page.locator("#card-summary").screenshot(path=str(ARTIFACTS / "line3-ticket-summary.png"))

    # 复制 puts the card's plain text on the clipboard; Alt+3 copies the script.
    await page.click('.copy[data-card="summary"]')
    await page.locator('.copy[data-card="summary"]', has_text="已复制").wait_for()
    assert await console.clipboard() == view["summary"]["text"]
    await page.keyboard.press("Alt+3")
    await page.locator('.copy[data-card="script"]', has_text="已复制").wait_for()
    assert await console.clipboard() == view["script"]
    await page.click('.copy[data-card="offices"]')
    assert town["name"] in await console.clipboard()

    # Markup in a line is text: no element is created, nothing runs.
    await console.add(XSS)
    await page.locator("#transcript li.caller", has_text=XSS).wait_for()
    assert await page.locator("#transcript img, .card img").count() == 0
    assert console.dialogs == []

    # A reload keeps the login and the call (sessionStorage) and shows the same state.
    call_id = await page.input_value("#call-id")
    await page.reload()
    await page.locator("#console").wait_for(state="visible", timeout=TIMEOUT_MS)
    assert await page.input_value("#call-id") == call_id
    await page.locator("#transcript li.caller", has_text="她户口在太原小店区").wait_for(timeout=TIMEOUT_MS)

    # Alt+N closes the call on the service and starts a new one.
    async with page.expect_response(lambda r: r.request.method == "DELETE", timeout=TIMEOUT_MS):
        await page.keyboard.press("Alt+N")
    await page.wait_for_function(f"document.getElementById('call-id').value !== {json.dumps(call_id)}")
    assert await page.locator("#transcript li.caller").count() == 0
    status, _ = assist_stack.call("GET", f"/api/assist/{call_id}")
    assert status == 404
    await page.screenshot(path=str(ARTIFACTS / "new-call.png"))
    assert console.errors == [], console.errors
    await context.close()


async def test_console_keyboard_role_toggle_and_logout(browser, assist_stack):
    context, console = await open_console(browser, assist_stack.base_url)
    page = console.page
    await page.fill("#token", TOKEN)
    await page.press("#token", "Enter")
    await page.locator("#console").wait_for(state="visible", timeout=TIMEOUT_MS)
    await page.keyboard.press("Alt+R")
    assert await page.get_attribute("#role-toggle", "aria-pressed") == "true"
    view = await console.add("您好，这里是12345热线")
    assert view["transcript"][-1]["role"] == "staff"
    await page.keyboard.press("Alt+R")
    assert await page.get_attribute("#role-toggle", "aria-pressed") == "false"
    # Shortcuts are documented on the page.
    await page.click(".shortcuts summary")
    help_text = await page.locator(".shortcuts").inner_text()
    for key in ("Alt", "Ctrl", "Enter", "Esc"):
        assert key in help_text
    await page.screenshot(path=str(ARTIFACTS / "shortcuts.png"))
    await page.click("#logout")
    await page.locator("#login").wait_for(state="visible")
    assert await page.evaluate("sessionStorage.getItem('assist_token')") is None
    assert console.errors == [], console.errors
    await context.close()
