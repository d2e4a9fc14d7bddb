/* 12345坐席辅助 — staff console. Vanilla JS; every text from the service goes in through textContent. */
(function () {
  "use strict";

  var TOKEN_KEY = "assist_token";
  var CALL_KEY = "assist_call_id";
  var CALL_ID = /^[A-Za-z0-9_.:\-]{1,128}$/;
  var CARDS = ["checklist", "answers", "script", "offices", "summary"];
  var CARD_NAMES = { checklist: "资格与待确认事项", answers: "政策解答", script: "答复口径", offices: "办理地点", summary: "工单摘要" };
  var OUTCOME = { eligible: "符合条件", not_eligible: "暂不符合", needs_more_info: "待补充情况", refer_locally: "按当地政策" };

  var $ = function (id) { return document.getElementById(id); };
  var store = window.sessionStorage;
  var role = "caller";
  var busy = false;
  var plain = { checklist: "", answers: "", script: "", offices: "", summary: "" };

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === "") continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function announce(text) {
    var a = $("announcer");
    a.textContent = "";
    window.setTimeout(function () { a.textContent = text; }, 30);
  }

  function setStatus(text, isError) {
    var s = $("status");
    s.textContent = text || "";
    s.classList.toggle("error", !!isError);
  }

  function newCallId() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var rand = Math.floor(Math.random() * 0xffff).toString(16);
    return "c" + d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + "-" + pad(d.getHours()) +
      pad(d.getMinutes()) + pad(d.getSeconds()) + "-" + rand;
  }

  // ------------------------------------------------------------------ API
  function ApiFailure(status, message) { this.status = status; this.message = message; }

  function api(method, path, body) {
    var headers = { "Authorization": "Bearer " + (store.getItem(TOKEN_KEY) || "") };
    if (body) headers["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .catch(function () { throw new ApiFailure(0, "网络连接失败，请检查网络后重试。"); })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          if (resp.ok) return data;
          var msg = (data && data.error && data.error.message) || "请求失败（" + resp.status + "），请稍后重试。";
          throw new ApiFailure(resp.status, msg);
        });
      });
  }

  // ------------------------------------------------------------------ login
  function showLogin(message) {
    store.removeItem(TOKEN_KEY);
    $("console").hidden = true;
    $("login").hidden = false;
    var err = $("login-error");
    err.hidden = !message;
    err.textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }

  function showConsole() {
    $("login").hidden = true;
    $("console").hidden = false;
    $("line").focus();
  }

  function loadCall(callId) {
    $("call-id").value = callId;
    store.setItem(CALL_KEY, callId);
    return api("GET", "/api/assist/" + encodeURIComponent(callId)).then(function (view) {
      render(view);
      return true;
    }).catch(function (e) {
      if (e.status === 404) { render(null); return true; }
      throw e;
    });
  }

  // Check the token, then restore the tab's call (sessionStorage) or start a new one.
  function start() {
    return api("GET", "/api/assist").then(function (me) {
      $("staff-id").textContent = "坐席：" + me.staff_id;
      var saved = store.getItem(CALL_KEY);
      var ready = saved ? loadCall(saved) : Promise.resolve(render(null));
      if (!saved) { var id = newCallId(); $("call-id").value = id; store.setItem(CALL_KEY, id); }
      return ready.then(function () { showConsole(); return me; });
    });
  }

  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var token = $("token").value.trim();
    if (!token) return;
    store.setItem(TOKEN_KEY, token);
    $("login-btn").disabled = true;
    start().then(function (me) {
      announce("已登录（" + me.staff_id + "），通话编号 " + $("call-id").value);
    }).catch(function (e) {
      showLogin(e.status === 401 ? "令牌无效，请核对后重新输入。" : e.message);
    }).then(function () { $("login-btn").disabled = false; });
  });

  $("logout").addEventListener("click", function () { showLogin("已退出。"); });

  function handleFailure(e) {
    if (e.status === 401) { showLogin("登录已失效，请重新输入令牌。"); return; }
    setStatus(e.message, true);
    announce(e.message);
  }

  // ------------------------------------------------------------------ lines
  function setRole(next) {
    role = next;
    var t = $("role-toggle");
    t.textContent = role === "caller" ? "来电人" : "坐席";
    t.setAttribute("aria-pressed", role === "staff" ? "true" : "false");
    $("line").placeholder = role === "caller" ? "来电人说的话（回车添加；Ctrl+回车记为坐席发言）" : "坐席说的话（回车添加）";
    announce("当前发言人：" + t.textContent);
  }

  function addLine(lineRole) {
    var input = $("line");
    var text = input.value.trim();
    if (!text || busy) return;
    var callId = $("call-id").value.trim();
    if (!CALL_ID.test(callId)) { setStatus("通话编号只能包含字母、数字或 _ . : -（最多128个字符）。", true); return; }
    busy = true;
    $("add-line").disabled = true;
    $("transcript").setAttribute("aria-busy", "true");
    setStatus("正在分析…");
    api("POST", "/api/assist", { call_id: callId, utterance: text, role: lineRole }).then(function (view) {
      input.value = "";
      store.setItem(CALL_KEY, callId);
      render(view);
      setStatus(view.degraded ? "意图识别暂不可用，其余提示照常更新。" : "已更新。");
    }).catch(handleFailure).then(function () {
      busy = false;
      $("add-line").disabled = false;
      $("transcript").setAttribute("aria-busy", "false");
      input.focus();
    });
  }

  $("composer").addEventListener("submit", function (ev) { ev.preventDefault(); addLine(role); });
  $("role-toggle").addEventListener("click", function () { setRole(role === "caller" ? "staff" : "caller"); });
  $("line").addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || ev.shiftKey || ev.isComposing) return;
    ev.preventDefault();
    addLine(ev.ctrlKey || ev.metaKey ? "staff" : role);
  });

  function newCall() {
    var old = $("call-id").value.trim();
    var done = CALL_ID.test(old) && $("transcript").querySelector("li:not(.empty)")
      ? api("DELETE", "/api/assist/" + encodeURIComponent(old)).catch(function (e) { if (e.status === 401) throw e; })
      : Promise.resolve();
    return done.then(function () {
      var id = newCallId();
      $("call-id").value = id;
      store.setItem(CALL_KEY, id);
      render(null);
      setRole("caller");
      setStatus("已开始新通话。");
      announce("已开始新通话 " + id);
      $("line").focus();
    }).catch(handleFailure);
  }
  $("new-call").addEventListener("click", newCall);

  $("call-id").addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    var id = $("call-id").value.trim();
    if (!CALL_ID.test(id)) { setStatus("通话编号只能包含字母、数字或 _ . : -（最多128个字符）。", true); return; }
    loadCall(id).then(function () { setStatus("已载入通话 " + id + "。"); $("line").focus(); }).catch(handleFailure);
  });

  // ------------------------------------------------------------------ rendering
  function render(view) {
    renderTranscript(view ? view.transcript : []);
    renderChecklist(view);
    renderAnswers(view ? view.answers : []);
    renderScript(view ? view.script : "");
    renderOffices(view);
    renderSummary(view ? view.summary : null);
  }

  function renderTranscript(lines) {
    var box = $("transcript");
    clear(box);
    if (!lines.length) { box.appendChild(el("li", { className: "empty", text: "在下方输入来电人说的话，按回车添加。" })); return; }
    lines.forEach(function (l) {
      box.appendChild(el("li", { className: l.role }, el("span", { className: "who", text: l.role === "caller" ? "来电人" : "坐席" }), l.text));
    });
    box.scrollTop = box.scrollHeight;
  }

  function placeholder(body, text) { clear(body); body.appendChild(el("p", { className: "muted", text: text })); }

  function renderChecklist(view) {
    var body = $("body-checklist");
    var results = view ? view.eligibility : [];
    if (!results.length) { placeholder(body, "来电人说明情况后，这里显示各项补贴的判断和还要问的问题。"); plain.checklist = ""; return; }
    clear(body);
    var text = [];
    results.forEach(function (r) {
      var docs = r.doc_numbers.length ? r.doc_numbers.join("、") : r.documents.join("、");
      body.appendChild(el("h3", { className: "program", "data-program": r.program }, r.label,
        el("span", { className: "badge " + r.outcome, text: OUTCOME[r.outcome] || r.outcome })));
      if (docs) body.appendChild(el("p", { className: "docs", text: "依据：" + docs }));
      text.push(r.label + "：" + (OUTCOME[r.outcome] || r.outcome) + (docs ? "（依据：" + docs + "）" : ""));
      if (r.eligible_if) {
        body.appendChild(el("p", { className: "docs", text: "如果" + r.eligible_if.text + "，即符合条件。" }));
      }
    });
    var items = view.checklist || [];
    if (items.length) {
      body.appendChild(el("h3", { text: "还要问来电人（按重要程度）" }));
      var ol = el("ol", { className: "checklist" });
      text.push("还要问来电人：");
      items.forEach(function (item, i) {
        var li = el("li", { "data-fact": item.fact }, el("span", { className: "ask", text: item.question }));
        if (item.unknown) li.appendChild(el("p", { className: "unknown-help", text: "来电人不清楚：" + item.help }));
        ol.appendChild(li);
        text.push((i + 1) + ". " + item.question + (item.unknown ? "（来电人不清楚：" + item.help + "）" : ""));
      });
      body.appendChild(ol);
    } else {
      body.appendChild(el("p", { className: "muted", text: "判断所需的情况已经齐全。" }));
    }
    plain.checklist = text.join("\n");
  }

  function citeText(c) { return [c.doc_id, c.section].filter(Boolean).join(" · "); }

  function renderAnswers(answers) {
    var body = $("body-answers");
    if (!answers || !answers.length) { placeholder(body, "来电人问政策时，这里显示知识库的原文解答和出处。"); plain.answers = ""; return; }
    clear(body);
    var text = [];
    answers.forEach(function (a) {
      body.appendChild(el("h3", { text: "问：" + a.question }));
      if (a.note) { body.appendChild(el("p", { className: "note", text: a.note })); }
      body.appendChild(el("p", { className: "answer", text: a.answer }));
      text.push("问：" + a.question, "答：" + (a.note ? a.note + " " : "") + a.answer);
      (a.citations || []).forEach(function (c) {
        body.appendChild(el("p", { className: "cite", text: "出处：" + citeText(c) + "\n“" + c.quote + "”" }));
        text.push("出处：" + citeText(c));
      });
    });
    plain.answers = text.join("\n");
  }

  function renderScript(script) {
    var body = $("body-script");
    if (!script) { placeholder(body, "可直接念给来电人听的答复。"); plain.script = ""; return; }
    clear(body);
    body.appendChild(el("p", { className: "script-text", text: script }));
    plain.script = script;
  }

  function renderOffices(view) {
    var body = $("body-offices");
    var points = view ? view.service_points : [];
    if (!points.length) { placeholder(body, "来电人说出户籍或所在县（区）后显示。"); plain.offices = ""; return; }
    clear(body);
    var text = [];
    points.forEach(function (p) {
      var lines = [
        p.address ? "地址：" + p.address : "地址：暂缺，请以12345核实",
        p.phone ? "电话：" + p.phone : null,
        p.hours ? "办公时间：" + p.hours : null
      ].filter(Boolean);
      var div = el("div", { className: "office", "data-type": p.type }, el("h3", { text: p.name }));
      lines.forEach(function (l) { div.appendChild(el("p", { text: l })); });
      body.appendChild(div);
      text.push(p.name + "\n" + lines.join("\n"));
    });
    plain.offices = text.join("\n\n");
  }

  function renderSummary(summary) {
    var body = $("body-summary");
    if (!summary) { placeholder(body, "来电诉求、涉及政策、答复口径、办理部门、是否需转办。"); plain.summary = ""; return; }
    clear(body);
    var rows = [["来电诉求", summary.request], ["涉及政策", summary.policies], ["答复口径", summary.reply],
      ["办理部门", summary.departments], ["是否需转办", summary.transfer.text]];
    var dl = el("dl", { className: "summary" });
    rows.forEach(function (r) { dl.appendChild(el("dt", { text: r[0] })); dl.appendChild(el("dd", { text: r[1] })); });
    body.appendChild(dl);
    plain.summary = summary.text;
  }

  // ------------------------------------------------------------------ copy
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = el("textarea", { "aria-hidden": "true", readonly: "" });
      area.value = text;
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function copyCard(card) {
    var btn = document.querySelector('.copy[data-card="' + card + '"]');
    if (!plain[card]) { announce(CARD_NAMES[card] + "暂无内容可复制。"); return; }
    copyText(plain[card]).then(function () {
      btn.textContent = "已复制";
      btn.classList.add("done");
      announce("已复制" + CARD_NAMES[card]);
      window.setTimeout(function () { btn.textContent = "复制"; btn.classList.remove("done"); }, 1500);
    }).catch(function () { announce("复制失败，请手动选择文字复制。"); });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".copy"), function (btn) {
    btn.addEventListener("click", function () { copyCard(btn.getAttribute("data-card")); });
  });

  // ------------------------------------------------------------------ shortcuts
  document.addEventListener("keydown", function (ev) {
    if ($("console").hidden) return;
    if (ev.key === "Escape") { $("line").focus(); return; }
    if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var key = ev.code;
    if (/^Digit[1-5]$/.test(key)) { ev.preventDefault(); copyCard(CARDS[Number(key.slice(5)) - 1]); }
    else if (key === "KeyR") { ev.preventDefault(); setRole(role === "caller" ? "staff" : "caller"); }
    else if (key === "KeyN") { ev.preventDefault(); newCall(); }
    else if (key === "KeyI") { ev.preventDefault(); $("line").focus(); }
  });

  // ------------------------------------------------------------------ start
  if (store.getItem(TOKEN_KEY)) {
    start().catch(function (e) {
      showLogin(e.status === 401 ? "登录已失效，请重新输入令牌。" : e.message);
    });
  } else {
    showLogin("");
  }
})();
