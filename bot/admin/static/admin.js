/* 管理后台: talks only to /api/admin/... (and nothing else). No HTML strings for data: every text goes in
   through textContent; the server's SVG charts are parsed as XML and imported. */
(function () {
  "use strict";

  var KEY_TOKEN = "sxmz.admin.token";
  var KEY_LARGE = "sxmz.large_mode";
  var state = { token: null, me: null, tab: "unanswered", diff: null, csv: null };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function announce(text) { $("announcer").textContent = ""; setTimeout(function () { $("announcer").textContent = text; }, 30); }
  function status(text, kind) {
    var s = $("status");
    s.textContent = text || "";
    s.className = "status" + (kind ? " " + kind : "");
  }
  function isPublisher() { return state.me && state.me.role === "publisher"; }

  // ------------------------------------------------------------------------------------ API
  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = { "Authorization": "Bearer " + state.token };
    var payload = body;
    if (body !== undefined && body !== null && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return fetch(path, { method: method, headers: headers, body: payload }).then(function (resp) {
      if (opts.raw && resp.ok) { return resp; }
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var err = new Error((data && data.error && data.error.message) || ("请求失败（" + resp.status + "）"));
          err.status = resp.status;
          err.field = data && data.error && data.error.field;
          err.data = data;
          if (resp.status === 401) { logout("登录已失效，请重新输入令牌。"); }
          throw err;
        }
        return data;
      });
    });
  }
  function fail(err, box) {
    if (box) { box.textContent = err.message; box.hidden = false; box.focus && box.setAttribute("tabindex", "-1"); }
    status(err.message, "error");
    announce(err.message);
  }
  function busy(button, on) {
    if (!button) { return; }
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
  }

  // ------------------------------------------------------------------------------------ login
  function login(token) {
    state.token = token;
    return api("GET", "/api/admin/me").then(function (me) {
      state.me = me;
      sessionStorage.setItem(KEY_TOKEN, token);
      $("login").hidden = true;
      $("console").hidden = false;
      $("who").textContent = me.name + "（" + (me.role === "publisher" ? "发布人" : "编辑") + "）";
      document.querySelectorAll(".publisher-only").forEach(function (b) {
        if (!isPublisher()) { b.disabled = true; b.title = "需要发布人权限"; }
      });
      selectTab(state.tab, false);
    });
  }
  function logout(message) {
    sessionStorage.removeItem(KEY_TOKEN);
    state.token = null;
    state.me = null;
    $("console").hidden = true;
    $("login").hidden = false;
    var e = $("login-error");
    e.hidden = !message;
    e.textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }
  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var token = $("token").value.trim();
    if (!token) { return; }
    busy($("login-btn"), true);
    login(token).catch(function (err) {
      $("login-error").textContent = err.status === 401 ? "令牌无效，请检查后重试。" : err.message;
      $("login-error").hidden = false;
      $("token").focus();
    }).then(function () { busy($("login-btn"), false); });
  });
  $("logout").addEventListener("click", function () { logout(""); });

  // 大字模式 (shared with the residents' page)
  function setLarge(on) {
    document.documentElement.classList.toggle("large", on);
    $("large-toggle").setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem(KEY_LARGE, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }
  $("large-toggle").addEventListener("click", function () {
    setLarge($("large-toggle").getAttribute("aria-pressed") !== "true");
  });
  try { setLarge(localStorage.getItem(KEY_LARGE) === "1"); } catch (e) { /* ignore */ }

  // ------------------------------------------------------------------------------------ tabs
  var TABS = ["unanswered", "documents", "curated", "rules", "points", "dashboard", "audit"];
  var LOADERS = {};
  function selectTab(name, focus) {
    state.tab = name;
    TABS.forEach(function (t) {
      var tab = $("tab-" + t), panel = $("panel-" + t), on = t === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
    });
    if (focus) { $("tab-" + name).focus(); }
    status("");
    if (LOADERS[name]) { LOADERS[name](); }
  }
  TABS.forEach(function (t, i) {
    var tab = $("tab-" + t);
    tab.addEventListener("click", function () { selectTab(t, false); });
    tab.addEventListener("keydown", function (ev) {
      var k = ev.key, j = null;
      if (k === "ArrowRight") { j = (i + 1) % TABS.length; }
      else if (k === "ArrowLeft") { j = (i - 1 + TABS.length) % TABS.length; }
      else if (k === "Home") { j = 0; }
      else if (k === "End") { j = TABS.length - 1; }
      if (j !== null) { ev.preventDefault(); selectTab(TABS[j], true); }
    });
  });

  // ------------------------------------------------------------------------------------ shared renderers
  function table(caption, headers, rows) {
    var t = el("table");
    if (caption) { t.appendChild(el("caption", null, caption)); }
    var head = el("thead"), tr = el("tr");
    headers.forEach(function (h) { var th = el("th", null, h); th.scope = "col"; tr.appendChild(th); });
    head.appendChild(tr);
    t.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (cells) {
      var r = el("tr");
      cells.forEach(function (c) {
        var td = el("td");
        if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c === null || c === undefined ? "" : String(c); }
        r.appendChild(td);
      });
      body.appendChild(r);
    });
    t.appendChild(body);
    return t;
  }
  function answerCell(a, cls) {
    var box = el("div", cls);
    box.appendChild(el("div", "answer", a.answer === null || a.answer === undefined ? "（答不上）" : a.answer));
    if (a.source_label) { box.appendChild(el("span", "cite", a.source_label)); }
    (a.source_label ? [] : (a.citations || [])).forEach(function (c) {
      box.appendChild(el("span", "cite", "出处：" + (c.doc_title ? "《" + c.doc_title + "》" : c.doc_id) +
        (c.doc_number ? "（" + c.doc_number + "）" : "") + (c.section ? " " + c.section : "")));
    });
    return box;
  }
  var GROUP_NAMES = { golden: "常考问题", unanswered: "答不上的问题", curated: "本次问答", document: "文件自身" };
  function impactView(report) {
    var box = el("div", "stack");
    if (!report) { box.appendChild(el("p", "muted", "（没有影响报告）")); return box; }
    var parts = [];
    Object.keys(report.groups || {}).forEach(function (g) {
      var s = report.groups[g];
      if (s.checked) {
        parts.push((GROUP_NAMES[g] || g) + " " + s.checked + " 个：答案变化 " + s.changed + " 个，能回答 " +
          s.answered_before + " → " + s.answered_after);
      }
    });
    box.appendChild(el("p", null, "影响报告：检查了 " + report.checked + " 个问题。" + parts.join("；")));
    if (!report.changed.length) { box.appendChild(el("p", "muted", "没有答案发生变化。")); return box; }
    var rows = report.changed.map(function (c) {
      return [el("span", null, c.question), el("span", "tag", GROUP_NAMES[c.group] || c.group),
        answerCell(c.before, "before"), answerCell(c.after, "after")];
    });
    var t = table("答案变化（之前 → 之后）", ["问题", "来源", "之前", "之后"], rows);
    t.className = "impact";
    t.querySelectorAll("tbody tr").forEach(function (tr) {
      tr.children[2].className = "before";
      tr.children[3].className = "after";
    });
    box.appendChild(t);
    return box;
  }
  function button(text, cls, onClick, publisherOnly) {
    var b = el("button", cls || "chip", text);
    b.type = "button";
    if (publisherOnly && !isPublisher()) { b.disabled = true; b.title = "需要发布人权限"; }
    b.addEventListener("click", function () { onClick(b); });
    return b;
  }

  // ------------------------------------------------------------------------------------ unanswered
  var REASONS = { fallback: "没听懂", not_in_sources: "资料中没有", low_confidence: "把握不大", handoff: "转人工" };
  var CHANNELS = { web: "网页", wx: "微信", api: "接口" };
  function sparkline(trend) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 140 30");
    svg.setAttribute("class", "spark");
    svg.setAttribute("role", "img");
    var max = Math.max.apply(null, trend.map(function (d) { return d.count; }).concat([1]));
    var label = "每日次数：" + trend.filter(function (d) { return d.count; }).map(function (d) { return d.day.slice(5) + " " + d.count; }).join("，");
    svg.setAttribute("aria-label", label || "近期没有");
    var w = 140 / trend.length;
    trend.forEach(function (d, i) {
      var h = 26 * d.count / max;
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("x", String(i * w + 1));
      r.setAttribute("y", String(28 - h));
      r.setAttribute("width", String(Math.max(1, w - 2)));
      r.setAttribute("height", String(Math.max(h, d.count ? 1 : 0.5)));
      r.setAttribute("fill", "#c05621");
      svg.appendChild(r);
    });
    return svg;
  }
  function loadUnanswered() {
    var box = clear($("topics"));
    box.appendChild(el("p", "muted", "正在加载…"));
    api("GET", "/api/admin/unanswered?days=" + $("unanswered-days").value).then(function (data) {
      clear(box);
      box.appendChild(el("p", null, "共 " + data.total + " 条，归为 " + data.topics.length + " 个主题。"));
      if (!data.topics.length) { box.appendChild(el("p", "muted", "这段时间没有答不上的问题。")); }
      data.topics.forEach(function (t) {
        var card = el("article", "topic");
        card.setAttribute("aria-label", "主题：" + t.label);
        var h = el("h3");
        h.appendChild(el("span", "count", t.count + " 次"));
        h.appendChild(el("span", null, t.label));
        card.appendChild(h);
        var meta = el("p", "muted");
        meta.textContent = "最近：" + t.last_seen + "　原因：" + Object.keys(t.reasons).map(function (r) { return (REASONS[r] || r) + t.reasons[r]; }).join("、") +
          "　渠道：" + Object.keys(t.channels).map(function (c) { return (CHANNELS[c] || c) + t.channels[c]; }).join("、");
        card.appendChild(meta);
        card.appendChild(sparkline(t.trend));
        var ul = el("ul");
        t.examples.forEach(function (e) {
          var li = el("li");
          li.appendChild(el("span", "example", e.question));
          li.appendChild(el("span", "cite", (CHANNELS[e.channel] || e.channel) + " · " + e.time + " · " + (REASONS[e.reason] || e.reason) + " · 知识库 " + (e.kb_version || "—")));
          ul.appendChild(li);
        });
        card.appendChild(ul);
        var actions = el("div", "row");
        actions.appendChild(button("为这个主题写常见问答", "chip", function () {
          resetCurated();
          $("cf-question").value = t.examples[0] ? t.examples[0].question : "";
          $("cf-paraphrases").value = t.examples.slice(1).map(function (e) { return e.question; }).join("\n");
          selectTab("curated", true);
          $("cf-question").focus();
        }));
        var result = el("div", "check-result");
        result.setAttribute("aria-live", "polite");
        actions.appendChild(button("检查候选版本能否回答", "chip", function (b) {
          busy(b, true);
          api("POST", "/api/admin/unanswered/check", { topic_id: t.topic_id }).then(function (r) {
            clear(result);
            var ok = r.answered_candidate;
            result.appendChild(el("p", ok ? "tag ok" : "tag warn", "候选版本能回答 " + ok + " / " + r.questions.length +
              "（当前版本 " + r.answered_serving + "）"));
            result.appendChild(table(null, ["问题", "当前", "候选"], r.questions.map(function (q) {
              return [q.question, answerCell(q.serving), answerCell(q.candidate)];
            })));
            announce("候选版本能回答 " + ok + " 个问题");
          }).catch(function (err) { fail(err); }).then(function () { busy(b, false); });
        }));
        card.appendChild(actions);
        card.appendChild(result);
        box.appendChild(card);
      });
    }).catch(function (err) { clear(box); fail(err); });
  }
  LOADERS.unanswered = loadUnanswered;
  $("unanswered-refresh").addEventListener("click", loadUnanswered);
  $("unanswered-days").addEventListener("change", loadUnanswered);

  // ------------------------------------------------------------------------------------ documents
  function loadDocuments() {
    api("GET", "/api/admin/versions").then(function (data) {
      var current = data.versions.filter(function (v) { return v.current; })[0];
      var docs = clear($("doc-list"));
      docs.appendChild(table("当前版本 " + (data.current || "—"), ["标题", "文号", "发文机关", "日期", "施行", ""],
        (current ? current.documents : []).map(function (d) {
          var cell = d.builtin ? el("span", "muted", "内置") : button("删除（生成候选）", "chip danger", function (b) {
            if (!window.confirm("生成一个不含《" + d.title + "》的候选版本？")) { return; }
            busy(b, true);
            status("正在生成候选版本…");
            api("DELETE", "/api/admin/documents/" + encodeURIComponent(d.doc_id)).then(function (r) {
              showCandidate(r.candidate, r.impact);
              status("已生成候选版本 " + r.candidate, "ok");
              loadDocuments();
            }).catch(function (err) { fail(err); }).then(function () { busy(b, false); });
          });
          return [d.title, d.doc_number, d.issuer, d.date, d.effective_date, cell];
        })));
      var list = clear($("version-list"));
      list.appendChild(table(null, ["版本", "创建时间", "文件数", "说明", "状态", ""], data.versions.map(function (v) {
        var mark = v.current ? el("span", "tag ok", "正在使用") : (v.candidate ? el("span", "tag warn", "候选") : el("span"));
        var act = v.current ? el("span") : button("回滚到此版本", "chip", function (b) {
          if (!window.confirm("改用版本 " + v.version + "？")) { return; }
          busy(b, true);
          api("POST", "/api/admin/rollback", { version: v.version }).then(function (r) {
            status("已回滚：现在使用 " + r.current, "ok");
            announce("已回滚");
            loadDocuments();
          }).catch(function (err) { fail(err); }).then(function () { busy(b, false); });
        }, true);
        if (v.candidate) { act = el("span"); }
        return [v.version, v.created_at, (v.counts || {}).documents, v.note, mark, act];
      })));
      return api("GET", "/api/admin/candidate").then(function (c) { showCandidate(c.candidate, c.impact); });
    }).catch(function (err) { fail(err); });
  }
  function showCandidate(version, report) {
    var box = clear($("candidate-body"));
    if (!version) { box.appendChild(el("p", "muted", "没有待发布的候选版本。")); return; }
    box.appendChild(el("p", null, "候选版本：" + version));
    var row = el("div", "row");
    row.appendChild(button("发布候选版本", "primary-btn", function (b) {
      busy(b, true);
      api("POST", "/api/admin/publish").then(function (r) {
        status("已发布：现在使用 " + r.current, "ok");
        announce("已发布");
        loadDocuments();
      }).catch(function (err) { fail(err); }).then(function () { busy(b, false); });
    }, true));
    row.appendChild(button("放弃候选版本", "chip danger", function (b) {
      busy(b, true);
      api("DELETE", "/api/admin/candidate").then(function () { status("已放弃候选版本"); loadDocuments(); })
        .catch(function (err) { fail(err); }).then(function () { busy(b, false); });
    }));
    box.appendChild(row);
    if (!isPublisher()) { box.appendChild(el("p", "muted", "发布需要发布人权限：请通知发布人审核。")); }
    box.appendChild(impactView(report));
  }
  LOADERS.documents = loadDocuments;
  $("upload-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var err = $("upload-error");
    err.hidden = true;
    var file = $("up-file").files[0];
    if (!file) { return; }
    var form = new FormData();
    form.append("file", file, file.name);
    ["title", "doc_number", "issuer", "date", "effective_date"].forEach(function (k) {
      form.append(k, ev.target.elements[k].value.trim());
    });
    var b = ev.target.querySelector("button[type=submit]");
    busy(b, true);
    status("正在解析文件、构建候选版本并生成影响报告，请稍候…");
    api("POST", "/api/admin/documents", form).then(function (r) {
      status("候选版本已生成：" + r.candidate + "，有 " + r.impact.changed.length + " 个答案变化。", "ok");
      announce("候选版本已生成");
      ev.target.reset();
      loadDocuments();
    }).catch(function (e) { fail(e, err); }).then(function () { busy(b, false); });
  });

  // ------------------------------------------------------------------------------------ curated answers
  function srcType() { return $("cf-type").value; }
  function showSrcFields() {
    $("cf-kb").hidden = srcType() !== "kb_passage";
    $("cf-rules").hidden = srcType() !== "rules";
    $("cf-doc").hidden = srcType() !== "document";
  }
  $("cf-type").addEventListener("change", showSrcFields);
  function resetCurated() {
    $("curated-form").reset();
    $("cf-id").value = "";
    $("cf-chunk").value = "";
    clear($("cf-results"));
    $("curated-form-title").textContent = "新增问答";
    $("cf-submit").textContent = "加入候选版本";
    $("curated-error").hidden = true;
    showSrcFields();
  }
  $("cf-reset").addEventListener("click", resetCurated);
  function doSearch() {
    var q = $("cf-search").value.trim();
    if (!q) { return; }
    api("GET", "/api/admin/kb/search?q=" + encodeURIComponent(q)).then(function (r) {
      var box = clear($("cf-results"));
      r.results.forEach(function (p) {
        var card = el("div", "card");
        card.appendChild(el("span", "cite", p.section));
        card.appendChild(el("p", null, p.text.length > 220 ? p.text.slice(0, 220) + "…" : p.text));
        card.appendChild(button("用这段作出处", "chip", function () {
          $("cf-chunk").value = p.chunk_id;
          announce("已选中片段 " + p.chunk_id);
          $("cf-quote").focus();
        }));
        box.appendChild(card);
      });
      if (!r.results.length) { box.appendChild(el("p", "muted", "没有找到。")); }
    }).catch(function (err) { fail(err); });
  }
  $("cf-search-btn").addEventListener("click", doSearch);
  $("cf-search").addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); doSearch(); } });
  $("curated-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var err = $("curated-error");
    err.hidden = true;
    var source = { type: srcType() };
    var quote = $("cf-quote").value.trim();
    if (quote) { source.quote = quote; }
    if (source.type === "kb_passage") { source.chunk_id = $("cf-chunk").value; }
    if (source.type === "rules") {
      source.program = $("cf-program").value;
      if ($("cf-source-key").value.trim()) { source.source_key = $("cf-source-key").value.trim(); }
    }
    if (source.type === "document") { source.title = $("cf-doc-title").value.trim(); source.doc_number = $("cf-doc-number").value.trim(); }
    var body = {
      question: $("cf-question").value.trim(),
      paraphrases: $("cf-paraphrases").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean),
      answer: $("cf-answer").value.trim(),
      source: source
    };
    var id = $("cf-id").value;
    var b = $("cf-submit");
    busy(b, true);
    status("正在生成问答候选版本和影响报告…");
    api(id ? "PUT" : "POST", "/api/admin/curated" + (id ? "/" + encodeURIComponent(id) : ""), body).then(function (r) {
      status("问答候选版本已生成：" + r.candidate, "ok");
      announce("问答候选版本已生成");
      resetCurated();
      loadCurated(r.impact);
    }).catch(function (e) { fail(e, err); }).then(function () { busy(b, false); });
  });
  function itemRows(items, editable) {
    return items.map(function (it) {
      var actions = el("div", "row");
      if (editable) {
        actions.appendChild(button("修改", "chip", function () {
          resetCurated();
          $("cf-id").value = it.id;
          $("cf-question").value = it.question;
          $("cf-paraphrases").value = (it.paraphrases || []).join("\n");
          $("cf-answer").value = it.answer;
          $("cf-type").value = it.source.type;
          $("cf-chunk").value = it.source.chunk_id || "";
          $("cf-program").value = it.source.program || $("cf-program").value;
          $("cf-source-key").value = it.source.source_key || "";
          $("cf-doc-title").value = it.source.title || "";
          $("cf-doc-number").value = it.source.doc_number || "";
          $("cf-quote").value = it.source.quote || "";
          $("curated-form-title").textContent = "修改问答";
          $("cf-submit").textContent = "保存到候选版本";
          showSrcFields();
          $("cf-question").focus();
        }));
        actions.appendChild(button("删除", "chip danger", function (b) {
          busy(b, true);
          api("DELETE", "/api/admin/curated/" + encodeURIComponent(it.id)).then(function (r) { loadCurated(r.impact); })
            .catch(function (err) { fail(err); }).then(function () { busy(b, false); });
        }));
      }
      return [it.question, (it.paraphrases || []).join(" / "), answerCell({ answer: it.answer, source_label: it.source_label }), it.updated_by, actions];
    });
  }
  function loadCurated(report) {
    api("GET", "/api/admin/curated").then(function (d) {
      var cand = clear($("curated-candidate"));
      if (d.candidate) {
        cand.appendChild(el("p", null, "候选版本：" + d.candidate));
        var row = el("div", "row");
        row.appendChild(button("发布问答", "primary-btn", function (b) {
          busy(b, true);
          api("POST", "/api/admin/curated/publish").then(function (r) { status("问答已发布：" + r.current, "ok"); announce("问答已发布"); loadCurated(); })
            .catch(function (err) { fail(err); }).then(function () { busy(b, false); });
        }, true));
        row.appendChild(button("放弃候选版本", "chip danger", function (b) {
          busy(b, true);
          api("DELETE", "/api/admin/curated/candidate").then(function () { loadCurated(); })
            .catch(function (err) { fail(err); }).then(function () { busy(b, false); });
        }));
        cand.appendChild(row);
        cand.appendChild(table(null, ["问题", "其他问法", "答案与出处", "编辑人", ""], itemRows(d.candidate_items || [], true)));
        cand.appendChild(impactView(report || d.impact));
      } else {
        cand.appendChild(el("p", "muted", "没有待发布的问答候选版本。"));
      }
      clear($("curated-list")).appendChild(table(null, ["问题", "其他问法", "答案与出处", "编辑人", ""], itemRows(d.items, !d.candidate)));
      clear($("curated-versions")).appendChild(table(null, ["版本", "创建时间", "条数", "说明", "状态", ""], d.versions.slice().reverse().map(function (v) {
        var mark = v.current ? el("span", "tag ok", "正在使用") : (v.candidate ? el("span", "tag warn", "候选") : el("span"));
        var act = (v.current || v.candidate) ? el("span") : button("回滚到此版本", "chip", function (b) {
          busy(b, true);
          api("POST", "/api/admin/curated/rollback", { version: v.version }).then(function () { status("问答已回滚", "ok"); loadCurated(); })
            .catch(function (err) { fail(err); }).then(function () { busy(b, false); });
        }, true);
        return [v.version, v.created_at, v.items, v.note, mark, act];
      })));
    }).catch(function (err) { fail(err); });
    if (!$("cf-program").options.length) {
      api("GET", "/api/admin/rules").then(function (r) {
        r.programs.forEach(function (p) { var o = el("option", null, p.label + "（" + p.program + "）"); o.value = p.program; $("cf-program").appendChild(o); });
      }).catch(function () { /* the rules tab shows the error */ });
    }
  }
  LOADERS.curated = function () { showSrcFields(); loadCurated(); };

  // ------------------------------------------------------------------------------------ rules
  function loadRules() {
    var sel = $("rules-program");
    var fill = sel.options.length ? Promise.resolve() : api("GET", "/api/admin/rules").then(function (r) {
      r.programs.forEach(function (p) {
        var o = el("option", null, p.label + "（" + p.file + "，" + p.cases + " 个案例）");
        o.value = p.program;
        sel.appendChild(o);
      });
    });
    fill.then(function () { return api("GET", "/api/admin/rules/" + encodeURIComponent(sel.value)); })
      .then(function (r) { $("rules-text").value = r.text; clear($("rules-result")); })
      .catch(function (err) { fail(err); });
  }
  function rulesReport(r) {
    var box = clear($("rules-result"));
    box.appendChild(el("p", r.ok ? "tag ok" : "tag bad", r.ok ? "规则检查通过" : "规则检查未通过"));
    if (r.problems.length) {
      var ul = el("ul");
      r.problems.forEach(function (p) { ul.appendChild(el("li", null, p)); });
      box.appendChild(ul);
    }
    if (r.ok) {
      box.appendChild(el("p", null, "测算案例 " + r.cases.total + " 个；结果改变 " + r.cases.changed.length + " 个；与预期不符 " + r.cases.failing.length + " 个。"));
      function fmt(o) { return o.outcome + (o.amount !== null && o.amount !== undefined ? "（" + o.amount + "）" : ""); }
      if (r.cases.changed.length) {
        box.appendChild(table("结果会改变的案例", ["案例", "之前", "之后", "案例预期"], r.cases.changed.map(function (c) {
          return [c.case, fmt(c.before), fmt(c.after), c.expected];
        })));
      }
    }
    announce(r.ok ? "检查通过，" + r.cases.changed.length + " 个案例结果改变" : "检查未通过");
  }
  LOADERS.rules = loadRules;
  $("rules-program").addEventListener("change", loadRules);
  $("rules-check").addEventListener("click", function () {
    var b = $("rules-check");
    busy(b, true);
    status("正在检查规则并运行测算案例…");
    api("POST", "/api/admin/rules/" + encodeURIComponent($("rules-program").value) + "/validate", { text: $("rules-text").value })
      .then(function (r) { status(""); rulesReport(r); }).catch(function (err) { fail(err); }).then(function () { busy(b, false); });
  });
  $("rules-save").addEventListener("click", function () {
    var b = $("rules-save");
    busy(b, true);
    api("PUT", "/api/admin/rules/" + encodeURIComponent($("rules-program").value),
      { text: $("rules-text").value, confirm_changes: $("rules-confirm").checked })
      .then(function (r) { rulesReport(r.validation); status("规则已保存，服务已改用新规则。", "ok"); })
      .catch(function (err) { fail(err); }).then(function () { busy(b, !isPublisher()); });
  });

  // ------------------------------------------------------------------------------------ service points
  function diffView(d, applied) {
    var box = clear($("points-result"));
    box.appendChild(el("p", applied ? "tag ok" : "tag warn", (applied ? "已导入" : "试运行（未写入）") + "：新增 " + d.totals.added +
      "，修改 " + d.totals.changed + "，删除 " + d.totals.removed + "（共 " + d.rows + " 行）"));
    box.appendChild(table("按县区", ["县区", "新增", "修改", "删除"], d.counties.map(function (c) {
      function names(list) { return list.map(function (x) { return x.name; }).join("、"); }
      var changed = c.changed.map(function (x) {
        return x.name + "（" + Object.keys(x.fields).map(function (f) { return f + "：" + (x.fields[f].before === null ? "空" : x.fields[f].before) + " → " + (x.fields[f].after === null ? "空" : x.fields[f].after); }).join("；") + "）";
      }).join("、");
      return [c.city + c.county, names(c.added), changed, names(c.removed)];
    })));
    announce((applied ? "已导入" : "试运行完成") + "，新增 " + d.totals.added + "，修改 " + d.totals.changed + "，删除 " + d.totals.removed);
  }
  function csvForm() {
    var file = $("points-file").files[0];
    var form = new FormData();
    form.append("file", file, file.name);
    return form;
  }
  $("points-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!$("points-file").files[0]) { return; }
    var b = ev.target.querySelector("button[type=submit]");
    busy(b, true);
    api("POST", "/api/admin/service-points/import?dry_run=1", csvForm()).then(function (d) {
      diffView(d, false);
      $("points-apply").disabled = !isPublisher();
    }).catch(function (err) {
      var box = clear($("points-result"));
      var lines = (err.data && err.data.errors) || [];
      box.appendChild(el("p", "form-error", err.message));
      if (lines.length) { box.appendChild(table("错误", ["行", "原因"], lines.map(function (l) { return [l.line, l.reason]; }))); }
      fail(err);
      $("points-apply").disabled = true;
    }).then(function () { busy(b, false); });
  });
  $("points-apply").addEventListener("click", function () {
    var b = $("points-apply");
    busy(b, true);
    api("POST", "/api/admin/service-points/import?dry_run=0", csvForm()).then(function (d) {
      diffView(d, true);
      status("办事网点已导入。", "ok");
    }).catch(function (err) { fail(err); }).then(function () { busy(b, true); });
  });
  $("points-export").addEventListener("click", function () {
    api("GET", "/api/admin/service-points/export", null, { raw: true }).then(function (resp) { return resp.blob(); }).then(function (blob) {
      var a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = "service_points.csv";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      status("已导出。", "ok");
    }).catch(function (err) { fail(err); });
  });

  // ------------------------------------------------------------------------------------ dashboard
  function loadDashboard() {
    var box = clear($("charts"));
    box.appendChild(el("p", "muted", "正在生成图表…"));
    api("GET", "/api/admin/dashboard").then(function (d) {
      clear(box);
      d.charts.forEach(function (c) {
        var fig = el("figure", "chart");
        fig.id = "chart-" + c.id;
        fig.appendChild(el("figcaption", null, c.title));
        var doc = new DOMParser().parseFromString(c.svg, "image/svg+xml");
        var svg = doc.documentElement;
        if (svg && svg.nodeName === "svg") { fig.appendChild(document.importNode(svg, true)); }
        box.appendChild(fig);
      });
    }).catch(function (err) { clear(box); fail(err); });
  }
  LOADERS.dashboard = loadDashboard;

  // ------------------------------------------------------------------------------------ audit
  var ACTIONS = {
    document_upload: "上传文件", document_upload_refused: "上传被拒", document_build_failed: "构建失败", document_remove: "删除文件",
    candidate_discard: "放弃候选", publish: "发布知识库", rollback: "回滚知识库", curated_add: "新增问答", curated_update: "修改问答",
    curated_remove: "删除问答", curated_publish: "发布问答", curated_rollback: "回滚问答", curated_discard: "放弃问答候选",
    rules_save: "保存规则", rules_save_refused: "规则未通过", service_points_import: "导入网点", service_points_import_refused: "网点导入被拒",
    service_points_export: "导出网点"
  };
  function loadAudit() {
    api("GET", "/api/admin/audit?limit=300").then(function (d) {
      clear($("audit-list")).appendChild(table(null, ["时间", "谁", "操作", "对象", "之前", "之后", "结果"], d.entries.map(function (e) {
        return [e.time, e.actor + "（" + (e.role === "publisher" ? "发布人" : "编辑") + "）", ACTIONS[e.action] || e.action,
          e.target, e.before || "", e.after || "", e.status < 300 ? "成功" : "拒绝/失败（" + e.status + "）"];
      })));
    }).catch(function (err) { fail(err); });
  }
  LOADERS.audit = loadAudit;

  // ------------------------------------------------------------------------------------ start
  var saved = sessionStorage.getItem(KEY_TOKEN);
  if (saved) {
    login(saved).catch(function () { logout(""); });
  } else {
    $("token").focus();
  }
})();
