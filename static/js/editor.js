/* Contract editor: tabs (form <-> YAML through the server), line numbers, jumping to problems,
   upload by file input or drag and drop, unsaved-change warning and a localStorage draft.
   Two ways to the server, each for its kind of answer (docs/editor.md, "Talking to the
   server"): live validation is htmx (hx-post on #editor-form), an HTML fragment swapped in place;
   convert and upload are post() below, JSON data this script places and then acts on. Without
   JS the page still works: both panels show and each has its own Check / Save buttons. */
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form) return;
  document.documentElement.classList.add("js");

  var textarea = document.getElementById("yaml-text");
  var gutter = document.getElementById("yaml-gutter");
  var modeInput = document.getElementById("editor-mode");
  var tabsBar = document.getElementById("tabs-bar");
  var tabs = Array.prototype.slice.call(form.querySelectorAll("[role=tab]"));
  var status = document.getElementById("tab-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var draftKey = form.dataset.draftKey;
  var dirty = form.dataset.dirty === "1";
  var busy = false;

  function say(message) { if (status) status.textContent = message || ""; }

  /* ---- line numbers ---- */
  var highlighted = 0;
  function renderGutter() {
    var count = textarea.value.split("\n").length;
    var out = [];
    for (var i = 1; i <= count; i++) {
      out.push(i === highlighted ? '<span class="hl">' + i + "</span>" : String(i));
    }
    gutter.innerHTML = out.join("\n");
    gutter.scrollTop = textarea.scrollTop;
  }
  textarea.addEventListener("input", renderGutter);
  textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });

  /* ---- tabs ---- */
  function currentMode() { return modeInput.value === "form" ? "form" : "yaml"; }

  function show(mode) {
    modeInput.value = mode;
    tabs.forEach(function (tab) {
      var on = tab.dataset.mode === mode;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
    });
    if (mode === "yaml") renderGutter();
  }

  function post(url, data) {
    data.set("csrfmiddlewaretoken", csrf);
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, error: "The server answered " + response.status + "." };
      });
    });
  }

  function validateNow() { if (window.htmx) window.htmx.trigger(form, "validate-now"); }

  function switchTo(mode) {
    if (busy || mode === currentMode()) { show(mode); return Promise.resolve(true); }
    busy = true;
    var data = new FormData(form);
    data.delete("action");
    data.set("to", mode);
    say(mode === "yaml" ? "Writing the form into the YAML…" : "Reading the YAML into the form…");
    return post(form.dataset.convertUrl, data).then(function (answer) {
      busy = false;
      if (!answer.ok) { say(answer.error); return false; }
      if (mode === "yaml") {
        textarea.value = answer.text;
      } else {
        document.getElementById("form-fields").innerHTML = answer.html;
      }
      show(mode);
      say("");
      validateNow();
      return true;
    }).catch(function () {
      busy = false;
      say("Could not reach the server; nothing was lost. Try again when you are online.");
      return false;
    });
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { switchTo(tab.dataset.mode); });
    tab.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
      if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
      if (event.key === "Home") next = tabs[0];
      if (event.key === "End") next = tabs[tabs.length - 1];
      if (next) {
        event.preventDefault();
        next.focus();
        switchTo(next.dataset.mode);
      }
    });
  });
  tabsBar.hidden = false;
  show(currentMode());

  /* ---- jump to a problem ---- */
  function goToLine(line, column) {
    var lines = textarea.value.split("\n");
    line = Math.max(1, Math.min(line, lines.length));
    var start = 0;
    for (var i = 0; i < line - 1; i++) start += lines[i].length + 1;
    var at = start + Math.max(0, Math.min((column || 1) - 1, lines[line - 1].length));
    textarea.focus();
    textarea.setSelectionRange(at, start + lines[line - 1].length);
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 1) * lineHeight - textarea.clientHeight / 3);
    highlighted = line;
    renderGutter();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".diag-jump") : null;
    if (!link) return;
    event.preventDefault();
    var line = parseInt(link.dataset.line, 10);
    var column = parseInt(link.dataset.column, 10);
    var target = link.getAttribute("href").slice(1);
    if (currentMode() === "form" && link.dataset.field && document.getElementById(target)) {
      document.getElementById(target).focus();
      return;
    }
    var go = function () { if (line) goToLine(line, column); else textarea.focus(); };
    if (currentMode() === "yaml") go();
    else switchTo("yaml").then(function (ok) { if (ok) go(); });
  });

  /* ---- inline marks after a live check (the server swaps err-* slots out of band) ---- */
  function markFields() {
    form.querySelectorAll(".field-error[id^=err-]").forEach(function (slot) {
      var wrapper = document.getElementById("field-" + slot.id.slice(4));
      if (!wrapper) return;
      var invalid = slot.textContent.trim() !== "";
      wrapper.classList.toggle("field-invalid", invalid);
      wrapper.querySelectorAll("input:not([type=checkbox]), textarea").forEach(function (input) {
        if (invalid) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }
  document.body.addEventListener("htmx:afterSettle", markFields);
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      var wait = parseInt(event.detail.xhr.getResponseHeader("Retry-After") || "5", 10);
      setTimeout(validateNow, wait * 1000);
    }
  });
  document.body.addEventListener("htmx:sendError", function () {
    say("Offline: live checking paused. Your changes are kept in this browser.");
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) say("");
  });

  /* ---- upload: file input and drag and drop ---- */
  var uploadForm = document.getElementById("upload-form");
  var fileInput = document.getElementById("upload-file");
  var dropzone = document.getElementById("dropzone");
  var uploadStatus = document.getElementById("upload-status");

  function uploadFile(file) {
    if (!file) return;
    var data = new FormData();
    data.set("file", file, file.name);
    data.set("base_number", form.querySelector("input[name=base_number]").value);
    uploadStatus.classList.remove("is-error");
    uploadStatus.textContent = "Uploading " + file.name + "…";
    post(uploadForm.action, data).then(function (answer) {
      if (!answer.ok) {
        uploadStatus.classList.add("is-error");
        uploadStatus.textContent = answer.error;
        return;
      }
      textarea.value = answer.text;
      show("yaml");
      highlighted = 0;
      renderGutter();
      var panel = document.getElementById("diagnostics");
      panel.outerHTML = answer.diagnostics_html;
      uploadStatus.textContent = answer.message;
      changed();
    }).catch(function () {
      uploadStatus.classList.add("is-error");
      uploadStatus.textContent = "Could not reach the server; the file was not loaded.";
    });
  }
  /* Choosing or dropping a file loads it at once: the Upload button is for pages without JS. */
  document.getElementById("upload-button").hidden = true;
  uploadForm.addEventListener("submit", function (event) {
    event.preventDefault();
    uploadFile(fileInput.files[0]);
  });
  fileInput.addEventListener("change", function () { uploadFile(fileInput.files[0]); });
  ["dragenter", "dragover"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) {
      event.preventDefault();
      dropzone.classList.add("drag-over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    dropzone.addEventListener(name, function () { dropzone.classList.remove("drag-over"); });
  });
  dropzone.addEventListener("drop", function (event) {
    event.preventDefault();
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) uploadFile(files[0]);
  });

  /* ---- never lose work: beforeunload and a localStorage draft ---- */
  function snapshot() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "base_number" && name !== "text") {
        fields.push([name, value]);
      }
    });
    return { mode: currentMode(), text: textarea.value, fields: fields };
  }
  function same(a, b) {
    return a.text === b.text && JSON.stringify(a.fields) === JSON.stringify(b.fields);
  }
  var draftTimer = null;
  function saveDraft() {
    try {
      var snap = snapshot();
      snap.at = new Date().toISOString();
      localStorage.setItem(draftKey, JSON.stringify(snap));
    } catch (e) { /* storage full or disabled: the beforeunload warning still protects */ }
  }
  function changed() {
    dirty = true;
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 300);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    dirty = false;
    var submitter = event.submitter;
    if (submitter && /^save:/.test(submitter.value)) {
      saveDraft();
      sessionStorage.setItem("caio-saving:" + draftKey, "1");
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  function restore(draft) {
    var byName = {};
    draft.fields.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    form.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (el) {
      if (!(el.name in byName) || el.type === "hidden" || el.name === "text") return;
      if (el.type === "checkbox") el.checked = byName[el.name].indexOf(el.value) !== -1;
      else el.value = byName[el.name][0];
    });
    form.querySelectorAll("input[type=checkbox][name]").forEach(function (el) {
      if (!(el.name in byName)) el.checked = false;
    });
    textarea.value = draft.text;
    show(draft.mode === "form" ? "form" : "yaml");
    dirty = true;
    validateNow();
  }

  (function offerDraft() {
    var banner = document.getElementById("draft-banner");
    var raw = null;
    try { raw = localStorage.getItem(draftKey); } catch (e) { return; }
    if (!raw) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { localStorage.removeItem(draftKey); return; }
    var saving = sessionStorage.getItem("caio-saving:" + draftKey);
    sessionStorage.removeItem("caio-saving:" + draftKey);
    if ((saving && /[?&]saved=/.test(location.search)) || same(draft, snapshot())) {
      localStorage.removeItem(draftKey);
      return;
    }
    var when = draft.at ? new Date(draft.at).toLocaleString() : "earlier";
    document.getElementById("draft-banner-text").textContent =
      "This browser kept unsaved changes to this contract from " + when + ".";
    banner.hidden = false;
    document.getElementById("draft-restore").addEventListener("click", function () {
      restore(draft);
      banner.hidden = true;
      textarea.focus();
    });
    document.getElementById("draft-discard").addEventListener("click", function () {
      localStorage.removeItem(draftKey);
      banner.hidden = true;
    });
  })();

  /* ---- keyboard: Ctrl/Cmd+S saves from the visible tab ---- */
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      var button = form.querySelector("button[value='save:" + currentMode() + "']");
      if (button) button.click();
    }
  });

  if (dirty) saveDraft();
  renderGutter();
})();
