/* 山西民生政策助手 — residents' web chat. Vanilla JS, no build step.
 * Bot and user text is always rendered with textContent, never as HTML. */
(function () {
  "use strict";

  var KEY_SENDER = "sxmz.sender_id";
  var KEY_HISTORY = "sxmz.history";
  var KEY_LARGE = "sxmz.large_mode";
  var MAX_HISTORY = 200;
  var MAX_TEXT = 2000;
  var HANDOFF_TEXT = "转人工";
  var HOTLINE = "12345";
  var TYPE_NAMES = {
    disability_federation: "残疾人联合会",
    civil_affairs: "民政局",
    hrss: "人力资源和社会保障局",
    health_commission: "卫生健康局",
    government_service_center: "政务服务中心",
    town_service_center: "乡镇（街道）便民服务中心",
    childcare: "托育机构",
    training: "职业技能培训机构"
  };

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var sendBtn = document.getElementById("send");
  var typing = document.querySelector("#typing .typing-inner");
  var announcer = document.getElementById("announcer");
  var largeToggle = document.getElementById("large-toggle");
  var REPLY_TIMEOUT_MS = 60000;
  var busy = false;
  var generation = 0;  /* bumped by 新对话 so a late reply never lands in the new conversation */
  var uid = 0;

  /* ---------- storage (may be unavailable, e.g. private mode) ---------- */
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* history just won't persist */ }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  function newSenderId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += ("0" + bytes[i].toString(16)).slice(-2);
    return "web-" + hex;
  }

  function senderId() {
    var id = load(KEY_SENDER);
    if (!id || !/^web-[0-9a-f]{8,64}$/.test(id)) {
      id = newSenderId();
      save(KEY_SENDER, id);
    }
    return id;
  }

  function readHistory() {
    try {
      var items = JSON.parse(load(KEY_HISTORY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }

  function remember(entry) {
    var items = readHistory();
    items.push(entry);
    if (items.length > MAX_HISTORY) items = items.slice(items.length - MAX_HISTORY);
    save(KEY_HISTORY, JSON.stringify(items));
  }

  /* ---------- small DOM helpers (text only) ---------- */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(className, text, onClick) {
    var b = el("button", className, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function isString(v) { return typeof v === "string" && v.length > 0; }

  /* ---------- rendering ---------- */
  function speakerLabel(text) {
    return el("span", "visually-hidden", text);
  }

  function renderUser(text) {
    var wrap = el("div", "msg user");
    var bubble = el("div", "bubble");
    bubble.appendChild(speakerLabel("您说："));
    bubble.appendChild(el("p", "msg-text", text));
    wrap.appendChild(bubble);
    log.appendChild(wrap);
    return wrap;
  }

  function renderCitations(citations) {
    var box = el("div", "citations");
    citations.forEach(function (c) {
      if (!c || typeof c !== "object") return;
      var quote = isString(c.quote) ? c.quote : "";
      // 《document title》（文号） when the KB names the document (admins' uploads carry their 文号)
      var doc = isString(c.doc_title) && c.doc_title ? "《" + c.doc_title.replace(/[《》]/g, "") + "》" +
        (isString(c.doc_number) && c.doc_number ? "（" + c.doc_number + "）" : "") : "";
      var source = doc || (isString(c.source) ? c.source : (isString(c.title) ? c.title : (isString(c.doc_id) ? c.doc_id : "")));
      var section = isString(c.section) ? c.section : "";
      var parts = section.split(">").map(function (x) { return x.trim(); }).filter(Boolean);
      var label = "出处：" + (doc ? doc + " " : "") + (parts.length ? parts[parts.length - 1] : (doc ? "" : (source || "政策原文")));
      var item = el("div", "citation");
      var id = "cite-" + (++uid);
      var toggle = el("button", "cite-toggle");
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-controls", id);
      toggle.appendChild(el("span", "cite-label", label));
      var body = el("blockquote", "cite-quote");
      body.id = id;
      body.hidden = true;
      body.appendChild(el("span", "cite-text", quote || "（原文摘录暂缺）"));
      var where = [source, section].filter(Boolean).join(" · ");
      if (where) body.appendChild(el("span", "cite-source", "来源：" + where));
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        body.hidden = !open;
      });
      item.appendChild(toggle);
      item.appendChild(body);
      box.appendChild(item);
    });
    return box;
  }

  function copyText(text, what) {
    function done(ok) {
      announce(ok ? "已复制" + what + "：" + text : "复制失败，请长按文字手动复制。");
    }
    function fallback() {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  /* The first number in the field ("0351-1234567；0351-7654321" → tel:03511234567). */
  function telHref(phone) {
    var first = String(phone).match(/\+?\d[\d\- ]{3,}\d/);
    return first ? "tel:" + first[0].replace(/[\- ]/g, "") : null;
  }

  function renderServicePoint(p, showSource) {
    var card = el("article", "card");
    card.appendChild(el("h3", null, p.name || "办事地点"));
    var dl = el("dl");
    function row(term, value) {
      if (value === null || value === undefined || value === "") return;
      dl.appendChild(el("dt", null, term));
      dl.appendChild(el("dd", null, value));
    }
    row("类型", TYPE_NAMES[p.type] || p.type);
    var place = [p.city, p.county, p.town].filter(isString).join(" ");
    row("地区", place);
    row("地址", p.address);
    row("电话", p.phone);
    row("办公时间", p.hours);
    if (typeof p.distance_km === "number") {
      row("距离", "约 " + (p.distance_km < 10 ? p.distance_km.toFixed(1) : Math.round(p.distance_km)) + " 公里");
    }
    card.appendChild(dl);
    var actions = el("div", "card-actions");
    if (isString(p.address)) {
      actions.appendChild(button("copy-address", "复制地址", function () { copyText(p.address, "地址"); }));
    }
    if (isString(p.phone)) {
      actions.appendChild(button("copy-phone", "复制电话", function () { copyText(p.phone, "电话"); }));
      var href = telHref(p.phone);
      if (href) {
        var call = el("a", "call-phone", "拨打电话");
        call.href = href;
        actions.appendChild(call);
      }
    }
    if (actions.childNodes.length) card.appendChild(actions);
    if (isString(p.location_precision) && p.location_precision !== "exact") {
      card.appendChild(el("p", "card-note", "位置为大致位置，请以实际为准。"));
    }
    if (showSource && isString(p.source)) card.appendChild(el("p", "card-note", "信息来源：" + p.source));
    return card;
  }

  function renderServicePoints(list) {
    var box = el("div", "cards");
    var cards = el("div", "card-list");
    cards.setAttribute("role", "list");
    cards.setAttribute("aria-label", "办事地点");
    var points = list.filter(function (p) { return p && typeof p === "object"; });
    /* One shared source is said once under the cards instead of on every card. */
    var sources = points.map(function (p) { return isString(p.source) ? p.source : ""; });
    var shared = sources.every(function (x) { return x === sources[0]; }) ? sources[0] : null;
    points.forEach(function (p) {
      var item = renderServicePoint(p, shared === null);
      item.setAttribute("role", "listitem");
      cards.appendChild(item);
    });
    box.appendChild(cards);
    if (shared) box.appendChild(el("p", "card-note", "信息来源：" + shared));
    box.appendChild(renderHotline());
    return box;
  }

  function renderHotline() {
    var p = el("p", "hotline", "地址或电话不确定时，可拨打 ");
    var a = el("a", null, HOTLINE);
    a.href = "tel:" + HOTLINE;
    p.appendChild(a);
    p.appendChild(document.createTextNode(" 政务服务便民热线咨询。"));
    return p;
  }

  function disableOldReplies() {
    var old = log.querySelectorAll(".replies button");
    for (var i = 0; i < old.length; i++) old[i].disabled = true;
  }

  /* A cited answer's text may end with a plain "出处：…" line (for text-only channels); the page shows
   * the citation as an expandable line instead, so that trailing line is not repeated. */
  function displayText(text, cited) {
    if (!isString(text)) return "";
    if (!cited) return text;
    var lines = text.split("\n");
    while (lines.length > 1 && /^\s*出处[：:]/.test(lines[lines.length - 1])) lines.pop();
    return lines.join("\n");
  }

  function renderBot(message, live) {
    var wrap = el("div", "msg bot");
    var bubble = el("div", "bubble");
    bubble.appendChild(speakerLabel("助手说："));
    var cited = Array.isArray(message.citations) && message.citations.length > 0;
    bubble.appendChild(el("p", "msg-text", displayText(message.text, cited)));
    if (cited) {
      bubble.appendChild(renderCitations(message.citations));
    }
    wrap.appendChild(bubble);

    if (Array.isArray(message.service_points) && message.service_points.length) {
      wrap.appendChild(renderServicePoints(message.service_points));
    }

    if (Array.isArray(message.buttons) && message.buttons.length) {
      var replies = el("div", "replies");
      replies.setAttribute("role", "group");
      replies.setAttribute("aria-label", "可选回复");
      message.buttons.forEach(function (b) {
        if (!b || !isString(b.title)) return;
        var payload = isString(b.payload) ? b.payload : b.title;
        var reply = button("reply", b.title, function (ev) {
          send(payload, { shown: b.title });
          focusInputAfterKeyboard(ev);
        });
        reply.disabled = !live;
        replies.appendChild(reply);
      });
      wrap.appendChild(replies);
    }
    log.appendChild(wrap);
    return wrap;
  }

  function renderError(text, retry) {
    var wrap = el("div", "msg bot error");
    wrap.setAttribute("role", "alert");
    var bubble = el("div", "bubble");
    bubble.appendChild(el("p", "msg-text", text));
    var actions = el("div", "error-actions");
    if (retry) {
      actions.appendChild(button("retry", "重试", function (ev) {
        log.removeChild(wrap);
        retry();
        focusInputAfterKeyboard(ev);
      }));
    }
    var call = el("a", null, "拨打12345");
    call.href = "tel:" + HOTLINE;
    actions.appendChild(call);
    bubble.appendChild(actions);
    wrap.appendChild(bubble);
    log.appendChild(wrap);
    return wrap;
  }

  /* ---------- talking to the service ---------- */
  function setBusy(on) {
    busy = on;
    sendBtn.disabled = on;
    log.setAttribute("aria-busy", on ? "true" : "false");
    typing.hidden = !on;
    if (on) scrollToEnd();
  }

  function errorText(status, body) {
    var serverMessage = body && body.error && isString(body.error.message) ? body.error.message : "";
    if (status === 0) return "网络连接失败，消息没有发出。请检查网络后点“重试”。";
    if (status === -1) return "助手这次回复得太慢，请稍后点“重试”；如有急事，请拨打12345政务服务便民热线。";
    if (status === 503) return serverMessage || "对话服务暂时不可用，请稍后点“重试”；如有急事，请拨打12345政务服务便民热线。";
    if (status >= 400 && status < 500 && serverMessage) return serverMessage;
    return "服务暂时出现问题，请稍后点“重试”，或拨打12345政务服务便民热线。";
  }

  /* status 0: the request did not get through; -1: no answer within REPLY_TIMEOUT_MS. */
  function post(text, metadata) {
    var payload = { sender_id: senderId(), text: text, metadata: metadata };
    var controller = window.AbortController ? new AbortController() : null;
    var timedOut = false;
    var timer = controller ? window.setTimeout(function () { timedOut = true; controller.abort(); }, REPLY_TIMEOUT_MS) : null;
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload),
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (body) {
        return { status: resp.status, body: body };
      });
    }, function () {
      return { status: timedOut ? -1 : 0, body: null };
    }).then(function (result) {
      if (timer) window.clearTimeout(timer);
      return result;
    });
  }

  function deliver(text, metadata) {
    var conversation = generation;
    setBusy(true);
    return post(text, metadata).then(function (result) {
      if (conversation !== generation) return;  /* 新对话 was started meanwhile */
      setBusy(false);
      var body = result.body;
      if (result.status === 200 && body && Array.isArray(body.messages)) {
        body.messages.forEach(function (m) {
          if (!m || typeof m !== "object") return;
          renderBot(m, true);
          remember({ role: "bot", message: m });
        });
        scrollToEnd();
        return;
      }
      var retryable = result.status <= 0 || result.status >= 500 || result.status === 429;
      renderError(errorText(result.status, body), retryable ? function () { deliver(text, metadata); } : null);
      scrollToEnd();
    });
  }

  /* Send a turn: `text` goes to the service, `opts.shown` is what the resident sees in their bubble. */
  function send(text, opts) {
    opts = opts || {};
    text = String(text).trim();
    if (!text || busy) return;
    if (text.length > MAX_TEXT) {
      announce("消息过长，请控制在" + MAX_TEXT + "字以内。");
      return;
    }
    var shown = opts.shown || text;
    var metadata = { channel: "web" };
    if (opts.metadata) {
      Object.keys(opts.metadata).forEach(function (k) { metadata[k] = opts.metadata[k]; });
    }
    disableOldReplies();
    renderUser(shown);
    remember({ role: "user", text: shown });
    scrollToEnd();
    deliver(text, metadata);
  }

  /* ---------- page actions ---------- */
  /* Keyboard users continue typing; a tap does not pop up the phone's keyboard. */
  function focusInputAfterKeyboard(ev) {
    if (ev && ev.detail === 0) input.focus();
  }

  function applyLarge(on) {
    document.documentElement.classList.toggle("large", on);
    largeToggle.setAttribute("aria-pressed", on ? "true" : "false");
  }

  largeToggle.addEventListener("click", function () {
    var on = largeToggle.getAttribute("aria-pressed") !== "true";
    applyLarge(on);
    save(KEY_LARGE, on ? "1" : "0");
    autosize();
    scrollToEnd();
    announce(on ? "已开启大字模式" : "已关闭大字模式");
  });

  document.getElementById("new-chat").addEventListener("click", function () {
    generation += 1;
    forget(KEY_HISTORY);
    save(KEY_SENDER, newSenderId());
    var nodes = log.querySelectorAll(".msg:not(.welcome)");
    for (var i = 0; i < nodes.length; i++) log.removeChild(nodes[i]);
    setBusy(false);
    input.value = "";
    autosize();
    announce("已开始新对话");
    log.scrollTop = 0;
    input.focus();
  });

  document.getElementById("handoff").addEventListener("click", function (ev) {
    send(HANDOFF_TEXT);
    focusInputAfterKeyboard(ev);
  });

  var quicks = document.querySelectorAll(".quick-start .quick");
  for (var q = 0; q < quicks.length; q++) {
    quicks[q].addEventListener("click", function (ev) {
      send(ev.currentTarget.getAttribute("data-payload"), { shown: ev.currentTarget.textContent });
      focusInputAfterKeyboard(ev);
    });
  }

  document.getElementById("share-location").addEventListener("click", function () {
    if (!navigator.geolocation) {
      renderError("您的浏览器不支持定位。请直接输入所在的市、县（区），例如：“太原市小店区的残联在哪里”。", null);
      scrollToEnd();
      return;
    }
    announce("正在获取您的位置…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var loc = { lat: pos.coords.latitude, lng: pos.coords.longitude, datum: "wgs84" };
      send("/share_location", { shown: "📍 我的位置", metadata: { location: loc } });
    }, function () {
      renderError("没有获取到您的位置（可能未授权定位）。请直接输入所在的市、县（区），例如：“太原市小店区的残联在哪里”。", null);
      scrollToEnd();
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  });

  function autosize() {
    /* Grow with the text; CSS max-height caps it and the textarea scrolls beyond that. */
    input.style.height = "auto";
    input.style.height = (input.scrollHeight + input.offsetHeight - input.clientHeight) + "px";
  }

  input.addEventListener("input", autosize);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy || !input.value.trim()) return;
    var text = input.value;
    input.value = "";
    autosize();
    send(text);
    input.focus();
  });

  /* ---------- start ---------- */
  applyLarge(load(KEY_LARGE) === "1");
  senderId();
  var history = readHistory();
  var lastUser = -1;
  history.forEach(function (entry, i) { if (entry && entry.role === "user") lastUser = i; });
  history.forEach(function (entry, i) {
    if (!entry || typeof entry !== "object") return;
    if (entry.role === "user" && isString(entry.text)) renderUser(entry.text);
    else if (entry.role === "bot" && entry.message && typeof entry.message === "object") {
      renderBot(entry.message, i > lastUser);
    }
  });
  scrollToEnd();
})();
