"""The residents' web chat page in a real browser (Debian Chromium via Playwright).

The conversation tests run against the real stack (`live_stack`: Rasa + assistant service); the
service-down test runs the real chat route with Rasa unreachable. Screenshots go to test-artifacts/web/.
"""
from __future__ import annotations

import json
import socket

import pytest
from playwright.async_api import expect

from bot.app import create_app
from bot.settings import Settings

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}

REPLY_TIMEOUT_MS = 90_000
BOT_REPLIES = ".msg.bot:not(.welcome):not(.error)"
XSS = "<img src=x onerror=alert(1)>"


class ChatPage:
    """What a resident does on the page, and what they can see."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    async def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    async def bot_count(self) -> int:
        return await self.page.locator(BOT_REPLIES).count()

    async def wait_idle(self) -> None:
        # Locator assertions, not wait_for_function: the page's CSP forbids evaluating strings.
        await expect(self.page.locator("#log")).not_to_have_attribute("aria-busy", "true", timeout=REPLY_TIMEOUT_MS)

    async def wait_for_reply(self, before: int) -> list[dict]:
        """Wait until the turn is over; return the messages the service sent (from the network)."""
        await self.wait_idle()
        errors = await self.page.locator(".msg.error").all_inner_texts()
        assert not errors, f"the page shows an error: {errors}"
        assert await self.bot_count() > before, "no bot reply appeared"
        return self.last_messages

    async def send_text(self, text: str) -> list[dict]:
        before = await self.bot_count()
        async with self.page.expect_response("**/api/chat", timeout=REPLY_TIMEOUT_MS) as info:
            await self.page.fill("#input", text)
            await self.page.press("#input", "Enter")
        await self._record(await info.value)
        return await self.wait_for_reply(before)

    async def click_and_wait(self, locator) -> list[dict]:
        before = await self.bot_count()
        async with self.page.expect_response("**/api/chat", timeout=REPLY_TIMEOUT_MS) as info:
            await locator.click()
        await self._record(await info.value)
        return await self.wait_for_reply(before)

    async def _record(self, response) -> None:
        self.last_request = json.loads(response.request.post_data)
        self.last_messages = (await response.json())["messages"]

    async def text_font_px(self) -> float:
        return await self.page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.welcome .bubble p')).fontSize)")

    async def transcript(self) -> list[str]:
        """Every message text in the log, in order (citations collapsed or not)."""
        return await self.page.locator("#log .msg .msg-text").all_inner_texts()


async def open_page(browser, url: str, context_options: dict, storage_state=None):
    context = await browser.new_context(locale="zh-CN", storage_state=storage_state, **context_options)
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector(".quick-start .quick")
    return context, ChatPage(page)


@pytest.fixture
def base_url(live_stack) -> str:
    return live_stack.base_url.rstrip("/") + "/"


async def test_conversation_on_a_phone(browser, base_url, artifacts):
    context, chat = await open_page(browser, base_url, PHONE)
    page = chat.page
    await page.screenshot(path=str(artifacts / "phone-welcome.png"))

    # A quick-start button sends its first message and the bot answers.
    messages = await chat.click_and_wait(page.get_by_role("button", name="残疾人补贴", exact=True))
    assert chat.last_request["sender_id"].startswith("web-")
    assert chat.last_request["metadata"] == {"channel": "web"}
    assert messages and all(m["text"] for m in messages)
    await page.locator(".msg.user").get_by_text("残疾人补贴").wait_for()

    # A policy question gets a cited answer; the 出处 line expands to the verbatim quote.
    messages = await chat.send_text("残疾人两项补贴是什么")
    cited = [i for i, m in enumerate(messages) if m.get("citations")]
    assert cited, f"no cited answer in {messages}"
    rendered = page.locator(BOT_REPLIES)
    bubble = rendered.nth(await rendered.count() - len(messages) + cited[-1])
    toggle = bubble.locator(".cite-toggle").first
    quote = messages[cited[-1]]["citations"][0]["quote"]
    assert (await toggle.inner_text()).startswith("出处")
    assert await toggle.get_attribute("aria-expanded") == "false"
    quote_box = page.locator("#" + await toggle.get_attribute("aria-controls"))
    assert not await quote_box.is_visible()
    await toggle.click()
    assert await toggle.get_attribute("aria-expanded") == "true"
    assert await quote_box.is_visible()
    assert await quote_box.locator(".cite-text").inner_text() == quote
    await page.screenshot(path=str(artifacts / "phone-cited-answer.png"))

    # Markup typed by a resident is shown as text: nothing runs, no element is created.
    await chat.send_text(XSS)
    await page.locator(".msg.user .msg-text", has_text=XSS).wait_for()
    assert await page.locator("#log img").count() == 0
    assert chat.dialogs == []

    # 大字模式: bigger text, persisted.
    normal_px = await chat.text_font_px()
    body_color = "getComputedStyle(document.body).color"
    assert await page.evaluate(body_color) != "rgb(0, 0, 0)"
    await page.click("#large-toggle")
    assert await page.get_attribute("#large-toggle", "aria-pressed") == "true"
    large_px = await chat.text_font_px()
    assert large_px >= normal_px * 1.2, (normal_px, large_px)
    assert await page.evaluate(body_color) == "rgb(0, 0, 0)", "大字模式 also raises contrast"
    await page.screenshot(path=str(artifacts / "phone-large.png"))

    # History and the mode survive a reload.
    before_reload = await chat.transcript()
    sender = await page.evaluate("localStorage.getItem('sxmz.sender_id')")
    await page.reload()
    await page.wait_for_selector(BOT_REPLIES)
    assert await chat.transcript() == before_reload
    assert len(before_reload) >= 6
    assert await page.get_attribute("#large-toggle", "aria-pressed") == "true"
    assert await chat.text_font_px() == large_px
    assert await page.locator("#log img").count() == 0
    assert chat.dialogs == []
    await page.screenshot(path=str(artifacts / "phone-large-after-reload.png"))

    # The same conversation goes on after the reload (same sender id).
    await chat.send_text("谢谢")
    assert chat.last_request["sender_id"] == sender
    assert chat.console_errors == [], "script errors or CSP violations on the page"

    state = await context.storage_state()
    await context.close()

    # The same history on a desktop screen, normal and 大字模式.
    desktop, chat = await open_page(browser, base_url, DESKTOP, storage_state=state)
    await chat.page.wait_for_selector(BOT_REPLIES)
    if await chat.page.get_attribute("#large-toggle", "aria-pressed") == "true":
        await chat.page.click("#large-toggle")
    await chat.page.screenshot(path=str(artifacts / "desktop.png"))
    await chat.page.click("#large-toggle")
    await chat.page.screenshot(path=str(artifacts / "desktop-large.png"))
    await desktop.close()


async def test_quick_replies_and_new_conversation(browser, base_url, artifacts):
    context, chat = await open_page(browser, base_url, DESKTOP)
    page = chat.page
    messages = await chat.send_text("我想申请残疾人护理补贴，看看我能不能领")
    with_buttons = [m for m in messages if m.get("buttons")]
    assert with_buttons, f"expected quick replies in {messages}"
    first = with_buttons[-1]["buttons"][0]
    reply = page.locator(".replies button:not([disabled])", has_text=first["title"]).first
    await chat.click_and_wait(reply)
    # The button sends its payload and the resident sees its title.
    assert chat.last_request["text"] == first["payload"]
    assert await page.locator(".msg.user .msg-text").last.inner_text() == first["title"]
    await page.screenshot(path=str(artifacts / "desktop-quick-replies.png"))

    old_sender = await page.evaluate("localStorage.getItem('sxmz.sender_id')")
    await page.get_by_role("button", name="新对话").click()
    assert await page.locator(".msg:not(.welcome)").count() == 0
    new_sender = await page.evaluate("localStorage.getItem('sxmz.sender_id')")
    assert new_sender != old_sender and new_sender.startswith("web-")
    await page.reload()
    assert await page.locator(".msg:not(.welcome)").count() == 0
    await context.close()


async def test_service_points_have_copy_buttons_and_handoff(browser, base_url, artifacts):
    context, chat = await open_page(browser, base_url, PHONE)
    page = chat.page
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    messages = await chat.send_text("太原市小店区残联在哪里")
    points = [p for m in messages for p in m.get("service_points", [])]
    assert points, f"no service points in {messages}"
    card = page.locator(".card").first
    await card.wait_for()
    assert await card.locator("h3").inner_text() == points[0]["name"]
    # Every card offers "复制地址" exactly when its office has an address (never for an unknown one),
    # and the button copies that address. Checked for whichever offices the seeded data has.
    cards = page.locator(".card")
    assert await cards.count() == len(points)
    for i, point in enumerate(points):
        copy = cards.nth(i).locator(".copy-address")
        assert await copy.count() == (1 if point.get("address") else 0), point
        assert ("地址" in await cards.nth(i).inner_text()) == bool(point.get("address")), point
    with_address = [p for p in points if p.get("address")]
    for point in with_address[:1]:
        button = page.locator(".card", has_text=point["name"]).locator(".copy-address").first
        await button.click()
        await expect(page.locator("#announcer")).to_contain_text("已复制")
        assert await page.evaluate("navigator.clipboard.readText()") == point["address"]
    assert await page.locator(".hotline a[href='tel:12345']").count() >= 1
    await page.screenshot(path=str(artifacts / "phone-service-points.png"))

    # 转人工 sends the hand-off request; 拨打12345 is a tel: link.
    assert await page.get_attribute("#call-12345", "href") == "tel:12345"
    await chat.click_and_wait(page.locator("#handoff"))
    assert chat.last_request["text"] == "转人工"
    assert "12345" in " ".join(m["text"] for m in chat.last_messages)
    await context.close()


async def test_shared_location_finds_nearest_offices(browser, base_url, artifacts):
    """发送位置: the browser's WGS-84 position goes to the dialogue, which answers with nearby offices."""
    taiyuan = {"latitude": 37.8706, "longitude": 112.5489}  # a point in Taiyuan (test input)
    context, chat = await open_page(browser, base_url, {**PHONE, "geolocation": taiyuan})
    await context.grant_permissions(["geolocation"], origin=base_url.rstrip("/"))
    messages = await chat.click_and_wait(chat.page.get_by_role("button", name="发送我的位置，查找附近办事地点"))
    assert chat.last_request["text"] == "/share_location"
    assert chat.last_request["metadata"] == {
        "channel": "web", "location": {"lat": taiyuan["latitude"], "lng": taiyuan["longitude"], "datum": "wgs84"}}
    points = [p for m in messages for p in m.get("service_points", [])]
    assert points, f"no service points in {messages}"
    assert all(p.get("city") == "太原市" for p in points[:1]), points[:1]
    assert await chat.page.locator(".card").count() == len(points)
    assert "距离" in await chat.page.locator(".card").first.inner_text()
    await chat.page.screenshot(path=str(artifacts / "phone-location.png"))
    await context.close()


async def test_network_error_then_retry_gets_the_answer(browser, base_url, artifacts):
    context, chat = await open_page(browser, base_url, PHONE)
    page = chat.page

    async def drop(route):
        await route.abort("internetdisconnected")

    await page.route("**/api/chat", drop)
    await page.fill("#input", "育儿补贴怎么领")
    await page.press("#input", "Enter")
    error = page.locator(".msg.error")
    await error.wait_for()
    assert "网络" in await error.inner_text()
    assert await error.get_attribute("role") == "alert"
    await page.screenshot(path=str(artifacts / "phone-network-error.png"))

    await page.unroute("**/api/chat", drop)
    before = await chat.bot_count()
    async with page.expect_response("**/api/chat", timeout=REPLY_TIMEOUT_MS) as info:
        await error.get_by_role("button", name="重试").click()
    await chat._record(await info.value)
    await chat.wait_for_reply(before)
    assert chat.last_request["text"] == "育儿补贴怎么领"
    assert await page.locator(".msg.error").count() == 0
    assert await page.locator(".msg.user").count() == 1, "retry must not repeat the resident's message"
    await context.close()


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_service_down_shows_chinese_error_with_retry(browser, aiohttp_server, artifacts):
    """The real chat route with Rasa unreachable answers 503; the page says so in Chinese."""
    settings = Settings(rasa_url=f"http://127.0.0.1:{_unused_port()}", rasa_timeout_s=2)
    server = await aiohttp_server(create_app(settings, features=["bot.chat_routes", "bot.web.routes"]))
    context, chat = await open_page(browser, str(server.make_url("/")), PHONE)
    page = chat.page
    async with page.expect_response("**/api/chat") as info:
        await page.get_by_role("button", name="技能证书补贴").click()
    assert (await info.value).status == 503
    error = page.locator(".msg.error")
    await error.wait_for()
    text = await error.inner_text()
    assert "暂时不可用" in text and "12345" in text
    assert await page.locator("#typing .typing-inner").is_hidden()
    assert not await page.locator("#send").is_disabled()
    await page.screenshot(path=str(artifacts / "phone-service-down.png"))

    # Retry by keyboard: the same message is sent again, and focus goes back to the input.
    await error.get_by_role("button", name="重试").focus()
    async with page.expect_response("**/api/chat") as info:
        await page.keyboard.press("Enter")
    assert (await info.value).status == 503
    await page.locator(".msg.error").wait_for()
    assert await page.locator(".msg.error").count() == 1
    assert await page.locator(".msg.user").count() == 1
    assert await page.evaluate("document.activeElement.id") == "input"
    await context.close()


# A saved conversation as the page itself stores it (localStorage), with an office whose address and
# phone are known: the restored card offers 复制地址 / 复制电话 and copies the exact text.
SAVED_CARD = [
    {"role": "user", "text": "附近的残联在哪"},
    {"role": "bot", "message": {"text": "找到以下办理地点：", "service_points": [{
        "id": "t1", "name": "测试区残疾人联合会", "type": "disability_federation", "province": "山西省",
        "city": "太原市", "county": "小店区", "town": None, "address": "测试路1号（测试数据）",
        "phone": "0351-1234567；0351-7654321", "hours": None, "lat": None, "lng": None, "location_precision": "exact",
        "distance_km": 1.26, "source": "测试数据"}]}},
]


@pytest.mark.parametrize("clipboard_api", [True, False], ids=["clipboard_api", "execcommand_fallback"])
async def test_restored_card_copies_address_and_phone(browser, aiohttp_server, artifacts, clipboard_api):
    server = await aiohttp_server(create_app(Settings(), features=["bot.web.routes"]))
    context = await browser.new_context(locale="zh-CN", **PHONE)
    origin = str(server.make_url("/")).rstrip("/")
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    if not clipboard_api:
        await context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page = await context.new_page()
    await page.goto(origin + "/")
    await page.evaluate("h => localStorage.setItem('sxmz.history', JSON.stringify(h))", SAVED_CARD)
    await page.reload()
    card = page.locator(".card")
    await card.wait_for()
    assert await card.locator("h3").inner_text() == "测试区残疾人联合会"
    assert "约 1.3 公里" in await card.inner_text()
    assert await card.locator("a.call-phone").get_attribute("href") == "tel:03511234567"

    await card.get_by_role("button", name="复制地址").click()
    await expect(page.locator("#announcer")).to_contain_text("已复制地址")
    await card.get_by_role("button", name="复制电话").click()
    await expect(page.locator("#announcer")).to_contain_text("已复制电话")
    if clipboard_api:
        assert await page.evaluate("navigator.clipboard.readText()") == "0351-1234567；0351-7654321"
    else:
        # execCommand copied from a temporary textarea, which is gone again.
        assert await page.locator("body > textarea").count() == 0
        await page.screenshot(path=str(artifacts / "phone-card-restored.png"))
    await context.close()
