/* The ruleset editor: line numbers beside the text, the server's check as one types
   (debounced), each problem "LINE: key.path: message" beside its line and in a list, and
   what the text changes against the published version. A chosen file is read into the
   editor. Without this script the form still works: the server checks on saving.
   Used by the new-draft page and by the what-if page's YAML box; a page may word the
   status line itself: data-valid-text ("{title}" is the plan's title) and
   data-invalid-text ("{count}" is "1 problem", "2 problems"). */
(function () {
  "use strict";

  var editor = document.querySelector("[data-ruleset-editor]");
  if (!editor) { return; }
  var form = editor.closest("form");
  var text = editor.querySelector("textarea");
  var gutter = editor.querySelector(".editor__gutter");
  var notes = editor.querySelector(".editor__notes");
  var status = document.getElementById("editor-status");
  var list = document.getElementById("editor-problems");
  var changes = document.getElementById("editor-changes");
  var upload = form.querySelector("input[type=file]");
  var filename = form.querySelector("input[name=filename]");
  var tokenField = form.querySelector("input[name=csrf_token]");
  var token = tokenField ? tokenField.value : "";
  var url = editor.getAttribute("data-check-url");
  var validText = editor.getAttribute("data-valid-text") ||
    "Valid: {title} can be saved as a draft.";
  var invalidText = editor.getAttribute("data-invalid-text") ||
    "{count}: it can be kept as work in progress, not saved as a draft yet.";
  // The editor's other texts, in the page's language (data-*-text; English without them).
  function say(name, fallback, parts) {
    var found = editor.getAttribute("data-" + name + "-text") || fallback;
    Object.keys(parts || {}).forEach(function (key) {
      found = found.split("{" + key + "}").join(String(parts[key]));
    });
    return found;
  }
  var DELAY = 400;
  var MIN_ROWS = 12;
  var MAX_ROWS = 40;
  var timer = null;
  var pending = null;
  var lastChecked = null;
  var problemLines = {};

  var gutterInner = document.createElement("div");
  gutterInner.className = "editor__gutter-inner";
  gutter.appendChild(gutterInner);
  var notesInner = document.createElement("div");
  notesInner.className = "editor__notes-inner";
  notes.appendChild(notesInner);

  function rowHeight() {
    return parseFloat(window.getComputedStyle(text).lineHeight) || 24;
  }

  function lineCount() {
    return text.value.split("\n").length;
  }

  function fit() {  // the text grows with its lines, up to MAX_ROWS, then scrolls
    var rows = Math.min(Math.max(lineCount() + 1, MIN_ROWS), MAX_ROWS);
    text.style.height = (rows * rowHeight() + 16) + "px";
  }

  function renderGutter() {
    var count = lineCount();
    fit();
    var fragment = document.createDocumentFragment();
    for (var i = 1; i <= count; i += 1) {
      var span = document.createElement("span");
      span.textContent = String(i);
      if (problemLines[i]) { span.className = "has-problem"; }
      fragment.appendChild(span);
    }
    gutterInner.replaceChildren(fragment);
    follow();
  }

  function problemContent(p) {  // "LINE: key.path: message", the key path as code
    var fragment = document.createDocumentFragment();
    if (p.line) { fragment.appendChild(document.createTextNode(p.line + ": ")); }
    var path = document.createElement("code");
    path.setAttribute("translate", "no");
    path.textContent = p.path;
    fragment.appendChild(path);
    fragment.appendChild(document.createTextNode(": " + p.message));
    return fragment;
  }

  function renderNotes(problems) {
    var height = rowHeight();
    var fragment = document.createDocumentFragment();
    var seen = {};
    problems.forEach(function (p) {
      if (!p.line || seen[p.line]) { return; }
      seen[p.line] = true;
      var note = document.createElement("div");
      note.className = "editor__note";
      note.appendChild(problemContent(p));
      note.title = p.text;
      note.style.top = (8 + (p.line - 1) * height) + "px";
      fragment.appendChild(note);
    });
    notesInner.replaceChildren(fragment);
    follow();
  }

  function follow() {  // the gutter and the notes scroll with the text
    var shift = "translateY(" + (-text.scrollTop) + "px)";
    gutterInner.style.transform = shift;
    notesInner.style.transform = shift;
  }

  function goToLine(line) {
    var lines = text.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i += 1) { offset += lines[i].length + 1; }
    text.focus();
    text.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
    text.scrollTop = Math.max(0, (line - 3) * rowHeight());
    follow();
  }

  function renderList(problems) {
    var fragment = document.createDocumentFragment();
    problems.forEach(function (p) {
      var item = document.createElement("li");
      if (p.line) {
        var button = document.createElement("button");
        button.type = "button";
        button.appendChild(problemContent(p));
        button.addEventListener("click", function () { goToLine(p.line); });
        item.appendChild(button);
      } else {
        item.appendChild(problemContent(p));
      }
      fragment.appendChild(item);
    });
    list.replaceChildren(fragment);
  }

  function cell(row, tag, value, scope) {
    var node = document.createElement(tag);
    if (scope) { node.scope = scope; }
    node.textContent = value;
    row.appendChild(node);
  }

  function renderChanges(result) {
    changes.replaceChildren();
    if (!result.valid || !result.compared_with) { return; }
    var heading = document.createElement("h2");
    heading.textContent = say("changes-heading", "What it changes against {version} (published)",
                              {version: result.compared_with});
    changes.appendChild(heading);
    if (!result.changes.length) {
      var none = document.createElement("p");
      none.textContent = say("no-changes", "Nothing in the plan changes.");
      changes.appendChild(none);
      return;
    }
    var wrap = document.createElement("div");
    wrap.className = "table-scroll";
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-labelledby", "editor-changes-caption");
    wrap.tabIndex = 0;
    var table = document.createElement("table");
    var caption = document.createElement("caption");
    caption.id = "editor-changes-caption";
    caption.textContent = result.changes.length === 1 ?
      say("one-change", "1 change in plan terms") :
      say("changes", "{count} changes in plan terms", {count: result.changes.length});
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    say("change-columns", "Part of the plan|What|Change|Before|After").split("|").forEach(
      function (h) { cell(head, "th", h, "col"); });
    var body = table.createTBody();
    result.changes.forEach(function (c) {
      var row = body.insertRow();
      cell(row, "th", c.subject, "row");
      cell(row, "td", c.aspect);
      cell(row, "td", c.kind_text || c.kind);
      cell(row, "td", c.before === null ? say("none", "(none)") : c.before);
      cell(row, "td", c.after === null ? say("removed", "(removed)") : c.after);
    });
    wrap.appendChild(table);
    changes.appendChild(wrap);
  }

  function show(result) {
    problemLines = {};
    result.problems.forEach(function (p) { if (p.line) { problemLines[p.line] = true; } });
    renderGutter();
    renderNotes(result.problems);
    renderList(result.problems);
    renderChanges(result);
    var count = result.problems.length;
    status.className = "editor__status " + (count ? "editor__status--bad" : "editor__status--ok");
    var counted = count === 1 ? say("one-problem", "1 problem") :
      say("problems", "{count} problems", {count: count});
    var title = result.title || result.name || "";
    status.textContent = count ?
      invalidText.replace("{count}", counted) : validText.replace("{title}", title);
  }

  function check() {
    var source = text.value;
    if (source === lastChecked) { return; }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    status.className = "editor__status";
    status.textContent = say("checking", "Checking…");
    fetch(url, {
      method: "POST",
      signal: pending.signal,
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({source: source, filename: filename ? filename.value : ""})
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      pending = null;
      if (!answer.ok) {
        status.className = "editor__status editor__status--bad";
        status.textContent = answer.body.error || say("check-failed", "The check failed.");
        return;
      }
      lastChecked = source;
      show(answer.body);
    }).catch(function (error) {
      if (error.name === "AbortError") { return; }
      pending = null;
      status.className = "editor__status editor__status--bad";
      status.textContent = say("unreachable",
                               "The server could not be reached to check the text.");
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DELAY);
  }

  text.addEventListener("input", function () { renderGutter(); later(); });
  text.addEventListener("scroll", follow);
  if (filename) { filename.addEventListener("change", function () { lastChecked = null; later(); }); }
  if (upload) {
    upload.addEventListener("change", function () {
      var file = upload.files && upload.files[0];
      if (!file) { return; }
      file.text().then(function (content) {
        text.value = content.replace(/\r\n/g, "\n");
        if (filename) { filename.value = file.name; }
        upload.value = "";  // the editor holds the file now: what is saved is what is shown
        lastChecked = null;
        renderGutter();
        check();
      });
    });
  }
  if (window.ResizeObserver) { new window.ResizeObserver(follow).observe(text); }
  renderGutter();
  if (text.value.trim()) { check(); }
}());
