"""GET / serves the chat page and every asset locally, with the right types and no external URL."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml

from bot.app import create_app
from bot.settings import ROOT, Settings
from bot.web.routes import STATIC_DIR

EXPECTED_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
# The only absolute URL allowed anywhere is the SVG namespace (an identifier, never fetched).
ALLOWED_URLS = {"http://www.w3.org/2000/svg"}
URL_PATTERN = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'()<>]*""")


class _Refs(HTMLParser):
    """Collects every src/href in the page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append((tag, name, value))


@pytest.fixture
async def client(aiohttp_client):
    return await aiohttp_client(create_app(Settings(), features=["bot.web.routes"]))


def external_urls(text: str) -> list[str]:
    return [u for u in URL_PATTERN.findall(text) if u not in ALLOWED_URLS]


async def test_page_and_assets_are_served_locally(client):
    resp = await client.get("/")
    assert resp.status == 200
    assert resp.content_type == "text/html"
    assert resp.charset == "utf-8"
    html = await resp.text()
    assert "山西民生政策助手" in html
    assert "{{" not in html, "an asset placeholder was left unrendered"
    assert external_urls(html) == []

    parser = _Refs()
    parser.feed(html)
    local = [v for _, _, v in parser.refs if not v.startswith(("tel:", "#"))]
    assert any(v.startswith("/web/static/app.js") for v in local)
    assert any(v.startswith("/web/static/app.css") for v in local)
    for ref in local:
        assert ref.startswith("/"), f"non-local reference {ref}"
        asset = await client.get(ref)
        assert asset.status == 200, ref
        suffix = "." + ref.split("?")[0].rsplit(".", 1)[-1]
        assert asset.content_type == EXPECTED_TYPES[suffix], ref
        body = await asset.text()
        assert external_urls(body) == [], f"{ref} refers to an external URL"
        assert asset.headers["X-Content-Type-Options"] == "nosniff"


async def test_every_static_file_is_free_of_external_urls():
    for path in STATIC_DIR.iterdir():
        assert external_urls(path.read_text(encoding="utf-8")) == [], path.name
        assert "@import" not in path.read_text(encoding="utf-8"), path.name


async def test_page_refuses_inline_script(client):
    resp = await client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert resp.headers["Cache-Control"] == "no-cache"


async def test_versioned_assets_are_cacheable_and_unknown_files_are_404(client):
    html = await (await client.get("/")).text()
    app_js = re.search(r'src="(/web/static/app\.js\?v=[0-9a-f]+)"', html).group(1)
    assert "immutable" in (await client.get(app_js)).headers["Cache-Control"]
    assert (await client.get("/web/static/app.js?v=stale")).headers["Cache-Control"] == "no-cache"
    for bad in ("/web/static/nope.js", "/web/static/index.html", "/web/static/..%2Froutes.py",
                "/web/static/../routes.py"):
        assert (await client.get(bad)).status == 404, bad


async def test_page_has_the_accessible_landmarks(client):
    html = await (await client.get("/")).text()
    assert 'lang="zh-CN"' in html
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert 'role="status"' in html
    assert '<label for="input"' in html
    assert 'href="tel:12345"' in html
    for title in ("残疾人补贴", "育儿补贴和托育", "技能证书补贴", "找办事地点", "大字模式", "新对话", "转人工"):
        assert title in html, title


def test_script_never_renders_text_as_html():
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink


class _QuickStarts(HTMLParser):
    """Collects the welcome's quick-start buttons: (title, payload)."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[tuple[str, str]] = []
        self._payload: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "button" and "quick" in (attrs.get("class") or "").split():
            self._payload = attrs.get("data-payload")

    def handle_data(self, data):
        if self._payload is not None and data.strip():
            self.buttons.append((data.strip(), self._payload))
            self._payload = None


def test_quick_starts_send_the_dialogues_own_payloads():
    """The page's quick starts are the greeting's buttons in domain.yml, so they start the same flows."""
    parser = _QuickStarts()
    parser.feed((STATIC_DIR / "index.html").read_text(encoding="utf-8"))
    assert [t for t, _ in parser.buttons] == ["残疾人补贴", "育儿补贴和托育", "技能证书补贴", "找办事地点"]
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    greet = domain["responses"]["utter_greet"][0]["buttons"]
    # domain.yml escapes the JSON braces ({{ }}) from Rasa's response templating; Rasa sends single braces.
    assert parser.buttons == [(b["title"], b["payload"].replace("{{", "{").replace("}}", "}")) for b in greet]
    for _, payload in parser.buttons:
        assert payload.startswith("/") and payload[1:].split("{")[0] in domain["intents"]
